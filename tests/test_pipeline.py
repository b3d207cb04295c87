"""Incremental, atomic ingestion: idempotence, replacement, pruning, failures."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from ingest.pipeline import ingest
from tests.conftest import CORPUS
from tests.factories import HTML, MARKDOWN, make_docx, make_encrypted_pdf, make_pdf


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
    assert "encrypted" in reasons["chiffre.pdf"]
    assert reasons["vide.txt"] == "empty file"
    assert "no such file" in reasons["absent.txt"]
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
    assert "date must be ISO" in report.failed[0].error
    assert fresh_store.documents()[0].title == "Coopérative de Trappes"  # old version kept


def test_metadata_inferred_from_the_corpus(fresh_store, tmp_path):
    copy = tmp_path / "actes.txt"
    shutil.copy(CORPUS / "004_d4a08cbbbf09db0e.txt", copy)
    ingest(fresh_store, [copy])
    document = fresh_store.documents()[0]
    assert document.event == "2e Rencontre des pionniers des alliances en territoire"
    assert document.kind == "proceedings"


def test_store_schema_wal_and_accent_insensitive_fts(fresh_store):
    ingest(fresh_store, [CORPUS])
    conn = fresh_store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    with_accents = {pid for pid, _ in fresh_store.fts("élus locaux", 50)}
    without = {pid for pid, _ in fresh_store.fts("elus locaux", 50)}
    assert with_accents and with_accents == without
