"""A document's extracted text with its structure: what the page's document view draws.

Every offset indexes `text`, the extracted text that passages, quotes and evidence cite
by `start`/`end`; so a citation's offsets point into this text as they are, and the view
can mark the exact excerpt. Sections and speaker turns are not stored as such: they are
the runs of consecutive passages that share a section path or a speaker.
"""

from __future__ import annotations

import json
from itertools import groupby

from pydantic import BaseModel, Field

from api.models import DocumentRef, document_ref
from ingest.store import DocumentRow, PassageRow

SECTION_SEPARATOR = " › "


class PageMark(BaseModel):
    number: int
    start: int = Field(description="offset in `text` where the page begins")


class SectionMark(BaseModel):
    path: str = Field(description="titles from the outermost, joined by ' › '")
    title: str
    depth: int = Field(description="0 for a top-level section")
    start: int
    end: int


class SpeakerTurn(BaseModel):
    speaker: str
    role: str | None
    speech: str | None = Field(
        description="'verbatim' (the speaker's own words) or 'reported', when known"
    )
    start: int
    end: int


class PassageMark(BaseModel):
    id: str
    ordinal: int
    start: int
    end: int
    kind: str = Field(description="'text', 'note' (footnote), 'intro', 'programme', …")
    page: int
    section: str
    speaker: str | None


class DocumentText(BaseModel):
    document: DocumentRef
    place: str | None
    url: str | None
    text: str = Field(description="the extracted text every `start`/`end` indexes")
    pages: list[PageMark]
    sections: list[SectionMark]
    turns: list[SpeakerTurn]
    passages: list[PassageMark] = Field(description="in reading order (by start offset)")


def document_text(document: DocumentRow, passages: list[PassageRow]) -> DocumentText:
    ordered = sorted(passages, key=lambda p: (p.start, p.ordinal))
    body = [p for p in ordered if p.kind != "note"]  # footnotes stand outside sections
    return DocumentText(
        document=document_ref(document),
        place=document.place,
        url=document.url,
        text=document.text,
        pages=_pages(document.page_starts),
        sections=_sections(body),
        turns=_turns(body),
        passages=[
            PassageMark(
                id=p.id,
                ordinal=p.ordinal,
                start=p.start,
                end=p.end,
                kind=p.kind,
                page=p.page_start,
                section=p.section,
                speaker=p.speaker,
            )
            for p in ordered
        ],
    )


def _pages(page_starts: str) -> list[PageMark]:
    starts = json.loads(page_starts or "[]") or [0]
    return [PageMark(number=n, start=start) for n, start in enumerate(starts, 1)]


def _sections(passages: list[PassageRow]) -> list[SectionMark]:
    """At each depth, one section per run of passages under the same titles: a parent
    spans all its sub-sections, as a reader sees it."""
    paths = [p.section.split(SECTION_SEPARATOR) if p.section else [] for p in passages]
    found: list[SectionMark] = []
    for depth in range(max((len(t) for t in paths), default=0)):
        runs = groupby(
            zip(paths, passages, strict=True),
            key=lambda pair, d=depth: tuple(pair[0][: d + 1]) if len(pair[0]) > d else None,
        )
        for titles, run in runs:
            if titles is None:
                continue
            members = [p for _, p in run]
            found.append(
                SectionMark(
                    path=SECTION_SEPARATOR.join(titles),
                    title=titles[-1],
                    depth=depth,
                    start=members[0].start,
                    end=members[-1].end,
                )
            )
    return sorted(found, key=lambda s: (s.start, s.depth))


def _turns(passages: list[PassageRow]) -> list[SpeakerTurn]:
    """A turn is a run of passages with the same speaker (and way of reporting them)."""
    turns = []
    for (speaker, role, speech), run in groupby(
        passages, key=lambda p: (p.speaker, p.speaker_role, p.speech)
    ):
        if speaker is None:
            continue
        members = list(run)
        turns.append(
            SpeakerTurn(
                speaker=speaker,
                role=role,
                speech=speech,
                start=members[0].start,
                end=members[-1].end,
            )
        )
    return turns
