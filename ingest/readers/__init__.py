"""One reader per format, chosen by file extension; all return an `ExtractedDocument`.

Every reader runs in a bounded child process (see `bounded`): this package names the
format of each extension and refuses what need not be parsed at all.
"""

from __future__ import annotations

from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError
from ingest.readers.bounded import Limits, read_bounded

# Extension → reader module in this package; imported only in the child that parses.
READERS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}

SUPPORTED_SUFFIXES = frozenset(READERS)

# Larger files are refused before reading: a real report is a few MB, anything far
# bigger is an accident (a scan, an archive renamed) that would stall ingestion.
MAX_FILE_BYTES = 100 * 1024 * 1024


def unsupported(path: Path) -> str:
    """Why a file of another type is not read."""
    return f"type de fichier non pris en charge « {path.suffix or '(aucun)'} »"


def read(
    path: Path, max_bytes: int = MAX_FILE_BYTES, limits: Limits | None = None
) -> ExtractedDocument:
    """Read any supported file, refusing unknown, empty and oversized ones with a clear reason.

    `limits` defaults to the module constants of `bounded`, as overridden by the environment.
    """
    fmt = READERS.get(path.suffix.lower())
    if fmt is None:
        raise ReadError(unsupported(path))
    size = path.stat().st_size
    if size == 0:
        raise ReadError("fichier vide")
    if size > max_bytes:
        raise ReadError(f"fichier trop volumineux ({size / 1e6:.1f} Mo > {max_bytes / 1e6:.0f} Mo)")
    doc = read_bounded(fmt, path, limits or Limits.from_env())
    if not doc.text.strip():
        raise ReadError("aucun texte n’a pu être extrait")
    return doc
