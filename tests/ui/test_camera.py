"""Camera scanning at the desk window, fed by a fake camera with frames of real rendered badges.

The camera is the one piece of hardware these machines lack, so a `FrameSource` stands in for
QCamera; everything after it is real: the frame as a QVideoFrame, its luminance taken on the
decoding thread, zxing-cpp, the repeat window, DeskController.scan, the check-in service on a
SQLite file, the verdict panel and the badge print queue.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtMultimedia import QMediaDevices, QVideoFrame, QVideoFrameFormat
from sqlalchemy import select

from checkin_app.domain.clock import FixedClock
from checkin_app.domain.types import ScanResult
from checkin_app.domain.verdicts import Verdict
from checkin_app.scanning.camera_decode import Frame, FrameDecoder, RepeatFilter
from checkin_app.services.badges import BadgeService
from checkin_app.services.keys import KeyService
from checkin_app.storage import models as m
from checkin_app.ui import style
from checkin_app.ui.camera import CameraDesk, decodable
from tests.scanning.frames import badge_picture, picture_of_badge, place
from tests.ui.conftest import DESK, Demo, Desk
from tests.ui.fake_camera import FakeCamera, video_frame, yuv_frame


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """The camera's remembered choices in a file of the test's own (never the user's)."""
    return QSettings(str(tmp_path / "camera.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def signed(configured: Demo, tmp_path: Path, clock: FixedClock) -> Demo:
    """The demo desk certified to sign badge tokens (badges carry 128-character tokens)."""

    KeyService(configured.db, clock).init_event(tmp_path / "event.pem", desk_name=DESK, desk=DESK,
                                               operator="test")
    return configured


def _delegate_id(demo: Demo, label: str) -> int:
    with demo.db.read() as s:
        found = s.scalar(select(m.Delegate.id).where(
            m.Delegate.registration_code == demo.samples[label]))
    assert found is not None
    return int(found)


def _badge_frame(demo: Demo, label: str, seed: int = 1, **kw: float) -> tuple[QVideoFrame, str]:
    """A frame of this person's real badge (their token in the QR), held up to a 720p camera."""
    data = BadgeService(demo.db).badge_data(_delegate_id(demo, label))
    shown = picture_of_badge(data)
    img = place(shown, random.Random(seed), qr_px=kw.get("qr_px", 280),
                angle_deg=kw.get("angle", 5.0), tilt=kw.get("tilt", 0.2))
    return video_frame(img), data.code


@pytest.fixture
def camera_desk(make_desk: Callable[..., Desk], settings: QSettings
                ) -> Iterator[tuple[Desk, CameraDesk, FakeCamera]]:
    """A ready desk whose camera part takes frames from a fake camera, switched on."""
    desk = make_desk()
    part = desk.window.camera
    part.settings = settings
    fake = FakeCamera()
    part.set_source(fake)
    part.set_on(True)
    assert fake.running and part.preview.isVisible()
    yield desk, part, fake
    part.set_on(False)


def _scan_by_camera(desk: Desk, fake: FakeCamera, frame: QVideoFrame) -> ScanResult:
    with desk.qtbot.waitSignal(desk.window.controller.scanFinished, timeout=10000) as blocker:
        fake.push(frame)
    result = blocker.args[0]
    assert isinstance(result, ScanResult)
    return result


def test_a_badge_held_to_the_camera_is_the_scan_its_typed_code_is(
        signed: Demo, camera_desk: tuple[Desk, CameraDesk, FakeCamera]) -> None:
    desk, part, fake = camera_desk
    w = desk.window
    frame, token = _badge_frame(signed, "attendee")
    assert len(token) > 120  # the badge carries its signed token, not the registration code
    by_camera = _scan_by_camera(desk, fake, frame)
    assert by_camera.verdict is Verdict.ADMIT and by_camera.event is not None
    assert by_camera.code == token and w.result.background_colour() == style.GREEN.background
    # Someone else's badge typed in by a keyboard-wedge scanner: the same kind of record.
    typed = desk.scan(picture_of_badge(BadgeService(signed.db).badge_data(
        _delegate_id(signed, "korean"))).text)
    assert typed.verdict is Verdict.ADMIT and typed.event is not None
    for field in ("activity_code", "desk", "direction", "verdict", "forced", "operator"):
        assert getattr(by_camera.event, field) == getattr(typed.event, field), field
    # The camera's person typed in now is the same person, already in.
    assert desk.scan(token).verdict is Verdict.ALREADY_IN
    # Both first admissions queued their badge the same way.
    desk.qtbot.waitUntil(lambda: {j.delegate_id for j in BadgeService(signed.db).jobs()} == {
        _delegate_id(signed, "attendee"), _delegate_id(signed, "korean")}, timeout=10000)
    assert w.scan_field.hasFocus()
    assert part.preview.image is not None  # the preview showed the frame


def test_upside_down_phone_and_printout_codes_read_through_the_desk(
        camera_desk: tuple[Desk, CameraDesk, FakeCamera]) -> None:
    desk, _part, fake = camera_desk
    shown = badge_picture(desk.samples["french"])
    img = place(shown, random.Random(3), qr_px=260, angle_deg=183)
    r = _scan_by_camera(desk, fake, video_frame(img))
    assert r.verdict is Verdict.ADMIT and r.delegate is not None
    assert r.delegate.registration_code == desk.samples["french"]


def test_the_same_code_in_front_of_the_camera_is_one_scan(
        camera_desk: tuple[Desk, CameraDesk, FakeCamera]) -> None:
    desk, part, fake = camera_desk
    now = [100.0]
    part.repeat = RepeatFilter(window_s=3.0, clock=lambda: now[0])
    results: list[ScanResult] = []
    desk.window.controller.scanFinished.connect(results.append)
    frame = video_frame(place(badge_picture(desk.samples["attendee"]), random.Random(2)))
    first = _scan_by_camera(desk, fake, frame)
    assert first.verdict is Verdict.ADMIT
    for _ in range(6):  # held there for the next two seconds: decoded every time, scanned never
        decoded = part.frames_decoded
        now[0] += 0.35
        fake.push(frame)
        def decoded_again(before: int = decoded) -> bool:
            return part.frames_decoded > before

        desk.qtbot.waitUntil(decoded_again, timeout=5000)
    desk.qtbot.wait(300)
    assert len(results) == 1
    # Taken away and shown again after the window: a second scan (the person is already in).
    now[0] += 3.5
    assert _scan_by_camera(desk, fake, frame).verdict is Verdict.ALREADY_IN
    assert len(results) == 2


class SlowDecoder(FrameDecoder):
    """The real decoder, slowed down, counting how many frames it holds at once."""

    def __init__(self, delay_s: float) -> None:
        super().__init__()
        self.delay_s = delay_s
        self.calls = 0
        self.busy = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def decode(self, frame: Frame) -> list[str]:
        with self._lock:
            self.calls += 1
            self.busy += 1
            self.most_at_once = max(self.most_at_once, self.busy)
        time.sleep(self.delay_s)
        try:
            return super().decode(frame)
        finally:
            with self._lock:
                self.busy -= 1


def test_a_slow_decoder_holds_one_frame_and_the_rest_are_dropped_while_keys_still_scan(
        camera_desk: tuple[Desk, CameraDesk, FakeCamera]) -> None:
    desk, part, fake = camera_desk
    slow = SlowDecoder(0.4)
    part.decoder = slow
    empty = video_frame(Image.new("L", (1280, 720), 128))
    pushed = 0
    worst_push = 0.0
    typed: ScanResult | None = None
    start = time.monotonic()
    while time.monotonic() - start < 1.5:  # a 30 fps camera for 1.5 s
        t0 = time.perf_counter()
        fake.push(empty)
        worst_push = max(worst_push, time.perf_counter() - t0)
        pushed += 1
        if typed is None and pushed == 5:
            # A keyboard scan while the decoder is busy: it does not wait for the camera. The
            # decoder is checked busy as the scan starts (checked after it, a scan of more than
            # a quarter of a second on a loaded CI machine outlasted the frame's decode).
            assert slow.busy == 1
            t_key = time.monotonic()
            typed = desk.scan(desk.samples["attendee"])
            assert time.monotonic() - t_key < slow.delay_s
        desk.qtbot.wait(33)
    desk.qtbot.waitUntil(lambda: not part.in_flight, timeout=5000)
    assert typed is not None and typed.verdict is Verdict.ADMIT
    assert slow.most_at_once == 1
    assert slow.calls == part.frames_decoded <= 1.5 / slow.delay_s + 1
    assert part.frames_dropped == pushed - slow.calls and part.frames_dropped >= pushed // 2
    assert worst_push < 0.1  # a frame costs the GUI thread a preview at most, never a decode
    # Dropped, not queued: a code shown after the burst is read from its own frame at once.
    t0 = time.monotonic()
    r = _scan_by_camera(desk, fake, video_frame(place(badge_picture(desk.samples["korean"]),
                                                      random.Random(4))))
    assert r.delegate is not None and r.delegate.registration_code == desk.samples["korean"]
    assert time.monotonic() - t0 < 3 * slow.delay_s


@pytest.mark.parametrize(("problem", "zh", "en"), [
    ("none", "未找到摄像头", "No camera found"),
    ("busy", "摄像头正被其他程序使用", "The camera is in use by another program"),
    ("denied", "没有使用摄像头的权限", "Camera access is not allowed"),
], ids=["none", "busy", "denied"])
def test_a_camera_that_cannot_be_used_says_why_in_both_languages_and_keys_still_scan(
        make_desk: Callable[..., Desk], settings: QSettings, problem: str, zh: str, en: str) -> None:
    desk = make_desk()
    part = desk.window.camera
    part.settings = settings
    fake = FakeCamera()
    if problem == "none":
        fake.present = []
    else:
        fake.refuse = problem
    part.set_source(fake)
    with desk.qtbot.waitSignal(part.problem, timeout=3000):
        part.set_on(True)
    assert part.preview.isVisible() and part.problem_code == problem
    assert zh in part.preview.message and en in part.preview.message
    assert "扫码枪和键盘照常可用" in part.preview.message and "Scanner and keyboard still work" in (
        part.preview.message)
    assert desk.scan(desk.samples["attendee"]).verdict is Verdict.ADMIT
    assert desk.window.scan_field.hasFocus()


def test_the_real_qt_camera_on_a_machine_without_one_says_so(
        make_desk: Callable[..., Desk], settings: QSettings) -> None:
    if QMediaDevices.videoInputs():
        pytest.skip("this machine has a camera: the no-camera path is covered by the fake above")
    desk = make_desk()
    part = desk.window.camera  # the QtCameraSource the window made
    part.settings = settings
    with desk.qtbot.waitSignal(part.problem, timeout=5000) as blocker:
        part.set_on(True)
    assert blocker.args == ["none"]
    assert "未找到摄像头" in part.preview.message and "No camera found" in part.preview.message
    assert desk.scan(desk.samples["attendee"]).verdict is Verdict.ADMIT


def test_a_camera_unplugged_mid_use_says_so_keys_still_scan_and_it_comes_back(
        camera_desk: tuple[Desk, CameraDesk, FakeCamera]) -> None:
    desk, part, fake = camera_desk
    r = _scan_by_camera(desk, fake, video_frame(place(badge_picture(desk.samples["attendee"]),
                                                      random.Random(5))))
    assert r.verdict is Verdict.ADMIT
    with desk.qtbot.waitSignal(part.problem, timeout=3000):
        fake.unplug()
    assert "摄像头已断开" in part.preview.message and "The camera was unplugged" in part.preview.message
    assert [a.isEnabled() for a in part.menu.actions() if a.text().startswith("未找到")] == [False]
    assert desk.scan(desk.samples["korean"]).verdict is Verdict.ADMIT
    # Plugged back in: the switch is still on, so the camera is used again without a click.
    fake.replug()
    assert fake.running and part.problem_code == ""
    r = _scan_by_camera(desk, fake, video_frame(place(badge_picture(desk.samples["french"]),
                                                      random.Random(8))))
    assert r.verdict is Verdict.ADMIT


def test_camera_choice_mirror_and_on_off_are_remembered(
        camera_desk: tuple[Desk, CameraDesk, FakeCamera], settings: QSettings) -> None:
    desk, part, fake = camera_desk
    w = desk.window
    names = [a.text() for a in part.device_group.actions()]
    assert names == ["Integrated Webcam", "USB document camera"]
    assert part.toggle_action in w.toolbar.actions()
    assert part.menu.menuAction() in w.desk_menu.actions()
    usb = part.device_group.actions()[1]
    usb.trigger()
    assert fake.started_with[-1] == "cam-usb"
    assert part.preview.mirrored  # a webcam facing the delegate is mirrored until told otherwise
    part.mirror_action.setChecked(False)
    assert not part.preview.mirrored
    settings.sync()
    # The desk started again: same camera, not mirrored, on.
    again = FakeCamera()
    later = CameraDesk(w, beside=w.counts, source=again, settings=QSettings(
        settings.fileName(), QSettings.Format.IniFormat))
    assert later.on and again.started_with == ["cam-usb"] and not later.preview.mirrored
    assert [a.isChecked() for a in later.device_group.actions()] == [False, True]
    later.set_on(False)
    assert not later.preview.isVisible() and not again.running
    assert QSettings(settings.fileName(), QSettings.Format.IniFormat).value(
        "on", type=bool) is False
    later.stop()


def test_switched_off_the_camera_reads_nothing(
        camera_desk: tuple[Desk, CameraDesk, FakeCamera]) -> None:
    desk, part, fake = camera_desk
    frame = video_frame(place(badge_picture(desk.samples["attendee"]), random.Random(6)))
    part.toggle_action.trigger()  # the toolbar switch
    assert not part.on and not fake.running and not part.preview.isVisible()
    results: list[ScanResult] = []
    desk.window.controller.scanFinished.connect(results.append)
    part.on_frame(frame)  # a frame still in the pipe when it was switched off
    desk.qtbot.wait(500)
    assert results == [] and part.frames_seen == 0


@pytest.mark.parametrize("pixel_format", ["Format_NV12", "Format_YUV420P", "Format_YUYV",
                                          "Format_UYVY", "Format_BGRX8888"])
def test_the_luminance_of_each_camera_pixel_format_decodes(qapp: object, pixel_format: str) -> None:
    code = "CQ24-AB23CD"
    img = place(badge_picture(code), random.Random(7), qr_px=240, angle_deg=-8)
    pf = getattr(QVideoFrameFormat.PixelFormat, pixel_format)
    frame = video_frame(img) if pixel_format == "Format_BGRX8888" else yuv_frame(img, pf)
    assert frame.pixelFormat() == pf
    pixels = decodable(frame)
    assert pixels is not None and (pixels.width, pixels.height) == (1280, 720)
    assert FrameDecoder().decode(pixels) == [code]
