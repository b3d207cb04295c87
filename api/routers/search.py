"""Search and similar passages: the same results and shape as `recueil search --json`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api.bounds import DESCRIPTION_CHARS, QUESTION_CHARS
from api.messages import ApiError
from api.models import SearchResponse, SimilarResponse, search_response, similar_response
from api.paging import Offset, SortQuery, by_date, page, wanted
from api.routers.deps import App
from ingest.metadata import KINDS
from search.engine import MODES, Filters, Results

router = APIRouter(prefix="/v1", tags=["search"])


@router.get("/search")
def search(
    app: App,
    q: Annotated[str, Query(max_length=QUESTION_CHARS, description="La question")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    mode: Annotated[Literal[MODES], Query(description="hybrid, lexical or dense")] = "hybrid",
    document: str | None = None,
    event: str | None = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    kind: Annotated[
        Literal[KINDS] | None, Query(description="document kind: " + ", ".join(KINDS))
    ] = None,
    speaker: str | None = None,
    place: str | None = None,
    offset: Offset = 0,
    sort: SortQuery = "relevance",
) -> SearchResponse:
    """Passages answering a question, with `facets`: how every relevant passage spreads
    over years, events, kinds, speakers, places and cases (each a filter here but cases)."""
    if not q.strip():
        raise ApiError(422, "query.empty")  # "" and "   " alike
    filters = Filters(
        document=document, event=event, year=year, kind=kind, speaker=speaker, place=place
    )
    asked = wanted(offset, k, sort)
    hits = app.engine.search(q, asked, mode, filters)
    ordered = by_date(hits, lambda h: h.document.date, sort)
    shown, where = page(ordered, offset, k, asked, hits.reason)
    response = search_response(q, mode, Results(shown, hits.reason, hits.matched), app.engine)
    return response.model_copy(update=where.model_dump())


@router.get("/similar")
def similar(
    app: App,
    passage_id: str | None = None,
    case_id: str | None = None,
    text: Annotated[str | None, Query(max_length=DESCRIPTION_CHARS)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SimilarResponse:
    """Passages of other documents and cases close to a passage, a case or a description."""
    given = [v for v in (passage_id, case_id, text and text.strip()) if v]
    if not given and text is not None:
        raise ApiError(422, "similar.empty")  # « text= »: a description left blank
    if len(given) != 1:
        raise ApiError(400, "similar.one_of")
    try:
        return similar_response(app.engine, passage_id, case_id, text, k)
    except LookupError as exc:  # the one id given names nothing
        key = "passage.unknown" if passage_id else "case.unknown"
        raise ApiError(404, key, id=passage_id or case_id) from exc
