"""The sync protocol shared by hub and desk: version, headers, enrolment codes, wire formats, errors."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from checkin_app.domain.messages import Message, both, msg, pair

# Bump when a request or response changes shape; desk and hub of different versions refuse
# each other (a desk must never half-understand the hub it trusts with check-ins).
PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"

H_PROTOCOL = "X-Checkin-Protocol"
H_DESK_TIME = "X-Desk-Time"
H_QUEUE = "X-Desk-Queue"
H_APP = "X-Desk-App"
H_PRINTER = "X-Desk-Printer"
H_HUB_TIME = "X-Hub-Time"

ENROL_SCHEME = "checkin-enrol"
# A desk whose clock is further off than this is flagged on the dashboard and told so.
CLOCK_WARN_S = 60
LONG_POLL_MAX_S = 30
DEFAULT_PAGE = 5000


class SyncError(Exception):
    """A sync step failed; the message is bilingual (Chinese, then English)."""


class ProtocolMismatch(SyncError):
    """Desk and hub speak different protocol versions; retrying will not help."""


class AccessRefused(SyncError):
    """The hub refused this desk (unknown, revoked, or a used enrolment token)."""


class PinMismatch(SyncError):
    """The hub's TLS certificate is not the one this desk pinned."""


def bilingual(zh: str, en: str) -> str:
    """The project's message form: Chinese line, then English line."""
    return f"{zh}\n{en}"


def mismatch_message(ours: int, theirs: int | None, *, we_are: str) -> tuple[str, str]:
    """Why a desk and hub of different versions will not talk, in both languages."""
    other: Message | str = msg("sync.version_unknown") if theirs is None else str(theirs)
    we, peer = (("sync.side.hub", "sync.side.desk") if we_are == "hub"
                else ("sync.side.desk", "sync.side.hub"))
    return pair(msg("sync.version_mismatch", we=msg(we), ours=ours, peer=msg(peer), theirs=other))


# -- time -----------------------------------------------------------------------------------
def iso(moment: datetime | None) -> str | None:
    """Wire form of a moment: ISO 8601 in UTC with microseconds (None stays None)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str | None) -> datetime | None:
    """Inverse of iso(); naive input is read as UTC."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- header text ---------------------------------------------------------------------------
# HTTP header values are ASCII; the printer state a desk reports is Chinese and English. The
# desk percent-encodes UTF-8 (plain ASCII other than '%' stays readable); the hub decodes.
_HEADER_SAFE = "".join(chr(c) for c in range(32, 127) if chr(c) != "%")


def header_text(text: str) -> str:
    """Any text as an ASCII header value (control characters are encoded too)."""
    return quote(text, safe=_HEADER_SAFE)


def read_header_text(value: str) -> str:
    """The text header_text() encoded."""
    return unquote(value, errors="replace")


# -- tokens and fingerprints -----------------------------------------------------------------
def new_token() -> str:
    """A random secret, URL- and QR-safe (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the hub stores instead of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def fingerprint_of(der: bytes) -> str:
    """SHA-256 of a DER certificate as lowercase hex."""
    return hashlib.sha256(der).hexdigest()


def normalise_fingerprint(text: str) -> str:
    """Accept AA:BB:… or aabb… forms; compare only this form."""
    return text.replace(":", "").replace(" ", "").strip().lower()


def same_fingerprint(a: str, b: str) -> bool:
    """Constant-time comparison of two fingerprints in any accepted form."""
    return hmac.compare_digest(normalise_fingerprint(a), normalise_fingerprint(b))


def pretty_fingerprint(fp: str) -> str:
    """AB:CD:… for people to compare by eye."""
    f = normalise_fingerprint(fp).upper()
    return ":".join(f[i : i + 2] for i in range(0, len(f), 2))


# -- enrolment codes -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EnrolmentCode:
    """What the QR code on the hub's enrolment page holds."""

    url: str
    token: str
    fingerprint: str  # "" for a hub on plain HTTP
    desk: str

    def encode(self) -> str:
        """checkin-enrol:v1?u=…&t=…&f=…&d=… — plain ASCII, so a keyboard-wedge scanner types it."""
        parts = [f"u={quote(self.url, safe=':/')}", f"t={self.token}"]
        if self.fingerprint:
            parts.append(f"f={normalise_fingerprint(self.fingerprint)}")
        parts.append(f"d={quote(self.desk, safe='')}")
        return f"{ENROL_SCHEME}:v{PROTOCOL_VERSION}?" + "&".join(parts)

    @classmethod
    def decode(cls, text: str) -> EnrolmentCode:
        """Parse a pasted or scanned code (surrounding whitespace and control characters ignored)."""
        raw = "".join(ch for ch in text.strip() if ch.isprintable())
        head, _, query = raw.partition("?")
        scheme, _, version = head.partition(":")
        if scheme.lower() != ENROL_SCHEME or not query:
            raise SyncError(both(msg("enrol.not_a_code")))
        if version.lower() != f"v{PROTOCOL_VERSION}":
            zh, en = mismatch_message(PROTOCOL_VERSION, _version_number(version), we_are="desk")
            raise ProtocolMismatch(bilingual(zh, en))
        fields = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        url, token = fields.get("u", ""), fields.get("t", "")
        if not url or not token or urlsplit(url).scheme not in ("http", "https"):
            raise SyncError(both(msg("enrol.incomplete")))
        fp = normalise_fingerprint(fields.get("f", ""))
        if urlsplit(url).scheme == "https" and len(fp) != 64:
            raise SyncError(both(msg("enrol.no_fingerprint")))
        return cls(url=url.rstrip("/"), token=token, fingerprint=fp, desk=fields.get("d", ""))


def _version_number(text: str) -> int | None:
    try:
        return int(text.lstrip("vV"))
    except ValueError:
        return None


# -- bodies ----------------------------------------------------------------------------------
def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (Chinese stays readable, not escaped)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def canonical(data: Any) -> str:
    """Deterministic JSON of a payload, so an unchanged row compares equal."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def gzip_bytes(data: bytes) -> bytes:
    """Gzip for request bodies (level 5: push bodies are small; speed matters more than size)."""
    return gzip.compress(data, compresslevel=5)


def b64(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
