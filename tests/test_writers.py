"""One data folder, several writers: unique temporary files, a lock across processes, and
a server that follows what another process wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from api.app import Recueil
from ingest.pipeline import ingest
from ingest.store import open_store
from search.engine import SearchEngine
from search.knowledge.build import refresh_knowledge
from tests.conftest import CORPUS, ROOT, hold_lock, release, running_server, start_server
from tests.factories import MARKDOWN
from tests.test_cli import run

TOKEN = {"Authorization": "Bearer jeton-de-test"}


def case_file(folder: Path, word: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"cas-{word}.md"
    path.write_text(MARKDOWN.replace("Trappes", word) + f"\nLe mot {word}.\n", "utf-8")
    return path


def test_writing_derived_files_leaves_another_writers_temporary_file_alone(fresh_store, tmp_path):
    """The CLI and the server once shared fixed temporary names: one renamed the other's
    half-written file away (`FileNotFoundError …npy.tmp -> …npy` in the other)."""
    ingest(fresh_store, [case_file(tmp_path / "docs", "Trappes")])
    engine = SearchEngine(fresh_store)
    index = fresh_store.data_dir / "index"
    (faiss_file,) = index.glob("*.faiss")
    (matrix,) = index.glob("*-*.npy")
    theirs = [
        faiss_file.with_suffix(".faiss.tmp"),
        faiss_file.with_suffix(".json.tmp"),
        matrix.with_suffix(".npy.tmp"),
        index / "bm25.tmp.npz",
    ]
    for path in theirs:
        path.write_bytes(b"another writer, half-way")
    for path in (faiss_file.with_suffix(".json"), matrix, index / "bm25.npz"):
        path.unlink()  # so that every file is written again
    SearchEngine(fresh_store, engine.embedder)
    assert [path.read_bytes() for path in theirs] == [b"another writer, half-way"] * 4
    assert not [p for p in index.iterdir() if p.name.startswith(".")]  # ours are renamed


def test_the_server_reloads_only_a_complete_state(corpus_data, tmp_path):
    data = Path(shutil.copytree(corpus_data, tmp_path / "data"))
    server = Recueil(data, None)
    assert not server.reload_if_changed()  # nothing changed
    holder = hold_lock(data, tmp_path / "released")
    ingest(open_store(data), [case_file(tmp_path / "docs", "Vernouillet")])  # the holder's write
    assert not server.reload_if_changed()  # a writer is at work: keep the last state
    assert len(server.engine.documents) == 5
    release(holder)
    holder.wait(10)
    assert server.reload_if_changed()
    assert len(server.engine.documents) == 6 and server.engine.is_fresh()
    assert not server.reload_if_changed()


def wait_for_documents(base: str, count: int) -> dict:
    """/health once it counts `count` documents over a fresh index (30 s at most)."""
    deadline = time.time() + 30
    health = httpx.get(f"{base}/health").json()
    while time.time() < deadline and not (health["documents"] == count and health["index_fresh"]):
        time.sleep(0.5)
        health = httpx.get(f"{base}/health").json()
    return health


def test_server_follows_cli_ingests_and_serialises_with_them(corpus_data, tmp_path):
    data = Path(shutil.copytree(corpus_data, tmp_path / "data"))
    env = {**os.environ, "RECUEIL_DATA": str(data)}
    cli = [sys.executable, "-m", "api.cli", "ingest"]
    with running_server(data, RECUEIL_TOKEN="jeton-de-test") as base:
        before = httpx.get(f"{base}/health").json()
        assert before["documents"] == 5 and before["index_fresh"]
        alone = case_file(tmp_path / "cli", "Vernouillet")
        subprocess.run([*cli, str(alone)], cwd=ROOT, env=env, check=True, capture_output=True)
        # No request writes to the server: it sees the CLI's document by itself.
        health = wait_for_documents(base, 6)
        assert health["documents"] == 6 and health["index_fresh"]
        assert health["reloaded_at"] > before["reloaded_at"]
        found = httpx.get(f"{base}/v1/search", params={"q": "Vernouillet"}).json()
        assert found["results"][0]["document"]["id"] == "cas-vernouillet"
        holder = hold_lock(data, tmp_path / "released")  # a writer at work: search goes on
        during = httpx.get(f"{base}/v1/search", params={"q": "Vernouillet"}, timeout=10)
        release(holder)
        holder.wait(10)
        assert during.json()["results"][0]["document"]["id"] == "cas-vernouillet"

        # A CLI ingest and an upload at once on the same folder: they take turns.
        running = subprocess.Popen(
            [*cli, str(case_file(tmp_path / "cli", "Montbard"))],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
        )
        upload = httpx.post(
            f"{base}/v1/documents",
            files=[("files", ("cas-aurillac.md", MARKDOWN.replace("Trappes", "Aurillac")))],
            headers=TOKEN,
            timeout=300,
        )
        assert running.wait(300) == 0, running.stderr.read()
        assert upload.status_code == 201, upload.text
        health = wait_for_documents(base, 8)
        assert health["documents"] == 8 and health["index_fresh"]
    assert open_store(data).db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_several_workers_each_follow_a_write_made_through_another(tmp_path):
    """`recueil serve --workers 2`: two processes on one port, each with its engine; an
    upload answered by one is in the other's engine too, without a restart."""
    data = tmp_path / "data"
    first = tmp_path / "003_c2577a908f8cbfbf.txt"
    shutil.copy(CORPUS / first.name, first)
    env = {**os.environ, "RECUEIL_DATA": str(data)}
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "ingest", str(first)], cwd=ROOT, env=env
    )
    assert done.returncode == 0
    process, base = start_server(
        data, "--workers", "2", RECUEIL_TOKEN="jeton-de-test", RECUEIL_RELOAD_SECONDS="0.5"
    )

    def documents_per_worker(wanted: int) -> dict[int, int]:
        """Ask /health until both workers have answered with `wanted` documents."""
        seen: dict[int, int] = {}
        deadline = time.time() + 60
        while time.time() < deadline:
            health = httpx.get(f"{base}/health", headers={"Connection": "close"}).json()
            seen[health["worker"]] = health["documents"]
            if len(seen) == 2 and set(seen.values()) == {wanted}:
                break
            time.sleep(0.05)
        return seen

    try:
        assert set(documents_per_worker(1).values()) == {1}
        upload = httpx.post(
            f"{base}/v1/documents",
            files={"files": ("trappes.md", MARKDOWN.encode(), "text/markdown")},
            headers={"Authorization": "Bearer jeton-de-test"},
            timeout=300,
        )
        assert upload.status_code == 201, upload.text
        after = documents_per_worker(2)
        assert len(after) == 2 and set(after.values()) == {2}, after
    finally:
        process.terminate()
        process.wait(30)


def test_a_server_searches_a_write_once_published_and_gets_its_knowledge_once_done(
    any_store, tmp_path
):
    """The writer's search state is loaded as soon as it is published, while the writer
    rebuilds the knowledge; that follows once the writer is done."""
    docs = tmp_path / "docs"
    with any_store.write_lock():
        ingest(any_store, [case_file(docs, "Trappes")])
    server = Recueil(any_store.data_dir, None)
    knowledge = server.engine.knowledge
    with any_store.write_lock() as lock:
        ingest(any_store, [case_file(docs, "Aurillac")])
        assert not server.reload_if_changed()  # committed, but its vectors are not
        SearchEngine(any_store, server.embedder, knowledge=False)  # the writer's search state
        lock.publish()
        assert server.reload_if_changed()
        found = server.engine.search("Aurillac", 3)
        assert found[0].document.id == "cas-aurillac"
        assert server.engine.knowledge is knowledge  # the cards and cases in service
        assert "Aurillac" not in " ".join(case.name for case in knowledge.cases_for(None, 50))
        refresh_knowledge(any_store, server.embedder)
        assert not server.reload_if_changed()  # the knowledge is not there until it is done
    assert server.reload_if_changed()
    assert server.engine.knowledge is not knowledge and server.engine.is_fresh()
    assert "Aurillac" in " ".join(case.name for case in server.engine.knowledge.cases_for(None, 50))
    assert not server.reload_if_changed()
    server.store.close()


@contextmanager
def pinned(
    base: str, worker: int | None = None, other_than: int | None = None
) -> Iterator[httpx.Client]:
    """A keep-alive client whose next requests one worker answers, as long as they follow
    at once (uvicorn closes a connection idle for 5 s): that `worker`, or any other than
    `other_than`; the worker's pid is the client's `worker`."""
    for _ in range(200):
        client = httpx.Client(base_url=base, timeout=300)
        client.worker = client.get("/health").json()["worker"]
        if client.worker != other_than and worker in (None, client.worker):
            try:
                yield client
            finally:
                client.close()
            return
        client.close()
    raise AssertionError(f"no answer from the worker wanted among {worker} or not {other_than}")


def test_on_postgres_an_upload_through_one_worker_is_found_through_another(postgres_url, tmp_path):
    """`recueil serve --workers 2` on one database: what one worker writes, the other
    searches, notified (polling is set to a minute here, beyond the test's patience)."""
    data = tmp_path / "data"
    env = {"RECUEIL_DATABASE_URL": postgres_url}
    run("ingest", str(CORPUS / "003_c2577a908f8cbfbf.txt"), data=data, env=env)
    process, base = start_server(
        data, "--workers", "2", RECUEIL_TOKEN="jeton-de-test", RECUEIL_RELOAD_SECONDS="60", **env
    )

    def searched(present: bool) -> bool:
        """Whether the reader's answers reached `present` for the upload (30 s at most)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with pinned(base, worker=reader) as client:
                answer = client.get("/v1/search", params={"q": "Aurillac", "k": 5}).json()
            ids = [result["document"]["id"] for result in answer["results"]]
            if ("cas-aurillac" in ids) == present:
                return True
            time.sleep(0.1)
        return False

    try:
        with pinned(base) as first:
            writer = first.worker
        with pinned(base, other_than=writer) as other:
            reader = other.worker
        assert searched(present=False)
        with pinned(base, worker=writer) as client:
            upload = client.post(
                "/v1/documents",
                files=[("files", ("cas-aurillac.md", MARKDOWN.replace("Trappes", "Aurillac")))],
                headers=TOKEN,
            )
        assert upload.status_code == 201, upload.text
        assert searched(present=True)
        with pinned(base, worker=writer) as client:
            deleted = client.delete("/v1/documents/cas-aurillac", headers=TOKEN)
        assert deleted.status_code == 200, deleted.text
        assert searched(present=False)
    finally:
        process.terminate()
        process.wait(30)
