"""Runtime language switching: install or remove the Chinese Qt translator."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QObject, QTranslator

from checkin_app.paths import resource

LANGUAGES = ("zh", "en")


class LanguageSwitcher(QObject):
    """Holds the translators; every widget hears LanguageChange and retranslates itself."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.language = "en"  # the source strings are English; nothing installed yet
        self._app = QTranslator(self)
        self._qt = QTranslator(self)
        self._loaded = self._app.load("checkin_zh_CN", str(resource("translations")))
        # Qt's own strings (OK/Cancel, the line edit's context menu) in Chinese when available.
        self._qt_loaded = self._qt.load(
            "qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))

    @property
    def available(self) -> bool:
        """Whether the Chinese translation file was found."""
        return self._loaded

    def set_language(self, lang: str) -> None:
        """Switch to "zh" or "en"; a no-op when already there."""
        if lang not in LANGUAGES or lang == self.language:
            return
        app = QCoreApplication.instance()
        if app is None:
            return
        if lang == "zh":
            if self._loaded:
                app.installTranslator(self._app)
            if self._qt_loaded:
                app.installTranslator(self._qt)
        else:
            app.removeTranslator(self._app)
            app.removeTranslator(self._qt)
        self.language = lang

    def remove(self) -> None:
        """Take our translators off the application (when the window closes)."""
        app = QCoreApplication.instance()
        if app is not None:
            app.removeTranslator(self._app)
            app.removeTranslator(self._qt)
        self.language = "en"
