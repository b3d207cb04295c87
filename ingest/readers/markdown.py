"""Markdown: ATX headings (#, ##…) become section headings; paragraphs are not wrapped;
emphasis and link marks leave the clean text (ingest.clean)."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.extracted import ExtractedDocument
from ingest.readers.bounded import Limits
from ingest.readers.text import decode

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)


def read(path: Path, limits: Limits) -> ExtractedDocument:
    """Markdown needs only the generic limits, checked by `bounded` on what this returns."""
    text = decode(path.read_bytes()).replace("\r\n", "\n")
    headings = {m.start(2): len(m.group(1)) for m in _HEADING.finditer(text)}
    # Keep the text verbatim (offsets must point into it); the heading marks are
    # removed from passage text by the cleaner through the headings map.
    title = next((m.group(2) for m in _HEADING.finditer(text) if len(m.group(1)) == 1), None)
    return ExtractedDocument(
        text=text, title=title, layout="blank", headings=headings, markup="markdown"
    )
