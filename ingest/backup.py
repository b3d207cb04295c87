"""Backup, restore and export of the store: what an operator needs to lose nothing.

Backup and restore are each backend's (`Store.backup`, `Store.restore`): this module
holds SQLite's, the PostgreSQL store runs pg_dump and pg_restore. A plain `cp` of a
WAL-mode database under a running server copies the main file without the commits still
in its write-ahead log (22 of 24 documents in one probe). SQLite's online backup API
copies a consistent snapshot instead, while writers go on; restoring goes through the
same API into the live database, so a running server's connections see the restored
store as one commit (and reload), never a file swapped under them.

The export is the same on every backend: the rows as stored (`Store.dump`), under the
write lock, so that they agree with each other.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TextIO

from ingest.atomic import replacing
from ingest.backends.sqlite import DB_NAME, SCHEMA_VERSION, SQLiteStore
from ingest.store import RECORD_TABLES, RestoreError, Store
from ingest.writelock import WriteLock

# What an export holds, in order: each table with the `type` its lines carry. Cards,
# cases and actors are left out: `recueil build` derives them again from these.
EXPORTED = {
    "documents": "document",
    "passages": "passage",
    **{table: table.removesuffix("s") for table in RECORD_TABLES},
    "case_edits": "case_edit",
    "document_edits": "document_edit",
}
_REQUIRED_TABLES = {"documents", "passages", "embeddings"}
__all__ = ["RestoreError", "backup", "check", "export", "restore"]


def backup(store: SQLiteStore, target: Path) -> dict[str, int]:
    """Copy the store to `target` as one self-contained file (no -wal beside it).

    Consistent even while another process writes: the copy is one read snapshot.
    """
    with replacing(target) as partial:
        with (
            closing(sqlite3.connect(store.path)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")
        counts = check(partial)
    return {**counts, "bytes": target.stat().st_size}


def check(path: Path) -> dict[str, int]:
    """Counts of a Recueil store file, after SQLite's integrity check; RestoreError if not one."""

    if not path.is_file():
        raise RestoreError(f"{path} : fichier introuvable")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise RestoreError(f"{path} : fichier SQLite endommagé ({verdict})")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if not 1 <= version <= SCHEMA_VERSION or not tables >= _REQUIRED_TABLES:
                raise RestoreError(
                    f"{path} : pas une base Recueil (schéma v{version}, "
                    f"ce Recueil lit les schémas v1 à v{SCHEMA_VERSION})"
                )
            return {
                table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("documents", "passages")
            }
    except sqlite3.DatabaseError as exc:
        raise RestoreError(f"{path} : pas une base Recueil ({exc})") from exc


def restore(data_dir: Path, source: Path) -> dict[str, int]:
    """Replace the store in `data_dir` with the backup `source`, checked first.

    Written under the folder's write lock through the backup API (all or nothing); the
    derived index files are dropped, to be rebuilt from the restored store.
    """
    counts = check(source)
    data_dir.mkdir(parents=True, exist_ok=True)
    with WriteLock(data_dir):
        try:
            with (
                closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as backup_file,
                closing(sqlite3.connect(data_dir / DB_NAME, timeout=30)) as live,
            ):
                backup_file.backup(live)
        except sqlite3.Error as exc:
            raise RestoreError(f"{source} : restauration impossible ({exc})") from exc
        SQLiteStore(data_dir)  # opening migrates: an older backup is brought to this schema
        shutil.rmtree(data_dir / "index", ignore_errors=True)
    return counts


def export(store: Store, out: TextIO) -> dict[str, int]:
    """Write documents, passages, records and editors' edits as JSON lines, each with its
    `type`, under the write lock (no write lands half-way); how many lines of each type."""
    counts = dict.fromkeys(EXPORTED.values(), 0)
    with store.write_lock():
        for table, kind in EXPORTED.items():
            for batch in store.dump(table):
                for row in batch:
                    out.write(json.dumps({"type": kind, **row}, ensure_ascii=False) + "\n")
                counts[kind] += len(batch)
    return counts
