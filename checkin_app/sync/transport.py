"""HTTP to the hub with the hub's self-signed certificate pinned by its SHA-256 fingerprint."""

from __future__ import annotations

import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import httpx

from checkin_app import __version__
from checkin_app.domain.messages import both, msg
from checkin_app.sync.protocol import (
    H_APP,
    H_PROTOCOL,
    PROTOCOL_VERSION,
    AccessRefused,
    PinMismatch,
    ProtocolMismatch,
    SyncError,
    bilingual,
    fingerprint_of,
    mismatch_message,
    pretty_fingerprint,
    same_fingerprint,
)

CONNECT_TIMEOUT_S = 5.0


def fetch_certificate(url: str, timeout: float = CONNECT_TIMEOUT_S) -> bytes:
    """The DER certificate the server at `url` presents (not verified: the caller compares its pin)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 443
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # only to read the certificate; trust comes from the pin
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock, \
                ctx.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except OSError as exc:
        raise SyncError(both(msg("sync.cannot_reach_at", host=host, port=port, detail=str(exc)))) from exc
    if not der:
        raise PinMismatch(both(msg("sync.no_certificate")))
    return der


def check_pin(der: bytes, pinned: str) -> None:
    """Refuse a certificate whose SHA-256 is not the pinned one."""
    actual = fingerprint_of(der)
    if not same_fingerprint(actual, pinned):
        raise PinMismatch(both(msg("sync.fingerprint_mismatch", expected=pretty_fingerprint(pinned),
                                   actual=pretty_fingerprint(actual))))


def pinned_context(cert_pem: str) -> ssl.SSLContext:
    """Trust exactly the hub's own certificate (by content), not any CA and not the host name."""
    ctx = ssl.create_default_context(cadata=cert_pem)
    # Desks reach the hub by whatever LAN address it has today; the pin, not the name, is the trust.
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def make_client(base_url: str, *, fingerprint: str, cert_pem: str, token: str = "",
                read_timeout: float = 60.0) -> httpx.Client:
    """An httpx client for the hub: pinned TLS (plain HTTP only for a hub enrolled so), protocol headers."""
    headers = {H_PROTOCOL: str(PROTOCOL_VERSION), H_APP: f"checkin-desk {__version__}",
               "Accept-Encoding": "gzip"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    verify: Any = False
    hooks: dict[str, list[Any]] = {"response": [_protocol_hook]}
    if urlsplit(base_url).scheme == "https":
        verify = pinned_context(cert_pem)

        def pin_hook(response: httpx.Response) -> None:
            # Belt and braces over the CA pin: compare the presented certificate's digest.
            stream = response.extensions.get("network_stream")
            ssl_obj = stream.get_extra_info("ssl_object") if stream is not None else None
            der = ssl_obj.getpeercert(True) if ssl_obj is not None else None
            if der is not None:
                check_pin(der, fingerprint)

        hooks["response"].insert(0, pin_hook)
    return httpx.Client(
        base_url=base_url, headers=headers, verify=verify, event_hooks=hooks,
        timeout=httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=read_timeout, write=30.0, pool=10.0),
        limits=httpx.Limits(max_connections=4, max_keepalive_connections=2),
    )


def _protocol_hook(response: httpx.Response) -> None:
    theirs_raw = response.headers.get(H_PROTOCOL)
    try:
        theirs = int(theirs_raw) if theirs_raw is not None else None
    except ValueError:
        theirs = None
    if theirs != PROTOCOL_VERSION:
        zh, en = mismatch_message(PROTOCOL_VERSION, theirs, we_are="desk")
        raise ProtocolMismatch(bilingual(zh, en))


def raise_for_hub(response: httpx.Response) -> None:
    """Turn the hub's error answers into the desk's bilingual exceptions."""
    if response.status_code < 400:
        return
    try:
        if not response.is_stream_consumed:
            response.read()
        body = response.json()
        message = bilingual(str(body.get("message_zh", "")), str(body.get("message_en", "")))
        code = body.get("error")
    except Exception:
        message = both(msg("sync.hub_error", status=response.status_code))
        code = None
    if code == "protocol":
        raise ProtocolMismatch(message)
    if response.status_code in (401, 403):
        raise AccessRefused(message)
    raise SyncError(message)
