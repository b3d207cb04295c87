"""HTML through BeautifulSoup: block elements become lines, h1–h6 become headings."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from ingest.extracted import ExtractedDocument, ReadError
from ingest.readers.text import decode

_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td", "dt", "dd"]


def read(path: Path) -> ExtractedDocument:
    soup = BeautifulSoup(decode(path.read_bytes()), "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "template"]):
        tag.decompose()
    parts: list[str] = []
    headings: dict[int, int] = {}
    offset = 0
    for element in soup.find_all(_BLOCKS):
        # Skip blocks nested in another block we already emit (li > p, td > p …).
        if element.find_parent(_BLOCKS):
            continue
        line = " ".join(element.get_text(" ").split())
        if not line:
            continue
        if element.name[0] == "h" and element.name[1:].isdigit():
            headings[offset] = int(element.name[1:])
        parts.append(line)
        offset += len(line) + 2
    if not parts:
        raise ReadError("no text in HTML body")
    title = soup.title.get_text(strip=True) if soup.title else None
    return ExtractedDocument(
        text="\n\n".join(parts), title=title or None, layout="blank", headings=headings
    )
