"""The hub's HTTP API (FastAPI): hello, enrol, long-poll pull, idempotent push, and the dashboard routes."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import json
import logging
import random
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from checkin_app import __version__
from checkin_app.domain.messages import msg, pair
from checkin_app.hub.bodies import (
    BODY_BUDGET,
    BODY_TIMEOUT_S,
    MAX_GZIP_RATIO,
    MAX_PUSH_BYTES,
    MAX_SMALL_BODY,
    BadPush,
    BodyBudget,
    error_response,
    inflate,
    malformed,
    parse_items,
    read_body,
    refusal,
)
from checkin_app.hub.desks import DeskIdentity, DeskReport
from checkin_app.hub.feed import change_line
from checkin_app.hub.pushes import Prepared, PushWriter
from checkin_app.hub.state import HubState
from checkin_app.sync.protocol import (
    API_PREFIX,
    CLOCK_WARN_S,
    DEFAULT_PAGE,
    H_APP,
    H_DESK_TIME,
    H_HUB_TIME,
    H_PRINTER,
    H_PROTOCOL,
    H_QUEUE,
    LONG_POLL_MAX_S,
    PROTOCOL_VERSION,
    AccessRefused,
    iso,
    mismatch_message,
    parse_iso,
    read_header_text,
)

log = logging.getLogger("checkin_app.hub")
# How often the hub looks for changes written by another process (a second hub on the same
# PostgreSQL, or `hub load` / `hub bundle import` run beside a running hub).
POLL_INTERVAL_S = 1.0
# Raw NDJSON bytes gathered before one gzip flush of the pull stream.
STREAM_CHUNK = 64 * 1024
# What desks report about themselves is clamped into what the database stores on every backend.
MAX_QUEUE = 10_000_000
MAX_CURSOR = 2**62
# A woken long-poll answers after GATHER_S (a burst of pushes lands in one answer) plus a random
# share of a spread that grows with the number of desks woken together, about what serving one
# desk costs each, up to SPREAD_MAX_S: 50 desks woken by one check-in then come back spread out
# instead of in the same millisecond, which was what a push arriving just then waited behind.
GATHER_S = 0.1
SPREAD_PER_DESK_S = 0.01
SPREAD_MAX_S = 0.5
# Answers up to this many changes come from memory in one piece; bigger ones stream from the database.
MEMORY_REPLY_MAX = 5_000


def _clean(text: str, limit: int) -> str:
    """Header text as every database stores it: no control characters, bounded."""
    return "".join(c if c.isprintable() else " " for c in text[:limit])


def _report(request: Request) -> DeskReport:
    """The health a desk reports in its headers, validated and clamped (a bad value is dropped)."""
    h = request.headers
    raw_queue = h.get(H_QUEUE, "0") or "0"
    try:
        queue = max(0, min(MAX_QUEUE, int(raw_queue[:30])))
    except ValueError:
        queue = 0
    try:
        desk_time = parse_iso(h.get(H_DESK_TIME, "")[:64])
    except (ValueError, OverflowError):
        desk_time = None
    return DeskReport(desk_time=desk_time, queue_length=queue, app_version=_clean(h.get(H_APP, ""), 40),
                      printer_state=_clean(read_header_text(h.get(H_PRINTER, "")[:1000]), 200),
                      protocol=PROTOCOL_VERSION,
                      address=request.client.host if request.client else "")


def _end_line(last: int, n: int, more: bool) -> bytes:
    return json.dumps({"end": True, "next": last, "count": n, "more": more}).encode() + b"\n"


def _gzip(data: bytes) -> bytes:
    # Level 1: change lines compress about as well at 1 as at 6, at a fraction of the CPU.
    return gzip.compress(data, compresslevel=1, mtime=0)


def _clock_warnings(offset_ms: int | None) -> list[dict[str, str]]:
    if offset_ms is None or abs(offset_ms) <= CLOCK_WARN_S * 1000:
        return []
    secs = round(offset_ms / 1000)
    ahead = msg("hub.clock.ahead" if secs > 0 else "hub.clock.behind")
    zh, en = pair(msg("hub.clock.off", ahead=ahead, secs=abs(secs)))
    return [{"code": "clock", "message_zh": zh, "message_en": en}]


class ProtocolGuard:
    """ASGI middleware: refuse /api/ calls of another protocol version; stamp protocol and hub time.

    A plain ASGI class rather than @app.middleware("http"): that wrapper streams every response
    through an extra task and memory channel, a cost every long-poll answer paid.
    """

    def __init__(self, app: ASGIApp, clock_now: Callable[[], str]) -> None:
        self.app = app
        self.clock_now = clock_now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers[H_PROTOCOL] = str(PROTOCOL_VERSION)
                headers[H_HUB_TIME] = self.clock_now()
            await send(message)

        if scope["path"].startswith("/api/"):
            raw = Headers(scope=scope).get(H_PROTOCOL)
            theirs: int | None
            try:
                theirs = int(raw) if raw is not None else None
            except ValueError:
                theirs = None
            if theirs != PROTOCOL_VERSION:
                zh, en = mismatch_message(PROTOCOL_VERSION, theirs, we_are="hub")
                await error_response(409, zh, en, "protocol")(scope, receive, stamped)
                return
        await self.app(scope, receive, stamped)


def create_app(state: HubState) -> FastAPI:
    """The ASGI application for one hub."""
    store = state.store

    feed = state.feed
    # Pushes have a writer thread of their own: a push never queues behind pulls or dashboard
    # reads for a place in the shared worker pool.
    writer = PushWriter(store)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await feed.start()
        # Everything loaded so far (SQLAlchemy, FastAPI, the models) lives as long as the hub:
        # keep it out of the garbage collector's full passes, which otherwise walk it all and
        # pause a push for tens of milliseconds.
        gc.collect()
        gc.freeze()
        poller = asyncio.create_task(_poll())
        try:
            yield
        finally:
            poller.cancel()
            await anyio.to_thread.run_sync(writer.close)
            await anyio.to_thread.run_sync(store.flush_health)

    async def _poll() -> None:
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            try:
                await feed.refresh()
                await anyio.to_thread.run_sync(store.flush_health)
            except Exception:  # a database hiccup: the next round tries again
                log.exception("polling the change log failed")

    app = FastAPI(title="Check-in hub", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.hub = state

    app.add_middleware(ProtocolGuard, clock_now=lambda: iso(store.clock.now()) or "")

    def _auth(request: Request) -> DeskIdentity:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        return store.authenticate(token)

    @app.exception_handler(AccessRefused)
    async def refused(_request: Request, exc: AccessRefused) -> JSONResponse:
        zh, _, en = str(exc).partition("\n")
        return error_response(403, zh, en, "refused")

    @app.exception_handler(DBAPIError)
    async def database_failed(request: Request, exc: DBAPIError) -> JSONResponse:
        # A full disk, a database another program holds locked, a PostgreSQL restart: the desk
        # keeps what it sent and retries; it should say why in words, not "error 500".
        why = (str(exc.orig) or type(exc.orig).__name__).splitlines()[0][:200]
        if isinstance(exc, IntegrityError | DataError):
            # What a client sent that the database will never take: its mistake, not "retry".
            log.warning("refused on %s: %s", request.url.path, why)
            return refusal(422, msg("hub.db.unstorable", why=why), "unstorable")
        log.error("database error on %s: %s", request.url.path, why)
        return refusal(503, msg("hub.db.failed", why=why), "database")

    @app.get(API_PREFIX + "/hello")
    async def hello() -> dict[str, Any]:
        return {"protocol": PROTOCOL_VERSION, "hub": state.hub_id, "version": __version__,
                "hub_time": iso(store.clock.now())}

    @app.exception_handler(BadPush)
    async def bad_request(_request: Request, exc: BadPush) -> JSONResponse:
        return exc.response

    @app.post(API_PREFIX + "/enrol")
    async def enrol(request: Request) -> JSONResponse:
        try:
            body = json.loads(await read_body(request, MAX_SMALL_BODY) or b"{}")
        except (ValueError, RecursionError):
            raise malformed() from None
        token, public_key = (body.get("token"), body.get("public_key", "")) if isinstance(body, dict) \
            else (None, None)
        if not isinstance(token, str) or not isinstance(public_key, str) or len(token) > 200 \
                or len(public_key) > 200:
            raise malformed(msg("hub.enrol.token_needed"))
        if public_key:
            try:
                if len(bytes.fromhex(public_key)) != 32:
                    raise ValueError(public_key)
            except ValueError:
                raise malformed(msg("hub.enrol.bad_public_key")) from None
        name, api_token, cert = await anyio.to_thread.run_sync(
            lambda: store.enrol(token, public_key=public_key))
        log.info("desk %s enrolled from %s", name, request.client.host if request.client else "?")
        return JSONResponse({"desk": name, "token": api_token, "hub": state.hub_id,
                             "certificate": cert, "hub_time": iso(store.clock.now())})

    @app.get(API_PREFIX + "/changes")
    async def changes(request: Request, since: int = 0, limit: int = DEFAULT_PAGE,
                      wait: float = 0) -> Response:
        rep = _report(request)
        since = max(0, min(since, MAX_CURSOR))

        def arrive() -> int | None:
            return store.report(_auth(request), rep, cursor=since)

        offset = await anyio.to_thread.run_sync(arrive)
        wait = max(0.0, min(float(wait), LONG_POLL_MAX_S))
        if wait > 0 and not feed.closing:
            had_news = feed.high > since
            woken_with = feed.waiting
            if await feed.wait_beyond(since, wait) and not had_news:
                spread = min(SPREAD_MAX_S, SPREAD_PER_DESK_S * woken_with)
                await asyncio.sleep(GATHER_S + spread * random.random())
            if await request.is_disconnected():
                return Response(status_code=204)
        header = {"protocol": PROTOCOL_VERSION, "hub": state.hub_id, "since": since,
                  "hub_time": iso(store.clock.now()), "clock_offset_ms": offset,
                  "warnings": _clock_warnings(offset)}
        page = None if limit <= 0 else min(limit, 100_000)
        tail = feed.slice(since, page)
        ndjson = {"Content-Encoding": "gzip", "Cache-Control": "no-store"}
        if tail is not None and len(tail[0]) <= MEMORY_REPLY_MAX:
            lines, last, more = tail
            body = b"".join([json.dumps(header, ensure_ascii=False).encode() + b"\n", *lines,
                             _end_line(last, len(lines), more)])
            if len(body) > STREAM_CHUNK:
                body = await anyio.to_thread.run_sync(_gzip, body)
            else:
                body = _gzip(body)
            return Response(body, media_type="application/x-ndjson", headers=ndjson)
        return StreamingResponse(_stream(header, since, page), media_type="application/x-ndjson",
                                 headers=ndjson)

    def _stream(header: dict[str, Any], since: int, limit: int | None) -> Iterator[bytes]:
        # Runs in a worker thread (Starlette iterates sync generators in its thread pool).
        gz = zlib.compressobj(1, zlib.DEFLATED, 31)
        buf = [json.dumps(header, ensure_ascii=False).encode() + b"\n"]
        size = len(buf[0])
        last, n = since, 0
        with store.db.read() as session:
            for seq, table, key, payload in store.changes(session, since, limit):
                b = change_line(seq, table, key, payload)
                buf.append(b)
                size += len(b)
                last, n = seq, n + 1
                if size >= STREAM_CHUNK:
                    yield gz.compress(b"".join(buf))
                    buf, size = [], 0
        buf.append(_end_line(last, n, limit is not None and n >= limit))
        yield gz.compress(b"".join(buf)) + gz.flush()

    budget = BodyBudget(BODY_BUDGET)

    @app.post(API_PREFIX + "/push")
    async def push_route(request: Request) -> JSONResponse:
        started = time.perf_counter()
        # Who is asking, before a byte of the body is read: a stranger is refused at no cost.
        await anyio.to_thread.run_sync(_auth, request)
        rep = _report(request)
        gzipped = request.headers.get("content-encoding", "").lower() == "gzip"
        declared = request.headers.get("content-length", "")
        expect = int(declared) if declared.isdigit() and len(declared) < 12 else MAX_PUSH_BYTES

        picked: list[float] = []
        async with budget.hold(expect, BODY_TIMEOUT_S):
            raw = await read_body(request, MAX_PUSH_BYTES)
            # What the body may become: the writer's batches are bounded by it.
            weight = min(MAX_PUSH_BYTES, max(64 << 10, MAX_GZIP_RATIO * len(raw))) if gzipped else len(raw)

            def prepare() -> Prepared:
                # Runs on the push writer's thread, just before this push is stored.
                picked.append(time.perf_counter())
                body = inflate(raw, weight) if gzipped else raw
                items = parse_items(body)
                desk = _auth(request)  # again: the desk may have been revoked meanwhile
                picked.append(time.perf_counter())
                return desk, items

            job = writer.submit(prepare, weight)
            try:
                desk, result = await asyncio.wrap_future(job.future)
            except BadPush as bad:
                return bad.response
        resumed = time.perf_counter()
        offset = store.report(desk, rep, pushed=True)  # memory only: no database on the loop
        if result.stored:
            # Other desks learn of it from the feed; this desk's answer does not wait for that.
            refreshing.add(asyncio.create_task(feed.refresh()))
            refreshing.difference_update([t for t in refreshing if t.done()])
        ms = (time.perf_counter() - started) * 1000
        log.debug("push from %s: %d stored, %d duplicates in %.1f ms", rep.address,
                  len(result.stored), len(result.duplicates), ms)
        # Where the time went (waiting for a push thread, storing), for load diagnosis.
        began, ended = job.stored
        timing = (f"push;dur={ms:.2f}, wait;dur={(picked[0] - started) * 1000:.2f}, "
                  f"queue;dur={(began - picked[-1]) * 1000:.2f}, store;dur={(ended - began) * 1000:.2f}, "
                  f"resume;dur={(resumed - ended) * 1000:.2f}")
        return JSONResponse({**result.as_dict(), "hub_time": iso(store.clock.now()),
                             "clock_offset_ms": offset, "warnings": _clock_warnings(offset)},
                            headers={"Server-Timing": timing})

    refreshing: set[asyncio.Task[None]] = set()

    from checkin_app.hub.dashboard import add_dashboard_routes

    add_dashboard_routes(app, state)
    from checkin_app.hub.dashboard_activities import add_activity_routes

    add_activity_routes(app, state)
    return app
