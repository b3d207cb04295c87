"""The embedder interface: what search needs from any text-embedding backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class CosineScale:
    """How a model's cosines read on plain e5-small's scale: reference = offset + slope ×
    cosine.

    The knowledge layer's cosine thresholds (statements grouped into a card, an answer's
    items merged, statements of one passage kept together) were tuned on plain e5-small,
    which crowds every French sentence together (half the pairs of practice statements
    above 0.86). A model that spreads them (Recueil's adapter: median 0.56) would merge
    nothing at those values. Matching the two models' cosines over the same sentence pairs
    share by share (the q-q line) is close to straight, so two numbers carry the
    thresholds across (training/scale.py measures them)."""

    offset: float = 0.0
    slope: float = 1.0

    def threshold(self, reference: float) -> float:
        """The model's cosine standing where `reference` stands on e5-small's scale."""
        return (reference - self.offset) / self.slope

    def gap(self, reference: float) -> float:
        """The model's difference of cosines worth `reference` on e5-small's scale."""
        return reference / self.slope


# Plain e5-small's own scale; a model nobody has measured is read on it too.
REFERENCE = CosineScale()


class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors.

    `model_id` names the model *and* its preprocessing: vectors are stored under it, so two
    backends may share vectors only if they would compute the same ones. Query and
    passage prefixes (e5's "query: " / "passage: ") are the backend's business.
    """

    model_id: str
    dim: int
    scale: CosineScale

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
