"""The store's interface, its rows, and `open_store`, which picks the backend.

Documents, passages, embeddings keyed by (passage hash, model id), the per-document
records and the knowledge derived from them, and what editors wrote: everything else (the
FAISS index, BM25 postings, cards) is rebuilt from a store. Two backends implement it, each
the only module that knows its schema (ingest.backends): SQLite, one file in the data
folder, the default; PostgreSQL with pgvector, for several processes or machines sharing
one truth. Callers only see `Store`: a second backend is a second implementation, never a
branch in their code.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from threading import Event
from typing import NamedTuple, Protocol

import numpy as np

from ingest.kinds import NOT_SEARCHED
from ingest.passages import Passage

RECORD_TABLES = ("quotes", "statements", "mentions", "actor_mentions")
DERIVED_TABLES = ("practices", "cases", "actors")
# What editors wrote, by the key each edits table is keyed on.
EDIT_KEYS = {"case_edits": "case_id", "document_edits": "document_id"}
EDIT_TABLES = tuple(EDIT_KEYS)
# Every table a copy between backends carries (`recueil migrate`), parents first.
TABLES = ("documents", "passages", *RECORD_TABLES, *DERIVED_TABLES, *EDIT_TABLES, "embeddings")
# The columns `dump` orders each table by (its id for the others): the same order on
# every backend, so that two copies of a store read alike.
DUMP_KEYS = {"embeddings": ("model", "hash"), **{t: (key,) for t, key in EDIT_KEYS.items()}}
# The document fields an editor may set (PATCH /v1/documents/{id}); `year` follows `date`.
DOCUMENT_EDITABLE = ("title", "event", "date", "place", "kind")
# « Searched »: every kind but footnotes and bare links (ingest.kinds).
NOT_SEARCHED_KINDS = sorted(NOT_SEARCHED)
BACKENDS = ("sqlite", "postgres")
# Seconds a store waits for its database before it counts as unreachable (RECUEIL_DB_TIMEOUT):
# a few, so that a request answers 503 before a load balancer's check gives up on it.
DEFAULT_DB_TIMEOUT = 5.0
# Hashes (or rows) to a query when a backend reads or writes many at once.
BATCH = 500


class StoreUnavailable(RuntimeError):
    """The store cannot be reached (a database server down, refusing, or misconfigured)."""


class BackupError(RuntimeError):
    """A backup could not be written (the backend's tool missing or failing)."""


class RestoreError(ValueError):
    """The file given to restore is not a readable Recueil store, or cannot go where asked."""


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

    def page_at(self, offset: int) -> int:
        """1-based page of the text's character at `offset` (as ExtractedDocument.page_at):
        an excerpt cut from a passage that runs over a page break cites its own page."""
        return max(1, bisect.bisect_right(json.loads(self.page_starts or "[]"), offset))


@dataclass
class PassageRow(Passage):
    """A passage as stored: the cut passage plus its identity and content hash."""

    id: str
    document_id: str
    hash: str


class WriteGuard(Protocol):
    """One writer at a time on a store, across processes (ingest.writelock for SQLite).

    `with guard:` waits for the exclusive hold; `idle()` says whether no writer holds it
    now and, while inside, keeps one from starting (a reader loading a complete state).

    A write is two parts: the search state (documents, passages, their vectors), then the
    knowledge derived from it (cards, cases, actors), which takes far longer on a large
    store. `publish()` marks the end of the first part: `searchable()` then says yes to
    readers, who may load the new search state while the writer goes on. A writer that
    never publishes (the CLI) is searchable only once it is done, as before.
    """

    def __enter__(self) -> WriteGuard: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def idle(self) -> AbstractContextManager[bool]: ...

    def publish(self) -> None: ...

    def searchable(self) -> AbstractContextManager[bool]: ...


class Versions(NamedTuple):
    """What a server compares to see other processes' writes (api.app.Recueil).

    `data` moves with every commit; `published` each time a writer publishes its search
    state (WriteGuard.publish) before its knowledge is rebuilt."""

    data: int
    published: int


class VersionWatch(Protocol):
    """The store's versions, and a way to sleep until they may have moved (api.reloader)."""

    def read(self) -> Versions: ...

    def wait(self, timeout: float, stop: Event) -> None:
        """Return when a writer may have committed or published (as soon as it says so
        where the backend can tell: LISTEN on PostgreSQL), when `stop` is set, or after
        `timeout` seconds at most: the caller reads the versions after each return."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Okapi:
    """BM25's parameters and the collection statistics it weighs words with
    (Store.bm25): `passages` and `average_length` from Store.lexical_statistics."""

    k1: float
    b: float
    passages: int
    average_length: float


class Store(ABC):
    """A store, safe to share between threads (each backend keeps per-thread connections or
    a pool). What is common to every backend lives here: the editors' fields laid over
    documents, the checks on table names, the fingerprint; the rest is the backend's SQL."""

    data_dir: Path
    read_only: bool
    # Which backend this is (one of BACKENDS): what GET /health reports.
    backend: str

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the store lives, for messages and `recueil stats` (never a password)."""

    @abstractmethod
    def reachable(self, timeout: float) -> bool:
        """Whether the store answers a query within `timeout` seconds: GET /health asks it
        before anything that would wait for a database that is down."""

    @abstractmethod
    def write_lock(self) -> WriteGuard:
        """The lock writers of this store take for a whole write (ingest, then derived)."""

    @abstractmethod
    def watch(self) -> VersionWatch:
        """A version that moves when anyone commits: how a server sees others' writes."""

    @abstractmethod
    def backup(self, target: Path) -> dict[str, int]:
        """Copy the store into one self-contained file, consistent while writers go on: the
        documents and passages it holds, and its bytes (BackupError if it cannot)."""

    @abstractmethod
    def restore(self, source: Path) -> dict[str, int]:
        """Bring back a file `backup` wrote (checked first, RestoreError otherwise), under
        the write lock; the index files are dropped, to be rebuilt from it. The documents
        and passages restored."""

    @abstractmethod
    def schema_version(self) -> int:
        """The version the store's schema was migrated to."""

    @abstractmethod
    def close(self) -> None:
        """Release the connections this store opened (a server allows only so many)."""

    # -- documents -------------------------------------------------------------

    # Every read of a document goes through _edited: what search, citations, cards and the
    # page show is the editor's value where there is one.

    def document_by_path(self, path: str) -> DocumentRow | None:
        return self._one_document("path", path)

    def document(self, document_id: str) -> DocumentRow | None:
        return self._one_document("id", document_id)

    def document_with_content(self, content_hash: str) -> DocumentRow | None:
        """A document of these bytes (and sidecar), whatever its path: an upload of a file
        ingested from a folder is that document, not a second one."""
        return self._one_document("content_hash", content_hash)

    def documents(self, known: dict[str, DocumentRow] | None = None) -> list[DocumentRow]:
        """Every document, by id. `known`: documents read before, whose text is taken from
        there when their content hash is unchanged (the text is most of the bytes: an
        engine reloaded after a write reads only the new document's)."""
        edits = self.document_edits()
        if not known:
            return [self._edited(row, edits) for row in self._document_rows()]
        rows = self._document_rows(with_text=False)
        unread = [
            row["id"]
            for row in rows
            if row["id"] not in known or known[row["id"]].content_hash != row["content_hash"]
        ]
        texts = self._document_texts(unread)
        for row in rows:
            row["text"] = texts[row["id"]] if row["id"] in texts else known[row["id"]].text
        return [self._edited(row, edits) for row in rows]

    def _one_document(self, column: str, value: str) -> DocumentRow | None:
        rows = self._document_rows(column, value)
        return self._edited(rows[0], self.document_edits()) if rows else None

    @abstractmethod
    def _document_rows(
        self, column: str | None = None, value: str | None = None, with_text: bool = True
    ) -> list[dict]:
        """Documents as extracted (no edits), by id; only those where `column` = `value`;
        without their text if asked."""

    @abstractmethod
    def _document_texts(self, document_ids: list[str]) -> dict[str, str]:
        """The text of each of these documents."""

    @staticmethod
    def _edited(row: dict, edits: dict[str, dict]) -> DocumentRow:
        fields = edits.get(row["id"], {})
        if "date" in fields:
            fields = {**fields, "year": int(fields["date"][:4])}
        return DocumentRow(**{**row, **fields})

    def document_edits(self) -> dict[str, dict]:
        """Editors' fields per document id."""
        return {key: json.loads(fields) for key, fields in self._edit_rows("document_edits")}

    def case_edits(self) -> dict[str, dict]:
        """Editors' fields per case id (cases they created included)."""
        return {key: json.loads(fields) for key, fields in self._edit_rows("case_edits")}

    @abstractmethod
    def _edit_rows(self, table: str) -> list[tuple[str, str]]:
        """(key, fields as JSON) of an edits table."""

    def save_document_edit(self, document_id: str, fields: dict) -> dict:
        """Merge `fields` into the document's edits (None goes back to the extracted value);
        the merged edits."""
        unknown = set(fields) - set(DOCUMENT_EDITABLE)
        if unknown:
            raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
        return self._merge_edit("document_edits", document_id, fields)

    def save_case_edit(self, case_id: str, fields: dict) -> dict:
        """Merge `fields` into the case's edits (None removes a field); the merged edits."""
        return self._merge_edit("case_edits", case_id, fields)

    def delete_case_edit(self, case_id: str) -> bool:
        """Forget every field editors set on a case (a case they created goes with them);
        whether there were any."""
        return self._delete_edit("case_edits", case_id)

    @abstractmethod
    def _delete_edit(self, table: str, key: str) -> bool:
        """Remove the row `key` of an edits table; whether there was one."""

    @abstractmethod
    def _merge_edit(self, table: str, key: str, fields: dict) -> dict:
        """One editor's change to the row `key` of an edits table, all or nothing (through
        `merged_edit`); the merged fields."""

    def replace_document(
        self,
        document: DocumentRow,
        passages: Iterable[PassageRow],
        records: dict[str, list[dict]] | None = None,
    ) -> None:
        """Write a document, its passages and records in one transaction, replacing any older
        version; `records` maps a record table (quotes, statements, mentions) to its rows."""
        records = records or {}
        _check_tables(records, RECORD_TABLES, "record")
        self._replace_document(document, list(passages), records)

    @abstractmethod
    def _replace_document(
        self, document: DocumentRow, passages: list[PassageRow], records: dict[str, list[dict]]
    ) -> None: ...

    def delete_document(self, document_id: str) -> bool:
        """Forget a document, its editors' fields included, and the editors' fields of the
        cases only it described: uploaded again, the document would bring back a case page
        edited for a file its editor deleted. A re-ingest or an update keeps both."""
        only_here = [
            case["id"]
            for case in self.records("cases")
            if all(
                ref.startswith(f"{document_id}:")
                for ref in [*json.loads(case["mention_ids"]), *json.loads(case["passage_ids"])]
            )
        ]
        return self._delete_document(document_id, only_here)

    @abstractmethod
    def _delete_document(self, document_id: str, case_ids: list[str]) -> bool:
        """Delete a document, its records, passages and edits, and the edits of `case_ids`,
        in one transaction."""

    # -- passages --------------------------------------------------------------

    @abstractmethod
    def passages(self, document_id: str | None = None) -> list[PassageRow]:
        """Passages in document then reading order; one document's when given."""

    @abstractmethod
    def searchable_passages(self, document_ids: list[str] | None = None) -> list[PassageRow]:
        """What search indexes: every passage but footnotes and bare links (ingest.kinds),
        by document and ordinal; of the given documents only, if given."""

    @abstractmethod
    def passage(self, passage_id: str) -> PassageRow | None: ...

    def neighbours(self, passage: PassageRow, radius: int = 1) -> list[PassageRow]:
        """The passages around one in its document, by ordinal: footnotes follow each
        other, the text likewise, so each passage's neighbours are of its own sort."""
        return self._neighbour_rows(
            passage.document_id,
            passage.kind == "note",
            passage.ordinal - radius,
            passage.ordinal + radius,
        )

    @abstractmethod
    def _neighbour_rows(
        self, document_id: str, notes: bool, first: int, last: int
    ) -> list[PassageRow]:
        """A document's passages with ordinals first..last, notes or not, by ordinal."""

    @abstractmethod
    def fts(self, query: str, limit: int) -> list[tuple[str, float]]:
        """The backend's own word match, accent-insensitive → (passage id, score; higher is
        better), best first: the lexical side asked of the store itself (tsvector and
        ts_rank_cd on PostgreSQL, FTS5's bm25 on SQLite). Search ranks with its own BM25
        (search.bm25) on both backends."""

    # Whether `bm25` ranks inside the store: search's RECUEIL_RETRIEVAL=sql asks it.
    ranks_bm25 = False

    def lexical_statistics(self) -> tuple[int, float]:
        """How many searchable passages there are and their average length in indexed
        words: BM25's collection statistics, derived from the rows (read once per engine:
        they move only with writes). Only where `ranks_bm25`."""
        raise NotImplementedError(f"{type(self).__name__} does not rank BM25 itself")

    def bm25(
        self, query: str, limit: int, okapi: Okapi, ids: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """The searchable passages holding any of the query's words, ranked by Okapi BM25
        computed inside the store → (passage id, score), best first; `ids` restricts them.
        Only where `ranks_bm25` (PostgreSQL); SQLite ranks in memory (search.bm25)."""
        raise NotImplementedError(f"{type(self).__name__} does not rank BM25 itself")

    # -- embeddings ------------------------------------------------------------

    def embeddings(self, model: str, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """This model's vectors (float32) for those of these text hashes that have one."""
        return dict(self._embedding_rows(model, _unique(hashes), vectors=True))

    def embedded_hashes(self, model: str, hashes: Iterable[str]) -> set[str]:
        """Which of these text hashes have a vector for this model (vectors left unread)."""
        return {digest for digest, _ in self._embedding_rows(model, _unique(hashes), False)}

    @abstractmethod
    def _embedding_rows(
        self, model: str, hashes: list[str], vectors: bool
    ) -> Iterator[tuple[str, np.ndarray | None]]:
        """(hash, vector or None) for these hashes, BATCH hashes to a query."""

    @abstractmethod
    def save_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None: ...

    @abstractmethod
    def nearest(
        self, model: str, vector: np.ndarray, k: int, ef_search: int | None = None
    ) -> list[tuple[str, float]]:
        """The k text hashes whose vectors for `model` have the highest inner product with
        `vector` → (hash, inner product), best first: the dense side asked of the store
        itself (PostgreSQL's HNSW index; an exact scan on SQLite). Search ranks with its
        own FAISS index on both backends (search.vectors), unless RECUEIL_RETRIEVAL=sql
        takes its dense candidates from here (search.retrieval); measured in
        bench/backends_bench.py. `ef_search`: how
        many candidates an approximate index keeps while searching (recall against time);
        an exact backend ignores it."""

    @abstractmethod
    def prune_embeddings(self, keep: set[str]) -> int:
        """Drop every vector whose text hash is not in `keep` (texts that no longer exist);
        how many hashes went."""

    # -- records and derived knowledge -----------------------------------------

    def records(self, table: str) -> list[dict]:
        if table not in RECORD_TABLES + DERIVED_TABLES:
            raise ValueError(f"unknown table {table!r}")
        return self._table(table)

    @abstractmethod
    def _table(self, table: str) -> list[dict]:
        """Every row of a record or derived table, by id."""

    def record_counts(self, table: str) -> Counter[str]:
        """How many records of a table (statements, quotes…) each passage holds."""
        if table not in RECORD_TABLES:
            raise ValueError(f"unknown record table {table!r}")
        return Counter(dict(self._record_counts(table)))

    @abstractmethod
    def _record_counts(self, table: str) -> list[tuple[str, int]]:
        """(passage id, number of records) of a record table."""

    def replace_derived(self, tables: dict[str, list[dict]]) -> None:
        """Swap the derived tables (practices, cases) for new contents, all or nothing."""
        _check_tables(tables, DERIVED_TABLES, "derived")
        self._replace_derived(tables)

    @abstractmethod
    def _replace_derived(self, tables: dict[str, list[dict]]) -> None: ...

    # -- copies between backends (ingest.copy) ---------------------------------

    @abstractmethod
    def dump(self, table: str) -> Iterator[list[dict]]:
        """A table's rows as stored (documents without edits, embeddings with `vector` as a
        float32 array), in batches, by DUMP_KEYS (code-point order)."""

    @abstractmethod
    def load(self, table: str, rows: list[dict]) -> None:
        """Add rows as `dump` gives them, in one transaction."""

    @abstractmethod
    def count(self, table: str) -> int: ...

    # -- summary ---------------------------------------------------------------

    def stats(self) -> dict:
        # An editor's title and kind, as search and citations show them (document_edits).
        edits = self.document_edits()
        per_document = [
            {
                "id": row[0],
                "file": row[1],
                "title": edits.get(row[0], {}).get("title", row[2]),
                "kind": edits.get(row[0], {}).get("kind", row[3]),
                "passages": row[4],
                "searched": row[5] or 0,
                "notes": row[6] or 0,
                "speakers": row[7],
            }
            for row in self._per_document()
        ]
        return {
            "store": self.location,
            "schema_version": self.schema_version(),
            "documents": len(per_document),
            "passages": self.count("passages"),
            "embeddings": self._models(),
            "records": {table: self.count(table) for table in RECORD_TABLES + DERIVED_TABLES},
            "per_document": per_document,
        }

    @abstractmethod
    def _per_document(self) -> list[tuple]:
        """Per document by id: id, file, title, kind, passages, searched, notes, speakers."""

    @abstractmethod
    def _models(self) -> dict[str, int]:
        """How many vectors each embedding model has."""

    def fingerprint(self) -> str:
        """Changes whenever passages change: cheap staleness check for derived indexes.

        The same passages give the same fingerprint on every backend, so the index files
        beside a store stay valid when it is copied to another backend.
        """
        digest = hashlib.sha1()
        for passage_id, passage_hash in self._passage_hashes():
            digest.update(f"{passage_id}:{passage_hash};".encode())
        return digest.hexdigest()

    @abstractmethod
    def _passage_hashes(self) -> Iterable[tuple[str, str]]:
        """(id, hash) of every passage, by id in code-point order."""


def check_schema(version: int, supported: int) -> None:
    """Refuse a store migrated by a newer Recueil: its schema may mean what this one ignores."""
    if version > supported:
        raise RuntimeError(f"store schema v{version} is newer than this Recueil (v{supported})")


def _check_tables(tables: dict, allowed: tuple[str, ...], what: str) -> None:
    for table in tables:
        if table not in allowed:
            raise ValueError(f"unknown {what} table {table!r}")


def _unique(hashes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(hashes))


def merged_edit(current: dict, fields: dict) -> dict:
    """An editor's fields laid over the current ones; None takes a field out."""
    return {k: v for k, v in {**current, **fields}.items() if v is not None}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps_pages(page_starts: list[int]) -> str:
    return json.dumps(page_starts)


def database_timeout() -> float:
    """RECUEIL_DB_TIMEOUT in seconds (DEFAULT_DB_TIMEOUT unset); ValueError if not a
    positive number."""
    raw = os.environ.get("RECUEIL_DB_TIMEOUT") or str(DEFAULT_DB_TIMEOUT)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise ValueError(f"RECUEIL_DB_TIMEOUT vaut un nombre de secondes positif (pas « {raw} »)")
    return seconds


def backend_name() -> str:
    """The backend `open_store` picks: postgres when a database URL is set."""
    if os.environ.get("RECUEIL_DATABASE_URL"):
        return "postgres"
    backend = os.environ.get("RECUEIL_BACKEND") or "sqlite"
    if backend not in BACKENDS:
        raise ValueError(f"RECUEIL_BACKEND vaut sqlite ou postgres (pas « {backend} »)")
    return backend


def embedded_wanted() -> bool:
    """Whether the store is an embedded PostgreSQL in the data folder: the postgres backend
    without a database URL (ingest.backends.embedded)."""
    return backend_name() == "postgres" and not os.environ.get("RECUEIL_DATABASE_URL")


def open_store(data_dir: Path | str, read_only: bool = False, backend: str | None = None) -> Store:
    """The store of a data folder, on the backend the environment names.

    `RECUEIL_DATABASE_URL=postgresql://…` uses that server; `RECUEIL_BACKEND=postgres`
    alone starts an embedded one inside the data folder (ingest.backends.embedded); the
    default is SQLite in the data folder. `backend` overrides the environment's choice
    (`recueil migrate` opens both). The data folder holds the derived index files whatever
    the backend.
    """
    backend = backend or backend_name()
    if backend == "sqlite":
        from ingest.backends.sqlite import SQLiteStore

        return SQLiteStore(data_dir, read_only=read_only)
    if backend != "postgres":
        raise ValueError(f"unknown backend {backend!r}: expected one of {', '.join(BACKENDS)}")
    from ingest.backends.postgres import PostgresStore

    url = os.environ.get("RECUEIL_DATABASE_URL")
    if url:
        return PostgresStore(url, data_dir, read_only=read_only)
    from ingest.backends.embedded import embedded_server

    server = embedded_server(Path(data_dir), create=not read_only)
    return PostgresStore(server.url, data_dir, read_only=read_only, server=server)
