"""The verdict panel: colour fills it, an icon and words say the verdict, the name is huge."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from checkin_app.domain.clock import zone
from checkin_app.domain.messages import Message, msg
from checkin_app.domain.tokens import display_code
from checkin_app.domain.types import ScanResult
from checkin_app.domain.verdicts import EXIT_WORDING, Severity, Verdict, title_message
from checkin_app.ui import style
from checkin_app.ui.fit_label import FitLabel
from checkin_app.ui.icons import Glyph, glyph_for, paint_glyph
from checkin_app.ui.mode_switch import EXIT_COLOUR
from checkin_app.ui.texts import other, say, word
from checkin_app.ui.trace import watch_paint

IDLE_TIMEOUT_MS = 30_000
# Type sizes in px at a panel height of DESIGN_HEIGHT; they scale with the real height so the
# same layout reads from two metres on full HD and still fits a 1366×768 laptop.
DESIGN_HEIGHT = 740
# The second language under a headline is read from two metres too: at least 60% of its size.
SIZES = {"title1": 54, "title2": 36, "native": 110, "latin": 66, "icon": 112, "meta": 24,
         "chip": 22, "country": 24, "attention": 28, "previous": 28, "reason": 22, "next": 24,
         "code": 15}
SECONDARY_RATIO = 0.6
# A crowded verdict (attention note, first check-in, two-line next step) first shrinks its big
# type (headline, name, icon) down to MIN_BIG_SCALE, then the rest down to MIN_SCALE: no line
# ever overlaps another, and the small lines stay as readable as the room allows.
BIG = frozenset({"title1", "title2", "native", "latin", "icon"})
MIN_BIG_SCALE = 0.36
MIN_SCALE = 0.4

# An exit has its own look (colour, arrow, words): it must never read as a green "admit".
EXIT = style.Palette(EXIT_COLOUR, "#FFFFFF", "#9A3600")


def is_exit(result: ScanResult) -> bool:
    """A recorded exit: the result says so or its check-in event does."""
    leaving = result.direction == "out" or (
        result.event is not None and result.event.direction == "out")
    return leaving and (result.admitted or result.event is not None)


class GlyphWidget(QWidget):
    """A large painted verdict icon on a white disc."""

    def __init__(self, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.glyph: Glyph | None = Glyph.SCAN  # None: the exit sign
        self._colour = QColor(style.IDLE.text)
        self.setFixedSize(size, size)

    def set_glyph(self, glyph: Glyph | None, colour: str) -> None:
        """Show `glyph` (or the exit sign, for None) drawn in `colour`."""
        self.glyph = glyph
        self._colour = QColor(colour)
        self.update()

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        paint_glyph(p, rect, self.glyph or Glyph.EXIT, self._colour, QColor("#FFFFFF"))
        p.end()


def _text_on(colour: str) -> str:
    """Black or white, whichever reads better on `colour`."""
    c = QColor(colour)
    lum = 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()
    return "#111111" if lum > 150 else "#FFFFFF"


def _pair(lang: str, zh: str, en: str, sep: str = "  ·  ") -> str:
    first, second = (zh, en) if lang == "zh" else (en, zh)
    return sep.join(t for t in (first, second) if t)


class ResultPanel(QFrame):
    """Shows the latest verdict; returns to "please scan" after a timeout.

    Signals: none (it only displays). States: "idle", "pending", "result", "error".
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        # Ignored vertically: the panel takes what the window gives and scales its type to it,
        # instead of forcing the window taller than a laptop screen.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.setMinimumHeight(320)
        self._scale = 1.0  # what the small type is drawn at now
        self._big_scale = 1.0  # what the headline, the name and the icon are drawn at now
        self._height_scale = 1.0  # what the panel's height allows at most
        self._chip_colour = "#78909C"
        self.language = "zh"
        self.tz = zone()
        self.state = "idle"
        self.palette_now = style.IDLE
        self.result: ScanResult | None = None
        self._error: tuple[str, str] | None = None
        self._pending_code = ""
        self._undo = ("", "")

        self.icon = GlyphWidget(112)
        self.title_primary = FitLabel(52, 20, bold=True)
        self.title_secondary = FitLabel(36, 16)
        self.name_native = FitLabel(104, 22, bold=True)
        self.name_latin = FitLabel(66, 18)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.category_chip = QLabel()
        self.country = QLabel()
        # Walk-ins are marked wherever they appear (issue 3): a white chip next to the category.
        self.walk_in_chip = QLabel()
        self.walk_in_chip.setObjectName("walkInChip")
        self.attention = QLabel()
        self.attention.setWordWrap(True)
        self.attention.setObjectName("attention")
        self.previous = QLabel()
        self.previous.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.next_step = QLabel()
        self.next_step.setWordWrap(True)
        self.next_step.setObjectName("nextStep")
        self.code = QLabel()
        for lbl in (self.meta, self.country, self.previous, self.reason, self.code):
            lbl.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

        head = QHBoxLayout()
        head.setSpacing(24)
        head.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title_primary)
        titles.addWidget(self.title_secondary)
        head.addLayout(titles, 1)

        chips = QHBoxLayout()
        chips.setSpacing(16)
        chips.addWidget(self.category_chip)
        chips.addWidget(self.country)
        chips.addWidget(self.walk_in_chip)
        chips.addStretch(1)

        lay = self._layout = QVBoxLayout(self)
        lay.setContentsMargins(32, 24, 32, 24)
        lay.setSpacing(10)
        lay.addLayout(head)
        lay.addSpacing(8)
        lay.addWidget(self.name_native)
        lay.addWidget(self.name_latin)
        lay.addWidget(self.meta)
        lay.addLayout(chips)
        lay.addWidget(self.attention)
        lay.addWidget(self.previous)
        lay.addWidget(self.reason)
        lay.addStretch(1)
        lay.addWidget(self.next_step)
        lay.addWidget(self.code)

        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.setInterval(IDLE_TIMEOUT_MS)
        self._idle_timer.timeout.connect(self.show_idle)
        self.show_idle()
        watch_paint(self, self._trace_shown)  # only with CHECKIN_TRACE (the real-window bench)

    def _trace_shown(self) -> tuple[object, dict[str, object]] | None:
        """What a "painted" trace line names: the verdict or error now shown, else None."""
        if self.state == "result" and self.result is not None:
            return self.result, {"state": "result", "code": self.result.code,
                                 "verdict": str(self.result.verdict)}
        if self.state == "error" and self._error is not None:
            return self._error, {"state": "error", "code": self._error[0]}
        return None

    # -- public API ------------------------------------------------------------------------
    def set_idle_timeout(self, ms: int) -> None:
        """How long a verdict stays before "please scan" returns."""
        self._idle_timer.setInterval(ms)

    def set_language(self, lang: str) -> None:
        """Put `lang` ("zh" or "en") first in every bilingual line and redraw."""
        self.language = lang
        self._render()

    def background_colour(self) -> str:
        """The fill colour now (for tests and screenshots)."""
        return self.palette_now.background

    def show_idle(self) -> None:
        """"Please scan"."""
        self.state = "idle"
        self.result = None
        self._idle_timer.stop()
        self._render()

    def show_pending(self, code: str) -> None:
        """A code is being checked (normally for a few milliseconds)."""
        self.state = "pending"
        self._pending_code = code
        self._render()

    def show_result(self, result: ScanResult) -> None:
        """Replace whatever is shown with this verdict."""
        self.state = "result"
        self.result = result
        self._idle_timer.start()
        self._render()

    def show_error(self, code: str, message: str) -> None:
        """A failure of the program (not a verdict); keeps the code so it can be retried."""
        self.state = "error"
        self._error = (code, message)
        self._idle_timer.start()
        self._render()

    def show_undo(self, name: str, code: str) -> None:
        """An undo was recorded: say whose check-in no longer counts."""
        self.state = "undo"
        self._undo = (name, code)
        self._idle_timer.start()
        self._render()

    def changeEvent(self, e: QEvent) -> None:
        if e.type() == QEvent.Type.LanguageChange:
            self._render()
        super().changeEvent(e)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        scale = max(0.5, min(1.3, self.height() / DESIGN_HEIGHT))
        if abs(scale - self._height_scale) > 0.02 or e.oldSize().width() != e.size().width():
            self._height_scale = scale
            self._render()

    def px(self, key: str) -> int:
        """A type size for the current panel height (and how much it has to show)."""
        return max(11, round(SIZES[key] * (self._big_scale if key in BIG else self._scale)))

    def _fit_to_height(self) -> None:
        """The largest type (up to what the height allows) at which everything shown fits.

        A verdict with an attention note, the first check-in and two-line next steps needs
        more room than a plain admit: the big type gives way first, then the rest, so no line
        ever overlaps another. Style sheets (slow) are set again only when the small type changes.
        """
        small = big = self._height_scale
        restyle = True
        for _ in range(24):
            self._apply_scale(small, big, restyle=restyle)
            if not self._crowded():
                return
            restyle = big <= MIN_BIG_SCALE
            if big > MIN_BIG_SCALE:
                big = max(MIN_BIG_SCALE, big * 0.94)
            elif small > MIN_SCALE:
                small = max(MIN_SCALE, small * 0.94)
            else:
                return

    def _crowded(self) -> bool:
        """Whether the layout had to give some line less height than it needs (lines overlap)."""
        lay = self._layout
        lay.invalidate()
        lay.activate()
        for i in range(lay.count()):
            item = lay.itemAt(i)
            if item is None or item.isEmpty() or item.spacerItem() is not None:
                continue
            g = item.geometry()
            need = (item.heightForWidth(g.width()) if item.hasHeightForWidth()
                    else item.minimumSize().height())
            if g.height() < need:
                return True
        return False

    def _apply_scale(self, small: float, big: float, *, restyle: bool = True) -> None:
        self._scale, self._big_scale = small, big
        self.icon.setFixedSize(self.px("icon"), self.px("icon"))
        self.title_primary.set_max_px(self.px("title1"))
        self.title_secondary.set_max_px(self.px("title2"))
        self.name_native.set_max_px(self.px("native"))
        self.name_latin.set_max_px(self.px("latin"))
        m = round(28 * self._scale)
        self._layout.setContentsMargins(m, round(m * 0.8), m, round(m * 0.8))
        if restyle:
            self._style_children()

    # -- drawing ---------------------------------------------------------------------------
    def _clear(self) -> None:
        for w in (self.name_native, self.name_latin):
            w.setText("")
        for lbl in (self.meta, self.category_chip, self.country, self.walk_in_chip, self.attention,
                    self.previous, self.reason, self.next_step, self.code):
            lbl.setText("")
            lbl.setVisible(False)

    def _set(self, lbl: QLabel, text: str) -> None:
        lbl.setText(text)
        lbl.setVisible(bool(text))

    def _render(self) -> None:
        self._clear()
        if self.state == "result" and self.result is not None:
            self._render_result(self.result)
        elif self.state == "pending":
            self._apply_palette(style.PENDING, Glyph.WAIT)
            self._titles("result.checking")
            self._set(self.code, self._pending_code)
        elif self.state == "error" and self._error is not None:
            code, message = self._error
            self._apply_palette(style.ERROR, Glyph.ERROR)
            self._titles("result.error")
            zh, _, en = message.partition("\n")
            self._set(self.reason, _pair(self.language, zh, en, "\n"))
            self._set(self.next_step, say("result.error_next", self.language, "\n"))
            self._set(self.code, word(msg("scan.code", code=code), self.language))
        elif self.state == "undo":
            name, code = self._undo
            self._apply_palette(style.UNDONE, Glyph.UNDO)
            self._titles("result.undone")
            self.name_native.setText(name)
            self._set(self.next_step, say("result.undone_next", self.language, "\n"))
            self._set(self.code, word(msg("scan.code", code=code), self.language))
        else:
            self._apply_palette(style.IDLE, Glyph.SCAN)
            self._titles("result.scan")
            self._set(self.next_step, say("result.scan_next", self.language, "\n"))
        self._fit_to_height()

    def _titles(self, message: Message | str) -> None:
        """The headline in the UI language, the other language under it."""
        self.title_primary.setText(word(message, self.language))
        self.title_secondary.setText(word(message, other(self.language)))

    def _render_result(self, r: ScanResult) -> None:
        lang = self.language
        leaving = is_exit(r)
        if leaving:
            w = EXIT_WORDING
            title_zh, title_en, next_zh, next_en = w.title_zh, w.title_en, w.next_zh, w.next_en
            self._apply_palette(EXIT, None)
        else:
            title_zh, title_en, next_zh, next_en = r.title_zh, r.title_en, r.next_zh, r.next_en
            self._apply_palette(style.BY_SEVERITY[r.severity], glyph_for(r.verdict, r.severity))
        self.title_primary.setText(title_zh if lang == "zh" else title_en)
        self.title_secondary.setText(title_en if lang == "zh" else title_zh)
        d = r.delegate
        if d is not None:
            native = d.name_native or d.display_name or d.name_latin
            self.name_native.setText(native)
            latin = d.name_latin if d.name_latin and d.name_latin != native else ""
            self.name_latin.setText(latin)
            org = d.organisation_zh if lang == "zh" else d.organisation_en
            org = org or d.organisation
            pos = (d.position_zh if lang == "zh" else d.position_en) or d.position
            self._set(self.meta, "  ·  ".join(t for t in (d.honorific, pos, org) if t))
            cat = d.category
            chip_text = _pair(lang, cat.name_zh, cat.name_en, " / ")
            self.category_chip.setText(chip_text)
            self.category_chip.setVisible(True)
            self._chip_colour = cat.colour
            self._set(self.country, _pair(lang, d.country_name_zh, d.country_name_en, " / "))
            self._set(self.walk_in_chip, say("result.walk_in", lang, " / ") if d.walk_in else "")
        attention = self._attention_text(r, lang)
        self._set(self.attention, attention)
        if r.verdict is Verdict.ALREADY_IN and r.previous is not None:
            hm = r.previous.at.astimezone(self.tz).strftime("%H:%M")
            desk = r.previous.desk
            self._set(self.previous, say(msg("result.first_check_in", hm=hm, desk=desk), lang, "\n"))
        reason_zh = r.details.get("reason_zh", "") if r.details else ""
        reason_en = r.details.get("reason_en", "") if r.details else ""
        # The reason repeats the title, so show it only when it adds something: a time, a
        # category, a code; ALREADY_IN says its time and desk in the line above instead.
        has_reason = bool(reason_zh or reason_en) and not attention
        if not leaving and ((r.verdict is not Verdict.ALREADY_IN and has_reason) or (
            r.verdict is Verdict.ALREADY_IN and r.previous is None
        )):
            self._set(self.reason, _pair(lang, r.message_zh, r.message_en, "\n"))
        self._set(self.next_step, _pair(lang, next_zh, next_en, "\n"))
        if r.code:
            shown = display_code(r.code)  # a signed token is ~128 characters
            self._set(self.code, word(msg("scan.code", code=shown), lang))

    @staticmethod
    def _attention_text(r: ScanResult, lang: str) -> str:
        if r.verdict is not Verdict.ADMIT_WITH_ATTENTION:
            return ""
        details = r.details or {}
        if details.get("forced") == "1":
            return override_note(r, lang)
        zh, en = details.get("reason_zh", ""), details.get("reason_en", "")
        if zh or en:
            return _pair(lang, zh, en if en != zh else "", "\n")
        return r.delegate.attention_note if r.delegate else ""

    def _apply_palette(self, pal: style.Palette, glyph: Glyph | None) -> None:
        self.palette_now = pal
        self.icon.set_glyph(glyph, pal.background if pal is not style.IDLE else pal.text)

    def _style_children(self) -> None:
        pal = self.palette_now
        self.setStyleSheet(
            f"QFrame#resultPanel {{ background: {pal.background}; border-radius: 18px; }}"
            f"QFrame#resultPanel QLabel {{ color: {pal.text}; background: transparent; }}"
            "QFrame#resultPanel QLabel#attention {"
            " background: #FFFFFF; color: #1A1A1A; border-left: 10px solid #F5B301;"
            f" border-radius: 8px; padding: 8px 16px; font-size: {self.px('attention')}px;"
            " font-weight: bold; }"
            f"QFrame#resultPanel QLabel#nextStep {{ background: {pal.accent};"
            f" color: #FFFFFF; border-radius: 8px; padding: 8px 16px;"
            f" font-size: {self.px('next')}px; font-weight: bold; }}"
        )
        for w in (self.title_primary, self.title_secondary, self.name_native, self.name_latin):
            w.set_colour(pal.text)
        colour = self._chip_colour
        self.category_chip.setStyleSheet(
            f"background: {colour}; color: {_text_on(colour)};"
            " border: 2px solid #FFFFFF; border-radius: 8px; padding: 3px 14px;"
            f" font-size: {self.px('chip')}px; font-weight: bold;")
        self.walk_in_chip.setStyleSheet(
            "background: #FFFFFF; color: #6A1B9A; border: 2px solid #6A1B9A; border-radius: 8px;"
            f" padding: 3px 12px; font-size: {self.px('chip')}px; font-weight: bold;")
        self.meta.setStyleSheet(f"font-size: {self.px('meta')}px;")
        self.country.setStyleSheet(f"font-size: {self.px('country')}px; font-weight: bold;")
        self.previous.setStyleSheet(f"font-size: {self.px('previous')}px; font-weight: bold;")
        self.reason.setStyleSheet(f"font-size: {self.px('reason')}px;")
        self.code.setStyleSheet(f"font-size: {self.px('code')}px;")
        self.code.setAlignment(Qt.AlignmentFlag.AlignRight)
        if pal is style.IDLE:
            self.next_step.setStyleSheet(
                "background: transparent; color: #455A64; font-weight: normal;"
                f" font-size: {self.px('reason')}px;")
        else:
            self.next_step.setStyleSheet("")

    @property
    def severity(self) -> Severity | None:
        """Severity of the verdict shown, if any."""
        return self.result.severity if self.state == "result" and self.result else None


def override_note(r: ScanResult, lang: str) -> str:
    """A forced admission in words: who set which verdict aside, and why, in both languages.

    Reads `overridden` / `operator` / `override_reason` from the details when the service gives
    them, else the recorded event (its verdict is the one set aside) and the reason's tail.
    """
    details = r.details or {}
    code = details.get("overridden") or (r.event.verdict if r.event else "")
    manager = details.get("operator") or (r.event.operator if r.event else "")
    reason = details.get("override_reason", "")
    if not reason:
        # The service's override.by line in Chinese: the reason is what follows its mark.
        reason = details.get("reason_zh", "").partition(word("override.reason_mark", "zh"))[2]
    was = title_message(code)
    said = (msg("override.by", operator=manager, was=was, reason=reason) if reason
            else msg("override.by_no_reason", operator=manager, was=was))
    return say(said, lang, "\n")
