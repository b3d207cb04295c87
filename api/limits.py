"""Write requests are judged on their headers before a byte of their body is read.

FastAPI parses (and python-multipart spools to disk) a whole multipart body before any
dependency runs, so a token checked in a dependency comes after an anonymous 2 GB upload
has filled the temp folder. This pure ASGI middleware stands in front of the write routes:
the token first, then the declared Content-Length against the request's cap, then the cap
again on the bytes as they stream in, for a Content-Length that lies or is missing
(chunked transfer). Starlette's own body limiter answers in plain text without naming the
limit, and only once the route starts reading: hence this one.
"""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.routers.deps import error_response, token_refusal

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON body (a case edit) is a few KB: more is a mistake or an attack, whatever the cap.
MAX_JSON_BYTES = 1_000_000
_CLOSE = (b"connection", b"close")


class WriteLimits:
    """Refuse anonymous and oversized writes under /v1 without reading their body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_write(scope):
            await self.app(scope, receive, send)
            return
        recueil = scope["app"].state.recueil
        headers = Headers(scope=scope)
        cap = _cap(headers, recueil.max_request_bytes)
        refusal = token_refusal(recueil.token, headers.get("authorization"))
        refusal = refusal or _declared_too_large(headers, cap)
        if refusal is not None:
            response = error_response(refusal)
            response.headers["connection"] = "close"  # a client still sending is not read
            await response(scope, receive, send)
            return
        body = _CappedBody(receive, send, cap)
        await self.app(scope, body.receive, body.send)


def _is_write(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] in WRITE_METHODS
        and scope["path"].startswith("/v1/")
    )


def _cap(headers: Headers, max_request_bytes: int) -> int:
    """Multipart uploads get the request cap; any other body the small JSON one."""
    if headers.get("content-type", "").startswith("multipart/form-data"):
        return max_request_bytes
    return min(MAX_JSON_BYTES, max_request_bytes)


def _too_large(cap: int) -> HTTPException:
    return HTTPException(
        413, f"request body is larger than {cap / 1e6:g} MB, the limit per request"
    )


def _declared_too_large(headers: Headers, cap: int) -> HTTPException | None:
    """A 413 for a declared length past the cap; no length (chunked) is counted as it comes,
    and a malformed one is the HTTP server's to refuse."""
    declared = headers.get("content-length", "")
    return _too_large(cap) if declared.isdigit() and int(declared) > cap else None


class _CappedBody:
    """One request's body, counted as it streams in; past the cap, reading it raises a 413.

    FastAPI re-raises an HTTPException met while reading the body, so the app's handler
    answers it; the response then closes the connection, the rest is never read.
    """

    def __init__(self, receive: Receive, send: Send, cap: int) -> None:
        self._receive = receive
        self._send = send
        self.cap = cap
        self.seen = 0

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.cap:
                raise _too_large(self.cap)
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and self.seen > self.cap:
            message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
        await self._send(message)
