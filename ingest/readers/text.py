"""Plain text, including text extracted from PDFs by other tools (the seed corpus)."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError

# A page of a PDF extraction saved as text starts with a line indented by one or two
# spaces (the extractor's page prefix); body lines start at column 0.
_PAGE_START = re.compile(r"^ {1,2}(?=[^\s•▪\-–o])", re.M)
_FOOTNOTE_RULE = re.compile(r"^ {20,}$", re.M)


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8, then Windows-1252, then Latin-1; refuse binary data."""
    if b"\x00" in data[:8192]:
        raise ReadError("binary file (NUL bytes), not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    text = data.decode("latin-1")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > len(text) / 100:
        raise ReadError("binary file, not text in UTF-8, Windows-1252 or Latin-1")
    return text


def page_starts(text: str) -> list[int]:
    """Page starts: form feeds when present, else the indented first lines of extracted pages."""
    if "\f" in text:
        return [0] + [m.end() for m in re.finditer("\f", text)]
    starts = [m.start() for m in _PAGE_START.finditer(text)]
    lines = text.count("\n") + 1
    # Only trust indentation when it is rare, or when the text also has the extractor's
    # footnote rules: in ordinary prose an indented first line marks paragraphs, not pages.
    extracted = bool(_FOOTNOTE_RULE.search(text))
    if not starts or len(starts) > lines / 8 or (len(starts) < 3 and not extracted):
        return [0]
    return sorted({0, *starts})


def layout(text: str) -> str:
    """Hard-wrapped (PDF-like) text has no long lines; web or word-processor text saved as
    plain text keeps each paragraph on one long line."""
    long_lines = sum(1 for line in text.split("\n") if len(line) > 200)
    return "lines" if long_lines >= 3 else "wrapped"


def read(path: Path) -> ExtractedDocument:
    text = decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    return ExtractedDocument(text=text, page_starts=page_starts(text), layout=layout(text))
