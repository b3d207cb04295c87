"""Shared request pieces: the loaded Recueil, the write-token check, the request's language
and the error shape."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.messages import ApiError, http_text, negotiate


def recueil(request: Request) -> Any:
    return request.app.state.recueil


# The loaded application state (api.app.Recueil), injected into route functions.
App = Annotated[Any, Depends(recueil)]


def language(request: Request) -> str:
    """The catalogue language (api.messages) the request's Accept-Language prefers."""
    return negotiate(request.headers.get("accept-language"))


# For routes that put messages in a successful answer (an upload's per-file errors).
Language = Annotated[str, Depends(language)]


def token_refusal(expected: bytes | None, authorization: str | None) -> ApiError | None:
    """Why a write is refused (403 writes disabled, 401 wrong token), or None if it may pass.

    `authorization` is the header as Starlette decodes it (latin-1), so encoding it back
    gives the bytes as sent; they are compared with the token's bytes (UTF-8, as the
    environment holds it): a non-ASCII token works, and a non-ASCII byte in the header is a
    wrong token, never a server error (hmac refuses str holding non-ASCII characters). One
    function for the middleware that checks writes before their body is read (api.limits)
    and for the route dependency below.
    """
    if expected is None:
        return ApiError(403, "token.disabled")
    scheme, _, given = (authorization or "").encode("latin-1").partition(b" ")
    if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), expected):
        return ApiError(401, "token.wrong", headers={"WWW-Authenticate": "Bearer"})
    return None


def require_token(request: Request, authorization: str | None = Header(default=None)) -> None:
    """Writes need `Authorization: Bearer <RECUEIL_TOKEN>`; with no token configured, none pass."""
    refusal = token_refusal(request.app.state.recueil.token, authorization)
    if refusal is not None:
        raise refusal


def error_response(exc: StarletteHTTPException, accept_language: str | None) -> JSONResponse:
    """The API's one error shape, `{"error": …}`, for handlers and middleware alike, in the
    language `accept_language` prefers (French by default)."""
    language = negotiate(accept_language)
    if isinstance(exc, ApiError):
        text = exc.text(language)
    else:
        text = http_text(exc.status_code, str(exc.detail), language)
    response = JSONResponse(
        {"error": text}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )
    response.headers["content-language"] = language
    return response
