"""Running the hub: database, certificate, settings, then uvicorn on HTTPS (HTTP only when asked)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import h11
import uvicorn
from platformdirs import user_data_dir
from uvicorn.protocols.http.h11_impl import H11Protocol

from checkin_app.hub.app import create_app
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.state import HubState
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import HubCertificate, ensure_certificate
from checkin_app.paths import APP_NAME
from checkin_app.sync.protocol import new_token

DEFAULT_PORT = 8443
# Slow or idle clients (README "What the hub trusts"): a request's head must arrive within
# HEADER_TIMEOUT_S of its first byte (or of the connection), a body within app.BODY_TIMEOUT_S;
# an idle kept-alive connection is closed after KEEP_ALIVE_S (a desk's long-poll comes back
# well within it). At most MAX_CONNECTIONS connections or requests at once (100 desks hold
# about two each); beyond it new requests get 503. A request head is at most 16 KiB.
HEADER_TIMEOUT_S = float(os.environ.get("CHECKIN_HUB_HEADER_TIMEOUT_S", "") or 10.0)  # tests shorten it
KEEP_ALIVE_S = 40
MAX_CONNECTIONS = 1000
MAX_HEAD_BYTES = 16 * 1024
# A stopping hub answers every long-poll at once and gives requests this long to finish.
GRACEFUL_S = 1


class TimedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for the request head (uvicorn has none).

    A client that connects and sends nothing, or trickles a request head a byte at a time,
    is disconnected after HEADER_TIMEOUT_S instead of holding a connection for ever.
    """

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and data:
            if self._head_timer is None:
                self._arm_head_timer()  # part of a head: it has HEADER_TIMEOUT_S to complete
        else:
            self._disarm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        self._disarm_head_timer()
        self._head_timer = self.loop.call_later(HEADER_TIMEOUT_S, self._head_timeout)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete):
            self.transport.close()


class HubServer(uvicorn.Server):
    """uvicorn's server, stopping within about a second and quietly on Ctrl+C or SIGTERM.

    On the signal every waiting long-poll is answered at once (otherwise each held its
    connection open for up to 30 s, and uvicorn cancelled them with tracebacks), and the
    signal is not raised again after the orderly shutdown (which ended the process by the
    signal, or with a KeyboardInterrupt traceback).
    """

    def __init__(self, config: uvicorn.Config, state: HubState) -> None:
        super().__init__(config)
        self.hub_state = state

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()
        self.hub_state.feed.close()


def default_hub_db() -> Path:
    """The hub's SQLite file when --db is not given."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "hub.sqlite3"


def tls_dir_for(db_url: str) -> Path:
    """Certificate folder: beside a SQLite file, else in the per-user data folder."""
    if "://" not in db_url or db_url.startswith("sqlite"):
        path = Path(db_url.removeprefix("sqlite:///"))
        return path.parent / (path.stem + "-tls")
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "hub-tls"


def lan_address() -> str:
    """This machine's address as its own name resolves (no packet is sent); 127.0.0.1 as last resort."""
    try:
        addr = socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
    return addr


@dataclass(frozen=True, slots=True)
class HubSetup:
    """Everything needed to serve, and to print enrolment codes for, one hub."""

    db: HubDatabase
    store: HubStore
    state: HubState
    cert: HubCertificate | None
    # True when this start made the dashboard key (it is printed then, and on request only).
    new_dashboard_key: bool = False


def prepare(db_url: str, *, host: str = "0.0.0.0", port: int = DEFAULT_PORT, insecure_http: bool = False,
            public_url: str | None = None, tls_dir: Path | None = None) -> HubSetup:
    """Open (and migrate) the database, make or load the certificate, settle URL and dashboard key."""
    db = HubDatabase(db_url)
    store = HubStore(db)
    cert = None if insecure_http else ensure_certificate(tls_dir or tls_dir_for(db_url))
    scheme = "http" if insecure_http else "https"
    shown_host = host if host not in ("0.0.0.0", "::", "") else lan_address()
    url = (public_url or f"{scheme}://{shown_host}:{port}").rstrip("/")
    store.set_setting("hub.url", url)
    store.set_setting("hub.fingerprint", cert.fingerprint if cert else "")
    key = store.setting("hub.dashboard_key") or ""
    made = not key
    if made:
        key = new_token()[:24]
        store.set_setting("hub.dashboard_key", key)
    state = HubState(store=store, hub_id=store.hub_id(), dashboard_key=key, public_url=url,
                     fingerprint=cert.fingerprint if cert else "")
    return HubSetup(db, store, state, cert, made)


def serve(setup: HubSetup, *, host: str, port: int, log_level: str = "warning") -> None:
    """Run uvicorn until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # A push thread waiting for the GIL behind the event loop and pull threads would wait up to
    # 5 ms per hand-over at the default interval; 1 ms keeps a push's latency close to its work.
    sys.setswitchinterval(0.001)
    app = create_app(setup.state)
    config = uvicorn.Config(
        app, host=host, port=port, log_level=log_level, access_log=False,
        ssl_certfile=str(setup.cert.cert_path) if setup.cert else None,
        ssl_keyfile=str(setup.cert.key_path) if setup.cert else None,
        timeout_keep_alive=KEEP_ALIVE_S, backlog=512, timeout_graceful_shutdown=GRACEFUL_S,
        limit_concurrency=MAX_CONNECTIONS, h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        http=TimedH11Protocol,
    )
    server = HubServer(config, setup.state)
    try:
        server.run()
    finally:
        setup.db.close()
