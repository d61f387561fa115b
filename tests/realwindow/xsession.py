"""An X session for real-window tests: Xvfb, a D-Bus session bus, openbox and an input method.

Every process here is started by these helpers in its own process group and stopped by that
group's id; nothing else on the machine is touched. Tools that are missing are reported with the
Debian package that provides them, so a CI machine without them fails loudly instead of skipping.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")

SCREEN = (1366, 768)

# tool -> Debian package (what .ci/run installs)
TOOLS = {
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "dbus-daemon": "dbus-daemon",
    "openbox": "openbox",
    "xwininfo": "x11-utils",
    "xprop": "x11-utils",
    "import": "imagemagick",
    "xclip": "xclip",
    "wmctrl": "wmctrl",
    "dbus-send": "dbus-bin",
}
IME_TOOLS = {
    "ibus": {"ibus-daemon": "ibus", "ibus": "ibus", "/usr/libexec/ibus-engine-libpinyin": "ibus-libpinyin"},
    "fcitx5": {
        "fcitx5": "fcitx5",
        "fcitx5-remote": "fcitx5",
        # the pinyin engine and the ibus-compatible frontend (the Qt wheels have no fcitx plugin)
        "/usr/share/fcitx5/addon/pinyin.conf": "fcitx5-chinese-addons",
        "/usr/share/fcitx5/addon/ibusfrontend.conf": "fcitx5-modules",
    },
}


def _can_raise_priority() -> bool:
    try:
        return subprocess.run(["nice", "-n", "-1", "true"], capture_output=True, timeout=5).returncode == 0 \
            and os.getpriority(os.PRIO_PROCESS, 0) == 0
    except (OSError, subprocess.SubprocessError):
        return False


# A scanner is hardware: its keys do not wait for a CPU. The X server and xdotool (which play
# the scanner's part) run ahead of everything else when allowed (root, as in CI), so the key
# timing the desk sees is the scanner's, not the load of a shared 2-core test machine.
HARDWARE = ["nice", "-n", "-15"] if _can_raise_priority() else []


class SessionError(RuntimeError):
    """The X session or input method could not be set up; the message says what to install."""


def missing_tools(tools: dict[str, str]) -> list[str]:
    """`tool (apt package)` for each tool that is not on this machine."""
    out = []
    for tool, pkg in tools.items():
        found = Path(tool).exists() if tool.startswith("/") else shutil.which(tool) is not None
        if not found:
            out.append(f"{tool} (apt-get install {pkg})")
    return out


def require(tools: dict[str, str]) -> None:
    """Raise SessionError naming every missing tool and its package."""
    missing = missing_tools(tools)
    if missing:
        raise SessionError("real-window tests need: " + ", ".join(missing))


def poll(fn: Callable[[], T], timeout: float, interval: float = 0.05, what: str = "") -> T:
    """Call fn until it returns something truthy; raise TimeoutError after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > end:
            raise TimeoutError(f"timed out after {timeout:.1f} s waiting for {what or fn}")
        time.sleep(interval)


@dataclass
class Proc:
    """A child started in its own process group, with its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM the group, then SIGKILL it; returns the exit code of the leader."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout)
        else:
            # The leader is gone; helpers it left in its group (ibus engines, panels) are not.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
        return self.popen.returncode

    def tail(self, n: int = 30) -> str:
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])


def spawn(name: str, argv: Sequence[str], env: dict[str, str], logdir: Path,
          cwd: Path | None = None, pass_fds: Sequence[int] = (), stdin_text: str | None = None) -> Proc:
    """Start argv in a new session (own process group), stdout+stderr to logdir/name.log."""
    logdir.mkdir(parents=True, exist_ok=True)
    log = logdir / f"{name}.log"
    stdin: int | IO[bytes] = subprocess.DEVNULL
    if stdin_text is not None:
        stdin = tempfile.TemporaryFile()  # noqa: SIM115 (closed below, once the child has it)
        stdin.write(stdin_text.encode())
        stdin.seek(0)
    try:
        with open(log, "ab") as out:
            popen = subprocess.Popen(list(argv), env=env, cwd=cwd, stdin=stdin, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     pass_fds=tuple(pass_fds))
    finally:
        if not isinstance(stdin, int):
            stdin.close()
    return Proc(name, popen, log)


def run(argv: Sequence[str], env: dict[str, str], timeout: float = 20.0,
        check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a short command and capture its output."""
    res = subprocess.run(list(argv), env=env, capture_output=True, text=True, timeout=timeout,
                         stdin=subprocess.DEVNULL, cwd=cwd)
    if check and res.returncode != 0:
        raise SessionError(f"{' '.join(argv)} exited {res.returncode}: {res.stderr.strip()}")
    return res


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment without display, bus, input method or Qt platform settings,
    with HOME and the XDG folders moved into `home`."""
    drop = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "QT_QPA_PLATFORM", "QT_IM_MODULE",
            "QT_IM_MODULES", "GTK_IM_MODULE", "XMODIFIERS", "IBUS_ADDRESS", "SESSION_MANAGER",
            "XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP", "CHECKIN_TRACE", "CHECKIN_EXIT_WHEN_READY",
            "CHECKIN_CLOCK", "PYTEST_CURRENT_TEST", "QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    dirs = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local" / "state",
        "XDG_RUNTIME_DIR": home / "run",
    }
    for key, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        env[key] = str(path)
    (home / "run").chmod(0o700)
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    env["NO_AT_BRIDGE"] = "1"  # no accessibility bus for GTK helpers
    return env


@dataclass
class XSession:
    """Xvfb + D-Bus session + openbox, with an environment for children that use them."""

    home: Path
    logdir: Path
    env: dict[str, str] = field(default_factory=dict)
    display: str = ""
    procs: list[Proc] = field(default_factory=list)

    def start(self) -> XSession:
        require(TOOLS)
        self.env = clean_env(self.home)
        # -displayfd: Xvfb picks a free display itself and writes its number to the pipe.
        rfd, wfd = os.pipe()
        try:
            xvfb = spawn("xvfb", [*HARDWARE, "Xvfb", "-displayfd", str(wfd), "-screen", "0",
                                  f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp", "-noreset"],
                         self.env, self.logdir, pass_fds=[wfd])
            self.procs.append(xvfb)
            os.close(wfd)
            wfd = -1
            buf = b""
            end = time.monotonic() + 15
            while not buf.endswith(b"\n"):
                if time.monotonic() > end or not xvfb.alive():
                    raise SessionError(f"Xvfb did not start:\n{xvfb.tail()}")
                chunk = os.read(rfd, 16)
                if not chunk:
                    raise SessionError(f"Xvfb did not start:\n{xvfb.tail()}")
                buf += chunk
        finally:
            os.close(rfd)
            if wfd >= 0:
                os.close(wfd)
        self.display = ":" + buf.decode().strip()
        self.env["DISPLAY"] = self.display
        self.env["QT_QPA_PLATFORM"] = "xcb"
        bus = spawn("dbus", ["dbus-daemon", "--session", "--nofork", "--nopidfile",
                             f"--address=unix:path={self.home}/run/bus"], self.env, self.logdir)
        self.procs.append(bus)
        poll(lambda: (self.home / "run" / "bus").exists(), 10, what="the D-Bus session bus")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={self.home}/run/bus"
        wm = spawn("openbox", ["openbox", "--sm-disable"], self.env, self.logdir)
        self.procs.append(wm)
        poll(self._wm_running, 10, what="openbox to manage the screen")
        return self

    def _wm_running(self) -> bool:
        res = run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], self.env, check=False)
        return "window id" in res.stdout

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()
        self.procs.clear()

    # -- X helpers -------------------------------------------------------------------------
    def xdo(self, *args: str, timeout: float = 30.0, check: bool = True) -> str:
        """Run xdotool; returns its stdout."""
        return run(["xdotool", *args], self.env, timeout=timeout, check=check).stdout

    def type(self, text: str, delay_ms: int) -> None:
        """Type like a keyboard-wedge scanner: XTEST key events into the focused window."""
        run([*HARDWARE, "xdotool", "type", "--clearmodifiers", "--delay", str(delay_ms), "--", text],
            self.env, timeout=60)

    def key(self, *keys: str) -> None:
        self.xdo("key", "--clearmodifiers", *keys)

    def windows(self, *, pid: int | None = None, name: str | None = None) -> list[int]:
        """Visible windows of a process or with a title matching `name` (regex)."""
        args = ["search", "--onlyvisible"]
        if pid is not None:
            args += ["--pid", str(pid)]
        args += ["--name", name or "."]
        out = self.xdo(*args, check=False)
        return [int(w) for w in out.split()]

    def window_name(self, wid: int) -> str:
        return self.xdo("getwindowname", str(wid), check=False).strip()

    def activate(self, wid: int, attempts: int = 3) -> None:
        """Raise and focus a window. One the window manager has not taken on yet (just mapped on
        a loaded machine: "XGetWindowProperty[_NET_WM_DESKTOP] failed") never turns active for
        that request, and `--sync` waits on it for ever: ask again (seen once in a full CI run)."""
        for attempt in range(attempts):
            try:
                self.xdo("windowactivate", "--sync", str(wid), check=False, timeout=10)
                break
            except subprocess.TimeoutExpired:
                if attempt == attempts - 1:
                    raise SessionError(f"window {wid} did not become active in {attempts} tries") from None
                time.sleep(1)
        self.xdo("windowfocus", "--sync", str(wid), check=False, timeout=10)

    def active_window(self) -> int:
        out = self.xdo("getactivewindow", check=False).strip()
        return int(out) if out.isdigit() else 0

    def focused_window(self) -> int:
        out = self.xdo("getwindowfocus", "-f", check=False).strip()
        return int(out) if out.isdigit() else 0

    def frame_extents(self, wid: int) -> tuple[int, int, int, int]:
        """(left, right, top, bottom) of the window manager's frame (_NET_FRAME_EXTENTS)."""
        out = run(["xprop", "-id", str(wid), "_NET_FRAME_EXTENTS"], self.env, check=False).stdout
        m = re.search(r"=\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+)", out)
        if not m:
            raise SessionError(f"no _NET_FRAME_EXTENTS on window {wid}: {out.strip()}")
        left, right, top, bottom = (int(g) for g in m.groups())
        return left, right, top, bottom

    def frame_geometry(self, wid: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the window including the window manager's frame (title bar)."""
        x, y, w, h = self.client_geometry(wid)
        left, right, top, bottom = self.frame_extents(wid)
        return x - left, y - top, w + left + right, h + top + bottom

    def client_geometry(self, wid: int) -> tuple[int, int, int, int]:
        out = run(["xwininfo", "-id", str(wid)], self.env).stdout
        return _xwininfo_geometry(out)

    def screenshot(self, path: Path) -> Path | None:
        """The whole screen as PNG (for a failed test)."""
        res = run(["import", "-window", "root", str(path)], self.env, check=False, timeout=20)
        return path if res.returncode == 0 and path.exists() else None

    def screen_rgb(self) -> bytes:
        """The whole screen as raw 8-bit RGB, row by row (SCREEN wide)."""
        res = subprocess.run(["import", "-window", "root", "-depth", "8", "rgb:-"], env=self.env,
                             capture_output=True, timeout=20, stdin=subprocess.DEVNULL, check=True)
        return res.stdout

    def find_block(self, rgb: tuple[int, int, int], min_w: int = 40, min_h: int = 12,
                   region: tuple[int, int, int, int] = (0, 0, *SCREEN),
                   data: bytes | None = None) -> tuple[int, int, int, int] | None:
        """The top-most area filled with exactly this colour (text on it allowed), at least
        min_w × min_h, within region (x, y, w, h): (x0, y0, x1, y1) inclusive, or None.
        Finds a coloured button or bar on screen."""
        data = self.screen_rgb() if data is None else data
        width = SCREEN[0]
        run_re = re.compile(b"(?:" + re.escape(bytes(rgb)) + b"){8,}")
        rx, ry, rw, rh = region
        x_lo, x_hi = max(0, rx), min(width, rx + rw)
        group: list[int] | None = None  # [x0, y0, x1, y1]
        for y in range(max(0, ry), min(SCREEN[1], ry + rh) + 1):
            spans = []
            if y < min(SCREEN[1], ry + rh):
                row = data[y * width * 3:(y + 1) * width * 3]
                for m in run_re.finditer(row, x_lo * 3, x_hi * 3):
                    start = m.start() + (-m.start()) % 3
                    if m.end() - start >= 24:
                        spans.append((start // 3, (m.end() // 3) - 1))
            if group is not None:
                touching = [sp for sp in spans if sp[0] <= group[2] and sp[1] >= group[0]]
                if touching:
                    group[0] = min(group[0], *(sp[0] for sp in touching))
                    group[2] = max(group[2], *(sp[1] for sp in touching))
                    group[3] = y
                    continue
                if group[2] - group[0] + 1 >= min_w and group[3] - group[1] + 1 >= min_h:
                    return (group[0], group[1], group[2], group[3])
                group = None
            if spans:
                widest = max(spans, key=lambda sp: sp[1] - sp[0])
                group = [widest[0], y, widest[1], y]
        return None

    def click(self, x: int, y: int) -> None:
        self.xdo("mousemove", str(x), str(y), "click", "1")

    def clipboard(self) -> str:
        """Text of the CLIPBOARD selection (xclip)."""
        res = run(["xclip", "-o", "-selection", "clipboard"], self.env, check=False, timeout=5)
        return res.stdout if res.returncode == 0 else ""


def _xwininfo_geometry(out: str) -> tuple[int, int, int, int]:
    def num(label: str) -> int:
        m = re.search(rf"{label}:\s+(-?\d+)", out)
        if not m:
            raise SessionError(f"xwininfo gave no {label}: {out}")
        return int(m.group(1))

    return (num("Absolute upper-left X"), num("Absolute upper-left Y"), num("Width"), num("Height"))


@contextlib.contextmanager
def started(session: XSession) -> Iterator[XSession]:
    try:
        yield session.start()
    finally:
        session.stop()
