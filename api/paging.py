"""Pages and order of list answers: `offset` and `k` (the page size), and `sort`.

A list is asked one item beyond the page (`wanted`), so `has_more` costs nothing; the total
is given when the list ended before that. Sorting by date reorders the best `SORT_POOL`
results (what search keeps as relevant), so a date order never surfaces noise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from search import relevance

if TYPE_CHECKING:
    from search.engine import SearchEngine

T = TypeVar("T")
SORT_POOL = 100

Offset = Annotated[int, Query(ge=0, le=10_000, description="results to skip (paging)")]
Sort = Literal["relevance", "newest", "oldest"]
SortQuery = Annotated[
    Sort, Query(description="relevance, or by document date: newest or oldest first")
]


class Paged(BaseModel):
    """Where a page stands in its list, and why it is empty when it is."""

    offset: int = 0
    has_more: bool = Field(False, description="whether a next page exists")
    total: int | None = Field(None, description="how many results in all, when known")
    reason: str | None = Field(None, description="why there is no result, when there is none")


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


def page(
    items: Sequence[T], offset: int, k: int, asked: int, nothing: str | None = None
) -> tuple[list[T], Paged]:
    """The page of `items` (all that was found, up to `asked`) and where it stands;
    `nothing` says why when nothing was found, and an empty page past the end says so."""
    total = len(items) if len(items) < asked else None
    shown = list(items[offset : offset + k])
    reason = None
    if not items:
        reason = nothing
    elif not shown:
        reason = f"rien à partir du résultat {offset + 1} : la liste en compte {len(items)}"
    return shown, Paged(offset=offset, has_more=len(items) > offset + k, total=total, reason=reason)


def nothing_for(what: str, query: str | None, speaker: str | None = None) -> str:
    """« aucune citation de « CARON » sur « page blanche » », « aucun cas dans les
    documents »: why a list is empty, in the words of what was asked."""
    said = f"{what} de « {speaker} »" if speaker else what
    return f"{said} sur « {query} »" if query else said if speaker else f"{what} dans les documents"


def no_quotes(engine: SearchEngine, query: str | None, speaker: str | None) -> str:
    """Why no quote answers: a person the question names whom no document names, or
    nothing of this speaker on this, with the speaker a mistyped name probably meant."""
    stranger = engine.people.stranger(query, engine.people.find(query)) if query else None
    if stranger:
        return f"aucune citation : {relevance.stranger(stranger)}"
    return nothing_for("aucune citation", query, speaker) + engine.did_you_mean(speaker)
