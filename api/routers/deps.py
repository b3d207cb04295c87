"""Shared request dependencies: the loaded Recueil and the write-token check."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request


def recueil(request: Request) -> Any:
    return request.app.state.recueil


# The loaded application state (api.app.Recueil), injected into route functions.
App = Annotated[Any, Depends(recueil)]


def require_token(request: Request, authorization: str | None = Header(default=None)) -> None:
    """Writes need `Authorization: Bearer <RECUEIL_TOKEN>`; with no token configured, none pass."""
    expected = request.app.state.recueil.token
    if expected is None:
        raise HTTPException(
            403, "writes are disabled: start the server with RECUEIL_TOKEN set to allow them"
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), expected):
        raise HTTPException(401, "missing or wrong token", headers={"WWW-Authenticate": "Bearer"})
