"""Readable, stable and distinct ids for derived records (cases, actors).

An id is its kind and its key written as a slug: `case-loos-en-gohelle`, so that a case
page's address survives a rebuild. Two keys can give one slug (punctuation dropped, long
keys cut at 60 characters; seen at 1,000 documents, where the store refused the second
row), so later rows are told apart by a qualifier (an actor's kind), then a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_id(prefix: str, key: str) -> str:
    # The cut may fall just after a word: « …-rural-entre- » ends on its word.
    return f"{prefix}-" + _NOT_SLUG.sub("-", key).strip("-")[:60].rstrip("-")


def distinct_ids(rows: list[dict], qualifier: Callable[[dict], str] | None = None) -> list[dict]:
    """Rows whose `id` repeats an earlier one get `-<qualifier>`, then `-2`, `-3`…"""
    seen: set[str] = set()
    for row in rows:
        base = row["id"]
        if base in seen and qualifier is not None:
            base = f"{base}-{qualifier(row)}"
        candidate, number = base, 2
        while candidate in seen:
            candidate, number = f"{base}-{number}", number + 1
        row["id"] = candidate
        seen.add(candidate)
    return rows
