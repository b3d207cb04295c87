"""Is a query English? Then BM25 over French text has little to say about it."""

from __future__ import annotations

import re

_ENGLISH = frozenset(
    "the of and to in for on with by is are was were be been an as at or from that this "
    "these those it its how what which who why do does did can their they".split()
)
_FRENCH = frozenset(
    "le la les des du de et un une comment quel quels quelle quelles pour sur dans est "
    "sont qui que au aux avec".split()
)


def looks_english(query: str) -> bool:
    """At least two English function words and no French one."""
    words = re.findall(r"[a-zà-ÿ']+", query.lower())
    english = sum(word in _ENGLISH for word in words)
    return english >= 2 and not any(word in _FRENCH for word in words)
