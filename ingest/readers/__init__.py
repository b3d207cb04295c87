"""One reader per format, chosen by file extension; all return an `ExtractedDocument`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError
from ingest.readers import docx, html, markdown, pdf, text

READERS: dict[str, Callable[[Path], ExtractedDocument]] = {
    ".txt": text.read,
    ".text": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".docx": docx.read,
    ".pdf": pdf.read,
}

SUPPORTED_SUFFIXES = frozenset(READERS)

# Larger files are refused before reading: a real report is a few MB, anything far
# bigger is an accident (a scan, an archive renamed) that would stall ingestion.
MAX_FILE_BYTES = 100 * 1024 * 1024


def read(path: Path, max_bytes: int = MAX_FILE_BYTES) -> ExtractedDocument:
    """Read any supported file, refusing unknown, empty and oversized ones with a clear reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ReadError(f"unsupported file type '{path.suffix or '(none)'}'")
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty file")
    if size > max_bytes:
        raise ReadError(f"file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.0f} MB)")
    doc = reader(path)
    if not doc.text.strip():
        raise ReadError("no text could be extracted")
    return doc
