"""Word documents through python-docx: paragraphs in order, Heading styles become headings.

A DOCX is a zip whose members python-docx inflates whole into lxml: a few MB of highly
compressed XML can ask for tens of GB. The members' declared sizes are checked first
(Python's zipfile never inflates past a member's declared size), so a bomb is refused
before any of it is inflated.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError
from ingest.readers.bounded import Limits, check_blocks


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip whose members would inflate past the limits, naming the worst member."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ReadError(f"fichier DOCX invalide ({exc.__class__.__name__})") from exc
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


def read(path: Path, limits: Limits) -> ExtractedDocument:
    import docx  # python-docx; imported here so other formats do not pay for its start-up
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, limits)
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError) as exc:
        raise ReadError(f"fichier DOCX invalide ({exc.__class__.__name__})") from exc
    paragraphs = document.paragraphs
    check_blocks(len(paragraphs), limits)
    parts: list[str] = []
    headings: dict[int, int] = {}
    offset = 0
    for paragraph in paragraphs:
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
