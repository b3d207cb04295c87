"""Documents: list, outline, upload (ingested at once), metadata edits and delete; passages
with context."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO, Literal

from fastapi import APIRouter, Depends, Query, Response, UploadFile
from pydantic import BaseModel, Field, field_validator

from api.messages import ApiError, message
from api.models import SourceRef, source_ref
from api.outline import document_outline
from api.paging import Offset
from api.reading import DocumentText, document_text
from api.routers.deps import App, Language, require_token
from ingest.kinds import NOT_SEARCHED
from ingest.metadata import KINDS
from ingest.pipeline import FileResult, ingest_file, printable
from ingest.readers import SUPPORTED_SUFFIXES
from ingest.store import StoreUnavailable
from search.knowledge.build import refresh_knowledge
from search.knowledge.freshness import derived_fresh

if TYPE_CHECKING:
    from api.app import Recueil

router = APIRouter(prefix="/v1", tags=["documents"])
_SAFE_NAME = re.compile(r"^[\w][\w .,()'’\-]{0,150}$", re.U)
# An upload waits under this prefix until its document is committed (_stage, _commit).
STAGED_PREFIX = ".upload-"
log = logging.getLogger(__name__)


class DocumentSummary(BaseModel):
    id: str
    file: str
    title: str
    event: str | None
    date: str | None
    place: str | None
    kind: str
    pages: int
    passages: int
    # The fields an editor set (PATCH): their values above are the editor's.
    edited: list[str] = []


class DocumentEdit(BaseModel):
    """Metadata an editor sets on a document; a field left out is unchanged, null goes back
    to the value read from the file."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(None, min_length=1, max_length=300)
    event: str | None = Field(None, max_length=300)
    date: str | None = Field(None, description="AAAA, AAAA-MM ou AAAA-MM-JJ (YYYY-MM-DD)")
    place: str | None = Field(None, max_length=200)
    kind: Literal[KINDS] | None = Field(None, description="document kind: " + ", ".join(KINDS))

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        """A date citations can spell out (search.citations.french_date): a real day."""
        if value is not None:
            padded = value + "-01" * (2 - value.count("-"))
            if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", value) or not _is_date(padded):
                raise ValueError("date attendue : AAAA, AAAA-MM ou AAAA-MM-JJ, un jour qui existe")
        return value


class PassageContext(BaseModel):
    passage: SourceRef
    section: str
    speaker: str | None
    speaker_role: str | None
    speech: str | None = Field(
        description="'verbatim' (the speaker's own words) or 'reported' (the report's account)"
    )
    question: str | None = Field(description="the moderator's question the passage answers")
    kind: str
    page_end: int = Field(description="the last page the passage runs onto")
    previous: SourceRef | None
    next: SourceRef | None


class UploadedFile(BaseModel):
    file: str
    status: str
    document_id: str | None
    passages: int
    error: str | None


def _is_date(iso: str) -> bool:
    try:
        date.fromisoformat(iso)
    except ValueError:
        return False
    return True


class UploadReport(BaseModel):
    files: list[UploadedFile]
    # Set when the files were committed but search, cards or cases could not follow.
    warning: str | None = None


class EditReport(BaseModel):
    document: DocumentSummary
    warning: str | None = None


class DeleteReport(BaseModel):
    deleted: str
    warning: str | None = None


@router.get("/documents")
def list_documents(
    app: App,
    response: Response,
    offset: Offset = 0,
    k: Annotated[int, Query(ge=1, le=1000, description="page size")] = 1000,
) -> list[DocumentSummary]:
    """The documents, in the order they were added; paged by `offset` and `k`, the total
    in the `X-Total-Count` header (the list stays a plain list for existing clients)."""
    documents = list(app.engine.documents.values())
    response.headers["X-Total-Count"] = str(len(documents))
    return _summaries(app, documents[offset : offset + k])


def _summaries(app, documents: list) -> list[DocumentSummary]:
    """What the documents list says of each document: metadata, edits, passages searched."""
    edits = app.store.document_edits()
    wanted = {d.id for d in documents}
    counts: dict[str, int] = {}
    for passage in app.engine.passages.values():
        if passage.kind not in NOT_SEARCHED and passage.document_id in wanted:
            counts[passage.document_id] = counts.get(passage.document_id, 0) + 1
    return [
        DocumentSummary(
            id=d.id,
            file=d.file,
            title=d.title,
            event=d.event,
            date=d.date,
            place=d.place,
            kind=d.kind,
            pages=d.page_count,
            passages=counts.get(d.id, 0),
            edited=sorted(edits.get(d.id, {})),
        )
        for d in documents
    ]


@router.get("/documents/{document_id}")
def get_document(document_id: str, app: App) -> dict:
    document = app.store.document(document_id)
    if document is None:
        raise ApiError(404, "document.unknown", id=document_id)
    return document_outline(app.store, document)


@router.get("/documents/{document_id}/text")
def get_document_text(document_id: str, app: App) -> DocumentText:
    """The extracted text with its pages, sections, speaker turns and passages: every
    citation's `start`/`end` index this text, so the page can mark the cited excerpt."""
    document = app.store.document(document_id)
    if document is None:
        raise ApiError(404, "document.unknown", id=document_id)
    return document_text(document, app.store.passages(document_id))


@router.get("/passages/{passage_id}")
def get_passage(passage_id: str, app: App) -> PassageContext:
    engine = app.engine
    passage = engine.passages.get(passage_id)
    if passage is None:
        raise ApiError(404, "passage.unknown", id=passage_id)
    document = engine.documents[passage.document_id]
    around = {p.ordinal: p for p in app.store.neighbours(passage)}
    before, after = around.get(passage.ordinal - 1), around.get(passage.ordinal + 1)
    return PassageContext(
        passage=source_ref(passage, document),
        section=passage.section,
        speaker=passage.speaker,
        speaker_role=passage.speaker_role,
        speech=passage.speech,
        question=passage.question,
        kind=passage.kind,
        page_end=passage.page_end,
        previous=source_ref(before, document) if before else None,
        next=source_ref(after, document) if after else None,
    )


def _refusal(upload: UploadFile, limit: int) -> ApiError | None:
    """Why this file of an upload is refused before reading it (name, type, size), if it is."""
    name = upload.filename or ""
    base = Path(name).name
    if not base or base != name or not _SAFE_NAME.match(base) or ".." in base:
        return ApiError(400, "upload.unsafe_name")
    if Path(base).suffix.lower() not in SUPPORTED_SUFFIXES:
        return ApiError(415, "upload.unsupported", suffixes=", ".join(sorted(SUPPORTED_SUFFIXES)))
    size = upload.size or 0  # counted by Starlette as it parsed the form
    if size > limit:
        return ApiError(413, "upload.too_large", mb=limit / 1e6)
    if not size:
        return ApiError(400, "upload.empty")
    return None


def _conflict(app: Recueil, upload: UploadFile) -> ApiError | None:
    """A 409 for a file named as an earlier upload whose content differs: the same bytes
    are that document (`unchanged`), other bytes replace it only when asked (`replace`)."""
    name = upload.filename or ""
    target = app.upload_dir / name
    if not target.is_file():
        return None
    existing = app.store.document_by_path(printable(str(target.resolve())))
    if existing is None:
        return None
    with target.open("rb") as before:
        if _digest(before) == _digest(upload.file):
            return None
    return ApiError(409, "upload.conflict", name=name, document_id=existing.id)


def _digest(stream: BinaryIO) -> str:
    """A file's SHA-256, read in blocks; the stream is left where it was (an upload's, at
    its start, to be staged)."""
    digest = hashlib.sha256()
    start = stream.tell()
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(start)
    return digest.hexdigest()


def _stage(upload: UploadFile, folder: Path) -> Path:
    """Copy an upload into `folder` under a unique hidden name (same folder: the final rename
    is atomic; hidden: a folder ingest skips it), streaming, never all in memory."""
    handle, name = tempfile.mkstemp(
        dir=folder, prefix=STAGED_PREFIX, suffix=Path(upload.filename or "").suffix
    )
    with os.fdopen(handle, "wb") as staged:
        shutil.copyfileobj(upload.file, staged)
    return Path(name)


def remove_staged(folder: Path) -> list[Path]:
    """Delete what uploads killed before their commit left behind (at startup: none is live)."""
    leftovers = sorted(folder.glob(f"{STAGED_PREFIX}*"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    return leftovers


def _commit(app: Recueil, name: str, staged: Path, language: str) -> UploadedFile:
    """Ingest a staged upload as `uploads/name`; the file takes that name only once its
    document is committed, so a failure leaves the previous version's file as it was."""
    target = app.upload_dir / name
    try:
        result = ingest_file(app.store, target, source=staged)
    except StoreUnavailable:
        raise  # not this file's fault: the whole upload is answered 503 (api.app)
    except Exception as exc:  # one bad file is reported, the others still go in
        log.exception("ingesting upload %s failed", name)
        error = message("upload.internal", language, error=exc)
        result = FileResult(str(target), "failed", error=error)
    # Bytes already in under another path (ingest_file) leave no second copy here.
    if result.status != "failed" and result.path == printable(str(target.resolve())):
        staged.replace(target)  # also brings back a file an interrupted upload never placed
    passages = result.passages
    if result.status == "unchanged" and result.document_id:  # what it already has
        passages = len(app.store.searchable_passages([result.document_id]))
    return UploadedFile(
        file=name,
        status=result.status,
        document_id=result.document_id,
        passages=passages,
        error=result.error,
    )


def _rebuild(app: Recueil, changed: bool, language: str) -> str | None:
    """After committed writes: swap in an engine that searches them, then rebuild cards,
    cases and actors and swap in one that has them too.

    Search comes first: at 1,000 documents it takes seconds, the knowledge tens of them
    (docs/BENCHMARKS.md), and searches meanwhile find the new passages, on the other
    processes too once it is published (ingest.store.WriteGuard). Also when nothing
    changed but an earlier write was interrupted between its commit and this rebuild
    (search.knowledge.freshness): repeating it completes it. A failure here cannot undo
    the commit, so it is a warning beside the committed result, not an error.
    """
    if not changed and derived_fresh(app.store, app.embedder.model_id):
        return None
    try:
        app.refresh(knowledge=False)
        app.publish()
        refresh_knowledge(app.store, app.embedder)
        app.refresh()
    except Exception as exc:
        log.exception("refresh after a write failed")
        return message("write.not_refreshed", language, error=exc)
    return None


@router.post("/documents", dependencies=[Depends(require_token)], status_code=201)
def upload_documents(
    files: list[UploadFile],
    app: App,
    language: Language,
    replace: Annotated[
        bool,
        Query(
            description="replace the document of an earlier upload of the same name by this "
            "file; without it, a file of that name with other content is refused (409)"
        ),
    ] = False,
) -> UploadReport:
    """Ingest uploaded files at once; each is stored under the data folder's uploads/.

    Each file gets its own status: a refused or unreadable file is reported beside the
    others, which still go in (201). Only when no file went in is the answer an error, with
    the status of the refusal when all files share it (415 for types alone, …), else 422.
    A file named as an earlier upload is that document again (`updated` if it changed)
    only with `replace`: two reports both called « compte-rendu.md » are not one document.
    """
    if not files:
        raise ApiError(400, "upload.none")
    refusals = [
        _refusal(upload, app.max_upload_bytes) or (None if replace else _conflict(app, upload))
        for upload in files
    ]
    accepted = [u for u, refusal in zip(files, refusals, strict=True) if refusal is None]
    with app.write_lock:
        app.upload_dir.mkdir(parents=True, exist_ok=True)
        staged: list[Path] = []
        try:
            for upload in accepted:
                staged.append(_stage(upload, app.upload_dir))
            committed = [
                _commit(app, upload.filename or "", path, language)
                for upload, path in zip(accepted, staged, strict=True)
            ]
        finally:
            for path in staged:
                path.unlink(missing_ok=True)  # committed ones were renamed away
        in_order = iter(committed)
        results = [
            _refused(upload, refusal, language) if refusal else next(in_order)
            for upload, refusal in zip(files, refusals, strict=True)
        ]
        changed = any(r.status in ("added", "updated") for r in results)
        warning = _rebuild(app, changed, language)
    if all(r.status == "failed" for r in results):
        statuses = {refusal.status_code if refusal else 422 for refusal in refusals}
        problems = "; ".join(f"{r.file} : {r.error}" for r in results)
        status = statuses.pop() if len(statuses) == 1 else 422
        raise ApiError(status, "upload.all_failed", problems=problems)
    return UploadReport(files=results, warning=warning)


def _refused(upload: UploadFile, refusal: ApiError, language: str) -> UploadedFile:
    return UploadedFile(
        file=upload.filename or "",
        status="failed",
        document_id=None,
        passages=0,
        error=refusal.text(language),
    )


@router.patch("/documents/{document_id}", dependencies=[Depends(require_token)])
def edit_document(document_id: str, edit: DocumentEdit, app: App, language: Language) -> EditReport:
    """Set a document's title, event, date, place or kind (token). Stored apart from what
    was read from the file, so a re-ingest keeps the edit; search and citations show it."""
    with app.write_lock:
        if app.store.document(document_id) is None:
            raise ApiError(404, "document.unknown", id=document_id)
        fields = edit.model_dump(exclude_unset=True)
        if fields:
            app.store.save_document_edit(document_id, fields)
        warning = _rebuild(app, bool(fields), language)
    (document,) = _summaries(app, [app.engine.documents[document_id]])
    return EditReport(document=document, warning=warning)


@router.delete("/documents/{document_id}", dependencies=[Depends(require_token)])
def delete_document(document_id: str, app: App, language: Language) -> DeleteReport:
    with app.write_lock:
        document = app.store.document(document_id)
        if document is None:
            raise ApiError(404, "document.unknown", id=document_id)
        app.store.delete_document(document_id)
        uploaded = Path(document.path)
        if uploaded.parent == app.upload_dir.resolve():
            uploaded.unlink(missing_ok=True)
        warning = _rebuild(app, True, language)
    return DeleteReport(deleted=document_id, warning=warning)
