"""Signed badge tokens (DESIGN §5): compact Ed25519-signed claims behind a short base32 prefix.

Wire format, version 1 (all integers big-endian unless marked LEB128)::

    "CK-" + base32(payload || signature)        RFC 4648 alphabet, no padding, canonical

    payload  offset  size  field
             0       1     version (1)
             1       2     event tag: sha256("event:" + event code)[:2], tells WRONG_EVENT from FORGED
             3       2     key id of the desk key that signed (assigned when the desk is certified)
             5       1-9   delegate id (unsigned LEB128, shortest form only)
             .       1-9   badge serial (unsigned LEB128, shortest form only)
             .       2     category tag: sha256("category:" + category code)[:2]
             .       2     first valid day, days since 2020-01-01 (UTC)
             .       1     number of valid days
    signature        64    Ed25519 by the desk key over b"checkin-badge/v1\\0" + payload

Why it is not shorter: the signature alone is 64 bytes, i.e. 103 base32 characters, so the
issue's 110-character aim would leave 4 characters (2.5 bytes) for every claim. The claims
take 14 bytes for up to 2,097,151 registered delegates (16 bytes for walk-ins, whose ids sit
above 2^32), so a badge token is 3 + ceil(78 * 8 / 5) = 128 characters (131 for a walk-in);
a 13-byte payload (ids below 16,384) gives 127. Shorter signatures would need a weaker or
non-standard scheme; an HMAC would put a forging key on every desk; both were ruled out.

Key hierarchy: an event key (kept in a PEM file off the desks) signs desk certificates; desk
keys sign tokens. A desk verifies with the event public keys and the certificates it knows.
No name or other personal data is ever in a token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from checkin_app.domain.admission import Decision
from checkin_app.domain.messages import Message, msg
from checkin_app.domain.verdicts import Verdict

PREFIX = "CK-"
VERSION = 1
SIGNATURE_BYTES = 64
TAG_BYTES = 2
EPOCH = date(2020, 1, 1)
# Walk-ins get ids in their desk key's own block, so offline desks never hand out the same id:
# id = WALKIN_BASE + key_id * WALKIN_BLOCK + n (n = 1 .. WALKIN_BLOCK - 1). Ids from the
# registration export (assigned centrally) stay below WALKIN_BASE.
WALKIN_BASE = 1 << 32
WALKIN_BLOCK = 1 << 16
MAX_KEY_ID = 0xFFFF

TOKEN_DOMAIN = b"checkin-badge/v1\x00"
CERT_DOMAIN = b"checkin-desk-cert/v1\x00"
_B32 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_MIN_PAYLOAD = 1 + 2 + 2 + 1 + 1 + 2 + 2 + 1
# A payload never needs more than this (two 9-byte varints); anything longer is not ours.
_MAX_PAYLOAD = 1 + 2 + 2 + 9 + 9 + 2 + 2 + 1
MAX_TOKEN_CHARS = len(PREFIX) + (8 * (_MAX_PAYLOAD + SIGNATURE_BYTES) + 4) // 5


def tag(kind: str, text: str) -> bytes:
    """A 2-byte tag of an event or category code (collisions only blur which red verdict)."""
    return hashlib.sha256(f"{kind}:{text}".encode()).digest()[:TAG_BYTES]


def event_tag(event_code: str) -> bytes:
    """Tag telling this event's tokens from another event's."""
    return tag("event", event_code)


def category_tag(category_code: str) -> bytes:
    """Tag standing for a category code inside a token."""
    return tag("category", category_code)


def fingerprint(public_raw: bytes) -> str:
    """Short hex name of a public key (event keys are referred to by it)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def public_raw(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def walk_in_id(key_id: int, n: int) -> int:
    """The n-th walk-in id of a desk key's block (see WALKIN_BASE)."""
    if not 0 < key_id <= MAX_KEY_ID or not 0 < n < WALKIN_BLOCK:
        raise ValueError("walk-in number outside the desk key's block")
    return WALKIN_BASE + key_id * WALKIN_BLOCK + n


def walk_in_block(key_id: int) -> tuple[int, int]:
    """First and last walk-in id a desk key may issue."""
    base = WALKIN_BASE + key_id * WALKIN_BLOCK
    return base + 1, base + WALKIN_BLOCK - 1


def is_walk_in_id(delegate_id: int) -> bool:
    """Whether an id was made by a desk for a walk-in."""
    return delegate_id >= WALKIN_BASE


def badge_number(delegate_id: int) -> str:
    """How a delegate id is shown and typed: 'W00A3-00012' for walk-ins, digits otherwise."""
    if not is_walk_in_id(delegate_id):
        return str(delegate_id)
    key_id, n = divmod(delegate_id - WALKIN_BASE, WALKIN_BLOCK)
    return f"W{key_id:04X}-{n:05d}"


# -- encoding ------------------------------------------------------------------------------
def b32encode(data: bytes) -> str:
    """RFC 4648 base32 without padding."""
    return base64.b32encode(data).decode("ascii").rstrip("=")


def b32decode(text: str) -> bytes | None:
    """Decode canonical unpadded base32 (upper case); None for anything else.

    Canonical means the unused low bits of the last character are zero: otherwise two
    different strings would carry the same bytes, and a "mutated" token would still pass.
    """
    if not text or any(ch not in _B32 for ch in text) or len(text) % 8 in (1, 3, 6):
        return None
    try:
        data = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return None
    return data if b32encode(data) == text else None


def _leb128(n: int) -> bytes:
    if n < 0:
        raise ValueError("negative")
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_leb128(data: bytes, pos: int) -> tuple[int, int] | None:
    """(value, next position), or None if truncated, too long or not the shortest form."""
    value = 0
    for i in range(9):
        if pos + i >= len(data):
            return None
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            if byte == 0 and i > 0:
                return None  # a redundant zero byte: the same number, other bytes
            return value, pos + i + 1
    return None


@dataclass(frozen=True, slots=True)
class Claims:
    """What a badge token says."""

    event_tag: bytes
    key_id: int
    delegate_id: int
    serial: int
    category_tag: bytes
    valid_from: date
    valid_days: int

    @property
    def valid_until(self) -> date:
        """First day (UTC) the token is no longer valid."""
        return self.valid_from + timedelta(days=self.valid_days)

    @property
    def walk_in(self) -> bool:
        """Whether the delegate was registered at a desk."""
        return is_walk_in_id(self.delegate_id)


def encode_payload(c: Claims) -> bytes:
    """The signed bytes of a token."""
    if len(c.event_tag) != TAG_BYTES or len(c.category_tag) != TAG_BYTES:
        raise ValueError("tags are 2 bytes")
    if not 0 <= c.key_id <= MAX_KEY_ID or not 1 <= c.valid_days <= 255:
        raise ValueError("key id or validity out of range")
    start = (c.valid_from - EPOCH).days
    if not 0 <= start <= 0xFFFF:
        raise ValueError("validity start out of range")
    return b"".join((
        bytes([VERSION]), c.event_tag, struct.pack(">H", c.key_id), _leb128(c.delegate_id),
        _leb128(c.serial), c.category_tag, struct.pack(">HB", start, c.valid_days),
    ))


def decode_payload(data: bytes) -> Claims | None:
    """Claims from payload bytes, or None unless the bytes are exactly one v1 payload."""
    if len(data) < _MIN_PAYLOAD or data[0] != VERSION:
        return None
    ev = data[1:3]
    (key_id,) = struct.unpack(">H", data[3:5])
    got = _read_leb128(data, 5)
    if got is None:
        return None
    delegate_id, pos = got
    got = _read_leb128(data, pos)
    if got is None:
        return None
    serial, pos = got
    if len(data) != pos + 5:
        return None
    cat = data[pos:pos + 2]
    start, days = struct.unpack(">HB", data[pos + 2:pos + 5])
    if days == 0:
        return None
    return Claims(ev, key_id, delegate_id, serial, cat, EPOCH + timedelta(days=start), days)


def sign_token(claims: Claims, key: Ed25519PrivateKey) -> str:
    """The badge text for `claims`, signed by a desk key."""
    payload = encode_payload(claims)
    return PREFIX + b32encode(payload + key.sign(TOKEN_DOMAIN + payload))


def looks_like_token(code: str) -> bool:
    """Whether a normalised scan claims to be a token (and so must verify as one)."""
    return code.startswith(PREFIX)


def split_token(code: str) -> tuple[bytes, bytes, Claims] | None:
    """(payload, signature, claims) of a well-formed normalised token, else None."""
    if not looks_like_token(code) or len(code) > MAX_TOKEN_CHARS:
        return None
    raw = b32decode(code[len(PREFIX):])
    if raw is None or len(raw) < _MIN_PAYLOAD + SIGNATURE_BYTES:
        return None
    payload, sig = raw[:-SIGNATURE_BYTES], raw[-SIGNATURE_BYTES:]
    claims = decode_payload(payload)
    return None if claims is None else (payload, sig, claims)


# -- certificates --------------------------------------------------------------------------
def certificate_message(key_id: int, desk_public: bytes, desk_name: str, certified_at: datetime
                        ) -> bytes:
    """What an event key signs to vouch for a desk key."""
    seconds = int(certified_at.astimezone(UTC).timestamp())
    return (CERT_DOMAIN + struct.pack(">Hq", key_id, seconds) + desk_public
            + desk_name.encode("utf-8"))


def sign_certificate(event_key: Ed25519PrivateKey, key_id: int, desk_public: bytes,
                     desk_name: str, certified_at: datetime) -> bytes:
    """An event key's signature over a desk key."""
    return event_key.sign(certificate_message(key_id, desk_public, desk_name, certified_at))


def certificate_valid(event_public: Ed25519PublicKey, signature: bytes, key_id: int,
                      desk_public: bytes, desk_name: str, certified_at: datetime) -> bool:
    """Whether `signature` is the event key's certificate for this desk key."""
    try:
        event_public.verify(signature,
                            certificate_message(key_id, desk_public, desk_name, certified_at))
    except InvalidSignature:
        return False
    return True


# -- verification --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DeskKeyInfo:
    """A certified desk key as a verifying desk knows it (its certificate already checked)."""

    key_id: int
    desk_name: str
    public_key: Ed25519PublicKey
    certified_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str = ""
    retired_at: datetime | None = None  # when the event key that certified it was retired
    retired_reason: str = ""


@dataclass(frozen=True, slots=True)
class Keyring:
    """Everything a desk needs to check tokens offline; built once and reused for every scan."""

    event_tag: bytes
    desk_keys: Mapping[int, Sequence[DeskKeyInfo]] = field(default_factory=dict)
    has_event_keys: bool = False


class TokenStatus(StrEnum):
    """The outcome of checking a token's form, origin and signature."""

    VALID = "valid"
    NO_KEYS = "no_keys"  # this desk holds no event key yet: it cannot tell
    MALFORMED = "malformed"  # wrong length, structure or base32: a cut-short or misread scan
    WRONG_EVENT = "wrong_event"
    UNKNOWN_KEY = "unknown_key"
    BAD_SIGNATURE = "bad_signature"
    KEY_REVOKED = "key_revoked"
    KEY_RETIRED = "key_retired"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class TokenCheck:
    """Status, plus the claims and signing key when (and only when) the signature is genuine."""

    status: TokenStatus
    claims: Claims | None = None
    key: DeskKeyInfo | None = None


def check_token(code: str, keyring: Keyring, today: date) -> TokenCheck:
    """Check a normalised token against the keyring; `today` is the UTC date. Never raises."""
    parts = split_token(code)
    if parts is None:
        return TokenCheck(TokenStatus.MALFORMED)
    payload, sig, claims = parts
    if not keyring.has_event_keys:
        return TokenCheck(TokenStatus.NO_KEYS)
    if claims.event_tag != keyring.event_tag:
        return TokenCheck(TokenStatus.WRONG_EVENT)
    candidates = keyring.desk_keys.get(claims.key_id, ())
    if not candidates:
        return TokenCheck(TokenStatus.UNKNOWN_KEY)
    message = TOKEN_DOMAIN + payload
    signer: DeskKeyInfo | None = None
    for key in candidates:  # two desk keys may share an id only across registries
        try:
            key.public_key.verify(sig, message)
        except InvalidSignature:
            continue
        signer = key
        break
    if signer is None:
        return TokenCheck(TokenStatus.BAD_SIGNATURE)
    if signer.revoked_at is not None:
        return TokenCheck(TokenStatus.KEY_REVOKED, claims, signer)
    if signer.retired_at is not None:
        return TokenCheck(TokenStatus.KEY_RETIRED, claims, signer)
    if today < claims.valid_from:
        return TokenCheck(TokenStatus.NOT_YET_VALID, claims, signer)
    if today >= claims.valid_until:
        return TokenCheck(TokenStatus.EXPIRED, claims, signer)
    return TokenCheck(TokenStatus.VALID, claims, signer)


# -- words ---------------------------------------------------------------------------------
def _when(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _because(reason: str) -> Message | str:
    return msg("token.because", reason=reason) if reason else ""


def refusal(check: TokenCheck, tz: tzinfo) -> Decision | None:
    """The red verdict and its reason for a token that must not be admitted; None when valid."""
    s, key, claims = check.status, check.key, check.claims
    if s is TokenStatus.VALID:
        return None
    if s is TokenStatus.NO_KEYS:
        return Decision(Verdict.UNKNOWN_CODE, False, msg("token.no_keys"))
    if s is TokenStatus.WRONG_EVENT:
        return Decision(Verdict.WRONG_EVENT, False, msg("token.wrong_event"))
    if s is TokenStatus.MALFORMED:
        # What a bad scan makes of a genuine badge: characters lost (a cut-short read, keys
        # swallowed by an input method), wrong length, broken base32 or payload structure.
        # Not a forgery: a forger's token is well formed and fails only its signature.
        return Decision(Verdict.INCOMPLETE_CODE, False, msg("token.malformed"))
    if s is TokenStatus.UNKNOWN_KEY:
        return Decision(Verdict.FORGED, False, msg("token.unknown_key"))
    if s is TokenStatus.BAD_SIGNATURE:
        return Decision(Verdict.FORGED, False, msg("token.bad_signature"))
    assert key is not None and claims is not None
    if s is TokenStatus.KEY_REVOKED and key.revoked_at is not None:
        return Decision(Verdict.REVOKED, False, msg(
            "token.desk_key_revoked", desk=key.desk_name, at=_when(key.revoked_at, tz),
            because=_because(key.revoked_reason)))
    if s is TokenStatus.KEY_RETIRED and key.retired_at is not None:
        return Decision(Verdict.REVOKED, False, msg(
            "token.key_retired", at=_when(key.retired_at, tz), because=_because(key.retired_reason)))
    first, last = claims.valid_from, claims.valid_until - timedelta(days=1)
    if s is TokenStatus.NOT_YET_VALID:
        return Decision(Verdict.NOT_OPEN_YET, False, msg("token.not_yet_valid", first=first))
    return Decision(Verdict.CLOSED, False, msg("token.expired", last=last))


def serial_revoked(serial: int, current: int | None, at: datetime | None, desk: str, reason: str,
                   tz: tzinfo) -> Decision:
    """REVOKED for a replaced badge: which serial, and when, where and why if known."""
    parts = [msg("token.serial.replaced", serial=serial)]
    if current is not None and current > serial:
        parts.append(msg("token.serial.current", current=current))
    if at is not None:
        where = msg("token.serial.at_desk", desk=desk) if desk else ""
        parts.append(msg("token.serial.when", at=_when(at, tz), where=where))
    if reason:
        parts.append(msg("token.serial.reason", reason=reason))
    said = parts[0]
    for part in parts[1:]:  # each language joins the parts with its own separator
        said = msg("token.serial.and", first=said, then=part)
    return Decision(Verdict.REVOKED, False, said)


def display_code(code: str, limit: int = 40) -> str:
    """A scanned code short enough for one line: long tokens keep their head and tail."""
    if len(code) <= limit:
        return code
    return f"{code[:22]}…{code[-10:]}"
