"""The SQLite store, the default backend: the only module that knows its schema.

One file (`recueil.db` in the data directory) holds documents, passages, their FTS5
index, embeddings keyed by (passage hash, model id) and the derived records. Everything
else, the FAISS index included, is rebuilt from it. The schema is versioned through
`PRAGMA user_version` and migrated forward on open.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import sqlite_utils

from ingest.store import (
    BATCH,
    DUMP_KEYS,
    EDIT_KEYS,
    NOT_SEARCHED_KINDS,
    RECORD_TABLES,
    DocumentRow,
    PassageRow,
    Store,
    Versions,
    check_schema,
    merged_edit,
    now,
)
from ingest.writelock import WriteLock, published

# « Searched »: every kind but footnotes and bare links (ingest.kinds).
_DOCUMENT_COLUMNS_BUT_TEXT = [f.name for f in fields(DocumentRow) if f.name != "text"]
_SEARCHED = f"kind NOT IN ({', '.join('?' for _ in NOT_SEARCHED_KINDS)})"

DB_NAME = "recueil.db"


def _v1(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "id": str,
            "path": str,
            "file": str,
            "title": str,
            "event": str,
            "date": str,
            "year": int,
            "place": str,
            "kind": str,
            "url": str,
            "content_hash": str,
            "size": int,
            "page_count": int,
            "page_starts": str,
            "text": str,
            "ingested_at": str,
        },
        pk="id",
    )
    db["documents"].create_index(["path"], unique=True)
    db["passages"].create(
        {
            "id": str,
            "document_id": str,
            "ordinal": int,
            "kind": str,
            "text": str,
            "start": int,
            "end": int,
            "page_start": int,
            "page_end": int,
            "section": str,
            "speaker": str,
            "speaker_role": str,
            "hash": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["passages"].create_index(["document_id", "ordinal"], unique=True)
    db["passages"].create_index(["hash"])
    db["passages"].enable_fts(
        ["text", "section", "speaker"],
        fts_version="FTS5",
        tokenize="unicode61 remove_diacritics 2",
        create_triggers=True,
    )
    db["embeddings"].create({"hash": str, "model": str, "vector": bytes}, pk=("hash", "model"))


# The columns every per-document record shares: where it stands in its source.
_RECORD = {
    "id": str,
    "document_id": str,
    "passage_id": str,
    "text": str,
    "start": int,
    "end": int,
    "page": int,
}


def _v2(db: sqlite_utils.Database) -> None:
    """Records beside passages (per document) and the cards/cases derived from them."""
    db["quotes"].create(
        {**_RECORD, "speaker": str, "role": str, "method": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["statements"].create(
        {**_RECORD, "section": str, "cue": str, "polarity": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["mentions"].create(
        {**_RECORD, "name": str, "key": str, "cue": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    for table in ("quotes", "statements", "mentions"):
        db[table].create_index(["document_id"])
    db["practices"].create(
        {
            "id": str,
            "label": str,
            "description": str,
            "polarity": str,
            "statement_ids": str,
            "documents": int,
            "events": int,
        },
        pk="id",
    )
    db["cases"].create(
        {
            "id": str,
            "name": str,
            "key": str,
            "place": str,
            "actors": str,
            "territories": str,
            "levers": str,
            "description": str,
            "mention_ids": str,
            "passage_ids": str,
            "documents": int,
        },
        pk="id",
    )


def _v3(db: sqlite_utils.Database) -> None:
    """Whether a passage holds a speaker's own words or the report's account of them, and
    the moderator's question it answers; the same flag on quotes. Actors: their mentions
    in each document, and the actors merged across documents."""
    db["passages"].add_column("speech", str)
    db["passages"].add_column("question", str)
    db["quotes"].add_column("speech", str)
    db["actor_mentions"].create(
        {**_RECORD, "name": str, "kind": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["actor_mentions"].create_index(["document_id"])
    # What editors wrote on case pages: kept apart from what extraction derives, so a
    # re-ingest never overwrites it (DERIVED_TABLES are rebuilt, this table never is).
    db["case_edits"].create(
        {"case_id": str, "fields": str, "created_at": str, "updated_at": str}, pk="case_id"
    )
    db["actors"].create(
        {
            "id": str,
            "name": str,
            "kind": str,
            "type": str,
            "aliases": str,
            "roles": str,
            "mention_ids": str,
            "passage_ids": str,
            "documents": int,
        },
        pk="id",
    )


def _v4(db: sqlite_utils.Database) -> None:
    """What editors set on a document's metadata (title, event, date, place, kind): like
    case edits, kept apart from the extracted columns and laid over them on read, so that a
    re-ingest of the file, which rewrites those columns, never undoes an edit."""
    db["document_edits"].create(
        {"document_id": str, "fields": str, "created_at": str, "updated_at": str},
        pk="document_id",
    )


def _v5(db: sqlite_utils.Database) -> None:
    """The organisation an actor is part of, as the documents name it (« Banque des
    Territoires de la Caisse des Dépôts »): the id of that actor, or null."""
    db["actors"].add_column("part_of", str)


MIGRATIONS = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreVersion:
    """SQLite's `PRAGMA data_version` on a connection of its own, never used to write: it
    moves whenever any other connection commits to the file. SQLite cannot say when that
    happens: servers poll it (`wait` only sleeps)."""

    def __init__(self, path: Path):
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        self._data_dir = path.parent

    def read(self) -> Versions:
        with self._lock:
            data = self._conn.execute("PRAGMA data_version").fetchone()[0]
        return Versions(data, published(self._data_dir))

    def wait(self, timeout: float, stop: threading.Event) -> None:
        stop.wait(timeout)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class SQLiteStore(Store):
    """A connection to the store, per thread: SQLite connections must not cross threads."""

    backend = "sqlite"

    def __init__(self, data_dir: Path | str, read_only: bool = False):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / DB_NAME
        self.read_only = read_only
        self._local = threading.local()
        self._write_lock = threading.Lock()
        if not read_only:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.migrate()
        elif not self.path.exists():
            raise FileNotFoundError(
                f"no Recueil store at {self.path}: run `recueil ingest corpus/` first"
            )

    @property
    def location(self) -> str:
        return str(self.path)

    def reachable(self, timeout: float) -> bool:
        """A file on this machine answers at once, or not at all (its disk gone)."""
        try:
            self.db.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error:
            return False
        return True

    def write_lock(self) -> WriteLock:
        return WriteLock(self.data_dir)

    def watch(self) -> StoreVersion:
        return StoreVersion(self.path)

    def backup(self, target: Path) -> dict[str, int]:
        """SQLite's online backup (ingest.backup): one file, no write-ahead log beside it."""
        from ingest.backup import backup

        return backup(self, target)

    def restore(self, source: Path) -> dict[str, int]:
        """The backup replaces this store, whatever it holds (ingest.backup)."""
        from ingest.backup import restore

        return restore(self.data_dir, source)

    def schema_version(self) -> int:
        return self.db.conn.execute("PRAGMA user_version").fetchone()[0]

    def close(self) -> None:
        """Close this thread's connection (each thread has its own)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            del self._local.db

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            db = sqlite_utils.Database(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            self._local.db = db
        return db

    def migrate(self) -> None:
        db = self.db
        db.conn.execute("PRAGMA journal_mode = WAL")
        version = self.schema_version()
        check_schema(version, SCHEMA_VERSION)
        for number in range(version, SCHEMA_VERSION):
            with db.conn:
                MIGRATIONS[number](db)
                db.conn.execute(f"PRAGMA user_version = {number + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """All or nothing, one writer at a time."""
        with self._write_lock, self.db.conn:
            yield self.db

    # -- documents -------------------------------------------------------------

    def _document_rows(
        self, column: str | None = None, value: str | None = None, with_text: bool = True
    ) -> list[dict]:
        where, args = (f"{column} = ?", [value]) if column else (None, None)
        select = "*" if with_text else ", ".join(f'"{c}"' for c in _DOCUMENT_COLUMNS_BUT_TEXT)
        return list(self.db["documents"].rows_where(where, args, order_by="id", select=select))

    def _document_texts(self, document_ids: list[str]) -> dict[str, str]:
        sql = "SELECT id, text FROM documents WHERE id IN ({})"
        return {
            key: text
            for chunk, marks in _batches(document_ids)
            for key, text in self.db.conn.execute(sql.format(marks), chunk)
        }

    def _edit_rows(self, table: str) -> list[tuple[str, str]]:
        return self.db.conn.execute(f"SELECT {EDIT_KEYS[table]}, fields FROM {table}").fetchall()

    def _replace_document(
        self, document: DocumentRow, passages: list[PassageRow], records: dict[str, list[dict]]
    ) -> None:
        with self.transaction() as db:
            self._delete(db, document.id)
            db["documents"].insert(asdict(document))
            db["passages"].insert_all(asdict(p) for p in passages)
            for table, rows in records.items():
                if rows:
                    db[table].insert_all(rows)

    def _delete_document(self, document_id: str, case_ids: list[str]) -> bool:
        with self.transaction() as db:
            db.conn.execute("DELETE FROM document_edits WHERE document_id = ?", [document_id])
            db.conn.executemany("DELETE FROM case_edits WHERE case_id = ?", [[c] for c in case_ids])
            return self._delete(db, document_id)

    @staticmethod
    def _delete(db: sqlite_utils.Database, document_id: str) -> bool:
        for table in RECORD_TABLES:
            db.conn.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
        db.conn.execute("DELETE FROM passages WHERE document_id = ?", [document_id])
        cursor = db.conn.execute("DELETE FROM documents WHERE id = ?", [document_id])
        return cursor.rowcount > 0

    def _delete_edit(self, table: str, key: str) -> bool:
        with self.transaction() as db:
            cursor = db.conn.execute(f"DELETE FROM {table} WHERE {EDIT_KEYS[table]} = ?", [key])
            return cursor.rowcount > 0

    def _merge_edit(self, table: str, key: str, fields: dict) -> dict:
        column = EDIT_KEYS[table]
        with self.transaction():
            rows = list(self.db[table].rows_where(f"{column} = ?", [key]))
            merged = merged_edit(json.loads(rows[0]["fields"]) if rows else {}, fields)
            stamp = now()
            self.db[table].upsert(
                {
                    column: key,
                    "fields": json.dumps(merged, ensure_ascii=False),
                    "created_at": rows[0]["created_at"] if rows else stamp,
                    "updated_at": stamp,
                },
                pk=column,
            )
        return merged

    # -- passages --------------------------------------------------------------

    def passages(self, document_id: str | None = None) -> list[PassageRow]:
        where, args = ("document_id = ?", [document_id]) if document_id else (None, None)
        rows = self.db["passages"].rows_where(where, args, order_by="document_id, ordinal")
        return [PassageRow(**row) for row in rows]

    def searchable_passages(self, document_ids: list[str] | None = None) -> list[PassageRow]:
        if document_ids is None:
            rows = self.db["passages"].rows_where(
                _SEARCHED, NOT_SEARCHED_KINDS, order_by="document_id, ordinal"
            )
            return [PassageRow(**row) for row in rows]
        found = []
        for chunk, marks in _batches(document_ids):
            where = f"{_SEARCHED} AND document_id IN ({marks})"
            rows = self.db["passages"].rows_where(where, [*NOT_SEARCHED_KINDS, *chunk])
            found.extend(PassageRow(**row) for row in rows)
        return sorted(found, key=lambda p: (p.document_id, p.ordinal))

    def passage(self, passage_id: str) -> PassageRow | None:
        rows = list(self.db["passages"].rows_where("id = ?", [passage_id]))
        return PassageRow(**rows[0]) if rows else None

    def _neighbour_rows(
        self, document_id: str, notes: bool, first: int, last: int
    ) -> list[PassageRow]:
        rows = self.db["passages"].rows_where(
            "document_id = ? AND (kind = 'note') = ? AND ordinal BETWEEN ? AND ?",
            [document_id, notes, first, last],
            order_by="ordinal",
        )
        return [PassageRow(**row) for row in rows]

    def fts(self, query: str, limit: int) -> list[tuple[str, float]]:
        """FTS5 word match, accent-insensitive → (passage id, bm25 score; higher is better)."""
        sql = (
            "SELECT passages.id, -bm25(passages_fts) FROM passages_fts "
            "JOIN passages ON passages.rowid = passages_fts.rowid "
            "WHERE passages_fts MATCH ? ORDER BY bm25(passages_fts) LIMIT ?"
        )
        return [(row[0], row[1]) for row in self.db.conn.execute(sql, [query, limit])]

    # -- embeddings ------------------------------------------------------------

    def _embedding_rows(
        self, model: str, hashes: list[str], vectors: bool
    ) -> Iterator[tuple[str, np.ndarray | None]]:
        columns = "hash, vector" if vectors else "hash, NULL"
        for chunk, marks in _batches(hashes):
            sql = f"SELECT {columns} FROM embeddings WHERE model = ? AND hash IN ({marks})"
            for digest, blob in self.db.conn.execute(sql, [model, *chunk]):
                yield digest, None if blob is None else np.frombuffer(blob, dtype=np.float32)

    def save_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        with self.transaction() as db:
            db["embeddings"].upsert_all(
                (
                    {"hash": h, "model": model, "vector": v.astype(np.float32).tobytes()}
                    for h, v in vectors.items()
                ),
                pk=("hash", "model"),
            )

    def nearest(
        self, model: str, vector: np.ndarray, k: int, ef_search: int | None = None
    ) -> list[tuple[str, float]]:
        """Exact: every vector of the model is read and scored. SQLite has no vector
        index, and search does not need one here (FAISS, built from these rows); this
        answers the same question as PostgreSQL's HNSW index, without approximation, in
        time proportional to the vectors kept (`ef_search` has no meaning)."""
        query = np.asarray(vector, dtype=np.float32)
        hashes: list[str] = []
        scores: list[np.ndarray] = []
        cursor = self.db.conn.execute(
            "SELECT hash, vector FROM embeddings WHERE model = ?", [model]
        )
        while rows := cursor.fetchmany(BATCH * 20):
            blob = b"".join(row[1] for row in rows)
            matrix = np.frombuffer(blob, dtype=np.float32).reshape(len(rows), -1)
            hashes.extend(row[0] for row in rows)
            scores.append(matrix @ query)
        if not hashes:
            return []
        found = np.concatenate(scores)
        return [(hashes[i], float(found[i])) for i in np.argsort(-found, kind="stable")[:k]]

    def prune_embeddings(self, keep: set[str]) -> int:
        with self.transaction() as db:
            stale = [
                row[0]
                for row in db.conn.execute("SELECT DISTINCT hash FROM embeddings")
                if row[0] not in keep
            ]
            for chunk, marks in _batches(stale):
                db.conn.execute(f"DELETE FROM embeddings WHERE hash IN ({marks})", chunk)
            return len(stale)

    # -- records and derived knowledge -----------------------------------------

    def _table(self, table: str) -> list[dict]:
        return list(self.db[table].rows_where(order_by="id"))

    def _record_counts(self, table: str) -> list[tuple[str, int]]:
        sql = f"SELECT passage_id, COUNT(*) FROM {table} GROUP BY passage_id"
        return self.db.conn.execute(sql).fetchall()

    def _replace_derived(self, tables: dict[str, list[dict]]) -> None:
        with self.transaction() as db:
            for table, rows in tables.items():
                db.conn.execute(f"DELETE FROM {table}")
                if rows:
                    db[table].insert_all(rows)

    # -- copies between backends -----------------------------------------------

    def dump(self, table: str) -> Iterator[list[dict]]:
        rows = self.db[table].rows_where(order_by=", ".join(DUMP_KEYS.get(table, ("id",))))
        while batch := [row for _, row in zip(range(BATCH), rows, strict=False)]:
            if table == "embeddings":
                for row in batch:
                    row["vector"] = np.frombuffer(row["vector"], dtype=np.float32)
            yield batch

    def load(self, table: str, rows: list[dict]) -> None:
        if table == "embeddings":
            rows = [{**row, "vector": row["vector"].astype(np.float32).tobytes()} for row in rows]
        with self.transaction() as db:
            db[table].insert_all(rows)

    def count(self, table: str) -> int:
        return self.db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    # -- summary ---------------------------------------------------------------

    def _per_document(self) -> list[tuple]:
        return self.db.conn.execute(
            "SELECT d.id, d.file, d.title, d.kind, COUNT(p.id), "
            f"SUM(p.{_SEARCHED}), "
            "SUM(p.kind = 'note'), COUNT(DISTINCT p.speaker) "
            "FROM documents d LEFT JOIN passages p ON p.document_id = d.id "
            "GROUP BY d.id ORDER BY d.id",
            NOT_SEARCHED_KINDS,
        ).fetchall()

    def _models(self) -> dict[str, int]:
        rows = self.db.conn.execute("SELECT model, COUNT(*) FROM embeddings GROUP BY model")
        return dict(rows.fetchall())

    def _passage_hashes(self) -> Iterable[tuple[str, str]]:
        return self.db.conn.execute("SELECT id, hash FROM passages ORDER BY id")


def _batches(values: list[str]) -> Iterator[tuple[list[str], str]]:
    """`values` in slices of BATCH (under SQLite's limit on bound variables), each with the
    `?, ?, …` placeholders of its `IN (…)`."""
    for start in range(0, len(values), BATCH):
        chunk = values[start : start + BATCH]
        yield chunk, ",".join("?" * len(chunk))
