"""A store copied whole to another backend: `recueil migrate --to postgres` (and back).

Every table goes across as stored (documents without their edits laid over, the edits
beside them, embeddings as vectors), so the copy is the same store: same passages, same
fingerprint, hence the index files in the data folder stay valid. Vectors cross as
float32 and PostgreSQL keeps them as halfvec, so a copy back to SQLite holds them at
float16's precision (what search scores with anyway).

Both stores' write locks are held throughout: no write on either side interleaves, and
the copy is of one state. The target must be empty: a copy never merges two stores.
"""

from __future__ import annotations

from collections.abc import Callable

from ingest.store import TABLES, Store


class TransferError(RuntimeError):
    """The copy cannot start or did not arrive whole; `counts` says what per table."""

    def __init__(self, message: str, counts: dict):
        super().__init__(f"{message}: {counts}")
        self.counts = counts


class TargetNotEmpty(TransferError):
    """The target already holds rows (`counts`: rows per table)."""


class CountsDiffer(TransferError):
    """Rows went missing or doubled (`counts`: table → (expected, copied))."""


def transfer(
    source: Store, target: Store, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy every table of `source` into the empty `target`; rows per table, checked.

    `progress(table, rows)` is called after each batch, with `total_rows(source)` as the
    whole; the counts of both sides are compared at the end.
    """
    with source.write_lock(), target.write_lock():
        held = {table: n for table in TABLES if (n := target.count(table))}
        if held:
            raise TargetNotEmpty(f"{target.location} is not empty", held)
        expected = {table: source.count(table) for table in TABLES}
        for table in TABLES:
            for batch in source.dump(table):
                target.load(table, batch)
                if progress:
                    progress(table, len(batch))
        copied = {table: target.count(table) for table in TABLES}
    if copied != expected:
        differ = {t: (expected[t], copied[t]) for t in TABLES if copied[t] != expected[t]}
        raise CountsDiffer("counts differ after the copy (expected, copied)", differ)
    return copied


def total_rows(store: Store) -> int:
    """How many rows a transfer of `store` moves: the progress bar's whole."""
    return sum(store.count(table) for table in TABLES)
