"""Any sentence-transformers model by name or local path (optional extra: `recueil[st]`).

Models cannot be fetched from a hub on these machines, so a local path (or a model that
a Python package ships) is the usual value; `HF_HUB_OFFLINE=1` is set to fail fast
instead of trying the network.
"""

from __future__ import annotations

import os

import numpy as np

from search.embedders.base import REFERENCE, normalise


class SentenceTransformersEmbedder:
    def __init__(self, name_or_path: str, query_prefix: str = "", passage_prefix: str = ""):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise RuntimeError(
                "the sentence-transformers backend needs the optional extra: "
                "pip install torch==2.13.0 'recueil[st]'"
            ) from exc
        self._model = SentenceTransformer(name_or_path, device="cpu")
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension())
        self.model_id = f"sentence-transformers:{name_or_path}"
        self.scale = REFERENCE  # unmeasured: training/scale.py says what it should be
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefixed = [self._passage_prefix + t for t in texts]
        return normalise(self._model.encode(prefixed, batch_size=16, convert_to_numpy=True))

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode([self._query_prefix + text], convert_to_numpy=True)[0]
        return normalise(vector)
