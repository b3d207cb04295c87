"""Typo tolerance for lexical search: a query word unknown to the index borrows the
postings of the indexed words nearest to it by edit distance.

Words are compared folded but before stemming (typos are made in words: « financment » is
one edit from « financement », four from its stem), so « teritoriale » reaches
« territoriale » and « caise » reaches « caisse ». Only unknown words are corrected, and
only towards words that start with the same letter: a rare real word never hides a
common one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein


def max_distance(term: str) -> int:
    """Edits allowed: none under 4 letters, one up to 7, two beyond."""
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


def distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, or cap + 1 when it exceeds cap.

    rapidfuzz, in C: a pure-Python loop took up to 30 ms on a question with a few words the
    collection does not spell (« dénicher », « prometteurs »), a third of a search's time
    (docs/BENCHMARKS.md)."""
    return Levenshtein.distance(a, b, score_cutoff=cap)


class Speller:
    """Nearest index terms for unknown query terms."""

    def __init__(self, vocabulary: Iterable[str]):
        self._buckets: dict[tuple[str, int], list[str]] = defaultdict(list)
        for term in vocabulary:
            self._buckets[(term[0], len(term))].append(term)

    def nearest(self, term: str) -> list[str]:
        cap = max_distance(term)
        if not cap:
            return []
        found: list[tuple[int, str]] = []
        for length in range(len(term) - cap, len(term) + cap + 1):
            for candidate in self._buckets.get((term[0], length), ()):
                gap = distance(term, candidate, cap)
                if gap <= cap:
                    found.append((gap, candidate))
        if not found:
            return []
        best = min(gap for gap, _ in found)
        return sorted(candidate for gap, candidate in found if gap == best)
