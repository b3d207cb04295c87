"""Okapi BM25 over analysed passages, held in memory as postings arrays.

Chosen over SQLite FTS5's bm25 (kept for plain word lookup) because FTS5 has no French
stemming: measured in docs/EVALUATION.md. Building analyses every passage: a few
milliseconds for the corpus, 18 s at 100k passages, 211 s at a million; the engine keeps
the postings on disk (search/lexical_cache.py) so that it happens once per change.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from search.french import index_words, stem
from search.spelling import Speller

K1 = 1.2
B = 0.75
# A corrected spelling is weaker evidence than the word as typed.
FUZZY_WEIGHT = 0.8


class BM25:
    """Postings of analysed terms, each with its rows and their precomputed BM25 weights."""

    def __init__(
        self,
        ids: list[str],
        postings: dict[str, tuple[np.ndarray, np.ndarray]],
        surface: dict[str, str],
    ):
        """`surface`: each folded word of the indexed texts → its term. Typos are made in
        words, not stems: « financment » is one edit from « financement », four from its
        stem « financ »."""
        self.ids = ids
        self._postings = postings
        self._surface = surface
        self._speller = Speller(surface)
        self._near: dict[str, list[str]] = {}  # unknown word → index terms (memo)

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> BM25:
        """Analyse every text (the slow part: minutes at a million passages)."""
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        surface: dict[str, str] = {}
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            terms = []
            for word in index_words(text):
                term = surface.setdefault(word, stem(word))
                terms.append(term)
            lengths[row] = len(terms)
            for term, count in Counter(terms).items():
                postings[term].append((row, count))
        average_length = float(lengths.mean()) if len(texts) else 0.0
        norm = K1 * (1 - B + B * lengths / max(average_length, 1e-9))
        weighted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, entries in postings.items():
            rows = np.fromiter((r for r, _ in entries), dtype=np.int32, count=len(entries))
            tf = np.fromiter((c for _, c in entries), dtype=np.float32, count=len(entries))
            idf = np.log(1 + (len(texts) - len(rows) + 0.5) / (len(rows) + 0.5))
            weighted[term] = (rows, (idf * tf * (K1 + 1) / (tf + norm[rows])).astype(np.float32))
        return cls(ids, weighted, surface)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The postings as four flat arrays (for np.savez): terms, offsets, rows, weights."""
        terms = list(self._postings)
        sizes = [len(self._postings[t][0]) for t in terms]
        empty = (np.zeros(0, np.int32), np.zeros(0, np.float32))
        return {
            "words": _text_array(list(self._surface)),
            "word_terms": _text_array(list(self._surface.values())),
            "terms": _text_array(terms),
            "offsets": np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]),
            "rows": np.concatenate([self._postings[t][0] for t in terms] or [empty[0]]),
            "weights": np.concatenate([self._postings[t][1] for t in terms] or [empty[1]]),
        }

    @classmethod
    def from_arrays(cls, ids: list[str], arrays: dict[str, np.ndarray]) -> BM25:
        """Postings back from `to_arrays`: views into the arrays, nothing re-analysed."""
        terms = _text_list(arrays["terms"])
        surface = dict(
            zip(_text_list(arrays["words"]), _text_list(arrays["word_terms"]), strict=True)
        )
        offsets, rows, weights = arrays["offsets"], arrays["rows"], arrays["weights"]
        postings = {
            term: (rows[offsets[i] : offsets[i + 1]], weights[offsets[i] : offsets[i + 1]])
            for i, term in enumerate(terms)
        }
        return cls(ids, postings, surface)

    def query_terms(self, query: str) -> list[tuple[str, list[str], float]]:
        """Each analysed word of the query: (its term, the index terms it counts through,
        at which weight). A word the index does not know counts through the terms of its
        nearest spellings in the indexed texts, at FUZZY_WEIGHT (search.spelling)."""
        out: dict[str, tuple[str, list[str], float]] = {}
        for word in index_words(query):
            term = stem(word)
            if term in out:
                continue
            if term in self._postings:
                out[term] = (term, [term], 1.0)
                continue
            if word not in self._near:
                near = sorted({self._surface[w] for w in self._speller.nearest(word)})
                self._near[word] = [t for t in near if t in self._postings]
            out[term] = (term, self._near[word], FUZZY_WEIGHT)
        return list(out.values())

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros where no query term occurs)."""
        total = np.zeros(len(self.ids), dtype=np.float32)
        for _, terms, weight in self.query_terms(query):
            for term in terms:
                rows, weights = self._postings[term]
                total[rows] += weight * weights
        return total

    def share_of(self, term: str) -> float:
        """The share of passages an analysed term occurs in."""
        postings = self._postings.get(term)
        return len(postings[0]) / max(1, len(self.ids)) if postings else 0.0

    def matched_share(self, query: str) -> np.ndarray:
        """Per passage, the share of the query's weight (IDF) that its words match.

        BM25 alone rewards one rare word matched twice; a question is answered by a passage
        that holds most of what it asks. A query word the collection does not know counts
        with the weight of the rarest word, matched nowhere (unless a near spelling is)."""
        matched = np.zeros(len(self.ids), dtype=np.float32)
        total = 0.0
        for _, terms, _ in self.query_terms(query):
            frequency = max((len(self._postings[t][0]) for t in terms), default=0)
            weight = float(np.log(1 + (len(self.ids) - frequency + 0.5) / (frequency + 0.5)))
            total += weight
            if terms:
                matched[np.unique(np.concatenate([self._postings[t][0] for t in terms]))] += weight
        return matched / total if total else matched

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        scores = self.scores(query)
        if not scores.any():
            return []
        k = min(k, int((scores > 0).sum()))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top]


def _text_array(strings: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(strings).encode(), dtype=np.uint8)


def _text_list(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode()
    return text.split("\n") if text else []
