"""PDF through pypdf, page by page, in a child process bounded in time and memory.

pypdf has had infinite-loop and decompression-bomb bugs on hostile files; a child
process with an address-space limit and a timeout turns those into a clean per-file
error instead of a hung or killed ingestion.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

from ingest.extracted import ExtractedDocument, ReadError

TIMEOUT_SECONDS = 120
MEMORY_BYTES = 2 * 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def extract_pages(path: str) -> dict:
    """Runs in the child: the text of every page, or an error reason."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 2048))
        if b"%%EOF" not in handle.read():
            return {"error": "truncated PDF (no end-of-file marker)"}
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return {"error": "encrypted PDF (a password is required)"}
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata or {}).get("/Title") if reader.metadata else None
    except FileNotDecryptedError:
        return {"error": "encrypted PDF (a password is required)"}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        return {"error": f"corrupt PDF ({exc.__class__.__name__}: {exc})"[:300]}
    except NotImplementedError as exc:  # unsupported encryption algorithm
        return {"error": f"unsupported PDF feature ({exc})"[:300]}
    return {"pages": pages, "title": str(title) if title else None}


def read(path: Path) -> ExtractedDocument:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ingest.readers.pdf", str(path)],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReadError(f"PDF parsing took longer than {TIMEOUT_SECONDS} s") from exc
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        last = reason[-1] if reason else f"exit code {done.returncode}"
        if "MemoryError" in last:
            raise ReadError(f"PDF parsing exceeded {MEMORY_BYTES // 1024**3} GB of memory")
        raise ReadError(f"PDF parser failed ({last[:200]})")
    result = json.loads(done.stdout)
    if "error" in result:
        raise ReadError(result["error"])
    pages: list[str] = [p.replace("\r\n", "\n").replace("\f", "\n") for p in result["pages"]]
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 1
    return ExtractedDocument(
        text="\f".join(pages), page_starts=starts or [0], title=result.get("title")
    )


if __name__ == "__main__":
    sys.stdout.write(json.dumps(extract_pages(sys.argv[1])))
