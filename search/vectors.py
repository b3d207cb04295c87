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
A rebuild after a write starts from the last index (the one in service, or the one
saved with the hashes of its chunk texts): its vectors are reused and only the chunks it
did not hold are read from SQLite, instead of every vector (4 s at 200k chunks).

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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
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
# Sentence ends, and line ends (list items); a credit in parentheses right after a sentence
# (« … les résultats ? (AB) », « (++) ») ends it with it; « etc. » ends no sentence
# (« les acteurs - entreprises, citoyens, etc. - se sont pris par la main »).
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])(?<!etc\.)\s+(?!\([^()\n]{1,20}\)(?:\s|$))|\n")


def context(passage: PassageRow) -> str:
    """The section title a passage stands under (its nearest heading)."""
    return _last_title(passage.section) if passage.section else ""


@lru_cache(maxsize=1 << 16)
def _last_title(section: str) -> str:
    """Kept: every passage is asked again at each reload, and passages share sections."""
    return section.split(" › ")[-1]


def embedding_input(passage: PassageRow) -> str:
    """The passage with its section title, and the question it answers (a moderator's,
    ingest.structure), as lexical search indexes it: « Qu'est-ce qui vous a aidés à
    trouver un foncier ? » is what « La commune a racheté l'ancienne école… » is about.
    Measured in docs/EVALUATION.md (the three sets +0.002 to +0.008)."""
    title = context(passage)
    text = passage.text
    if title and not text.startswith(title):
        text = f"{title}\n{text}"
    if passage.question and passage.kind == "text":
        text = f"{passage.question}\n{text}"
    return text


def chunk_inputs(passage: PassageRow) -> list[str]:
    """Sentence windows of the passage, each prefixed by its section title."""
    return list(_cut(passage.text, context(passage))[0])


def windows(text: str) -> list[str]:
    """The sentence windows a passage's text is cut into, one per chunk vector, in order:
    whole sentences (or list items) up to CHUNK_CHARS each."""
    cut, current = [], ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        if current and len(current) + len(sentence) > CHUNK_CHARS:
            cut.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current or not cut:
        cut.append(current)
    return cut


@lru_cache(maxsize=1 << 18)
def _cut(text: str, title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A passage's chunk texts and their hashes, kept between loads: cutting and hashing
    every passage again took seconds at 80,000 passages after each write (issue #13)."""
    texts = tuple(
        f"{title}: {w}" if title and not w.startswith(title) else w for w in windows(text)
    )
    return texts, tuple(input_hash(t) for t in texts)


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
    hashes: list[str] = []
    starts = [0]
    for passage in passages:
        cut, digests = _cut(passage.text, context(passage))
        texts.extend(cut)
        hashes.extend(digests)
        starts.append(len(texts))
    return Chunks([p.id for p in passages], texts, np.array(starts, dtype=np.int64), hashes)


BatchEmbedding = Callable[[Iterable[list[str]]], Iterable[np.ndarray]]


def ensure_embeddings(
    store: Store,
    embedder: Embedder,
    chunks: Chunks | list[Chunks] | None = None,
    progress: Callable[[int, int], None] | None = None,
    known: set[str] | None = None,
    embed: BatchEmbedding | None = None,
) -> int:
    """Embed every chunk that has no vector for this model yet; returns how many.

    `known`: hashes the caller knows are embedded (the chunks of the index in service),
    not asked of SQLite again: after a write only the new chunks are looked up. A list of
    `chunks` (several documents) is batched part by part, each batch the one that part
    alone would get after the parts before it were saved, and all go to `embed` together
    (see embed_missing): int8 quantisation scales by a whole batch, so other texts in a
    batch move a vector (cosine 0.997 measured), and a distributed ingest embedding a
    group of documents must batch them as one by one, to store what a local ingest does."""
    parts = (
        chunks if isinstance(chunks, list) else [chunks or all_chunks(store.searchable_passages())]
    )
    scheduled = set(known or ())
    batches: list[list[tuple[str, str]]] = []
    for part in parts:
        # Similar lengths in a batch waste less padding (a stable sort: ties keep their order).
        unknown = [i for i, h in enumerate(part.hashes) if h not in scheduled]
        order = sorted(unknown, key=lambda i: len(part.texts[i]))
        hashes = [part.hashes[i] for i in order]
        batches += _missing_batches(store, embedder, [part.texts[i] for i in order], hashes)
        scheduled.update(hashes)
    return _save_batches(store, embedder, batches, progress, embed)


def embed_missing(
    store: Store,
    embedder: Embedder,
    texts: list[str],
    hashes: list[str],
    progress: Callable[[int, int], None] | None = None,
    embed: BatchEmbedding | None = None,
) -> int:
    """Embed and save, in order and in batches, the texts with no vector for this model.

    `embed` turns the batches into their vectors, in order: by default `embedder` here, one
    batch after the other; the distributed ingest passes workers holding the same model
    (ingest.executors), and this process still saves every batch as it comes back."""
    batches = _missing_batches(store, embedder, texts, hashes)
    return _save_batches(store, embedder, batches, progress, embed)


def _missing_batches(
    store: Store, embedder: Embedder, texts: list[str], hashes: list[str]
) -> list[list[tuple[str, str]]]:
    """(hash, text) of the texts with no vector for this model, in order, in batches."""
    have = store.embedded_hashes(embedder.model_id, hashes)
    missing = [(h, t) for h, t in dict(zip(hashes, texts, strict=True)).items() if h not in have]
    return [missing[start : start + EMBED_BATCH] for start in range(0, len(missing), EMBED_BATCH)]


def _save_batches(
    store: Store,
    embedder: Embedder,
    batches: list[list[tuple[str, str]]],
    progress: Callable[[int, int], None] | None,
    embed: BatchEmbedding | None,
) -> int:
    total = sum(len(batch) for batch in batches)
    vectors = (embed or partial(map, embedder.embed_passages))([t for _, t in b] for b in batches)
    done = 0
    for batch, batch_vectors in zip(batches, vectors, strict=True):
        store.save_embeddings(
            embedder.model_id, dict(zip([h for h, _ in batch], batch_vectors, strict=True))
        )
        done += len(batch)
        if progress:
            progress(done, total)
    return total


@dataclass
class Manifest:
    model: str
    dim: int
    count: int
    fingerprint: str
    kind: str
    built_at: float
    chunks: str = ""  # digest of the chunk hashes: names the saved matrix and hashes


@dataclass(frozen=True)
class Gathered:
    """Some passages' chunk vectors, end to end, and where each passage's first one is."""

    chunks: np.ndarray
    offsets: np.ndarray

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Each passage's dense score: its best chunk's."""
        if not len(self.offsets):
            return np.zeros(0, dtype=np.float32)
        return np.maximum.reduceat(self.chunks @ query.astype(np.float32), self.offsets)


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
        hashes: list[str],
        faiss_ids: np.ndarray | None = None,
    ):
        """`faiss_ids`: the id of each chunk row in `index` when it is not the row itself
        (an approximate index updated in place keeps its ids: see _updated_ivf)."""
        self.index = index
        self.ids = ids
        self.hashes = hashes  # each chunk row's text hash: what a rebuild can reuse
        self.chunks = chunks.astype(np.float16, copy=False)
        self.starts = starts
        chunk_passage = np.repeat(np.arange(len(ids)), np.diff(starts))
        self.faiss_ids = faiss_ids
        if faiss_ids is not None and len(faiss_ids):
            # FAISS answers with ids: each id's passage, -1 where the id is no more.
            by_id = np.full(int(faiss_ids.max()) + 1, -1, dtype=np.int64)
            by_id[faiss_ids] = chunk_passage
            chunk_passage = by_id
        self.chunk_passage = chunk_passage
        self.saved = False  # whether the files on disk hold this index
        self.row_of = {pid: row for row, pid in enumerate(ids)}
        self.manifest = manifest

    def passage_scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact dense score (best chunk) of each passage row in `rows`."""
        return self.gather(rows).scores(query)

    def gather(self, rows: np.ndarray) -> Gathered:
        """The chunks of the passage rows in `rows`, laid end to end in float32: scored
        against many queries (a fixed sample), they are converted once."""
        if not len(rows):
            return Gathered(np.zeros((0, self.chunks.shape[1]), np.float32), np.zeros(0, int))
        lengths = self.starts[rows + 1] - self.starts[rows]
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        # Chunk rows of all passages, laid end to end: each passage's first chunk, counted on.
        chunk_rows = np.repeat(self.starts[rows] - offsets, lengths) + np.arange(lengths.sum())
        return Gathered(self.chunks[chunk_rows].astype(np.float32), offsets)

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The k passages whose best chunk is nearest to the query."""
        if not self.ids:
            return []
        wanted = min(self.index.ntotal, max(k * 4, k + 20))
        with _one_thread():
            scores, chunk_rows = self.index.search(query.reshape(1, -1).astype(np.float32), wanted)
        best: dict[int, float] = {}
        for chunk, score in zip(chunk_rows[0], scores[0], strict=True):
            if chunk >= 0 and self.chunk_passage[chunk] >= 0:
                row = int(self.chunk_passage[chunk])
                best.setdefault(row, float(score))
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return [(self.ids[row], score) for row, score in ranked]

    def chunk_vectors(self, passage_id: str) -> np.ndarray | None:
        """The vectors of the passage's chunks, in the order of `windows(passage.text)`."""
        row = self.row_of.get(passage_id)
        if row is None:
            return None
        return self.chunks[self.starts[row] : self.starts[row + 1]].astype(np.float32)

    def vector(self, passage_id: str) -> np.ndarray | None:
        """The passage's mean chunk vector (for 'similar to this passage')."""
        chunks = self.chunk_vectors(passage_id)
        if chunks is None:
            return None
        mean = chunks.mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-12)


@contextmanager
def _one_thread() -> Iterator[None]:
    """FAISS on one thread for one query, then as it was (index builds keep theirs).

    For a single query FAISS's OpenMP threads cost more than they give on two cores, and
    they spin after each search, taking the cores the query embedding needs next. At
    100,000 exact vectors, one query's search took 12.0 ms on OpenMP's threads and 8.0 ms
    on one; with the embedder on two threads, 25.6 ms against 9.9 (docs/BENCHMARKS.md).
    """
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


def _paths(store: Store, model: str) -> tuple[Path, Path]:
    name = hashlib.sha1(model.encode()).hexdigest()[:10]
    folder = store.data_dir / "index"
    return folder / f"{name}.faiss", folder / f"{name}.json"


def build_faiss(
    vectors: np.ndarray, approximate_above: int | None = None
) -> tuple[faiss.Index, str]:
    """Exact inner-product index, or IVF-Flat above `approximate_above` vectors
    (APPROXIMATE_ABOVE, read when called, by default)."""
    if approximate_above is None:
        approximate_above = APPROXIMATE_ABOVE
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
    lists = ivf_lists(len(data))
    index = faiss.IndexIVFFlat(
        faiss.IndexFlatIP(data.shape[1]), data.shape[1], lists, faiss.METRIC_INNER_PRODUCT
    )
    sample = np.random.default_rng(0).permutation(len(data))[: lists * 40]
    index.train(data[np.sort(sample)])
    index.nprobe = max(1, min(lists // IVF_PROBED_SHARE, IVF_MAX_PROBES))
    return index


def ivf_lists(count: int) -> int:
    return max(1, min(int(4 * np.sqrt(count)), count // 39))


def is_fresh(store: Store, model: str) -> bool:
    """Cheap check: does the saved index match the store's passages for this model?"""
    _, manifest_path = _paths(store, model)
    manifest = _saved_manifest(manifest_path)
    return (
        manifest is not None
        and manifest.fingerprint == store.fingerprint()
        and manifest.model == model
    )


def load_or_build(
    store: Store,
    embedder: Embedder,
    chunks: Chunks | None = None,
    previous: VectorIndex | None = None,
    save: bool = True,
) -> VectorIndex:
    """The saved index if fresh, else a rebuild from the store (embedding what is missing).

    The chunk matrix the engine scores candidates with is saved too, as float16 in a file
    named by a digest of the chunk hashes: a start without changes maps it instead of
    reading every vector from SQLite (51 s at 2.7M chunks, docs/BENCHMARKS.md). A saved
    file that cannot be read (truncated by a full disk or a kill) is only a cache: it is
    rebuilt from the store with a warning, never a crash. A rebuild reuses the vectors of
    `previous` (the index in service) or of the saved index: see `_last_index`. With
    `save` False the caller saves it later (`save_index`): a write is searchable first.
    """
    index_path, manifest_path = _paths(store, embedder.model_id)
    chunks = chunks or all_chunks(store.searchable_passages())
    fingerprint = store.fingerprint()
    if (
        previous is not None
        and previous.manifest.fingerprint == fingerprint
        and previous.manifest.model == embedder.model_id
        and previous.hashes == chunks.hashes
        and previous.ids == chunks.ids
    ):
        return previous  # nothing changed (a reload for the knowledge only)
    loaded = _load_saved(store, embedder, chunks, (index_path, manifest_path), fingerprint)
    if loaded is not None:
        return loaded
    if store.read_only:
        raise RuntimeError("the vector index is stale and the store is read-only")
    last = _last_index(embedder, index_path, manifest_path, previous)
    ensure_embeddings(store, embedder, chunks, known=set(last.hashes) if last else None)
    built = _updated(store, embedder, chunks.hashes, last) if last else None
    if built is None:
        built = _from_store(store, embedder, chunks)
    index, kind, matrix, faiss_ids = built
    manifest = Manifest(
        embedder.model_id,
        embedder.dim,
        len(chunks.hashes),
        fingerprint,
        kind,
        time.time(),
        _chunks_digest(chunks.hashes),
    )
    vectors = VectorIndex(
        index, chunks.ids, matrix, chunks.starts, manifest, chunks.hashes, faiss_ids
    )
    if save:
        save_index(store, vectors)
    return vectors


def save_index(store: Store, vectors: VectorIndex) -> None:
    """Write the index and what a later load or rebuild reads beside it: the float16
    matrix, the chunk hashes and ids first, the manifest naming them last (see _save)."""
    if vectors.saved:
        return
    index_path, manifest_path = _paths(store, vectors.manifest.model)
    _save_matrix(vectors.chunks, _matrix_path(index_path, vectors.hashes))
    _save_rows(vectors.hashes, vectors.faiss_ids, index_path, vectors.manifest.chunks)
    _save(vectors.index, vectors.manifest, index_path, manifest_path)
    vectors.saved = True


# What a build returns: the FAISS index, its kind, the float16 chunk matrix, and the
# FAISS id of each chunk row (None: the row number).
Built = tuple[faiss.Index, str, np.ndarray, np.ndarray | None]


def _from_store(store: Store, embedder: Embedder, chunks: Chunks) -> Built:
    """Every vector read from SQLite (any still missing embedded first), the index built
    from nothing."""
    ensure_embeddings(store, embedder, chunks)
    vectors = _stored_vectors(store, embedder, chunks.hashes)
    assert vectors is not None  # ensure_embeddings has just stored them
    index, kind = build_faiss(vectors)
    return index, kind, vectors.astype(np.float16), None


@dataclass
class _Last:
    """The last index built for this model, which a rebuild starts from."""

    hashes: list[str]
    index: faiss.Index
    kind: str
    matrix: np.ndarray  # float16, one row per chunk
    faiss_ids: np.ndarray | None


def _last_index(
    embedder: Embedder, index_path: Path, manifest_path: Path, previous: VectorIndex | None
) -> _Last | None:
    """The index in service if given, else the saved one when its chunk hashes (and ids)
    were saved with it; None when there is none, or it cannot be read."""
    if previous is not None:
        if previous.manifest.model != embedder.model_id:
            return None
        return _Last(
            previous.hashes,
            previous.index,
            previous.manifest.kind,
            previous.chunks,
            previous.faiss_ids,
        )
    manifest = _saved_manifest(manifest_path)
    if manifest is None or manifest.model != embedder.model_id or not manifest.chunks:
        return None
    hashes = _saved_hashes(_hashes_path(index_path, manifest.chunks))
    if hashes is None:
        return None
    faiss_ids = None
    if manifest.kind != "flat":
        faiss_ids = _saved_ids(_ids_path(index_path, manifest.chunks), len(hashes))
        if faiss_ids is None:
            return None
    matrix = _saved_matrix(
        index_path.with_name(f"{index_path.stem}-{manifest.chunks}.npy"),
        (len(hashes), embedder.dim),
    )
    try:
        index = faiss.read_index(str(index_path))
    except RuntimeError:
        return None
    if matrix is None or index.ntotal != len(hashes) or index.d != embedder.dim:
        return None
    return _Last(hashes, index, manifest.kind, matrix, faiss_ids)


def _updated(store: Store, embedder: Embedder, hashes: list[str], last: _Last) -> Built | None:
    """The index for `hashes` made from the last one: its vectors reused, only the chunks
    it did not hold read from SQLite. An exact index is rebuilt from the reused vectors
    (identical to a build from nothing); an approximate one keeps its training and has
    the chunks that went removed and those that came added, by id. None when the kind
    must change or the approximate index has outgrown its training: a full build then."""
    if not last.hashes or not hashes:
        return None  # nothing to reuse, or nothing to index
    kept, missing = _match(last.hashes, hashes)
    found = _stored_vectors(store, embedder, [hashes[i] for i in missing])
    if found is None:
        return None
    rows = np.where(kept >= 0, kept, 0)  # one gather; the rows of new chunks are then set
    matrix = np.asarray(last.matrix[rows], dtype=np.float16)
    matrix[missing] = found.astype(np.float16)
    if last.kind == "flat" and len(hashes) <= APPROXIMATE_ABOVE:
        # Exact vectors from the last flat index's own storage, gathered straight into the
        # new one's (a copy less than building it from a gathered matrix).
        index = faiss.IndexFlatIP(embedder.dim)
        index.codes.resize(len(hashes) * embedder.dim * 4)
        index.ntotal = len(hashes)
        np.take(_flat_vectors(last.index), rows, axis=0, out=_flat_vectors(index))
        _flat_vectors(index)[missing] = found
        return index, "flat", matrix, None
    if last.kind == "ivf" and len(hashes) > APPROXIMATE_ABOVE and _trained_for(last, hashes):
        return _updated_ivf(last, kept, missing, found, matrix)
    return None


def _flat_vectors(index: faiss.IndexFlat) -> np.ndarray:
    """The float32 vectors a flat index stores, as a view (writable, not a copy)."""
    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)


def _match(last: list[str], hashes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each chunk of `hashes`, a row of `last` with the same text, each row used once
    (-1: none); and the rows of `hashes` left without one, which are new."""
    first = dict(zip(reversed(last), range(len(last) - 1, -1, -1), strict=True))
    kept = np.fromiter((first.get(h, -1) for h in hashes), dtype=np.int64, count=len(hashes))
    # A text repeated (the same chunk twice) maps twice to one row: the repeats count as
    # new, so that every row of an approximate index keeps an id of its own.
    order = np.argsort(kept, kind="stable")
    ordered = kept[order]
    repeated = (ordered[1:] == ordered[:-1]) & (ordered[1:] >= 0)
    kept[order[1:][repeated]] = -1
    return kept, np.flatnonzero(kept < 0)


def _trained_for(last: _Last, hashes: list[str]) -> bool:
    """Whether the number of lists the index was trained with is still within 1.5× of
    what a build from nothing would choose for this many chunks."""
    trained = faiss.extract_index_ivf(last.index).nlist
    wanted = ivf_lists(len(hashes))
    return wanted / 1.5 <= trained <= wanted * 1.5


def _updated_ivf(
    last: _Last, kept: np.ndarray, missing: np.ndarray, found: np.ndarray, matrix: np.ndarray
) -> Built:
    """A copy of the last IVF index (it may be serving searches) with the chunks no longer
    there removed and the new ones added under fresh ids: work in proportion to the
    change, and the same lists a build with the same training gives."""
    last_ids = last.faiss_ids if last.faiss_ids is not None else np.arange(len(last.hashes))
    index = faiss.clone_index(last.index)
    used = np.zeros(len(last.hashes), dtype=bool)
    used[kept[kept >= 0]] = True
    gone = np.flatnonzero(~used)
    if len(gone):
        index.remove_ids(faiss.IDSelectorBatch(last_ids[gone].astype(np.int64)))
    faiss_ids = np.empty(len(kept), dtype=np.int64)
    faiss_ids[kept >= 0] = last_ids[kept[kept >= 0]]
    first = int(last_ids.max()) + 1 if len(last_ids) else 0
    faiss_ids[missing] = np.arange(first, first + len(missing))
    if len(missing):
        index.add_with_ids(np.ascontiguousarray(found), faiss_ids[missing])
    return index, "ivf", matrix, faiss_ids


def _load_saved(
    store: Store,
    embedder: Embedder,
    chunks: Chunks,
    paths: tuple[Path, Path],
    fingerprint: str,
) -> VectorIndex | None:
    """The saved index when it is whole and matches these chunks, else None (rebuild)."""
    index_path, manifest_path = paths
    manifest = _saved_manifest(manifest_path)
    if manifest is None or not index_path.exists():
        return None
    if manifest.fingerprint != fingerprint or manifest.model != embedder.model_id:
        return None
    try:
        index = faiss.read_index(str(index_path), _READ_FLAGS.get(manifest.kind, 0))
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
    faiss_ids = None
    if manifest.kind != "flat" and manifest.chunks:
        faiss_ids = _saved_ids(_ids_path(index_path, manifest.chunks), len(hashes))
        if faiss_ids is None:  # an index updated in place is unusable without its ids
            return None
    loaded = VectorIndex(index, chunks.ids, vectors, chunks.starts, manifest, hashes, faiss_ids)
    loaded.saved = True
    return loaded


# An exact index is mapped from its file, not copied into memory, as the chunk matrix is:
# another worker loading the state a writer saved reads it in 2 ms instead of 0.1–0.2 s at
# 25,000 chunks (docs/BENCHMARKS.md), and workers share its pages. Files are only ever
# replaced by a rename (ingest.atomic), so a mapped one stays whole while it serves.
_READ_FLAGS = {"flat": faiss.IO_FLAG_MMAP_IFC}


def _saved_manifest(path: Path) -> Manifest | None:
    """The manifest beside the index; None when absent, or unreadable (with a warning)."""
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        log.warning("%s is unreadable (%s): rebuilding the index from the store", path, exc)
        return None


def _chunks_digest(hashes: list[str]) -> str:
    return hashlib.sha1("\n".join(hashes).encode()).hexdigest()[:16]


def _matrix_path(index_path: Path, hashes: list[str]) -> Path:
    """Where the float16 vectors of exactly these chunk texts, in this order, are saved."""
    return index_path.with_name(f"{index_path.stem}-{_chunks_digest(hashes)}.npy")


def _hashes_path(index_path: Path, digest: str) -> Path:
    """Where the chunk hashes of the index saved with the manifest naming `digest` are."""
    return index_path.with_name(f"{index_path.stem}.hashes-{digest}")


def _ids_path(index_path: Path, digest: str) -> Path:
    """Where the FAISS id of each chunk row of an approximate index is saved."""
    return index_path.with_name(f"{index_path.stem}.ids-{digest}")


def _save_rows(
    hashes: list[str], faiss_ids: np.ndarray | None, index_path: Path, digest: str
) -> None:
    """What a later rebuild needs to reuse this index: each chunk row's text hash (as
    20-byte digests) and, for an approximate index, its FAISS id; earlier ones dropped."""
    files = {_hashes_path(index_path, digest): b"".join(bytes.fromhex(h) for h in hashes)}
    if faiss_ids is not None:
        files[_ids_path(index_path, digest)] = faiss_ids.astype("<i8").tobytes()
    for path in (_hashes_path(index_path, digest), _ids_path(index_path, digest)):
        if path in files:
            with replacing(path) as partial:
                partial.write_bytes(files[path])
        for stale in path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*"):
            if stale not in files:
                stale.unlink(missing_ok=True)


def _saved_ids(path: Path, count: int) -> np.ndarray | None:
    try:
        ids = np.frombuffer(path.read_bytes(), dtype="<i8").astype(np.int64)
    except (OSError, ValueError):
        return None
    return ids if len(ids) == count else None


def _saved_hashes(path: Path) -> list[str] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) % 20:
        return None
    return [data[i : i + 20].hex() for i in range(0, len(data), 20)]


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
