"""Test-only launcher: `checkin-app hub` with a fault hook in every HubStore of the process.

    python -m tests.hub.fault_hub POINT SECONDS hub --db ... (the rest is the command line)

At POINT (see checkin_app.hub.faults) each push sleeps SECONDS, so a test can SIGKILL the
hub there. Production code reads no setting for this; the hook exists only in this process.
"""

from __future__ import annotations

import runpy
import sys
import time
from typing import Any

from checkin_app.hub.store import HubStore


def main() -> None:
    """Install the hook, then run the real command line as `python -m checkin_app` would."""
    point, seconds, *argv = sys.argv[1:]

    def hook(at: str) -> None:
        if at == point:
            time.sleep(float(seconds))

    made = HubStore.__init__

    def with_hook(self: HubStore, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        self.faults = hook

    # Every store, however the command builds it (hub.server.prepare today).
    setattr(HubStore, "__init__", with_hook)  # noqa: B010 (mypy refuses assigning a method)
    sys.argv = ["checkin-app", *argv]
    runpy.run_module("checkin_app", run_name="__main__")


if __name__ == "__main__":
    main()
