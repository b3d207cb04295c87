"""GET /health: is the service usable, with which model, which backend and how much data.

`index_fresh` says whether the engine in service matches the store's passages now;
`reloaded_at`, when it was loaded: after a write by another process it turns fresh again
within a few seconds (api.reloader), without any request. `worker` is the process that
answered: `recueil serve --workers N` runs N of them on one port, each with its engine.

It answers within about HEALTH_TIMEOUT seconds whatever the database does, since a load
balancer's check gives up after a few: the store is asked first whether it answers at all
(`database`), and only then whether the index is fresh. With the database down the service
still searches from memory, so the answer is 200 with `status` « degraded » (writes and
the documents list answer 503 meanwhile), `index_fresh` unknown (null). The backend is
named, never its URL (which may hold a password).
"""

from __future__ import annotations

import os
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.routers.deps import App

router = APIRouter(tags=["health"])

# Seconds /health waits for the database (a pooled connection) before calling it down.
HEALTH_TIMEOUT = 1.0


class Health(BaseModel):
    status: str = Field(description="« ok », or « degraded » when the database does not answer")
    model: str
    backend: str = Field(description="sqlite or postgres")
    database: bool = Field(description=f"whether the store answered within {HEALTH_TIMEOUT} s")
    documents: int
    passages: int
    index_fresh: bool | None = Field(description="null while the database does not answer")
    index_kind: str
    reloaded_at: datetime
    worker: int


@router.get("/health")
def health(app: App) -> Health:
    engine, store = app.engine, app.store
    reachable = store.reachable(HEALTH_TIMEOUT)
    return Health(
        status="ok" if reachable else "degraded",
        model=app.embedder.model_id,
        backend=store.backend,
        database=reachable,
        documents=len(engine.documents),
        passages=len(engine.passages),
        index_fresh=engine.is_fresh() if reachable else None,
        index_kind=engine.vectors.manifest.kind,
        reloaded_at=app.reloaded_at,
        worker=os.getpid(),
    )
