"""Incremental, atomic ingestion: idempotence, replacement, pruning, failures."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from ingest.pipeline import ingest
from tests.conftest import CORPUS
from tests.factories import (
    HTML,
    MARKDOWN,
    make_docx,
    make_docx_bomb,
    make_encrypted_pdf,
    make_pdf,
)


def counts(store):
    conn = store.db.conn
    return (
        conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0],
        conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0],
    )


def test_corpus_then_again_is_a_no_op(fresh_store):
    first = ingest(fresh_store, [CORPUS])
    assert first.summary()["added"] == 5 and first.passages > 250
    before = counts(fresh_store)
    second = ingest(fresh_store, [CORPUS])
    assert second.summary()["unchanged"] == 5 and second.summary()["added"] == 0
    assert counts(fresh_store) == before


def test_changed_file_replaces_its_passages(fresh_store, tmp_path):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    ingest(fresh_store, [path])
    old_ids = {p.id for p in fresh_store.passages()}
    path.write_text(MARKDOWN.replace("jardins partagés", "vergers communaux"), encoding="utf-8")
    report = ingest(fresh_store, [path])
    assert report.summary()["updated"] == 1
    texts = " ".join(p.text for p in fresh_store.passages())
    assert "vergers communaux" in texts and "jardins partagés" not in texts
    assert counts(fresh_store)[0] == 1
    assert {p.id for p in fresh_store.passages()} == old_ids  # same document, same ids


def test_every_format_in_one_folder(fresh_store, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sous-dossier").mkdir(parents=True)
    make_pdf(folder / "actes.pdf")
    make_docx(folder / "sous-dossier" / "atelier.docx")
    (folder / "blog.html").write_text(HTML, encoding="utf-8")
    (folder / "cas.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "notes.txt").write_text("Une note simple sur la coopération locale.\n", "utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG not indexed")
    report = ingest(fresh_store, [folder])
    assert report.summary()["added"] == 5, report.failed
    kinds = {d.file: d.title for d in fresh_store.documents()}
    assert kinds["atelier.docx"] == "Compte rendu d'atelier"
    assert kinds["blog.html"] == "Article de blog"


def test_bad_files_are_reported_and_others_ingested(fresh_store, tmp_path):
    good = tmp_path / "bon.md"
    good.write_text(MARKDOWN, encoding="utf-8")
    encrypted = make_encrypted_pdf(tmp_path / "chiffre.pdf", make_pdf(tmp_path / "src.pdf"))
    (tmp_path / "src.pdf").unlink()
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    report = ingest(fresh_store, [good, encrypted, empty, tmp_path / "absent.txt"])
    assert report.summary()["added"] == 1
    reasons = {r.path.rsplit("/", 1)[-1]: r.error for r in report.failed}
    assert "chiffré" in reasons["chiffre.pdf"]
    assert reasons["vide.txt"] == "fichier vide"
    assert "introuvable" in reasons["absent.txt"]
    assert counts(fresh_store)[0] == 1


def test_failure_in_the_middle_of_a_document_leaves_nothing(fresh_store, tmp_path, monkeypatch):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    original = fresh_store.db["passages"].insert_all

    def explode(rows, *args, **kwargs):
        rows = list(rows)
        original(rows[:1], *args, **kwargs)  # half the document is written…
        raise sqlite3.OperationalError("disk I/O error")  # …then the disk fails

    monkeypatch.setattr(
        type(fresh_store.db["passages"]),
        "insert_all",
        lambda self, rows, *a, **k: explode(rows, *a, **k),
    )
    with pytest.raises(sqlite3.OperationalError):
        ingest(fresh_store, [path])
    monkeypatch.undo()
    assert counts(fresh_store) == (0, 0)


def test_prune_forgets_deleted_files(fresh_store, tmp_path):
    folder = tmp_path / "docs"
    shutil.copytree(CORPUS, folder)
    ingest(fresh_store, [folder])
    (folder / "003_c2577a908f8cbfbf.txt").unlink()
    report = ingest(fresh_store, [folder], prune=True)
    assert report.pruned == ["003_c2577a908f8cbfbf"]
    assert counts(fresh_store)[0] == 4


def test_sidecar_overrides_and_bad_sidecar_fails(fresh_store, tmp_path):
    path = tmp_path / "cas.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    sidecar = tmp_path / "cas.md.meta.json"
    sidecar.write_text(
        '{"title": "Coopérative de Trappes", "date": "2021-05-04", "kind": "case_study"}',
        encoding="utf-8",
    )
    ingest(fresh_store, [path])
    document = fresh_store.documents()[0]
    assert (document.title, document.year, document.kind) == (
        "Coopérative de Trappes",
        2021,
        "case_study",
    )
    sidecar.write_text('{"date": "4 mai"}', encoding="utf-8")
    report = ingest(fresh_store, [path])
    assert "date au format AAAA" in report.failed[0].error
    assert fresh_store.documents()[0].title == "Coopérative de Trappes"  # old version kept
    sidecar.write_text('{"date": "2021",\n  place: "Trappes"}', encoding="utf-8")
    (failed,) = ingest(fresh_store, [path]).failed
    assert failed.error.startswith("fiche de métadonnées cas.md.meta.json : JSON invalide")
    assert "ligne 2, colonne 3" in failed.error and "Expecting" not in failed.error


def _ingested(store, folder, files: dict[str, str]) -> dict:
    """Files of the test's own, written to `folder` and ingested: their documents by file."""
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    ingest(store, [folder])
    return {d.file: d for d in store.documents()}


def test_what_a_file_declares_of_itself_is_its_metadata(fresh_store, tmp_path):
    """A Markdown front matter and an HTML page's <meta> give title, date and kind under
    their usual names; the front matter is no passage and offsets still point into the
    file; a value of another tool's (a list, an unknown kind) is left to inference. A
    sentence naming « le programme Wasla » does not make an article a programme."""
    documents = _ingested(
        fresh_store,
        tmp_path,
        {
            "fiche.md": '---\ntitle: "La Régie Bellevue : une étude de cas"\ndate: 2023-06-20\n'
            "kind: case_study\ntags: [emploi, quartier]\n---\n\n# Régie Bellevue\n\n"
            "La Régie de quartier Bellevue, créée en 2015 à Nantes, emploie des habitants.\n",
            "wasla.html": "<html><head><title>Grenoble et Sfax</title>"
            '<meta property="article:published_time" content="2022-11-05T08:00:00Z">'
            '<meta name="type" content="reportage"></head><body><h1>Grenoble et Sfax</h1>'
            "<p>Le programme Wasla, lancé par les deux villes en 2020, accompagne trente "
            "associations de jeunes des deux rives.</p></body></html>",
        },
    )
    fiche, wasla = documents["fiche.md"], documents["wasla.html"]
    assert (fiche.title, fiche.date, fiche.kind) == (
        "La Régie Bellevue : une étude de cas",
        "2023-06-20",
        "case_study",
    )
    assert (wasla.date, wasla.kind) == ("2022-11-05", "document")
    raw = (tmp_path / "fiche.md").read_text(encoding="utf-8")
    for passage in fresh_store.passages():
        assert "title:" not in passage.text and "---" not in passage.text
        if passage.document_id == fiche.id:
            source = " ".join(raw[passage.start : passage.end].split())
            assert source.startswith(" ".join(passage.text.split())[:30]), source


def test_a_page_marked_up_as_an_article_is_one_unless_its_text_says_otherwise(
    fresh_store, tmp_path
):
    """<article> (or og:type article, which a CMS gives every post) makes a press page an
    article, with the place its title opens on (« À Givry, … »); a case study published
    the same way stays a case study."""
    documents = _ingested(
        fresh_store,
        tmp_path,
        {
            "givry.html": "<html><head><title>À Givry, la commune rouvre son épicerie</title>"
            "</head><body><article><h1>À Givry, la commune rouvre son épicerie</h1><p>Les "
            "habitants ont repris l'épicerie fermée depuis deux ans, avec l'aide de la "
            "mairie.</p></article></body></html>",
            "cas.html": '<html><head><meta property="og:type" content="article"><title>La '
            "Navette du Plateau</title></head><body><article><h1>La Navette du Plateau</h1>"
            "<h2>Contexte</h2><p>Un minibus relie six villages au bourg depuis 2021.</p>"
            "<h2>Acteurs</h2><p>La communauté de communes et l'association Plateau Mobile.</p>"
            "<h2>Résultats</h2><p>Deux cents trajets par mois.</p></article></body></html>",
        },
    )
    assert (documents["givry.html"].kind, documents["givry.html"].place) == ("article", "Givry")
    assert documents["cas.html"].kind == "case_study"


def test_metadata_inferred_from_the_corpus(fresh_store, tmp_path):
    copy = tmp_path / "actes.txt"
    shutil.copy(CORPUS / "004_d4a08cbbbf09db0e.txt", copy)
    ingest(fresh_store, [copy])
    document = fresh_store.documents()[0]
    assert document.event == "2e Rencontre des pionniers des alliances en territoire"
    assert document.kind == "proceedings"


def test_event_place_and_date_read_from_any_report():
    """Not one network's meetings: any gathering a report is titled by or numbers, and the
    place it gives beside its date."""
    from ingest.metadata import infer

    regional = infer(
        "Rencontre organisée le 14 mars 2025 à Givry-sur-Saône, par le réseau Bourgogne.",
        None,
        "Rencontre régionale des tiers-lieux ruraux — Compte-rendu",
    )
    assert regional["event"] == "Rencontre régionale des tiers-lieux ruraux"
    assert (regional["place"], regional["date"]) == ("Givry-sur-Saône", "2025-03-14")
    numbered = infer(
        "À Lyon, le 3 juin 2024\n\nCette 3ème Journée des fermes urbaines a réuni 80 "
        "personnes. La 2e Journée des fermes urbaines avait eu lieu à Nantes.",
        "Synthèse",
        None,
    )
    assert numbered["event"] == "3e Journée des fermes urbaines"
    assert numbered["place"] == "Lyon"
    plain = infer("Le bilan de l'année écoulée tient en trois points.", "Bilan annuel", None)
    assert "event" not in plain and "place" not in plain and "date" not in plain
    # A month without its day is a date of that precision (ISO YYYY-MM), as sidecars allow.
    monthly = infer("Rédigé par l'équipe du réseau, novembre 2023.", "La Grange Partagée", None)
    assert monthly["date"] == "2023-11"
    # The event and a dateline on the line under the title (« Ville, date »).
    lined = infer(
        "Atelier mobilité solidaire\nRencontre régionale du réseau Territoires Partagés, "
        "Aurillac, 14 mars 2024\n\nCompte rendu rédigé par l'équipe.",
        None,
        "Atelier mobilité solidaire",
    )
    assert lined["event"] == "Rencontre régionale du réseau Territoires Partagés"
    assert (lined["place"], lined["date"]) == ("Aurillac", "2024-03-14")
    # A workshop is the event when the report names no larger one, its title quoted whole.
    workshop = infer(
        "Atelier « Mobiliser les habitants, et après ? », Lyon, 12 mars 2024\n\nVingt "
        "participants ont partagé leurs pratiques.",
        None,
        None,
    )
    assert workshop["event"] == "Atelier « Mobiliser les habitants, et après ? »"
    assert (workshop["place"], workshop["date"]) == ("Lyon", "2024-03-12")
    # A Word dateline: « … à Besançon le 21 novembre 2023 », no comma before the date.
    dateline = infer(
        "Compte rendu de la matinale du réseau, à Besançon le 21 Novembre 2023.\n\n"
        "Trente personnes étaient présentes.",
        "Matinale des tiers-lieux",
        None,
    )
    assert (dateline["place"], dateline["date"]) == ("Besançon", "2023-11-21")
    table = infer("Synthèse du réseau.", "Table ronde des élus du Jura — synthèse", None)
    assert table["event"] == "Table ronde des élus du Jura"


def test_store_schema_wal_and_accent_insensitive_fts(fresh_store):
    ingest(fresh_store, [CORPUS])
    conn = fresh_store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    with_accents = {pid for pid, _ in fresh_store.fts("élus locaux", 50)}
    without = {pid for pid, _ in fresh_store.fts("elus locaux", 50)}
    assert with_accents and with_accents == without


def test_bombs_are_refused_alone_and_the_files_after_them_ingested(fresh_store, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    make_docx_bomb(folder / "1-bombe.docx", make_docx(tmp_path / "a.docx"), 20 * 1024**2)
    (folder / "2-page.html").write_text("<p>mot</p>" * 60_000, encoding="utf-8")
    (folder / "3-bon.md").write_text(MARKDOWN, encoding="utf-8")
    report = ingest(fresh_store, [folder])
    reasons = {r.path.rsplit("/", 1)[-1]: r.error for r in report.failed}
    assert reasons["1-bombe.docx"].startswith("bombe DOCX refusée : word/document.xml grossit")
    assert reasons["2-page.html"] == "trop de paragraphes (60\u202f000 > 50\u202f000)"
    assert report.summary()["added"] == 1
    assert [d.file for d in fresh_store.documents()] == ["3-bon.md"]


def test_a_file_name_that_is_not_utf8_is_ingested_and_shown_safely(fresh_store, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    odd = folder / os.fsdecode(b"caf\xe9.md")  # a Latin-1 name, as old archives have
    odd.write_text(MARKDOWN, encoding="utf-8")
    (folder / "suite.md").write_text(MARKDOWN.replace("Trappes", "Grigny"), encoding="utf-8")
    report = ingest(fresh_store, [folder])
    assert report.summary()["added"] == 2, report.failed
    stored = fresh_store.document_by_path(str(folder / "caf\\xe9.md"))
    assert stored is not None and stored.file == "caf\\xe9.md"
    again = ingest(fresh_store, [folder], prune=True)
    assert again.summary()["unchanged"] == 2 and again.pruned == []
    odd.unlink()
    assert ingest(fresh_store, [folder], prune=True).pruned == [stored.id]


def test_hidden_files_and_folders_are_reported_as_skipped(fresh_store, tmp_path):
    folder = tmp_path / "docs"
    (folder / ".brouillons").mkdir(parents=True)
    for name in ("..txt", ".x.txt", ".brouillons/cas.md", "visible.md"):
        (folder / name).write_text(MARKDOWN, encoding="utf-8")
    # A file of another type is named too; a sidecar is read with its document, and a
    # system's own hidden file (.DS_Store) is no report's.
    (folder / "notes.rtf").write_text("{\\rtf1 notes}", encoding="utf-8")
    (folder / "visible.md.meta.json").write_text('{"place": "Montreuil"}', encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    report = ingest(fresh_store, [folder])
    skipped = {r.path.rsplit("/", 1)[-1]: r.error for r in report.results if r.status == "skipped"}
    assert skipped == {
        "..txt": "fichier caché (son nom commence par un point)",
        ".x.txt": "fichier caché (son nom commence par un point)",
        ".brouillons": "dossier caché (son nom commence par un point)",
        "notes.rtf": "type de fichier non pris en charge « .rtf »",
    }
    assert report.summary()["added"] == 1 and report.summary()["skipped"] == 4
    assert fresh_store.documents()[0].place == "Montreuil"


def test_prune_forgets_only_what_is_gone_from_the_folders_given(fresh_store, tmp_path):
    """An ingest of one folder forgets nothing of another, and a folder that is not
    there (an unmounted drive, a mistyped path) forgets nothing of what it held."""
    nas, desk = tmp_path / "nas", tmp_path / "bureau"
    for folder, town in ((nas, "Trappes"), (desk, "Grigny")):
        folder.mkdir()
        (folder / f"{town.lower()}.md").write_text(MARKDOWN.replace("Trappes", town), "utf-8")
    ingest(fresh_store, [nas, desk])
    (desk / "grigny.md").unlink()
    assert ingest(fresh_store, [nas], prune=True).pruned == []
    nas.rename(tmp_path / "nas-débranché")
    unplugged = ingest(fresh_store, [nas], prune=True)
    assert unplugged.pruned == [] and unplugged.failed
    assert {d.id for d in fresh_store.documents()} == {"trappes", "grigny"}
    assert ingest(fresh_store, [desk], prune=True).pruned == ["grigny"]


def test_a_file_that_cannot_be_read_again_says_its_last_version_stays(fresh_store, tmp_path):
    path = tmp_path / "compte rendu été.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    (added,) = ingest(fresh_store, [path]).results
    assert added.document_id == "compte-rendu-ete"  # accents folded, not dropped
    path.write_text("", encoding="utf-8")
    (failed,) = ingest(fresh_store, [path]).results
    assert failed.status == "failed"
    assert failed.error == "fichier vide ; sa version précédente reste dans la base"
    assert [d.id for d in fresh_store.documents()] == ["compte-rendu-ete"]


def test_the_same_bytes_from_another_folder_are_the_document_already_in(fresh_store, tmp_path):
    """A copy of an ingested file in another folder is that document, unchanged (two
    documents gave every quote twice); once the first file is gone, the copy is that file
    moved: the same document at its new path, its id and edits kept, nothing to prune."""
    text = "# La Grange\n\nLa Grange Partagée est un tiers-lieu rural ouvert en 2019.\n"
    first, second = tmp_path / "docs" / "a", tmp_path / "docs" / "b"
    for folder in (first, second):
        folder.mkdir(parents=True)
        (folder / "grange.md").write_text(text, encoding="utf-8")
    ingest(fresh_store, [first])
    again = ingest(fresh_store, [second]).results
    assert [(r.status, r.document_id) for r in again] == [("unchanged", "grange")]
    assert [d.id for d in fresh_store.documents()] == ["grange"]
    fresh_store.save_document_edit("grange", {"place": "Ségala"})
    (first / "grange.md").unlink()
    moved = ingest(fresh_store, [tmp_path / "docs"], prune=True)
    assert [(r.status, r.document_id) for r in moved.results] == [("updated", "grange")]
    assert moved.pruned == []
    (document,) = fresh_store.documents()
    assert document.path == str((second / "grange.md").resolve())
    assert document.place == "Ségala"
    # Renamed where it is, too: « rencontre.md » is « grange » still, not a second copy.
    (second / "grange.md").rename(second / "rencontre.md")
    renamed = ingest(fresh_store, [second])
    assert [(r.status, r.document_id) for r in renamed.results] == [("updated", "grange")]
    assert [d.file for d in fresh_store.documents()] == ["rencontre.md"]


def test_the_line_right_under_a_genre_label_is_the_title(fresh_store, tmp_path):
    """« ÉTUDE DE CAS » then, on the next line, « Cycl'Aven, un atelier vélo… »: the
    second line is the title (the first heading after it, « PRÉSENTATION », was)."""
    documents = _ingested(
        fresh_store,
        tmp_path,
        {
            "cyclaven.txt": "ÉTUDE DE CAS\nCycl'Aven, un atelier vélo participatif à "
            "Quimperlé (Finistère)\n\nPRÉSENTATION\n\nCycl'Aven répare les vélos des "
            "habitants avec eux, chaque samedi, dans un ancien garage.\n"
        },
    )
    document = documents["cyclaven.txt"]
    assert document.title.startswith("Cycl'Aven, un atelier vélo participatif")
    assert (document.place, document.kind) == ("Quimperlé", "case_study")
