"""The desk's sync client: enrol, push queued events (idempotent), pull changes (long-poll), report health."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import httpx
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from checkin_app import __version__
from checkin_app.domain.clock import Clock, SystemClock
from checkin_app.domain.messages import both, msg
from checkin_app.services.checkin import rebuild_all_presence, recompute_presence
from checkin_app.services.conflicts import Refusal
from checkin_app.services.search import index_delegates
from checkin_app.storage import models as m
from checkin_app.storage import models_hub as mh
from checkin_app.storage.db import Database
from checkin_app.sync import tables as st
from checkin_app.sync.desk_name import DeskName
from checkin_app.sync.outbox import OTHER, SCANS, get_state, set_state
from checkin_app.sync.protocol import (
    API_PREFIX,
    DEFAULT_PAGE,
    H_DESK_TIME,
    H_PRINTER,
    H_QUEUE,
    EnrolmentCode,
    PinMismatch,
    SyncError,
    bilingual,
    dumps,
    gzip_bytes,
    header_text,
    iso,
    parse_iso,
)
from checkin_app.sync.state import (
    K_BUNDLE_FP,
    K_CERT,
    K_CURSOR,
    K_DESK,
    K_FP,
    K_HUB,
    K_INDEX,
    K_LAST_OK,
    K_LAST_PULL,
    K_REF_DATA,
    K_REFUSED,
    K_TOKEN,
    K_URL,
)
from checkin_app.sync.transport import check_pin, fetch_certificate, make_client, raise_for_hub

_D = cast(Table, m.Delegate.__table__)
_W = cast(Table, mh.SyncDeferred.__table__)
PUSH_BATCH = 500
APPLY_BATCH = 2000
# Above this many delegates in one pull, search keys are rebuilt afterwards in small
# transactions (index_pending) instead of inside the pull, so scanning never waits seconds.
INLINE_INDEX_MAX = 3000
INDEX_CHUNK = 2000


class ManagerRequired(SyncError):
    """Enrolling a desk that already belongs to a hub: a manager's action (PIN), audited."""


@dataclass(frozen=True, slots=True)
class HubConfig:
    """How this desk reaches its hub."""

    url: str
    fingerprint: str
    cert_pem: str
    token: str
    hub_id: str
    desk: str


@dataclass(frozen=True, slots=True)
class PushSummary:
    """One push round: how many items went, came back as duplicates, or were refused."""

    stored: int
    duplicates: int
    rejected: list[str]
    remaining: int
    clock_offset_ms: int | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PullSummary:
    """One pull: changes applied, the new cursor, and whether the hub has more right away."""

    applied: int
    cursor: int
    more: bool
    complete: bool
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar shows."""

    enrolled: bool
    online: bool
    pending: int
    last_ok_at: datetime | None
    last_error: str = ""
    desk: str = ""
    hub_url: str = ""
    cursor: int = 0
    warnings: tuple[str, ...] = ()
    refused: int = 0
    # The hub's code for each warning, in the same order ("clock": this desk's clock is off).
    warning_codes: tuple[str, ...] = ()
    # Of `pending`: badge print records and serial revocations (the rest are check-ins and
    # undos, the scans a volunteer means). A print the hub refuses is counted in `refused`.
    pending_other: int = 0

    @property
    def pending_scans(self) -> int:
        """Check-ins and undos not on the hub yet (what "未上传 / not on hub" counts)."""
        return max(0, self.pending - self.pending_other)


def _warnings(answer: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The hub's warnings in an answer: bilingual messages and their codes."""
    found = [w for w in answer.get("warnings", []) if isinstance(w, dict)]
    return ([bilingual(str(w.get("message_zh", "")), str(w.get("message_en", ""))) for w in found],
            [str(w.get("code", "")) for w in found])


# sync_state values (the outbox's high-water marks live there too).
_get = get_state
_set = set_state


class DeskSync:
    """Sync for one desk database. Thread-safe: the worker pushes and pulls from two threads."""

    def __init__(self, db: Database, clock: Clock | None = None, *,
                 printer_state: Callable[[], str] | None = None,
                 app_version: str = __version__) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.printer_state = printer_state or (lambda: "")
        self.app_version = app_version
        self._local = threading.local()
        self._clients: list[httpx.Client] = []
        self._clients_lock = threading.Lock()
        self._push_lock = threading.Lock()
        self.online = False
        self.last_error = ""
        self.warnings: tuple[str, ...] = ()
        self.warning_codes: tuple[str, ...] = ()

    # -- configuration ------------------------------------------------------------------------
    def config(self) -> HubConfig | None:
        """The hub this desk is enrolled with, or None."""
        with self.db.read() as s:
            vals = {k: _get(s, k) for k in (K_URL, K_FP, K_CERT, K_TOKEN, K_HUB, K_DESK)}
        if not vals[K_URL] or not vals[K_TOKEN]:
            return None
        return HubConfig(vals[K_URL] or "", vals[K_FP] or "", vals[K_CERT] or "", vals[K_TOKEN] or "",
                         vals[K_HUB] or "", vals[K_DESK] or "")

    def enrolment_needs_manager(self, code_text: str) -> bool:
        """Whether enrolling with this code moves a desk that already belongs to a hub.

        A desk enrolled over the network needs a manager for any new enrolment, with the same
        hub anew too (it gets a new token and identity). A desk that took its hub's USB bundle
        needs one unless the code names that same hub (its fingerprint). A desk of no hub yet
        enrols freely.
        """
        from checkin_app.sync.protocol import same_fingerprint

        code = EnrolmentCode.decode(code_text)
        with self.db.read() as s:
            token, hub, bundle_fp = _get(s, K_TOKEN), _get(s, K_HUB), _get(s, K_BUNDLE_FP)
        if token:
            return True
        if bundle_fp:
            return not (code.fingerprint and same_fingerprint(code.fingerprint, bundle_fp))
        return bool(hub)

    def enrol(self, code_text: str, *, manager: str = "") -> HubConfig:
        """Check the hub's certificate against the code's pin, use the one-time token, store the result.

        A desk that belongs to a hub already is moved only by a manager: `manager` is the name a
        verified PIN gave (the caller asks for it); without one, ManagerRequired is raised before
        anything reaches the network (the one-time code stays unused). The move is audited
        (hub_changed: the old hub's fingerprint, id and address, and the new).
        """
        code = EnrolmentCode.decode(code_text)
        moving = self.enrolment_needs_manager(code_text)
        if moving and not manager.strip():
            raise ManagerRequired(both(msg("sync.reenrol_needs_manager")))
        before = self._belongs_to()
        cert_pem = ""
        if code.url.startswith("https"):
            import ssl

            der = fetch_certificate(code.url)
            check_pin(der, code.fingerprint)
            cert_pem = ssl.DER_cert_to_PEM_cert(der)
        public_key, private_pem = _new_desk_key()
        with make_client(code.url, fingerprint=code.fingerprint, cert_pem=cert_pem) as client:
            try:
                r = client.post(API_PREFIX + "/enrol",
                                content=dumps({"token": code.token, "public_key": public_key}),
                                headers={"Content-Type": "application/json"})
            except httpx.HTTPError as exc:
                raise SyncError(both(msg("sync.cannot_reach", detail=str(exc)))) from exc
            raise_for_hub(r)
            body = r.json()
        cfg = HubConfig(code.url, code.fingerprint, cert_pem, str(body["token"]), str(body["hub"]),
                        str(body["desk"]))
        with self.db.write() as s:
            previous_hub = _get(s, K_HUB)
            for k, v in ((K_URL, cfg.url), (K_FP, cfg.fingerprint), (K_CERT, cfg.cert_pem),
                         (K_TOKEN, cfg.token), (K_HUB, cfg.hub_id), (K_DESK, cfg.desk)):
                _set(s, k, v)
            if previous_hub != cfg.hub_id:
                _set(s, K_CURSOR, "0")  # another hub's sequence numbers mean nothing here
                s.execute(delete(_W))  # nor do its changes still waiting for a row
            # The desk is known by the name the hub gave it, so its events match the dashboard.
            s.merge(m.DeskSetting(key="desk_name", value=cfg.desk))
            _store_desk_key(s, private_pem, body.get("certificate"))
            from checkin_app.services import audit

            operator = manager.strip()[:100] or "enrol"
            audit.record(s, at=self.clock.now(), desk=cfg.desk, operator=operator, action="enrol",
                         subject=cfg.url[:200], after={"hub": cfg.hub_id, "desk": cfg.desk,
                                                       "certified": bool(body.get("certificate"))})
            if moving:
                # Which hub this desk trusted, and which it trusts now, and who decided.
                after = {"fingerprint": cfg.fingerprint, "hub": cfg.hub_id, "url": cfg.url,
                         "desk": cfg.desk}
                audit.record(s, at=self.clock.now(), desk=cfg.desk, operator=operator,
                             action="hub_changed", subject=cfg.hub_id[:200], before=before, after=after)
        self.close_clients()
        return cfg

    def _belongs_to(self) -> dict[str, str]:
        """The hub this desk trusts now (network enrolment or first USB bundle), for the audit."""
        with self.db.read() as s:
            return {"fingerprint": _get(s, K_FP) or _get(s, K_BUNDLE_FP) or "",
                    "hub": _get(s, K_HUB) or "", "url": _get(s, K_URL) or "",
                    "desk": _get(s, K_DESK) or ""}

    # -- HTTP clients (one per thread: a long-poll must not hold up a push) --------------------
    def _client(self, cfg: HubConfig) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        key = (cfg.url, cfg.token, cfg.fingerprint)
        if client is None or getattr(self._local, "key", None) != key or client.is_closed:
            client = make_client(cfg.url, fingerprint=cfg.fingerprint, cert_pem=cfg.cert_pem,
                                 token=cfg.token)
            self._local.client, self._local.key = client, key
            with self._clients_lock:
                self._clients.append(client)
        return client

    def close_clients(self) -> None:
        """Close every HTTP connection (they reopen on the next request)."""
        with self._clients_lock:
            for c in self._clients:
                c.close()
            self._clients.clear()

    def _headers(self, pending: int) -> dict[str, str]:
        return {H_DESK_TIME: iso(self.clock.now()) or "", H_QUEUE: str(pending),
                H_PRINTER: header_text(self.printer_state()[:200])}

    def _need_config(self) -> HubConfig:
        cfg = self.config()
        if cfg is None:
            raise SyncError(both(msg("sync.not_enrolled")))
        return cfg

    # -- the outbox -----------------------------------------------------------------------------
    # Every table desks push declares its outbox where it is registered (sync.tables, sync.outbox):
    # what is still to push and in what order, how the hub's answer settles it, what it counts.
    def pending_count(self) -> int:
        """Local records the hub does not have yet: check-ins and undos, badge prints and serial
        revocations (audit entries and walk-ins ride along uncounted)."""
        return sum(self.pending_counts())

    def pending_counts(self) -> tuple[int, int]:
        """(check-ins and undos, the other counted records) the hub does not have yet."""
        counts = {SCANS: 0, OTHER: 0}
        with self.db.read() as s:
            for spec in st.pushed_tables():
                box = spec.outbox
                if box is not None and box.queue is not None:
                    counts[box.queue] = counts.get(box.queue, 0) + box.count(s)
        return counts[SCANS], counts[OTHER]

    def _outbox(self, s: Session, limit: int | None = PUSH_BATCH
                ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """The next push: up to `limit` queued rows of each pushed table, referenced tables first,
        plus the high-water marks (by table) that acknowledging them would set."""
        items: list[dict[str, Any]] = []
        marks: dict[str, int] = {}
        # This desk's records go out under the name the hub enrolled it under, even when it was
        # renamed here since (sync.desk_name): the hub knows it only by that name.
        enrolled = DeskName("", _get(s, K_DESK) or "").identity
        for spec in st.pushed_tables():
            box = spec.outbox
            if box is None:
                continue
            batch = box.batch(s, limit)
            if not batch.keys:
                continue
            for key, payload in spec.export(s, batch.keys):
                if enrolled and box.desk_field and box.desk_field in payload:
                    payload[box.desk_field] = enrolled
                items.append({"table": spec.name, "key": key, "payload": payload})
            if batch.mark is not None:
                marks[spec.name] = batch.mark
        return items, marks

    def push_once(self) -> PushSummary:
        """Push everything queued, in batches; returns totals. Safe to repeat: the hub dedups by key."""
        cfg = self._need_config()
        stored = dups = 0
        rejected: list[str] = []
        offset: int | None = None
        warnings: list[str] = []
        codes: list[str] = []
        answered = False
        last: list[tuple[str, str]] = []
        with self._push_lock:
            ref_mark = self._release_refusals()
            while True:
                with self.db.read() as s:
                    items, marks = self._outbox(s)
                if not items:
                    break
                this = [(i["table"], str(i["key"])) for i in items]
                if this == last:
                    # The same batch again: a refusal that stays queued holds a high-water mark
                    # (an audit entry), and the rows behind it came back as duplicates; sending
                    # it again now would only loop. The next push tries again.
                    break
                last = this
                body = gzip_bytes(dumps({"items": items, "desk": cfg.desk}))
                try:
                    r = self._client(cfg).post(
                        API_PREFIX + "/push", content=body,
                        headers={"Content-Encoding": "gzip", "Content-Type": "application/json",
                                 **self._headers(self.pending_count())})
                except httpx.HTTPError as exc:
                    self._offline(exc)
                    raise SyncError(self.last_error) from exc
                raise_for_hub(r)
                answered = True
                ans = r.json()
                offset = ans.get("clock_offset_ms")
                warnings, codes = _warnings(ans)
                acked = {(i["table"], i["key"]) for i in ans["stored"] + ans["duplicates"]}
                bad = {(i["table"], i["key"]): i.get("reason", "") for i in ans["rejected"]}
                settled = self._settle(items, marks, acked, bad, ref_mark)
                stored += len(ans["stored"])
                dups += len(ans["duplicates"])
                rejected += [f"{t} {k}: {why}" for (t, k), why in bad.items()]
                sent = {(i["table"], i["key"]) for i in items}
                if not sent & (acked | set(bad)):
                    # A hub that answers without storing, doubling or refusing anything it was
                    # sent would have this desk send the same batch for ever.
                    self.last_error = both(msg("sync.nothing_taken"))
                    raise SyncError(self.last_error)
                if set(bad) - settled and not (acked - set(bad)):
                    break  # only refusals left that stay queued: stop rather than resend them in a loop
        # Only an answered request says the hub is reachable: with an empty outbox nothing was
        # sent, and claiming "online" then made the status flap while the network was down.
        if answered:
            self._mark_ok()
        self.warnings, self.warning_codes = tuple(warnings), tuple(codes)
        return PushSummary(stored, dups, rejected, self.pending_count(), offset, warnings)

    def _settle(self, items: list[dict[str, Any]], marks: dict[str, int], acked: set[tuple[str, str]],
                refused: dict[tuple[str, str], str], ref_mark: int) -> set[tuple[str, str]]:
        """Settle what the hub took: each table's outbox marks what it stored or had already,
        and what it refused where the table takes refusals off the queue (the refusal is kept
        with the hub's reason; _release queues it again). Returns the refusals taken off."""
        sent: dict[str, list[str]] = {}
        for i in items:
            sent.setdefault(i["table"], []).append(str(i["key"]))
        mine = {k: why for k, why in refused.items() if str(k[1]) in sent.get(k[0], ())}
        settled = {k for k in mine if _settles_refused(k[0])}
        now = iso(self.clock.now())
        with self.db.write() as s:
            for (table, key), reason in mine.items():
                _set(s, f"{K_REFUSED}{table}:{key}", json.dumps(
                    {"table": table, "key": key, "reason": reason, "at": now, "ref": ref_mark},
                    ensure_ascii=False))
            for name, keys in sent.items():
                spec = st.REGISTRY.get(name)
                if spec is None or spec.outbox is None:
                    continue
                taken = {k for k in keys if (name, k) in acked}
                taken |= {str(k) for t, k in settled if t == name}
                spec.outbox.acknowledge(s, keys, taken, marks.get(name))
        return settled

    # -- pulling ------------------------------------------------------------------------------
    def cursor(self) -> int:
        """The highest hub sequence number applied here."""
        with self.db.read() as s:
            return int(_get(s, K_CURSOR) or 0)

    def pull_once(self, *, wait: float = 0.0, limit: int = DEFAULT_PAGE,
                  on_progress: Callable[[int], None] | None = None) -> PullSummary:
        """One request for changes after the cursor (long-polling up to `wait` s); applied in batches.

        Each batch commits together with the cursor, so a cut connection keeps what arrived
        and the next pull resumes after it: nothing is applied twice or skipped.
        """
        cfg = self._need_config()
        since = self.cursor()
        fresh = False
        if since == 0:
            with self.db.read() as s:
                fresh = s.scalar(select(_D.c.id).limit(1)) is None
        applied = 0
        cursor = since
        end: dict[str, Any] | None = None
        warnings: list[str] = []
        codes: list[str] = []
        batch: list[dict[str, Any]] = []
        try:
            with self._client(cfg).stream(
                "GET", API_PREFIX + "/changes",
                params={"since": since, "limit": limit, "wait": wait},
                headers=self._headers(self.pending_count()),
                timeout=httpx.Timeout(connect=5.0, read=wait + 30.0, write=30.0, pool=10.0),
            ) as r:
                raise_for_hub(r)
                lines = r.iter_lines()
                header = json.loads(next(lines))
                if cfg.hub_id and header.get("hub") != cfg.hub_id:
                    raise SyncError(both(msg("sync.hub_changed")))
                warnings, codes = _warnings(header)
                for line in lines:
                    try:
                        obj = json.loads(line)
                    except ValueError:
                        break  # a truncated last line: the next pull fetches it again
                    if obj.get("end"):
                        end = obj
                        break
                    batch.append(obj)
                    if len(batch) >= APPLY_BATCH:
                        cursor = self._apply(batch, big=since == 0, fresh=fresh)
                        applied += len(batch)
                        batch = []
                        if on_progress is not None:
                            on_progress(applied)
        except (httpx.HTTPError, StopIteration) as exc:
            if batch:
                cursor = self._apply(batch, big=since == 0, fresh=fresh)
                applied += len(batch)
            self._offline(exc)
            raise SyncError(self.last_error) from exc
        if batch:
            cursor = self._apply(batch, big=since == 0, fresh=fresh)
            applied += len(batch)
        if end is None:
            self.online = False
            self.last_error = both(msg("sync.download_cut"))
            raise SyncError(self.last_error)
        if end.get("next", cursor) > cursor and not applied:
            cursor = int(end["next"])
        self._mark_ok(pull=True)
        self.warnings, self.warning_codes = tuple(warnings), tuple(codes)
        return PullSummary(applied, cursor, bool(end.get("more")), True, warnings)

    def _apply(self, changes: list[dict[str, Any]], *, big: bool = False, move_cursor: bool = True,
               fresh: bool = False) -> int:
        """Apply one batch of changes and move the cursor, in one transaction; returns the cursor.

        A change naming a row that has not arrived yet waits (see _Waiting) and goes in with
        that row, in a later batch; it never holds the cursor back.
        """
        total = st.Applied()
        last = max(int(c["s"]) for c in changes)
        with self.db.write() as s:
            s.info[st.FRESH_DOWNLOAD] = fresh
            waiting = _Waiting(s, self.clock.now())
            arrived: set[tuple[str, str]] = set()
            for table, run in _runs(changes):
                spec = st.REGISTRY.get(table)
                if spec is None:
                    continue  # a table this desk version does not know: skip, keep going
                done = spec.apply(s, [c["p"] for c in run])
                total.merge(done)
                arrived |= waiting.settle(table, run, done)
            total.merge(waiting.release(arrived))
            if total.delegate_ids or total.catalog_changed:
                # Data a refused push may have lacked: push_once() retries refusals after this.
                _set(s, K_REF_DATA, str(last))
            if len(total.pairs) > 5000:
                rebuild_all_presence(s)
            else:
                for d_id, a_id in total.pairs:
                    recompute_presence(s, d_id, a_id)
            if total.delegate_ids:
                if big or len(total.delegate_ids) > INLINE_INDEX_MAX:
                    _set(s, K_INDEX, "1")
                else:
                    index_delegates(s, sorted(total.delegate_ids))
            current = int(_get(s, K_CURSOR) or 0)
            if not move_cursor:
                return current
            _set(s, K_CURSOR, str(max(current, last)))
        return max(current, last)

    def deferred(self) -> list[tuple[str, str, str, str]]:
        """Pulled changes waiting for a row not here yet: (table, key, needs table, needs key)."""
        with self.db.read() as s:
            return [(r.table_name, r.row_key, r.needs_table, r.needs_key) for r in s.execute(
                select(_W.c.table_name, _W.c.row_key, _W.c.needs_table, _W.c.needs_key)
                .order_by(_W.c.seq))]

    def index_pending(self, should_stop: Callable[[], bool] | None = None) -> int:
        """Rebuild search keys after a big download, 2,000 delegates per short transaction."""
        with self.db.read() as s:
            if _get(s, K_INDEX) != "1":
                return 0
        after = 0
        done = 0
        while not (should_stop and should_stop()):
            with self.db.write() as s:
                ids = list(s.scalars(select(_D.c.id).where(_D.c.id > after).order_by(_D.c.id)
                                     .limit(INDEX_CHUNK)))
                if not ids:
                    _set(s, K_INDEX, "")
                    break
                index_delegates(s, ids)
                after = ids[-1]
                done += len(ids)
        return done

    # -- the whole round ----------------------------------------------------------------------
    def sync_once(self, *, on_progress: Callable[[int], None] | None = None) -> tuple[PushSummary, int]:
        """Push first, then pull until the hub has nothing more; returns the push and changes applied."""
        pushed = self.push_once()
        applied = 0
        while True:
            first = self.cursor() == 0
            pulled = self.pull_once(limit=0 if first else DEFAULT_PAGE, on_progress=on_progress)
            applied += pulled.applied
            if not pulled.more:
                break
        return pushed, applied

    def _mark_ok(self, *, pull: bool = False) -> None:
        self.online = True
        self.last_error = ""
        now = iso(self.clock.now()) or ""
        with self.db.write() as s:
            _set(s, K_LAST_OK, now)
            if pull:
                _set(s, K_LAST_PULL, now)

    def _offline(self, exc: BaseException) -> None:
        self.online = False
        if "CERTIFICATE_VERIFY_FAILED" in str(exc):
            self.last_error = both(msg("sync.cert_not_pinned"))
            raise PinMismatch(self.last_error) from exc
        self.last_error = both(msg("sync.unreachable", detail=str(exc)))

    def status(self) -> SyncStatus:
        """Enrolment, connectivity, queue and the time of the last successful exchange."""
        with self.db.read() as s:
            url, token = _get(s, K_URL) or "", _get(s, K_TOKEN) or ""
            last_ok = parse_iso(_get(s, K_LAST_PULL) or None)
            desk, cursor = _get(s, K_DESK) or "", int(_get(s, K_CURSOR) or 0)
            refused = _refused_count(s)
        scans, other = self.pending_counts()
        return SyncStatus(bool(url and token), self.online, scans + other, last_ok,
                          self.last_error, desk, url, cursor, self.warnings, refused, self.warning_codes,
                          pending_other=other)

    # -- refusals -------------------------------------------------------------------------------
    # A refused check-in is settled like a stored one (so it leaves the queue and stops blocking
    # the ones behind it) and remembered with the hub's reason; once a pull brings reference data
    # (a delegate arriving later makes it acceptable) the next push queues it again. Which tables
    # take refusals off the queue so is their outbox's to say (settle_refused).
    def refusals(self) -> list[Refusal]:
        """Items the hub refused that wait for new data before they are sent again."""
        with self.db.read() as s:
            values = s.scalars(select(mh.SyncState.value)
                               .where(mh.SyncState.key.like(K_REFUSED + "%"))).all()
        out = []
        for v in values:
            rec = json.loads(v)
            out.append(Refusal(str(rec["table"]), str(rec["key"]), str(rec["reason"]),
                               parse_iso(rec["at"]) or self.clock.now()))
        return out

    def refused_count(self) -> int:
        """How many refused items wait (the status bar shows them apart from the queue)."""
        with self.db.read() as s:
            return _refused_count(s)

    def retry_refusals(self) -> int:
        """Queue every refused item again now; returns how many."""
        with self.db.write() as s:
            return _release(s, None)

    def _release_refusals(self) -> int:
        """Queue again what was refused before the latest reference data; returns the mark to record."""
        with self.db.write() as s:
            mark = int(_get(s, K_REF_DATA) or 0)
            _release(s, mark)
            # Read before sending: data applied while this push is in flight triggers a retry.
            return mark


def _settles_refused(table: str) -> bool:
    """A refused row of this table leaves the queue until new data arrives (else it goes again)."""
    spec = st.REGISTRY.get(table)
    return spec is not None and spec.outbox is not None and spec.outbox.settle_refused


def _refused_count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(mh.SyncState)
                        .where(mh.SyncState.key.like(K_REFUSED + "%"))) or 0)


def _release(s: Session, ref_mark: int | None) -> int:
    """Queue again the refusals recorded before `ref_mark` (None: all); returns how many."""
    rows = s.execute(select(mh.SyncState.key, mh.SyncState.value)
                     .where(mh.SyncState.key.like(K_REFUSED + "%"))).all()
    again = [(key, json.loads(value)) for key, value in rows]
    if ref_mark is not None:
        again = [(key, rec) for key, rec in again if int(rec.get("ref", 0)) < ref_mark]
    by_table: dict[str, list[str]] = {}
    for _key, rec in again:
        by_table.setdefault(str(rec["table"]), []).append(str(rec["key"]))
    for name, keys in by_table.items():
        spec = st.REGISTRY.get(name)
        if spec is not None and spec.outbox is not None and spec.outbox.settle_refused:
            spec.outbox.release(s, keys)
    for part in st._batched([key for key, _rec in again], 500):
        s.execute(delete(mh.SyncState).where(mh.SyncState.key.in_(part)))
    return len(again)


def _runs(changes: Iterable[dict[str, Any]]) -> Iterable[tuple[str, list[dict[str, Any]]]]:
    """A batch's changes per table, referenced tables first, each row's newest snapshot only.

    Seq order alone is not enough: a delegate re-published after its check-ins comes later in
    the feed than they do, and one answer may carry two snapshots of a row (the hub's in-memory
    feed keeps superseded lines); applying the older one after the newer lost the newer (a
    check-in's conflict flag) or broke a unique key (a delegate inserted twice). Across batches
    the same holds, and there _Waiting keeps what came too early.
    """
    newest: dict[tuple[str, str], dict[str, Any]] = {}
    for c in sorted(changes, key=lambda c: int(c["s"])):
        newest.pop((c["t"], str(c["k"])), None)  # re-insert: keep the newest snapshot's position
        newest[(c["t"], str(c["k"]))] = c
    by_table: dict[str, list[dict[str, Any]]] = {}
    for c in newest.values():
        by_table.setdefault(str(c["t"]), []).append(c)
    for table in st.ordered(by_table):
        yield table, by_table[table]


class _Waiting:
    """Pulled changes that name a row this desk does not hold yet, kept in sync_deferred.

    The hub's log keeps each row once, under the seq of its last change. A delegate edited at
    the hub after its check-ins were logged (a second import, a reprint), an activity or a
    category edited after the rows naming it: each now comes later in a download than what
    names it, and a desk reading the log in batches met the check-in (or print, revocation,
    delegate of an unknown category) first, found nothing to attach it to and dropped it for
    good. Here such a change is kept, in the batch's transaction (a restart or a cut download
    loses nothing), and applied in the transaction that brings the row it waits for; the
    cursor moves on as usual. A newer snapshot of the same row replaces a waiting one.

    Why at the desk rather than by moving dependent rows behind each republished row in the
    hub's log (as HubStore._follow_delegates still does for a reprint): one edited category
    would move every delegate of that category and all their events, and every connected desk
    would download them all again; a second import would resend every check-in of everyone it
    touched. Here nothing extra travels, any order the log or the hub's in-memory feed serves
    is fine, and a batch with nothing waiting costs one indexed look-up.
    """

    def __init__(self, s: Session, now: datetime) -> None:
        self.s = s
        self.now = now
        self.any = s.execute(select(_W.c.id).limit(1)).first() is not None

    def settle(self, table: str, run: list[dict[str, Any]], done: st.Applied, *,
               newer: bool = True) -> set[tuple[str, str]]:
        """Keep what `done` could not attach; returns the (table, key) of rows now present here.

        `newer`: these changes come from the hub after every waiting copy of the same rows,
        which they replace.
        """
        keys = [str(c["k"]) for c in run]
        if self.any and newer:
            for part in st._batched(keys, 500):
                self.s.execute(delete(_W).where(_W.c.table_name == table, _W.c.row_key.in_(part)))
        if done.missing:
            by_key = {str(c["k"]): c for c in run}
            rows: dict[str, dict[str, Any]] = {}
            for miss in done.missing:
                c = by_key.get(miss.key)
                if miss.table != table or c is None or miss.key in rows:
                    continue  # one link at a time: a second missing one is found on the next try
                rows[miss.key] = {
                    "table_name": table, "row_key": miss.key, "seq": int(c["s"]),
                    "payload": json.dumps(c["p"], ensure_ascii=False), "needs_table": miss.needs_table,
                    "needs_key": miss.needs_key, "applied": miss.applied, "at": self.now,
                    "reason": next((why for t, k, why in done.skipped if t == table and k == miss.key),
                                   "")[:300]}
            if rows:
                self.s.execute(insert(_W), list(rows.values()))
                self.any = True
        skipped = {k for t, k, _ in done.skipped if t == table}
        return {(table, k) for k in keys if k not in skipped}

    def release(self, arrived: set[tuple[str, str]]) -> st.Applied:
        """Apply what waited for these rows (and, in turn, for the rows that brings in)."""
        total = st.Applied()
        seen: set[tuple[str, str]] = set()
        while self.any and arrived:
            seen |= arrived
            needed = set(self.s.scalars(select(_W.c.needs_table).distinct()))
            rows: list[Any] = []
            for table in needed:
                keys = sorted(k for t, k in arrived if t == table)
                for part in st._batched(keys, 500):
                    rows += self.s.execute(select(_W).where(_W.c.needs_table == table,
                                                            _W.c.needs_key.in_(part))).all()
            if not rows:
                break
            for part in st._batched([r.id for r in rows], 500):
                self.s.execute(delete(_W).where(_W.c.id.in_(part)))
            changes = [{"s": r.seq, "t": r.table_name, "k": r.row_key, "p": json.loads(r.payload)}
                       for r in rows]
            arrived = set()
            for table, run in _runs(changes):
                spec = st.REGISTRY.get(table)
                if spec is None:
                    continue
                done = spec.apply(self.s, [c["p"] for c in run])
                total.merge(done)
                arrived |= self.settle(table, run, done, newer=False)
            arrived -= seen
            self.any = self.s.execute(select(_W.c.id).limit(1)).first() is not None
        return total


def _new_desk_key() -> tuple[str, str]:
    """A fresh Ed25519 desk key (public hex, private PEM) for the hub to certify, if keys exist."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
            PublicFormat,
        )
    except ImportError:  # pragma: no cover - cryptography is a dependency
        return "", ""
    key = Ed25519PrivateKey.generate()
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode("ascii")
    return pub, pem


def _store_desk_key(s: Session, private_pem: str, cert: dict[str, Any] | None) -> None:
    """Keep the desk key and its certificate where the key service looks (when that service exists)."""
    try:
        from checkin_app.storage import models_security as sec
    except ImportError:  # pragma: no cover
        return
    if not hasattr(sec, "DeskKey") or not private_pem or not cert:
        return
    now = parse_iso(cert.get("created_at")) or datetime.now().astimezone()
    if hasattr(sec, "EventKey") and cert.get("event_public_key") and s.scalar(
            select(sec.EventKey.id).where(sec.EventKey.fingerprint == cert["event_key"])) is None:
        s.add(sec.EventKey(fingerprint=cert["event_key"], public_key=cert["event_public_key"],
                           created_at=now, retired_reason=""))
    s.add(sec.DeskKey(key_id=cert["key_id"], desk_name=cert["desk_name"], public_key=cert["public_key"],
                      private_key=private_pem, event_key=cert["event_key"],
                      certificate=cert["certificate"], certified_at=parse_iso(cert["certified_at"]),
                      created_at=now))


def wait_seconds(attempt: int, *, cap: float = 30.0) -> float:
    """Backoff: 1, 2, 4 … seconds, at most `cap`."""
    return float(min(cap, 2 ** max(0, attempt - 1)))


def monotonic() -> float:
    """Indirection so the worker's timing is easy to read in one place."""
    return time.monotonic()
