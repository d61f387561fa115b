"""The frame decoder on each pixel layout, and the repeat window (Qt-free)."""

from __future__ import annotations

import random

from checkin_app.scanning.camera_decode import Frame, FrameDecoder, RepeatFilter, _view, same_code
from tests.scanning.frames import FULL_HD, REGISTRATION_CODE, badge_picture, place


def _picture(size: tuple[int, int] = (1280, 720)) -> bytes:
    return place(badge_picture(REGISTRATION_CODE), random.Random(1), size, qr_px=250).tobytes()


def test_gray_rgb32_and_packed_yuv_frames_all_decode() -> None:
    gray = _picture()
    w, h = 1280, 720
    d = FrameDecoder()
    assert d.decode(Frame.gray(gray, w, h)) == [REGISTRATION_CODE]
    bgrx = b"".join(bytes((v, v, v, 255)) for v in gray)
    assert d.decode(Frame(bgrx, w, h, 4 * w, "bgrx")) == [REGISTRATION_CODE]
    uyvy = bytearray(2 * w * h)
    uyvy[1::2] = gray
    uyvy[0::2] = bytes([128]) * (w * h)
    # UYVY: the luminance is every second byte from the second on (the last row is given up).
    assert d.decode(Frame(bytes(uyvy), w, h, 2 * w, "lum", 2, 1)) == [REGISTRATION_CODE]
    padded = b"".join(gray[y * w:(y + 1) * w] + bytes(64) for y in range(h))
    assert d.decode(Frame(padded, w, h, w + 64)) == [REGISTRATION_CODE]


def test_the_full_frame_is_read_when_the_half_pass_finds_nothing() -> None:
    # A code drawn small at 1080p: under two pixels a module, under one at half resolution.
    img = place(badge_picture(REGISTRATION_CODE), random.Random(2), FULL_HD, qr_px=70)
    frame = Frame.gray(img.tobytes(), *FULL_HD)
    assert FrameDecoder()._read(_view(frame, 2), downscale=False) == []  # the half pass alone
    assert FrameDecoder(half_pass=False).decode(frame) == [REGISTRATION_CODE]
    assert FrameDecoder().decode(frame) == [REGISTRATION_CODE]


def test_an_empty_frame_reads_nothing() -> None:
    assert FrameDecoder().decode(Frame.gray(bytes([200]) * (640 * 480), 640, 480)) == []


def test_a_code_is_one_scan_while_it_stays_in_view() -> None:
    now = [0.0]
    f = RepeatFilter(window_s=3.0, clock=lambda: now[0])
    assert f.is_new("CK-ABC")
    for _ in range(20):  # seen every half second for ten seconds
        now[0] += 0.5
        assert not f.is_new("ck-abc ")  # the same token in lower case, with a stray space
    assert f.is_new("CQ24-OTHER")  # someone else in between is a scan, and resets nothing
    now[0] += 3.1
    assert f.is_new("CK-ABC")  # gone for longer than the window: a new scan
    f.forget()
    assert f.is_new("CK-ABC")
    assert same_code(" cq24-ab23cd\n") == "CQ24-AB23CD"
