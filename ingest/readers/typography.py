"""What a PDF's type sizes say of its lines: which are headings, which are the browser's
header and footer.

A PDF's text has no marks: its headings are only set larger than the body, and plain-text
heuristics (ingest.clean) find those that are numbered or in capitals, not « Les leviers
de la coopération » in 18 points above 12-point text. pypdf gives the size of each piece
of text it extracts (`visitor_text`); a line set clearly larger than the body text is a
heading, its level the rank of its size among the headings' sizes. A title wrapped over
two lines is joined into one (its lines stand closer than two titles do, which their
margins part).

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
# A title that opens and closes in quotation marks is a pull quote, however large its type
# (a title quoting a question, « Comment valoriser… ? », is lost with it); one that only
# closes on a quoted name (« Participants groupe bleu « Amphi » ») is a title.
_QUOTED = re.compile(r"^[«“\"].*[»”\"]$", re.S)
_LETTERS = re.compile(r"[^\W\d_]{2,}")
# Two lines of a title of this size or less apart (baseline to baseline, in sizes) are one
# title wrapped: line spacing is 1.15–1.25 sizes, and margins part two titles further
# (Chromium's second-level titles 1.98 sizes apart, measured on eval/pdf_headings.py).
WRAPPED_GAP = 1.5

# A character's type size and its baseline's height on the page.
Glyph = tuple[float, float]


@dataclass
class StyledLine:
    start: int  # offset of its first character that is not a space, in its page's text
    end: int  # offset of the line end after it, in its page's text
    text: str  # stripped
    size: float  # the size most of its characters are set in
    height: float  # its first character's baseline height on the page
    page_edge: bool  # among the first or last EDGE_LINES lines of its page


def page_text(page) -> tuple[str, list[Glyph] | None]:
    """A pypdf page's text, and the size and height of each of its characters (None when
    the pieces pypdf hands its visitor do not spell the text it returns)."""
    pieces: list[tuple[str, Glyph]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text:
            height = tm[5] * cm[3] + cm[5]
            pieces.append((text, (size * _scale(tm) * _scale(cm), height)))

    text = page.extract_text(visitor_text=visit) or ""
    if "".join(piece for piece, _ in pieces) != text:
        return text, None
    return text, [glyph for piece, glyph in pieces for _ in piece]


def _scale(matrix: list[float]) -> float:
    """How much a text or transformation matrix enlarges type (its area's square root)."""
    return math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])) or 1.0


def plain(text: str) -> str:
    """A page's text as the PDF reader keeps it: CRLF as LF, form feeds as line ends."""
    return text.replace("\r\n", "\n").replace("\f", "\n")


def _normalised(text: str, glyphs: list[Glyph]) -> tuple[str, list[Glyph]]:
    """`plain`, with the glyphs still one per character."""
    if "\r" not in text and "\f" not in text:
        return text, glyphs
    out, kept = [], []
    for index, char in enumerate(text):
        if char == "\r" and text[index + 1 : index + 2] == "\n":
            continue
        out.append("\n" if char == "\f" else char)
        kept.append(glyphs[index])
    return "".join(out), kept


def _lines_of(text: str, glyphs: list[Glyph]) -> list[StyledLine]:
    """The page's non-blank lines, each with the size most of its characters are set in."""
    found: list[tuple[int, int, str, float, float]] = []
    position = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            shapes = [
                glyph
                for char, glyph in zip(raw, glyphs[position : position + len(raw)], strict=True)
                if not char.isspace()
            ]
            size = Counter(round(size * 2) / 2 for size, _ in shapes).most_common(1)[0][0]
            found.append((position + lead, position + len(raw), stripped, size, shapes[0][1]))
        position += len(raw) + 1
    edges = set(range(EDGE_LINES)) | set(range(len(found) - EDGE_LINES, len(found)))
    return [StyledLine(*line, index in edges) for index, line in enumerate(found)]


@dataclass
class Typeset:
    """What the type says of a document: its pages' texts (a wrapped title's lines joined)
    and where each starts, its headings (offset → level) and its printed furniture
    (offsets), in the text the pages make joined by form feeds."""

    pages: list[str]
    page_starts: list[int]
    headings: dict[int, int]
    furniture: list[int]


def typeset(pages: list[tuple[str, list[Glyph] | None]]) -> Typeset:
    """Read the headings and the furniture of a PDF's pages (page_text's results); a page
    whose glyphs are unknown counts for neither."""
    texts: list[str] = []
    lines: list[list[StyledLine]] = []
    for text, glyphs in pages:
        if glyphs is None:
            texts.append(plain(text))
            lines.append([])
        else:
            text, glyphs = _normalised(text, glyphs)
            texts.append(text)
            lines.append(_lines_of(text, glyphs))
    body = _body_size([line for page in lines for line in page])
    if body is None:
        return Typeset(texts, _starts(texts), {}, [])
    titles: list[list[StyledLine]] = [[] for _ in pages]
    furniture: list[list[StyledLine]] = [[] for _ in pages]
    for number, page in enumerate(lines):
        for line in page:
            if _is_title(line, body):
                titles[number].append(line)
            elif _is_printed_furniture(line, body):
                furniture[number].append(line)
    if sum(len(page) for page in titles) < MIN_HEADINGS:
        titles = [[] for _ in pages]
    for number, page in enumerate(titles):
        texts[number], joined = _joined_wrapped(texts[number], page)
        titles[number] = [line for line in joined if not _QUOTED.match(line.text)]
    sizes = sorted({line.size for page in titles for line in page}, reverse=True)
    levels = {size: level for level, size in enumerate(sizes, 1)}
    starts = _starts(texts)
    return Typeset(
        texts,
        starts,
        {
            starts[number] + line.start: levels[line.size]
            for number, page in enumerate(titles)
            for line in page
        },
        [starts[number] + line.start for number, page in enumerate(furniture) for line in page],
    )


def _starts(texts: list[str]) -> list[int]:
    """Where each page starts in the pages' texts joined by form feeds."""
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    return starts or [0]


def _body_size(lines: list[StyledLine]) -> float | None:
    """The size most of the document's characters are set in."""
    counted: Counter[float] = Counter()
    for line in lines:
        counted[line.size] += len(line.text)
    return counted.most_common(1)[0][0] if counted else None


def _is_title(line: StyledLine, body: float) -> bool:
    return (
        line.size >= body * HEADING_RATIO
        and len(line.text) <= HEADING_MAX_CHARS
        and bool(_LETTERS.search(line.text))
    )


def _is_printed_furniture(line: StyledLine, body: float) -> bool:
    """A header or footer a browser prints: small type, at the page's edge, holding the
    date and time of printing or a page counter."""
    return (
        line.page_edge
        and line.size <= body * SMALL_RATIO
        and bool(_PRINTED_AT.match(line.text) or _PAGE_COUNTER.search(line.text))
    )


def _joined_wrapped(text: str, titles: list[StyledLine]) -> tuple[str, list[StyledLine]]:
    """The page's text with each wrapped title on one line (the line end between its
    lines becomes a space: no offset moves), and its titles, one per title."""
    chars = list(text)
    kept: list[StyledLine] = []
    for line in titles:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and previous.size == line.size
            and text[previous.end + 1 : line.start].strip() == ""
            and 0 < previous.height - line.height <= WRAPPED_GAP * line.size
        ):
            chars[previous.end] = " "
            previous.end, previous.text = line.end, f"{previous.text} {line.text}"
        else:
            kept.append(line)
    return "".join(chars), kept
