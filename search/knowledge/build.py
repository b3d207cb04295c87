"""Rebuild everything derived from the store after documents change.

One entry point for the CLI (`recueil ingest`, `recueil build`) and the API (upload,
delete): embed new passages, rebuild practice cards and cases, drop vectors nothing uses
any more, refresh the FAISS index. Idempotent: running it twice changes nothing.
Each stage is timed (`seconds` in the result): the ingest summary states them, and
`make bench-writes` follows how they grow with the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager

from ingest.store import Store
from search.embedders.base import Embedder
from search.knowledge.actors import build_actors
from search.knowledge.cases import build_cases
from search.knowledge.freshness import mark_derived
from search.knowledge.practices import build_cards, clean_statement
from search.knowledge.vectorcache import embed_cached
from search.sections import section_label
from search.vectors import all_chunks, ensure_embeddings, input_hash, load_or_build


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
    """Bring embeddings, derived records and the vector index up to date with the store."""
    fingerprint = store.fingerprint()  # before reading: a write meanwhile leaves it stale
    watch = _Stopwatch()
    with watch.stage("embeddings"):
        passages = store.searchable_passages()
        chunks = all_chunks(passages)  # cut once: embedding, pruning and the index
        embedded = ensure_embeddings(store, embedder, chunks, progress)
        # Section titles are a retrieval unit of their own (search.sections): embed them
        # now, so that loading the engine finds them cached.
        sections = sorted({section_label(p.section) for p in passages if p.section})
        embed_cached(store, embedder, sections)
    with watch.stage("practices"):
        cards = build_cards(store, embedder)
    with watch.stage("cases"):
        cases = build_cases(store)
    with watch.stage("actors"):
        actors = build_actors(store, cases)  # the cases just built, not the last ones
    with watch.stage("index"):
        store.replace_derived({"practices": cards, "cases": cases, "actors": actors})
        keep = set(chunks.hashes)
        keep |= {input_hash(clean_statement(s["text"])) for s in store.records("statements")}
        keep |= {input_hash(label) for label in sections}
        pruned = store.prune_embeddings(keep)
        load_or_build(store, embedder, chunks)
    mark_derived(store, fingerprint)
    return {
        "embedded": embedded,
        "practices": len(cards),
        "cases": len(cases),
        "actors": len(actors),
        "pruned_vectors": pruned,
        "seconds": watch.seconds,
    }
