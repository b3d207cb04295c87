"""The PostgreSQL store: the only module that knows its schema.

The same documents, passages, records, edits and embeddings as the SQLite store, in a
database any number of processes (and machines) share. Inside it:

- passages carry a `tsv` column, generated from their text, section and speaker with the
  `recueil_french` text-search configuration (French Snowball stems over `unaccent`), with
  a GIN index: `fts` matches on it;
- embeddings are pgvector `halfvec` (half the bytes of float32, the precision the engine
  already scores with), with one HNSW index per model (inner product, vectors are
  normalised), made when the model's first vectors arrive;
- `recueil_meta` holds the schema version, a data version bumped by every write
  transaction and a count of published search states (below): what a server reads to
  see other processes' writes (Store.watch). Writers also send a notification on the
  `recueil` channel when they publish and when they are done: servers LISTEN and reload
  at once, and still read the versions every few seconds in case one was missed.

Search ranks in memory (BM25 postings, FAISS) from the rows read here, so results are
the same on both backends. `fts`, `bm25` and `nearest` ask the GIN and HNSW indexes
themselves: `bm25` and `nearest` give search its candidates under RECUEIL_RETRIEVAL=sql
(search.retrieval), and bench/backends_bench.py measures `fts` and `nearest` against the
in-memory engine (docs/POSTGRES.md).

Writes are serialised twice, as SQLite serialises them: each write transaction takes a
transaction-level advisory lock (one writer commits at a time, as in SQLite), and a whole
write (ingest, then embeddings and cards) holds a session-level advisory lock, the
PostgreSQL counterpart of ingest.writelock's flock: the server drops it when its holder's
connection ends, so a killed writer never leaves the store locked. A third advisory lock
covers the write's search part only, released when the writer publishes it
(ingest.store.WriteGuard).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np
import psycopg
import psycopg.conninfo
from pgvector import HalfVector
from pgvector.psycopg import register_vector
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from ingest.atomic import replacing
from ingest.backends.embedded import EmbeddedServer
from ingest.backends.pgtools import client_tool, run_tool
from ingest.store import (
    DUMP_KEYS,
    EDIT_KEYS,
    NOT_SEARCHED_KINDS,
    RECORD_TABLES,
    TABLES,
    BackupError,
    DocumentRow,
    Okapi,
    PassageRow,
    RestoreError,
    Store,
    StoreUnavailable,
    Versions,
    check_schema,
    database_timeout,
    merged_edit,
    now,
)

TEXT_SEARCH = "recueil_french"
# Advisory lock keys, "recueil" in ASCII: the whole write, and one commit.
WRITE_LOCK = 0x7265637565696C00
COMMIT_LOCK = WRITE_LOCK + 1
# Held with WRITE_LOCK until the writer publishes its search state (WriteGuard.publish).
SEARCH_LOCK = WRITE_LOCK + 2
# Where writers say that they published or finished: servers LISTEN (DataVersion.wait).
CHANNEL = "recueil"
# How often a server waiting for a notification looks whether it should stop instead.
STOP_CHECK = 0.25
# RECUEIL_DB_TIMEOUT (ingest.store.database_timeout): how long a new connection, or a
# request waiting for a pooled one, waits before the database counts as unreachable (a
# 503, one CLI line); libpq counts whole seconds, 2 at least.
POOL_TIMEOUT = database_timeout()
CONNECT_TIMEOUT = max(2, math.ceil(POOL_TIMEOUT))
POOL_SIZE = 8
# What an HNSW index built after a bulk load may use (`vector_index_deferred`): more than
# the graph's size, else pgvector builds it on disk an order of magnitude slower. The
# graph of a million 384-dimension half vectors at m 16 is about 1.2 GB.
BULK_MAINTENANCE_WORK_MEM = "3GB"
# Text keys sort by code point, as SQLite's BINARY collation does, whatever the database's
# locale: the same rows come in the same order (and give the same fingerprint) on both.
_BY_CODE_POINT = 'COLLATE "C"'

log = logging.getLogger(__name__)

_DOCUMENT_COLUMNS = [field.name for field in fields(DocumentRow)]
_PASSAGE_COLUMNS = [field.name for field in fields(PassageRow)]
# The columns every per-document record shares: where it stands in its source.
_RECORD = "id text PRIMARY KEY, document_id text NOT NULL REFERENCES documents (id), "
_RECORD += 'passage_id text, text text, start bigint, "end" bigint, page bigint'

_V1 = f"""
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION {TEXT_SEARCH} (COPY = french);
ALTER TEXT SEARCH CONFIGURATION {TEXT_SEARCH}
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
CREATE TABLE documents (
    id text PRIMARY KEY, path text NOT NULL UNIQUE, file text, title text, event text,
    date text, year bigint, place text, kind text, url text, content_hash text, size bigint,
    page_count bigint, page_starts text, text text, ingested_at text
);
CREATE TABLE passages (
    id text PRIMARY KEY, document_id text NOT NULL REFERENCES documents (id),
    ordinal bigint NOT NULL, kind text, text text, start bigint, "end" bigint,
    page_start bigint, page_end bigint, section text, speaker text, speaker_role text,
    hash text, speech text, question text,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('{TEXT_SEARCH}',
        coalesce(text, '') || ' ' || coalesce(section, '') || ' ' || coalesce(speaker, '')
    )) STORED,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX passages_hash ON passages (hash);
CREATE INDEX passages_tsv ON passages USING gin (tsv);
CREATE TABLE embeddings (
    hash text, model text, vector halfvec NOT NULL, PRIMARY KEY (hash, model)
);
CREATE TABLE quotes ({_RECORD}, speaker text, role text, method text, speech text);
CREATE TABLE statements ({_RECORD}, section text, cue text, polarity text);
CREATE TABLE mentions ({_RECORD}, name text, key text, cue text);
CREATE TABLE actor_mentions ({_RECORD}, name text, kind text);
CREATE INDEX quotes_document ON quotes (document_id);
CREATE INDEX statements_document ON statements (document_id);
CREATE INDEX mentions_document ON mentions (document_id);
CREATE INDEX actor_mentions_document ON actor_mentions (document_id);
CREATE TABLE practices (
    id text PRIMARY KEY, label text, description text, polarity text, statement_ids text,
    documents bigint, events bigint
);
CREATE TABLE cases (
    id text PRIMARY KEY, name text, key text, place text, actors text, territories text,
    levers text, description text, mention_ids text, passage_ids text, documents bigint
);
CREATE TABLE actors (
    id text PRIMARY KEY, name text, kind text, type text, aliases text, roles text,
    mention_ids text, passage_ids text, documents bigint
);
CREATE TABLE case_edits (case_id text PRIMARY KEY, fields text, created_at text, updated_at text);
CREATE TABLE document_edits (
    document_id text PRIMARY KEY, fields text, created_at text, updated_at text
);
"""

# The organisation an actor is part of (« Banque des Territoires de la Caisse des
# Dépôts »): the id of that actor, or null (the SQLite store's v5).
_V2 = "ALTER TABLE actors ADD COLUMN part_of text"

# One SQL script per schema version, applied in order; the SQLite store's v1 to v4 are
# all in _V1 (the backend started at that schema).
MIGRATIONS = [_V1, _V2]
SCHEMA_VERSION = len(MIGRATIONS)
# What a restore removes from an empty store before the archive brings its own: every
# object MIGRATIONS made but the extensions.
_DROP = f"""
DROP TABLE IF EXISTS recueil_meta, {", ".join(TABLES)} CASCADE;
DROP TEXT SEARCH CONFIGURATION IF EXISTS {TEXT_SEARCH};
"""


def _connect(url: str) -> psycopg.Connection:
    """A connection of its own (migrations, the write lock), or a clear error."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"{_safe_url(url)}: {exc}".strip()) from exc


def _safe_url(url: str) -> str:
    """The URL without its password: what messages and `recueil stats` show."""
    parts = psycopg.conninfo.conninfo_to_dict(url)
    host = parts.get("host") or "localhost"
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{parts.get('user') or ''}@{host}{port}/{parts.get('dbname') or ''}"


class AdvisoryWriteLock:
    """One writer at a time on the database, across processes and machines: session-level
    advisory locks on a connection of its own, held for the whole write (WRITE_LOCK) and
    for its search part (SEARCH_LOCK, let go by `publish`).

    Like ingest.writelock.WriteLock: the thread lock keeps two threads of one process from
    both waiting (each on its own connection, they would queue behind each other's lock
    anyway, but one process is one writer); `idle` and `searchable` are the non-blocking
    probes for readers.
    """

    def __init__(self, url: str):
        self.url = url
        self._threads = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._searching = False

    def __enter__(self) -> AdvisoryWriteLock:
        self._threads.acquire()
        try:
            self._conn = _connect(self.url)
            self._conn.execute("SELECT pg_advisory_lock(%s)", [WRITE_LOCK])
            self._conn.execute("SELECT pg_advisory_lock(%s)", [SEARCH_LOCK])
        except BaseException:
            self.__exit__()  # a lock taken goes with its connection
            raise
        self._searching = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:  # let go first, then wake the servers up (they find the lock free)
                conn.execute("SELECT pg_advisory_unlock_all()")
                conn.execute("SELECT pg_notify(%s, 'done')", [CHANNEL])
            except psycopg.Error:
                log.warning("the write lock's connection was lost: servers will poll")
            finally:
                conn.close()  # the session ends: the server releases whatever is left
        self._threads.release()

    def publish(self) -> None:
        """Count the published search state, let go of the search lock, and say so."""
        if self._conn is None or not self._searching:
            return
        self._conn.execute("UPDATE recueil_meta SET value = value + 1 WHERE key = 'published'")
        self._conn.execute("SELECT pg_advisory_unlock(%s)", [SEARCH_LOCK])
        self._conn.execute("SELECT pg_notify(%s, 'published')", [CHANNEL])
        self._searching = False

    def idle(self) -> AbstractContextManager[bool]:
        """Whether no writer holds the lock now; while inside, none can start (shared)."""
        return self._probe(WRITE_LOCK)

    def searchable(self) -> AbstractContextManager[bool]:
        """Whether no writer is before its `publish`; while inside, none can start."""
        return self._probe(SEARCH_LOCK)

    @contextmanager
    def _probe(self, key: int) -> Iterator[bool]:
        with _connect(self.url) as conn:
            row = conn.execute("SELECT pg_try_advisory_lock_shared(%s)", [key]).fetchone()
            yield bool(row and row[0])


class DataVersion:
    """The versions in `recueil_meta` (every write transaction bumps `data`, every publish
    `published`), and the writers' notifications, on a listening connection of its own.

    A notification is only a wake-up: what moved is always read from the rows, so one
    that was missed (the connection dropped, the writer was killed) costs a poll period.
    """

    def __init__(self, connection: Callable[[], AbstractContextManager], url: str):
        self._connection = connection  # PostgresStore._connection: its pool, its errors
        self._url = url
        self._listener: psycopg.Connection | None = None

    def read(self) -> Versions:
        with self._connection() as conn:
            rows = dict(
                conn.execute(
                    "SELECT key, value FROM recueil_meta WHERE key IN ('data', 'published')"
                ).fetchall()
            )
        return Versions(rows["data"], rows.get("published", 0))

    def wait(self, timeout: float, stop: threading.Event) -> None:
        try:
            listener = self._listen()
        except StoreUnavailable as exc:
            log.warning("cannot listen for notifications (%s): polling", exc)
            stop.wait(timeout)
            return
        deadline = time.monotonic() + timeout
        try:
            while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
                for _ in listener.notifies(timeout=min(left, STOP_CHECK), stop_after=1):
                    return
        except psycopg.Error as exc:
            # Back at once: what moved meanwhile is read from the rows; listen anew next time.
            log.warning("notifications from %s lost (%s)", _safe_url(self._url), exc)
            self.close()

    def _listen(self) -> psycopg.Connection:
        if self._listener is None:
            conn = _connect(self._url)
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
            self._listener = conn
        return self._listener

    def close(self) -> None:
        """Close the listening connection (the versions are read through the store's pool)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()


class PostgresStore(Store):
    """A store in a PostgreSQL database, through a pool of connections shared by threads."""

    backend = "postgres"

    def __init__(
        self,
        url: str,
        data_dir: Path | str,
        read_only: bool = False,
        server: EmbeddedServer | None = None,
    ):
        self.url = url
        self.data_dir = Path(data_dir)
        self.read_only = read_only
        self._server = server  # an embedded server lives as long as the stores using it
        # Models whose HNSW index waits for the end of a bulk load (vector_index_deferred),
        # with their dimension; None outside one.
        self._deferred: dict[str, int] | None = None
        if read_only:
            self._require_store()
        else:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.migrate()
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT},
            configure=register_vector,
            check=ConnectionPool.check_connection,  # a server back after a restart: new ones
            timeout=POOL_TIMEOUT,
            # Background reconnections give up this soon (psycopg's default, 5 min of
            # doubling delays, kept a server back up unused for ~50 s): the next request
            # then tries at once.
            reconnect_timeout=POOL_TIMEOUT,
            open=False,
            name="recueil",
        )
        try:
            self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        except PoolTimeout as exc:
            message = f"{self.location}: no connection in {CONNECT_TIMEOUT} s"
            raise StoreUnavailable(message) from exc

    @property
    def location(self) -> str:
        return _safe_url(self.url)

    def write_lock(self) -> AdvisoryWriteLock:
        return AdvisoryWriteLock(self.url)

    def watch(self) -> DataVersion:
        return DataVersion(self._connection, self.url)

    def close(self) -> None:
        """Close the pool's connections, and let go of an embedded server."""
        self._pool.close()
        if self._server is not None:
            self._server.release()
            self._server = None

    def reachable(self, timeout: float) -> bool:
        try:
            with self._pool.connection(timeout=timeout) as conn:
                conn.execute("SELECT 1")
        except (PoolTimeout, psycopg.OperationalError):
            return False
        return True

    # -- schema ----------------------------------------------------------------

    # -- backup and restore (pg_dump, pg_restore: ingest.backends.pgtools) -------

    def backup(self, target: Path) -> dict[str, int]:
        """`pg_dump -Fc` of the database, from a snapshot this connection exports: the
        counts returned are those of the copy, whatever writers do meanwhile."""
        with psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            counts = {table: _count(conn, table) for table in ("documents", "passages")}
            pg_dump = client_tool("pg_dump", conn.info.server_version // 10000)
            with replacing(target) as partial:
                run_tool(
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={partial}",
                    url=self.url,
                )
        return {**counts, "bytes": target.stat().st_size}

    def restore(self, source: Path) -> dict[str, int]:
        """`pg_restore` of a `backup` into this store, which must be empty: a restore never
        merges two stores nor drops one. The empty store's own tables make way for the
        archive's, in one transaction; the extensions stay (the archive's are skipped,
        which a role that may not create extensions could not restore)."""
        with _connect(self.url) as conn:
            pg_restore = client_tool("pg_restore", conn.info.server_version // 10000)
        entries = _archive_entries(pg_restore, source)
        with self.write_lock():
            documents = self.count("documents")
            if any(self.count(table) for table in TABLES):
                raise RestoreError(
                    f"la base {self.location} n’est pas vide ({documents} documents) : "
                    "restaurez dans une base vide, la restauration ne remplace ni ne "
                    "fusionne une base remplie"
                )
            before = self.watch().read().data
            listing = self.data_dir / f".restore-{os.getpid()}.list"
            listing.write_text("\n".join(entries) + "\n", encoding="utf-8")
            try:
                with self._connection() as conn, conn.transaction():
                    conn.execute(_DROP)
                run_tool(
                    pg_restore,
                    "--single-transaction",
                    "--exit-on-error",
                    "--no-owner",
                    "--no-privileges",
                    f"--use-list={listing}",
                    str(source),
                    url=self.url,
                )
            except BackupError as exc:
                raise RestoreError(f"{source} : restauration impossible ({exc})") from exc
            finally:
                listing.unlink(missing_ok=True)
                self.migrate()  # the restored schema brought to this version (or remade)
            with self._connection() as conn:  # servers that saw the empty store reload
                conn.execute(
                    "UPDATE recueil_meta SET value = greatest(value, %s) + 1 WHERE key = 'data'",
                    [before],
                )
        shutil.rmtree(self.data_dir / "index", ignore_errors=True)
        return {table: self.count(table) for table in ("documents", "passages")}

    def schema_version(self) -> int:
        with _connect(self.url) as conn:
            return self._version(conn)

    @staticmethod
    def _version(conn: psycopg.Connection) -> int:
        if conn.execute("SELECT to_regclass('recueil_meta')").fetchone()[0] is None:
            return 0
        row = conn.execute("SELECT value FROM recueil_meta WHERE key = 'schema'").fetchone()
        return row[0]

    def _require_store(self) -> None:
        if self.schema_version() == 0:
            raise FileNotFoundError(f"no Recueil store in {self.location}")

    def migrate(self) -> None:
        """Bring the schema to this version, one script per transaction; concurrent
        starters queue on the commit lock and find the work done."""
        with _connect(self.url) as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_LOCK])
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS recueil_meta (key text PRIMARY KEY, value bigint)"
                )
                conn.execute(
                    "INSERT INTO recueil_meta VALUES ('schema', 0), ('data', 0), ('published', 0) "
                    "ON CONFLICT (key) DO NOTHING"
                )
            version = self._version(conn)
            check_schema(version, SCHEMA_VERSION)
            for number in range(version, SCHEMA_VERSION):
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_LOCK])
                    if self._version(conn) > number:
                        continue  # another process migrated while this one waited
                    conn.execute(MIGRATIONS[number])
                    conn.execute(
                        "UPDATE recueil_meta SET value = %s WHERE key = 'schema'", [number + 1]
                    )

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection; a server down, a connection lost or no free connection in
        POOL_TIMEOUT s is StoreUnavailable (the API answers 503, the CLI one line)."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except PoolTimeout as exc:
            raise StoreUnavailable(f"{self.location}: no connection in {POOL_TIMEOUT} s") from exc
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"{self.location}: {exc}".strip()) from exc

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection]:
        """All or nothing, one committer at a time; the data version moves with it."""
        with self._connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", [COMMIT_LOCK])
            yield conn
            conn.execute("UPDATE recueil_meta SET value = value + 1 WHERE key = 'data'")

    def _rows(self, query: str | sql.Composable, args: Iterable = ()) -> list[dict]:
        with self._connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
            return cursor.execute(query, list(args)).fetchall()

    def _tuples(self, query: str | sql.Composable, args: Iterable | dict = ()) -> list[tuple]:
        with self._connection() as conn:
            return conn.execute(query, args if isinstance(args, dict) else list(args)).fetchall()

    # -- documents -------------------------------------------------------------

    def _document_rows(
        self, column: str | None = None, value: str | None = None, with_text: bool = True
    ) -> list[dict]:
        where = sql.SQL("WHERE {} = %s").format(sql.Identifier(column)) if column else sql.SQL("")
        columns = _DOCUMENT_COLUMNS if with_text else [c for c in _DOCUMENT_COLUMNS if c != "text"]
        query = sql.SQL("SELECT {} FROM documents {} ORDER BY id {}").format(
            _columns(columns), where, sql.SQL(_BY_CODE_POINT)
        )
        return self._rows(query, [value] if column else [])

    def _document_texts(self, document_ids: list[str]) -> dict[str, str]:
        return dict(
            self._tuples("SELECT id, text FROM documents WHERE id = ANY(%s)", [document_ids])
        )

    def _edit_rows(self, table: str) -> list[tuple[str, str]]:
        query = sql.SQL("SELECT {}, fields FROM {}").format(
            sql.Identifier(EDIT_KEYS[table]), sql.Identifier(table)
        )
        return self._tuples(query)

    def _delete_edit(self, table: str, key: str) -> bool:
        with self._transaction() as conn:
            query = sql.SQL("DELETE FROM {} WHERE {} = %s").format(
                sql.Identifier(table), sql.Identifier(EDIT_KEYS[table])
            )
            return conn.execute(query, [key]).rowcount > 0

    def _merge_edit(self, table: str, key: str, fields: dict) -> dict:
        column = sql.Identifier(EDIT_KEYS[table])
        with self._transaction() as conn:
            query = sql.SQL("SELECT fields FROM {} WHERE {} = %s")
            row = conn.execute(query.format(sql.Identifier(table), column), [key]).fetchone()
            merged = merged_edit(json.loads(row[0]) if row else {}, fields)
            stamp = now()
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} VALUES (%s, %s, %s, %s) ON CONFLICT ({}) "
                    "DO UPDATE SET fields = EXCLUDED.fields, updated_at = EXCLUDED.updated_at"
                ).format(sql.Identifier(table), column),
                [key, json.dumps(merged, ensure_ascii=False), stamp, stamp],
            )
        return merged

    def _replace_document(
        self, document: DocumentRow, passages: list[PassageRow], records: dict[str, list[dict]]
    ) -> None:
        with self._transaction() as conn:
            self._delete(conn, document.id)
            _insert(conn, "documents", [asdict(document)])
            _insert(conn, "passages", [asdict(passage) for passage in passages])
            for table, rows in records.items():
                _insert(conn, table, rows)

    def _delete_document(self, document_id: str, case_ids: list[str]) -> bool:
        with self._transaction() as conn:
            conn.execute("DELETE FROM document_edits WHERE document_id = %s", [document_id])
            conn.execute("DELETE FROM case_edits WHERE case_id = ANY(%s)", [case_ids])
            return self._delete(conn, document_id)

    @staticmethod
    def _delete(conn: psycopg.Connection, document_id: str) -> bool:
        for table in (*RECORD_TABLES, "passages"):
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE document_id = %s").format(sql.Identifier(table)),
                [document_id],
            )
        return conn.execute("DELETE FROM documents WHERE id = %s", [document_id]).rowcount > 0

    # -- passages --------------------------------------------------------------

    def _passage_rows(self, where: str, args: Iterable = (), order: str | None = None) -> list:
        order = order or f"document_id {_BY_CODE_POINT}, ordinal"
        query = sql.SQL("SELECT {} FROM passages WHERE {} ORDER BY {}").format(
            _columns(_PASSAGE_COLUMNS), sql.SQL(where), sql.SQL(order)
        )
        return [PassageRow(**row) for row in self._rows(query, args)]

    def passages(self, document_id: str | None = None) -> list[PassageRow]:
        if document_id:
            return self._passage_rows("document_id = %s", [document_id])
        return self._passage_rows("TRUE")

    def searchable_passages(self, document_ids: list[str] | None = None) -> list[PassageRow]:
        if document_ids is None:
            return self._passage_rows("kind <> ALL(%s)", [NOT_SEARCHED_KINDS])
        return self._passage_rows(
            "kind <> ALL(%s) AND document_id = ANY(%s)", [NOT_SEARCHED_KINDS, document_ids]
        )

    def passage(self, passage_id: str) -> PassageRow | None:
        rows = self._passage_rows("id = %s", [passage_id])
        return rows[0] if rows else None

    def _neighbour_rows(
        self, document_id: str, notes: bool, first: int, last: int
    ) -> list[PassageRow]:
        return self._passage_rows(
            "document_id = %s AND (kind = 'note') = %s AND ordinal BETWEEN %s AND %s",
            [document_id, notes, first, last],
            order="ordinal",
        )

    def fts(self, query: str, limit: int) -> list[tuple[str, float]]:
        """The tsvector match (French stems, accents ignored) → (passage id, ts_rank_cd)."""
        rows = self._tuples(
            f"SELECT id, ts_rank_cd(tsv, query) FROM passages, "
            f"websearch_to_tsquery('{TEXT_SEARCH}', %s) AS query WHERE tsv @@ query "
            f"ORDER BY 2 DESC, id {_BY_CODE_POINT} LIMIT %s",
            [query, limit],
        )
        return [(passage_id, float(score)) for passage_id, score in rows]

    ranks_bm25 = True

    def lexical_statistics(self) -> tuple[int, float]:
        row = self._tuples(
            "SELECT COUNT(*), COALESCE(AVG((SELECT SUM(cardinality(positions)) "
            "FROM unnest(tsv))), 0) FROM passages WHERE kind <> ALL(%s)",
            [NOT_SEARCHED_KINDS],
        )[0]
        return int(row[0]), float(row[1])

    def bm25(
        self, query: str, limit: int, okapi: Okapi, ids: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """An OR of the query's lexemes through the GIN index, each match scored by BM25:
        tf from the tsvector's positions, each lexeme's passage count through the GIN
        index at query time, the collection's size and average length from `okapi`.
        Words PostgreSQL's French configuration drops (its stop words) weigh nothing."""
        if not okapi.passages:
            return []
        restricted = "" if ids is None else "AND id = ANY(%(ids)s)"
        rows = self._tuples(
            _BM25.format(restricted=restricted, config=TEXT_SEARCH, order=_BY_CODE_POINT),
            {
                "q": query,
                "skip": NOT_SEARCHED_KINDS,
                "ids": ids,
                "n": okapi.passages,
                "avgdl": max(okapi.average_length, 1e-9),
                "k1": okapi.k1,
                "b": okapi.b,
                "k": limit,
            },
        )
        return [(passage_id, float(score)) for passage_id, score in rows]

    # -- embeddings ------------------------------------------------------------

    def _embedding_rows(
        self, model: str, hashes: list[str], vectors: bool
    ) -> Iterator[tuple[str, np.ndarray | None]]:
        columns = "hash, vector" if vectors else "hash, NULL"
        with self._connection() as conn, conn.cursor(binary=True) as cursor:
            for start in range(0, len(hashes), 5000):
                cursor.execute(
                    f"SELECT {columns} FROM embeddings WHERE model = %s AND hash = ANY(%s)",
                    [model, hashes[start : start + 5000]],
                )
                for digest, vector in cursor:
                    yield digest, None if vector is None else _floats(vector)

    def save_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Add or replace vectors: a binary COPY into a scratch table, then one upsert
        (three times faster than row by row inserts)."""
        if not vectors:
            return
        with self._transaction() as conn:
            conn.execute("CREATE TEMP TABLE arriving (LIKE embeddings) ON COMMIT DROP")
            _copy_vectors(conn, "arriving", [(h, model, v) for h, v in vectors.items()])
            conn.execute(
                "INSERT INTO embeddings SELECT * FROM arriving "
                "ON CONFLICT (hash, model) DO UPDATE SET vector = EXCLUDED.vector"
            )
            self._index_vectors(conn, model, len(next(iter(vectors.values()))))

    @contextmanager
    def vector_index_deferred(
        self, maintenance_work_mem: str = BULK_MAINTENANCE_WORK_MEM
    ) -> Iterator[None]:
        """Vectors saved inside go in without HNSW upkeep, each model's index built once
        at the end with `maintenance_work_mem`: inserting into a growing graph costs far
        more than building it once (263 vectors/s at 100k, docs/BENCHMARKS.md). A model's
        existing index is dropped at its first save inside, so none is left stale; nearest
        scans the model's vectors until the build (exact, slow)."""
        self._deferred = {}
        try:
            yield
        finally:
            deferred, self._deferred = self._deferred, None
        for model, dim in deferred.items():
            with self._transaction() as conn:
                conn.execute(
                    "SELECT set_config('maintenance_work_mem', %s, true)", [maintenance_work_mem]
                )
                _ensure_hnsw(conn, model, dim)

    def _index_vectors(self, conn: psycopg.Connection, model: str, dim: int) -> None:
        """Keep the model's HNSW index, or drop it until the end of a bulk load."""
        if self._deferred is None:
            _ensure_hnsw(conn, model, dim)
        elif model not in self._deferred:
            conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(_hnsw_name(model)))
            self._deferred[model] = dim

    def nearest(
        self, model: str, vector: np.ndarray, k: int, ef_search: int | None = None
    ) -> list[tuple[str, float]]:
        """Through the model's HNSW index: the ORDER BY repeats the index's expression and
        the model is a literal, so that the planner, prepared statements' generic plans
        included, can prove the partial index's condition. `ef_search` sets
        `hnsw.ef_search` for this query only (pgvector's default is 40, its limit 1000)."""
        with self._pool.connection() as conn, conn.transaction():
            if ef_search:
                conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(ef_search)])
            rows = conn.execute(
                nearest_query(model, len(vector)), {"q": HalfVector(vector), "k": k}
            ).fetchall()
        return [(digest, float(score)) for digest, score in rows]

    def prune_embeddings(self, keep: set[str]) -> int:
        with self._transaction() as conn:
            row = conn.execute(
                "WITH gone AS (DELETE FROM embeddings WHERE NOT (hash = ANY(%s)) RETURNING hash) "
                "SELECT COUNT(DISTINCT hash) FROM gone",
                [list(keep)],
            ).fetchone()
        return row[0]

    # -- records and derived knowledge -----------------------------------------

    def _table(self, table: str) -> list[dict]:
        query = sql.SQL("SELECT * FROM {} ORDER BY id {}").format(
            sql.Identifier(table), sql.SQL(_BY_CODE_POINT)
        )
        return self._rows(query)

    def _record_counts(self, table: str) -> list[tuple[str, int]]:
        query = sql.SQL("SELECT passage_id, COUNT(*) FROM {} GROUP BY passage_id").format(
            sql.Identifier(table)
        )
        return self._tuples(query)

    def _replace_derived(self, tables: dict[str, list[dict]]) -> None:
        with self._transaction() as conn:
            for table, rows in tables.items():
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
                _insert(conn, table, rows)

    # -- copies between backends -----------------------------------------------

    def dump(self, table: str) -> Iterator[list[dict]]:
        order = ", ".join(f"{key} {_BY_CODE_POINT}" for key in DUMP_KEYS.get(table, ("id",)))
        columns = _columns(_PASSAGE_COLUMNS) if table == "passages" else sql.SQL("*")
        query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
            columns, sql.Identifier(table), sql.SQL(order)
        )
        with self._connection() as conn, conn.transaction():
            cursor = conn.cursor(name=f"dump_{table}", row_factory=dict_row, binary=True)
            cursor.execute(query)
            while batch := cursor.fetchmany(5000):
                if table == "embeddings":
                    for row in batch:
                        row["vector"] = _floats(row["vector"])
                yield batch

    def load(self, table: str, rows: list[dict]) -> None:
        with self._transaction() as conn:
            if table != "embeddings":
                _insert(conn, table, rows)
                return
            _copy_vectors(conn, table, [(r["hash"], r["model"], r["vector"]) for r in rows])
            for model in {row["model"] for row in rows}:
                self._index_vectors(conn, model, len(rows[0]["vector"]))

    def count(self, table: str) -> int:
        with self._connection() as conn:
            return _count(conn, table)

    # -- summary ---------------------------------------------------------------

    def _per_document(self) -> list[tuple]:
        return self._tuples(
            "SELECT d.id, d.file, d.title, d.kind, COUNT(p.id), "
            "COUNT(p.id) FILTER (WHERE p.kind <> ALL(%s)), "
            "COUNT(p.id) FILTER (WHERE p.kind = 'note'), COUNT(DISTINCT p.speaker) "
            "FROM documents d LEFT JOIN passages p ON p.document_id = d.id "
            f"GROUP BY d.id ORDER BY d.id {_BY_CODE_POINT}",
            [NOT_SEARCHED_KINDS],
        )

    def _models(self) -> dict[str, int]:
        return dict(self._tuples("SELECT model, COUNT(*) FROM embeddings GROUP BY model"))

    def _passage_hashes(self) -> Iterable[tuple[str, str]]:
        return self._tuples(f"SELECT id, hash FROM passages ORDER BY id {_BY_CODE_POINT}")


# BM25 inside PostgreSQL (PostgresStore.bm25): the query's distinct lexemes under the
# store's French configuration, each one's IDF from its passage count (the GIN index),
# then every passage holding any of them scored by the sum over the lexemes it holds.
_BM25 = """
WITH terms AS (
    SELECT DISTINCT lexeme FROM unnest(tsvector_to_array(to_tsvector('{config}', %(q)s))) lexeme
), counted AS MATERIALIZED (
    SELECT lexeme, (SELECT COUNT(*) FROM passages
        WHERE tsv @@ quote_literal(lexeme)::tsquery AND kind <> ALL(%(skip)s))::float8 AS df
    FROM terms
), weights AS (
    SELECT lexeme, ln(1 + (%(n)s::float8 - df + 0.5) / (df + 0.5)) AS idf FROM counted
), matched AS (
    SELECT id, tsv FROM passages
    WHERE tsv @@ (SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery FROM terms)
        AND kind <> ALL(%(skip)s) {restricted}
)
SELECT m.id, SUM(w.idf * e.tf * (%(k1)s::float8 + 1)
    / (e.tf + %(k1)s::float8 * (1 - %(b)s::float8 + %(b)s::float8 * l.dl / %(avgdl)s::float8)))
    AS score
FROM matched m
CROSS JOIN LATERAL (SELECT SUM(cardinality(positions))::float8 AS dl FROM unnest(m.tsv)) l
CROSS JOIN LATERAL (SELECT lexeme, cardinality(positions)::float8 AS tf FROM unnest(m.tsv)) e
JOIN weights w ON w.lexeme = e.lexeme
GROUP BY m.id ORDER BY score DESC, m.id {order} LIMIT %(k)s
"""


def _archive_entries(pg_restore: Path, source: Path) -> list[str]:
    """The table of contents of a Recueil backup, without its extensions (RestoreError if
    the file is not a pg_dump archive of a Recueil store)."""
    if not source.is_file():
        raise RestoreError(f"{source} : fichier introuvable")
    try:
        listing = run_tool(pg_restore, "--list", str(source))
    except BackupError as exc:
        raise RestoreError(f"{source} : pas une sauvegarde pg_dump lisible ({exc})") from exc
    tables = set(re.findall(r"TABLE DATA \S+ (\w+) ", listing))
    if not {"recueil_meta", *TABLES} <= tables:
        found = ", ".join(sorted(tables)) or "aucune"
        raise RestoreError(f"{source} : pas une sauvegarde de Recueil (tables : {found})")
    return [line for line in listing.splitlines() if " EXTENSION " not in line]


def _count(conn: psycopg.Connection, table: str) -> int:
    return conn.execute(
        sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(table))
    ).fetchone()[0]


def _columns(names: list[str]) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, names))


def _floats(vector: HalfVector) -> np.ndarray:
    return vector.to_numpy().astype(np.float32)


def _insert(conn: psycopg.Connection, table: str, rows: list[dict]) -> None:
    """COPY rows in, grouped by their set of keys (records may leave a column out); the
    text format, as their types are plain (vectors go through _copy_vectors)."""
    groups: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for row in rows:
        groups[tuple(row)].append(tuple(row.values()))
    for names, values in groups.items():
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), _columns(list(names))
        )
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for value in values:
                copy.write_row(value)


def _copy_vectors(
    conn: psycopg.Connection, table: str, rows: list[tuple[str, str, np.ndarray]]
) -> None:
    """(hash, model, float vector) rows into an embeddings-shaped table, by binary COPY."""
    statement = sql.SQL("COPY {} (hash, model, vector) FROM STDIN (FORMAT BINARY)")
    with conn.cursor() as cursor, cursor.copy(statement.format(sql.Identifier(table))) as copy:
        copy.set_types(["text", "text", "halfvec"])
        for digest, model, vector in rows:
            copy.write_row((digest, model, HalfVector(vector)))


def nearest_query(model: str, dim: int) -> sql.Composed:
    """The k nearest of one model's vectors by inner product (parameters `q`, `k`), in the
    shape the model's partial HNSW index (_ensure_hnsw) serves."""
    return sql.SQL(
        "SELECT hash, -(vector::halfvec({dim}) <#> %(q)s) FROM embeddings "
        "WHERE model = {model} ORDER BY vector::halfvec({dim}) <#> %(q)s LIMIT %(k)s"
    ).format(dim=sql.SQL(str(int(dim))), model=sql.Literal(model))


def _ensure_hnsw(conn: psycopg.Connection, model: str, dim: int) -> None:
    """The HNSW index over one model's vectors (a partial index: models differ in size)."""
    conn.execute(
        sql.SQL(
            "CREATE INDEX IF NOT EXISTS {} ON embeddings "
            "USING hnsw ((vector::halfvec({})) halfvec_ip_ops) WHERE model = {}"
        ).format(_hnsw_name(model), sql.SQL(str(int(dim))), sql.Literal(model))
    )


def _hnsw_name(model: str) -> sql.Identifier:
    return sql.Identifier("embeddings_hnsw_" + hashlib.sha1(model.encode()).hexdigest()[:12])
