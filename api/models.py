"""Typed shapes of what Recueil answers, shared by the CLI's --json and the HTTP API."""

from __future__ import annotations

import html
import re

from pydantic import BaseModel, Field

from ingest.store import DocumentRow, PassageRow
from search.citations import quote_excerpt, reference
from search.engine import Hit
from search.snippet import snippet


class DocumentRef(BaseModel):
    id: str
    file: str
    title: str
    event: str | None
    date: str | None
    kind: str


class SourceRef(BaseModel):
    """Another place where the same content stands (`also_in`)."""

    passage_id: str
    document: DocumentRef
    page: int
    start: int
    end: int
    text: str
    citation: str


class SearchResult(BaseModel):
    passage_id: str
    score: float
    scores: dict[str, float | int | None] = Field(
        description="score components: lexical/dense scores and ranks"
    )
    text: str
    snippet: str = Field(description="HTML-escaped excerpt, query words in <mark>")
    document: DocumentRef
    page: int
    page_end: int
    section: str
    speaker: str | None
    speaker_role: str | None
    kind: str = Field(description="'text' or 'note' (a footnote)")
    start: int
    end: int
    citation: str
    also_in: list[SourceRef]


class SearchResponse(BaseModel):
    query: str
    mode: str
    results: list[SearchResult]


def document_ref(document: DocumentRow) -> DocumentRef:
    return DocumentRef(
        id=document.id,
        file=document.file,
        title=document.title,
        event=document.event,
        date=document.date,
        kind=document.kind,
    )


def source_ref(passage: PassageRow, document: DocumentRow) -> SourceRef:
    return SourceRef(
        passage_id=passage.id,
        document=document_ref(document),
        page=passage.page_start,
        start=passage.start,
        end=passage.end,
        text=passage.text,
        citation=reference(document, passage),
    )


def search_result(hit: Hit, query: str) -> SearchResult:
    passage, document = hit.passage, hit.document
    marked = snippet(passage.text, query)
    # The reference quotes the words that matched, as a reader would cite them.
    excerpt = quote_excerpt(html.unescape(re.sub(r"</?mark>", "", marked)).strip("… "))
    return SearchResult(
        passage_id=passage.id,
        score=round(hit.score, 6),
        scores=hit.components,
        text=passage.text,
        snippet=marked,
        document=document_ref(document),
        page=passage.page_start,
        page_end=passage.page_end,
        section=passage.section,
        speaker=passage.speaker,
        speaker_role=passage.speaker_role,
        kind=passage.kind,
        start=passage.start,
        end=passage.end,
        citation=reference(document, passage, excerpt),
        also_in=[source_ref(p, d) for p, d in hit.also_in],
    )


def search_response(query: str, mode: str, hits: list[Hit]) -> SearchResponse:
    return SearchResponse(query=query, mode=mode, results=[search_result(h, query) for h in hits])
