"""The one shape every reader returns, so cleaning never needs to know the source format."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# A list item that writes its own mark (« - », « • », « 1. »).
_LIST_MARK = re.compile(r"^(?:[-–—•▪◦●■]|\d{1,2}[.)])\s")


def is_list_item(line: str) -> bool:
    """Whether a line writes a list item's mark."""
    return bool(_LIST_MARK.match(line))


def as_list_item(line: str) -> str:
    """A list item's line as the text carries it: the page or Word draws the bullet, so
    its text has none; given one here, cleaning reads it as a list item."""
    return line if is_list_item(line) else f"- {line}"


class ReadError(Exception):
    """A file that cannot be turned into text; the message names the reason for a person."""


@dataclass
class ExtractedDocument:
    """Raw text of a source file plus where each page starts in it.

    `text` is the reference that passage offsets point into: a citation's `start`/`end`
    are positions in this string, so a reader must never rewrite it after returning.
    """

    text: str
    page_starts: list[int] = field(default_factory=lambda: [0])
    title: str | None = None
    # Lines set apart as a page's first line is, that open no page: a page's title on the
    # lines under its first (ingest.readers.text). The cleaner reads both alike.
    set_apart: list[int] = field(default_factory=list)
    # How lines make paragraphs: "wrapped" (a PDF, or a PDF extraction saved as text: lines
    # cut at a fixed width, to be joined back), "blank" (blank lines separate paragraphs:
    # Markdown, HTML, DOCX) or "lines" (every line is a paragraph: unwrapped plain text).
    layout: str = "wrapped"
    # Offsets of lines that the source itself marks as headings (Markdown, HTML, DOCX
    # styles), with their level; PDF text has none and relies on heuristics.
    headings: dict[int, int] = field(default_factory=dict)
    # Inline markup the cleaner takes out of the clean text (offsets keep the raw marks):
    # "markdown" for *emphasis*, **strong** and [links](…); None when the text has none.
    markup: str | None = None
    # What the source says of itself, as it names it: a Markdown front matter's fields, an
    # HTML page's <meta> (ingest.metadata reads them under the sidecar, above inference).
    declared: dict[str, str] = field(default_factory=dict)
    # Offsets of lines the source itself marks as footnotes (an HTML page's notes, a
    # Markdown « [^1]: … » definition): they become notes, never running text.
    notes: list[int] = field(default_factory=list)
    # Offsets of lines that are not the document's: the header and footer a browser prints
    # on each page of a PDF (ingest.readers.typography). The cleaner leaves them out.
    furniture: list[int] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        """1-based page number containing `offset`."""
        return max(1, bisect.bisect_right(self.page_starts, offset))

    @property
    def page_count(self) -> int:
        return len(self.page_starts)
