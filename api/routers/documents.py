"""Documents: list, outline, upload (ingested at once) and delete; passages with context."""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, HTTPException, UploadFile
from pydantic import BaseModel

from api.models import SourceRef, source_ref
from api.outline import document_outline
from api.reading import DocumentText, document_text
from api.routers.deps import App, require_token
from ingest.pipeline import FileResult, ingest_file
from ingest.readers import SUPPORTED_SUFFIXES
from search.knowledge.build import refresh
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


class PassageContext(BaseModel):
    passage: SourceRef
    section: str
    speaker: str | None
    kind: str
    previous: SourceRef | None
    next: SourceRef | None


class UploadedFile(BaseModel):
    file: str
    status: str
    document_id: str | None
    passages: int
    error: str | None


class UploadReport(BaseModel):
    files: list[UploadedFile]
    # Set when the files were committed but search, cards or cases could not follow.
    warning: str | None = None


class DeleteReport(BaseModel):
    deleted: str
    warning: str | None = None


@router.get("/documents")
def list_documents(app: App) -> list[DocumentSummary]:
    counts: dict[str, int] = {}
    for passage in app.engine.passages.values():
        if passage.kind == "text":
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
        )
        for d in app.engine.documents.values()
    ]


@router.get("/documents/{document_id}")
def get_document(document_id: str, app: App) -> dict:
    document = app.store.document(document_id)
    if document is None:
        raise HTTPException(404, f"no document '{document_id}'")
    return document_outline(app.store, document)


@router.get("/documents/{document_id}/text")
def get_document_text(document_id: str, app: App) -> DocumentText:
    """The extracted text with its pages, sections, speaker turns and passages: every
    citation's `start`/`end` index this text, so the page can mark the cited excerpt."""
    document = app.store.document(document_id)
    if document is None:
        raise HTTPException(404, f"no document '{document_id}'")
    return document_text(document, app.store.passages(document_id))


@router.get("/passages/{passage_id}")
def get_passage(passage_id: str, app: App) -> PassageContext:
    engine = app.engine
    passage = engine.passages.get(passage_id)
    if passage is None:
        raise HTTPException(404, f"no passage '{passage_id}'")
    document = engine.documents[passage.document_id]
    around = {p.ordinal: p for p in app.store.neighbours(passage)}
    before, after = around.get(passage.ordinal - 1), around.get(passage.ordinal + 1)
    return PassageContext(
        passage=source_ref(passage, document),
        section=passage.section,
        speaker=passage.speaker,
        kind=passage.kind,
        previous=source_ref(before, document) if before else None,
        next=source_ref(after, document) if after else None,
    )


def _check_name(name: str | None) -> str:
    base = Path(name or "").name
    if not base or base != name or not _SAFE_NAME.match(base) or ".." in base:
        raise HTTPException(400, f"unsafe or empty file name: {name!r}")
    if Path(base).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise HTTPException(
            415, f"unsupported file type for {base!r}: use {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    return base


def _check_size(upload: UploadFile, limit: int) -> None:
    size = upload.size or 0  # counted by Starlette as it parsed the form
    if size > limit:
        raise HTTPException(413, f"{upload.filename!r} is larger than {limit / 1e6:.0f} MB")
    if not size:
        raise HTTPException(400, f"{upload.filename!r} is empty")


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


def _commit(app: Recueil, name: str, staged: Path) -> UploadedFile:
    """Ingest a staged upload as `uploads/name`; the file takes that name only once its
    document is committed, so a failure leaves the previous version's file as it was."""
    target = app.upload_dir / name
    try:
        result = ingest_file(app.store, target, source=staged)
    except Exception as exc:  # one bad file is reported, the others still go in
        log.exception("ingesting upload %s failed", name)
        result = FileResult(str(target), "failed", error=f"internal error: {exc}")
    if result.status != "failed":
        staged.replace(target)  # also brings back a file an interrupted upload never placed
    return UploadedFile(
        file=name,
        status=result.status,
        document_id=result.document_id,
        passages=result.passages,
        error=result.error,
    )


def _rebuild(app: Recueil, changed: bool) -> str | None:
    """After committed writes: rebuild cards and cases and swap in a new engine.

    Also when nothing changed but an earlier write was interrupted between its commit and
    this rebuild (search.knowledge.freshness): repeating it completes it. A failure here
    cannot undo the commit, so it is a warning beside the committed result, not an error.
    """
    if not changed and derived_fresh(app.store):
        return None
    try:
        refresh(app.store, app.embedder)
        app.refresh()
    except Exception as exc:
        log.exception("refresh after a write failed")
        return (
            f"saved, but search, cards and cases are not updated yet ({exc}): "
            "repeat the request or run `recueil build`"
        )
    return None


@router.post("/documents", dependencies=[Depends(require_token)], status_code=201)
def upload_documents(files: list[UploadFile], app: App) -> UploadReport:
    """Ingest uploaded files at once; each is stored under the data folder's uploads/."""
    if not files:
        raise HTTPException(400, "no file uploaded")
    names = [_check_name(f.filename) for f in files]
    for upload in files:
        _check_size(upload, app.max_upload_bytes)
    with app.write_lock:
        app.upload_dir.mkdir(parents=True, exist_ok=True)
        staged: list[Path] = []
        try:
            for upload in files:
                staged.append(_stage(upload, app.upload_dir))
            results = [_commit(app, name, path) for name, path in zip(names, staged, strict=True)]
        finally:
            for path in staged:
                path.unlink(missing_ok=True)  # committed ones were renamed away
        warning = _rebuild(app, any(r.status in ("added", "updated") for r in results))
    if all(r.status == "failed" for r in results):
        raise HTTPException(422, "; ".join(f"{r.file}: {r.error}" for r in results))
    return UploadReport(files=results, warning=warning)


@router.delete("/documents/{document_id}", dependencies=[Depends(require_token)])
def delete_document(document_id: str, app: App) -> DeleteReport:
    with app.write_lock:
        document = app.store.document(document_id)
        if document is None:
            raise HTTPException(404, f"no document '{document_id}'")
        app.store.delete_document(document_id)
        uploaded = Path(document.path)
        if uploaded.parent == app.upload_dir.resolve():
            uploaded.unlink(missing_ok=True)
        warning = _rebuild(app, changed=True)
    return DeleteReport(deleted=document_id, warning=warning)
