"""The collector pause: off while any job holds it, frozen objects given back and the collector on
again (only if it was) when the last job ends; a job that never paused changes nothing."""

from __future__ import annotations

import gc

import pytest

from checkin_app import collector

pytestmark = pytest.mark.usefixtures("nothing_frozen")


def test_two_overlapping_jobs() -> None:
    assert gc.isenabled() and gc.get_freeze_count() == 0
    first, second = object(), object()
    collector.pause_for(first)
    assert not gc.isenabled()
    collector.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    collector.pause_for(second)
    made = [[] for _ in range(1000)]  # tracked objects made since the freeze
    collector.freeze()  # once: nothing made since is frozen by the second job
    # (frozen objects that are freed leave the count: it can only go down)
    assert gc.get_freeze_count() <= frozen
    del made
    collector.resume_after(first)
    assert not gc.isenabled() and 0 < gc.get_freeze_count() <= frozen  # the second still runs
    collector.resume_after(second)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    collector.resume_after(second)  # again: nothing
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    job = object()
    collector.pause_for(job)
    collector.resume_after(job)
    assert not gc.isenabled()


def test_freeze_outside_a_job_does_nothing() -> None:
    collector.freeze()
    assert gc.get_freeze_count() == 0


def test_someone_elses_freeze_is_left_alone() -> None:
    gc.freeze()  # as the hub does when it starts
    theirs = gc.get_freeze_count()
    job = object()
    collector.pause_for(job)
    collector.freeze()
    collector.resume_after(job)
    assert gc.isenabled() and 0 < gc.get_freeze_count() <= theirs
