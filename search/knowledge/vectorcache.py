"""Embeddings of derived texts (statements, quotes), cached in the store like passages'."""

from __future__ import annotations

import numpy as np

from ingest.store import Store
from search.embedders.base import Embedder
from search.vectors import EMBED_BATCH, input_hash


def embed_cached(store: Store, embedder: Embedder, texts: list[str]) -> np.ndarray:
    """(len(texts), dim) passage-side vectors; only texts never embedded are computed."""
    hashes = [input_hash(text) for text in texts]
    known = store.embeddings(embedder.model_id, hashes)
    missing = list({h: t for h, t in zip(hashes, texts, strict=True) if h not in known}.items())
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        vectors = embedder.embed_passages([text for _, text in batch])
        fresh = dict(zip([h for h, _ in batch], vectors, strict=True))
        store.save_embeddings(embedder.model_id, fresh)
        known.update(fresh)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([known[h] for h in hashes]).astype(np.float32)
