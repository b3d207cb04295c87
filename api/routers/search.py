"""Search and similar passages: the same results and shape as `recueil search --json`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.messages import ApiError
from api.models import SearchResponse, SimilarResponse, search_response, similar_response
from api.routers.deps import App
from ingest.metadata import KINDS
from search.engine import MODES, Filters

router = APIRouter(prefix="/v1", tags=["search"])


@router.get("/search")
def search(
    app: App,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="La question")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    mode: Annotated[str, Query(pattern="^(" + "|".join(MODES) + ")$")] = "hybrid",
    document: str | None = None,
    event: str | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    kind: Annotated[
        Literal[KINDS] | None, Query(description="document kind: " + ", ".join(KINDS))
    ] = None,
    speaker: str | None = None,
) -> SearchResponse:
    if not q.strip():
        raise ApiError(400, "query.empty")
    filters = Filters(document=document, event=event, year=year, kind=kind, speaker=speaker)
    hits = app.engine.search(q, k, mode, filters)
    return search_response(q, mode, hits)


@router.get("/similar")
def similar(
    app: App,
    passage_id: str | None = None,
    case_id: str | None = None,
    text: Annotated[str | None, Query(max_length=5000)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SimilarResponse:
    """Passages of other documents and cases close to a passage, a case or a description."""
    given = [v for v in (passage_id, case_id, text and text.strip()) if v]
    if len(given) != 1:
        raise ApiError(400, "similar.one_of")
    try:
        return similar_response(app.engine, passage_id, case_id, text, k)
    except LookupError as exc:  # the one id given names nothing
        key = "passage.unknown" if passage_id else "case.unknown"
        raise ApiError(404, key, id=passage_id or case_id) from exc
