"""Offline bundles (USB stick): a desk's unsynced events to the hub, and the hub's data to an offline desk.

Both are gzip-compressed JSON lines: a header line, then one line per item, then an end line
with the count and the SHA-256 of every line before it, so a file cut short (a stick pulled
too early) or altered is recognised and refused. A desk holding a certified desk key signs
that digest and puts its certificate in the header: the hub then knows which desk wrote the
file and that nobody added or changed a check-in on the way, without having seen that desk.
The hub signs its data bundle with its TLS key and puts its certificate in the header: a desk
takes it only from the hub whose fingerprint it pinned at enrolment (or was given), so nobody
can add a delegate on the way.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from checkin_app.domain.messages import both, msg
from checkin_app.storage.db import Database
from checkin_app.sync.outbox import get_state, set_state
from checkin_app.sync.protocol import PROTOCOL_VERSION, SyncError, dumps, iso
from checkin_app.sync.state import K_BUNDLE_FP, K_CERT, K_CURSOR, K_FP, K_HUB, K_TOKEN, K_URL

FORMAT = "checkin-desk/bundle"
# Signed bytes: this context, then the SHA-256 of the header and item lines as stored.
SIG_CONTEXT = b"checkin-desk bundle v1\n"
HUB_SIG_CONTEXT = b"checkin-desk hub bundle v1\n"
KIND_DESK = "desk-events"
KIND_HUB = "hub-data"
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """What a bundle file holds."""

    kind: str
    items: int
    desk: str = ""
    hub: str = ""
    signed_by: str = ""  # "desk name (key N)" / "hub <fingerprint>" when signed and verified


@dataclass(frozen=True, slots=True)
class Signer:
    """A desk key that signs bundles, with the public half of its certificate for the header."""

    private_key: Any  # Ed25519PrivateKey
    certificate: dict[str, Any]

    def sign(self, digest: bytes) -> bytes:
        """The signature over a bundle's SHA-256."""
        return bytes(self.private_key.sign(SIG_CONTEXT + digest))


def _write(path: Path, header: dict[str, Any], lines: Iterator[dict[str, Any]],
           sign: Callable[[bytes], bytes] | None = None) -> int:
    """Write a bundle; `sign` (the file's SHA-256 -> signature) signs it."""
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    digest = hashlib.sha256()
    with gzip.open(tmp, "wb", compresslevel=6) as f:
        head = {"format": FORMAT, "protocol": PROTOCOL_VERSION, **header}
        raw = dumps(head) + b"\n"
        digest.update(raw)
        f.write(raw)
        for line in lines:
            raw = dumps(line) + b"\n"
            digest.update(raw)
            f.write(raw)
            n += 1
        end: dict[str, Any] = {"end": True, "count": n, "sha256": digest.hexdigest()}
        if sign is not None:
            end["signature"] = sign(digest.digest()).hex()
        f.write(dumps(end) + b"\n")
    os.replace(tmp, path)
    return n


def _damaged(path: Path) -> SyncError:
    return SyncError(both(msg("bundle.damaged", path=str(path))))


def read_bundle(path: Path, kind: str) -> tuple[dict[str, Any], Iterator[list[dict[str, Any]]]]:
    """The header and the items in chunks; raises SyncError for a foreign, newer, altered or truncated file.

    The whole file is checked (end line, count, digest) before the first chunk is handed out, so
    a damaged bundle is refused as a whole rather than half imported. The end line is returned
    in the header under "_end" (for the signature check).
    """
    digest = hashlib.sha256()
    end: dict[str, Any] = {}
    try:
        with gzip.open(path, "rb") as f:
            first = f.readline()
            digest.update(first)
            header = json.loads(first)
            for n, raw in enumerate(f):
                obj = json.loads(raw)
                if obj.get("end"):
                    end = obj if obj.get("count") == n else {}
                    break
                digest.update(raw)
    except (OSError, ValueError, EOFError) as exc:
        raise _damaged(path) if "header" in locals() else SyncError(both(
            msg("bundle.not_a_bundle", path=str(path)))) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("kind") != kind:
        what = {KIND_DESK: "bundle.kind.desk", KIND_HUB: "bundle.kind.hub"}[kind]
        raise SyncError(both(msg("bundle.wrong_kind", path=str(path), kind=msg(what))))
    if header.get("protocol") != PROTOCOL_VERSION:
        raise SyncError(both(msg("bundle.wrong_protocol", theirs=str(header.get("protocol")),
                                 ours=PROTOCOL_VERSION)))
    if not end:
        raise _damaged(path)
    if end.get("sha256") != digest.hexdigest():
        raise SyncError(both(msg("bundle.altered", path=str(path))))
    header["_end"] = end

    def chunks() -> Iterator[list[dict[str, Any]]]:
        chunk: list[dict[str, Any]] = []
        with gzip.open(path, "rb") as f:
            f.readline()
            for raw in f:
                obj = json.loads(raw)
                if obj.get("end"):
                    break
                chunk.append(obj)
                if len(chunk) >= CHUNK:
                    yield chunk
                    chunk = []
        if chunk:
            yield chunk

    return header, chunks()


# -- desk side ----------------------------------------------------------------------------------
def export_desk_events(db: Database, path: Path, *, operator: str = "cli") -> BundleInfo:
    """Write every event this desk has not yet got onto the hub (they stay queued for the network too).

    The export is written to the desk's audit log (who, which file, how many, signed or not).
    """
    from checkin_app.services.catalog import CatalogService
    from checkin_app.sync.client import DeskSync

    sync = DeskSync(db)
    cfg = sync.config()
    desk = (cfg.desk if cfg else "") or CatalogService(db).settings().desk_name or "desk"
    with db.read() as s:
        items, _marks = sync._outbox(s, limit=None)
        signer = desk_signer(s)
    header: dict[str, Any] = {"kind": KIND_DESK, "desk": desk, "hub": cfg.hub_id if cfg else "",
                              "created_at": iso(sync.clock.now())}
    if signer is not None:
        header["signer"] = signer.certificate
    n = _write(path, header, iter(items), signer.sign if signer is not None else None)
    signed = f"{signer.certificate['desk_name']} (key {signer.certificate['key_id']})" if signer else ""
    _audit(db, desk, operator, "bundle_export", path, {"items": n, "signed_by": signed})
    return BundleInfo(KIND_DESK, n, desk=desk, signed_by=signed)


def _audit(db: Database, desk: str, operator: str, action: str, path: Path, after: dict[str, Any]) -> None:
    from checkin_app.domain.clock import SystemClock
    from checkin_app.services import audit

    with db.write() as s:
        audit.record(s, at=SystemClock().now(), desk=desk or "-", operator=operator, action=action,
                     subject=path.name, after=after)


def desk_signer(session: Any) -> Signer | None:
    """This desk's usable certified key with its certificate, or None (the bundle goes unsigned)."""
    from sqlalchemy import select

    from checkin_app.services.keys import signing_key
    from checkin_app.storage import models_security as sec

    key = signing_key(session)
    if key is None:
        return None
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    public = key.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    row = session.scalar(select(sec.DeskKey).where(sec.DeskKey.public_key == public))
    if row is None or row.certified_at is None:
        return None
    return Signer(key.private_key, {
        "key_id": row.key_id, "desk_name": row.desk_name, "public_key": row.public_key,
        "event_key": row.event_key, "certificate": row.certificate,
        "certified_at": iso(row.certified_at)})


def trusted_hub(db: Database) -> tuple[str, str]:
    """(fingerprint, hub id) of the hub this desk belongs to; ("", "") for a desk of no hub yet."""

    with db.read() as s:
        return (get_state(s, K_FP) or get_state(s, K_BUNDLE_FP) or ""), (get_state(s, K_HUB) or "")


def import_hub_data(db: Database, path: Path, *, fingerprint: str = "",
                    allow_unsigned: bool = False, operator: str = "cli",
                    change_hub: bool = False) -> BundleInfo:
    """Apply a hub's data bundle at an offline desk (idempotent; a re-import changes nothing).

    The bundle must be signed by the hub this desk belongs to: the one it pinned at enrolment
    or took its first bundle from. A desk of no hub yet names the hub with `fingerprint` (the
    hub prints it) and belongs to it from then on. A bundle of another hub is refused even with
    its fingerprint (the rogue hub's export prints the command to type): changing hubs is
    `change_hub`, which the caller allows only after a manager's PIN; it is audited, and the
    desk then forgets the old hub (its enrolment, cursor and waiting changes). An unsigned
    bundle (an older hub) only with `allow_unsigned`. Nothing is applied from a bundle refused.

    A desk that already holds this hub's changes up to its cursor skips the bundle's changes at
    or below it: it has those rows in that version or a newer one, and an older stick must not
    turn them back (the cursor would then never fetch the newer version again).
    """
    from checkin_app.sync.client import DeskSync
    from checkin_app.sync.protocol import normalise_fingerprint

    header, chunks = read_bundle(path, KIND_HUB)
    sync = DeskSync(db)
    pinned, known_hub = trusted_hub(db)
    with db.read() as s:
        cursor = int(get_state(s, K_CURSOR) or 0)
    given = normalise_fingerprint(fingerprint) if fingerprint else ""
    theirs = str(header.get("hub", ""))
    other = (bool(pinned) and bool(given) and given != normalise_fingerprint(pinned)) or \
        (bool(known_hub) and bool(theirs) and theirs != known_hub)
    if other and not change_hub:
        raise SyncError(both(msg("bundle.other_hub", fingerprint=normalise_fingerprint(pinned)[:16])))
    if change_hub and not given:
        raise SyncError(both(msg("bundle.change_hub_needs_fingerprint")))
    trusted = given if (change_hub or not pinned) else pinned
    signed_by = verify_hub_signature(path, header, trusted, allow_unsigned=allow_unsigned and not change_hub)
    if change_hub:
        _forget_hub(db, pinned, known_hub, trusted, theirs, operator)
        known_hub, cursor = "", 0
    same_hub = known_hub in ("", theirs)
    n = 0
    for chunk in chunks:
        n += len(chunk)
        if same_hub and cursor:
            chunk = [c for c in chunk if int(c.get("s") or 0) > cursor]
        if chunk:
            sync._apply(chunk, big=True, move_cursor=same_hub)
    if same_hub and not known_hub:
        with db.write() as s:
            set_state(s, K_HUB, theirs)
            if signed_by and not get_state(s, K_FP):
                set_state(s, K_BUNDLE_FP, normalise_fingerprint(trusted))  # this desk's hub from now on
    sync.index_pending()
    from checkin_app.services.catalog import CatalogService

    _audit(db, CatalogService(db).settings().desk_name, operator, "bundle_import", path,
           {"items": n, "hub": str(header.get("hub", "")), "signed_by": signed_by})
    return BundleInfo(KIND_HUB, n, hub=str(header.get("hub", "")), signed_by=signed_by)


def _forget_hub(db: Database, old_fp: str, old_hub: str, new_fp: str, new_hub: str, operator: str) -> None:
    """Leave the old hub (re-enrolment by bundle): its token, pin, cursor and waiting changes; audited."""
    from checkin_app.services import audit
    from checkin_app.services.catalog import CatalogService
    from checkin_app.storage import models_hub as mh
    from checkin_app.sync.protocol import normalise_fingerprint

    desk = CatalogService(db).settings().desk_name or ""
    with db.write() as s:
        for k in (K_URL, K_FP, K_CERT, K_TOKEN, K_HUB):
            set_state(s, k, "")
        set_state(s, K_CURSOR, "0")
        set_state(s, K_BUNDLE_FP, normalise_fingerprint(new_fp))
        s.execute(delete(mh.SyncDeferred))
        audit.record(s, at=datetime.now(UTC), desk=desk, operator=operator, action="hub_changed",
                     subject=new_hub[:200], before={"fingerprint": old_fp, "hub": old_hub},
                     after={"fingerprint": normalise_fingerprint(new_fp), "hub": new_hub})


def verify_hub_signature(path: Path, header: dict[str, Any], trusted: str, *,
                         allow_unsigned: bool = False) -> str:
    """Check a hub bundle's certificate against the trusted fingerprint and its signature.

    Returns "hub <fingerprint start>" when verified, "" for an unsigned bundle taken with
    `allow_unsigned`; raises SyncError (in both languages, saying what to do) otherwise.
    """
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from checkin_app.sync.protocol import fingerprint_of, normalise_fingerprint

    pem, signature = header.get("hub_certificate"), header["_end"].get("signature")
    if not pem or not signature:
        if allow_unsigned:
            return ""
        raise SyncError(both(msg("bundle.unsigned", path=str(path))))
    try:
        cert = x509.load_pem_x509_certificate(str(pem).encode())
        found = fingerprint_of(cert.public_bytes(serialization.Encoding.DER))
    except ValueError:
        raise _damaged(path) from None
    want = normalise_fingerprint(trusted)
    if not want:
        raise SyncError(both(msg("bundle.which_hub", found=found)))
    if found != want:
        raise SyncError(both(msg("bundle.signed_by_other", path=str(path), found=found[:16],
                                 want=want[:16])))
    key = cert.public_key()
    try:
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise InvalidSignature
        key.verify(bytes.fromhex(str(signature)),
                   HUB_SIG_CONTEXT + bytes.fromhex(str(header["_end"]["sha256"])), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise SyncError(both(msg("bundle.bad_signature", path=str(path)))) from None
    return f"hub {found[:16]}…"
