"""Tests for corpus_tools.reports.schedule: how many notebooks run at once, in which order, and after which."""

from __future__ import annotations

import json
import os

import pytest

from corpus_tools.reports import schedule
from corpus_tools.reports import ReportArgumentError


def _entries(n):
    return [{"notebook": f"{i:02d}.ipynb", "status": "pending"} for i in range(n)]


def test_execute_all_reports_the_first_failure_in_notebook_order_and_runs_nothing_after_it():
    import threading

    for jobs in (1, 2):
        entries = _entries(4)
        started = []
        lock = threading.Lock()

        def execute(index, entries=entries, started=started):
            with lock:
                started.append(index)
            entries[index]["status"] = "running"
            if index == 1:
                raise ZeroDivisionError("boom")
            entries[index]["status"] = "succeeded"

        failed_entry, exc = schedule.execute_all(execute, entries, jobs)
        assert failed_entry is entries[1] and isinstance(exc, ZeroDivisionError)
        assert entries[0]["status"] == "succeeded"
        if jobs == 1:
            # sequential: nothing starts after the failure
            assert started == [0, 1]
            assert [e["status"] for e in entries[2:]] == ["not run", "not run"]
        else:
            assert all(e["status"] in ("succeeded", "not run") for e in entries[2:])


def test_execute_all_runs_notebooks_concurrently_when_jobs_allow():
    import threading

    entries = _entries(2)
    both_running = threading.Barrier(2, timeout=10)

    def execute(index):
        both_running.wait()  # deadlocks (BrokenBarrierError after 10 s) unless both run at once
        entries[index]["status"] = "succeeded"

    assert schedule.execute_all(execute, entries, 2) is None
    assert [e["status"] for e in entries] == ["succeeded", "succeeded"]


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_bad_jobs_value_is_refused(jobs):
    with pytest.raises(ReportArgumentError, match="jobs="):
        schedule.choose_n_jobs(jobs, 3)


def test_jobs_default_is_bounded_by_cores_and_notebooks():
    assert schedule.choose_n_jobs(None, 1) == 1
    assert 1 <= schedule.choose_n_jobs(None, 10) <= (os.cpu_count() or 1)
    assert schedule.choose_n_jobs(8, 3) == 3


def test_notebooks_start_longest_first_after_a_previous_run(tmp_path):
    import threading

    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "run.json").write_text(json.dumps({"notebooks": [
        {"notebook": "00.ipynb", "wall_seconds": 5.0},
        {"notebook": "01.ipynb", "wall_seconds": 13.0},
        {"notebook": "02.ipynb", "wall_seconds": 6.0},
    ]}), encoding="utf-8")
    entries = _entries(4)  # 03 has no previous time: it may be long, so it goes first
    order = schedule.longest_first(entries, schedule.previous_durations(tmp_path))
    assert order == [3, 1, 2, 0]
    started, lock = [], threading.Lock()

    def execute(index):
        with lock:
            started.append(index)
        entries[index]["status"] = "succeeded"

    assert schedule.execute_all(execute, entries, 1, order=order) is None
    assert started == [0, 1, 2, 3]  # one at a time: notebook order, whatever the times
    started.clear()
    assert schedule.execute_all(execute, _entries(4), 2, order=order) is None
    assert sorted(started[:2]) == [1, 3]  # the two longest start first, side by side


def test_a_notebook_that_reads_another_starts_once_it_has_started():
    import threading
    import time

    names = ["00-corpus-overview", "01-topic-model", "02-rhetoric-frequency", "03-district-comparison"]
    entries = [{"notebook": f"{name}.ipynb", "status": "pending"} for name in names]
    events, lock = [], threading.Lock()

    def execute(index):
        with lock:
            events.append(("start", index))
        time.sleep(0.3 if index == 1 else 0.05)
        with lock:
            events.append(("end", index))
        entries[index]["status"] = "succeeded"

    # 03 is asked to start first, but it uses 01's recorded topic model (RUNS_AFTER): side by
    # side it starts once 01 has started (and waits for its output itself, in the kernel).
    assert schedule.execute_all(execute, entries, 2, order=[3, 1, 2, 0]) is None
    assert events.index(("start", 3)) > events.index(("start", 1))
    assert events.index(("start", 3)) < events.index(("end", 1))  # beside 01, not after it
    assert sorted(i for kind, i in events if kind == "end") == [0, 1, 2, 3]
    # One at a time, notebook order: 01 has ended before 03 starts.
    events.clear()
    assert schedule.execute_all(execute, entries, 1, order=[3, 1, 2, 0]) is None
    assert events.index(("start", 3)) > events.index(("end", 1))
    # Without 01 in the run, 03 does not wait for it.
    alone = [{"notebook": "03-district-comparison.ipynb", "status": "pending"}]
    assert schedule.execute_all(lambda i: alone[i].update(status="succeeded"), alone, 2) is None


def test_an_unreadable_previous_manifest_means_notebook_order(tmp_path):
    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "run.json").write_text("{not json", encoding="utf-8")
    assert schedule.previous_durations(tmp_path) == {}
    assert schedule.previous_durations(tmp_path / "nowhere") == {}
    assert schedule.longest_first(_entries(3), {}) == [0, 1, 2]


def test_before_any_run_the_shipped_notebooks_start_by_their_typical_times(tmp_path):
    names = ["00-corpus-overview", "01-topic-model", "02-rhetoric-frequency", "03-district-comparison",
             "04-mine"]
    entries = [{"notebook": f"{name}.ipynb", "status": "pending"} for name in names]
    order = schedule.longest_first(entries, schedule.previous_durations(tmp_path))
    # A notebook of the user's own has no typical time: it may be long, so it starts first; then
    # the comparison and the topic model (the two longest at 100 MB), the rhetoric, the overview.
    assert order == [4, 3, 1, 2, 0]
    # After a run its own times decide, not the typical ones.
    assert schedule.longest_first(entries[:4], {e["notebook"]: t for e, t in zip(entries, [9, 1, 5, 2])}) == [0, 2, 3, 1]
