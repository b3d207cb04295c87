"""The embedder interface: what search needs from any text-embedding backend."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors.

    `model_id` names the model *and* its preprocessing: vectors are stored under it, so two
    backends may share vectors only if they would compute the same ones. Query and
    passage prefixes (e5's "query: " / "passage: ") are the backend's business.
    """

    model_id: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) vectors for passages."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) vector for a search query."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
