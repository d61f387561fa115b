"""Event and desk keys: key files, certification, rotation, revocation, public bundles, the keyring.

The workflow (README "Signed badge codes"):

- ``keys init`` writes a new event signing key to a PEM file (mode 0600, by default in the
  per-user config folder), records its public half in the database, and certifies this
  database's own desk key. The event private key is never stored in any database.
- ``keys certify-desk`` signs a desk's public key with the event key file. The database given
  with ``--db`` is the registry (normally the organiser's); ``--desk-db`` names the desk's own
  database (default: the registry itself). The desk key pair is made inside the desk database,
  and the certificate is recorded in both. Key ids (the 16 bits a token carries) are chosen
  at random among the ids the registry has not used, so certify all desks from one registry.
- ``keys rotate`` puts a new event key in the key file (the old file is kept beside it) and
  re-certifies this desk under it; badges under the old key stay valid until ``keys retire``.
- ``keys revoke-desk`` revokes a desk key (stolen laptop): its tokens scan as REVOKED.
- ``keys lift-revocation`` (and ``hub lift-revocation`` at the hub, which every desk then pulls)
  lifts a revocation made in error, audited. The row stays, its reason starting with
  LIFTED_MARK, so the change travels the change feed like any other update of the row (the
  sync protocol has no deletions); a lifted revocation revokes nothing.
- ``keys export-public`` / ``keys import-public`` move what desks need (event public keys,
  certificates, revocations: never a private key) between databases as a JSON file.

A desk's walk-in ids come from its key id's block (see checkin_app.domain.tokens.WALKIN_BASE),
so desks that never talk to each other still never hand out the same delegate id.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from platformdirs import user_config_dir
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from checkin_app.domain import tokens
from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.messages import both, msg
from checkin_app.domain.tokens import DeskKeyInfo, Keyring
from checkin_app.services import audit
from checkin_app.storage import models as m
from checkin_app.storage import models_security as sec
from checkin_app.storage.db import Database

APP_NAME = "checkin-desk"
BUNDLE_FORMAT = "checkin-desk/public-keys"


class KeyServiceError(Exception):
    """A key operation that cannot be done; the message is bilingual."""


# A revocation lifted by the organiser keeps its row, with a reason that starts with this mark.
LIFTED_MARK = "[lifted] "


def revocation_lifted(reason: str | None) -> bool:
    """True when a key revocation with this reason was lifted (it revokes nothing)."""
    return bool(reason) and str(reason).startswith(LIFTED_MARK)


def _in_force(session: Session) -> dict[str, sec.KeyRevocation]:
    """Key revocations in force (not lifted), by public key."""
    return {r.public_key: r for r in session.scalars(select(sec.KeyRevocation))
            if not revocation_lifted(r.reason)}


def default_key_file() -> Path:
    """Where `keys init` puts the event signing key unless told otherwise."""
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "event-signing-key.pem"


# -- key files -----------------------------------------------------------------------------
def write_key_file(path: Path, key: Ed25519PrivateKey, *, replace: bool = False) -> None:
    """Write a private key as PKCS#8 PEM readable by the owner only (0600), never over a file
    unless `replace` (then atomically, through a 0600 temporary file)."""
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = path.with_name(path.name + ".new") if replace else path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    if replace:
        target.unlink(missing_ok=True)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError as exc:
        raise KeyServiceError(both(msg("keys.file_exists", path=str(path)))) from exc
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(target, 0o600)  # the umask may have narrowed it further; never wider
    if replace:
        os.replace(target, path)


def read_key_file(path: Path) -> Ed25519PrivateKey:
    """Load the event signing key; refuses a file others can read (like ssh does)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyServiceError(both(msg("keys.cannot_read", path=str(path),
                                       detail=str(exc.strerror)))) from exc
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise KeyServiceError(both(msg("keys.too_open", path=str(path))))
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyServiceError(both(msg("keys.not_a_key", path=str(path)))) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyServiceError(both(msg("keys.not_ed25519", path=str(path))))
    return key


def _pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode("ascii")


@lru_cache(maxsize=16)
def _private_from_pem(pem: str) -> Ed25519PrivateKey:
    key = load_pem_private_key(pem.encode("ascii"), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


@lru_cache(maxsize=4096)
def _public_from_hex(hex_key: str) -> Ed25519PublicKey:
    # Parsed once per process: a desk verifies against the same few keys all day.
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(hex_key))


# -- views ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EventKeyView:
    """An event public key as `keys list` shows it."""

    fingerprint: str
    created_at: datetime
    retired_at: datetime | None
    retired_reason: str


@dataclass(frozen=True, slots=True)
class DeskKeyView:
    """A desk key as `keys list` shows it."""

    key_id: int | None
    desk_name: str
    fingerprint: str
    own: bool
    certified: bool
    event_key: str
    certified_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """Event keys, desk keys, and which key this desk signs badges with (None: cannot sign)."""

    event_keys: list[EventKeyView]
    desk_keys: list[DeskKeyView]
    signing_key_id: int | None
    signing_desk: str


@dataclass(frozen=True, slots=True)
class SigningKey:
    """This desk's usable certified key."""

    key_id: int
    desk_name: str
    private_key: Ed25519PrivateKey


# -- reading keys inside a session (used by the scan path and badge codes) -----------------
_FINGERPRINT_SQL = text(
    "SELECT (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || count(retired_at) FROM event_keys)"
    " || '|' || (SELECT count(*) || ':' || coalesce(max(id), 0) || ':' || count(certified_at)"
    " FROM desk_keys)"
    " || '|' || (SELECT count(*) || ':' || coalesce(max(id), 0) || ':'"
    " || coalesce(sum(CASE WHEN reason LIKE '[lifted]%' THEN 1 ELSE 0 END), 0) FROM key_revocations)"
    " || '|' || coalesce((SELECT code FROM events ORDER BY id LIMIT 1), '')"
)


def keys_fingerprint(session: Session) -> str:
    """Changes whenever a key, certificate, retirement, revocation or the event changes (cheap)."""
    return str(session.execute(_FINGERPRINT_SQL).scalar() or "")


def load_keyring(session: Session) -> Keyring:
    """Event keys, verified desk certificates and key revocations, ready for check_token."""
    code = session.scalar(select(m.Event.code).order_by(m.Event.id).limit(1)) or ""
    events = {e.fingerprint: e for e in session.scalars(select(sec.EventKey))}
    revoked = _in_force(session)
    by_id: dict[int, list[DeskKeyInfo]] = {}
    for dk in session.scalars(select(sec.DeskKey).where(sec.DeskKey.certificate != "")):
        ev = events.get(dk.event_key)
        if ev is None or dk.key_id is None or dk.certified_at is None:
            continue
        desk_pub = bytes.fromhex(dk.public_key)
        if not tokens.certificate_valid(_public_from_hex(ev.public_key), bytes.fromhex(dk.certificate),
                                        dk.key_id, desk_pub, dk.desk_name, dk.certified_at):
            continue  # a certificate the event key did not sign vouches for nothing
        rev = revoked.get(dk.public_key)
        by_id.setdefault(dk.key_id, []).append(DeskKeyInfo(
            key_id=dk.key_id, desk_name=dk.desk_name, public_key=_public_from_hex(dk.public_key),
            certified_at=dk.certified_at,
            revoked_at=rev.revoked_at if rev else None, revoked_reason=rev.reason if rev else "",
            retired_at=ev.retired_at, retired_reason=ev.retired_reason,
        ))
    return Keyring(tokens.event_tag(code), {k: tuple(v) for k, v in by_id.items()},
                   has_event_keys=bool(events))


def signing_key(session: Session) -> SigningKey | None:
    """The newest of this desk's own certified keys that is neither revoked nor retired."""
    revoked = set(_in_force(session))
    live_events = {
        fp for fp, retired in session.execute(select(sec.EventKey.fingerprint, sec.EventKey.retired_at))
        if retired is None
    }
    rows = session.scalars(
        select(sec.DeskKey)
        .where(sec.DeskKey.private_key.is_not(None), sec.DeskKey.certificate != "")
        .order_by(sec.DeskKey.certified_at.desc(), sec.DeskKey.id.desc())
    )
    for dk in rows:
        if dk.public_key in revoked or dk.event_key not in live_events or dk.key_id is None:
            continue
        assert dk.private_key is not None
        return SigningKey(dk.key_id, dk.desk_name, _private_from_pem(dk.private_key))
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _dt(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("naive time in bundle")
    return moment


class KeyService:
    """Key operations on one database; every change is audited in the same transaction."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()

    # -- event keys ----------------------------------------------------------------------
    def init_event(self, key_file: Path, *, desk_name: str, desk: str, operator: str
                   ) -> tuple[EventKeyView, DeskKeyView]:
        """Make the event key (in `key_file`), record its public half, certify this desk."""
        with self.db.read() as s:
            live = s.scalar(select(sec.EventKey.fingerprint).where(sec.EventKey.retired_at.is_(None)))
        if live is not None:
            raise KeyServiceError(both(msg("keys.already_live", fingerprint=str(live))))
        key = Ed25519PrivateKey.generate()
        write_key_file(key_file, key)
        view = self._add_event_key(key, desk=desk, operator=operator, action="key_init",
                                   note={"key_file": str(key_file)})
        return view, self.certify_desk(key_file, desk_name=desk_name, desk=desk, operator=operator)

    def _add_event_key(self, key: Ed25519PrivateKey, *, desk: str, operator: str, action: str,
                       note: dict[str, Any], session: Session | None = None) -> EventKeyView:
        raw = tokens.public_raw(key.public_key())
        fp = tokens.fingerprint(raw)
        now = self.clock.now()

        def add(s: Session) -> EventKeyView:
            row = s.scalar(select(sec.EventKey).where(sec.EventKey.fingerprint == fp))
            if row is None:
                row = sec.EventKey(fingerprint=fp, public_key=raw.hex(), created_at=now,
                                   retired_reason="")
                s.add(row)
                audit.record(s, at=now, desk=desk, operator=operator, action=action, subject=fp,
                             after={"event_key": fp, **note})
            return EventKeyView(row.fingerprint, row.created_at, row.retired_at, row.retired_reason)

        if session is not None:
            return add(session)
        with self.db.write() as s:
            return add(s)

    def rotate(self, key_file: Path, *, desk_name: str, desk: str, operator: str
               ) -> tuple[EventKeyView, DeskKeyView]:
        """A new event key in `key_file` (the old file kept as <name>.<fingerprint>.old)."""
        old = read_key_file(key_file)
        old_fp = tokens.fingerprint(tokens.public_raw(old.public_key()))
        with self.db.read() as s:
            known = s.scalar(select(sec.EventKey.id).where(sec.EventKey.fingerprint == old_fp))
        if known is None:
            raise KeyServiceError(both(msg("keys.not_this_event", path=str(key_file),
                                           fingerprint=str(old_fp))))
        backup = key_file.with_name(f"{key_file.name}.{old_fp}.old")
        if not backup.exists():
            write_key_file(backup, old)
        new = Ed25519PrivateKey.generate()
        write_key_file(key_file, new, replace=True)
        view = self._add_event_key(new, desk=desk, operator=operator, action="key_rotate",
                                   note={"previous": old_fp, "key_file": str(key_file)})
        return view, self.certify_desk(key_file, desk_name=desk_name, desk=desk, operator=operator)

    def retire(self, fingerprint: str, *, reason: str, desk: str, operator: str) -> EventKeyView:
        """Stop trusting an event key: badges whose desk keys it certified become REVOKED."""
        now = self.clock.now()
        with self.db.write() as s:
            rows = s.scalars(select(sec.EventKey).where(sec.EventKey.fingerprint.startswith(
                fingerprint.lower()))).all()
            if len(rows) != 1:
                raise KeyServiceError(both(msg("keys.no_single_key", fingerprint=str(fingerprint))))
            row = rows[0]
            if row.retired_at is None:
                row.retired_at = now
                row.retired_reason = reason
                audit.record(s, at=now, desk=desk, operator=operator, action="key_retire",
                             subject=row.fingerprint, after={"reason": reason})
            return EventKeyView(row.fingerprint, row.created_at, row.retired_at, row.retired_reason)

    # -- desk keys -----------------------------------------------------------------------
    def certify_desk(self, key_file: Path, *, desk_name: str, desk: str, operator: str,
                     desk_db: Database | None = None) -> DeskKeyView:
        """Certify the desk key of `desk_db` (default: this database) with the event key file."""
        if not desk_name.strip():
            raise KeyServiceError(both(msg("keys.desk_name_needed")))
        event_key = read_key_file(key_file)
        event_raw = tokens.public_raw(event_key.public_key())
        efp = tokens.fingerprint(event_raw)
        target = desk_db or self.db
        now = self.clock.now()
        with self.db.read() as s:
            used = set(s.scalars(select(sec.DeskKey.key_id).where(sec.DeskKey.key_id.is_not(None))))
            retired = s.scalar(select(sec.EventKey.retired_at).where(sec.EventKey.fingerprint == efp))
        if retired is not None:
            raise KeyServiceError(both(msg("keys.retired", fingerprint=str(efp))))
        with target.write() as s:
            self._add_event_key(event_key, desk=desk, operator=operator, action="key_import",
                                note={"from": str(key_file)}, session=s)
            used |= set(s.scalars(select(sec.DeskKey.key_id).where(sec.DeskKey.key_id.is_not(None))))
            revoked = set(_in_force(s))
            own = s.scalars(select(sec.DeskKey).where(sec.DeskKey.private_key.is_not(None))
                            .order_by(sec.DeskKey.id.desc())).all()
            current = next((k for k in own if k.event_key == efp and k.certificate
                            and k.public_key not in revoked and k.desk_name == desk_name.strip()),
                           None)
            if current is not None:
                return self._desk_view(current, revoked=None)
            row = next((k for k in own if not k.certificate and k.public_key not in revoked), None)
            if row is None:
                priv = Ed25519PrivateKey.generate()
                row = sec.DeskKey(public_key=tokens.public_raw(priv.public_key()).hex(),
                                  private_key=_pem(priv), created_at=now, event_key="",
                                  certificate="", desk_name="")
                s.add(row)
            free = [i for i in range(1, tokens.MAX_KEY_ID + 1) if i not in used]
            if not free:
                raise KeyServiceError(both(msg("keys.ids_used_up")))
            key_id = secrets.choice(free)
            certified_at = now.replace(microsecond=0)
            sig = tokens.sign_certificate(event_key, key_id, bytes.fromhex(row.public_key),
                                          desk_name.strip(), certified_at)
            row.key_id, row.desk_name, row.event_key = key_id, desk_name.strip(), efp
            row.certificate, row.certified_at = sig.hex(), certified_at
            audit.record(s, at=now, desk=desk, operator=operator, action="key_certify_desk",
                         subject=f"{key_id}", after={"desk_name": row.desk_name, "key_id": key_id,
                                                      "public_key": row.public_key,
                                                      "event_key": efp})
            view = self._desk_view(row, revoked=None)
            public = {c: getattr(row, c) for c in ("key_id", "desk_name", "public_key", "event_key",
                                                   "certificate", "certified_at", "created_at")}
        if target is not self.db:
            # The registry learns the certificate too, so export-public hands it to every desk.
            with self.db.write() as s:
                self._add_event_key(event_key, desk=desk, operator=operator, action="key_import",
                                    note={"from": str(key_file)}, session=s)
                if s.scalar(select(sec.DeskKey.id).where(
                        sec.DeskKey.public_key == public["public_key"])) is None:
                    s.add(sec.DeskKey(private_key=None, **public))
                audit.record(s, at=now, desk=desk, operator=operator, action="key_certify_desk",
                             subject=f"{key_id}", after={"desk_name": view.desk_name,
                                                          "key_id": key_id, "registry": True})
        return view

    def check_organiser(self, key_file: Path) -> str:
        """The organiser's proof for revoking or lifting at a desk: the event key file of this
        event (one this database trusts, not retired). Returns its fingerprint."""
        key = read_key_file(key_file)
        efp = tokens.fingerprint(tokens.public_raw(key.public_key()))
        with self.db.read() as s:
            row = s.scalar(select(sec.EventKey).where(sec.EventKey.fingerprint == efp))
        if row is None or row.retired_at is not None:
            raise KeyServiceError(both(msg("keys.not_organiser", path=str(key_file))))
        return efp

    def revoke_desk(self, key_id: int, *, reason: str, desk: str, operator: str) -> list[DeskKeyView]:
        """Revoke every desk key with this id: tokens they signed scan as REVOKED from now on."""
        if not reason.strip():
            raise KeyServiceError(both(msg("keys.revoke_reason_needed")))
        now = self.clock.now()
        with self.db.write() as s:
            rows = s.scalars(select(sec.DeskKey).where(sec.DeskKey.key_id == key_id)).all()
            if not rows:
                raise KeyServiceError(both(msg("keys.no_desk_key", key_id=key_id)))
            done = []
            for row in rows:
                old = s.scalar(select(sec.KeyRevocation).where(
                    sec.KeyRevocation.public_key == row.public_key))
                if old is None:
                    s.add(sec.KeyRevocation(public_key=row.public_key, key_id=key_id, revoked_at=now,
                                            reason=reason.strip(), desk=desk, operator=operator))
                elif revocation_lifted(old.reason):
                    # Revoked again after a lift: the same row, in force again.
                    old.revoked_at, old.reason, old.desk, old.operator = now, reason.strip(), desk, operator
                else:
                    done.append(row)
                    continue
                audit.record(s, at=now, desk=desk, operator=operator, action="key_revoke_desk",
                             subject=str(key_id),
                             after={"desk_name": row.desk_name, "public_key": row.public_key,
                                    "reason": reason.strip()})
                done.append(row)
            s.flush()
            revs = _in_force(s)
            return [self._desk_view(r, revs.get(r.public_key)) for r in done]

    def lift_revocation(self, key_id: int, *, reason: str, desk: str, operator: str) -> list[DeskKeyView]:
        """Lift the revocation of every desk key with this id (a revocation made in error), audited.

        Badges those keys signed are valid again once the change reaches a desk (the hub
        publishes the changed rows; `keys export-public` carries them to offline desks).
        """
        why = reason.strip()
        if not why:
            raise KeyServiceError(both(msg("keys.lift_reason_needed")))
        now = self.clock.now()
        with self.db.write() as s:
            rows = [r for r in s.scalars(select(sec.KeyRevocation).where(sec.KeyRevocation.key_id == key_id))
                    if not revocation_lifted(r.reason)]
            if not rows:
                raise KeyServiceError(both(msg("keys.not_revoked", key_id=key_id)))
            for r in rows:
                before = {"public_key": r.public_key, "reason": r.reason, "revoked_at": _iso(r.revoked_at),
                          "desk": r.desk, "operator": r.operator}
                r.reason = f"{LIFTED_MARK}{why} (was: {r.reason})"[:300]
                r.desk, r.operator = desk[:100], operator[:100]
                audit.record(s, at=now, desk=desk, operator=operator, action="key_revocation_lift",
                             subject=str(key_id), before=before, after={"reason": why})
            s.flush()
            keys_ = s.scalars(select(sec.DeskKey).where(sec.DeskKey.key_id == key_id)).all()
            return [self._desk_view(k, None) for k in keys_]

    @staticmethod
    def _desk_view(k: sec.DeskKey, revoked: sec.KeyRevocation | None) -> DeskKeyView:
        return DeskKeyView(
            key_id=k.key_id, desk_name=k.desk_name, fingerprint=k.public_key[:16],
            own=k.private_key is not None, certified=bool(k.certificate), event_key=k.event_key,
            certified_at=k.certified_at, revoked_at=revoked.revoked_at if revoked else None,
            revoked_reason=revoked.reason if revoked else "",
        )

    def status(self) -> KeyStatus:
        """Every key this database knows, and the one it signs with."""
        with self.db.read() as s:
            revs = _in_force(s)
            events = [EventKeyView(e.fingerprint, e.created_at, e.retired_at, e.retired_reason)
                      for e in s.scalars(select(sec.EventKey).order_by(sec.EventKey.id))]
            desks = [self._desk_view(k, revs.get(k.public_key))
                     for k in s.scalars(select(sec.DeskKey).order_by(sec.DeskKey.id))]
            signer = signing_key(s)
        return KeyStatus(events, desks, signer.key_id if signer else None,
                         signer.desk_name if signer else "")

    # -- public bundles ------------------------------------------------------------------
    def export_public(self, path: Path, *, desk: str, operator: str) -> dict[str, int]:
        """Write event public keys, certificates and revocations (no private key) as JSON."""
        now = self.clock.now()
        with self.db.write() as s:
            bundle: dict[str, Any] = {
                "format": BUNDLE_FORMAT,
                "version": 1,
                "event": s.scalar(select(m.Event.code).order_by(m.Event.id).limit(1)) or "",
                "exported_at": now.isoformat(),
                "event_keys": [
                    {"fingerprint": e.fingerprint, "public_key": e.public_key,
                     "created_at": _iso(e.created_at), "retired_at": _iso(e.retired_at),
                     "retired_reason": e.retired_reason}
                    for e in s.scalars(select(sec.EventKey).order_by(sec.EventKey.id))
                ],
                "desk_keys": [
                    {"key_id": k.key_id, "desk_name": k.desk_name, "public_key": k.public_key,
                     "event_key": k.event_key, "certificate": k.certificate,
                     "certified_at": _iso(k.certified_at), "created_at": _iso(k.created_at)}
                    for k in s.scalars(select(sec.DeskKey).where(sec.DeskKey.certificate != "")
                                       .order_by(sec.DeskKey.id))
                ],
                "key_revocations": [
                    {"public_key": r.public_key, "key_id": r.key_id, "revoked_at": _iso(r.revoked_at),
                     "reason": r.reason, "desk": r.desk, "operator": r.operator}
                    for r in s.scalars(select(sec.KeyRevocation).order_by(sec.KeyRevocation.id))
                ],
                "badge_revocations": [
                    {"delegate_id": r.delegate_id, "serial": r.serial,
                     "revoked_at": _iso(r.revoked_at), "reason": r.reason, "desk": r.desk,
                     "operator": r.operator}
                    for r in s.scalars(select(sec.BadgeRevocation).order_by(sec.BadgeRevocation.id))
                ],
            }
            counts = {k: len(bundle[k]) for k in ("event_keys", "desk_keys", "key_revocations",
                                                   "badge_revocations")}
            audit.record(s, at=now, desk=desk, operator=operator, action="key_export_public",
                         subject=str(path)[:200], after=counts)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return counts

    def import_public(self, path: Path, *, desk: str, operator: str) -> dict[str, int]:
        """Merge a public bundle: new keys, certificates (checked) and revocations are added."""
        try:
            bundle = json.loads(path.read_text(encoding="utf-8"))
            if bundle.get("format") != BUNDLE_FORMAT:
                raise ValueError("format")
        except (OSError, ValueError, AttributeError) as exc:
            raise KeyServiceError(both(msg("keys.not_public_file", path=str(path)))) from exc
        now = self.clock.now()
        added = {"event_keys": 0, "retired": 0, "desk_keys": 0, "rejected": 0,
                 "key_revocations": 0, "badge_revocations": 0}
        try:
            with self.db.write() as s:
                self._merge(s, bundle, added)
                audit.record(s, at=now, desk=desk, operator=operator, action="key_import_public",
                             subject=str(path)[:200], after=added)
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyServiceError(both(msg("keys.public_file_damaged", path=str(path),
                                           detail=str(exc)))) from exc
        return added

    @staticmethod
    def _merge(s: Session, bundle: dict[str, Any], added: dict[str, int]) -> None:
        events = {e.fingerprint: e for e in s.scalars(select(sec.EventKey))}
        for e in bundle.get("event_keys", []):
            raw = bytes.fromhex(e["public_key"])
            fp = tokens.fingerprint(raw)
            row = events.get(fp)
            if row is None:
                created = _dt(e["created_at"])
                assert created is not None
                row = sec.EventKey(fingerprint=fp, public_key=raw.hex(), created_at=created,
                                   retired_at=_dt(e.get("retired_at")),
                                   retired_reason=e.get("retired_reason", ""))
                s.add(row)
                events[fp] = row
                added["event_keys"] += 1
            elif row.retired_at is None and e.get("retired_at"):
                row.retired_at = _dt(e["retired_at"])
                row.retired_reason = e.get("retired_reason", "")
                added["retired"] += 1
        known = set(s.scalars(select(sec.DeskKey.public_key)))
        for k in bundle.get("desk_keys", []):
            if k["public_key"] in known:
                continue
            ev = events.get(k["event_key"])
            certified_at = _dt(k["certified_at"])
            if ev is None or certified_at is None or not tokens.certificate_valid(
                    _public_from_hex(ev.public_key), bytes.fromhex(k["certificate"]),
                    int(k["key_id"]), bytes.fromhex(k["public_key"]), k["desk_name"], certified_at):
                added["rejected"] += 1
                continue
            s.add(sec.DeskKey(key_id=int(k["key_id"]), desk_name=k["desk_name"],
                              public_key=k["public_key"], private_key=None,
                              event_key=k["event_key"], certificate=k["certificate"],
                              certified_at=certified_at,
                              created_at=_dt(k.get("created_at")) or certified_at))
            known.add(k["public_key"])
            added["desk_keys"] += 1
        revoked = {r.public_key: r for r in s.scalars(select(sec.KeyRevocation))}
        for r in bundle.get("key_revocations", []):
            have = revoked.get(r["public_key"])
            if have is not None:
                if revocation_lifted(r.get("reason")) and not revocation_lifted(have.reason):
                    have.reason = str(r["reason"])[:300]  # the organiser lifted it
                    added["key_revocations"] += 1
                continue
            at = _dt(r["revoked_at"])
            assert at is not None
            s.add(sec.KeyRevocation(public_key=r["public_key"], key_id=int(r["key_id"]),
                                    revoked_at=at, reason=r.get("reason", ""),
                                    desk=r.get("desk", ""), operator=r.get("operator", "")))
            added["key_revocations"] += 1
        serials = {(d, n) for d, n in s.execute(
            select(sec.BadgeRevocation.delegate_id, sec.BadgeRevocation.serial))}
        for r in bundle.get("badge_revocations", []):
            pair = (int(r["delegate_id"]), int(r["serial"]))
            if pair in serials:
                continue
            at = _dt(r["revoked_at"])
            assert at is not None
            s.add(sec.BadgeRevocation(delegate_id=pair[0], serial=pair[1], revoked_at=at,
                                      reason=r.get("reason", ""), desk=r.get("desk", ""),
                                      operator=r.get("operator", "")))
            serials.add(pair)
            added["badge_revocations"] += 1


def validity(starts_on: str, ends_on: str) -> tuple[date, int]:
    """A badge's UTC-day window for an event's local dates: the day before to the day after.

    One day each side covers every time zone, so a badge never expires early at the door.
    """
    first = date.fromisoformat(starts_on) - timedelta(days=1)
    last = date.fromisoformat(ends_on) + timedelta(days=1)
    return first, max(1, min(255, (last - first).days + 1))


def demo_key_file(db_path: Path) -> Path:
    """The demo keeps its event key beside its database (a real event keeps it off the desks)."""
    return db_path.with_name(db_path.name + ".event-key.pem")


def setup_demo_keys(db: Database, key_file: Path, *, desk_name: str = "Demo desk",
                    clock: Clock | None = None) -> DeskKeyView:
    """Event key (made, or reused when the file is left from an earlier demo) and a certified desk."""
    svc = KeyService(db, clock)
    if key_file.exists():
        return svc.certify_desk(key_file, desk_name=desk_name, desk=desk_name, operator="demo")
    return svc.init_event(key_file, desk_name=desk_name, desk=desk_name, operator="demo")[1]
