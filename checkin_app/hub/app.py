"""The hub's HTTP API (FastAPI): hello, enrol, long-poll pull, idempotent push, and the dashboard routes."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from checkin_app import __version__
from checkin_app.hub.store import DeskIdentity, DeskReport, HubStore
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
    bilingual,
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
MAX_PUSH_BYTES = 64 * 1024 * 1024
GATHER_S = 0.1


class ChangeNotifier:
    """Wakes long-polling pulls when the change log grows (in this process, or seen by polling)."""

    def __init__(self) -> None:
        self.high = 0
        self._cond: asyncio.Condition | None = None

    def bind(self, high: int) -> None:
        """Start on the server's event loop with the current high-water mark."""
        self._cond = asyncio.Condition()
        self.high = high

    async def bump(self, high: int) -> None:
        """Announce a new high-water mark from the event loop."""
        assert self._cond is not None
        async with self._cond:
            if high > self.high:
                self.high = high
                self._cond.notify_all()

    async def wait_beyond(self, since: int, timeout: float) -> bool:
        """Wait until something newer than `since` exists, or the timeout passes."""
        if self.high > since or self._cond is None:
            return self.high > since
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout), self._cond:
                await self._cond.wait_for(lambda: self.high > since)
        return self.high > since


@dataclass
class HubState:
    """What the routes share: the store, the notifier and hub-level settings."""

    store: HubStore
    notifier: ChangeNotifier = field(default_factory=ChangeNotifier)
    hub_id: str = ""
    dashboard_key: str = ""
    public_url: str = ""
    fingerprint: str = ""


def _error(status: int, zh: str, en: str, code: str) -> JSONResponse:
    return JSONResponse({"error": code, "message_zh": zh, "message_en": en,
                         "message": bilingual(zh, en), "protocol": PROTOCOL_VERSION},
                        status_code=status)


def _report(request: Request) -> DeskReport:
    h = request.headers
    try:
        queue = int(h.get(H_QUEUE, "0") or 0)
    except ValueError:
        queue = 0
    try:
        desk_time = parse_iso(h.get(H_DESK_TIME))
    except ValueError:
        desk_time = None
    return DeskReport(desk_time=desk_time, queue_length=queue, app_version=h.get(H_APP, ""),
                      printer_state=read_header_text(h.get(H_PRINTER, "")), protocol=PROTOCOL_VERSION,
                      address=request.client.host if request.client else "")


def _clock_warnings(offset_ms: int | None) -> list[dict[str, str]]:
    if offset_ms is None or abs(offset_ms) <= CLOCK_WARN_S * 1000:
        return []
    secs = round(offset_ms / 1000)
    ahead_zh = "快" if secs > 0 else "慢"
    ahead_en = "ahead of" if secs > 0 else "behind"
    return [{"code": "clock",
             "message_zh": f"本签到台的时钟比中心服务器{ahead_zh} {abs(secs)} 秒，请校准系统时间",
             "message_en": f"This desk's clock is {abs(secs)} s {ahead_en} the hub; set the system time"}]


def create_app(state: HubState) -> FastAPI:
    """The ASGI application for one hub."""
    store = state.store

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        high = await anyio.to_thread.run_sync(store.high_water)
        state.notifier.bind(high)
        poller = asyncio.create_task(_poll())
        try:
            yield
        finally:
            poller.cancel()

    async def _poll() -> None:
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            try:
                high = await anyio.to_thread.run_sync(store.high_water)
                await state.notifier.bump(high)
            except Exception:  # a database hiccup: the next round tries again
                log.exception("polling the change log failed")

    app = FastAPI(title="Check-in hub", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.hub = state

    @app.middleware("http")
    async def protocol_guard(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith("/api/"):
            raw = request.headers.get(H_PROTOCOL)
            theirs: int | None
            try:
                theirs = int(raw) if raw is not None else None
            except ValueError:
                theirs = None
            if theirs != PROTOCOL_VERSION:
                zh, en = mismatch_message(PROTOCOL_VERSION, theirs, we_are="hub")
                response: Response = _error(409, zh, en, "protocol")
            else:
                response = await call_next(request)
        else:
            response = await call_next(request)
        response.headers[H_PROTOCOL] = str(PROTOCOL_VERSION)
        response.headers[H_HUB_TIME] = iso(store.clock.now()) or ""
        return response

    def _auth(request: Request) -> DeskIdentity:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        return store.authenticate(token)

    @app.exception_handler(AccessRefused)
    async def refused(_request: Request, exc: AccessRefused) -> JSONResponse:
        zh, _, en = str(exc).partition("\n")
        return _error(403, zh, en, "refused")

    @app.get(API_PREFIX + "/hello")
    async def hello() -> dict[str, Any]:
        return {"protocol": PROTOCOL_VERSION, "hub": state.hub_id, "version": __version__,
                "hub_time": iso(store.clock.now())}

    @app.post(API_PREFIX + "/enrol")
    async def enrol(request: Request) -> JSONResponse:
        body = json.loads(await request.body() or b"{}")
        token = str(body.get("token", ""))
        name, api_token, cert = await anyio.to_thread.run_sync(
            lambda: store.enrol(token, public_key=str(body.get("public_key", ""))))
        log.info("desk %s enrolled from %s", name, request.client.host if request.client else "?")
        return JSONResponse({"desk": name, "token": api_token, "hub": state.hub_id,
                             "certificate": cert, "hub_time": iso(store.clock.now())})

    @app.get(API_PREFIX + "/changes")
    async def changes(request: Request, since: int = 0, limit: int = DEFAULT_PAGE,
                      wait: float = 0) -> Response:
        desk = await anyio.to_thread.run_sync(_auth, request)
        rep = _report(request)
        offset = await anyio.to_thread.run_sync(lambda: store.report(desk, rep, cursor=since))
        wait = max(0.0, min(float(wait), LONG_POLL_MAX_S))
        if wait > 0:
            had_news = state.notifier.high > since
            if await state.notifier.wait_beyond(since, wait) and not had_news:
                # Woken by a push: give a burst a moment to land, so one answer carries it.
                await asyncio.sleep(GATHER_S)
            if await request.is_disconnected():
                return Response(status_code=204)
        header = {"protocol": PROTOCOL_VERSION, "hub": state.hub_id, "since": since,
                  "hub_time": iso(store.clock.now()), "clock_offset_ms": offset,
                  "warnings": _clock_warnings(offset)}
        page = None if limit <= 0 else min(limit, 100_000)
        return StreamingResponse(_stream(header, since, page), media_type="application/x-ndjson",
                                 headers={"Content-Encoding": "gzip", "Cache-Control": "no-store"})

    def _stream(header: dict[str, Any], since: int, limit: int | None) -> Iterator[bytes]:
        # Runs in a worker thread (Starlette iterates sync generators in its thread pool).
        gz = zlib.compressobj(1, zlib.DEFLATED, 31)
        buf = [json.dumps(header, ensure_ascii=False).encode() + b"\n"]
        size = len(buf[0])
        last, n = since, 0
        with store.db.read() as session:
            for seq, table, key, payload in store.changes(session, since, limit):
                k = json.dumps(key, ensure_ascii=False)
                # The payload is stored as JSON text already: splice it in, do not parse it again.
                line = f'{{"s":{seq},"t":"{table}","k":{k},"p":{payload}}}\n'
                b = line.encode()
                buf.append(b)
                size += len(b)
                last, n = seq, n + 1
                if size >= STREAM_CHUNK:
                    yield gz.compress(b"".join(buf))
                    buf, size = [], 0
        more = limit is not None and n >= limit
        buf.append(json.dumps({"end": True, "next": last, "count": n, "more": more}).encode() + b"\n")
        yield gz.compress(b"".join(buf)) + gz.flush()

    @app.post(API_PREFIX + "/push")
    async def push_route(request: Request) -> JSONResponse:
        raw = await request.body()
        if request.headers.get("content-encoding", "").lower() == "gzip":
            raw = await anyio.to_thread.run_sync(lambda: gzip.decompress(raw))
        if len(raw) > MAX_PUSH_BYTES:
            return _error(413, "推送数据过大", "Push body too large", "too_large")
        try:
            body = json.loads(raw or b"{}")
            items = list(body.get("items", []))
        except (ValueError, TypeError, AttributeError):
            return _error(400, "推送数据格式错误", "Malformed push body", "malformed")
        desk = await anyio.to_thread.run_sync(_auth, request)
        rep = _report(request)
        started = time.perf_counter()
        result = await anyio.to_thread.run_sync(lambda: store.ingest(desk.name, items))
        if result.stored:
            await state.notifier.bump(result.high)  # wake the other desks' long-polls first
        offset = await anyio.to_thread.run_sync(lambda: store.report(desk, rep, pushed=True))
        log.debug("push from %s: %d stored, %d duplicates in %.1f ms", desk.name,
                  len(result.stored), len(result.duplicates), (time.perf_counter() - started) * 1000)
        return JSONResponse({**result.as_dict(), "hub_time": iso(store.clock.now()),
                             "clock_offset_ms": offset, "warnings": _clock_warnings(offset)})

    from checkin_app.hub.dashboard import add_dashboard_routes

    add_dashboard_routes(app, state)
    return app
