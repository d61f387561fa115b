"""Fault points in the hub's push path: a test installs what happens there (production runs none)."""

from __future__ import annotations

from collections.abc import Callable

# Called with the point's name: "push-before-commit" (inside the push's transaction, so a test
# can SIGKILL the hub mid-push) and "push-after-commit" (committed, the answer not yet sent).
FaultHook = Callable[[str], None]


def no_faults(point: str) -> None:
    """The hub's own hook: nothing happens at any point."""
