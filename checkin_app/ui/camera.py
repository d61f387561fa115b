"""Camera scanning at the desk window: a live preview beside the verdict, codes read off the GUI thread.

Frames come from a `FrameSource` (the real one is QCamera + QMediaCaptureSession + QVideoSink;
tests feed their own). Each frame is handed to one decoding thread only when it is free: never
more than one frame in flight, and frames that arrive meanwhile are dropped, not queued, so a slow
decoder reads the newest picture rather than falling behind. A code read goes through
`DeskController.scan`, the scan path a scanner's keystrokes take (same verdict, record and badge);
the same code seen again within the repeat window is not a second scan. When the camera cannot be
used (none, busy, permission denied, unplugged) the preview's place says so in both languages;
keyboard and serial scanning do not depend on any of this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import (
    QCameraPermission,
    QObject,
    QRect,
    QSettings,
    Qt,
    Signal,
    SignalInstance,
    Slot,
)
from PySide6.QtGui import QAction, QActionGroup, QColor, QImage, QPainter, QPaintEvent
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QCameraFormat,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoFrameFormat,
    QVideoSink,
)
from PySide6.QtWidgets import QApplication, QHBoxLayout, QMenu, QSizePolicy, QWidget

from checkin_app.domain.messages import both, msg
from checkin_app.scanning.camera_decode import Frame, FrameDecoder, PixelLayout, RepeatFilter
from checkin_app.ui.layouts import holding_layout
from checkin_app.ui.shell import Shell
from checkin_app.ui.tasks import TaskRunner

Problem = Literal["none", "busy", "denied", "gone", "error"]
PREVIEW_W, PREVIEW_H = 256, 192
PREVIEW_INTERVAL_S = 1 / 15  # the preview needs no more; every frame still reaches the decoder
WANTED = (1280, 720)  # enough pixels for a badge QR at arm's length, cheap to decode

# Why the camera cannot be used (catalogue ui.camera.problem.<code>; anything else is "error").
PROBLEMS = frozenset({"none", "busy", "denied", "gone", "error"})

# Where a frame's luminance is, by pixel format: (layout, bytes from pixel to pixel, offset).
_PF = QVideoFrameFormat.PixelFormat
_LUMA: dict[QVideoFrameFormat.PixelFormat, tuple[PixelLayout, int, int]] = {
    **{pf: ("lum", 1, 0) for pf in (_PF.Format_YUV420P, _PF.Format_YUV422P, _PF.Format_YV12,
                                     _PF.Format_NV12, _PF.Format_NV21, _PF.Format_IMC1,
                                     _PF.Format_IMC2, _PF.Format_IMC3, _PF.Format_IMC4,
                                     _PF.Format_Y8)},
    _PF.Format_YUYV: ("lum", 2, 0),
    _PF.Format_UYVY: ("lum", 2, 1),
    _PF.Format_AYUV: ("lum", 4, 1),
    _PF.Format_BGRA8888: ("bgrx", 4, 0),
    _PF.Format_BGRX8888: ("bgrx", 4, 0),
    _PF.Format_RGBA8888: ("rgbx", 4, 0),
    _PF.Format_RGBX8888: ("rgbx", 4, 0),
    _PF.Format_ARGB8888: ("xrgb", 4, 0),
    _PF.Format_XRGB8888: ("xrgb", 4, 0),
    _PF.Format_ABGR8888: ("xbgr", 4, 0),
    _PF.Format_XBGR8888: ("xbgr", 4, 0),
}


def decodable(frame: QVideoFrame) -> Frame | None:
    """The frame's luminance as the decoder takes it (any thread; one copy of one plane).

    Formats without a plane of luminance (JPEG, 10-bit) go through QImage, which costs more.
    """
    if not frame.isValid():
        return None
    w, h = frame.width(), frame.height()
    known = _LUMA.get(frame.pixelFormat())
    if known is not None:
        f = QVideoFrame(frame)  # a shallow copy: mapping it does not disturb the preview's
        if not f.map(QVideoFrame.MapMode.ReadOnly):
            return None
        try:
            layout, pix, offset = known
            return Frame(bytes(f.bits(0)), w, h, f.bytesPerLine(0), layout, pix, offset)
        finally:
            f.unmap()
    img = frame.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    if img.isNull():
        return None
    return Frame(bytes(img.constBits()), img.width(), img.height(), img.bytesPerLine())


def preview_image(frame: QVideoFrame) -> QImage:
    """A picture of the frame for the preview (GUI thread), RGB frames without conversion."""
    known = _LUMA.get(frame.pixelFormat())
    if known is not None and known[0] == "bgrx":
        f = QVideoFrame(frame)
        if f.map(QVideoFrame.MapMode.ReadOnly):
            try:
                return QImage(bytes(f.bits(0)), f.width(), f.height(), f.bytesPerLine(0),
                              QImage.Format.Format_RGB32).copy()
            finally:
                f.unmap()
    return frame.toImage()


class FrameSource(QObject):
    """Where camera frames come from. The desk's is `QtCameraSource`; tests feed their own.

    Signals:
        frameArrived(object): a QVideoFrame, in the GUI thread.
        started(str): frames will come from the camera named.
        failed(str): the camera cannot be used: "none", "busy", "denied", "gone" or "error".
        devicesChanged(): cameras were plugged in or out.
    """

    frameArrived = Signal(object)
    started = Signal(str)
    failed = Signal(str)
    devicesChanged = Signal()

    def devices(self) -> list[tuple[str, str, bool]]:
        """The cameras present: (id, description, faces the user)."""
        return []

    def start(self, device_id: str) -> None:
        """Start the camera `device_id` ("" or an absent one: the default)."""
        self.failed.emit("none")

    def stop(self) -> None:
        """Stop sending frames."""

    @property
    def detail(self) -> str:
        """What the system said about the last failure ("" when nothing)."""
        return ""


def _device_id(device: QCameraDevice) -> str:
    return bytes(device.id().data()).hex()


def _best_format(device: QCameraDevice) -> QCameraFormat | None:
    """The format nearest 1280×720 at 15 fps or more (more pixels only slow the decoder)."""
    formats = [f for f in device.videoFormats() if f.maxFrameRate() >= 15] or device.videoFormats()
    if not formats:
        return None
    return min(formats, key=lambda f: (abs(f.resolution().width() * f.resolution().height()
                                           - WANTED[0] * WANTED[1]), -f.maxFrameRate()))


class QtCameraSource(FrameSource):
    """The system camera through QtMultimedia; watches cameras being unplugged."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = QMediaCaptureSession(self)
        self._sink = QVideoSink(self)
        self._session.setVideoSink(self._sink)
        # The backend may emit frames from its own thread: queued, they reach the part (and its
        # widgets) in the GUI thread.
        self._sink.videoFrameChanged.connect(self._on_frame, Qt.ConnectionType.QueuedConnection)
        self._media = QMediaDevices(self)
        self._media.videoInputsChanged.connect(self._on_inputs_changed)
        self._camera: QCamera | None = None
        self._device = ""
        self._detail = ""

    @property
    def detail(self) -> str:
        """What the system said about the last failure ("" when nothing)."""
        return self._detail

    def devices(self) -> list[tuple[str, str, bool]]:
        """The cameras present: (id, description, faces the user)."""
        return [(_device_id(d), d.description(), d.position() != QCameraDevice.Position.BackFace)
                for d in QMediaDevices.videoInputs()]

    def start(self, device_id: str) -> None:
        """Open the camera (asks for the permission where the platform wants it)."""
        self._close()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            status = app.checkPermission(QCameraPermission())
            if status == Qt.PermissionStatus.Undetermined:
                app.requestPermission(QCameraPermission(), self,
                                      lambda _p: self.start(device_id))
                return
            if status == Qt.PermissionStatus.Denied:
                self.failed.emit("denied")
                return
        inputs = QMediaDevices.videoInputs()
        if not inputs:
            self.failed.emit("none")
            return
        device = next((d for d in inputs if _device_id(d) == device_id),
                      QMediaDevices.defaultVideoInput())
        if device.isNull():
            device = inputs[0]
        camera = QCamera(device, self)
        fmt = _best_format(device)
        if fmt is not None:
            camera.setCameraFormat(fmt)
        camera.errorOccurred.connect(self._on_error)
        self._camera = camera
        self._device = _device_id(device)
        self._detail = ""
        self._session.setCamera(camera)
        camera.start()
        if camera.error() != QCamera.Error.NoError:
            self._on_error(camera.error(), camera.errorString())
            return
        self.started.emit(device.description())

    def stop(self) -> None:
        """Close the camera (another program may have it then)."""
        self._device = ""
        self._close()

    def _close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.errorOccurred.disconnect(self._on_error)
            camera.stop()
            self._session.setCamera(None)  # type: ignore[arg-type]
            camera.deleteLater()

    def _on_error(self, _error: QCamera.Error, text: str) -> None:
        self._detail = text
        self._close()  # the device stays wanted: unplugged, its disappearance still says "gone"
        lowered = text.lower()
        # The backends say "busy" (V4L2's EBUSY, AVFoundation, Media Foundation) for a camera
        # another program holds; "permission" / "denied" / "access" when the system refuses.
        if "busy" in lowered or "in use" in lowered:
            self.failed.emit("busy")
        elif "permission" in lowered or "denied" in lowered or "access" in lowered:
            self.failed.emit("denied")
        elif "no camera" in lowered:
            self.failed.emit("none")
        else:
            self.failed.emit("error")

    @Slot(QVideoFrame)
    def _on_frame(self, frame: QVideoFrame) -> None:
        if self._camera is not None:
            self.frameArrived.emit(frame)

    def _on_inputs_changed(self) -> None:
        # Unplugged, a camera may first report an error of its own; either way it is gone.
        if self._device and self._device not in {i for i, _d, _f in self.devices()}:
            self._detail = ""
            self.stop()
            self.failed.emit("gone")
        self.devicesChanged.emit()


class CameraPreview(QWidget):
    """The small live picture, mirrored when asked, or the words saying why there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.setFixedSize(PREVIEW_W, PREVIEW_H)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.mirrored = True
        self.image: QImage | None = None
        self.message = ""  # both languages, one a line; shown instead of the picture

    def show_image(self, image: QImage) -> None:
        """A new picture (the message goes)."""
        self.image = image.scaled(PREVIEW_W, PREVIEW_H, Qt.AspectRatioMode.KeepAspectRatio,
                                  Qt.TransformationMode.FastTransformation)
        self.message = ""
        self.update()

    def show_message(self, message: str) -> None:
        """Words in the picture's place."""
        self.message = message
        self.image = None
        self.setToolTip(message)
        self.update()

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#263238"))
        if self.image is not None and not self.message:
            img = self.image
            x = (self.width() - img.width()) // 2
            y = (self.height() - img.height()) // 2
            if self.mirrored:
                # A webcam facing the delegate: moving the phone left moves it left on screen.
                p.translate(self.width(), 0)
                p.scale(-1, 1)
            p.drawImage(x, y, img)
        else:
            p.setPen(QColor("#ECEFF1"))
            font = p.font()
            font.setPixelSize(15)
            p.setFont(font)
            p.drawText(QRect(10, 10, self.width() - 20, self.height() - 20),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        p.end()


class CameraDesk(QObject):
    """The camera part of the desk window: preview, toolbar switch, camera menu, decoding.

    Signals:
        codeRead(str): a new code read from the camera, just handed to the scan path.
        frameDropped(): a frame came while another was being decoded and was let go.
        problem(str): the camera cannot be used ("none", "busy", "denied", "gone", "error").
    """

    codeRead = Signal(str)
    frameDropped = Signal()
    problem = Signal(str)

    def __init__(self, shell: Shell, *, beside: QWidget, source: FrameSource | None = None,
                 settings: QSettings | None = None, decoder: FrameDecoder | None = None,
                 repeat: RepeatFilter | None = None) -> None:
        window = shell.window()
        super().__init__(window)
        self.shell = shell
        self.settings = settings if settings is not None else QSettings("checkin-desk", "camera")
        self.decoder = decoder or FrameDecoder()
        self.repeat = repeat or RepeatFilter()
        # Its own single reader: decoding never waits behind the desk's reads, nor they behind it.
        self.runner = TaskRunner(self, readers=1)
        self.preview = CameraPreview()
        self.preview.mirrored = bool(self.settings.value("mirror", True, type=bool))
        self.preview.hide()
        _place_beside(beside, self.preview)
        self.in_flight = False
        self.frames_seen = self.frames_decoded = self.frames_dropped = 0
        self._last_preview = 0.0
        self._problem: str = ""
        self.on = False

        self.toggle_action = QAction(both("ui.camera.toggle", sep=" / "), window)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setToolTip(both("ui.camera.toggle_tip", sep=" / "))
        shell.toolbar.addAction(self.toggle_action)
        self.menu = QMenu(both("ui.camera.menu", sep=" / "), window)
        self.mirror_action = QAction(both("ui.camera.mirror", sep=" / "), window)
        self.mirror_action.setCheckable(True)
        self.mirror_action.setChecked(self.preview.mirrored)
        self.device_group = QActionGroup(self)
        self.device_group.setExclusive(True)
        shell.add_desk_actions([self.menu.menuAction()], "top")

        self.source: FrameSource = source if source is not None else QtCameraSource(self)
        self._connect_source()
        self.toggle_action.toggled.connect(self.set_on)
        self.mirror_action.toggled.connect(self._on_mirror)
        self.device_group.triggered.connect(self._on_device_chosen)
        self._fill_menu()
        if self.settings.value("on", False, type=bool):
            self.toggle_action.setChecked(True)

    # -- source ----------------------------------------------------------------------------
    def set_source(self, source: FrameSource) -> None:
        """Take frames from `source` from now on (tests: a fake camera)."""
        was_on = self.on
        self.source.stop()
        for signal, slot in self._source_slots():
            signal.disconnect(slot)
        self.source = source
        self._connect_source()
        self._fill_menu()
        if was_on:
            self.source.start(self.device_id)

    def _source_slots(self) -> list[tuple[SignalInstance, Callable[..., None]]]:
        s = self.source
        return [(s.frameArrived, self.on_frame), (s.started, self._on_started),
                (s.failed, self._on_failed), (s.devicesChanged, self._on_devices_changed)]

    def _connect_source(self) -> None:
        for signal, slot in self._source_slots():
            signal.connect(slot)

    @property
    def device_id(self) -> str:
        """The remembered camera ("" for the system's default)."""
        return str(self.settings.value("device", "", type=str))

    def _on_devices_changed(self) -> None:
        self._fill_menu()
        # A camera plugged (back) in while the switch is on and none could be used: use it.
        if self.on and self._problem in ("none", "gone") and self.source.devices():
            self._problem = ""
            self.preview.show_message(both("ui.camera.starting"))
            self.source.start(self.device_id)

    def _fill_menu(self) -> None:
        self.menu.clear()
        for action in self.device_group.actions():
            self.device_group.removeAction(action)
        chosen = self.device_id
        devices = self.source.devices()
        for dev_id, name, _front in devices:
            action = QAction(name, self.menu)
            action.setCheckable(True)
            action.setData(dev_id)
            action.setChecked(dev_id == chosen or (not chosen and dev_id == devices[0][0]))
            self.device_group.addAction(action)
            self.menu.addAction(action)
        if not devices:
            none = QAction(both("ui.camera.problem.none", sep=" / "), self.menu)
            none.setEnabled(False)
            self.menu.addAction(none)
        self.menu.addSeparator()
        self.menu.addAction(self.mirror_action)

    # -- switching -------------------------------------------------------------------------
    def set_on(self, on: bool) -> None:
        """Camera scanning on or off (remembered)."""
        if self.toggle_action.isChecked() != on:
            self.toggle_action.setChecked(on)  # comes back here through toggled
            return
        self.on = on
        self.settings.setValue("on", on)
        self.preview.setVisible(on)
        if on:
            self.repeat.forget()
            self._problem = ""
            self.preview.show_message(both("ui.camera.starting"))
            self.source.start(self.device_id)
        else:
            self.source.stop()
        self.shell.focus_scanner()

    def _on_device_chosen(self, action: QAction) -> None:
        self.settings.setValue("device", str(action.data()))
        if self.on:
            self.source.start(self.device_id)
        self.shell.focus_scanner()

    def _on_mirror(self, mirrored: bool) -> None:
        self.preview.mirrored = mirrored
        self.settings.setValue("mirror", mirrored)
        self.preview.update()

    def _on_started(self, _name: str) -> None:
        self._problem = ""

    def _on_failed(self, code: str) -> None:
        self._problem = code
        problem = msg(f"ui.camera.problem.{code if code in PROBLEMS else 'error'}")
        detail = self.source.detail
        if code == "error" and detail:
            problem = msg("ui.text.labelled", label=problem, value=detail)
        self.preview.show_message(f"{both(problem)}\n\n{both('ui.camera.still_works')}")
        self.in_flight = False
        self.problem.emit(code)

    @property
    def problem_code(self) -> str:
        """Why the camera is not in use now ("" when it is, or is off)."""
        return self._problem if self.on else ""

    # -- frames ----------------------------------------------------------------------------
    def on_frame(self, frame: QVideoFrame) -> None:
        """A frame from the camera: to the preview now and then, to the decoder when it is free."""
        if not self.on:
            return
        self.frames_seen += 1
        now = time.monotonic()
        if now - self._last_preview >= PREVIEW_INTERVAL_S:
            self._last_preview = now
            image = preview_image(frame)
            if not image.isNull():
                self.preview.show_image(image)
        if self.in_flight:
            self.frames_dropped += 1
            self.frameDropped.emit()
            return
        self.in_flight = True
        decoder = self.decoder

        def work() -> list[str]:
            pixels = decodable(frame)
            return decoder.decode(pixels) if pixels is not None else []

        self.runner.read(work, self._on_decoded, self._on_decode_failed)

    def _on_decoded(self, codes: list[str]) -> None:
        self.in_flight = False
        self.frames_decoded += 1
        if not self.on:
            return
        for code in codes:
            if self.repeat.is_new(code):
                self.codeRead.emit(code)
                self.shell.controller.scan(code)

    def _on_decode_failed(self, _exc: BaseException) -> None:
        # One unreadable frame is no reason to stop: the next one is tried.
        self.in_flight = False

    def stop(self) -> None:
        """Close the camera and the decoding thread (the window is closing)."""
        self.source.stop()
        self.runner.shutdown()


def _place_beside(widget: QWidget, extra: QWidget) -> None:
    """Put `extra` to the right of `widget`, top-aligned, in whichever box layout holds it."""
    found = holding_layout(widget)
    if found is None:
        raise ValueError("the widget beside which the preview goes is in no box layout")
    lay, idx = found
    stretch = lay.stretch(idx)
    lay.takeAt(idx)
    row = QHBoxLayout()
    row.setSpacing(12)
    # Its width is what the column leaves beside the preview, whatever it shows: a
    # panel whose text set its width would resize, refit its text, and resize again.
    policy = widget.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    widget.setSizePolicy(policy)
    row.addWidget(widget, 1)
    row.addWidget(extra, 0, Qt.AlignmentFlag.AlignTop)
    lay.insertLayout(idx, row, stretch)

