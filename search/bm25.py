"""Okapi BM25 over analysed passages, held in memory as postings arrays.

Chosen over SQLite FTS5's bm25 (kept for plain word lookup) because FTS5 has no French
stemming: measured in docs/EVALUATION.md. Built from the store at start-up: a few
milliseconds for the corpus, seconds for 100k passages.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from search.french import analyse
from search.spelling import Speller

K1 = 1.2
B = 0.75
# A corrected spelling is weaker evidence than the word as typed.
FUZZY_WEIGHT = 0.8


class BM25:
    def __init__(self, ids: list[str], texts: list[str]):
        self.ids = ids
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            terms = analyse(text)
            lengths[row] = len(terms)
            for term, count in Counter(terms).items():
                postings[term].append((row, count))
        self.average_length = float(lengths.mean()) if len(texts) else 0.0
        norm = K1 * (1 - B + B * lengths / max(self.average_length, 1e-9))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, entries in postings.items():
            rows = np.fromiter((r for r, _ in entries), dtype=np.int64, count=len(entries))
            tf = np.fromiter((c for _, c in entries), dtype=np.float32, count=len(entries))
            idf = np.log(1 + (len(texts) - len(rows) + 0.5) / (len(rows) + 0.5))
            self._postings[term] = (rows, idf * tf * (K1 + 1) / (tf + norm[rows]))
        self._speller = Speller(self._postings)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros where no query term occurs).

        A term the index does not know counts through its nearest spellings in the index,
        at FUZZY_WEIGHT of their weight (search.spelling).
        """
        total = np.zeros(len(self.ids), dtype=np.float32)
        for term in set(analyse(query)):
            if term in self._postings:
                rows, weights = self._postings[term]
                total[rows] += weights
                continue
            for near in self._speller.nearest(term):
                rows, weights = self._postings[near]
                total[rows] += FUZZY_WEIGHT * weights
        return total

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        scores = self.scores(query)
        if not scores.any():
            return []
        k = min(k, int((scores > 0).sum()))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top]
