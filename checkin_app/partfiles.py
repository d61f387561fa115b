"""Output files written under a hidden temporary name beside their target and renamed into place whole.

A part file is `.<target name>.<random>.part`: hidden, and never ending in the target's own
suffix, so nobody takes it for output. Its writer holds a lock on it for as long as it writes;
the kernel drops that lock when the writer dies, however it dies, so the next writer in the
folder knows a part file whose lock it can take is a leftover of a killed run and removes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

SUFFIX = ".part"
# Ours: mkstemp's 8 random characters between the hidden target name and the suffix; and the
# names earlier versions used (`<target>.part`, `tmpXXXXXXXX.part`), kept from killed runs.
_OURS = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}\.part$|^tmp[a-z0-9_]{8}\.part$")


def _try_lock(fd: int) -> bool:
    """Take the writer's lock without waiting; False when a live writer holds it."""
    if sys.platform == "win32":  # pragma: no cover - Windows: an open file cannot be deleted anyway
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    own = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (own.st_dev, own.st_ino)


def remove_stale(folder: Path, legacy_targets: tuple[str, ...] = ()) -> list[Path]:
    """Remove the part files in `folder` that no live writer holds; the paths removed.

    `legacy_targets`: output names whose `<name>.part` an earlier version left (no lock then).
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    legacy = {f"{t}{SUFFIX}" for t in legacy_targets}
    for entry in entries:
        if not entry.name.endswith(SUFFIX) or not (
                _OURS.match(entry.name) or entry.name in legacy):
            continue
        path = Path(entry.path)
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            if not _try_lock(fd):
                continue
            # Unlinked while locked: a writer starting now cannot have opened this name.
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
        finally:
            os.close(fd)
    return removed


class PartFile:
    """A file written as `.<name>.<random>.part` in the target's folder; `commit` renames it into
    place (after fsync, so the target is never a torn file), anything else removes it.

    Use as a context manager: leaving without `commit` (an error, a cancel) discards the part.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=SUFFIX)
            # Between creating and locking, a cleaner may have taken the unlocked file for a
            # leftover and removed it: then the name is not this file any more; make another.
            if _try_lock(fd) and _same_file(fd, Path(name)):
                break
            os.close(fd)
        self.path = Path(name)
        self.file: BinaryIO = os.fdopen(fd, "wb")
        self._done = False

    def commit(self) -> None:
        """Make the written bytes the target, atomically."""
        self.file.flush()
        os.fsync(self.file.fileno())
        if sys.platform == "win32":  # pragma: no cover - Windows renames only closed files
            self.file.close()
        os.replace(self.path, self.target)
        self.file.close()  # the lock goes with the descriptor, after the rename
        self._done = True

    def discard(self) -> None:
        """Drop what was written."""
        if self._done:
            return
        self._done = True
        self.file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> PartFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.discard()
