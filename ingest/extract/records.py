"""Records extracted from one document, beside its passages, with offsets into its text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Quote:
    """Words attributed to a named speaker; `text` is the source's, modulo line wrapping."""

    speaker: str
    role: str | None
    text: str
    start: int
    end: int
    page: int
    method: str  # "turn" (a speaker's paragraph) | "reported" (« … », a dit NAME)
    speech: str  # "verbatim" (the speaker's own words) | "reported" (the report's account)


@dataclass
class Statement:
    """A practice statement: advice, lesson, lever, proposition, condition of success."""

    text: str
    start: int
    end: int
    page: int
    section: str
    cue: str  # why it counts as a practice: the heading or phrase that announces it
    polarity: str  # "do" | "avoid"


@dataclass
class Mention:
    """A named initiative or experience that the document describes (a case)."""

    name: str
    key: str
    text: str  # the sentence that names it
    start: int
    end: int
    page: int
    cue: str


@dataclass
class ActorMention:
    """A person, organisation or place a document names; `text` is the source's words."""

    name: str
    kind: str  # "person" | "organisation" | "place"
    text: str
    start: int
    end: int
    page: int
