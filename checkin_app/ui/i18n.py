"""Runtime language switching: the desk's language for everyone, and Qt's own Chinese translator.

The desk's words come from the catalogue (domain/messages.py): each view is told the language
(set_language) and fills its texts itself. Qt's standard widgets (OK/Cancel, a line edit's
context menu) have their own words, which Qt's qtbase_zh_CN translator gives in Chinese.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QLibraryInfo, QObject, QTranslator

LANGUAGES = ("zh", "en")
# Where the language now is kept, for parts that are not told it (the import wizard reads it).
LANGUAGE_PROPERTY = "deskLanguage"


def current_language() -> str:
    """The desk's UI language now: "zh" or "en" (English while no switcher has said otherwise)."""
    app = QCoreApplication.instance()
    lang = app.property(LANGUAGE_PROPERTY) if app is not None else None
    return lang if lang in LANGUAGES else "en"


class LanguageSwitcher(QObject):
    """Holds the desk's language and Qt's own translator; the window tells every view."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.language = "en"  # nothing installed yet: Qt's own words are English
        self._qt = QTranslator(self)
        # Qt's own strings (OK/Cancel, the line edit's context menu) in Chinese when available.
        self._qt_loaded = self._qt.load(
            "qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))

    def set_language(self, lang: str) -> None:
        """Switch to "zh" or "en"; a no-op when already there."""
        if lang not in LANGUAGES or lang == self.language:
            return
        app = QCoreApplication.instance()
        if app is None:
            return
        if lang == "zh":
            if self._qt_loaded:
                app.installTranslator(self._qt)
        else:
            app.removeTranslator(self._qt)
        app.setProperty(LANGUAGE_PROPERTY, lang)
        self.language = lang
        if not self._qt_loaded:
            # Installing a translator posts LanguageChange; parts that follow the language by
            # that event (status-bar labels) must hear it without Qt's translations too.
            QCoreApplication.postEvent(app, QEvent(QEvent.Type.LanguageChange))

    def remove(self) -> None:
        """Take Qt's translator off the application (when the window closes)."""
        app = QCoreApplication.instance()
        if app is not None:
            app.removeTranslator(self._qt)
            app.setProperty(LANGUAGE_PROPERTY, None)
        self.language = "en"
