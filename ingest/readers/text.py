"""Plain text, including text extracted from PDFs by other tools (the seed corpus)."""

from __future__ import annotations

import codecs
import re
from itertools import pairwise
from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError
from ingest.readers.bounded import Limits

# A page of a PDF extraction saved as text starts with a line indented by one or two
# spaces (the extractor's page prefix); body lines start at column 0.
_PAGE_START = re.compile(r"^ {1,2}(?=[^\s•▪\-–o])", re.M)
_FOOTNOTE_RULE = re.compile(r"^ {20,}$", re.M)


# UTF-32 before UTF-16: the UTF-32 little-endian mark starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# BOM-less wide text of mostly Latin characters: the bytes of each code unit that are
# always NUL, and the lowest byte, never NUL (width, always NUL, never NUL).
_NUL_PATTERNS = (
    ("utf-32-le", 4, (2, 3), 0),
    ("utf-32-be", 4, (0, 1), 3),
    ("utf-16-le", 2, (1,), 0),
    ("utf-16-be", 2, (0,), 1),
)


def decode(data: bytes) -> str:
    """Decode bytes: UTF-16/32 (by their mark, or their NUL bytes), else UTF-8, then
    Windows-1252, then Latin-1; refuse binary data."""
    wide = _wide_encoding(data)
    if wide:
        try:
            return _refuse_controls(data.decode(wide), wide.upper())
        except UnicodeDecodeError as exc:
            raise ReadError(f"fichier binaire, pas du texte {wide.upper()} valide") from exc
    if b"\x00" in data[:8192]:
        raise ReadError("fichier binaire (octets nuls), pas du texte")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return _refuse_controls(data.decode("latin-1"), "UTF-8, Windows-1252 or Latin-1")


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 if a byte-order mark says so, or if the NUL bytes of the first 8 KB
    fall where the high bytes of each code unit would (and not on the lowest byte)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[: min(len(data), 8192) // 4 * 4]
    if b"\x00" not in sample:
        return None
    for encoding, width, nul, low in _NUL_PATTERNS:
        units = [sample[i::width] for i in range(width)]
        if units[low].count(0) <= 0.1 * len(units[low]) and all(
            units[i].count(0) >= 0.9 * len(units[i]) for i in nul
        ):
            return encoding
    return None


def _refuse_controls(text: str, encoding: str) -> str:
    """Decoded text that is mostly control characters was binary data after all."""
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > len(text) / 100:
        raise ReadError(f"fichier binaire, pas du texte en {encoding}")
    return text


def page_layout(text: str) -> tuple[list[int], list[int]]:
    """Page starts, and the lines set apart as a page's first line is without opening a page.

    Page starts are form feeds when present, else the indented first lines of extracted
    pages. A page's title set on the lines right under its first line is indented too
    (« En synthèse : » then « LA RICHESSE DE LA DIVERSITE DES TERRITOIRES »): those lines
    are no pages of one line each, but the cleaner reads them as it reads a page's first
    line, where a title stands (ingest.clean).
    """
    if "\f" in text:
        return [0] + [m.end() for m in re.finditer("\f", text)], []
    starts = [m.start() for m in _PAGE_START.finditer(text)]
    lines = text.count("\n") + 1
    # Only trust indentation when it is rare, or when the text also has the extractor's
    # footnote rules: in ordinary prose an indented first line marks paragraphs, not pages.
    extracted = bool(_FOOTNOTE_RULE.search(text))
    if not starts or len(starts) > lines / 8 or (len(starts) < 3 and not extracted):
        return [0], []
    under = [b for a, b in pairwise(starts) if text.count("\n", a, b) == 1]
    apart = set(under)
    pages = _pages_only(text, [start for start in starts if start not in apart])
    return sorted({0, *pages}), under


# The items of a list whose bullets the extraction lost start indented like pages:
# « … en territoire : » then four items of a hundred characters had made four pages, and
# put every later citation four pages too far. A page holds more than a line.
_RUN_CHARS = 120


def _pages_only(text: str, starts: list[int]) -> list[int]:
    """The indented line starts that open pages: not those of a run a line's length apart
    (or less) that a line ending on « : » announces, the list it introduces."""
    kept: list[int] = []
    in_list = False
    for index, start in enumerate(starts):
        follows = index > 0 and start - starts[index - 1] < _RUN_CHARS
        leads = index + 1 < len(starts) and starts[index + 1] - start < _RUN_CHARS
        if leads and _announces(text, start, starts[index - 1] if index else None):
            in_list = True
        elif not follows:
            in_list = False
        if not in_list:
            kept.append(start)
    return kept


def _announces(text: str, start: int, previous: int | None) -> bool:
    """Whether the line before `start` ends on « : » and is not itself a page's first line
    (« En synthèse : » over a title set on two lines is a heading, not a list's lead)."""
    before = text[:start].rstrip()
    return before.endswith(":") and before.rfind("\n") + 1 != previous


def layout(text: str) -> str:
    """Hard-wrapped (PDF-like) text has no long lines; web or word-processor text saved as
    plain text keeps each paragraph on one long line."""
    long_lines = sum(1 for line in text.split("\n") if len(line) > 200)
    return "lines" if long_lines >= 3 else "wrapped"


def read(path: Path, limits: Limits) -> ExtractedDocument:
    """Plain text needs only the generic limits, checked by `bounded` on what this returns."""
    text = decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    pages, set_apart = page_layout(text)
    return ExtractedDocument(text=text, page_starts=pages, set_apart=set_apart, layout=layout(text))
