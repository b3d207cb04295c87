"""Word documents through python-docx: paragraphs in order, Heading styles become headings."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError


def read(path: Path) -> ExtractedDocument:
    import docx  # python-docx; imported here so other formats do not pay for its start-up
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise ReadError(f"not a valid DOCX file ({exc.__class__.__name__})") from exc
    parts: list[str] = []
    headings: dict[int, int] = {}
    offset = 0
    for paragraph in document.paragraphs:
        line = " ".join(paragraph.text.split())
        if not line:
            continue
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        if style.startswith("Heading") or style == "Title":
            level = style.removeprefix("Heading").strip()
            headings[offset] = int(level) if level.isdigit() else 1
        parts.append(line)
        offset += len(line) + 2
    title = document.core_properties.title or None
    return ExtractedDocument(
        text="\n\n".join(parts), title=title, layout="blank", headings=headings
    )
