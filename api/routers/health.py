"""GET /health: is the service usable, with which model and how much data."""

from __future__ import annotations

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
    )
