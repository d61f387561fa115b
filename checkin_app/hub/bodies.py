"""Request bodies at the hub: read within its limits (size, time, shared budget, gzip), refused in words."""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from checkin_app.domain.messages import Message, msg, pair
from checkin_app.sync.protocol import PROTOCOL_VERSION, bilingual

# Limits on what a request may make the hub hold (README "What the hub trusts"). A desk's
# biggest push (500 each of walk-ins, serial revocations, check-ins, prints and audit entries)
# is about 3 MB of JSON; its gzip body a tenth of that.
MAX_PUSH_BYTES = 8 * 1024 * 1024  # on the wire, and again once decompressed
# JSON values a push may hold (counted as '{', '[' and ',' before parsing): bounds the Python
# objects one push becomes (the biggest real push has about 50,000).
MAX_PUSH_NODES = 200_000
# A gzip body decompresses to at most this many times its size (real pushes: 5-15 times).
MAX_GZIP_RATIO = 64
MAX_SMALL_BODY = 64 * 1024  # enrolment
BODY_TIMEOUT_S = 30.0  # a body that takes longer to arrive is answered 408
# Bodies (as sent) that all requests together may hold before one is read in full; a request
# over budget waits for room (at most BODY_TIMEOUT_S, then 503 "busy, try again").
BODY_BUDGET = 32 * 1024 * 1024


def error_response(status: int, zh: str, en: str, code: str) -> JSONResponse:
    """A refusal as every hub answer words it: a code, Chinese and English, the protocol version."""
    return JSONResponse({"error": code, "message_zh": zh, "message_en": en,
                         "message": bilingual(zh, en), "protocol": PROTOCOL_VERSION},
                        status_code=status)


def refusal(status: int, message: Message, code: str) -> JSONResponse:
    """error_response with the words of a catalogue message."""
    return error_response(status, *pair(message), code)


class BadPush(Exception):
    """A push refused before storing (malformed, too large): carries the answer to send."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def malformed(what: Message | None = None) -> BadPush:
    """400 with what is wrong with the body."""
    return BadPush(refusal(400, what or msg("hub.body.malformed"), "malformed"))


def too_large(limit: int) -> BadPush:
    """413 with the limit."""
    mib = limit / (1024 * 1024)
    return BadPush(refusal(413, msg("hub.body.too_large", mib=f"{mib:g}"), "too_large"))


class BodyBudget:
    """Bytes of request bodies the hub holds at once, shared by all requests (asyncio)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._cond: asyncio.Condition | None = None

    @contextlib.asynccontextmanager
    async def hold(self, n: int, timeout: float) -> AsyncIterator[None]:
        """Reserve n bytes (at most the limit) for the duration; 503 when no room comes in time."""
        n = min(n, self.limit)
        if self._cond is None:
            self._cond = asyncio.Condition()
        cond = self._cond
        try:
            async with asyncio.timeout(timeout), cond:
                await cond.wait_for(lambda: self.used + n <= self.limit)
                self.used += n
        except TimeoutError:
            raise BadPush(refusal(503, msg("hub.busy"), "busy")) from None
        try:
            yield
        finally:
            async with cond:
                self.used -= n
                cond.notify_all()


async def read_body(request: Request, limit: int, budget: BodyBudget | None = None) -> bytes:
    """The request body, refused with 413 past `limit` (before reading, when its length says so)
    and with 408 when it takes longer than BODY_TIMEOUT_S to arrive."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise malformed(msg("hub.body.bad_length")) from None
        if size > limit:
            raise too_large(limit)
    buf = bytearray()
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            async for chunk in request.stream():
                buf += chunk
                if len(buf) > limit:
                    raise too_large(limit)
    except TimeoutError:
        raise BadPush(refusal(408, msg("hub.body.timeout"), "timeout")) from None
    return bytes(buf)


def inflate(raw: bytes, limit: int) -> bytes:
    """A gzip body decompressed, never to more than `limit` bytes (413) nor from a broken stream (400)."""
    d = zlib.decompressobj(31)
    try:
        out = d.decompress(raw, limit + 1)
    except zlib.error:
        raise malformed(msg("hub.body.bad_gzip")) from None
    if len(out) > limit:
        raise too_large(limit)
    if not d.eof:
        raise malformed(msg("hub.body.gzip_truncated"))
    return out


def parse_items(body: bytes) -> list[Any]:
    """The `items` of a push body, or 400/413 with the reason (never an exception of the parser)."""
    if body.count(b"{") + body.count(b"[") + body.count(b",") > MAX_PUSH_NODES:
        raise BadPush(refusal(413, msg("hub.body.too_many_values", limit=MAX_PUSH_NODES), "too_large"))
    try:
        doc = json.loads(body or b"{}")
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise malformed(msg("hub.body.bad_json")) from None
    items = doc.get("items", []) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise malformed(msg("hub.body.not_items"))
    return items
