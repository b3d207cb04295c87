"""HTML through BeautifulSoup: block elements become lines, h1–h6 become headings.

The block tags are counted in the raw bytes before any tree is built: a page of 200,000
tiny paragraphs is refused in a second instead of being parsed, then cut into as many
passages to embed.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from ingest.extracted import ExtractedDocument, ReadError, as_list_item
from ingest.readers.bounded import Limits, check_blocks
from ingest.readers.tables import table_lines
from ingest.readers.text import decode

_CELLS = ("td", "th")

_BLOCKS = [
    *("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dt", "dd"),
    *_CELLS,
]
# A web page's furniture is not the document: navigation, sidebars, forms, sharing buttons
# and the readers' comments (« Super article, merci ! Posté par Kévin » was indexed and
# found). By element, then by the class or id pages give such areas.
_FURNITURE_TAGS = ["script", "style", "noscript", "nav", "footer", "template", "aside", "form"]
_FURNITURE = re.compile(
    r"(?:^|[-_])(?:comments?|commentaires?|respond|replies|disqus|share|sharing|partage|"
    r"social|related|sidebar|breadcrumbs?|menu|cookies?|newsletter)(?:$|[-_])",
    re.I,
)
_BLOCK_TAG = re.compile(rb"<(?:%s)[\s>/]" % b"|".join(t.encode() for t in _BLOCKS), re.I)


def _names(tag: Tag) -> list[str]:
    return [*tag.get("class", []), tag.get("id") or ""]


def _is_furniture(tag) -> bool:
    return any(_FURNITURE.search(name) for name in _names(tag))


# A page's footnotes: by role (EPUB/ARIA), by the names editors and converters give them
# (« footnotes », « endnotes », Pandoc's « fn1 »), and a block classed « note » that opens
# on a note's number (« <p class="note">1. Rapport … </p> »; a « note » box of advice
# is the text). They become notes (ingest.kinds), never running text or results.
_NOTE_ROLES = {"doc-footnote", "doc-footnotes", "doc-endnote", "doc-endnotes"}
_NOTE_AREA = re.compile(r"(?:^|[-_])(?:foot|end)notes?(?:$|[-_])|^notes$|^fn-?\d+$", re.I)
_NOTE_DIGITS = re.compile(r"^\s*[\[(]?(\d{1,3})")
_NOTE_NUMBER = re.compile(r"^\s*(?:\[\d{1,3}\]|\(\d{1,3}\)|\d{1,3}[.)]?|\*{1,3})\s")
# A call to a note: a superscript link into the page, or a link the page says is one.
_CALL_ROLES = {"doc-noteref", "doc-backlink"}
_CALL_CLASS = re.compile(r"^(?:footnote|fn)-?(?:ref|back|backref)$", re.I)


def _is_note(tag) -> bool:
    if tag.get("role") in _NOTE_ROLES or any(_NOTE_AREA.search(n) for n in _names(tag)):
        return True
    classed = "note" in (name.lower() for name in tag.get("class", []))
    return classed and bool(_NOTE_NUMBER.match(tag.get_text(" ")))


def _is_call(tag) -> bool:
    if tag.name != "a":
        return False
    if tag.get("role") in _CALL_ROLES or any(_CALL_CLASS.match(n) for n in _names(tag)):
        return True
    return tag.get("href", "").startswith("#") and tag.find_parent("sup") is not None


_DASHES = "—–- "
_QUOTE_MARKS = ("«", '"', "“")
# The space get_text puts between two elements, before a comma or a full stop, is none the
# page shows (« <cite>Martine LEROY</cite>, maire » is « Martine LEROY, maire »).
_SPACE_BEFORE_STOP = re.compile(r" (?=[,.](?:\s|$))")


def _line(element: Tag) -> str:
    """An element's text on one line, as the page reads."""
    return _SPACE_BEFORE_STOP.sub("", " ".join(element.get_text(" ").split()))


def _table_lines(table: Tag) -> list[str]:
    """A table's cells in reading order, each under its column's <th> (or a first row of
    short labels), ingest.readers.tables."""
    rows = [row.find_all(_CELLS, recursive=False) for row in table.find_all("tr")]
    rows = [row for row in rows if row]
    cells = [[[line] if (line := _line(cell)) else [] for cell in row] for row in rows]
    marked = bool(rows) and all(cell.name == "th" for cell in rows[0])
    return table_lines(cells, marked)


def _credit(quotation: Tag) -> Tag | None:
    """Who a <blockquote> quotes, when the page says it inside: its <footer>, or a <cite>
    standing alone on its line (« <cite>Marie DUPONT, maire</cite> »), not a title cited
    within a sentence of the quotation."""
    footer = quotation.find("footer")
    if footer is not None:
        return footer
    for cite in quotation.find_all("cite"):
        if cite.parent is quotation:
            return cite
        line = cite.parent.get_text(" ", strip=True).lstrip(_DASHES)
        if line == cite.get_text(" ", strip=True):
            return cite.parent
    return None


def _credits_as_lines(soup: BeautifulSoup) -> None:
    """A quotation's credit becomes its own line after it, « — Name, role », as plain text
    writes it (ingest.structure reads that convention): a footer inside a blockquote is
    the quote's credit, not the page's furniture dropped below."""
    for quotation in soup.find_all("blockquote"):
        credit = _credit(quotation)
        if credit is None:
            continue
        text = _line(credit.extract()).lstrip(_DASHES)
        if text:
            line = soup.new_tag("p")
            line.string = f"— {text}"
            quotation.insert_after(line)
            # The words credited are a quotation, as plain text marks one (« … »).
            if not _line(quotation).startswith(_QUOTE_MARKS):
                quotation.insert(0, "« ")
                quotation.append(" »")


def _declared(soup: BeautifulSoup) -> dict[str, str]:
    """A page's <meta name|property="…" content="…">, by name (« date »,
    « article:published_time », « dc.date »…): ingest.metadata picks the fields it knows."""
    declared = {}
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = " ".join((meta.get("content") or "").split())
        if name and content:
            declared.setdefault(name, content)
    return declared


# Between a page's title and its site's name: « Le tiers-lieu de Givry | Réseau Rural ».
_TITLE_SEPARATOR = re.compile(r"\s+[|–—·»:-]{1,2}\s+")


def _own_title(soup: BeautifulSoup) -> str | None:
    """The page's <title> without its site's name, when one of its parts is the page's
    <h1>: the document is « Le tiers-lieu de Givry », not « Réseau Rural – Le tiers-lieu
    de Givry ». Without such an <h1> the <title> is kept whole."""
    title = " ".join(soup.title.get_text(" ").split()) if soup.title else ""
    heading = soup.find("h1")
    if heading is not None:
        wanted = " ".join(_line(heading).split())
        folded, size = title.casefold(), len(wanted)
        # The <h1> at either end, a separator between it and the rest: « Séminaire
        # « Entreprises et insertion » — Réseau Territoires », whose « » » splits no part.
        if folded.startswith(wanted.casefold()) and _TITLE_SEPARATOR.match(title[size:]):
            return title[:size]
        if folded.endswith(wanted.casefold()) and not _TITLE_SEPARATOR.split(title[:-size])[-1]:
            return title[-size:]
        parts = _TITLE_SEPARATOR.split(title)
        title = next((part for part in parts if part.casefold() == wanted.casefold()), title)
    return title or None


def read(path: Path, limits: Limits) -> ExtractedDocument:
    data = path.read_bytes()
    check_blocks(len(_BLOCK_TAG.findall(data)), limits)
    soup = BeautifulSoup(decode(data), "html.parser")
    declared = _declared(soup)
    if soup.find("article") is not None:  # the page marks itself up as an article
        declared.setdefault("og:type", "article")
    _credits_as_lines(soup)
    for tag in [*soup(_FURNITURE_TAGS), *soup.find_all(_is_furniture)]:
        if not tag.decomposed:
            tag.decompose()
    for call in soup.find_all(_is_call):
        superscript = call.find_parent("sup")
        (superscript if superscript is not None else call).decompose()
    areas = soup.find_all(_is_note)
    note_areas = {id(tag) for tag in areas}
    # A bare superscript number is a call when the page has a note of that number
    # (« de commerce<sup>1</sup>. » and « <p class="note">1. Source : … »).
    numbers = {m.group(1) for a in areas if (m := _NOTE_DIGITS.match(a.get_text(" ")))}
    for area in areas:  # a list of notes numbers them by their place in it
        numbers |= {str(n) for n in range(1, len(area.find_all("li")) + 1)}
    for superscript in soup.find_all("sup"):
        if superscript.get_text(strip=True) in numbers:
            superscript.decompose()
    parts: list[str] = []
    headings: dict[int, int] = {}
    notes: set[int] = set()
    tables: set[int] = set()
    offset = 0
    for element in soup.find_all([*_BLOCKS, "div"]):
        # Skip blocks nested in another block we already emit (li > p, td > p …), and a
        # <div> holding blocks: its text is theirs. A <div> of bare text is a paragraph
        # (« <div class="encadre">Astuce : … </div> » was lost).
        if element.find_parent(_BLOCKS) or (
            element.name == "div" and element.find([*_BLOCKS, "div"]) is not None
        ):
            continue
        table = element.find_parent("table") if element.name in _CELLS else None
        if table is not None:  # read whole at its first cell, each under its header
            if id(table) not in tables:
                tables.add(id(table))
                for line in _table_lines(table):
                    parts.append(line)
                    offset += len(line) + 2
            continue
        line = _line(element)
        if not line:
            continue
        if id(element) in note_areas or any(id(p) in note_areas for p in element.parents):
            notes.add(offset)
        elif element.name == "li":
            line = as_list_item(line)
        elif element.name[0] == "h" and element.name[1:].isdigit():
            headings[offset] = int(element.name[1:])
        parts.append(line)
        offset += len(line) + 2
    if not parts:
        raise ReadError("aucun texte dans le corps HTML")
    title = _own_title(soup)
    return ExtractedDocument(
        text="\n\n".join(parts),
        title=title or None,
        layout="blank",
        headings=headings,
        declared=declared,
        notes=sorted(notes),
    )
