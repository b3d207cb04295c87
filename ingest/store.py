"""The SQLite store: the only module that knows the schema.

One file (`recueil.db` in the data directory) holds documents, passages, their FTS5
index, embeddings keyed by (passage hash, model id) and the derived records. Everything
else, the FAISS index included, is rebuilt from it. The schema is versioned through
`PRAGMA user_version` and migrated forward on open.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import sqlite_utils

from ingest.kinds import NOT_SEARCHED
from ingest.passages import Passage

# « Searched »: every kind but footnotes and bare links (ingest.kinds), with its values.
_SEARCHED = f"kind NOT IN ({', '.join('?' for _ in NOT_SEARCHED)})"
_NOT_SEARCHED_VALUES = sorted(NOT_SEARCHED)

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


MIGRATIONS = [_v1, _v2, _v3, _v4]
RECORD_TABLES = ("quotes", "statements", "mentions", "actor_mentions")
DERIVED_TABLES = ("practices", "cases", "actors")
SCHEMA_VERSION = len(MIGRATIONS)
# The document fields an editor may set (PATCH /v1/documents/{id}); `year` follows `date`.
DOCUMENT_EDITABLE = ("title", "event", "date", "place", "kind")


@dataclass
class DocumentRow:
    """What the store keeps about one source document."""

    id: str
    path: str
    file: str
    title: str
    event: str | None
    date: str | None
    year: int | None
    place: str | None
    kind: str
    url: str | None
    content_hash: str
    size: int
    page_count: int
    page_starts: str
    text: str
    ingested_at: str


@dataclass
class PassageRow(Passage):
    """A passage as stored: the cut passage plus its identity and content hash."""

    id: str
    document_id: str
    hash: str


class Store:
    """A connection to the store, per thread: SQLite connections must not cross threads."""

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
        version = db.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"store schema v{version} is newer than this Recueil (v{SCHEMA_VERSION})"
            )
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

    # Every read of a document goes through _edited: what search, citations, cards and the
    # page show is the editor's value where there is one.

    def document_by_path(self, path: str) -> DocumentRow | None:
        rows = list(self.db["documents"].rows_where("path = ?", [path]))
        return self._edited(rows[0], self.document_edits()) if rows else None

    def document(self, document_id: str) -> DocumentRow | None:
        rows = list(self.db["documents"].rows_where("id = ?", [document_id]))
        return self._edited(rows[0], self.document_edits()) if rows else None

    def documents(self, known: dict[str, DocumentRow] | None = None) -> list[DocumentRow]:
        """Every document, by id. `known`: documents read before, whose text is taken from
        there when their content hash is unchanged (the text is most of the bytes: an
        engine reloaded after a write reads only the new document's)."""
        edits = self.document_edits()
        if not known:
            rows = self.db["documents"].rows_where(order_by="id")
            return [self._edited(row, edits) for row in rows]
        columns = [f.name for f in fields(DocumentRow) if f.name != "text"]
        listed = ", ".join(f'"{c}"' for c in columns)
        rows = [
            dict(zip(columns, row, strict=True))
            for row in self.db.conn.execute(f"SELECT {listed} FROM documents ORDER BY id")
        ]
        unread = []
        for row in rows:
            before = known.get(row["id"])
            if before is not None and before.content_hash == row["content_hash"]:
                row["text"] = before.text
            else:
                unread.append(row["id"])
        texts = dict(self._select_in("SELECT id, text FROM documents WHERE id IN", unread))
        for row in rows:
            row.setdefault("text", texts.get(row["id"], ""))
        return [self._edited(row, edits) for row in rows]

    def _select_in(self, sql: str, values: list[str]) -> Iterator[tuple]:
        """Rows of `sql … IN (values)`, 500 values to a query."""
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            yield from self.db.conn.execute(f"{sql} ({','.join('?' * len(chunk))})", chunk)

    @staticmethod
    def _edited(row: dict, edits: dict[str, dict]) -> DocumentRow:
        fields = edits.get(row["id"], {})
        if "date" in fields:
            fields = {**fields, "year": int(fields["date"][:4])}
        return DocumentRow(**{**row, **fields})

    def document_edits(self) -> dict[str, dict]:
        """Editors' fields per document id."""
        return {
            row["document_id"]: json.loads(row["fields"]) for row in self.db["document_edits"].rows
        }

    def save_document_edit(self, document_id: str, fields: dict) -> dict:
        """Merge `fields` into the document's edits (None goes back to the extracted value);
        the merged edits."""
        unknown = set(fields) - set(DOCUMENT_EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        return self._merge_edit("document_edits", "document_id", document_id, fields)

    def replace_document(
        self,
        document: DocumentRow,
        passages: Iterable[PassageRow],
        records: dict[str, list[dict]] | None = None,
    ) -> None:
        """Write a document, its passages and records in one transaction, replacing any older
        version; `records` maps a record table (quotes, statements, mentions) to its rows."""
        with self.transaction() as db:
            self._delete(db, document.id)
            db["documents"].insert(asdict(document))
            db["passages"].insert_all(asdict(p) for p in passages)
            for table, rows in (records or {}).items():
                if table not in RECORD_TABLES:
                    raise ValueError(f"unknown record table {table!r}")
                if rows:
                    db[table].insert_all(rows)

    def delete_document(self, document_id: str) -> bool:
        """Forget a document, its editors' fields included (a re-ingest keeps those)."""
        with self.transaction() as db:
            db.conn.execute("DELETE FROM document_edits WHERE document_id = ?", [document_id])
            return self._delete(db, document_id)

    @staticmethod
    def _delete(db: sqlite_utils.Database, document_id: str) -> bool:
        for table in RECORD_TABLES:
            db.conn.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
        db.conn.execute("DELETE FROM passages WHERE document_id = ?", [document_id])
        cursor = db.conn.execute("DELETE FROM documents WHERE id = ?", [document_id])
        return cursor.rowcount > 0

    # -- passages --------------------------------------------------------------

    def passages(self, document_id: str | None = None) -> list[PassageRow]:
        where, args = ("document_id = ?", [document_id]) if document_id else (None, None)
        rows = self.db["passages"].rows_where(where, args, order_by="document_id, ordinal")
        return [PassageRow(**row) for row in rows]

    def case_edits(self) -> dict[str, dict]:
        """Editors' fields per case id (cases they created included)."""
        return {row["case_id"]: json.loads(row["fields"]) for row in self.db["case_edits"].rows}

    def save_case_edit(self, case_id: str, fields: dict) -> dict:
        """Merge `fields` into the case's edits (None removes a field); the merged edits."""
        return self._merge_edit("case_edits", "case_id", case_id, fields)

    def _merge_edit(self, table: str, key: str, value: str, fields: dict) -> dict:
        """One editor's change to an edits table (case_edits, document_edits), all or nothing."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.transaction():
            rows = list(self.db[table].rows_where(f"{key} = ?", [value]))
            current = json.loads(rows[0]["fields"]) if rows else {}
            merged = {k: v for k, v in {**current, **fields}.items() if v is not None}
            self.db[table].upsert(
                {
                    key: value,
                    "fields": json.dumps(merged, ensure_ascii=False),
                    "created_at": rows[0]["created_at"] if rows else now,
                    "updated_at": now,
                },
                pk=key,
            )
        return merged

    def searchable_passages(self, document_ids: list[str] | None = None) -> list[PassageRow]:
        """What search indexes: every passage but footnotes and bare links (ingest.kinds);
        of the given documents only, if given."""
        if document_ids is None:
            rows = self.db["passages"].rows_where(
                _SEARCHED, _NOT_SEARCHED_VALUES, order_by="document_id, ordinal"
            )
            return [PassageRow(**row) for row in rows]
        found = []
        for start in range(0, len(document_ids), 500):
            chunk = document_ids[start : start + 500]
            where = f"{_SEARCHED} AND document_id IN ({','.join('?' * len(chunk))})"
            rows = self.db["passages"].rows_where(where, [*_NOT_SEARCHED_VALUES, *chunk])
            found.extend(PassageRow(**row) for row in rows)
        return sorted(found, key=lambda p: (p.document_id, p.ordinal))

    def passage(self, passage_id: str) -> PassageRow | None:
        rows = list(self.db["passages"].rows_where("id = ?", [passage_id]))
        return PassageRow(**rows[0]) if rows else None

    def neighbours(self, passage: PassageRow, radius: int = 1) -> list[PassageRow]:
        rows = self.db["passages"].rows_where(
            "document_id = ? AND (kind = 'note') = ? AND ordinal BETWEEN ? AND ?",
            [
                passage.document_id,
                passage.kind == "note",  # footnotes follow each other, the text likewise
                passage.ordinal - radius,
                passage.ordinal + radius,
            ],
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

    def embeddings(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        return {
            digest: np.frombuffer(blob, dtype=np.float32)
            for digest, blob in self._embedding_rows(model, hashes, "hash, vector")
        }

    def embedded_hashes(self, model: str, hashes: Iterable[str]) -> set[str]:
        """Which of these text hashes have a vector for this model (vectors left unread)."""
        return {row[0] for row in self._embedding_rows(model, hashes, "hash")}

    def _embedding_rows(self, model: str, hashes: Iterable[str], columns: str) -> Iterator[tuple]:
        """Rows of this model's embeddings for these hashes, 500 hashes to a query."""
        wanted = list(dict.fromkeys(hashes))
        for chunk_start in range(0, len(wanted), 500):
            chunk = wanted[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {columns} FROM embeddings WHERE model = ? AND hash IN ({marks})"
            yield from self.db.conn.execute(sql, [model, *chunk])

    def save_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        with self.transaction() as db:
            db["embeddings"].upsert_all(
                (
                    {"hash": h, "model": model, "vector": v.astype(np.float32).tobytes()}
                    for h, v in vectors.items()
                ),
                pk=("hash", "model"),
            )

    def prune_embeddings(self, keep: set[str]) -> int:
        """Drop every vector whose text hash is not in `keep` (texts that no longer exist)."""
        with self.transaction() as db:
            stale = [
                row[0]
                for row in db.conn.execute("SELECT DISTINCT hash FROM embeddings")
                if row[0] not in keep
            ]
            for start in range(0, len(stale), 500):
                chunk = stale[start : start + 500]
                db.conn.execute(
                    f"DELETE FROM embeddings WHERE hash IN ({','.join('?' * len(chunk))})", chunk
                )
            return len(stale)

    # -- records and derived knowledge -----------------------------------------

    def records(self, table: str) -> list[dict]:
        if table not in RECORD_TABLES + DERIVED_TABLES:
            raise ValueError(f"unknown table {table!r}")
        return list(self.db[table].rows_where(order_by="id"))

    def record_counts(self, table: str) -> Counter[str]:
        """How many records of a table (statements, quotes…) each passage holds."""
        if table not in RECORD_TABLES:
            raise ValueError(f"unknown record table {table!r}")
        sql = f"SELECT passage_id, COUNT(*) FROM {table} GROUP BY passage_id"
        return Counter(dict(self.db.conn.execute(sql).fetchall()))

    def replace_derived(self, tables: dict[str, list[dict]]) -> None:
        """Swap the derived tables (practices, cases) for new contents, all or nothing."""
        with self.transaction() as db:
            for table, rows in tables.items():
                if table not in DERIVED_TABLES:
                    raise ValueError(f"unknown derived table {table!r}")
                db.conn.execute(f"DELETE FROM {table}")
                if rows:
                    db[table].insert_all(rows)

    # -- summary ---------------------------------------------------------------

    def stats(self) -> dict:
        conn = self.db.conn
        per_document = [
            {
                "id": row[0],
                "file": row[1],
                "title": row[2],
                "kind": row[3],
                "passages": row[4],
                "searched": row[5] or 0,
                "notes": row[6] or 0,
                "speakers": row[7],
            }
            for row in conn.execute(
                "SELECT d.id, d.file, d.title, d.kind, COUNT(p.id), "
                f"SUM(p.{_SEARCHED}), "
                "SUM(p.kind = 'note'), COUNT(DISTINCT p.speaker) "
                "FROM documents d LEFT JOIN passages p ON p.document_id = d.id "
                "GROUP BY d.id ORDER BY d.id",
                _NOT_SEARCHED_VALUES,
            )
        ]
        models = {
            row[0]: row[1]
            for row in conn.execute("SELECT model, COUNT(*) FROM embeddings GROUP BY model")
        }
        derived = {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in RECORD_TABLES + DERIVED_TABLES
        }
        return {
            "store": str(self.path),
            "schema_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "documents": len(per_document),
            "passages": conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0],
            "embeddings": models,
            "records": derived,
            "per_document": per_document,
        }

    def fingerprint(self) -> str:
        """Changes whenever passages change: cheap staleness check for derived indexes."""
        digest = hashlib.sha1()
        for passage_id, passage_hash in self.db.conn.execute(
            "SELECT id, hash FROM passages ORDER BY id"
        ):
            digest.update(f"{passage_id}:{passage_hash};".encode())
        return digest.hexdigest()


def dumps_pages(page_starts: list[int]) -> str:
    return json.dumps(page_starts)
