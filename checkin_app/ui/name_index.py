"""The name index after a big import: built off the GUI thread, its progress beside the search hint.

A registration import of thousands of people commits them first and leaves their search keys to be
built (services.search.build_pending); `NameIndexDesk` builds them when the desk starts with keys
pending (an import in another process, or one killed midway) and after the wizard's import. Until
it is done, people are found by their names as written, and check-in by code works as ever.
"""

from __future__ import annotations

from collections.abc import Callable

from checkin_app.desk import DeskCore
from checkin_app.domain.messages import both, msg
from checkin_app.ui.shell import Shell
from checkin_app.ui.tasks import Task
from checkin_app.ui.texts import say, word

# Shows a note (text, tooltip) where the volunteer searches; ("", "") hides it.
Note = Callable[[str, str], None]


class NameIndexDesk:
    """The window's part: a note beside the search hint, shown only while the index is built (the
    one place it matters: a new person is found there by name as written, not yet by pinyin)."""

    def __init__(self, shell: Shell, core: DeskCore, note: Note) -> None:
        self._shell = shell
        self._core = core
        self._note = note
        self.text = ""
        self._running = False
        # Asked again while one build runs (a second import): run once more after it.
        self._again = False

    @property
    def running(self) -> bool:
        """Whether a build is under way."""
        return self._running

    def start(self) -> None:
        """Build whatever keys are pending (nothing, quickly, when none are)."""
        if self._running:
            self._again = True
            return
        self._running = True
        core = self._core

        def job(task: Task) -> int:
            return core.build_name_index(lambda done, total: task.progress(done, total))

        self._shell.controller.runner.start(job, self._on_done, self._on_failed,
                                            on_progress=self._on_progress)

    def _on_progress(self, done: int, total: int) -> None:
        pct = done * 100 // max(total, 1)
        self.text = word(msg("ui.window.indexing", pct=pct), self._shell.language)
        self._note(self.text, both("ui.window.indexing_tip", sep="\n"))

    def _on_done(self, _keys: object) -> None:
        self._finish()

    def _on_failed(self, exc: BaseException) -> None:
        # The keys stay pending (nothing half-built is committed) and the next start tries again;
        # meanwhile the search still finds people by their names as written.
        self._shell.show_error(say(msg("ui.window.index_failed", error=str(exc)), self._shell.language))
        self._finish()

    def _finish(self) -> None:
        self._running = False
        self.text = ""
        self._note("", "")
        if self._again:
            self._again = False
            self.start()
