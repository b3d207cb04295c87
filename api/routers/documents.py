"""Documents: list, outline, upload (ingested at once) and delete; passages with context."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, UploadFile
from pydantic import BaseModel

from api.models import SourceRef, source_ref
from api.outline import document_outline
from api.reading import DocumentText, document_text
from api.routers.deps import App, require_token
from ingest.pipeline import ingest_file
from ingest.readers import SUPPORTED_SUFFIXES
from search.knowledge.build import refresh

router = APIRouter(prefix="/v1", tags=["documents"])
_SAFE_NAME = re.compile(r"^[\w][\w .,()'’\-]{0,150}$", re.U)


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


def _read_capped(upload: UploadFile, limit: int) -> bytes:
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"{upload.filename!r} is larger than {limit / 1e6:.0f} MB")
    if not data:
        raise HTTPException(400, f"{upload.filename!r} is empty")
    return data


@router.post("/documents", dependencies=[Depends(require_token)], status_code=201)
def upload_documents(files: list[UploadFile], app: App) -> UploadReport:
    """Ingest uploaded files at once; each is stored under the data folder's uploads/."""
    if not files:
        raise HTTPException(400, "no file uploaded")
    staged = [(_check_name(f.filename), _read_capped(f, app.max_upload_bytes)) for f in files]
    results = []
    with app.write_lock:
        app.upload_dir.mkdir(parents=True, exist_ok=True)
        for name, data in staged:
            target = app.upload_dir / name
            # Write beside, then rename: a failed upload never leaves half a file.
            with tempfile.NamedTemporaryFile(dir=app.upload_dir, delete=False) as tmp:
                tmp.write(data)
            Path(tmp.name).replace(target)
            result = ingest_file(app.store, target)
            if result.status == "failed":
                target.unlink(missing_ok=True)
            results.append(
                UploadedFile(
                    file=name,
                    status=result.status,
                    document_id=result.document_id,
                    passages=result.passages,
                    error=result.error,
                )
            )
        if any(r.status in ("added", "updated") for r in results):
            refresh(app.store, app.embedder)
            app.refresh()
    if all(r.status == "failed" for r in results):
        raise HTTPException(422, "; ".join(f"{r.file}: {r.error}" for r in results))
    return UploadReport(files=results)


@router.delete("/documents/{document_id}", dependencies=[Depends(require_token)])
def delete_document(document_id: str, app: App) -> dict:
    with app.write_lock:
        document = app.store.document(document_id)
        if document is None:
            raise HTTPException(404, f"no document '{document_id}'")
        app.store.delete_document(document_id)
        uploaded = Path(document.path)
        if uploaded.parent == app.upload_dir.resolve():
            uploaded.unlink(missing_ok=True)
        refresh(app.store, app.embedder)
        app.refresh()
    return {"deleted": document_id}
