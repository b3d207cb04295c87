"""Pages and order of list answers: `offset` and `k` (the page size), and `sort`.

A list is asked one item beyond the page (`wanted`), so `has_more` costs nothing; the total
is given when the list ended before that. Sorting by date reorders the best `SORT_POOL`
results (what search keeps as relevant), so a date order never surfaces noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Literal, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

T = TypeVar("T")
SORT_POOL = 100

Offset = Annotated[int, Query(ge=0, le=10_000, description="results to skip (paging)")]
Sort = Literal["relevance", "newest", "oldest"]
SortQuery = Annotated[
    Sort, Query(description="relevance, or by document date: newest or oldest first")
]


class Paged(BaseModel):
    """Where a page stands in its list."""

    offset: int = 0
    has_more: bool = Field(False, description="whether a next page exists")
    total: int | None = Field(None, description="how many results in all, when known")


def wanted(offset: int, k: int, sort: Sort = "relevance") -> int:
    """How many results to ask for to fill this page and know whether another follows."""
    return max(SORT_POOL, offset + k + 1) if sort != "relevance" else offset + k + 1


def by_date(items: Sequence[T], date_of: Callable[[T], str | None], sort: Sort) -> list[T]:
    """Stable order by date (relevance kept among equal dates); undated items go last."""
    if sort == "relevance":
        return list(items)
    dated = [i for i in items if date_of(i)]
    dated.sort(key=lambda i: date_of(i) or "", reverse=sort == "newest")
    return dated + [i for i in items if not date_of(i)]


def page(items: Sequence[T], offset: int, k: int, asked: int) -> tuple[list[T], Paged]:
    """The page of `items` (all that was found, up to `asked`) and where it stands."""
    total = len(items) if len(items) < asked else None
    return list(items[offset : offset + k]), Paged(
        offset=offset, has_more=len(items) > offset + k, total=total
    )
