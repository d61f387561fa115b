"""Worker processes that end with the process that started them, however it ends (SIGKILL too)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import wait

# The exit status of a worker whose parent went away (it had nothing left to do).
ORPHANED = 3


def die_with_parent() -> None:
    """In a spawned worker (a pool's initializer, or first thing in a Process target): exit as
    soon as the parent process is gone.

    A killed import left its XLSX reader and key-building workers running for good: they wait
    on queues that hold their own write ends, so they never see the parent go. The parent's
    sentinel that multiprocessing hands every spawned child (the read end of a pipe only the
    parent holds open on Linux and macOS, the parent's process handle on Windows) becomes
    ready when the parent ends in any way; a daemon thread waits on it and ends the worker.
    Chosen over Linux's PR_SET_PDEATHSIG, which is Linux-only and fires when the *thread* that
    started the worker ends: pool workers start from whichever thread submits first, and in the
    desk that is a pool thread that may retire while the workers are still needed.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # not a spawned child: nothing to watch
        return
    sentinel = parent.sentinel

    def watch() -> None:
        wait([sentinel])
        os._exit(ORPHANED)  # no clean-up: a worker's state is the parent's, and that is gone

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
