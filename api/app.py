"""The FastAPI application: the store, the model and the indexes are loaded once.

Requests run concurrently: the store hands each thread its own SQLite connection, the
search engine is read-only, and writes (upload, delete) are serialised by a lock and end
by swapping in a freshly loaded engine, so a search never sees half an update.
"""

from __future__ import annotations

import os
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routers import documents, health, knowledge, search
from ingest.store import Store
from search.embedders import get_embedder
from search.engine import SearchEngine

WEB = Path(__file__).parent / "web"


class Recueil:
    """What the app holds: the store, the engine, and the lock that serialises writes."""

    def __init__(self, data_dir: Path, model: str | None):
        self.store = Store(data_dir)
        self.embedder = get_embedder(model)
        self.engine = SearchEngine(self.store, self.embedder)
        self.write_lock = threading.Lock()
        self.token = os.environ.get("RECUEIL_TOKEN") or None
        self.max_upload_bytes = int(float(os.environ.get("RECUEIL_MAX_UPLOAD_MB", "50")) * 1e6)
        self.upload_dir = data_dir / "uploads"

    def refresh(self) -> None:
        """After a write: a new engine over the new store state, swapped in at once."""
        self.engine = SearchEngine(self.store, self.embedder)


def create_app(data_dir: Path | str | None = None, model: str | None = None) -> FastAPI:
    data = Path(data_dir or os.environ.get("RECUEIL_DATA", "data"))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.recueil = Recueil(data, model or os.environ.get("RECUEIL_MODEL"))
        yield

    app = FastAPI(
        title="Recueil",
        summary="Recherche dans les cas capitalisés, avec des citations vérifiables.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    app.include_router(search.router)
    app.include_router(documents.router)
    app.include_router(knowledge.router)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": exc.detail},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in error['loc'][1:]) or error['loc'][0]}: {error['msg']}"
            for error in exc.errors()
        ]
        return JSONResponse({"error": "invalid request", "details": problems}, status_code=422)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html")

    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
    return app
