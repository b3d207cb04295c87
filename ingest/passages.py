"""Cut structured blocks into passages: one to a few paragraphs of one section and speaker.

A passage is the unit of retrieval and of citation, so it must be long enough to carry a
practice or an argument (about 400–1,200 characters) and never mix two sections or two
speakers. A section's headings open its first passage: headings are among the most
telling words for search, and a reader checking a citation sees where it stands.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import pairwise

from ingest.clean import Block
from ingest.cues import announces_advice
from ingest.kinds import DROPPED, block_kinds
from ingest.structure import Structured

TARGET_MIN = 400
TARGET_MAX = 1200
# A single paragraph longer than this is cut at sentence ends.
SPLIT_ABOVE = 1500
# A passage shorter than this (a list's last item cut off by the size limit, a label) is
# joined to its neighbour when both have the same section, speaker and kind.
FRAGMENT = 120
# A line announcing a list is at most this long (see _announces).
ANNOUNCING_CHARS = 60
# A speaker's label line is at most this long (see _bare_label).
BARE_LABEL_CHARS = 100
_SENTENCE_END = re.compile(r"(?<=[.!?…»])\s+(?=[«\"“(A-ZÀÂÉÈÊÎÔÛÇ0-9])")


@dataclass
class Passage:
    """What a passage knows about its source; `start`/`end` index the extracted text."""

    ordinal: int
    text: str
    start: int
    end: int
    page_start: int
    page_end: int
    section: str
    speaker: str | None
    speaker_role: str | None
    kind: str  # one of ingest.kinds.KINDS: "text" for content
    speech: str | None  # "verbatim" | "reported" when a speaker is set
    question: str | None  # the moderator's question the passage answers, if the text says

    @property
    def content_hash(self) -> str:
        return hashlib.sha1(self.text.encode()).hexdigest()


@dataclass
class _Piece:
    """A slice of one block: its clean text and raw offsets."""

    text: str
    start: int
    end: int
    pages: list[int]


def _pieces(block: Block) -> list[_Piece]:
    """A block as one piece, or several cut at sentence ends if it is too long."""
    if len(block.text) <= SPLIT_ABOVE:
        return [_Piece(block.text, block.raw_start, block.raw_end, block.pages)]
    cuts = [0]
    for match in _SENTENCE_END.finditer(block.text):
        if match.start() - cuts[-1] >= TARGET_MAX * 0.75:
            cuts.append(match.end())
    cuts.append(len(block.text))
    pieces = []
    for begin, finish in pairwise(cuts):
        text = block.text[begin:finish].rstrip()
        if text:
            pieces.append(
                _Piece(
                    text, block.raw_offset(begin), block.raw_offset(begin + len(text)), block.pages
                )
            )
    return pieces


def make_passages(items: list[Structured]) -> list[Passage]:
    """Group consecutive blocks of one section, speaker and kind into sized passages."""
    passages: list[Passage] = []
    current: list[_Piece] = []
    current_key: tuple | None = None
    pending_headings: list[_Piece] = []
    meta: tuple[Structured, str] | None = None

    def flush() -> None:
        nonlocal current
        if current and meta is not None:
            passages.append(_assemble(len(passages), current, *meta))
        current = []

    for item, kind in zip(items, block_kinds(items), strict=True):
        if item.block.kind == "note" or kind in DROPPED:
            continue
        if (item.block.kind == "heading" and not _asks(item)) or _bare_label(item, kind):
            flush()
            current_key = None
            pending_headings.extend(_pieces(item.block))
            continue
        key = (item.section, item.speaker, item.speech, kind)
        if key != current_key:
            flush()
            current_key, meta = key, (item, kind)
        for piece in _pieces(item.block):
            size = sum(len(p.text) for p in current)
            if current and size >= TARGET_MIN * 0.75 and size + len(piece.text) > TARGET_MAX:
                # A line announcing a list (« Ce que je ne referais pas ») goes with it.
                carried = [current.pop()] if len(current) > 1 and _announces(current[-1]) else []
                flush()
                current.extend(carried)
            if pending_headings:
                current.extend(pending_headings)
                pending_headings = []
            current.append(piece)
    flush()
    if pending_headings and meta is not None:  # a document that ends on a heading
        current = pending_headings
        flush()
    passages = _without_fragments(passages)
    passages.extend(_note_passages(items, len(passages)))
    return passages


def _announces(piece: _Piece) -> bool:
    """A short line announcing advice (ingest.cues): it heads what follows it."""
    return len(piece.text) <= ANNOUNCING_CHARS and announces_advice(piece.text)


def _asks(item: Structured) -> bool:
    """A moderator's question set as a title (« Gaëlle Marchand, vous êtes … ? »): a
    passage of its own, as when it is a paragraph, not the title of the answer's."""
    return item.intro and item.block.text.rstrip(' »"”').endswith("?")


def _bare_label(item: Structured, kind: str) -> bool:
    """« Vincent BLANCHARD : » alone on its line, the speaker's words below: the label
    opens the turn, like a heading, rather than standing as a passage of its own that
    says nothing but a name (and ranks on it: « page blanche » found « BLANCHARD »)."""
    text = item.block.text.strip()
    return kind == "intro" and text.endswith(":") and len(text) <= BARE_LABEL_CHARS


def _without_fragments(passages: list[Passage]) -> list[Passage]:
    """Each fragment joined to the passage before it, or after it, when they belong
    together; a passage of a few words carries no argument and ranks on chance words."""
    out: list[Passage] = []
    for passage in passages:
        previous = out[-1] if out else None
        small = len(passage.text) < FRAGMENT or (
            previous is not None and len(previous.text) < FRAGMENT
        )
        if previous is not None and small and _together(previous, passage):
            previous.text = f"{previous.text}\n{passage.text}"
            previous.end = passage.end
            previous.page_start = min(previous.page_start, passage.page_start)
            previous.page_end = max(previous.page_end, passage.page_end)
        else:
            out.append(passage)
    for ordinal, passage in enumerate(out):
        passage.ordinal = ordinal
    return out


def _together(first: Passage, second: Passage) -> bool:
    fields = ("section", "speaker", "speaker_role", "kind", "speech", "question")
    return all(getattr(first, f) == getattr(second, f) for f in fields)


def _assemble(ordinal: int, pieces: list[_Piece], meta: Structured, kind: str) -> Passage:
    pages = [page for piece in pieces for page in piece.pages] or [1]
    return Passage(
        ordinal=ordinal,
        text="\n".join(piece.text for piece in pieces),
        start=pieces[0].start,
        end=pieces[-1].end,
        page_start=min(pages),
        page_end=max(pages),
        section=" › ".join(meta.section),
        speaker=meta.speaker,
        speaker_role=meta.speaker_role,
        kind=kind,
        speech=meta.speech,
        question=meta.question,
    )


def _note_passages(items: list[Structured], first_ordinal: int) -> list[Passage]:
    """Footnotes of one page form one passage, flagged as a note."""
    by_page: dict[int, list[Structured]] = {}
    for item in items:
        if item.block.kind == "note":
            by_page.setdefault(item.block.pages[0], []).append(item)
    notes = []
    for page_items in by_page.values():
        pieces = [piece for item in page_items for piece in _pieces(item.block)]
        passage = _assemble(first_ordinal + len(notes), pieces, page_items[0], "note")
        passage.speaker, passage.speaker_role, passage.speech = None, None, None
        passage.question = None
        notes.append(passage)
    return notes
