"""The CLI as a user runs it: a real process, a real store, exit codes and output."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys

from tests.conftest import CORPUS, ROOT
from tests.factories import MARKDOWN, make_docx, make_docx_bomb

# A document that tries to retitle the terminal (OSC), ring it, recolour it (CSI, C1) and
# overwrite its line (carriage return).
HOSTILE_MARKDOWN = (
    "# Titre \x1b]0;pwned\x07 rouge \u009b31m fin\n\n"
    "Le comité de pilotage \x1b[31mrouge\x1b[0m a recommandé une convention\r tripartite.\n\n"
    "## Suite \x07cloche\n\nUn autre paragraphe sur la coopération.\n"
)
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def run(*args, data, check=True, env=None):
    env = {**os.environ, "RECUEIL_DATA": str(data), **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_search_json_has_the_promised_shape(corpus_data):
    done = run(
        "search", "comment impliquer les entreprises ?", "--k", "3", "--json", data=corpus_data
    )
    payload = json.loads(done.stdout)
    assert payload["query"] == "comment impliquer les entreprises ?"
    assert len(payload["results"]) == 3
    result = payload["results"][0]
    for key in (
        "passage_id",
        "score",
        "text",
        "snippet",
        "document",
        "page",
        "section",
        "speaker",
        "start",
        "end",
        "citation",
        "also_in",
    ):
        assert key in result
    assert set(result["document"]) >= {"id", "file", "title", "event", "date", "kind"}
    for other in (o for r in payload["results"] for o in r["also_in"]):
        assert set(other) >= {"passage_id", "document", "page", "start", "end", "text"}


def test_human_output_and_filters(corpus_data):
    done = run("search", "elus locaux", "--k", "2", "--year", "2019", data=corpus_data)
    assert " 1. " in done.stdout and "2019" in done.stdout and "p. " in done.stdout


def test_quotes_of_one_year(corpus_data):
    """`recueil quotes --year` mirrors /v1/quotes?year=: each quote is of that year."""
    done = run("quotes", "coopération", "--year", "2016", "--json", data=corpus_data)
    found = json.loads(done.stdout)["results"]
    assert found and all(q["document"]["date"].startswith("2016") for q in found)


def test_nothing_relevant_and_a_blank_description_are_said_as_the_api_says_them(corpus_data):
    assert run("cases", "zzqqxx", data=corpus_data).stdout.strip() == "Aucun cas pertinent."
    blank = run("similar", "  ", data=corpus_data, check=False)
    assert blank.returncode == 2 and "la description est vide" in blank.stderr
    unknown = run("cases", "--territory", "lunaire", data=corpus_data, check=False)
    assert unknown.returncode == 2 and "rural" in unknown.stderr
    assert "Village de Vannes" in run("cases", "--territory", "rural", data=corpus_data).stdout


def test_ingest_twice_then_stats_and_show(tmp_path):
    data = tmp_path / "data"
    first = run("ingest", str(CORPUS), "--no-embed", data=data)
    assert "5 ajoutés" in first.stdout
    second = run("ingest", str(CORPUS), "--no-embed", data=data)
    assert "5 inchangés" in second.stdout and "0 ajoutés" in second.stdout
    stats = json.loads(run("stats", "--json", data=data).stdout)
    assert stats["documents"] == 5 and stats["passages"] > 250
    # Per document, every passage counts: the lines add up to the total.
    assert sum(d["passages"] for d in stats["per_document"]) == stats["passages"]
    assert all(d["notes"] <= d["passages"] - d["searched"] for d in stats["per_document"])
    show = run("show", "001_82aaa8b671886fce.txt", data=data).stdout
    assert "5e Rencontre" in show and "MISE EN DEBAT" in show
    # One count of a document's passages everywhere: the ones search reads.
    outline = json.loads(run("show", "001_82aaa8b671886fce.txt", "--json", data=data).stdout)
    listed = next(d for d in stats["per_document"] if d["file"] == "001_82aaa8b671886fce.txt")
    assert outline["passages"] == listed["searched"] and outline["notes"] == listed["notes"]
    printed = run("stats", data=data).stdout
    assert f"— {sum(d['searched'] for d in stats['per_document'])} passages" in first.stdout
    assert f"{listed['searched']:>4} passages, {listed['notes']:>3} notes" in printed


def test_show_says_a_missing_field_is_missing(tmp_path):
    """A note without event or date shows « — », not Python's « None »."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.md").write_text("# Note\n\nUne note brève sur la coopération locale.\n")
    run("ingest", str(folder), "--no-embed", data=tmp_path / "data")
    show = run("show", "note", data=tmp_path / "data").stdout
    assert "event: —" in show and "None" not in show


def test_failed_file_gives_exit_code_1_and_a_clear_line(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CORPUS / "003_c2577a908f8cbfbf.txt", folder)
    (folder / "casse.pdf").write_bytes(b"%PDF-1.7\n garbage")
    done = run("ingest", str(folder), "--no-embed", data=tmp_path / "data", check=False)
    assert done.returncode == 1
    assert "casse.pdf" in done.stderr and "PDF tronqué" in done.stderr
    assert "1 ajoutés" in done.stdout and "1 en échec" in done.stdout


def test_missing_store_and_empty_query_are_clear_errors(tmp_path, corpus_data):
    done = run("stats", data=tmp_path / "nothing", check=False)
    assert done.returncode == 2 and "recueil ingest" in done.stderr
    outside = subprocess.run(
        [sys.executable, "-m", "api.cli", "--data", str(tmp_path / "empty"), "search", "élus"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outside.returncode == 2 and "recueil ingest DOSSIER" in outside.stderr
    done = run("search", "   ", data=corpus_data, check=False)
    assert done.returncode == 2 and "erreur : la question est vide" in done.stderr


def test_eval_compare_prints_every_mode(corpus_data):
    done = run("eval", str(ROOT / "eval" / "queries.jsonl"), "--compare", data=corpus_data)
    for word in (
        "ndcg@10",
        "recall@10",
        "mrr",
        "hit@1",
        "hybrid",
        "lexical",
        "dense",
        "practice",
        "english",
        "all",
    ):
        assert word in done.stdout


def test_every_cli_command_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    from api.cli import app

    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"recueil {name}" in readme, f"`recueil {name}` missing from README"


def test_search_on_an_empty_store_ingests_the_corpus_folder_once(tmp_path):
    from tests.factories import MARKDOWN

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "cas.md").write_text(MARKDOWN, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("RECUEIL_DATA", None)
    command = [sys.executable, "-m", "api.cli", "search", "jardins partagés", "--json"]
    first = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert first.returncode == 0, first.stderr
    assert "indexation de corpus/" in first.stderr
    # Where the store is made, so that a mistyped RECUEIL_DATA shows.
    assert "Base vide (data/recueil.db)" in first.stderr, first.stderr
    assert json.loads(first.stdout)["results"][0]["document"]["file"] == "cas.md"
    second = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 0 and "indexation" not in second.stderr


def test_nothing_relevant_and_unknown_filter_values(corpus_data):
    empty = run("search", "xyzzyqq blorf", data=corpus_data)
    assert "Aucun résultat pertinent" in empty.stdout
    wrong = run("search", "élus", "--kind", "proceeding", data=corpus_data, check=False)
    assert wrong.returncode == 2 and "proceedings (actes), programme" in wrong.stderr
    # A kind by the label the page and the facets show (« actes »), accents and case aside.
    named = run("search", "élus", "--kind", "Actes", "--json", data=corpus_data)
    by_id = run("search", "élus", "--kind", "proceedings", "--json", data=corpus_data)
    assert json.loads(named.stdout)["results"] == json.loads(by_id.stdout)["results"]
    assert json.loads(named.stdout)["results"]
    for command in ("search", "quotes"):
        missing = run(command, "élus", "--document", "nope.pdf", data=corpus_data, check=False)
        assert missing.returncode == 2 and "aucun document « nope.pdf »" in missing.stderr
    # A question as long as the API takes, and no longer (api.bounds).
    for command in ("search", "answer", "practices", "quotes"):
        pasted = run(command, "élus " * 401, data=corpus_data, check=False)
        assert pasted.returncode == 2 and "au plus 2000 caractères" in pasted.stderr, command


def _ingested_jardins(tmp_path):
    """A folder holding one Markdown file, ingested without vectors: (folder, data)."""
    from tests.factories import MARKDOWN

    folder, data = tmp_path / "docs", tmp_path / "data"
    folder.mkdir()
    (folder / "jardins.md").write_text(MARKDOWN, encoding="utf-8")
    run("ingest", str(folder), "--no-embed", data=data)
    return folder, data


def test_show_finds_a_document_by_its_file_s_path(tmp_path):
    folder, data = _ingested_jardins(tmp_path)
    shown = run("show", str(folder / "jardins.md"), data=data)
    assert "id: jardins" in shown.stdout and "file: jardins.md" in shown.stdout
    missing = run("show", str(folder / "absent.md"), data=data, check=False)
    assert missing.returncode == 2 and "aucun document" in missing.stderr


def test_an_ingest_behind_another_write_says_it_waits(tmp_path):
    """A CLI ingest behind a server's upload or a `recueil build` had waited in silence."""
    from ingest.store import open_store
    from tests.factories import MARKDOWN

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "jardins.md").write_text(MARKDOWN, encoding="utf-8")
    data = tmp_path / "data"
    store = open_store(data)
    env = {**os.environ, "RECUEIL_DATA": str(data)}
    command = [sys.executable, "-m", "api.cli", "ingest", str(folder), "--no-embed"]
    with store.write_lock():
        waiting = subprocess.Popen(
            command, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE
        )
        said, stream = b"", waiting.stderr.fileno()
        # Read as it comes (after the « Lecture » bar), for a minute at most.
        while b"en attente" not in said and select.select([stream], [], [], 60)[0]:
            chunk = os.read(stream, 4096)
            if not chunk:
                break
            said += chunk
        text = said.decode()
        assert f"Une autre écriture est en cours sur {data / 'recueil.db'}" in text, text
        assert waiting.poll() is None
    out, _ = waiting.communicate(timeout=300)
    assert waiting.returncode == 0 and "1 ajoutés" in out.decode()


def test_ingest_names_what_prune_forgot(tmp_path):
    folder, data = _ingested_jardins(tmp_path)
    (folder / "jardins.md").unlink()
    done = run("ingest", str(folder), "--prune", "--no-embed", data=data)
    assert "oublié : jardins (son fichier a disparu)" in done.stderr
    assert "1 oubliés" in done.stdout


def test_a_backup_that_cannot_be_written_says_why_in_french(corpus_data, tmp_path):
    done = run("backup", str(tmp_path), data=corpus_data, check=False)
    assert done.returncode == 2
    assert f"{tmp_path} : impossible d’écrire la sauvegarde (c’est un dossier)" in done.stderr


def test_a_long_document_s_embedding_shows_its_own_bar(tmp_path):
    """Minutes of embedding one long file had shown « Lecture 0/1 » alone."""
    from api.cli import LONG_EMBEDDING

    paragraphs = (
        f"Paragraphe {i} : la commune et les associations du quartier {i} ont ouvert un "
        "jardin partagé que les habitants entretiennent chaque semaine, avec une convention "
        "signée pour trois ans et un comité d'usagers qui se réunit au jardin."
        for i in range(LONG_EMBEDDING + 100)
    )
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "long.txt").write_text("# Jardins\n\n" + "\n\n".join(paragraphs), "utf-8")
    done = run("ingest", str(folder), data=tmp_path / "data")
    assert "Vecteurs" in done.stderr and f"/{LONG_EMBEDDING + 100}" in done.stderr


def test_speaker_attribution_is_measured_from_the_cli(corpus_data):
    done = run("eval-speakers", "eval/labels/speakers.jsonl", "--misses", data=corpus_data)
    assert done.stdout.startswith("recall 0.") and "precision" in done.stdout


def test_answer_prints_sections_with_sources(corpus_data):
    done = run("answer", "comment mobiliser les élus ?", data=corpus_data)
    assert "Ce qui marche" in done.stdout and "Actes de la" in done.stdout
    as_json = json.loads(
        run("answer", "comment mobiliser les élus ?", "--json", data=corpus_data).stdout
    )
    assert as_json["sections"][0]["kind"] == "practices"


def test_similar_cases_show_their_similarity_and_reasons(corpus_data):
    described = "un tiers-lieu porté par une association et la mairie dans un village"
    done = run("similar", described, "-k", "3", data=corpus_data)
    found = re.findall(r"similarité (\d,\d\d)", done.stdout)  # a decimal comma, in French
    scores = [float(s.replace(",", ".")) for s in found]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    assert "↳" in done.stdout
    both = run("similar", described, "--case", "x", data=corpus_data, check=False)
    assert both.returncode == 2 and "exactement un de TEXT" in both.stderr


def test_a_case_an_editor_wrote_is_found_by_name_and_as_similar(corpus_data, tmp_path):
    """`recueil cases NAME` puts the case of that name first, an editor's too, and
    `recueil similar` compares it on what the editor wrote (issue #12)."""
    from ingest.store import open_store

    data = tmp_path / "data"
    shutil.copytree(corpus_data, data)
    fields = {
        "name": "La Fabrique des Voisins",
        "place": "Givry-sur-Saône",
        "territory_type": "rural",
        "description": "Un café associatif de village où les habitants prêtent leurs outils.",
    }
    open_store(data).save_case_edit("case-ed-la-fabrique-des-voisins", fields)
    listed = run("cases", "Fabrique des Voisins", data=data).stdout
    first = listed.split("\n\n")[0]
    assert "La Fabrique des Voisins (Givry-sur-Saône) — case-ed-la-fabrique-des-voisins" in first
    assert "territoire : rural" in first and "créée par un éditeur" in first
    similar = run("similar", "un café de village où les habitants prêtent des outils", data=data)
    assert "La Fabrique des Voisins" in similar.stdout
    assert "↳ même type de territoire : rural" in similar.stdout


def test_actors_as_json_have_the_api_shape(corpus_data):
    done = run("actors", "caron", "--json", "-k", "3", data=corpus_data)
    found = json.loads(done.stdout)
    assert found["query"] == "caron" and found["results"][0]["name"] == "Jean-François CARON"
    assert found["results"][0]["type_label"] == "personne"


def test_eval_answers_names_a_broken_query_file_once(corpus_data, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": 1, broken\n', encoding="utf-8")
    done = run("eval-answers", str(broken), data=corpus_data, check=False)
    assert done.returncode == 2 and done.stderr.count(str(broken)) == 1


def test_hostile_folder_through_the_cli(tmp_path):
    """A bomb, a name that is not UTF-8, a hidden file and a document full of terminal
    controls: each is handled alone, with one clear line, and the others are ingested."""
    folder = tmp_path / "docs"
    folder.mkdir()
    make_docx_bomb(folder / "1-bombe.docx", make_docx(tmp_path / "a.docx"), 2 * 1024**2)
    (folder / os.fsdecode(b"2-caf\xe9.md")).write_text(MARKDOWN, encoding="utf-8")
    (folder / ".x.txt").write_text(MARKDOWN, encoding="utf-8")
    (folder / "3-controles.md").write_text(HOSTILE_MARKDOWN, encoding="utf-8")
    data = tmp_path / "data"
    limit = {"RECUEIL_READ_MAX_UNZIPPED_BYTES": "1000000"}  # set low by the test
    done = run("ingest", str(folder), "--no-embed", data=data, check=False, env=limit)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "2 ajoutés, 0 mis à jour, 0 inchangés, 1 en échec, 1 ignorés" in done.stdout
    assert re.search(
        r"1-bombe.docx : bombe DOCX refusée : \d Mo une fois décompressée \(limite 1 Mo\)\n",
        done.stderr,
    )
    assert f"ignoré : {folder}/.x.txt : fichier caché (son nom commence par un point)" in (
        done.stderr
    )
    files = {
        d["id"]: d for d in json.loads(run("stats", "--json", data=data).stdout)["per_document"]
    }
    assert set(files) == {"2-caf", "3-controles"}
    show = run("show", "3-controles", data=data).stdout
    assert "Titre  rouge" in show and "Suite  cloche" in show
    assert not TERMINAL_CONTROLS.search(show), repr(show)
    assert not TERMINAL_CONTROLS.search(run("stats", data=data).stdout)
    # JSON keeps the text exact, every control written as an escape.
    shown = run("show", "3-controles", "--json", data=data).stdout
    assert not TERMINAL_CONTROLS.search(shown.replace("\n", ""))
    assert json.loads(shown)["title"] == "Titre \x1b]0;pwned\x07 rouge \u009b31m fin"
    assert "caf\\xe9.md" in run("show", "2-caf", data=data).stdout


def test_search_results_never_print_terminal_controls(capsys):
    from api.cli import _print_result

    snippet = "le <mark>comité\x1b]0;pwned\x07</mark> &#27;[2J a dit\r\x9b31m oui"
    _print_result(1, snippet, "Actes \x1b[31m2021, p. 3", None, ["Autre\x07 p. 1"])
    printed = capsys.readouterr().out
    assert not TERMINAL_CONTROLS.search(printed.replace("\n", "")), repr(printed)
    assert printed.split()[:3] == ["1.", "le", "comité"] and "Actes 2021, p. 3" in printed


def test_help_speaks_french(tmp_path):
    """Users work in French: the commands and their options are described in French."""
    main = run("--help", data=tmp_path).stdout
    assert "Dossier de la base" in main and "Trouver les extraits" in main
    assert "Find the passages" not in main and "Folder of the store" not in main
    search = run("search", "--help", data=tmp_path).stdout
    assert "Une question ou des mots-clés" in search and "Nombre de résultats" in search
    # Typer's own words too: the help option, defaults, required arguments, panel titles.
    for screen in (main, search):
        assert "Afficher cette aide et quitter" in " ".join(screen.split())
        assert "Show this message" not in screen and "[default:" not in screen
    assert "[par défaut : 10]" in search and "[obligatoire]" in search
    assert "Commandes" in main and "Commands" not in main


def test_an_ingest_embeds_each_document_as_it_is_committed(tmp_path):
    """A search during a long ingest must not embed what the ingest read: each document
    has its vectors as soon as it is committed, before the next file is read."""
    from api.cli import _DocumentEmbedder
    from ingest.pipeline import ingest
    from ingest.store import open_store
    from search.vectors import all_chunks

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "b.md").write_text(f"{MARKDOWN}\nLe bilan sera présenté en juin.\n", "utf-8")
    store = open_store(tmp_path / "data")
    embedder = _DocumentEmbedder(store)
    missing_when_read = []

    def before_each(path) -> None:
        done = store.searchable_passages()
        chunks = all_chunks(done)
        if embedder.embedder is not None and chunks.hashes:
            have = store.embedded_hashes(embedder.embedder.model_id, chunks.hashes)
            missing_when_read.append(len(set(chunks.hashes) - have))

    report = ingest(store, [folder], progress=before_each, ingested=embedder)
    assert [r.status for r in report.results] == ["added", "added"]
    assert missing_when_read == [0]  # b.md was read with a.md's vectors all stored
    assert embedder.seconds > 0


LESSONS = """# Retour d'expérience : le tiers-lieu de Brioude

## Ce qui a marché

- Associer les élus dès la conception du projet, avant tout financement.
- Confier l'animation à une personne salariée, pas à des bénévoles seuls.

## Ce que nous ne referions pas

- Lancer les travaux avant d'avoir réuni les futurs usagers.
"""


def test_cards_built_with_another_model_are_rebuilt_by_the_next_command(tmp_path):
    """Cards group statements by their vectors' cosines: a store whose cards another model
    grouped (the default changed) has them rebuilt once, as a store ingested with this model
    has them, and says so; an interrupted write's owed rebuild is paid the same way."""
    from search.embedders import get_embedder
    from search.knowledge.freshness import MARKER

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "cas.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "brioude.md").write_text(LESSONS, encoding="utf-8")
    plain, default = tmp_path / "plain", tmp_path / "default"
    run("ingest", str(folder), data=plain, env={"RECUEIL_MODEL": "e5-small-onnx"})
    run("ingest", str(folder), data=default)
    assert (plain / MARKER).read_text(encoding="utf-8").endswith("e5-small-onnx-int8-v3")

    first = run("practices", "--json", data=plain)
    assert "Fiches pratiques, cas et acteurs à reconstruire" in first.stderr
    assert (plain / MARKER).read_text(encoding="utf-8").endswith(get_embedder().model_id)
    cards = json.loads(first.stdout)["results"]
    again = json.loads(run("practices", "--json", data=default).stdout)["results"]
    assert len(cards) == 5 and cards == again
    assert "reconstruire" not in run("practices", "--json", data=plain).stderr  # once

    (default / MARKER).unlink()  # a write killed between its commit and its rebuild
    assert "reconstruire" in run("search", "jardins", data=default).stderr
    assert (default / MARKER).exists()
