"""Write requests are judged on their headers before a byte of their body is read.

FastAPI parses (and python-multipart spools to disk) a whole multipart body before any
dependency runs, so a token checked in a dependency comes after an anonymous 2 GB upload
has filled the temp folder. This pure ASGI middleware stands in front of the write routes:
the token first, then the declared Content-Length against the request's cap, then the cap
again on the bytes as they stream in, for a Content-Length that lies or is missing
(chunked transfer), and each file of a form against the per-file cap as it comes. Starlette's
own body limiter answers in plain text without naming the limit, and only once the route
starts reading: hence this one.
"""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.messages import ApiError
from api.routers.deps import error_response, token_refusal

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON body (a case edit) is a few KB: more is a mistake or an attack, whatever the cap.
MAX_JSON_BYTES = 1_000_000
# A form part's own headers (name, file name, type) on top of the file's bytes.
PART_HEADERS_BYTES = 16_384
_BOUNDARY = re.compile(r'^multipart/form-data;.*\bboundary="?([^";]+)"?', re.I)
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
        form = _BOUNDARY.match(headers.get("content-type", ""))
        cap = recueil.max_request_bytes if form else min(MAX_JSON_BYTES, recueil.max_request_bytes)
        refusal = token_refusal(recueil.token, headers.get("authorization"))
        refusal = refusal or _declared_too_large(headers, cap)
        if refusal is not None:
            response = error_response(refusal, headers.get("accept-language"))
            response.headers["connection"] = "close"  # a client still sending is not read
            await response(scope, receive, send)
            return
        parts = (
            _PartCounter(form.group(1).encode("latin-1"), recueil.max_upload_bytes)
            if form
            else None
        )
        body = _CappedBody(receive, send, cap, parts)
        await self.app(scope, body.receive, body.send)


def _is_write(scope: Scope) -> bool:
    """A write to a route that takes it: a POST to /v1/search is the router's 405 (the
    method is wrong), not a 401 asking for a token that would change nothing."""
    return (
        scope["type"] == "http"
        and scope["method"] in WRITE_METHODS
        and scope["path"].startswith("/v1/")
        and any(route.matches(scope)[0] == Match.FULL for route in scope["app"].routes)
    )


def _too_large(cap: int) -> ApiError:
    return ApiError(413, "limit.request", mb=cap / 1e6)


def _declared_too_large(headers: Headers, cap: int) -> ApiError | None:
    """A 413 for a declared length past the cap; no length (chunked) is counted as it comes,
    and a malformed one is the HTTP server's to refuse."""
    declared = headers.get("content-length", "")
    return _too_large(cap) if declared.isdigit() and int(declared) > cap else None


_FILE_NAME = re.compile(rb'\bfilename="([^"\r\n]{1,255})"')


class _PartCounter:
    """The size of the form part being received, from the delimiters seen in the stream, so
    that a file past its own cap is cut off as it comes, not once the whole form is read.

    A delimiter may straddle two reads: the last bytes of each read are kept for the next.
    """

    def __init__(self, boundary: bytes, file_cap: int) -> None:
        self.delimiter = b"\r\n--" + boundary
        self.file_cap = file_cap
        self.tail = b""
        self.size = 0
        # The current part's headers as they come (the body opens on the first part's),
        # read for its file name once their blank line came; None past them.
        self.heading: bytes | None = b""
        self.name: str | None = None

    def feed(self, chunk: bytes) -> ApiError | None:
        """Count a read; a 413 once the current part is past a file's cap, naming it: the
        whole upload stops there (the rest is never read), so the sender must know which
        file to leave out."""
        data = self.tail + chunk
        end = data.rfind(self.delimiter)
        if end >= 0:
            self.size = len(data) - end - len(self.delimiter)
            self.heading, self.name = data[end + len(self.delimiter) :], None
        else:
            self.size += len(chunk)
            if self.heading is not None:
                self.heading += chunk
        self._read_heading()
        self.tail = data[-(len(self.delimiter) - 1) :]
        if self.size > self.file_cap + PART_HEADERS_BYTES:
            mb = self.file_cap / 1e6
            if self.name:
                return ApiError(413, "limit.named_file", name=self.name, mb=mb)
            return ApiError(413, "limit.file", mb=mb)
        return None

    def _read_heading(self) -> None:
        """The part's file name, from its headers alone (never from a file's content),
        once they are whole."""
        heading = self.heading
        if heading is None or (b"\r\n\r\n" not in heading and len(heading) < PART_HEADERS_BYTES):
            return
        found = _FILE_NAME.search(heading.split(b"\r\n\r\n", 1)[0])
        self.name = found[1].decode("utf-8", "replace") if found else None
        self.heading = None


class _CappedBody:
    """One request's body, counted as it streams in; past the cap (or a form's file past
    its own), reading it raises a 413.

    FastAPI re-raises an HTTPException met while reading the body, so the app's handler
    answers it; the response then closes the connection, the rest is never read.
    """

    def __init__(self, receive: Receive, send: Send, cap: int, parts: _PartCounter | None) -> None:
        self._receive = receive
        self._send = send
        self.cap = cap
        self.parts = parts
        self.seen = 0
        self.refused = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            refusal = self._count(message.get("body", b""))
            if refusal is not None:
                self.refused = True
                raise refusal
        return message

    def _count(self, chunk: bytes) -> ApiError | None:
        self.seen += len(chunk)
        if self.seen > self.cap:
            return _too_large(self.cap)
        return self.parts.feed(chunk) if self.parts is not None else None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start" and self.refused:
            message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
        await self._send(message)
