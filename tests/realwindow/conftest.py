"""Fixtures for the real-window layer: one X session, one input method at a time, real desks.

- `xsession` (session): Xvfb on a free display at 1366×768×24, a D-Bus session bus, openbox;
  HOME and the XDG folders in a temp folder.
- `ime` (session, parametrised "none" / "ibus" / "fcitx5"): the input method running, and PROVEN
  to intercept keys in a plain QLineEdit before any test uses it (a SessionError fails every
  test that needs it; nothing is skipped).
- `template` (session): the 300-delegate demo event and the delegates a MAIN desk admits.
- `new_desk` (function): starts desks on copies of the template; stops them after the test,
  with a screenshot in the test's tmp folder when the test failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.realwindow.desk import Desk, Template, build_template, desk_db
from tests.realwindow.ime import InputMethod
from tests.realwindow.xsession import SessionError, XSession

IMES = ["none", "ibus", "fcitx5"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    rep = yield
    setattr(item, f"rw_rep_{rep.when}", rep)
    return rep


@pytest.fixture(scope="session")
def xsession(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XSession]:
    root = tmp_path_factory.mktemp("realwindow")
    session = XSession(home=root / "home", logdir=root / "logs")
    try:
        session.start()
    except SessionError as exc:
        session.stop()
        pytest.fail(f"cannot start the X session: {exc}", pytrace=False)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def template(xsession: XSession, tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("demo"), xsession.env)


@pytest.fixture(scope="session", params=IMES)
def ime(request: pytest.FixtureRequest, xsession: XSession,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[InputMethod]:
    # A daemon that came up badly (seen once in a full CI run under load: fcitx5 running, pinyin
    # on, yet a new Qt client got no input context from its ibus frontend) is stopped and started
    # once more; the probe must still pass on the second daemon, or every test of it fails.
    failures = []
    for start in (1, 2):
        method = InputMethod(str(request.param), xsession)
        try:
            method.start()
            method.prove_intercepts(tmp_path_factory.mktemp(f"ime-{method.name}"))
        except SessionError as exc:
            method.stop()
            failures.append(f"start {start}: {exc}")
        else:
            break
    else:
        pytest.fail(f"input method {method.name}: " + " | ".join(failures), pytrace=False)
    yield method
    method.stop()


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request: pytest.FixtureRequest, xsession: XSession,
                           tmp_path: Path) -> Iterator[None]:
    """The whole screen into the test's tmp folder when the test failed (or xfailed)."""
    yield
    screenshot_if_failed(request, xsession, tmp_path)


def screenshot_if_failed(request: pytest.FixtureRequest, xsession: XSession, tmp_path: Path) -> None:
    path = tmp_path / "screen-at-failure.png"
    if path.exists():
        return
    if any(getattr(getattr(request.node, f"rw_rep_{w}", None), "failed", False) for w in ("setup", "call")):
        shot = xsession.screenshot(path)
        if shot:
            print(f"screenshot: {shot}")


DeskFactory = Callable[..., Desk]


@pytest.fixture
def new_desk(request: pytest.FixtureRequest, xsession: XSession, ime: InputMethod, template: Template,
             tmp_path: Path) -> Iterator[DeskFactory]:
    """new_desk(name, direction="in", configured=True, db=None, start=True) -> Desk."""
    desks: list[Desk] = []

    def make(name: str, *, direction: str = "in", configured: bool = True, db: Path | None = None,
             start: bool = True) -> Desk:
        if db is None:
            db = desk_db(template, tmp_path, name, direction=direction, configured=configured)
        desk = Desk(xsession, ime.env, db, tmp_path, name)
        desks.append(desk)
        if start:
            desk.start()
        else:
            desk.launch()
        return desk

    yield make
    screenshot_if_failed(request, xsession, tmp_path)  # while the desks are still on screen
    for d in desks:
        d.stop()
