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
from pathlib import Path

import pytest

from tests.conftest import CORPUS

RECUEIL = [sys.executable, "-m", "api.cli"]
FILES = ["002_79ccc89baf972a99.txt", "003_c2577a908f8cbfbf.txt", "004_d4a08cbbbf09db0e.txt"]


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
        "1/3",  # while reading: one document committed, the next being read
        "Embeddings",  # every document stored, embedding starting
        "Embeddings: 100%",  # embeddings done: cards, cases, actors and the index
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
