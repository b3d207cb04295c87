"""The FAISS index: derived from the store's embeddings, never the source of truth.

Embeddings live in SQLite keyed by (hash of the embedded text, model id), so only new or
changed passages are embedded again and switching models never mixes vectors. The FAISS
file next to the store is a cache of them with a manifest (model, dimension, count and
the store's passage fingerprint); a mismatch means stale, and the index is rebuilt.

Exact inner-product search up to `HNSW_ABOVE` vectors; HNSW above it, where exact search
gets slow (see docs/BENCHMARKS.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from ingest.store import PassageRow, Store
from search.embedders.base import Embedder

HNSW_ABOVE = int(os.environ.get("RECUEIL_HNSW_ABOVE", "200000"))
HNSW_M = 32
HNSW_EF_SEARCH = 128
EMBED_BATCH = 16


def embedding_input(passage: PassageRow, title: str | None = None) -> str:
    """What the model reads for a passage: its section path gives context to short text."""
    context = passage.section.split(" › ")[-1] if passage.section else ""
    if context and not passage.text.startswith(context):
        return f"{context}\n{passage.text}"
    return passage.text


def input_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def ensure_embeddings(
    store: Store,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed every passage that has no vector for this model yet; returns how many."""
    passages = store.passages()
    inputs = {input_hash(t): t for t in (embedding_input(p) for p in passages)}
    have = store.embeddings(embedder.model_id, inputs)
    missing = [(h, t) for h, t in inputs.items() if h not in have]
    # Similar lengths in a batch waste less padding.
    missing.sort(key=lambda item: len(item[1]))
    done = 0
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        vectors = embedder.embed_passages([t for _, t in batch])
        store.save_embeddings(
            embedder.model_id, dict(zip([h for h, _ in batch], vectors, strict=True))
        )
        done += len(batch)
        if progress:
            progress(done, len(missing))
    return len(missing)


@dataclass
class Manifest:
    model: str
    dim: int
    count: int
    fingerprint: str
    kind: str
    built_at: float


class VectorIndex:
    """Passage vectors in FAISS, with row → passage id mapping."""

    def __init__(self, index: faiss.Index, ids: list[str], vectors: np.ndarray, manifest: Manifest):
        self.index = index
        self.ids = ids
        self.vectors = vectors
        self.row_of = {pid: row for row, pid in enumerate(ids)}
        self.manifest = manifest

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        k = min(k, len(self.ids))
        scores, rows = self.index.search(query.reshape(1, -1).astype(np.float32), k)
        return [(self.ids[r], float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def vector(self, passage_id: str) -> np.ndarray | None:
        row = self.row_of.get(passage_id)
        return None if row is None else self.vectors[row]


def _paths(store: Store, model: str) -> tuple[Path, Path]:
    name = hashlib.sha1(model.encode()).hexdigest()[:10]
    folder = store.data_dir / "index"
    return folder / f"{name}.faiss", folder / f"{name}.json"


def build_faiss(vectors: np.ndarray, hnsw_above: int = HNSW_ABOVE) -> tuple[faiss.Index, str]:
    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[0] else 384
    if len(vectors) > hnsw_above:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH
        kind = "hnsw"
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index, kind


def is_fresh(store: Store, model: str) -> bool:
    """Cheap check: does the saved index match the store's passages for this model?"""
    _, manifest_path = _paths(store, model)
    if not manifest_path.exists():
        return False
    manifest = json.loads(manifest_path.read_text())
    return manifest.get("fingerprint") == store.fingerprint() and manifest.get("model") == model


def load_or_build(store: Store, embedder: Embedder) -> VectorIndex:
    """The saved index if fresh, else a rebuild from the store (embedding what is missing)."""
    index_path, manifest_path = _paths(store, embedder.model_id)
    passages = store.passages()
    ids = [p.id for p in passages]
    fingerprint = store.fingerprint()
    hashes = [input_hash(embedding_input(p)) for p in passages]
    if manifest_path.exists() and index_path.exists():
        manifest = Manifest(**json.loads(manifest_path.read_text()))
        if manifest.fingerprint == fingerprint and manifest.model == embedder.model_id:
            index = faiss.read_index(str(index_path))
            vectors = _stored_vectors(store, embedder, hashes)
            if index.ntotal == len(ids) and vectors is not None:
                return VectorIndex(index, ids, vectors, manifest)
    if store.read_only:
        raise RuntimeError("the vector index is stale and the store is read-only")
    ensure_embeddings(store, embedder)
    vectors = _stored_vectors(store, embedder, hashes)
    assert vectors is not None
    index, kind = build_faiss(vectors)
    manifest = Manifest(
        embedder.model_id, vectors.shape[1], len(ids), fingerprint, kind, time.time()
    )
    _save(index, manifest, index_path, manifest_path)
    return VectorIndex(index, ids, vectors, manifest)


def _stored_vectors(store: Store, embedder: Embedder, hashes: list[str]) -> np.ndarray | None:
    found = store.embeddings(embedder.model_id, hashes)
    if len(found) < len(set(hashes)):
        return None
    if not hashes:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([found[h] for h in hashes]).astype(np.float32)


def _save(index: faiss.Index, manifest: Manifest, index_path: Path, manifest_path: Path) -> None:
    """Write to temporary files then rename: a reader never sees half an index."""
    index_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_index = index_path.with_suffix(".faiss.tmp")
    tmp_manifest = manifest_path.with_suffix(".json.tmp")
    faiss.write_index(index, str(tmp_index))
    tmp_manifest.write_text(json.dumps(manifest.__dict__, indent=2))
    os.replace(tmp_index, index_path)
    os.replace(tmp_manifest, manifest_path)
