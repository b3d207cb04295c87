"""Embeddings of derived texts (statements, quotes), cached in the store like passages'."""

from __future__ import annotations

import numpy as np

from ingest.store import Store
from search.embedders.base import Embedder
from search.vectors import embed_missing, input_hash


def embed_cached(store: Store, embedder: Embedder, texts: list[str]) -> np.ndarray:
    """(len(texts), dim) passage-side vectors; only texts never embedded are computed."""
    hashes = [input_hash(text) for text in texts]
    embed_missing(store, embedder, texts, hashes)
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    known = store.embeddings(embedder.model_id, hashes)
    return np.stack([known[h] for h in hashes]).astype(np.float32)
