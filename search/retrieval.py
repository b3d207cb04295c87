"""Where the engine's two candidate lists come from: its own indexes in memory, or the store.

`RECUEIL_RETRIEVAL` picks once per engine (`retriever_for`):

- `memory` (the default): every passage's BM25 score from the postings (search.bm25) and
  FAISS's nearest chunks (search.vectors), as always;
- `sql` (PostgreSQL only): the lexical candidates are the store's BM25 inside the database
  (an OR of the query's lexemes through the GIN index, Store.bm25), the dense ones its HNSW
  index over halfvec (Store.nearest) with a raised ef_search, a short list of chunks
  whose best per passage is kept.

Either way the engine then scores every candidate exactly with both retrievers and fuses,
filters, groups and cites them as before (search.engine): only how the candidates are
found changes. With a filter the dense candidates stay an exact scan of the allowed
passages in memory, on both.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from ingest.store import Okapi
from search.bm25 import K1, B

if TYPE_CHECKING:
    from search.engine import SearchEngine

RETRIEVALS = ("memory", "sql")
# Chunks asked of the HNSW index, and the ef_search it searches with (pgvector's default
# 40 found 0.68 of the exact top ten at 100k; 400 found 0.94: docs/BENCHMARKS.md).
SHORT_LIST = 400
EF_SEARCH = 400


class RetrievalError(ValueError):
    """A retrieval the store cannot serve: a usage error, said in French."""


class MemoryRetriever:
    """The engine's own indexes: BM25 postings and FAISS."""

    def __init__(self, engine: SearchEngine, candidates: int):
        self.engine = engine
        self.candidates = candidates

    def lexical(self, query: str, scores: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        """Rows of the best lexical candidates; `scores`: every passage's BM25 score."""
        pool = np.flatnonzero(scores > 0)
        if allowed is not None:
            pool = np.intersect1d(pool, allowed)
        return pool[np.argsort(-scores[pool])[: self.candidates]]

    def dense(self, vector: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        """Rows of the passages whose best chunk is nearest to the query vector."""
        vectors = self.engine.vectors
        if allowed is not None:
            exact = vectors.passage_scores(vector, allowed)
            return allowed[np.argsort(-exact)[: self.candidates]]
        found = vectors.search(vector, self.candidates)
        return np.array([vectors.row_of[pid] for pid, _ in found], dtype=np.int64)


class SqlRetriever(MemoryRetriever):
    """The store's own indexes: BM25 in SQL over the GIN index, HNSW over halfvec."""

    def __init__(self, engine: SearchEngine, candidates: int):
        super().__init__(engine, candidates)
        count, average = engine.store.lexical_statistics()
        self.okapi = Okapi(K1, B, count, average)
        self._rows_of_hash: dict[str, list[int]] | None = None

    def lexical(self, query: str, scores: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        ids = None if allowed is None else [self.engine.ids[row] for row in allowed]
        found = self.engine.store.bm25(query, self.candidates, self.okapi, ids)
        return self._rows([passage_id for passage_id, _ in found])

    def dense(self, vector: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        if allowed is not None:
            return super().dense(vector, allowed)
        model = self.engine.embedder.model_id
        best: dict[int, float] = {}
        for digest, score in self.engine.store.nearest(model, vector, SHORT_LIST, EF_SEARCH):
            for row in self.rows_of_hash.get(digest, ()):
                best.setdefault(row, score)  # best first: a passage's best chunk comes first
        ranked = sorted(best, key=lambda row: -best[row])[: self.candidates]
        return np.array(ranked, dtype=np.int64)

    @property
    def rows_of_hash(self) -> dict[str, list[int]]:
        """Each chunk text's passage rows (a text two passages share is one vector)."""
        if self._rows_of_hash is None:
            vectors = self.engine.vectors
            self._rows_of_hash = {}
            for row in range(len(vectors.ids)):
                for digest in vectors.hashes[vectors.starts[row] : vectors.starts[row + 1]]:
                    self._rows_of_hash.setdefault(digest, []).append(row)
        return self._rows_of_hash

    def _rows(self, passage_ids: list[str]) -> np.ndarray:
        """The engine's rows of these passages, those it does not hold left out."""
        row_of = self.engine.vectors.row_of
        return np.array([row_of[p] for p in passage_ids if p in row_of], dtype=np.int64)


def retriever_for(engine: SearchEngine, candidates: int) -> MemoryRetriever:
    """The retriever RECUEIL_RETRIEVAL names (`memory` unless set)."""
    name = os.environ.get("RECUEIL_RETRIEVAL", "memory").strip().lower() or "memory"
    if name not in RETRIEVALS:
        raise RetrievalError(
            f"RECUEIL_RETRIEVAL={name} inconnu : choisissez parmi {', '.join(RETRIEVALS)}"
        )
    if name == "memory":
        return MemoryRetriever(engine, candidates)
    if not engine.store.ranks_bm25:
        raise RetrievalError(
            "RECUEIL_RETRIEVAL=sql demande le stockage PostgreSQL (RECUEIL_BACKEND=postgres "
            "ou RECUEIL_DATABASE_URL)"
        )
    return SqlRetriever(engine, candidates)
