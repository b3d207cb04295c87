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


def max_distance(term: str) -> int:
    """Edits allowed: none under 4 letters, one up to 7, two beyond."""
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


def distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, or cap + 1 as soon as it must exceed cap."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)
            )
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


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
