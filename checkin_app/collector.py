"""The garbage collector paused while a big job (an import, building the name index) runs."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """Pauses the garbage collector's passes while big jobs (imports, the name index) run.

    An import keeps thousands of records alive at a time and makes millions of objects, so the
    collector runs thousands of passes, and its oldest generation (half a million objects from
    the libraries: pypinyin's tables, SQLAlchemy, CLDR data) is walked again and again: about
    2 s of a 100,000-row import, a quarter of it. Nothing such a job makes needs the collector
    to be freed (records, rows, keys and reports go by reference counting; SQLAlchemy makes a
    few hundred cyclic objects per statement), so the collector is off while a job runs. Once
    the job's first part has loaded the libraries it uses, the objects there are frozen too
    (`freeze`), so that a collection another thread asks for meanwhile does not walk them.
    When the last job of the process ends, the collector is on again (if it was) and the
    frozen objects are given back.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: set[int] = set()
        self._was_enabled = False
        self._frozen = False

    def pause_for(self, holder: object) -> None:
        """The collector off while `holder` (a job's own object) runs."""
        with self._lock:
            if not self._holders:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders.add(id(holder))

    def freeze(self) -> None:
        """The objects there now (once a job's first part loaded its libraries) out of later passes.

        Not when something else has frozen objects already (the hub freezes what it loaded
        when it starts): gc.unfreeze cannot give back only our part, and would undo theirs."""
        with self._lock:
            if self._holders and not self._frozen and gc.get_freeze_count() == 0:
                gc.freeze()
                self._frozen = True

    def resume_after(self, holder: object) -> None:
        """`holder`'s job is over: resume when it was the last one."""
        with self._lock:
            if id(holder) not in self._holders:
                return
            self._holders.discard(id(holder))
            if not self._holders:
                if self._frozen:
                    gc.unfreeze()
                    self._frozen = False
                if self._was_enabled:
                    gc.enable()


_PAUSE = _Pause()
pause_for = _PAUSE.pause_for
freeze = _PAUSE.freeze
resume_after = _PAUSE.resume_after


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the `with` block (a job), on again after the last such block ends."""
    job = object()
    pause_for(job)
    try:
        yield
    finally:
        resume_after(job)


def off_in_worker() -> None:
    """In a worker process of our own that lives for one job: no collections from now on (what
    the job makes is freed by reference counting; the process ends with the job)."""
    gc.freeze()
    gc.disable()
