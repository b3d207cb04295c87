"""Search and similar passages: the same results and shape as `recueil search --json`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.models import SearchResponse, search_response
from api.routers.deps import App
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
    kind: str | None = None,
    speaker: str | None = None,
) -> SearchResponse:
    if not q.strip():
        raise HTTPException(400, "the query is empty")
    filters = Filters(document=document, event=event, year=year, kind=kind, speaker=speaker)
    hits = app.engine.search(q, k, mode, filters)
    return search_response(q, mode, hits)


@router.get("/similar")
def similar(
    app: App,
    passage_id: str | None = None,
    text: Annotated[str | None, Query(max_length=5000)] = None,
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SearchResponse:
    """Passages of *other* documents closest to a passage, or to a free-text description."""
    engine = app.engine
    if bool(passage_id) == bool(text and text.strip()):
        raise HTTPException(400, "give exactly one of passage_id or text")
    if passage_id:
        passage = engine.passages.get(passage_id)
        if passage is None:
            raise HTTPException(404, f"no passage '{passage_id}'")
        hits = engine.similar_to_vector(
            engine.vectors.vector(passage_id), k, exclude_document=passage.document_id
        )
        return search_response(passage.text, "similar", hits)
    hits = engine.similar_to_vector(engine.embedder.embed_query(text), k)
    return search_response(text, "similar", hits)
