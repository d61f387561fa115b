"""The one background-work helper: results, exceptions and progress on the GUI thread, cancel, one writer."""

from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from checkin_app.ui.tasks import Task, TaskRunner


def _runner(qtbot: QtBot) -> TaskRunner:
    """A runner of its own (qtbot's event loop delivers what it posts)."""
    return TaskRunner(readers=2)


def test_result_exception_and_progress_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    gui = threading.current_thread()
    seen: list[tuple[str, object, threading.Thread]] = []

    def job(task: Task) -> str:
        ran_in = threading.current_thread()
        for i in range(3):
            task.progress(i, 3)
        return f"done in {ran_in.name}"

    runner.start(job, lambda r: seen.append(("done", r, threading.current_thread())),
                 on_progress=lambda d, t: seen.append(("progress", (d, t), threading.current_thread())))

    def broken() -> None:
        raise RuntimeError("disk unplugged")

    errors: list[BaseException] = []
    runner.read(broken, None, errors.append)
    qtbot.waitUntil(lambda: len(seen) == 4 and bool(errors), timeout=5000)
    assert [s[0] for s in seen] == ["progress", "progress", "progress", "done"]
    assert [s[1] for s in seen[:3]] == [(0, 3), (1, 3), (2, 3)]
    assert all(s[2] is gui for s in seen)
    assert isinstance(seen[3][1], str) and gui.name not in seen[3][1]
    assert isinstance(errors[0], RuntimeError) and str(errors[0]) == "disk unplugged"
    runner.shutdown()


def test_a_cancelled_task_stops_at_its_next_check_and_still_answers(qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    started = threading.Event()
    answers: list[int] = []

    def long_job(task: Task) -> int:
        started.set()
        steps = 0
        while not task.cancelled() and steps < 500:
            time.sleep(0.01)
            steps += 1
        return steps

    task = runner.start(long_job, answers.append)
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)
    assert answers[0] < 500 and task.cancelled()
    runner.shutdown()


def test_writes_run_one_at_a_time_in_order_and_busy_is_reported(qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    order: list[int] = []
    inside = [0]
    overlap: list[int] = []
    busy: list[bool] = []
    runner.busyChanged.connect(busy.append)

    def write(i: int) -> None:
        inside[0] += 1
        overlap.append(inside[0])
        time.sleep(0.02)
        order.append(i)
        inside[0] -= 1

    for i in range(5):
        runner.start(lambda _t, i=i: write(i), write=True)
    assert runner.writes_pending == 5
    qtbot.waitUntil(lambda: busy == [True, False], timeout=5000)
    assert order == [0, 1, 2, 3, 4] and max(overlap) == 1
    runner.shutdown()


def test_after_shutdown_nothing_more_is_delivered(qtbot: QtBot) -> None:
    runner = _runner(qtbot)
    got: list[object] = []
    gate = threading.Event()
    runner.start(lambda task: (gate.wait(5), task.progress("late"))[1], got.append,
                 on_progress=got.append)
    threading.Timer(0.05, gate.set).start()
    runner.shutdown()
    qtbot.wait(100)
    assert got == []
