"""kill -9 at several points of an ingest: the store stays whole and a re-run completes it.

Each document is written in one transaction and everything else is derived, so a kill
at any point must leave a store that passes SQLite's integrity check, holds only whole
documents, and that the next `recueil ingest` brings to exactly what an uninterrupted
run gives. The kill points are read off the CLI's own progress output, not timed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import CORPUS

RECUEIL = [sys.executable, "-m", "api.cli"]
FILES = ["000_77cdf74dd2895607.txt", "002_79ccc89baf972a99.txt", "003_c2577a908f8cbfbf.txt"]


def recueil(data: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"RECUEIL_DATA": str(data)}
    return subprocess.run(
        [*RECUEIL, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def counts(data: Path) -> dict:
    done = recueil(data, "stats", "--json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    return {
        "documents": stats["documents"],
        "passages": stats["passages"],
        "records": stats["records"],
        "per_document": stats["per_document"],
    }


def ingest_killed_when(data: Path, folder: Path, seen: str) -> bool:
    """Run `recueil ingest`, kill -9 it once its progress output shows `seen`.

    Returns whether the kill happened (False: the run ended first).
    """
    env = os.environ | {"RECUEIL_DATA": str(data)}
    process = subprocess.Popen(
        [*RECUEIL, "ingest", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    killed = threading.Event()

    def watch() -> None:
        output = b""
        while chunk := process.stderr.read1(256):
            output += chunk
            if seen.encode() in output and not killed.is_set():
                process.send_signal(signal.SIGKILL)
                killed.set()

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    process.wait(timeout=600)
    reader.join(timeout=10)
    return killed.is_set()


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    for name in FILES:
        shutil.copy(CORPUS / name, folder)
    return folder


@pytest.fixture(scope="module")
def reference(tmp_path_factory, documents) -> dict:
    """Counts after an ingest that nothing interrupted."""
    data = tmp_path_factory.mktemp("reference")
    assert recueil(data, "ingest", str(documents)).returncode == 0
    return counts(data)


@pytest.mark.slow
@pytest.mark.parametrize(
    "seen",
    [
        "1/3",  # while reading the first document
        "2/3",  # one document committed and embedded, the next being read
        "Mise à jour",  # every document stored with its vectors: cards, cases, actors, index
    ],
)
def test_a_killed_ingest_leaves_a_whole_store_and_a_rerun_completes_it(
    tmp_path, documents, reference, seen
):
    data = tmp_path / "data"
    assert ingest_killed_when(data, documents, seen), f"the run ended before « {seen} »"
    with sqlite3.connect(data / "recueil.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Only whole documents: every stored document has its passages.
        empty = db.execute(
            "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS "
            "(SELECT 1 FROM passages p WHERE p.document_id = d.id)"
        ).fetchone()[0]
        assert empty == 0
    again = recueil(data, "ingest", str(documents))
    assert again.returncode == 0, again.stderr
    assert counts(data) == reference
    found = recueil(data, "search", "coopération territoriale", "--json")
    assert found.returncode == 0 and '"passage_id"' in found.stdout


UPLOADED = ["000_77cdf74dd2895607.txt", "002_79ccc89baf972a99.txt"]
WRITER = {"Authorization": "Bearer jeton-de-test"}


def uploaded_documents(data: Path) -> int:
    """Documents the upload has committed so far, read beside the server (WAL readers)."""
    try:
        with sqlite3.connect(f"file:{data / 'recueil.db'}?mode=ro", uri=True) as db:
            query = "SELECT COUNT(*) FROM documents WHERE path LIKE '%uploads%'"
            return db.execute(query).fetchone()[0]
    except sqlite3.OperationalError:  # a write in progress: read again
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("committed", [1, 2])  # one file of two committed; both, rebuild on
def test_a_killed_upload_leaves_no_orphan_and_a_repeat_completes_it(tmp_path, committed):
    from api.routers.documents import STAGED_PREFIX
    from ingest.store import open_store
    from search.embedders import get_embedder
    from search.knowledge.freshness import derived_fresh
    from tests.conftest import start_server

    data = tmp_path / "data"
    shutil.copy(CORPUS / "003_c2577a908f8cbfbf.txt", tmp_path)
    assert recueil(data, "ingest", str(tmp_path / "003_c2577a908f8cbfbf.txt")).returncode == 0
    files = [("files", (name, (CORPUS / name).read_bytes(), "text/plain")) for name in UPLOADED]

    def send(base: str) -> httpx.Response | None:
        try:
            return httpx.post(f"{base}/v1/documents", files=files, headers=WRITER, timeout=600)
        except httpx.HTTPError:
            return None  # the server was killed under it

    process, base = start_server(data, RECUEIL_TOKEN="jeton-de-test")
    sender = threading.Thread(target=send, args=(base,), daemon=True)
    sender.start()
    deadline = time.time() + 300
    while uploaded_documents(data) < committed and time.time() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    sender.join(30)
    assert uploaded_documents(data) >= committed, "the upload never committed"
    with sqlite3.connect(data / "recueil.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    process, base = start_server(data, RECUEIL_TOKEN="jeton-de-test")
    try:
        assert not list((data / "uploads").glob(f"{STAGED_PREFIX}*"))  # no orphan left
        again = send(base)
        assert again is not None and again.status_code == 201, again
        statuses = [f["status"] for f in again.json()["files"]]
        # What the killed upload committed is not read twice; the rest goes in now.
        assert statuses.count("unchanged") >= committed and "failed" not in statuses
        for name in UPLOADED:  # each file in place, its document searchable
            assert (data / "uploads" / name).exists()
        store = open_store(data, read_only=True)
        # Cards, cases and actors rebuilt after the repeat.
        assert derived_fresh(store, get_embedder().model_id)
        assert {d.file for d in store.documents()} >= set(UPLOADED)
        store.close()
    finally:
        process.terminate()
        process.wait(30)
