"""Collections of any size generated from the corpus, shared by the benchmarks that go
beyond it (scale_bench, backends_bench): varied rather than copied.

- vectors: each item mixes two real chunk vectors of the corpus with random weights plus
  small noise, then is normalised, so the collection keeps the corpus's clustered
  geometry at any size; queries are real query embeddings of eval/queries.jsonl;
- texts: each item strings together 3 to 8 random sentences of the corpus.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from ingest.pipeline import ingest
from ingest.store import Store, open_store
from search.vectors import all_chunks, ensure_embeddings

ROOT = Path(__file__).resolve().parent.parent


def corpus(embedder) -> tuple[np.ndarray, list[str], np.ndarray, float]:
    """Real chunk vectors, sentences and query vectors of the corpus, and the chunk rate
    (the corpus ingested and embedded in a temporary SQLite store)."""
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(folder, backend="sqlite")
        ingest(store, [ROOT / "corpus"])
        started = time.perf_counter()
        embedded = ensure_embeddings(store, embedder, all_chunks(store.passages()))
        rate = embedded / (time.perf_counter() - started)
        vectors, sentences = material(store, embedder.model_id)
        store.close()
    return vectors, sentences, embedder_queries(embedder, query_texts()), rate


def material(store: Store, model: str) -> tuple[np.ndarray, list[str]]:
    """An embedded store's chunk vectors for `model` and its sentences: what generated
    collections are made of."""
    hashes = all_chunks(store.passages()).hashes
    found = store.embeddings(model, hashes)
    vectors = np.stack([found[h] for h in dict.fromkeys(hashes) if h in found])
    sentences = [
        s for p in store.passages() for s in re.split(r"(?<=[.!?])\s+", p.text) if len(s) > 30
    ]
    return vectors, sentences


def query_texts() -> list[str]:
    """The questions of eval/queries.jsonl: real queries, for lexical search and embedding."""
    lines = (ROOT / "eval" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["query"] for line in lines]


def embedder_queries(embedder, texts: list[str]) -> np.ndarray:
    return np.stack([embedder.embed_query(t) for t in texts]).astype(np.float32)


def synthetic_vectors(real: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty((size, real.shape[1]), dtype=np.float32)
    for start in range(0, size, 100_000):
        n = min(100_000, size - start)
        a, b = real[rng.integers(0, len(real), n)], real[rng.integers(0, len(real), n)]
        weight = rng.uniform(0.3, 0.7, (n, 1)).astype(np.float32)
        mixed = weight * a + (1 - weight) * b + rng.normal(0, 0.02, a.shape).astype(np.float32)
        out[start : start + n] = mixed / np.linalg.norm(mixed, axis=1, keepdims=True)
    return out


def synthetic_texts(sentences: list[str], size: int, rng: np.random.Generator) -> list[str]:
    picks = rng.integers(0, len(sentences), (size, 8))
    lengths = rng.integers(3, 9, size)
    return [" ".join(sentences[i] for i in row[:n]) for row, n in zip(picks, lengths, strict=True)]
