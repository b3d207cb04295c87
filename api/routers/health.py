"""GET /health: is the service usable, with which model and how much data.

`index_fresh` says whether the engine in service matches the store's passages now;
`reloaded_at`, when it was loaded: after a write by another process it turns fresh again
within a few seconds (api.reloader), without any request. `worker` is the process that
answered: `recueil serve --workers N` runs N of them on one port, each with its engine.
"""

from __future__ import annotations

import os
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from api.routers.deps import App

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    model: str
    documents: int
    passages: int
    index_fresh: bool
    index_kind: str
    reloaded_at: datetime
    worker: int


@router.get("/health")
def health(app: App) -> Health:
    engine = app.engine
    return Health(
        status="ok",
        model=app.embedder.model_id,
        documents=len(engine.documents),
        passages=len(engine.passages),
        index_fresh=engine.is_fresh(),
        index_kind=engine.vectors.manifest.kind,
        reloaded_at=app.reloaded_at,
        worker=os.getpid(),
    )
