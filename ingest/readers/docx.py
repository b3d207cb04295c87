"""Word documents through python-docx: paragraphs and tables in order (a cell under its
column's header, ingest.readers.tables), Heading styles become headings, list paragraphs
list items.

A DOCX is a zip whose members python-docx inflates whole into lxml: a few MB of highly
compressed XML can ask for tens of GB. The members' declared sizes are checked first
(Python's zipfile never inflates past a member's declared size), so a bomb is refused
before any of it is inflated.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError, as_list_item
from ingest.readers.bounded import Limits, check_blocks
from ingest.readers.tables import table_lines


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip whose members would inflate past the limits, naming the worst member."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ReadError("fichier DOCX invalide : ce n’est pas un document Word lisible") from exc
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise ReadError(
            f"bombe DOCX refusée : {total / 1e6:.0f} Mo une fois décompressée "
            f"(limite {limits.max_unzipped_bytes / 1e6:.0f} Mo)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        # Small members may compress well without harm; only a large one can exhaust memory.
        if member.file_size > 1024**2 and ratio > limits.max_zip_ratio:
            raise ReadError(
                f"bombe DOCX refusée : {member.filename} grossit {ratio:.0f} fois "
                f"(limite {limits.max_zip_ratio})"
            )


def _listed(paragraph, style: str) -> bool:
    """A paragraph of a bulleted or numbered list: by its style (« List Bullet », « List
    Number », « List Paragraph ») or by the numbering Word attaches to it."""
    properties = paragraph._p.pPr
    return style.startswith("List") or (properties is not None and properties.numPr is not None)


def _line(paragraph) -> tuple[str, int | None]:
    """A paragraph's text, marked as a list item where Word lists it, and its heading
    level where a Heading or Title style makes it one."""
    line = " ".join(paragraph.text.split())
    style = (paragraph.style.name or "") if paragraph.style is not None else ""
    if style.startswith("Heading") or style == "Title":
        level = style.removeprefix("Heading").strip()
        return line, int(level) if level.isdigit() else 1
    if line and _listed(paragraph, style):
        line = as_list_item(line)
    return line, None


def _table(table) -> list[str]:
    """A table's lines (ingest.readers.tables): its cells' paragraphs, a cell merged over
    several columns or rows read once, each under its column's header if the first row
    names the columns (Word marks a header row it repeats on each page)."""
    from docx.oxml.ns import qn

    seen: set = set()
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            fresh = cell._tc not in seen
            seen.add(cell._tc)
            lines = [_line(p)[0] for p in cell.paragraphs] if fresh else []
            cells.append([line for line in lines if line])
        rows.append(cells)
    properties = table.rows[0]._tr.trPr if len(table.rows) else None
    marked = properties is not None and properties.find(qn("w:tblHeader")) is not None
    return table_lines(rows, marked)


def _in_order(document) -> Iterator[tuple[str, int | None]]:
    """The body's paragraphs and tables, as the page shows them (python-docx's
    `paragraphs` leaves tables out: a report's table was lost): each line with its
    heading level, if any."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield _line(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            yield from ((line, None) for line in _table(Table(child, document)))


def read(path: Path, limits: Limits) -> ExtractedDocument:
    import docx  # python-docx; imported here so other formats do not pay for its start-up
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, limits)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise ReadError("fichier DOCX invalide : ce n’est pas un document Word lisible") from exc
    lines = list(_in_order(document))
    check_blocks(len(lines), limits)
    parts: list[str] = []
    headings: dict[int, int] = {}
    offset = 0
    for line, level in lines:
        if not line:
            continue
        if level is not None:
            headings[offset] = level
        parts.append(line)
        offset += len(line) + 2
    title = document.core_properties.title or None
    return ExtractedDocument(
        text="\n\n".join(parts), title=title, layout="blank", headings=headings
    )
