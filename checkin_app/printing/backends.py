"""Where a badge PDF goes: the system spooler (`lp`), a folder of PDF files, or (from ui/) a Qt printer.

A printer is named by a spec string stored with each job: "lp:QUEUE" ("lp:" for the default
destination), "folder:/some/dir" or "qt:Printer name" ("qt:" for the system default printer).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from checkin_app import partfiles
from checkin_app.domain.messages import both, msg

LP_TIMEOUT_S = 60


class PrintError(Exception):
    """A printer refused or failed; the message is bilingual and says what to check."""


@dataclass(frozen=True, slots=True)
class PrintRequest:
    """One document for a printer: the PDF, a title for the spooler, the badge size in mm."""

    pdf: bytes
    title: str
    page_mm: tuple[float, float]
    file_stem: str = "badge"


class Backend(Protocol):
    """Sends one PDF to a printer; returns a short note (file written, spooler request id)."""

    spec: str

    def print_pdf(self, request: PrintRequest) -> str:
        """Print or raise PrintError."""
        ...


def _safe(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem)[:80] or "badge"


class FolderBackend:
    """Writes each badge as a PDF file into a folder ("print later", tests, a shared drive)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.spec = f"folder:{folder}"
        self._swept = False

    def print_pdf(self, request: PrintRequest) -> str:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            target = self.folder / f"{stamp}-{_safe(request.file_stem)}.pdf"
            n = 1
            while target.exists():
                n += 1
                target = self.folder / f"{stamp}-{_safe(request.file_stem)}-{n}.pdf"
            if not self._swept:  # part files of a desk killed mid-write, once per session
                partfiles.remove_stale(self.folder)
                self._swept = True
            # Written under a hidden part name and renamed, so a watcher never sees half a file.
            with partfiles.PartFile(target) as part:
                part.file.write(request.pdf)
                part.commit()
        except OSError as exc:
            raise PrintError(both(msg("printer.folder_unwritable", folder=str(self.folder),
                                      detail=str(exc.strerror or exc)))) from exc
        return str(target)


def spool_folder() -> Path | None:
    """This user's private folder for PDFs on their way to `lp` (0700, in the system temp
    folder); None when the name is taken by someone else or the folder cannot be made."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"checkin-spool-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return None
    # Not a symlink, ours, and closed to others: another user cannot read or plant files there.
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != uid) \
            or st.st_mode & 0o077:
        return None
    return folder


class SpoolerBackend:
    """The system spooler (CUPS `lp` on Linux and macOS), for printers that take PDF directly."""

    def __init__(self, queue: str, *, lp: str | None = None) -> None:
        self.queue = queue
        self.spec = f"lp:{queue}"
        self._lp = lp

    def command(self, path: Path, request: PrintRequest) -> list[str]:
        """The lp command line: badge-sized media, no scaling (actual size)."""
        lp = self._lp or shutil.which("lp")
        if lp is None:
            raise PrintError(both(msg("printer.no_lp")))
        w, h = request.page_mm
        cmd = [lp]
        if self.queue:
            cmd += ["-d", self.queue]
        cmd += ["-t", request.title, "-o", f"media=Custom.{w:g}x{h:g}mm",
                "-o", "print-scaling=none", "--", str(path)]
        return cmd

    def _run(self, path: Path, request: PrintRequest) -> subprocess.CompletedProcess[str]:
        cmd = self.command(path, request)
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=LP_TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise PrintError(both(msg("printer.lp_timeout", seconds=LP_TIMEOUT_S))) from exc
        except OSError as exc:
            raise PrintError(both(msg("printer.lp_failed", detail=str(exc)))) from exc

    def print_pdf(self, request: PrintRequest) -> str:
        folder = spool_folder()
        if folder is None:  # no private folder to be had: a fresh temporary one, as before
            with tempfile.TemporaryDirectory(prefix="badge-") as tmp:
                path = Path(tmp) / f"{_safe(request.file_stem)}.pdf"
                path.write_bytes(request.pdf)
                proc = self._run(path, request)
        else:
            # A locked part file in the desk's own spool folder (lp copies it to the spooler):
            # one a killed desk left behind, with a person's name in it, goes at the next print.
            partfiles.remove_stale(folder)
            with partfiles.PartFile(folder / f"{_safe(request.file_stem)}.pdf") as part:
                part.file.write(request.pdf)
                part.file.flush()
                proc = self._run(part.path, request)
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip() or f"exit {proc.returncode}"
            where = self.queue or "default"
            raise PrintError(both(msg("printer.refused", where=where, detail=detail)))
        m = re.search(r"request id is (\S+)", proc.stdout)
        return m.group(1) if m else proc.stdout.strip()


def spooler_printers(lpstat: str | None = None) -> list[str]:
    """Queues the system spooler knows (empty when CUPS is not there)."""
    exe = lpstat or shutil.which("lpstat")
    if exe is None:
        return []
    try:
        proc = subprocess.run([exe, "-e"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


BackendFactory = Callable[[str], Backend]
_FACTORIES: dict[str, BackendFactory] = {
    "folder": lambda rest: FolderBackend(Path(rest).expanduser()),
    "lp": lambda rest: SpoolerBackend(rest),
}


def register_backend(kind: str, factory: BackendFactory) -> None:
    """Add a kind of printer (the desk registers "qt" from ui/, keeping Qt out of this package)."""
    _FACTORIES[kind] = factory


def backend_for(spec: str) -> Backend:
    """The backend a printer spec names."""
    kind, _, rest = spec.partition(":")
    factory = _FACTORIES.get(kind)
    if factory is None:
        known = ", ".join(sorted(_FACTORIES))
        raise PrintError(both(msg("printer.unknown_kind", kind=repr(kind), known=known)))
    if kind == "folder" and not rest:
        raise PrintError(both(msg("printer.folder_needs_path")))
    return factory(rest)


def describe(spec: str) -> str:
    """A printer spec in words for the desk: 'Folder /x', 'Spooler PDF', 'Printer HP (system)'."""
    kind, _, rest = spec.partition(":")
    if kind == "folder":
        return f"{both(msg('printer.kind.folder'), sep=' ')} {rest}"
    if kind == "lp":
        return f"{both(msg('printer.kind.spooler'), sep=' ')} {rest or both(msg('printer.default'), sep=' ')}"
    if kind == "qt":
        return (f"{both(msg('printer.kind.printer'), sep=' ')} "
                f"{rest or both(msg('printer.name.system_default'), sep=' ')}")
    return spec
