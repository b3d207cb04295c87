"""Okapi BM25 over analysed passages, held in memory as postings arrays.

Chosen over SQLite FTS5's bm25 (kept for plain word lookup) because FTS5 has no French
stemming: measured in docs/EVALUATION.md. Analysing every passage takes 18 s at 100k
passages, 211 s at a million; so each text's analysis (its words and their counts) is
kept by the text's hash (`Analyses`), in memory and on disk (search/lexical_cache.py),
and an index is built from analyses: after a write only the new texts are analysed.

The postings hold what a write does not change, each term's rows and counts (tf) and
each row's length; the weights, which depend on every passage (IDF, average length),
are computed from them the first time a query reads a term. So an index after a write is
the last one with the changed rows' counts taken out and the new ones merged in (`build`
with `previous`), in proportion to the change rather than to the store (0.37–0.46 s →
0.06–0.15 s at 24,000 passages, docs/BENCHMARKS.md), and it is, count for count and so
weight for weight, the one a build from nothing gives.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np

from search.french import index_words, stem
from search.spelling import Speller

K1 = 1.6
B = 0.6
# A corrected spelling is weaker evidence than the word as typed.
FUZZY_WEIGHT = 0.8
_NO_ROWS = np.zeros(0, dtype=np.int32)


class BM25:
    """Postings of analysed terms laid flat, term after term: `offsets[t]` to
    `offsets[t + 1]` are term t's entries in `rows` (ascending) and `tf` (its count
    there, words sharing a stem added up); `lengths`, each row's number of words."""

    def __init__(
        self,
        ids: list[str],
        term_ids: dict[str, int],
        arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        surface: dict[str, str],
    ):
        """`arrays`: offsets, rows, tf and lengths. `surface`: each folded word of the
        indexed texts → its term. Typos are made in words, not stems: « financment » is
        one edit from « financement », four from its stem « financ »."""
        self.ids = ids
        self._term_ids = term_ids
        self._offsets, self._rows, self._tf, self._lengths = arrays
        self._frequency = np.diff(self._offsets)  # passages each term occurs in
        count = len(ids)
        self._idf = np.log(1 + (count - self._frequency + 0.5) / (self._frequency + 0.5))
        average_length = float(self._lengths.mean()) if count else 0.0
        self._norm = K1 * (1 - B + B * self._lengths / max(average_length, 1e-9))
        self._surface = surface
        self._speller = Speller(surface)
        self._near: dict[str, list[str]] = {}  # unknown word → index terms (memo)
        # Each term's weights once a query has read it: computing those of a common term
        # at every query cost 0.3 ms p50, 3–4 ms p95 at 24,000 passages (docs/BENCHMARKS.md).
        self._weights: dict[int, np.ndarray] = {}
        # What it was built from, when known: the next build after a write starts there.
        self.analyses: Analyses | None = None
        self.hashes: list[str] = []
        self.saved = False  # whether the file on disk holds these postings
        self._uses: np.ndarray | None = None  # rows each word of `analyses` occurs in

    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: list[str] | Callable[[int], str],
        analyses: Analyses | None = None,
        hashes: list[str] | None = None,
        previous: BM25 | None = None,
    ) -> BM25:
        """Analyse every text (the slow part: minutes at a million passages) but those
        `analyses` (or `previous`'s) holds. `texts`: the texts in row order, or the text of
        a row, asked only for those not analysed yet; then `hashes` (text_hash) are given.
        From `previous` (the index in service), only the rows that changed are counted."""
        if previous is not None and previous.analyses is not None:
            analyses = previous.analyses
        analyses = analyses if analyses is not None else Analyses()
        if hashes is None:
            assert isinstance(texts, list)
            hashes = [text_hash(text) for text in texts]
        analyses.cover(hashes, texts if callable(texts) else texts.__getitem__)
        kept = analyses.kept(hashes)
        if previous is not None and previous.analyses is not None:
            updated = previous._updated(ids, hashes, kept)
            if updated is not None:
                return updated
        return cls.from_analyses(ids, hashes, kept)

    @classmethod
    def from_analyses(cls, ids: list[str], hashes: list[str], analyses: Analyses) -> BM25:
        """The index of the texts whose hashes are given, in row order, from their kept
        analyses (every hash must be in `analyses`: see Analyses.cover)."""
        term_ids: dict[str, int] = {}
        entries, lengths = _entries(analyses, hashes, np.arange(len(hashes)), term_ids)
        uses = _word_rows(analyses, hashes)
        return cls._made(ids, hashes, analyses, term_ids, entries, lengths, uses)

    def _updated(self, ids: list[str], hashes: list[str], analyses: Analyses) -> BM25 | None:
        """This index with the rows no longer there (or whose text changed) taken out and
        the new ones merged in; None when rows kept would change order (a full build)."""
        source = _kept_rows(self.ids, self.hashes, ids, hashes)
        kept = source >= 0
        if np.any(np.diff(source[kept]) <= 0):
            return None
        new_row = np.full(len(self.ids), -1, dtype=np.int64)
        new_row[source[kept]] = np.flatnonzero(kept)
        # The kept entries, renumbered: their order (term, then row) does not change.
        terms = np.repeat(np.arange(len(self._frequency), dtype=np.int32), self._frequency)
        rows = new_row[self._rows]
        stays = rows >= 0
        old = (terms[stays], rows[stays].astype(np.int32), self._tf[stays])
        term_ids = dict(self._term_ids)
        new = np.flatnonzero(~kept)
        added, added_lengths = _entries(analyses, hashes, new, term_ids)
        entries = _merged(old, added, len(ids))
        lengths = np.empty(len(ids), dtype=np.float32)
        lengths[kept] = self._lengths[source[kept]]
        lengths[new] = added_lengths
        # Which words the texts still use: what the speller corrects towards.
        uses = np.zeros(len(analyses.words), dtype=np.int32)
        uses[: len(self.uses())] = self.uses()
        gone = [self.hashes[row] for row in np.flatnonzero(new_row < 0)]
        np.subtract.at(uses, _words_of(self.analyses, gone), 1)
        np.add.at(uses, _words_of(analyses, [hashes[row] for row in new]), 1)
        return self._made(ids, hashes, analyses, term_ids, entries, lengths, uses)

    @classmethod
    def _made(
        cls,
        ids: list[str],
        hashes: list[str],
        analyses: Analyses,
        term_ids: dict[str, int],
        entries: tuple[np.ndarray, np.ndarray, np.ndarray],
        lengths: np.ndarray,
        uses: np.ndarray,
    ) -> BM25:
        """The index of these entries (term, row, tf, ordered by term then row); `uses`,
        how many rows each word of `analyses` occurs in."""
        terms, rows, tf = entries
        sizes = np.bincount(terms, minlength=len(term_ids))
        offsets = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        used = np.flatnonzero(uses).tolist()
        surface = {analyses.words[i]: analyses.word_terms[i] for i in used}
        index = cls(ids, term_ids, (offsets, rows, tf, lengths), surface)
        index.analyses, index.hashes, index._uses = analyses, hashes, uses
        return index

    def uses(self) -> np.ndarray:
        """How many rows each word of `analyses` occurs in (counted once, when first asked
        of an index read from disk)."""
        if self._uses is None:
            assert self.analyses is not None
            self._uses = _word_rows(self.analyses, self.hashes)
        return self._uses

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The postings as flat arrays (for np.savez): terms, offsets, rows, tf, lengths."""
        return {
            "words": _text_array(list(self._surface)),
            "word_terms": _text_array(list(self._surface.values())),
            "terms": _text_array(sorted(self._term_ids, key=self._term_ids.__getitem__)),
            "offsets": self._offsets,
            "rows": self._rows,
            "tf": self._tf,
            "lengths": self._lengths,
        }

    @classmethod
    def from_arrays(cls, ids: list[str], arrays: dict[str, np.ndarray]) -> BM25:
        """Postings back from `to_arrays`: nothing re-analysed."""
        term_ids = {term: i for i, term in enumerate(_text_list(arrays["terms"]))}
        surface = dict(
            zip(_text_list(arrays["words"]), _text_list(arrays["word_terms"]), strict=True)
        )
        postings = (arrays["offsets"], arrays["rows"], arrays["tf"], arrays["lengths"])
        index = cls(ids, term_ids, postings, surface)
        index.saved = True
        return index

    def terms(self) -> list[str]:
        """The terms that occur in some passage."""
        return [t for t, i in self._term_ids.items() if self._frequency[i]]

    def posting(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows a term occurs in, ascending, and its BM25 weight in each (none if it
        occurs nowhere)."""
        i = self._term_ids.get(term)
        if i is None or not self._frequency[i]:
            return _NO_ROWS, np.zeros(0, dtype=np.float32)
        span = slice(self._offsets[i], self._offsets[i + 1])
        rows, weights = self._rows[span], self._weights.get(i)
        if weights is None:
            tf = self._tf[span]
            weights = self._idf[i] * tf * (K1 + 1) / (tf + self._norm[rows])
            weights = self._weights[i] = weights.astype(np.float32)
        return rows, weights

    def _occurs(self, term: str) -> int:
        """How many passages a term occurs in."""
        i = self._term_ids.get(term)
        return 0 if i is None else int(self._frequency[i])

    def word_rows(self, word: str) -> np.ndarray:
        """The rows holding a folded word's term (« elus »: those with « élus », « élu »…);
        none if the texts do not use the word."""
        term = self._surface.get(word)
        return self.posting(term)[0] if term else _NO_ROWS

    def nearest_word(self, word: str) -> str | None:
        """The indexed word nearest a folded word's spelling, the most used between equals."""
        near = self._speller.nearest(word)
        return max(near, key=lambda w: (self._occurs(self._surface[w]), w)) if near else None

    def query_terms(self, query: str) -> list[tuple[str, list[str], float]]:
        """Each analysed word of the query: (its term, the index terms it counts through,
        at which weight). A word the index does not know counts through the terms of its
        nearest spellings in the indexed texts, at FUZZY_WEIGHT (search.spelling)."""
        out: dict[str, tuple[str, list[str], float]] = {}
        for word in index_words(query):
            term = stem(word)
            if term in out:
                continue
            if self._occurs(term):
                out[term] = (term, [term], 1.0)
                continue
            if word not in self._near:
                near = sorted({self._surface[w] for w in self._speller.nearest(word)})
                self._near[word] = [t for t in near if self._occurs(t)]
            out[term] = (term, self._near[word], FUZZY_WEIGHT)
        return list(out.values())

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros where no query term occurs)."""
        total = np.zeros(len(self.ids), dtype=np.float32)
        for _, terms, weight in self.query_terms(query):
            for term in terms:
                rows, weights = self.posting(term)
                total[rows] += weight * weights
        return total

    def share_of(self, term: str) -> float:
        """The share of passages an analysed term occurs in."""
        return self._occurs(term) / max(1, len(self.ids))

    def matched_share(self, query: str) -> np.ndarray:
        """Per passage, the share of the query's weight (IDF) that its words match.

        BM25 alone rewards one rare word matched twice; a question is answered by a passage
        that holds most of what it asks. A query word the collection does not know counts
        with the weight of the rarest word, matched nowhere (unless a near spelling is)."""
        matched = np.zeros(len(self.ids), dtype=np.float32)
        total = 0.0
        for _, terms, _ in self.query_terms(query):
            frequency = max((self._occurs(t) for t in terms), default=0)
            weight = float(np.log(1 + (len(self.ids) - frequency + 0.5) / (frequency + 0.5)))
            total += weight
            if terms:
                rows = np.unique(np.concatenate([self.posting(t)[0] for t in terms]))
                matched[rows] += weight
        return matched / total if total else matched

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        scores = self.scores(query)
        if not scores.any():
            return []
        k = min(k, int((scores > 0).sum()))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top]


def _kept_rows(
    old_ids: list[str], old_hashes: list[str], ids: list[str], hashes: list[str]
) -> np.ndarray:
    """For each row, the row of the last index with the same passage and text (-1: none)."""
    pairs = zip(old_ids, old_hashes, strict=True)
    old = {pid: (row, digest) for row, (pid, digest) in enumerate(pairs)}
    return np.fromiter(
        (
            found[0] if (found := old.get(pid)) is not None and found[1] == digest else -1
            for pid, digest in zip(ids, hashes, strict=True)
        ),
        dtype=np.int64,
        count=len(ids),
    )


def _words_of(analyses: Analyses, hashes: list[str]) -> np.ndarray:
    """The word ids of these texts, laid end to end (each text's once)."""
    return np.concatenate([analyses.by_hash[h][0] for h in hashes] or [_NO_ROWS])


def _word_rows(analyses: Analyses, hashes: list[str]) -> np.ndarray:
    """How many of these texts each word of `analyses` occurs in."""
    words = np.bincount(_words_of(analyses, hashes), minlength=len(analyses.words))
    return words.astype(np.int32)


def _entries(
    analyses: Analyses, hashes: list[str], rows: np.ndarray, term_ids: dict[str, int]
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """The entries (term, row, tf) of these rows' texts, by term then row, and each row's
    length; terms not in `term_ids` are added to it."""
    kept = [analyses.by_hash[hashes[row]] for row in rows.tolist()]
    sizes = np.fromiter((len(words) for words, _ in kept), dtype=np.int64, count=len(kept))
    word_ids = np.concatenate([words for words, _ in kept] or [_NO_ROWS])
    counts = np.concatenate([n for _, n in kept] or [_NO_ROWS]).astype(np.float64)
    local = np.repeat(np.arange(len(kept), dtype=np.int32), sizes)
    lengths = np.bincount(local, weights=counts, minlength=len(kept)).astype(np.float32)
    words, word_index = np.unique(word_ids, return_inverse=True)
    word_terms = np.fromiter(
        (term_ids.setdefault(analyses.word_terms[w], len(term_ids)) for w in words.tolist()),
        dtype=np.int32,
        count=len(words),
    )
    # Entries grouped by term, rows ascending within a term (a stable sort of rows laid
    # in order); words sharing a stem in one passage add up.
    entry_terms = word_terms[word_index]
    order = np.argsort(entry_terms, kind="stable")
    entry_terms, local, counts = entry_terms[order], local[order], counts[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (entry_terms[1:] != entry_terms[:-1]) | (local[1:] != local[:-1])
    starts = np.flatnonzero(first)
    tf = (np.add.reduceat(counts, starts) if len(starts) else counts).astype(np.float32)
    entry_rows = rows.astype(np.int32)[local[starts]]
    return (entry_terms[starts], entry_rows, tf), lengths


def _merged(
    old: tuple[np.ndarray, np.ndarray, np.ndarray],
    added: tuple[np.ndarray, np.ndarray, np.ndarray],
    count: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two lists of entries, each ordered by term then row, merged into one so ordered."""
    keys = old[0].astype(np.int64) * count + old[1]
    at = np.searchsorted(keys, added[0].astype(np.int64) * count + added[1])
    return (
        np.insert(old[0], at, added[0]),
        np.insert(old[1], at, added[1]),
        np.insert(old[2], at, added[2]),
    )


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

    def cover(self, hashes: list[str], text_of: Callable[[int], str]) -> None:
        """Analyse the texts not seen yet: `text_of(i)` is the text whose hash is
        `hashes[i]`, asked only of those."""
        for i, digest in enumerate(hashes):
            if digest not in self.by_hash:
                self.by_hash[digest] = self._analyse(text_of(i))

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
