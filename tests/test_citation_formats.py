"""Citation export: CSL-JSON, BibTeX and RIS parsed back, from the library, the API and
the CLI; facets and the speaker index of the search API."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from urllib.parse import urlencode

import httpx
import pytest

from search.citation_formats import from_passage, from_quote, to_bibtex, to_csl, to_ris
from tests.test_cli import run

BASE = "http://recueil.test:8000"
HOSTILE_TITLE = "R&D {territoriale} à 100 % : le_cas #1, $5 ~ ^ \\ fin"


def parse_bibtex(text: str) -> list[dict]:
    """Entries as {"type", "key", fields…}, fields unescaped; fails on unbalanced braces,
    a field outside braces, or anything between entries but blank lines."""
    entries, position = [], 0
    header = re.compile(r"\s*@(\w+)\{([A-Za-z0-9_:.-]+),\n")
    field = re.compile(r"\s*(\w+) = \{")
    while position < len(text.rstrip()):
        match = header.match(text, position)
        assert match, f"not an entry at {text[position : position + 40]!r}"
        entry, position = {"type": match.group(1), "key": match.group(2)}, match.end()
        while not text.startswith("}", position):
            match = field.match(text, position)
            assert match, f"not a field at {text[position : position + 40]!r}"
            depth, start, position = 1, match.end(), match.end()
            while depth:
                char = text[position]
                if char == "\\":
                    position += 2
                    continue
                depth += {"{": 1, "}": -1}.get(char, 0)
                position += 1
            entry[match.group(1)] = unescape_tex(text[start : position - 1])
            position += 2 if text.startswith(",\n", position) else 1
        entries.append(entry)
        position += 2
    return entries


def unescape_tex(value: str) -> str:
    for plain, escaped in (
        ("\\", r"\textbackslash{}"),
        ("~", r"\textasciitilde{}"),
        ("^", r"\textasciicircum{}"),
    ):
        value = value.replace(escaped, plain)
    return re.sub(r"\\([{}&%$#_])", r"\1", value)


def parse_ris(text: str) -> list[dict[str, list[str]]]:
    """Records as {tag: [values]}; every line a `XX  - value` field, TY first, ER last."""
    records, current = [], None
    for line in text.splitlines():
        if not line:
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = {}
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
        else:
            current.setdefault(tag, []).append(value)
    assert current is None, "a record without ER"
    return records


@pytest.fixture(scope="module")
def items(engine):
    """A speaker's passage, a passage of proceedings without speaker, one of another kind
    with a hostile title, and a quote: the four shapes an export takes."""
    passages = list(engine.passages.values())
    spoken = next(
        p
        for p in passages
        if p.speaker and p.speaker_role and p.speech == "verbatim" and p.page_start != p.page_end
    )
    proceedings = next(
        p
        for p in passages
        if not p.speaker and engine.documents[p.document_id].kind == "proceedings" and p.section
    )
    other = next(p for p in passages if engine.documents[p.document_id].kind == "article")
    hostile = replace(engine.documents[other.document_id], title=HOSTILE_TITLE, date="2021-03")
    quote = next(q for q in engine.knowledge.quotes if q["speech"] == "verbatim")
    quoted = engine.passages[quote["passage_id"]]
    return [
        from_passage(spoken, engine.documents[spoken.document_id], BASE),
        from_passage(proceedings, engine.documents[proceedings.document_id], BASE),
        from_passage(other, hostile, BASE),
        from_quote(quote, quoted, engine.documents[quoted.document_id], BASE),
    ]


def test_csl_json_has_what_zotero_needs(items):
    parsed = json.loads(to_csl(items))
    # Types that keep the pages in Zotero: a speaker's words in proceedings are a paper of
    # the conference, in another document (here a moderation script) a part of it.
    assert [i["type"] for i in parsed] == [
        "paper-conference",
        "paper-conference",
        "report",
        "chapter",
    ]
    for item, source in zip(parsed, items, strict=True):
        assert {"id", "type", "title", "URL", "page", "abstract"} <= set(item)
        assert item["URL"] == source.url and re.search(r"/documents/[^/#]+#p-\d+$", item["URL"])
        assert item["abstract"] == source.text  # the whole passage, not an excerpt
    spoken = parsed[0]
    family, given = spoken["author"][0]["family"], spoken["author"][0]["given"]
    # The capitals that mark the family name in the text are not its spelling.
    assert f"{given} {family.upper()}" == items[0].speaker and not family.isupper()
    assert spoken["page"] == f"{items[0].page_start}-{items[0].page_end}"
    assert spoken["event-title"] == items[0].document.event
    # The author's capacity, which CSL's name has no place for, is in the note.
    assert items[0].role and spoken["note"] == f"{items[0].speaker}, {items[0].role}"
    assert spoken["issued"]["date-parts"][0] == [int(x) for x in items[0].document.date.split("-")]
    assert parsed[2]["title"] == HOSTILE_TITLE and parsed[2]["issued"]["date-parts"] == [[2021, 3]]
    assert parsed[3]["abstract"] == " ".join(items[3].text.split())


def test_bibtex_parses_back_with_valid_unique_keys_and_escaping(items):
    twice = items + items[:1]  # the same passage twice still gets two keys
    entries = parse_bibtex(to_bibtex(twice))
    assert [e["type"] for e in entries] == [
        "inproceedings",
        "inproceedings",
        "techreport",
        "incollection",
        "inproceedings",
    ]
    keys = [e["key"] for e in entries]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    assert keys[0].startswith(items[0].speaker.split()[-1].lower())
    assert entries[2]["title"] == HOSTILE_TITLE  # escaped, then read back as written
    assert entries[0]["url"] == items[0].url and entries[0]["abstract"] == items[0].text
    assert entries[0]["pages"] == f"{items[0].page_start}--{items[0].page_end}"
    assert entries[1]["booktitle"] == items[1].document.title
    assert entries[0]["eventtitle"] == items[0].document.event
    assert entries[3]["booktitle"] == items[3].document.title  # the part's whole


def test_ris_records_open_with_ty_and_close_with_er(items):
    records = parse_ris(to_ris(items))
    assert [r["TY"] for r in records] == [["CPAPER"], ["CPAPER"], ["RPRT"], ["CHAP"]]
    first = records[0]
    assert first["UR"] == [items[0].url] and first["AB"] == [items[0].text]
    assert first["SP"] == [str(items[0].page_start)] and first["EP"] == [str(items[0].page_end)]
    surname = next(w for w in items[0].speaker.split() if w.isupper())
    assert first["AU"][0].upper().startswith(surname) and not first["AU"][0].isupper()
    assert first["DA"] == [items[0].document.date.replace("-", "/") + "/"]
    assert records[2]["DA"] == ["2021/03//"] and records[2]["TI"] == [HOSTILE_TITLE]


def test_words_a_report_gives_of_a_speaker_are_cited_as_the_report_s(engine):
    """« Le CGET, représenté par Alexia GAZEL, a présenté… » is the report's sentence: no
    export makes the speaker its author, each notes whose words it reports, and the
    citation a person copies says so instead of opening on the speaker's name."""
    from search.citations import reference

    quote = next(q for q in engine.knowledge.quotes if q["speech"] == "reported")
    passage = engine.passages[quote["passage_id"]]
    document = engine.documents[passage.document_id]
    item = from_quote(quote, passage, document, BASE)
    note = (
        f"propos rapportés {'d’' if quote['speaker'][0] in 'AEIOUY' else 'de '}{quote['speaker']}"
    )
    cited = reference(document, replace(passage, speaker=quote["speaker"], speech="reported"))
    assert cited.endswith(f"{note}.") and f"» — {quote['speaker']}" not in cited
    # A reference manager's author has no role: the note gives it.
    note += f", {quote['role']}" if quote["role"] else ""
    (csl,) = json.loads(to_csl([item]))
    assert "author" not in csl and csl["type"] != "speech" and csl["note"] == note
    (entry,) = parse_bibtex(to_bibtex([item]))
    assert "author" not in entry and entry["note"] == note
    (record,) = parse_ris(to_ris([item]))
    assert "AU" not in record and record["N1"] == [note]
    spoken = replace(passage, speaker=quote["speaker"], speech="verbatim")
    assert f"» — {quote['speaker']}," in reference(document, spoken)


def test_a_speaker_s_words_in_a_report_s_account_are_cited_without_the_account(engine):
    """A passage that is a speaker's, told by a journalist around their words in
    guillemets (« "La co-construction…", a témoigné Jean-François Caron, … Celui qui a
    fait de sa ville… »), exports and cites their words alone, not the account nor the
    terms it quotes (« "territoires pilotes de la transition" »); a speaker's own words
    that quote a phrase are cited whole."""
    from search.snippet import cited_words

    passage = next(p for p in engine.passages.values() if "nouvelle éducation populaire" in p.text)
    assert passage.speaker == "Jean-François CARON" and passage.speech == "verbatim"
    item = from_passage(passage, engine.documents[passage.document_id], BASE)
    assert item.text.startswith("La co-construction, c'est la nouvelle éducation populaire […]")
    assert "Les habitants démarrent en consommateurs" in item.text
    for account in ("a témoigné", "Celui qui a fait", "territoires pilotes", "démocratie"):
        assert account not in item.text
    told = replace(
        passage,
        text="Marc DURAND a témoigné de son arrivée : « Je suis venu pour trouver des "
        "apprentis, je suis resté pour le plan de mobilité. » Il a insisté sur les horaires.",
    )
    assert cited_words(told) == (
        "Je suis venu pour trouver des apprentis, je suis resté pour le plan de mobilité."
    )
    own = replace(
        passage,
        text="Nous avons adopté la devise « faire ensemble plutôt que faire pour », comme "
        "l'a expliqué notre maire aux habitants. « Ici, chacun signe un contrat », dit-on.",
    )
    assert cited_words(own) == own.text


# -- the API -------------------------------------------------------------------------


def test_export_endpoint_gives_files_in_each_format(server):
    hits = httpx.get(f"{server}/v1/search", params={"q": "page blanche", "k": 2}).json()
    ids = [r["passage_id"] for r in hits["results"]]
    quote = httpx.get(f"{server}/v1/quotes", params={"speaker": "CARON", "k": 1}).json()
    params = [("passage", ids[0]), ("passage", ids[1]), ("quote", quote["results"][0]["id"])]

    csl = httpx.get(f"{server}/v1/export", params=[*params, ("format", "csl")])
    assert csl.status_code == 200
    assert csl.headers["content-type"].startswith("application/vnd.citationstyles.csl+json")
    assert 'filename="recueil-citations.json"' in csl.headers["content-disposition"]
    parsed = csl.json()
    assert [i["id"] for i in parsed] == [*ids, quote["results"][0]["id"]]
    assert parsed[0]["URL"].startswith(f"{server}/documents/")
    assert parsed[2]["author"][0]["family"] == "Caron"

    bib = httpx.get(f"{server}/v1/export", params=[*params[:1], ("format", "bibtex")])
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    assert bib.headers["content-disposition"].endswith('.bib"')
    assert len(parse_bibtex(bib.text)) == 1

    ris = httpx.get(f"{server}/v1/export", params=[*params, ("format", "ris")])
    assert ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert len(parse_ris(ris.text)) == 3

    # The order chosen, a quote between two passages, is the file's (httpx would group
    # repeated keys: the query is written out).
    mixed = urlencode([params[0], params[2], params[1]])
    csl = httpx.get(f"{server}/v1/export?{mixed}").json()
    assert [i["id"] for i in csl] == [ids[0], quote["results"][0]["id"], ids[1]]


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ([("format", "csl")], 400, "au moins un passage"),
        ([("passage", "nope:1")], 404, "nope:1"),
        ([("quote", "nope")], 404, "nope"),
        ([("passage", "x"), ("format", "docx")], 422, "format"),
    ],
)
def test_export_errors_name_the_problem(server, params, status, says):
    response = httpx.get(f"{server}/v1/export", params=params)
    assert response.status_code == status
    assert says in json.dumps(response.json())


def test_copied_citation_quotes_the_whole_text(server):
    from search.citations import nested

    result = httpx.get(f"{server}/v1/search", params={"q": "page blanche", "k": 1}).json()
    first = result["results"][0]
    whole = " ".join(first["text"].split())
    assert len(whole) > 200 and whole not in first["citation"]  # the shown one is cut
    assert first["full_citation"].startswith(f"« {nested(whole)} » — ")
    assert first["full_citation"].endswith(first["citation"].split(" » — ", 1)[1])


# -- the CLI -------------------------------------------------------------------------


def test_cli_search_formats(corpus_data):
    args = ("search", "page blanche", "--k", "3", "--base-url", BASE)
    done = run(*args, "--format", "csv", data=corpus_data)
    table = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(table) == 3 and table[0]["rank"] == "1"
    assert table[0]["url"].startswith(f"{BASE}/documents/") and table[0]["citation"].startswith("«")
    lines = run(*args, "--format", "jsonl", data=corpus_data).stdout.splitlines()
    assert [json.loads(line)["passage_id"] for line in lines] == [r["passage_id"] for r in table]
    entries = parse_bibtex(run(*args, "--format", "bibtex", data=corpus_data).stdout)
    assert [e["url"] for e in entries] == [r["url"] for r in table]
    old = json.loads(run(*args, "--json", data=corpus_data).stdout)
    assert [r["passage_id"] for r in old["results"]] == [r["passage_id"] for r in table]


def test_cli_format_errors_are_one_line(corpus_data):
    wrong = run("search", "élus", "--format", "xml", data=corpus_data, check=False)
    assert wrong.returncode == 2 and wrong.stderr.strip().startswith(
        "erreur : format inconnu « xml »"
    )
    both = run("search", "élus", "--json", "--format", "csv", data=corpus_data, check=False)
    assert both.returncode == 2 and len(both.stderr.strip().splitlines()) == 1


def test_a_citation_never_says_the_place_or_date_twice(engine):
    """A title that already names its place and date (« Compte rendu — Bordeaux, 12 mars
    2024 », as uploads are often called) is not followed by them again."""
    from search.citations import reference

    passage = next(p for p in engine.passages.values() if not p.speaker)
    document = replace(
        engine.documents[passage.document_id],
        title="Compte rendu du forum — Bordeaux, 12 mars 2024",
        event=None,
        place="Bordeaux",
        date="2024-03-12",
    )
    cited = reference(document, passage)
    assert cited.count("Bordeaux") == 1 and cited.count("12 mars 2024") == 1
    assert "Paris, 26 juin 2019" in reference(
        replace(document, title="Actes", place="Paris", date="2019-06-26"), passage
    )
    # A section that is the title again (a file's first heading) is not said twice; one
    # quoting a title takes second-level marks inside the citation's guillemets.
    title = "Compte rendu de l'atelier « Financer l'animation »"
    under_title = reference(replace(document, title=title), replace(passage, section=title))
    assert under_title.count("Financer l'animation") == 1 and "section" not in under_title
    quoting = reference(document, replace(passage, section=f"Atelier 2 › {title}"))
    assert "section « Compte rendu de l'atelier “Financer l'animation” »" in quoting


def test_a_quotation_inside_a_citation_takes_second_level_marks():
    """« « On est devant une page blanche » ; ce qui oblige… » read as two openings: the
    quotation inside the citation's guillemets is marked “ ”, as French typography does;
    a text that is one quotation whole is not quoted twice."""
    from search.citations import nested, unquoted

    inner = "« On est devant une page blanche » ; ce qui oblige à changer."
    assert nested(unquoted(inner)) == "“On est devant une page blanche” ; ce qui oblige à changer."
    assert nested(unquoted("« Il faut du temps. »")) == "Il faut du temps."
    # An excerpt cut inside a quotation closes it where it stops.
    cut = "Martine ROUQUETTE, maire : « Au début, je pensais que la mairie devait […]"
    closed = "Martine ROUQUETTE, maire : “Au début, je pensais que la mairie devait […]”"
    assert nested(unquoted(cut)) == closed
