"""Running the hub: database, certificate, settings, then uvicorn on HTTPS (HTTP only when asked)."""

from __future__ import annotations

import logging
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from platformdirs import user_data_dir

from checkin_app.hub.app import HubState, create_app
from checkin_app.hub.db import HubDatabase
from checkin_app.hub.store import HubStore
from checkin_app.hub.tls import HubCertificate, ensure_certificate
from checkin_app.paths import APP_NAME
from checkin_app.sync.protocol import new_token

DEFAULT_PORT = 8443


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
    if not key:
        key = new_token()[:24]
        store.set_setting("hub.dashboard_key", key)
    state = HubState(store=store, hub_id=store.hub_id(), dashboard_key=key, public_url=url,
                     fingerprint=cert.fingerprint if cert else "")
    return HubSetup(db, store, state, cert)


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
        timeout_keep_alive=60, backlog=512, timeout_graceful_shutdown=3,
    )
    server = uvicorn.Server(config)
    try:
        server.run()
    finally:
        setup.db.close()
