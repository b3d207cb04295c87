"""Run any reader in a child process bounded in memory, time and output size.

Parsers are the code most exposed to hostile input: pypdf has had infinite loops, lxml
(DOCX) and BeautifulSoup (HTML) will build trees of any size a decompression or markup
bomb asks for. In a child with an address-space limit, a timeout and a file-size limit on
its output, such a file costs at most those limits and becomes one clear `ReadError`; the
ingest process, the server and the files after it are untouched.

Limits come from `Limits` (module constants as defaults, `RECUEIL_READ_*` environment
variables above them) so tests and operators can lower or raise them.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO

from ingest.extracted import ExtractedDocument, ReadError

TIMEOUT_SECONDS = 120.0
MEMORY_BYTES = 2 * 1024**3
# A long report is a few million characters; 20 M is about 10,000 pages.
MAX_CHARS = 20_000_000
# Paragraphs in a document whose layout marks them (Markdown, HTML, DOCX, text with one
# paragraph a line): each becomes at least one passage to embed, so 200,000 tiny
# paragraphs would stall ingestion for hours.
MAX_BLOCKS = 50_000
# DOCX is a zip: what its members declare once inflated, in total and per compressed byte.
MAX_UNZIPPED_BYTES = 300 * 1024**2
MAX_ZIP_RATIO = 100

_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Limits:
    """What one file may cost to read; every field has a `RECUEIL_READ_<FIELD>` variable."""

    seconds: float = TIMEOUT_SECONDS
    memory_bytes: int = MEMORY_BYTES
    max_chars: int = MAX_CHARS
    max_blocks: int = MAX_BLOCKS
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
    max_zip_ratio: int = MAX_ZIP_RATIO

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults, overridden by the environment (e.g. RECUEIL_READ_SECONDS=30)."""
        values = {}
        for field in fields(cls):
            raw = os.environ.get(f"RECUEIL_READ_{field.name.upper()}")
            if raw:
                try:
                    values[field.name] = type(field.default)(float(raw))
                except ValueError as exc:
                    name = f"RECUEIL_READ_{field.name.upper()}"
                    raise ReadError(f"{name}={raw!r} n’est pas un nombre") from exc
        return cls(**values)

    @property
    def output_bytes(self) -> int:
        """The child's JSON output at most: 6 bytes an escaped character, plus offsets."""
        return 6 * self.max_chars + 16 * self.max_blocks + 1024**2


def read_bounded(fmt: str, path: Path, limits: Limits) -> ExtractedDocument:
    """Parse `path` with the reader module `ingest.readers.<fmt>` in a bounded child."""
    with tempfile.TemporaryFile() as output, tempfile.TemporaryFile() as errors:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "ingest.readers.bounded", fmt, str(path)],
                input=json.dumps(asdict(limits)).encode(),
                stdout=output,
                stderr=errors,
                timeout=limits.seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ReadError(f"la lecture a pris plus de {limits.seconds:g} s") from exc
        if done.returncode != 0:
            raise ReadError(_crash_reason(fmt, done.returncode, _tail(errors), limits))
        output.seek(0)
        result = json.load(output)
    if "error" in result:
        raise ReadError(result["error"])
    result["headings"] = {int(offset): level for offset, level in result["headings"].items()}
    return ExtractedDocument(**result)


def _limit_child(limits: Limits) -> None:
    """In the child, before any parsing: cap its address space and the size it may write.

    Set by the child itself rather than through `preexec_fn`, which is unsafe in a
    threaded parent such as the server."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))


def _tail(errors: IO[bytes]) -> str:
    """The last line the child wrote on stderr (its exception), read from the end only."""
    errors.seek(0, os.SEEK_END)
    errors.seek(max(0, errors.tell() - 4096))
    lines = errors.read().decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else ""


def _crash_reason(fmt: str, code: int, last: str, limits: Limits) -> str:
    """One line for a child that died: out of memory, output too large, or another crash."""
    memory = f"{limits.memory_bytes / 1024**2:.0f} Mo"
    if "MemoryError" in last:
        return f"la lecture {fmt.upper()} a dépassé {memory} de mémoire"
    if code < 0:  # a C parser (lxml) may die of a failed allocation rather than raise
        return f"lecteur {fmt.upper()} arrêté par le signal {-code} (limite de mémoire {memory})"
    if "File too large" in last:
        return f"la sortie du lecteur {fmt.upper()} a dépassé {limits.output_bytes / 1e6:.0f} Mo"
    return f"échec du lecteur {fmt.upper()} ({last[:200] or f'code de sortie {code}'})"


def _n(number: int) -> str:
    """A count as French writes it: « 60 000 »."""
    return f"{number:,}".replace(",", "\u202f")


def check_output(document: ExtractedDocument, limits: Limits) -> None:
    """Refuse a document too long, or cut in too many paragraphs, to be ingested in time."""
    if len(document.text) > limits.max_chars:
        raise ReadError(
            f"document trop long ({_n(len(document.text))} caractères > {_n(limits.max_chars)})"
        )
    # Blank lines separate paragraphs, or every line is one; wrapped lines are joined.
    separator = {"blank": "\n\n", "lines": "\n"}.get(document.layout)
    if separator:
        check_blocks(document.text.count(separator) + 1, limits)


def check_blocks(count: int, limits: Limits) -> None:
    """Shared by the generic check and readers that can count blocks before parsing."""
    if count > limits.max_blocks:
        raise ReadError(f"trop de paragraphes ({_n(count)} > {_n(limits.max_blocks)})")


def _child(fmt: str, path: str) -> dict:
    """Runs in the child: the reader's document as a dict, or the reason it was refused."""
    limits = Limits(**json.load(sys.stdin))
    _limit_child(limits)
    reader = importlib.import_module(f"ingest.readers.{fmt}")
    try:
        document = reader.read(Path(path), limits)
        check_output(document, limits)
    except ReadError as exc:
        return {"error": str(exc)}
    # A broken PDF font map can yield lone surrogates, which SQLite refuses: replace them
    # one for one so that offsets into the text stay right.
    document.text = _SURROGATES.sub("\ufffd", document.text)
    document.title = _SURROGATES.sub("\ufffd", document.title) if document.title else None
    return asdict(document)


if __name__ == "__main__":
    json.dump(_child(sys.argv[1], sys.argv[2]), sys.stdout)
