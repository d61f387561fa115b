"""System printers through Qt: the badge PDF is rasterised with QtPdf at the printer's resolution.

Registered as the "qt" printer kind ("qt:Printer name", "qt:" for the system default). Runs in the
print worker thread, never on the GUI thread: QPdfDocument, QPrinter and QPainter on a printer are
all usable outside the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from checkin_app.domain.messages import both, msg
from checkin_app.printing.backends import PrintError, PrintRequest, register_backend


def _load(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    doc = QPdfDocument()
    buf = QBuffer()
    buf.setData(QByteArray(pdf))
    buf.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buf)
    if doc.status() != QPdfDocument.Status.Ready or doc.pageCount() < 1:
        raise PrintError(both(msg("ui.print.bad_pdf", error=doc.error().name)))
    return doc, buf


def rasterise(pdf: bytes, dpi: float, page: int = 0) -> QImage:
    """One PDF page as an image at `dpi` (white background)."""
    doc, _buf = _load(pdf)
    pts = doc.pagePointSize(page)
    size = QSize(max(1, round(pts.width() / 72 * dpi)), max(1, round(pts.height() / 72 * dpi)))
    img = doc.render(page, size)
    out = QImage(img.size(), QImage.Format.Format_RGB32)
    out.fill(0xFFFFFF)
    p = QPainter(out)
    p.drawImage(0, 0, img)
    p.end()
    doc.close()
    return out


def qt_printers() -> list[str]:
    """Names of the system's printers as Qt sees them."""
    return [p.printerName() for p in QPrinterInfo.availablePrinters()]


class QtPrinterBackend:
    """Prints through QPrinter at actual size on badge-sized paper (optionally into a PDF file)."""

    def __init__(self, printer_name: str, *, output_file: str | None = None) -> None:
        self.printer_name = printer_name
        self.output_file = output_file
        self.spec = f"qt:{printer_name}"

    def _printer(self, request: PrintRequest) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.output_file:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(self.output_file)
        else:
            name = self.printer_name or QPrinterInfo.defaultPrinterName()
            if not name:
                raise PrintError(both("ui.print.no_printer"))
            printer.setPrinterName(name)
            if not printer.isValid():
                raise PrintError(both(msg("ui.print.not_found", name=name)))
        w, h = request.page_mm
        # The badge's own size as the paper, portrait or landscape as the badge is: actual size.
        page = QPageSize(QSizeF(min(w, h), max(w, h)), QPageSize.Unit.Millimeter, "Badge",
                         QPageSize.SizeMatchPolicy.FuzzyMatch)
        orientation = (QPageLayout.Orientation.Landscape if w > h
                       else QPageLayout.Orientation.Portrait)
        printer.setPageLayout(QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0),
                                          QPageLayout.Unit.Millimeter))
        printer.setFullPage(True)
        printer.setDocName(request.title)
        return printer

    def print_pdf(self, request: PrintRequest) -> str:
        doc, _buf = _load(request.pdf)
        printer = self._printer(request)
        dpi = printer.resolution()
        painter = QPainter()
        if not painter.begin(printer):
            name = self.printer_name or msg("ui.print.default_printer")
            raise PrintError(both(msg("ui.print.cannot_start", name=name)))
        try:
            for i in range(doc.pageCount()):
                if i:
                    printer.newPage()
                pts = doc.pagePointSize(i)
                # Rendered at the printer's own resolution and drawn 1:1: no scaling anywhere.
                size = QSize(round(pts.width() / 72 * dpi), round(pts.height() / 72 * dpi))
                img = doc.render(i, size)
                painter.drawImage(QRectF(0, 0, size.width(), size.height()), img)
        finally:
            painter.end()
            doc.close()
        return self.output_file or (self.printer_name or QPrinterInfo.defaultPrinterName())


def register() -> None:
    """Make "qt:NAME" printer specs usable by the print runner."""
    register_backend("qt", lambda name: QtPrinterBackend(name))
