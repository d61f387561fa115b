"""A fake camera for the camera part (the hardware these machines lack), and pictures as camera frames."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameFormat

from checkin_app.ui.camera import FrameSource

DEVICES = [("cam-front", "Integrated Webcam", True), ("cam-usb", "USB document camera", False)]


class FakeCamera(FrameSource):
    """A camera that sends the frames a test pushes, and fails the way a test tells it to."""

    def __init__(self) -> None:
        super().__init__()
        self.present = list(DEVICES)
        self.started_with: list[str] = []
        self.running = False
        self.refuse = ""  # a problem code start() reports instead of starting

    def devices(self) -> list[tuple[str, str, bool]]:
        return list(self.present)

    def start(self, device_id: str) -> None:
        self.started_with.append(device_id)
        if self.refuse or not self.present:
            self.failed.emit(self.refuse or "none")
            return
        self.running = True
        self.started.emit(device_id)

    def stop(self) -> None:
        self.running = False

    def push(self, frame: QVideoFrame) -> None:
        assert self.running, "a stopped camera sends no frames"
        self.frameArrived.emit(frame)

    def replug(self) -> None:
        """The camera is plugged back in."""
        self.present = list(DEVICES)
        self.devicesChanged.emit()

    def unplug(self) -> None:
        self.present = []
        self.running = False
        self.failed.emit("gone")
        self.devicesChanged.emit()


def video_frame(img: Image.Image) -> QVideoFrame:
    """A picture as a camera frame (RGB32, the format a QImage-backed frame has)."""
    rgba = img.convert("RGBA")
    data = rgba.tobytes("raw", "BGRA")
    qimg = QImage(data, rgba.width, rgba.height, 4 * rgba.width, QImage.Format.Format_RGB32).copy()
    return QVideoFrame(qimg)


def yuv_frame(img: Image.Image, pixel_format: QVideoFrameFormat.PixelFormat) -> QVideoFrame:
    """A picture as a YUV camera frame: its gray levels written as the frame's luminance."""
    gray = img.convert("L")
    w, h = gray.size
    frame = QVideoFrame(QVideoFrameFormat(QSize(w, h), pixel_format))
    assert frame.map(QVideoFrame.MapMode.WriteOnly)
    stride = frame.bytesPerLine(0)
    plane = frame.bits(0)
    assert isinstance(plane, memoryview)
    px = gray.tobytes()
    pf = QVideoFrameFormat.PixelFormat
    for y in range(h):
        row = px[y * w:(y + 1) * w]
        if pixel_format in (pf.Format_YUYV, pf.Format_UYVY):
            packed = bytearray(2 * w)
            start = 0 if pixel_format == pf.Format_YUYV else 1
            packed[start::2] = row
            packed[1 - start::2] = bytes([128]) * w
            plane[y * stride:y * stride + 2 * w] = packed
        else:
            plane[y * stride:y * stride + w] = row
    frame.unmap()
    return frame
