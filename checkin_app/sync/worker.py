"""The background sync worker: pushes first, then long-polls; retries with backoff; never blocks scanning."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from checkin_app.domain.messages import both, msg
from checkin_app.sync.client import DeskSync, SyncStatus, monotonic
from checkin_app.sync.protocol import AccessRefused, PinMismatch, ProtocolMismatch, SyncError

log = logging.getLogger(__name__)
LONG_POLL_S = 25.0
# A push also goes out this often without a kick, so audit entries and retries are not stranded.
PUSH_INTERVAL_S = 5.0
# At most one pull per desk this often while changes keep coming: with many desks, every
# check-in wakes every long-poll, and pacing lets one pull carry several changes.
MIN_PULL_INTERVAL_S = 1.0
# Retrying after a failure: 0.5, 1, 2, 2, 2 … s, each between half and all of that (jitter, so
# desks that lost the hub together do not come back in step). The cap is low on purpose: a hub
# that is back (a restart, a cable) is seen within about 2 s, not after a 16-s backoff; each
# attempt against a hub that is down is one refused connection, which costs the hub nothing.
RETRY_FIRST_S = 0.5
MAX_BACKOFF_S = 2.0
# Errors that waiting will not fix quickly: retry, but slowly.
_SLOW = (ProtocolMismatch, AccessRefused, PinMismatch)
SLOW_BACKOFF_S = 60.0


def backoff(attempt: int, cap: float = MAX_BACKOFF_S,
            rng: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, …): doubling from RETRY_FIRST_S up
    to `cap`, times a random factor in [0.5, 1]."""
    base = min(cap, RETRY_FIRST_S * float(1 << min(max(0, attempt - 1), 16)))
    return base * (0.5 + 0.5 * rng())


class SyncWorker:
    """Daemon threads over one DeskSync: a pusher (woken by kick()), a long-polling puller, and
    an indexer that rebuilds search keys after a big download.

    `on_status(SyncStatus)` is called from those threads after every attempt; `on_changes(int)`
    after a pull applied something. Both must be quick and thread-safe (the GUI re-posts them).
    """

    def __init__(self, sync: DeskSync, *, on_status: Callable[[SyncStatus], None] | None = None,
                 on_changes: Callable[[int], None] | None = None, long_poll_s: float = LONG_POLL_S,
                 push_interval_s: float = PUSH_INTERVAL_S, max_backoff_s: float = MAX_BACKOFF_S,
                 min_pull_interval_s: float = MIN_PULL_INTERVAL_S) -> None:
        self.sync = sync
        self.on_status = on_status or (lambda _s: None)
        self.on_changes = on_changes or (lambda _n: None)
        self.long_poll_s = long_poll_s
        self.push_interval_s = push_interval_s
        self.max_backoff_s = max_backoff_s
        self.min_pull_interval_s = min_pull_interval_s
        self._stop = threading.Event()
        self._kick = threading.Event()
        self._first_push_done = threading.Event()
        # Search keys after a big download are rebuilt on their own thread, so a long-poll
        # (and with it propagation from other desks) never waits for the index.
        self._reindex = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start both threads (idempotent)."""
        if self._threads:
            return
        self._stop.clear()
        for name, target in (("sync-push", self._push_loop), ("sync-pull", self._pull_loop),
                             ("sync-index", self._index_loop)):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def kick(self) -> None:
        """Push now (after a scan), instead of at the next interval."""
        self._kick.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop both threads; a long-poll in flight is abandoned by closing its connection."""
        self._stop.set()
        self._kick.set()
        self._reindex.set()
        self.sync.close_clients()
        for t in self._threads:
            t.join(timeout)
        self._threads = []
        # A thread between its stop check and its request may have opened a new connection
        # after the first close (an unclosed socket at exit): close what is left once they end.
        self.sync.close_clients()

    @property
    def running(self) -> bool:
        """Whether the threads are alive."""
        return any(t.is_alive() for t in self._threads)

    def _enrolled(self) -> bool:
        try:
            return self.sync.config() is not None
        except Exception:  # the database closing under us during shutdown
            return False

    def _cap(self, exc: BaseException) -> float:
        return max(self.max_backoff_s, SLOW_BACKOFF_S) if isinstance(exc, _SLOW) else self.max_backoff_s

    def _report(self) -> None:
        try:
            self.on_status(self.sync.status())
        except Exception:  # the database closing under us during shutdown
            log.debug("status report failed", exc_info=True)

    def _push_loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            delay = self.push_interval_s
            if self._enrolled():
                try:
                    self.sync.push_once()
                    attempt = 0
                except SyncError as exc:
                    attempt += 1
                    delay = backoff(attempt, self._cap(exc))
                    self.sync.online = False
                    self.sync.last_error = str(exc)
                except Exception as exc:  # never let the thread die: report and retry
                    attempt += 1
                    delay = backoff(attempt, self.max_backoff_s)
                    self.sync.online = False
                    self.sync.last_error = both(msg("sync.failed", detail=str(exc)))
                    log.exception("push failed")
                self._report()
            self._first_push_done.set()
            self._kick.wait(delay)
            self._kick.clear()

    def _index_loop(self) -> None:
        self._reindex.set()  # a download cut short last time may have left work behind
        while not self._stop.is_set():
            self._reindex.wait(5.0)
            if self._stop.is_set():
                break
            if self._reindex.is_set():
                self._reindex.clear()
                try:
                    self.sync.index_pending(self._stop.is_set)
                except Exception:  # a closing database; the flag stays set for next time
                    log.debug("search index rebuild stopped", exc_info=True)

    def _pull_loop(self) -> None:
        # Push first: what this desk recorded offline reaches the hub before it downloads.
        self._first_push_done.wait(10.0)
        attempt = 0
        last_pull = 0.0
        # The first pull, and the first after a failure, asks without waiting: a long-poll
        # answers only when something changes (up to 25 s), and until an answer comes the
        # desk cannot say it is online again.
        probe = True
        while not self._stop.is_set():
            if not self._enrolled():
                self._report()
                self._stop.wait(2.0)
                continue
            since_last = monotonic() - last_pull
            if since_last < self.min_pull_interval_s:
                self._stop.wait(self.min_pull_interval_s - since_last)
            last_pull = monotonic()
            try:
                catching_up = self.sync.cursor() == 0
                result = self.sync.pull_once(
                    wait=0.0 if catching_up or probe else self.long_poll_s,
                    limit=0 if catching_up else 5000)
                attempt = 0
                probe = False
                if result.applied:
                    self.on_changes(result.applied)
                self._report()
                if result.applied and not result.more:
                    self._reindex.set()
            except SyncError as exc:
                if self._stop.is_set():
                    break
                attempt += 1
                probe = True
                self.sync.online = False
                self.sync.last_error = str(exc)
                self._report()
                self._stop.wait(backoff(attempt, self._cap(exc)))
            except Exception as exc:
                if self._stop.is_set():
                    break
                attempt += 1
                probe = True
                self.sync.online = False
                self.sync.last_error = both(msg("sync.failed", detail=str(exc)))
                log.exception("pull failed")
                self._report()
                self._stop.wait(backoff(attempt, self.max_backoff_s))
