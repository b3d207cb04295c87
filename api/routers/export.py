"""Citation export: passages and quotes as CSL-JSON, BibTeX or RIS files, for Zotero."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.messages import ApiError
from api.routers.deps import App
from search.citation_formats import FORMATS, Citable, from_passage, from_quote

router = APIRouter(prefix="/v1", tags=["export"])
# Ids one export takes: a selection, not the collection (`recueil export` dumps that).
MAX_ITEMS = 200


@router.get("/export")
def export(
    request: Request,
    app: App,
    passage: Annotated[list[str] | None, Query(description="passage ids, repeated")] = None,
    quote: Annotated[list[str] | None, Query(description="quote ids, repeated")] = None,
    format: Annotated[Literal[tuple(FORMATS)], Query(description="csl, bibtex or ris")] = "csl",
) -> Response:
    """The passages and quotes given, in the order given, as a file to download; each item
    carries a URL to the passage in its document view."""
    passage, quote = passage or [], quote or []
    if not passage and not quote:
        raise ApiError(400, "export.none")
    if len(passage) + len(quote) > MAX_ITEMS:
        raise ApiError(400, "export.too_many", max=MAX_ITEMS)
    # The order the researcher chose, passages and quotes interleaved as the query gives them.
    asked = [(k, v) for k, v in request.query_params.multi_items() if k in ("passage", "quote")]
    items = _citables(app.engine, asked, str(request.base_url))
    chosen = FORMATS[format]
    name = _slug(items[0].id) if len(items) == 1 else "citations"
    return Response(
        chosen.write(items),
        media_type=chosen.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="recueil-{name}.{chosen.extension}"'
        },
    )


def _citables(engine, asked: list[tuple[str, str]], base: str) -> list[Citable]:
    """Each (« passage » or « quote », id) asked, in order; an unknown id is a 404 that
    names it."""
    knowledge = engine.knowledge
    quotes = {q["id"]: q for q in knowledge.quotes} if any(k == "quote" for k, _ in asked) else {}
    unknown = [i for k, i in asked if i not in (engine.passages if k == "passage" else quotes)]
    if unknown:
        raise ApiError(404, "export.unknown", ids=", ".join(unknown))
    items = []
    for kind, id_ in asked:
        if kind == "passage":
            found = engine.passages[id_]
            items.append(from_passage(found, engine.documents[found.document_id], base))
        else:  # a quote is read where its knowledge was built (Knowledge.documents)
            found = knowledge.passages[quotes[id_]["passage_id"]]
            document = knowledge.documents[found.document_id]
            items.append(from_quote(quotes[id_], found, document, base))
    return items


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "citation"
