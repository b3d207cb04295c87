"""What a PDF's type sizes say of its lines: which are headings, which are the browser's
header and footer.

A PDF's text has no marks: its headings are only set larger than the body, and plain-text
heuristics (ingest.clean) find those that are numbered or in capitals, not « Les leviers
de la coopération » in 18 points above 12-point text. pypdf gives the size of each piece
of text it extracts (`visitor_text`); a line set clearly larger than the body text is a
heading, its level the rank of its size among the headings' sizes.

A page printed from a browser carries a header (« 11/28/26, 2:29 AM  Title ») and a footer
(« https://…  1/1 ») in small type; on a one-page document nothing repeats for
ingest.clean's running-header test to see, and they were read as the report's text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

# A heading is set at least this much larger than the body text. Word's default Heading 3
# is 12 points over an 11-point body (× 1.09); a superscript or a footnote is smaller.
HEADING_RATIO = 1.08
# Lines larger than that but longer are a lead paragraph or a pull quote, not a title.
HEADING_MAX_CHARS = 200
# Under two, the larger type is a cover's title at most: the plain-text heuristics, which
# also find numbered and capitalised headings, read the document better.
MIN_HEADINGS = 2
# Browser headers and footers are printed at about two thirds of the body size, and
# Chromium draws its header after the page's text: both may be the last two lines.
SMALL_RATIO = 0.8
EDGE_LINES = 2
# « 11/28/26, 2:29 AM », « 28/11/2026 02:29 »: the date and time a browser prints a page.
_PRINTED_AT = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.]\d{2,4},?\s+\d{1,2}[:h]\d{2}\b")
# « … 1/1 », « … 3/12 »: the page counter a browser prints at the foot.
_PAGE_COUNTER = re.compile(r"(?:^|\s)\d{1,4}\s*/\s*\d{1,4}$")
# A line that opens or closes in quotation marks is a quotation, however large its type.
_QUOTED = re.compile(r"^[«“\"]|[»”\"]$")
_LETTERS = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class StyledLine:
    start: int  # offset of its first character that is not a space, in the document's text
    text: str  # stripped
    size: float  # the size most of its characters are set in
    page_edge: bool  # among the first or last EDGE_LINES lines of its page


def page_text(page) -> tuple[str, list[float] | None]:
    """A pypdf page's text, and the type size of each of its characters (None when the
    pieces pypdf hands its visitor do not spell the text it returns)."""
    pieces: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text:
            pieces.append((text, size * _scale(tm) * _scale(cm)))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(piece for piece, _ in pieces) != text:
        return text, None
    return text, [size for piece, size in pieces for _ in piece]


def _scale(matrix: list[float]) -> float:
    """How much a text or transformation matrix enlarges type (its area's square root)."""
    return math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])) or 1.0


def normalised(text: str, sizes: list[float]) -> tuple[str, list[float]]:
    """The page's text as the PDF reader keeps it (CRLF as LF, form feeds as line ends),
    with the sizes still one per character."""
    out, kept = [], []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\r" and text[index + 1 : index + 2] == "\n":
            index += 1
            continue
        out.append("\n" if char == "\f" else char)
        kept.append(sizes[index])
        index += 1
    return "".join(out), kept


def lines_of(text: str, sizes: list[float], offset: int) -> list[StyledLine]:
    """The page's non-blank lines, each with the size most of its characters are set in."""
    found: list[tuple[int, str, float]] = []
    position = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            counted = Counter(
                round(size * 2) / 2
                for char, size in zip(raw, sizes[position : position + len(raw)], strict=True)
                if not char.isspace()
            )
            size = counted.most_common(1)[0][0]
            found.append((offset + position + lead, stripped, size))
        position += len(raw) + 1
    edges = set(range(EDGE_LINES)) | set(range(len(found) - EDGE_LINES, len(found)))
    return [StyledLine(*line, index in edges) for index, line in enumerate(found)]


def body_size(lines: list[StyledLine]) -> float | None:
    """The size most of the document's characters are set in."""
    counted: Counter[float] = Counter()
    for line in lines:
        counted[line.size] += len(line.text)
    return counted.most_common(1)[0][0] if counted else None


def headings(lines: list[StyledLine]) -> dict[int, int]:
    """Offset → level of the lines set larger than the body: the largest size is level 1.
    Empty when the type does not set at least MIN_HEADINGS lines apart."""
    body = body_size(lines)
    if body is None:
        return {}
    titles = [
        line
        for line in lines
        if line.size >= body * HEADING_RATIO
        and len(line.text) <= HEADING_MAX_CHARS
        and _LETTERS.search(line.text)
        and not _QUOTED.search(line.text)
    ]
    if len(titles) < MIN_HEADINGS:
        return {}
    levels = {size: level for level, size in enumerate(sorted({t.size for t in titles})[::-1], 1)}
    return {line.start: levels[line.size] for line in titles}


def printed_furniture(lines: list[StyledLine]) -> list[int]:
    """Offsets of the header and footer lines a browser prints on each page: small type,
    at the page's edge, holding the date and time of printing or a page counter."""
    body = body_size(lines)
    if body is None:
        return []
    return [
        line.start
        for line in lines
        if line.page_edge
        and line.size <= body * SMALL_RATIO
        and (_PRINTED_AT.match(line.text) or _PAGE_COUNTER.search(line.text))
    ]
