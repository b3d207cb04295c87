"""Backup, restore and export: consistent copies under load, checked restores, JSON lines."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from ingest.backup import RestoreError, backup, check, export, restore
from ingest.pipeline import ingest
from ingest.store import open_store
from search.engine import SearchEngine
from tests.factories import MARKDOWN
from tests.test_cli import run

QUERIES = ("comment impliquer les entreprises ?", "jardins partagés avec la mairie")


def ids(hits) -> list[str]:
    return [hit.passage.id for hit in hits]


def write_cases(folder: Path, count: int) -> Path:
    """`count` small Markdown cases, each with a line of its own."""
    folder.mkdir()
    for number in range(count):
        text = MARKDOWN.replace("Trappes", f"Trappes {number}")
        (folder / f"cas-{number}.md").write_text(text + f"\nNuméro {number}.\n", "utf-8")
    return folder


def passage_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return dict(
            conn.execute(
                "SELECT d.id, COUNT(p.id) FROM documents d "
                "LEFT JOIN passages p ON p.document_id = d.id GROUP BY d.id"
            )
        )


def test_backups_during_an_ingest_are_whole_snapshots(corpus_data, tmp_path):
    data = Path(shutil.copytree(corpus_data, tmp_path / "data"))
    store = open_store(data)
    before = len(store.documents())
    folder = write_cases(tmp_path / "docs", 8)
    midway, resume = threading.Event(), threading.Event()

    def progress(path: Path) -> None:
        if path.name == "cas-3.md":  # three documents committed, five to come
            midway.set()
            resume.wait(30)

    writer = threading.Thread(target=lambda: ingest(open_store(data), [folder], progress=progress))
    writer.start()
    assert midway.wait(60)
    copies = [backup(store, tmp_path / "midway.db")]
    resume.set()
    while writer.is_alive():  # and more while the writer goes on
        copies.append(backup(store, tmp_path / f"load-{len(copies)}.db"))
    writer.join()

    assert copies[0]["documents"] == before + 3
    final = passage_counts(store.path)
    for number in range(len(copies)):
        path = tmp_path / ("midway.db" if number == 0 else f"load-{number}.db")
        counts = passage_counts(path)
        assert counts == {doc: final[doc] for doc in counts}  # every document whole
        assert check(path)["documents"] == len(counts)
        assert not Path(f"{path}-wal").exists()  # one self-contained file


def test_backup_while_a_writer_works_restores_to_the_same_search(corpus_data, engine, tmp_path):
    data = Path(shutil.copytree(corpus_data, tmp_path / "data"))
    store = open_store(data)
    stop, started = threading.Event(), threading.Event()

    def edit_cases() -> None:  # a writer that leaves search results as they are
        writer, number = open_store(data), 0
        while not stop.is_set():
            writer.save_case_edit("case-ed-charge", {"name": f"Charge {number}"})
            started.set()
            number += 1

    load = threading.Thread(target=edit_cases)
    load.start()
    try:
        assert started.wait(30)
        counts = backup(store, tmp_path / "recueil.backup")
    finally:
        stop.set()
        load.join()
    restored_dir = tmp_path / "restored"
    assert restore(restored_dir, tmp_path / "recueil.backup") == {
        "documents": counts["documents"],
        "passages": counts["passages"],
    }
    restored = SearchEngine(open_store(restored_dir), engine.embedder)
    for query in QUERIES:
        assert ids(restored.search(query)) == ids(engine.search(query))
    assert restored.store.stats()["records"] == store.stats()["records"]
    assert restored.store.case_edits()["case-ed-charge"]["name"].startswith("Charge ")


def test_restore_replaces_a_live_store_and_drops_its_derived_files(corpus_data, tmp_path):
    source = tmp_path / "backup.db"
    backup(open_store(corpus_data), source)
    target = tmp_path / "data"
    folder = write_cases(tmp_path / "docs", 1)
    other = open_store(target)
    ingest(other, [folder])
    (target / "index").mkdir()
    (target / "index" / "bm25.npz").write_bytes(b"an older store's postings")
    restore(target, source)
    # The connection opened before the restore sees the restored store (same file).
    assert [d.id for d in other.documents()] == [d.id for d in open_store(corpus_data).documents()]
    assert not (target / "index").exists()


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"not a database at all, just text", "pas une base Recueil"),
        (None, "pas une base Recueil (schéma v0"),  # an SQLite file, but empty
        ("half", ""),  # a backup cut in two
    ],
    ids=["text", "empty-sqlite", "truncated"],
)
def test_restore_refuses_what_is_not_a_whole_store(corpus_data, tmp_path, content, reason):
    bad = tmp_path / "bad.db"
    if content is None:
        sqlite3.connect(bad).execute("CREATE TABLE t (x)").connection.close()
    elif content == "half":
        backup(open_store(corpus_data), tmp_path / "whole.db")
        whole = (tmp_path / "whole.db").read_bytes()
        bad.write_bytes(whole[: len(whole) // 2])
    else:
        bad.write_bytes(content)
    target = tmp_path / "data"
    kept = open_store(target)
    ingest(kept, [write_cases(tmp_path / "docs", 1)])
    with pytest.raises(RestoreError, match=str(bad)) as refused:
        restore(target, bad)
    assert reason in str(refused.value)
    assert [d.id for d in open_store(target).documents()] == ["cas-0"]  # left as it was


def test_export_writes_every_row_once_with_its_type(store):
    out = io.StringIO()
    counts = export(store, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    stats = store.stats()
    assert counts["document"] == stats["documents"] == 5
    assert counts["passage"] == stats["passages"]
    for table in ("quotes", "statements", "mentions", "actor_mentions"):
        assert counts[table.removesuffix("s")] == stats["records"][table] > 0
    assert len(lines) == sum(counts.values())
    assert {line["type"] for line in lines} == {kind for kind, n in counts.items() if n}
    passage = next(line for line in lines if line["type"] == "passage")
    assert store.passage(passage["id"]).text == passage["text"]


def test_cli_backup_restore_and_export(corpus_data, tmp_path):
    copy = tmp_path / "copy.db"
    done = run("backup", str(copy), data=corpus_data)
    # The passages search reads, as `recueil stats` counts them, not the table's rows.
    searched = sum(
        d["searched"]
        for d in json.loads(run("stats", "--json", data=corpus_data).stdout)["per_document"]
    )
    assert done.stdout.startswith(f"5 documents, {searched} passages, ") and copy.exists()
    assert "sauvegardés dans" in done.stdout
    fresh = tmp_path / "fresh"
    restored = run("restore", str(copy), data=fresh).stdout
    assert restored.startswith(f"5 documents, {searched} passages, ") and "restaurés" in restored
    query = ("search", QUERIES[0], "--json")
    assert json.loads(run(*query, data=fresh).stdout) == json.loads(
        run(*query, data=corpus_data).stdout
    )
    exported = run("export", data=fresh).stdout.splitlines()
    assert sum(json.loads(line)["type"] == "document" for line in exported) == 5
    run("export", str(tmp_path / "out.jsonl"), data=fresh)
    assert (tmp_path / "out.jsonl").read_text("utf-8").splitlines() == exported

    refused = run("restore", str(tmp_path / "out.jsonl"), data=fresh, check=False)
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"erreur : {tmp_path / 'out.jsonl'} : pas une base Recueil")
