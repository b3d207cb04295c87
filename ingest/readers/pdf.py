"""PDF through pypdf, page by page (in the bounded child process, like every reader).

The type sizes pypdf reports mark the headings and a browser's printed header and footer
(ingest.readers.typography), which the text alone does not show.

pypdf has had infinite-loop and decompression-bomb bugs on hostile files: the child's
address-space limit and timeout turn those into a clean per-file error. Encrypted PDFs
that need only an owner password (an empty user password, RC4 or AES) open through the
`cryptography` package; those that need a user password are refused as such.
"""

from __future__ import annotations

from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError
from ingest.readers import typography
from ingest.readers.bounded import Limits

_PASSWORD = "PDF chiffré (un mot de passe est nécessaire)"


def _pages(path: Path) -> tuple[list[tuple[str, list[typography.Glyph] | None]], str | None]:
    """The text of every page with its type sizes (typography.page_text), and the title,
    or a ReadError naming what is wrong."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    with path.open("rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 2048))
        if b"%%EOF" not in handle.read():
            raise ReadError("PDF tronqué (pas de marque de fin de fichier)")
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError(_PASSWORD)
        pages = [typography.page_text(page) for page in reader.pages]
        title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except FileNotDecryptedError as exc:
        raise ReadError(_PASSWORD) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError(f"PDF corrompu ({exc.__class__.__name__} : {exc})"[:300]) from exc
    except (NotImplementedError, DependencyError) as exc:  # an unsupported encryption
        raise ReadError(f"fonction PDF non prise en charge ({exc})"[:300]) from exc
    return pages, str(title) if title else None


def read(path: Path, limits: Limits) -> ExtractedDocument:
    """Pages joined by form feeds; PDFs need only the generic limits checked by `bounded`.

    Headings and a browser's printed header and footer come from the type
    (ingest.readers.typography)."""
    pages, title = _pages(path)
    typeset = typography.typeset(pages)
    return ExtractedDocument(
        text="\f".join(typeset.pages),
        page_starts=typeset.page_starts,
        title=title,
        headings=typeset.headings,
        furniture=typeset.furniture,
    )
