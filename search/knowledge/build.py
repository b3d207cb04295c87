"""Rebuild everything derived from the store after documents change.

One entry point for the CLI (`recueil ingest`, `recueil build`) and the API (upload,
delete): embed new passages, refresh the FAISS index, rebuild practice cards, cases and
actors, drop vectors nothing uses any more. Idempotent: running it twice changes nothing.
Each stage is timed (`seconds` in the result): the ingest summary states them, and
`make bench-writes` follows how they grow with the store.

In two halves, so that a write is searchable before its knowledge is rebuilt (issue #13:
at 1,000 documents cards, cases and actors take tens of seconds): `refresh_search`
(vectors and index: what search needs), then `refresh_knowledge`. The server swaps in an
engine between the two. Either half can be cut short by a crash without harm: the store
is the truth, the index is checked against it on load, and the knowledge carries its own
freshness mark (search.knowledge.freshness), which only a finished `refresh_knowledge`
writes; the next write, or `recueil build`, completes what was left. A process that
opens the store to search pays what is owed first (`knowledge_owed`): a write cut short,
or knowledge built with another model than the one it searches with.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager

from ingest.store import Store
from search.embedders.base import Embedder
from search.knowledge.actors import build_actors
from search.knowledge.cases import build_cases
from search.knowledge.freshness import derived_fresh, mark_derived
from search.knowledge.practices import build_cards, statement_label
from search.sections import section_labels
from search.vectors import (
    all_chunks,
    embed_missing,
    ensure_embeddings,
    input_hash,
    load_or_build,
)


class _Stopwatch:
    """Seconds spent in each named stage, in the order they ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)


def refresh(
    store: Store, embedder: Embedder, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Bring embeddings, the vector index and derived records up to date with the store."""
    searched = refresh_search(store, embedder, progress)
    known = refresh_knowledge(store, embedder)
    return searched | known | {"seconds": searched["seconds"] | known["seconds"]}


def refresh_search(
    store: Store, embedder: Embedder, progress: Callable[[int, int], None] | None = None
) -> dict:
    """Embed what is new and bring the vector index up to date: what search reads."""
    watch = _Stopwatch()
    with watch.stage("embeddings"):
        passages = store.searchable_passages()
        chunks = all_chunks(passages)  # cut once: embedding and the index
        embedded = ensure_embeddings(store, embedder, chunks, progress)
        # Section titles are a retrieval unit of their own (search.sections): embed them
        # now, so that loading the engine finds them cached.
        labels = section_labels(passages)
        embed_missing(store, embedder, labels, [input_hash(label) for label in labels])
    with watch.stage("index"):
        load_or_build(store, embedder, chunks)
    return {"embedded": embedded, "seconds": watch.seconds}


def refresh_knowledge(store: Store, embedder: Embedder) -> dict:
    """Rebuild practice cards, cases and actors, then drop vectors nothing uses any more."""
    fingerprint = store.fingerprint()  # before reading: a write meanwhile leaves it stale
    watch = _Stopwatch()
    with watch.stage("practices"):
        cards = build_cards(store, embedder)
    with watch.stage("cases"):
        cases = build_cases(store)
    # The actors' stage ends with the three tables saved and unused vectors pruned.
    with watch.stage("actors"):
        actors = build_actors(store, cases)  # the cases just built, not the last ones
        store.replace_derived({"practices": cards, "cases": cases, "actors": actors})
        passages = store.searchable_passages()
        keep = set(all_chunks(passages).hashes)
        keep |= {input_hash(statement_label(s)) for s in store.records("statements")}
        keep |= {input_hash(label) for label in section_labels(passages)}
        pruned = store.prune_embeddings(keep)
    mark_derived(store, fingerprint, embedder.model_id)
    return {
        "practices": len(cards),
        "cases": len(cases),
        "actors": len(actors),
        "pruned_vectors": pruned,
        "seconds": watch.seconds,
    }


def knowledge_owed(
    store: Store, embedder: Embedder, before: Callable[[], None] | None = None
) -> bool:
    """Rebuild cards, cases and actors if they do not match the store as it is with this
    embedder (search.knowledge.freshness); true if it did. `before` is called first (to say
    so: at 1,000 documents it takes tens of seconds).

    Not while another process writes: its own refresh, at its end, pays what is owed, and a
    reader keeps serving the last complete state meanwhile. Checked again under the write
    lock: the writer that held it may have just rebuilt."""
    if derived_fresh(store, embedder.model_id):
        return False
    guard = store.write_lock()
    with guard.idle() as idle:
        if not idle:
            return False
    with guard:
        if derived_fresh(store, embedder.model_id):
            return False
        if before is not None:
            before()
        refresh_knowledge(store, embedder)
    return True
