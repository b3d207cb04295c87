"""Markdown: ATX headings (#, ##…) become section headings; paragraphs are not wrapped;
emphasis and link marks, and a blockquote's « > » (a paragraph of its own, whose
« > — Name, role » line credits it), leave the clean text (ingest.clean); a front matter
(« --- », « title: … », « date: … », « --- ») is the document's metadata, not its text."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.extracted import ExtractedDocument
from ingest.readers.bounded import Limits
from ingest.readers.text import decode

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
# A footnote's definition, « [^1]: Rapport … » (its lines right under it go on with it).
_NOTE = re.compile(r"^\[\^[^\]\s]+\]:", re.M)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<fields>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FIELD = re.compile(r"^(?P<key>[\w-]+)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$", re.M)


def front_matter(text: str) -> tuple[str, dict[str, str]]:
    """The text with its front matter blanked (spaces, its line breaks kept: offsets still
    point into the file) and the front matter's `key: value` fields, unquoted. Lists and
    nested fields are not read: metadata takes single values."""
    found = _FRONT_MATTER.match(text)
    if not found:
        return text, {}
    fields = {
        m.group("key").lower(): m.group("value").strip("\"'")
        for m in _FIELD.finditer(found.group("fields"))
        if m.group("value").strip("\"'")
    }
    blank = re.sub(r"[^\n]", " ", found.group())
    return blank + text[found.end() :], fields


def read(path: Path, limits: Limits) -> ExtractedDocument:
    """Markdown needs only the generic limits, checked by `bounded` on what this returns."""
    text, declared = front_matter(decode(path.read_bytes()).replace("\r\n", "\n"))
    headings = {m.start(2): len(m.group(1)) for m in _HEADING.finditer(text)}
    # Keep the text verbatim (offsets must point into it); the heading marks are
    # removed from passage text by the cleaner through the headings map.
    title = next((m.group(2) for m in _HEADING.finditer(text) if len(m.group(1)) == 1), None)
    return ExtractedDocument(
        text=text,
        title=title,
        layout="blank",
        headings=headings,
        markup="markdown",
        declared=declared,
        notes=[m.start() for m in _NOTE.finditer(text)],
    )
