"""The FAISS index: derived from the store's embeddings, never the source of truth.

Passages are embedded as sentence windows (chunks of at most CHUNK_CHARS characters, each
with its section title as context), and a passage's dense score is its best chunk's. A
long passage often mixes several points; one vector for all of them blurs each, and
measured on eval/queries.jsonl, max-over-chunks beats one vector per passage (dense alone
0.49 → 0.55 nDCG@10) for about the same embedding time, since the same text is read.

Embeddings live in SQLite keyed by (hash of the embedded text, model id), so only new or
changed text is embedded again and switching models never mixes vectors. The FAISS file
next to the store is a cache of the chunk vectors with a manifest (model, dimension,
count and the store's passage fingerprint); a mismatch means stale, and it is rebuilt.

Exact inner-product search up to `APPROXIMATE_ABOVE` chunks; an inverted file (IVF-Flat)
above it, where exact search gets slow (see docs/BENCHMARKS.md).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from ingest.atomic import replacing
from ingest.store import PassageRow, Store
from search.embedders.base import Embedder

log = logging.getLogger(__name__)

# From bench/scale_bench.py (docs/BENCHMARKS.md), 2 cores: exact search costs 15 ms a
# query at 100k vectors and 157 ms at 1M, so it stays exact up to 200k (about 32 ms).
# Above, IVF-Flat with 4·√n lists, probing one list in 16 but at most 256 lists (recall
# grows with n at a fixed share, cost with the vectors scanned): recall@10 0.957 at 300k
# (3.5 ms p95), 0.958 at 1M (14 ms) and 0.955 at 2.7M (256 lists, 29 ms; 410 lists gave
# 0.988 in 44 ms). It builds in 32 s at 1M, where HNSW (M 32) took 244 s for 0.93 at
# efSearch 1024.
APPROXIMATE_ABOVE = int(os.environ.get("RECUEIL_APPROXIMATE_ABOVE", "200000"))
IVF_PROBED_SHARE = 16
IVF_MAX_PROBES = 256
EMBED_BATCH = 64  # texts per call: the embedder groups them by length and tokens
CHUNK_CHARS = 320
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+|\n")


def context(passage: PassageRow) -> str:
    """The section title a passage stands under (its nearest heading)."""
    return passage.section.split(" › ")[-1] if passage.section else ""


def embedding_input(passage: PassageRow) -> str:
    """The passage with its section title, as lexical search indexes it."""
    title = context(passage)
    if title and not passage.text.startswith(title):
        return f"{title}\n{passage.text}"
    return passage.text


def chunk_inputs(passage: PassageRow) -> list[str]:
    """Sentence windows of the passage, each prefixed by its section title."""
    windows, current = [], ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(passage.text)):
        if not sentence:
            continue
        if current and len(current) + len(sentence) > CHUNK_CHARS:
            windows.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current or not windows:
        windows.append(current)
    title = context(passage)
    return [f"{title}: {w}" if title and not w.startswith(title) else w for w in windows]


def input_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


@dataclass(frozen=True)
class Chunks:
    """The store's passages cut into chunks, once, for embedding, pruning and indexing."""

    ids: list[str]  # passage ids, in store order
    texts: list[str]
    starts: np.ndarray  # each passage's first chunk, plus the end
    hashes: list[str]  # input_hash of each text: the key of its stored vector


def all_chunks(passages: list[PassageRow]) -> Chunks:
    texts: list[str] = []
    starts = [0]
    for passage in passages:
        texts.extend(chunk_inputs(passage))
        starts.append(len(texts))
    return Chunks(
        [p.id for p in passages],
        texts,
        np.array(starts, dtype=np.int64),
        [input_hash(t) for t in texts],
    )


def ensure_embeddings(
    store: Store,
    embedder: Embedder,
    chunks: Chunks | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed every chunk that has no vector for this model yet; returns how many."""
    chunks = chunks or all_chunks(store.searchable_passages())
    # Similar lengths in a batch waste less padding (a stable sort: ties keep their order).
    order = sorted(range(len(chunks.texts)), key=lambda i: len(chunks.texts[i]))
    return embed_missing(
        store,
        embedder,
        [chunks.texts[i] for i in order],
        [chunks.hashes[i] for i in order],
        progress,
    )


def embed_missing(
    store: Store,
    embedder: Embedder,
    texts: list[str],
    hashes: list[str],
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Embed and save, in order and in batches, the texts with no vector for this model."""
    have = store.embedded_hashes(embedder.model_id, hashes)
    missing = [(h, t) for h, t in dict(zip(hashes, texts, strict=True)).items() if h not in have]
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        vectors = embedder.embed_passages([t for _, t in batch])
        store.save_embeddings(
            embedder.model_id, dict(zip([h for h, _ in batch], vectors, strict=True))
        )
        if progress:
            progress(start + len(batch), len(missing))
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
    """Chunk vectors in FAISS; passage scores are the best of their chunks.

    The copy kept beside FAISS for exact candidate scores and "similar to this passage" is
    float16: half the memory (2 GB instead of 4 for a million passages' 2.7M chunks) for
    score errors around 1e-3, far below the gaps that order results. A passage's own
    vector (the mean of its chunks) is computed when asked: averaging all of them up front
    took 20 s at that size.
    """

    def __init__(
        self,
        index: faiss.Index,
        ids: list[str],
        chunks: np.ndarray,
        starts: np.ndarray,
        manifest: Manifest,
    ):
        self.index = index
        self.ids = ids
        self.chunks = chunks.astype(np.float16, copy=False)
        self.starts = starts
        self.chunk_passage = np.repeat(np.arange(len(ids)), np.diff(starts))
        self.row_of = {pid: row for row, pid in enumerate(ids)}
        self.manifest = manifest

    def passage_scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact dense score (best chunk) of each passage row in `rows`."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        lengths = self.starts[rows + 1] - self.starts[rows]
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # Chunk rows of all passages, laid end to end: each passage's first chunk, counted on.
        chunk_rows = np.repeat(self.starts[rows] - offsets, lengths) + np.arange(lengths.sum())
        scores = self.chunks[chunk_rows].astype(np.float32) @ query.astype(np.float32)
        return np.maximum.reduceat(scores, offsets)

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k passages whose best chunk is nearest to the query."""
        if not self.ids:
            return []
        wanted = min(len(self.chunk_passage), max(k * 4, k + 20))
        scores, chunk_rows = self.index.search(query.reshape(1, -1).astype(np.float32), wanted)
        best: dict[int, float] = {}
        for chunk, score in zip(chunk_rows[0], scores[0], strict=True):
            if chunk >= 0:
                row = int(self.chunk_passage[chunk])
                best.setdefault(row, float(score))
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return [(self.ids[row], score) for row, score in ranked]

    def vector(self, passage_id: str) -> np.ndarray | None:
        """The passage's mean chunk vector (for 'similar to this passage')."""
        row = self.row_of.get(passage_id)
        if row is None:
            return None
        chunks = self.chunks[self.starts[row] : self.starts[row + 1]].astype(np.float32)
        mean = chunks.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)


def _paths(store: Store, model: str) -> tuple[Path, Path]:
    name = hashlib.sha1(model.encode()).hexdigest()[:10]
    folder = store.data_dir / "index"
    return folder / f"{name}.faiss", folder / f"{name}.json"


def build_faiss(
    vectors: np.ndarray, approximate_above: int = APPROXIMATE_ABOVE
) -> tuple[faiss.Index, str]:
    """Exact inner-product index, or IVF-Flat above `approximate_above` vectors."""
    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[0] else 384
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(data) > approximate_above:
        index, kind = ivf_flat(data), "ivf"
    else:
        index, kind = faiss.IndexFlatIP(dim), "flat"
    if len(data):
        index.add(data)
    return index, kind


def ivf_flat(data: np.ndarray) -> faiss.IndexIVFFlat:
    """An IVF-Flat index trained on (a sample of) `data`: exact distances in probed lists.

    4·√n lists, each trained on at least 39 points as FAISS's k-means asks; the sample is
    fixed (seed 0) so a rebuild of the same store gives the same index.
    """
    lists = max(1, min(int(4 * np.sqrt(len(data))), len(data) // 39))
    index = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(data.shape[1]), data.shape[1], lists, faiss.METRIC_INNER_PRODUCT
    )
    sample = np.random.default_rng(0).permutation(len(data))[: lists * 40]
    index.train(data[np.sort(sample)])
    index.nprobe = max(1, min(lists // IVF_PROBED_SHARE, IVF_MAX_PROBES))
    return index


def is_fresh(store: Store, model: str) -> bool:
    """Cheap check: does the saved index match the store's passages for this model?"""
    _, manifest_path = _paths(store, model)
    manifest = _saved_manifest(manifest_path)
    return (
        manifest is not None
        and manifest.fingerprint == store.fingerprint()
        and manifest.model == model
    )


def load_or_build(store: Store, embedder: Embedder, chunks: Chunks | None = None) -> VectorIndex:
    """The saved index if fresh, else a rebuild from the store (embedding what is missing).

    The chunk matrix the engine scores candidates with is saved too, as float16 in a file
    named by a digest of the chunk hashes: a start without changes maps it instead of
    reading every vector from SQLite (51 s at 2.7M chunks, docs/BENCHMARKS.md). A saved
    file that cannot be read (truncated by a full disk or a kill) is only a cache: it is
    rebuilt from the store with a warning, never a crash.
    """
    index_path, manifest_path = _paths(store, embedder.model_id)
    chunks = chunks or all_chunks(store.searchable_passages())
    loaded = _load_saved(store, embedder, chunks, index_path, manifest_path)
    if loaded is not None:
        return loaded
    if store.read_only:
        raise RuntimeError("the vector index is stale and the store is read-only")
    hashes = chunks.hashes
    ensure_embeddings(store, embedder, chunks)
    vectors = _stored_vectors(store, embedder, hashes)
    assert vectors is not None
    index, kind = build_faiss(vectors)
    manifest = Manifest(
        embedder.model_id, embedder.dim, len(hashes), store.fingerprint(), kind, time.time()
    )
    _save(index, manifest, index_path, manifest_path)
    _save_matrix(vectors, _matrix_path(index_path, hashes))
    return VectorIndex(index, chunks.ids, vectors, chunks.starts, manifest)


def _load_saved(
    store: Store, embedder: Embedder, chunks: Chunks, index_path: Path, manifest_path: Path
) -> VectorIndex | None:
    """The saved index when it is whole and matches these chunks, else None (rebuild)."""
    manifest = _saved_manifest(manifest_path)
    if manifest is None or not index_path.exists():
        return None
    if manifest.fingerprint != store.fingerprint() or manifest.model != embedder.model_id:
        return None
    try:
        index = faiss.read_index(str(index_path))
    except RuntimeError as exc:
        log.warning("%s is unreadable (%s): rebuilding it from the store", index_path, exc)
        return None
    hashes = chunks.hashes
    matrix_path = _matrix_path(index_path, hashes)
    vectors = _saved_matrix(matrix_path, (len(hashes), embedder.dim))
    if vectors is None:
        vectors = _stored_vectors(store, embedder, hashes)
        if vectors is not None and not store.read_only:
            _save_matrix(vectors, matrix_path)
    if index.ntotal != len(hashes) or vectors is None or len(vectors) != len(hashes):
        return None
    return VectorIndex(index, chunks.ids, vectors, chunks.starts, manifest)


def _saved_manifest(path: Path) -> Manifest | None:
    """The manifest beside the index; None when absent, or unreadable (with a warning)."""
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        log.warning("%s is unreadable (%s): rebuilding the index from the store", path, exc)
        return None


def _matrix_path(index_path: Path, hashes: list[str]) -> Path:
    """Where the float16 vectors of exactly these chunk texts, in this order, are saved."""
    digest = hashlib.sha1("\n".join(hashes).encode()).hexdigest()[:16]
    return index_path.with_name(f"{index_path.stem}-{digest}.npy")


def _saved_matrix(path: Path, shape: tuple[int, int]) -> np.ndarray | None:
    """The saved float16 chunk matrix, mapped; None if absent or unreadable (re-read)."""
    if not path.exists():
        return None
    try:
        matrix = np.load(path, mmap_mode="r")
    except (OSError, ValueError) as exc:
        log.warning("%s is unreadable (%s): reading the vectors from the store", path, exc)
        return None
    if matrix.shape != shape:
        log.warning("%s has shape %s, not %s: re-read from the store", path, matrix.shape, shape)
        return None
    return matrix


def _save_matrix(vectors: np.ndarray, path: Path) -> None:
    """Write (atomically) and drop the matrices of earlier chunk sets for this model."""
    with replacing(path) as partial, partial.open("wb") as handle:
        np.save(handle, vectors.astype(np.float16, copy=False))
    stem = path.stem.rsplit("-", 1)[0]
    for stale in path.parent.glob(f"{stem}-*.npy"):
        if stale != path:
            stale.unlink(missing_ok=True)


def _stored_vectors(store: Store, embedder: Embedder, hashes: list[str]) -> np.ndarray | None:
    found = store.embeddings(embedder.model_id, hashes)
    if len(found) < len(set(hashes)):
        return None
    if not hashes:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([found[h] for h in hashes]).astype(np.float32)


def _save(index: faiss.Index, manifest: Manifest, index_path: Path, manifest_path: Path) -> None:
    """Each file written whole then renamed, the manifest last: a reader never sees half an
    index, and an index newer than its manifest only reads as stale (rebuilt)."""
    with replacing(index_path) as partial:
        faiss.write_index(index, str(partial))
    with replacing(manifest_path) as partial:
        partial.write_text(json.dumps(manifest.__dict__, indent=2), encoding="utf-8")
