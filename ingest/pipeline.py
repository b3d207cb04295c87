"""Incremental ingestion: files → passages in the store, one transaction per document.

A file whose bytes did not change since the last ingest is skipped (content hash); a
changed file replaces its passages atomically; a file that fails is reported with its
reason and leaves nothing behind, and the other files go on.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from ingest import metadata
from ingest.clean import build_blocks
from ingest.executors import Executor, LocalExecutor
from ingest.extract import actors, cases, practices, quotes
from ingest.extracted import ExtractedDocument, ReadError
from ingest.kinds import NOT_SEARCHED
from ingest.normalise import fold
from ingest.passages import Passage, make_passages
from ingest.readers import MAX_FILE_BYTES, SUPPORTED_SUFFIXES, read, unsupported
from ingest.store import DocumentRow, PassageRow, Store, dumps_pages
from ingest.structure import Structured, structure


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | failed | skipped
    document_id: str | None = None
    passages: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def passages(self) -> int:
        return sum(r.passages for r in self.results if r.status in ("added", "updated"))

    def summary(self) -> dict:
        return {
            "added": self.count("added"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "failed": self.count("failed"),
            "skipped": self.count("skipped"),
            "pruned": len(self.pruned),
            "passages": self.passages,
            "seconds": round(self.seconds, 2),
        }


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Expand folders recursively into supported files; name what cannot be used."""
    files: list[Path] = []
    problems: list[FileResult] = []
    for path in paths:
        if path.is_dir():
            found, skipped = _walk(path)
            files.extend(found)
            problems.extend(skipped)
        elif path.is_file():
            files.append(path)
        else:
            missing = FileResult(
                printable(str(path)), "failed", error="fichier ou dossier introuvable"
            )
            problems.append(missing)
    return list(dict.fromkeys(p.resolve() for p in files)), problems


def _walk(folder: Path) -> tuple[list[Path], list[FileResult]]:
    """Supported files under `folder`; hidden files and folders (a leading dot: editor
    copies, .git) and files of another type (.rtf, .xlsx) are not read but reported, so
    that nothing is left out in silence."""
    files: list[Path] = []
    skipped: list[FileResult] = []
    for root, folders, names in os.walk(folder):
        base = Path(root)
        for name in sorted(folders):
            if name.startswith("."):
                skipped.append(
                    _skipped(base / name, "dossier caché (son nom commence par un point)")
                )
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            path = base / name
            if not path.is_file() or metadata.is_sidecar(path):
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                if not name.startswith("."):  # a system's own (.DS_Store) is no report's
                    skipped.append(_skipped(path, unsupported(path)))
                continue
            if name.startswith("."):
                skipped.append(_skipped(path, "fichier caché (son nom commence par un point)"))
            else:
                files.append(path)
    return sorted(files), skipped


def _skipped(path: Path, reason: str) -> FileResult:
    return FileResult(printable(str(path)), "skipped", error=reason)


def printable(text: str) -> str:
    """`text` made safe to store and print: the bytes of a file name that is not UTF-8
    (kept by Python as lone surrogates, which SQLite and terminals refuse) become \\xNN."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def source_exists(stored: str) -> bool:
    """Whether the file behind a stored (printable) path is still there, \\xNN undone."""
    if Path(stored).exists():
        return True
    raw = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), stored.encode())
    return Path(os.fsdecode(raw)).exists()


# Said of a file that could not be read again: what search serves of it is its last
# version, which nothing replaced (a failed file stores nothing).
KEPT = " ; sa version précédente reste dans la base"


def gone_from(store: Store, paths: Iterable[Path]) -> list[DocumentRow]:
    """The documents whose file is gone from under the folders given. Only there: an
    ingest of one folder forgets nothing of another (nor the uploads); and a folder that
    is not there (an unmounted drive, a mistyped path) forgets nothing of what it held."""
    roots = [path.resolve() for path in paths if path.exists()]
    return [
        document
        for document in store.documents()
        if any(Path(document.path).is_relative_to(root) for root in roots)
        and not source_exists(document.path)
    ]


def slug(text: str) -> str:
    """A file stem as an id: « compte rendu été » is compte-rendu-ete, not compte-rendu-t."""
    return re.sub(r"[^a-z0-9_]+", "-", fold(text)).strip("-")[:80] or "document"


def _document_id(store: Store, path: Path, claimed: dict[str, str] | None = None) -> str:
    """The file's stem, made unique when another path already uses it, in the store or in
    `claimed` (ids given to files planned but not committed yet: see plan_file)."""
    base = slug(path.stem)
    existing = store.document(base)
    stored = printable(str(path))
    holder = existing.path if existing else (claimed or {}).get(base)
    if holder is None or holder == stored:
        return base
    return f"{base}-{hashlib.sha1(stored.encode()).hexdigest()[:6]}"


def build_document(
    path: Path, data: bytes, document_id: str, source: Path | None = None
) -> tuple[DocumentRow, list[PassageRow], dict[str, list[dict]]]:
    """Read, clean, structure and cut one file, and extract its records.

    `source` holds the bytes when they are not at `path` yet (see ingest_file).
    Raises ReadError/MetadataError on bad input.
    """
    extracted = read(source or path)
    blocks = build_blocks(extracted)
    items = structure(blocks)
    passages: list[Passage] = make_passages(items)
    if not passages:
        raise ReadError("aucun passage n’a pu être découpé dans le texte")
    title = metadata.title_heading([(b.kind, b.text) for b in blocks])
    meta = metadata.resolve(path, extracted.text, extracted.title, title, extracted.declared)
    date = meta["date"]
    document = DocumentRow(
        id=document_id,
        path=printable(str(path)),
        file=printable(path.name),
        title=printable(meta["title"]) if meta["title"] else None,
        event=meta["event"],
        date=date,
        year=int(date[:4]) if date else None,
        place=meta["place"],
        kind=meta["kind"],
        url=meta["url"],
        content_hash=content_hash(data, path),
        size=len(data),
        page_count=extracted.page_count,
        page_starts=dumps_pages(extracted.page_starts),
        text=extracted.text,
        ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    rows = [
        PassageRow(
            **asdict(p),
            id=f"{document_id}:{p.ordinal}",
            document_id=document_id,
            hash=p.content_hash,
        )
        for p in passages
    ]
    return document, rows, extract_records(items, extracted, rows)


def extract_records(
    items: list[Structured], extracted: ExtractedDocument, passages: list[PassageRow]
) -> dict[str, list[dict]]:
    """Quotes, practice statements and case mentions, each tied to its passage and on the
    page where it starts (a paragraph running over two pages gives its second page's
    sentence the second page)."""
    locate = _passage_locator(passages)
    found = {
        "quotes": quotes.extract(items, extracted.text),
        "statements": practices.extract(items),
        "mentions": cases.extract(items),
        "actor_mentions": actors.extract(items),
    }
    document_id = passages[0].document_id
    kind_of = {p.id: p.kind for p in passages}
    located = {
        table: [
            {
                "id": f"{document_id}:{table[0]}{number}",
                "document_id": document_id,
                "passage_id": locate(record.start),
                **asdict(record),
                "page": extracted.page_at(record.start),
            }
            for number, record in enumerate(records)
        ]
        for table, records in found.items()
    }
    # A practice or a quote is read where search can show it: « Pour en savoir plus :
    # https://… » under « Ce que nous ne referions pas » is a link, no pitfall.
    for table in ("statements", "quotes"):
        located[table] = [r for r in located[table] if kind_of[r["passage_id"]] not in NOT_SEARCHED]
    return located


def _passage_locator(passages: list[PassageRow]) -> Callable[[int], str]:
    """Offset → id of the passage (not a footnote) holding it, or starting nearest before it."""
    spans = sorted((p.start, p.end, p.id) for p in passages if p.kind != "note") or [
        (p.start, p.end, p.id) for p in passages
    ]
    starts = [span[0] for span in spans]

    def locate(offset: int) -> str:
        return spans[max(0, bisect.bisect_right(starts, offset) - 1)][2]

    return locate


def _pipeline_version() -> str:
    """Hash of the code that turns files into passages: changing it re-processes documents.

    Where documents are kept is left out (the store, its backends, the copy between them),
    and where they are built (executors): changing either re-processes nothing.
    """
    package = Path(__file__).parent
    digest = hashlib.sha1()
    for source in sorted(package.rglob("*.py")):
        outside = ("store.py", "transfer.py", "executors.py")
        storage = source.name in outside or source.parent.name == "backends"
        if not storage and source.name != "pipeline.py":
            digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


PIPELINE_VERSION = _pipeline_version()


def content_hash(data: bytes, path: Path) -> str:
    """Hash of the file, its sidecar and the pipeline version: any of them changing re-ingests."""
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    digest.update(data)
    sidecar = metadata.sidecar_path(path)
    if sidecar.exists():
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()


Built = tuple[DocumentRow, list[PassageRow], dict[str, list[dict]]]
_READ_ERRORS = (ReadError, metadata.MetadataError, OSError)


@dataclass(frozen=True)
class Job:
    """A file to read, with what the writer decided before parsing it: its id, and whether
    it replaces a document. Building it needs no store, so it may run in another process
    (ingest.executors); committing it is the writer's."""

    path: Path  # resolved: the document's path
    source: Path  # where the bytes are (an upload's staging file, or `path`)
    data: bytes
    document_id: str
    updated: bool


def plan_file(
    store: Store,
    path: Path,
    max_bytes: int = MAX_FILE_BYTES,
    source: Path | None = None,
    claimed: dict[str, str] | None = None,
) -> Job | FileResult:
    """The job of reading `path`, or its result already: unchanged, or failed before parsing.

    `claimed` (id → path) holds the ids of files planned and not committed yet, and gets
    this file's: two files with one stem planned together get two ids, as one after the
    other would."""
    path = path.resolve()
    shown = printable(str(path))
    source = source or path
    try:
        size = source.stat().st_size
        if size > max_bytes:
            raise ReadError(f"fichier trop volumineux ({size / 1e6:.1f} Mo)")
        data = source.read_bytes()
        existing = store.document_by_path(shown)
        digest = content_hash(data, path)
        if existing and existing.content_hash == digest:
            return FileResult(shown, "unchanged", existing.id)
        # The same bytes already in under another path whose file is still there (a copy in
        # another folder, an upload of a file ingested from a folder): that document.
        twin = None if existing else store.document_with_content(digest)
        if twin is not None and source_exists(twin.path):
            return FileResult(twin.path, "unchanged", twin.id)
    except _READ_ERRORS as exc:
        kept = store.document_by_path(shown) is not None
        return FileResult(shown, "failed", error=printable(str(exc)) + (KEPT if kept else ""))
    # Its old file gone, the same bytes are that file moved or renamed: the same document,
    # now at this path, its id (links, citations) and its metadata edits kept. A new id
    # had left a second copy until --prune, which then lost the edits.
    known = existing or twin
    document_id = known.id if known else _document_id(store, path, claimed)
    if claimed is not None:
        claimed[document_id] = shown
    return Job(path, source, data, document_id, known is not None)


def build_job(job: Job) -> Built | str:
    """The document read, cleaned, cut and its records extracted, or why it could not be."""
    try:
        return build_document(job.path, job.data, job.document_id, job.source)
    except _READ_ERRORS as exc:
        return printable(str(exc))


def commit_job(store: Store, job: Job, built: Built | str) -> FileResult:
    """Write what `build_job` gave (the writer alone does), or report why it failed.

    A job planned ahead may have taken a suffixed id because a file with the same stem was
    planned before it; if that file failed, the id it would get now is the bare one, and
    it is built again here with it, so that the store is the one a sequential ingest
    leaves."""
    shown = printable(str(job.path))
    if isinstance(built, str):
        return FileResult(shown, "failed", error=built + (KEPT if job.updated else ""))
    if not job.updated and (now := _document_id(store, job.path)) != job.document_id:
        job = replace(job, document_id=now)
        return commit_job(store, job, build_job(job))
    store.replace_document(*built)
    status = "updated" if job.updated else "added"
    # Counted as stats, show and the documents list count them: the passages search reads.
    searched = sum(1 for passage in built[1] if passage.kind not in NOT_SEARCHED)
    return FileResult(shown, status, job.document_id, searched)


def ingest_file(
    store: Store, path: Path, max_bytes: int = MAX_FILE_BYTES, source: Path | None = None
) -> FileResult:
    """Ingest one file as the document at `path`; its bytes are read from `source` if given.

    An upload is staged under a temporary name and committed under its final one, so that
    its file takes that name only once its document is in the store (api.routers.documents).
    """
    job = plan_file(store, path, max_bytes, source)
    return job if isinstance(job, FileResult) else commit_job(store, job, build_job(job))


def ingest(
    store: Store,
    paths: Iterable[Path],
    prune: bool = False,
    progress: Callable[[Path], None] | None = None,
    ingested: Callable[[FileResult], None] | None = None,
    executor: Executor | None = None,
) -> IngestReport:
    """Ingest files and folders; with `prune`, forget the documents whose file is gone
    from under them (gone_from).

    `progress` is told of each file before it is read; `ingested` of each result once its
    document is committed (the CLI embeds it then, so that a search meanwhile finds the
    documents already read with their vectors, and embeds nothing itself). `executor`
    builds the documents (ingest.executors: here, one after the other, by default; or
    several at a time on a Ray cluster); this process alone commits them, in file order."""
    started = time.perf_counter()
    paths = list(paths)
    files, problems = discover(paths)
    report = IngestReport(results=list(problems))
    claimed: dict[str, str] = {}

    def plans() -> Iterator[Job | FileResult]:
        for path in files:
            if progress:
                progress(path)
            yield plan_file(store, path, claimed=claimed)

    runner = executor or LocalExecutor()
    for planned, built in runner.map(build_job, plans(), lambda p: isinstance(p, Job)):
        if isinstance(planned, FileResult):
            result = planned
        else:
            result = commit_job(store, planned, built)
            claimed.pop(planned.document_id, None)
        report.results.append(result)
        if ingested:
            ingested(result)
    if prune:
        for document in gone_from(store, paths):
            store.delete_document(document.id)
            report.pruned.append(document.id)
    report.seconds = time.perf_counter() - started
    return report
