"""Okapi BM25 over analysed passages, held in memory as postings arrays.

Chosen over SQLite FTS5's bm25 (kept for plain word lookup) because FTS5 has no French
stemming: measured in docs/EVALUATION.md. Analysing every passage takes 18 s at 100k
passages, 211 s at a million; so each text's analysis (its words and their counts) is
kept by the text's hash (`Analyses`), in memory and on disk (search/lexical_cache.py),
and an index is built from analyses: after a write only the new texts are analysed, and
the postings are recomputed from the kept counts with array operations. Weights depend
on every passage (IDF, average length), so they are recomputed, never patched: an index
built after a write is the one a full build gives.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

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
        # What it was built from, when known: the next build after a write starts there.
        self.analyses: Analyses | None = None
        self.hashes: list[str] = []
        self.saved = False  # whether the file on disk holds these postings

    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: list[str],
        analyses: Analyses | None = None,
        hashes: list[str] | None = None,
    ) -> BM25:
        """Analyse every text (the slow part: minutes at a million passages) but those
        `analyses` holds (an earlier index's); `hashes`: the texts' (text_hash), if known."""
        analyses = analyses if analyses is not None else Analyses()
        hashes = analyses.cover(texts, hashes)
        return cls.from_analyses(ids, hashes, analyses.kept(hashes))

    @classmethod
    def from_analyses(cls, ids: list[str], hashes: list[str], analyses: Analyses) -> BM25:
        """The index of the texts whose hashes are given, in row order, from their kept
        analyses (every hash must be in `analyses`: see Analyses.cover)."""
        count = len(hashes)
        kept = [analyses.by_hash[h] for h in hashes]
        sizes = np.fromiter((len(words) for words, _ in kept), dtype=np.int64, count=count)
        empty = np.zeros(0, np.int32)
        word_ids = np.concatenate([words for words, _ in kept] or [empty])
        counts = np.concatenate([n for _, n in kept] or [empty]).astype(np.float64)
        entry_rows = np.repeat(np.arange(count, dtype=np.int32), sizes)
        lengths = np.bincount(entry_rows, weights=counts, minlength=count).astype(np.float32)
        # Entries grouped by term, rows ascending within a term (a stable sort of rows laid
        # in order), as postings are read; words sharing a stem in one passage add up.
        term_names, word_terms = analyses.term_table()
        entry_terms = word_terms[word_ids]
        order = np.argsort(entry_terms, kind="stable")
        entry_terms, entry_rows, counts = entry_terms[order], entry_rows[order], counts[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (entry_terms[1:] != entry_terms[:-1]) | (entry_rows[1:] != entry_rows[:-1])
        starts = np.flatnonzero(first)
        tf = (np.add.reduceat(counts, starts) if len(starts) else counts).astype(np.float32)
        terms, rows = entry_terms[starts], entry_rows[starts]
        average_length = float(lengths.mean()) if count else 0.0
        norm = K1 * (1 - B + B * lengths / max(average_length, 1e-9))
        bounds = np.flatnonzero(np.diff(terms, prepend=-1)) if len(terms) else starts
        frequency = np.diff(np.append(bounds, len(terms)))
        idf = np.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
        weights = (np.repeat(idf, frequency) * tf * (K1 + 1) / (tf + norm[rows])).astype(np.float32)
        postings = {
            term_names[term]: (rows[start : start + size], weights[start : start + size])
            for term, start, size in zip(terms[bounds].tolist(), bounds, frequency, strict=True)
        }
        used = np.zeros(len(analyses.words), dtype=bool)
        used[word_ids] = True
        surface = {analyses.words[i]: term_names[word_terms[i]] for i in np.flatnonzero(used)}
        index = cls(ids, postings, surface)
        index.analyses, index.hashes = analyses, hashes
        return index

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
        index = cls(ids, postings, surface)
        index.saved = True
        return index

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


def text_hash(text: str) -> str:
    """The key of a text's analysis."""
    return hashlib.sha1(text.encode()).hexdigest()


class Analyses:
    """Each analysed text's words (ids into `words`) and their counts, by the text's hash.

    Only ever grows while in use, and never changes what it holds: an engine in service
    and the one being built beside it can share it. `kept(hashes)` makes a copy holding
    only what a new index uses, so deleted passages do not accumulate.
    """

    def __init__(self) -> None:
        self.words: list[str] = []
        self.word_ids: dict[str, int] = {}
        self.word_terms: list[str] = []  # word id → its stem
        self.by_hash: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def cover(self, texts: list[str], hashes: list[str] | None = None) -> list[str]:
        """The hashes of `texts` (computed unless given), analysing those not seen yet."""
        hashes = hashes if hashes is not None else [text_hash(text) for text in texts]
        for text, digest in zip(texts, hashes, strict=True):
            if digest not in self.by_hash:
                self.by_hash[digest] = self._analyse(text)
        return hashes

    def _analyse(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(index_words(text))
        ids = np.fromiter((self._word_id(w) for w in counts), dtype=np.int32, count=len(counts))
        return ids, np.fromiter(counts.values(), dtype=np.int32, count=len(counts))

    def _word_id(self, word: str) -> int:
        found = self.word_ids.get(word)
        if found is None:
            found = self.word_ids[word] = len(self.words)
            self.words.append(word)
            self.word_terms.append(stem(word))
        return found

    def term_table(self) -> tuple[list[str], np.ndarray]:
        """The distinct terms, and each word id's term id into them."""
        names: dict[str, int] = {}
        ids = np.fromiter(
            (names.setdefault(t, len(names)) for t in self.word_terms),
            dtype=np.int32,
            count=len(self.word_terms),
        )
        return list(names), ids

    def kept(self, hashes: Iterable[str]) -> Analyses:
        """A copy holding only these texts' analyses (their arrays shared, not copied)."""
        copy = Analyses()
        copy.words, copy.word_ids, copy.word_terms = self.words, self.word_ids, self.word_terms
        copy.by_hash = {h: self.by_hash[h] for h in hashes}
        return copy

    def to_arrays(self, hashes: list[str]) -> dict[str, np.ndarray]:
        """These texts' analyses as flat arrays (for np.savez), words renumbered densely."""
        kept = [self.by_hash[h] for h in hashes]
        empty = np.zeros(0, np.int32)
        word_ids = np.concatenate([w for w, _ in kept] or [empty])
        used, dense = np.unique(word_ids, return_inverse=True)
        return {
            "analysis_hashes": _text_array(hashes),
            "analysis_offsets": np.concatenate(
                [[0], np.cumsum([len(w) for w, _ in kept], dtype=np.int64)]
            ),
            "analysis_words": dense.astype(np.int32),
            "analysis_counts": np.concatenate([n for _, n in kept] or [empty]),
            "analysis_vocabulary": _text_array([self.words[i] for i in used.tolist()]),
            "analysis_terms": _text_array([self.word_terms[i] for i in used.tolist()]),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Analyses:
        analyses = cls()
        analyses.words = _text_list(arrays["analysis_vocabulary"])
        analyses.word_terms = _text_list(arrays["analysis_terms"])
        analyses.word_ids = {w: i for i, w in enumerate(analyses.words)}
        offsets = arrays["analysis_offsets"]
        words, counts = arrays["analysis_words"], arrays["analysis_counts"]
        for i, digest in enumerate(_text_list(arrays["analysis_hashes"])):
            span = slice(offsets[i], offsets[i + 1])
            analyses.by_hash[digest] = (words[span], counts[span])
        return analyses


def _text_array(strings: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(strings).encode(), dtype=np.uint8)


def _text_list(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode()
    return text.split("\n") if text else []
