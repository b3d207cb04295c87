"""The FastAPI application: the store, the model and the indexes are loaded once.

Requests run concurrently: the store hands each thread its own connection, the search
engine is read-only, and writes (upload, delete) are serialised by the store's write lock
(shared with the CLI, across processes) and end by swapping in a freshly loaded engine,
so a search never sees half an update. Writes by other processes are followed too
(api.reloader). Writes are judged on their headers before their body is read
(api.limits).
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import docs
from api.limits import WriteLimits
from api.messages import ApiError, message, negotiate, validation_problem
from api.reloader import Watcher
from api.routers import documents, export, health, knowledge, search
from api.routers.deps import error_response
from api.token import write_token
from ingest.store import StoreUnavailable, open_store
from search.embedders import get_embedder
from search.engine import SearchEngine, UnknownDocument
from search.knowledge.build import knowledge_owed

WEB = Path(__file__).parent / "web"
# One request may carry this many files at the per-file limit, plus the form's own bytes.
REQUEST_FILES = 8
FORM_OVERHEAD_BYTES = 1_000_000
log = logging.getLogger(__name__)


class Recueil:
    """What the app holds: the store, the engine in service, and the folder's write lock."""

    def __init__(self, data_dir: Path, model: str | None):
        self.store = open_store(data_dir)
        self.embedder = get_embedder(model)
        self.write_lock = self.store.write_lock()
        self.version = self.store.watch()
        if knowledge_owed(self.store, self.embedder):  # a write cut short, another model
            log.warning("practice cards, cases and actors rebuilt for %s", self.embedder.model_id)
        with self.write_lock.idle() as idle:
            self._reload()
        if not idle:  # started during another process's write: load again once it is done
            self.seen = self.seen._replace(data=-1)
        # RECUEIL_TOKEN, or the data folder's token file as `make run` leaves it (api.token).
        self.token = write_token(data_dir).value
        self.max_upload_bytes = _megabytes("RECUEIL_MAX_UPLOAD_MB", 50)
        self.max_request_bytes = _megabytes(
            "RECUEIL_MAX_REQUEST_MB",
            (REQUEST_FILES * self.max_upload_bytes + FORM_OVERHEAD_BYTES) / 1e6,
        )
        self.upload_dir = data_dir / "uploads"
        with self.write_lock:  # not while another server's upload is committing
            for leftover in documents.remove_staged(self.upload_dir):
                log.warning("removed %s, left by an upload interrupted before its commit", leftover)

    def refresh(self, knowledge: bool = True) -> None:
        """After a write (write lock held): a new engine over the new store, swapped in.

        Without `knowledge`, the new engine keeps the cards and cases of the one in
        service until a later refresh brings those rebuilt (api.routers.documents)."""
        self._reload(knowledge)

    def publish(self) -> None:
        """After `refresh(knowledge=False)` in a write: the other processes may load the
        write's search state now, before its knowledge is rebuilt. This one has it."""
        self.write_lock.publish()
        self.seen = self.seen._replace(published=self.version.read().published)

    def reload_if_changed(self) -> bool:
        """If another process changed the store: a new engine, in full once no writer is at
        work, or for search alone once the writer at work published its search state (the
        knowledge follows when it is done)."""
        current = self.version.read()
        if current == self.seen:
            return False
        with self.write_lock.idle() as idle:
            if idle:
                self._reload()
                return True
        if current.published == self.seen.published:
            return False  # a writer is at work: serve the last complete state
        with self.write_lock.searchable() as searchable:
            if not searchable:
                return False  # the next writer has begun already
            self._reload(knowledge=False)
        return True

    def _reload(self, knowledge: bool = True) -> None:
        """Build an engine over the store beside the one in service, then swap it in.

        The new engine starts from the one in service (what did not change is reused:
        search.engine), and the caches on disk are written once it serves. With the write
        lock held (shared or exclusive), only the build itself commits (vectors it
        caches): the versions read after it are the state the engine reflects. Without
        the knowledge, the engine is behind the store until a full reload: `data` is set
        apart so that the next look compares as changed.
        """
        previous = getattr(self, "engine", None)
        self.engine = SearchEngine(self.store, self.embedder, previous, knowledge)
        seen = self.version.read()
        self.seen = seen if knowledge else seen._replace(data=-1)
        self.reloaded_at = datetime.now(UTC)
        self.engine.save()


def _megabytes(variable: str, default: float) -> int:
    return int(float(os.environ.get(variable) or default) * 1e6)


def create_app(data_dir: Path | str | None = None, model: str | None = None) -> FastAPI:
    data = Path(data_dir or os.environ.get("RECUEIL_DATA", "data"))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.recueil = Recueil(data, model or os.environ.get("RECUEIL_MODEL"))
        recueil = app.state.recueil
        every = float(os.environ.get("RECUEIL_RELOAD_SECONDS", "2"))
        watcher = Watcher(recueil, recueil.version, every)
        watcher.start()
        yield
        watcher.stop()
        app.state.recueil.version.close()
        app.state.recueil.store.close()

    app = FastAPI(
        title="Recueil",
        summary="Recherche dans les cas capitalisés, avec des citations vérifiables.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served from installed files instead of a CDN (api.docs)
        redoc_url=None,
    )
    app.add_middleware(WriteLimits)
    app.include_router(health.router)
    app.include_router(search.router)
    app.include_router(documents.router)
    app.include_router(knowledge.router)
    app.include_router(export.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc, request.headers.get("accept-language"))

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
        """A database down or its pool exhausted: 503, and the engine in service goes on
        answering searches meanwhile (it holds what it needs in memory)."""
        log.warning("%s %s: store unavailable (%s)", request.method, request.url.path, exc)
        unavailable = ApiError(503, "store.unavailable", headers={"Retry-After": "5"})
        return error_response(unavailable, request.headers.get("accept-language"))

    @app.exception_handler(UnknownDocument)
    async def unknown_document(request: Request, exc: UnknownDocument) -> JSONResponse:
        """A filter naming no document (/v1/search, /v1/quotes…): a usage error, as an
        unknown kind is, not an empty list that reads as « nothing on this »."""
        refused = ApiError(422, "document.unknown", id=exc.document)
        return error_response(refused, request.headers.get("accept-language"))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = negotiate(request.headers.get("accept-language"))
        problems = [validation_problem(error, language) for error in exc.errors()]
        return JSONResponse(
            {"error": message("request.invalid", language), "details": problems},
            status_code=422,
            headers={"content-language": language},
        )

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        """The single page: it reads the view to show (a document's text too) from the URL."""
        return FileResponse(WEB / "index.html")

    @app.get("/documents/{document_id}", include_in_schema=False)
    def document_page(document_id: str, request: Request) -> FileResponse:
        """The same page, which shows the document's text; a 404 for a document the store
        does not hold (the page says so), so that a dead link reads as one."""
        known = document_id in request.app.state.recueil.engine.documents
        return FileResponse(WEB / "index.html", status_code=200 if known else 404)

    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    docs.install(app)
    return app
