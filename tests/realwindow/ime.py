"""Chinese input methods for real-window tests, and the control that proves one is active.

- ibus: `ibus-daemon --xim --replace` (in the foreground, so it stays in our process group; it
  quits by itself when its parent dies), then `ibus engine libpinyin`, checked with `ibus engine`.
  Qt uses it through the wheel's own ibus plugin (QT_IM_MODULE=ibus).
- fcitx5: the PySide6 wheel ships no fcitx plugin (plugins/platforminputcontexts holds compose,
  ibus and the virtual keyboard only), and Debian's fcitx5-frontend-qt6 is built against the
  system Qt, not the wheel's. So Qt reaches fcitx5 the way a wheel-based app on a Chinese Linux
  desk does: through fcitx5's ibus-compatible frontend (QT_IM_MODULE=ibus, fcitx5 owning
  org.freedesktop.IBus on the session bus and writing the ibus address file). The profile makes
  pinyin the input method of the only group and the global config makes every input context
  active from the start (ActiveByDefault, shared state); `fcitx5-remote -o` activates the focused
  context if it is not, and `fcitx5-remote -n` must answer pinyin.

Whatever the set-up says, `prove_intercepts` types pinyin into a plain QLineEdit and requires
that the input method took the letters (nothing committed) and committed Chinese on Space.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.realwindow.xsession import IME_TOOLS, Proc, SessionError, XSession, poll, require, run, spawn

HERE = Path(__file__).resolve().parent
PROBE = HERE / "probe_lineedit.py"
CJK = re.compile(r"[\u3400-\u9fff]")

FCITX_PROFILE = """\
[Groups/0]
Name=Default
Default Layout=us
DefaultIM=pinyin

[Groups/0/Items/0]
Name=keyboard-us
Layout=

[Groups/0/Items/1]
Name=pinyin
Layout=

[GroupOrder]
0=Default
"""

FCITX_CONFIG = """\
[Behavior]
ActiveByDefault=True
ShareInputState=All
ShowInputMethodInformation=False
ShowFirstInputMethodInformation=False
"""
# Cloud pinyin would go to the network; the others need a desktop shell or Wayland.
FCITX_DISABLED = "cloudpinyin,wayland,waylandim,kimpanel,notificationitem,notifications"


@dataclass
class InputMethod:
    """One input method running in an XSession (or "none": no input method at all)."""

    name: str
    session: XSession
    env: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)
    evidence: dict[str, object] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.name != "none"

    def start(self) -> InputMethod:
        base = dict(self.session.env)
        if self.name == "none":
            # No daemon; Qt's default (compose) context. Nothing can eat keys.
            base.pop("QT_IM_MODULE", None)
            self.env = base
            return self
        require(IME_TOOLS[self.name])
        if self.name == "ibus":
            base.update(QT_IM_MODULE="ibus", GTK_IM_MODULE="ibus", XMODIFIERS="@im=ibus")
            self.env = base
            self._start_ibus()
        elif self.name == "fcitx5":
            base.update(QT_IM_MODULE="ibus", GTK_IM_MODULE="fcitx", XMODIFIERS="@im=fcitx")
            self.env = base
            self._start_fcitx5()
        else:
            raise ValueError(self.name)
        return self

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()
        self.procs.clear()
        # The next input method must not find this one's address file.
        bus = Path(self.session.env["XDG_CONFIG_HOME"]) / "ibus" / "bus"
        for f in bus.glob("*"):
            f.unlink()

    # -- ibus ------------------------------------------------------------------------------
    def _start_ibus(self) -> None:
        proc = spawn("ibus-daemon", ["ibus-daemon", "--xim", "--replace", "--panel=disable",
                                     "--emoji-extension=disable", "--verbose"],
                     self.env, self.session.logdir)
        self.procs.append(proc)

        def engine_set() -> bool:
            if not proc.alive():
                raise SessionError(f"ibus-daemon exited {proc.popen.returncode}:\n{proc.tail()}")
            if "(null)" in run(["ibus", "address"], self.env, check=False).stdout:
                return False
            run(["ibus", "engine", "libpinyin"], self.env, check=False)  # exits 1 even when it works
            return run(["ibus", "engine"], self.env, check=False).stdout.strip() == "libpinyin"

        try:
            poll(engine_set, 20, interval=0.2, what="ibus to run with the libpinyin engine")
        except TimeoutError as exc:
            raise SessionError(f"{exc}; ibus-daemon log:\n{proc.tail()}") from exc
        self.evidence["ibus engine"] = "libpinyin"

    def ibus_engine(self) -> str:
        return run(["ibus", "engine"], self.env, check=False).stdout.strip()

    # -- fcitx5 ----------------------------------------------------------------------------
    def _start_fcitx5(self) -> None:
        conf = Path(self.env["XDG_CONFIG_HOME"]) / "fcitx5"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "profile").write_text(FCITX_PROFILE)
        (conf / "config").write_text(FCITX_CONFIG)
        proc = spawn("fcitx5", ["fcitx5", "--replace", f"--disable={FCITX_DISABLED}", "--verbose=*=2"],
                     self.env, self.session.logdir)
        self.procs.append(proc)
        bus = Path(self.env["XDG_CONFIG_HOME"]) / "ibus" / "bus"

        def ready() -> bool:
            if not proc.alive():
                raise SessionError(f"fcitx5 exited {proc.popen.returncode}:\n{proc.tail()}")
            remote = run(["fcitx5-remote"], self.env, check=False)
            # Qt's ibus plugin reads the address file, then talks to org.freedesktop.IBus: a
            # client started before fcitx5 owns that name gets no input method at all.
            return (remote.returncode == 0 and any(bus.glob("*"))
                    and self._bus_has("org.freedesktop.IBus"))

        try:
            poll(ready, 20, interval=0.2, what="fcitx5 and its ibus frontend")
        except TimeoutError as exc:
            raise SessionError(f"{exc}; fcitx5 log:\n{proc.tail()}") from exc

    def _bus_has(self, name: str) -> bool:
        res = run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                   "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                  self.env, check=False)
        return "boolean true" in res.stdout

    def fcitx_state(self) -> tuple[str, str]:
        """(state, input method) of the focused context: state 2 means active."""
        state = run(["fcitx5-remote"], self.env, check=False).stdout.strip()
        name = run(["fcitx5-remote", "-n"], self.env, check=False).stdout.strip()
        return state, name

    def make_focused_active(self) -> tuple[str, str]:
        """fcitx5: activate the focused input context if it is not (a volunteer's Ctrl+Space)."""
        if self.name != "fcitx5":
            return ("", "")
        state, name = self.fcitx_state()
        self.evidence.setdefault("fcitx5-remote state at first focus", f"{state} {name}")
        if state != "2":
            run(["fcitx5-remote", "-o"], self.env, check=False)

            def active() -> tuple[str, str] | None:
                s = self.fcitx_state()
                return s if s[0] == "2" else None

            found = poll(active, 5, what="fcitx5 to activate the focused context")
            assert found is not None  # poll returns only a truthy answer
            state, name = found
        return state, name

    # -- the control -----------------------------------------------------------------------
    def prove_intercepts(self, workdir: Path, attempts: int = 2) -> dict[str, object]:
        """Type pinyin into a plain QLineEdit; the input method must take it and commit Chinese.

        With "none", the letters must arrive as typed. Raises SessionError with what was seen.
        A second probe process is tried once (a client that races the daemon's start-up gets
        no input method); both attempts are kept in the evidence.
        """
        for attempt in range(1, attempts + 1):
            try:
                evidence = self._probe(workdir, attempt)
            except SessionError as exc:
                self.evidence[f"attempt {attempt}"] = str(exc).split(" Evidence:")[0]
                if attempt == attempts:
                    raise
            else:
                self.evidence["attempts"] = attempt
                return evidence
        raise AssertionError("unreachable")

    def _probe(self, workdir: Path, attempt: int) -> dict[str, object]:
        s = self.session
        out = workdir / f"probe-{self.name}-{attempt}.jsonl"
        out.write_text("")
        proc = spawn(f"probe-{self.name}", [sys.executable, str(PROBE), str(out)], self.env, s.logdir)
        try:
            def events() -> list[dict[str, object]]:
                return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]

            def texts() -> list[str]:
                return [str(e["text"]) for e in events() if e["ev"] == "text"]

            def window() -> list[int]:
                if not proc.alive():
                    raise SessionError(f"IME probe exited:\n{proc.tail()}")
                return s.windows(pid=proc.pid)

            wid = poll(window, 20, what="the IME probe window")[0]
            s.activate(wid)
            poll(lambda: any(e["ev"] == "focus" for e in events()), 10, what="probe focus")
            if self.name == "fcitx5":
                self.evidence["fcitx5-remote state, -n"] = self.make_focused_active()
            if self.name == "ibus":
                self.evidence["ibus engine (probe focused)"] = self.ibus_engine()
            s.type("nihao", 40)
            if self.active:
                # Give the keys time to arrive (they would show as text if nothing took them).
                with contextlib.suppress(TimeoutError):
                    poll(lambda: texts(), 1.0, what="")
                before = texts()[-1] if texts() else ""
                s.key("space")
                with contextlib.suppress(TimeoutError):
                    poll(lambda: texts() and CJK.search(texts()[-1]), 5, what="a Chinese commit")
                after = texts()[-1] if texts() else ""
                ok = "nihao" not in before and "n" not in before and bool(CJK.search(after))
            else:
                poll(lambda: texts() and texts()[-1] == "nihao", 5, what="nihao typed")
                before = after = texts()[-1]
                ok = True
            evidence = {"typed": "nihao, then Space", "text before Space": before,
                        "text after Space": after}
            self.evidence.update(evidence)
            if not ok:
                shot = s.screenshot(workdir / f"probe-{self.name}-{attempt}.png")
                raise SessionError(
                    f"input method {self.name} is NOT intercepting keys in a plain QLineEdit "
                    f"(typed 'nihao' then Space: before={before!r}, after={after!r}); the IME "
                    f"tests would prove nothing. Evidence: {self.evidence}; screenshot: {shot}; "
                    f"log:\n{self.procs[0].tail() if self.procs else ''}")
            return dict(self.evidence)
        finally:
            proc.stop()
