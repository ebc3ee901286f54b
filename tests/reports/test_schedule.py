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


def test_before_any_run_the_order_depends_on_the_corpus_size():
    names = ["00-corpus-overview", "01-topic-model", "02-rhetoric-frequency", "03-district-comparison"]
    entries = [{"notebook": f"{name}.ipynb", "status": "pending"} for name in names]
    # By hand, with 00 12 s, 01 90 s, 02 29 s, 03 51 s (03 reads 01's model): after 02 and 00, 03
    # fits in beside 01 (29 + 12 + 51 = 92 s); started beside 01 it would idle until 01 ends at
    # 90 s, and 02 would follow: 90 + 29 = 119 s.
    times = dict(zip([e["notebook"] for e in entries], [12.0, 90.0, 29.0, 51.0]))
    waits = {0: set(), 1: set(), 2: set(), 3: {1}}
    assert schedule.plan_order(entries, times, 2) == [1, 2, 0, 3]
    assert schedule.simulated_seconds([1, 2, 0, 3], list(times.values()), waits, 2) == pytest.approx(92.0)
    assert schedule.simulated_seconds([1, 3, 2, 0], list(times.values()), waits, 2) == pytest.approx(119.0)
    # At 5 MB the typical times (00 7.1 s, 01 53.1, 02 24.0, 03 35.2) put 01 beside 02, then 03
    # after 02 (24.0 + 35.2 = 59.2 s, ending after 01) and 00 after 01: 53.1 + 7.1 = 60.2 s, where
    # 01, 02, 00, 03 takes 24.0 + 7.1 + 35.2 = 66.3 s. At 100 MB and on the seeds the comparison
    # (03) starts as soon as 01 has started.
    typical = [schedule.typical_seconds(5.0)[e["notebook"]] for e in entries]
    assert schedule.plan_order(entries, schedule.typical_seconds(5.0), 2) == [1, 2, 3, 0]
    assert schedule.simulated_seconds([1, 2, 3, 0], typical, waits, 2) == pytest.approx(60.2)
    assert schedule.simulated_seconds([1, 2, 0, 3], typical, waits, 2) == pytest.approx(66.3)
    assert schedule.plan_order(entries, schedule.typical_seconds(100.0), 2) == [3, 1, 2, 0]
    assert schedule.plan_order(entries, schedule.typical_seconds(0.055), 2) == [3, 1, 2, 0]
    # Between and beyond the sizes measured, linear.
    middle = schedule.typical_seconds(52.5)["01-topic-model.ipynb"]
    ends = [schedule.TYPICAL_SECONDS[mb]["01-topic-model.ipynb"] for mb in (5.0, 100.0)]
    assert middle == pytest.approx(sum(ends) / 2)
    assert schedule.typical_seconds(195.0)["01-topic-model.ipynb"] == pytest.approx(2 * ends[1] - ends[0])
    # A notebook of the user's own has no time: it may be long, so it starts first, then the plan.
    mine = [*entries, {"notebook": "04-mine.ipynb", "status": "pending"}]
    assert schedule.plan_order(mine, schedule.typical_seconds(100.0), 2) == [4, 3, 1, 2, 0]
    # One at a time the order is the notebooks' own (execute_all ignores it anyway).
    assert schedule.plan_order(entries, times, 1) == schedule.longest_first(entries, times)


def test_simulated_runs_match_a_hand_worked_timeline():
    free = {0: set(), 1: set(), 2: set()}
    # Two at a time, 5 s, 3 s and 4 s: 0 on one worker (0-5), 1 then 2 on the other (0-3, 3-7).
    assert schedule.simulated_seconds([0, 1, 2], [5, 3, 4], free, 2) == 7
    assert schedule.simulated_seconds([2, 0, 1], [5, 3, 4], free, 2) == 7  # 2 (0-4), 0 (0-5), 1 (4-7)
    assert schedule.simulated_seconds([0, 1, 2], [5, 3, 4], free, 3) == 5
    # 1 reads 0's output: it starts once 0 has and ends no earlier than 0. Asked first, it starts
    # beside 0 and waits for it (0-5), so 2 runs after (5-9); after 2, it fits in (4-7).
    reads = {0: set(), 1: {0}, 2: set()}
    assert schedule.simulated_seconds([1, 0, 2], [5, 3, 4], reads, 2) == 9
    assert schedule.simulated_seconds([0, 2, 1], [5, 3, 4], reads, 2) == 7
    assert schedule.simulated_seconds([1], [3], {0: set(), 1: {0}}, 2) == float("inf")


def test_the_previous_run_orders_by_the_time_each_notebook_worked_not_waited(tmp_path):
    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "run.json").write_text(json.dumps({"notebooks": [
        {"notebook": "01-topic-model.ipynb", "wall_seconds": 98.0, "waited_seconds": 0.0},
        {"notebook": "03-district-comparison.ipynb", "wall_seconds": 103.4, "waited_seconds": 52.6},
        {"notebook": "00-corpus-overview.ipynb", "wall_seconds": 12.0},  # written before waits were recorded
    ]}), encoding="utf-8")
    assert schedule.previous_durations(tmp_path) == {
        "01-topic-model.ipynb": 98.0, "03-district-comparison.ipynb": pytest.approx(50.8),
        "00-corpus-overview.ipynb": 12.0}


def test_corpus_size_counts_every_file_of_a_folder_or_the_table(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"x" * 1500)
    (tmp_path / "y.txt").write_bytes(b"y" * 500)
    assert schedule.corpus_megabytes(tmp_path) == pytest.approx(2000 / 1e6)
    assert schedule.corpus_megabytes(tmp_path / "y.txt") == pytest.approx(500 / 1e6)
    assert schedule.corpus_megabytes(tmp_path / "missing") == 0.0


# ------------------------------------------------------------------------------------------
# memory budget
# ------------------------------------------------------------------------------------------


def test_a_notebook_starts_only_when_its_expected_peak_fits_beside_those_running():
    import threading
    import time

    entries = _entries(3)
    events, lock = [], threading.Lock()

    def execute(index):
        with lock:
            events.append(("start", index))
        time.sleep(0.3)
        with lock:
            events.append(("end", index))
        entries[index]["status"] = "succeeded"

    # 0 and 1 expect 3 GB each, 2 expects 0.5 GB, in 4 GB: 2 runs beside 0, and 1 only after 0.
    peaks = [3000.0, 3000.0, 500.0]
    assert schedule.execute_all(execute, entries, 2, order=[0, 1, 2], peaks=peaks, budget_mb=4000.0) is None
    assert sorted(events[:2]) == [("start", 0), ("start", 2)]
    assert events.index(("start", 1)) > events.index(("end", 0))
    # With room for both, 0 and 1 start together.
    events.clear()
    entries = _entries(3)
    assert schedule.execute_all(execute, entries, 2, order=[0, 1, 2], peaks=peaks, budget_mb=6000.0) is None
    assert sorted(events[:2]) == [("start", 0), ("start", 1)]
    # A notebook larger than the whole budget still runs, alone.
    events.clear()
    entries = _entries(2)
    assert schedule.execute_all(execute, entries, 2, peaks=[5000.0, 100.0], budget_mb=4000.0) is None
    assert events == [("start", 0), ("end", 0), ("start", 1), ("end", 1)]


def test_simulated_runs_with_a_memory_budget_match_a_hand_worked_timeline():
    free = {0: set(), 1: set(), 2: set()}
    times, peaks = [10.0, 6.0, 4.0], [3000.0, 2000.0, 1000.0]
    # Budget 4 GB, two at a time. Order 0, 1, 2: 0 (0-10); 1 does not fit beside 0 (5 GB), 2 does
    # (0-4); then nothing fits beside 0 until it ends: 1 from 10 to 16.
    timeline = schedule.simulate([0, 1, 2], times, free, 2, peaks=peaks, budget_mb=4000.0)
    assert timeline.start == {0: 0.0, 2: 0.0, 1: 10.0} and timeline.end == {0: 10.0, 2: 4.0, 1: 16.0}
    assert timeline.seconds == 16.0
    assert [timeline.sharing(i) for i in range(3)] == [2, 1, 2]
    # Order 1, 2, 0: 1 and 2 side by side (0-6, 0-4), 0 alone after 1 (6-16): also 16 s, and 0
    # runs alone.
    timeline = schedule.simulate([1, 2, 0], times, free, 2, peaks=peaks, budget_mb=4000.0)
    assert timeline.end == {1: 6.0, 2: 4.0, 0: 16.0} and timeline.sharing(0) == 1
    # Without a budget (or without peaks) memory holds nothing back: 0 and 1, then 2 (6-10).
    assert schedule.simulated_seconds([0, 1, 2], times, free, 2) == 10.0
    assert schedule.simulated_seconds([0, 1, 2], times, free, 2, peaks=peaks) == 10.0


def test_the_plan_under_a_budget_runs_the_largest_notebook_alone_with_every_core():
    names = ["00-corpus-overview", "01-topic-model", "02-rhetoric-frequency", "03-district-comparison"]
    entries = [{"notebook": f"{name}.ipynb", "status": "pending"} for name in names]
    # By hand: 00 40 s / 1.7 GB, 01 250 s / 1.9 GB, 02 320 s / 1.8 GB, 03 600 s / 3.2 GB; 03 reads
    # 01's model. In 3.8 GB 03 fits beside nothing, and 00 beside either 01 or 02 (3.6, 3.5 GB)
    # but not both at once; 01 and 02 fit together (3.7 GB). So: 01 and 02 side by side, 00
    # after 01 (250-290 s), then 03 alone (320-920 s). The longest-first order, 03 first, gives
    # just that: 03 cannot start before 01 has, nor beside it.
    times = dict(zip([e["notebook"] for e in entries], [40.0, 250.0, 320.0, 600.0]))
    peaks = [1700.0, 1900.0, 1800.0, 3200.0]
    order = schedule.plan_order(entries, times, 2, peaks=peaks, budget_mb=3800.0)
    waits = {0: set(), 1: set(), 2: set(), 3: {1}}
    timeline = schedule.simulate(order, list(times.values()), waits, 2, peaks=peaks, budget_mb=3800.0)
    assert timeline.start == {1: 0.0, 2: 0.0, 0: 250.0, 3: 320.0} and timeline.seconds == 920.0
    sharing = schedule.planned_sharing(entries, order, times, 2, peaks=peaks, budget_mb=3800.0)
    assert sharing[3] == 1 and sharing[1] == sharing[2] == 2
    # Without a budget 03 starts beside 01 and nobody runs alone.
    order = schedule.plan_order(entries, times, 2)
    assert schedule.planned_sharing(entries, order, times, 2) == [2, 2, 2, 2]
    # One at a time everybody has every core. A notebook without a time leaves the timeline
    # unknown: then only 03, which fits beside no other notebook, is known to run alone.
    assert schedule.planned_sharing(entries, order, times, 1) == [1, 1, 1, 1]
    mine = [*entries, {"notebook": "04-mine.ipynb", "status": "pending"}]
    sharing = schedule.planned_sharing(mine, [4, 3, 1, 2, 0], times, 2, peaks=[*peaks, 700.0], budget_mb=3800.0)
    assert sharing == [2, 2, 2, 1, 2]


def test_peaks_come_from_the_previous_run_or_the_typical_figures(tmp_path):
    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "run.json").write_text(json.dumps({"notebooks": [
        {"notebook": "00.ipynb", "wall_seconds": 5.0, "peak_memory_mb": 812.5},
        {"notebook": "01.ipynb", "wall_seconds": 6.0, "peak_memory_mb": None},  # the kernel never started
        {"notebook": "02.ipynb", "wall_seconds": 6.0},  # written before peaks were recorded
    ]}), encoding="utf-8")
    assert schedule.previous_peaks(tmp_path) == {"00.ipynb": 812.5}
    assert schedule.previous_peaks(tmp_path / "nowhere") == {}
    # A notebook without a figure is expected to need as much as the largest known.
    assert schedule.expected_peaks(_entries(3), {"00.ipynb": 812.5, "02.ipynb": 90.0}) == [812.5, 812.5, 90.0]
    assert schedule.expected_peaks(_entries(2), {}) == [0.0, 0.0]
    # Typical peaks grow with the corpus and are read between the sizes measured.
    small, large = schedule.typical_peak_mb(5.0), schedule.typical_peak_mb(100.0)
    assert all(large[name] > small[name] for name in small)
    middle = schedule.typical_peak_mb(52.5)["03-district-comparison.ipynb"]
    assert middle == pytest.approx((small["03-district-comparison.ipynb"] + large["03-district-comparison.ipynb"]) / 2)


@pytest.mark.parametrize("budget", [0, -1.0, float("nan"), float("inf"), True, "4"])
def test_a_bad_memory_budget_is_refused_by_name(budget):
    with pytest.raises(ReportArgumentError, match="memory_budget_gb="):
        schedule.memory_budget_mb(budget, runner_mb=100.0, available_mb=8000.0)


def test_the_budget_is_the_run_s_memory_less_the_runner_or_most_of_what_is_available():
    assert schedule.memory_budget_mb(4.0, runner_mb=200.0, available_mb=1e6) == 4 * 1024 - 200
    assert schedule.memory_budget_mb(0.1, runner_mb=200.0, available_mb=1e6) == 0.0  # the runner fills it
    assert schedule.memory_budget_mb(None, runner_mb=200.0, available_mb=10_000.0) == pytest.approx(
        schedule.AUTO_MEMORY_SHARE * 10_000.0)


def test_times_and_peaks_of_a_run_on_another_corpus_do_not_count(tmp_path):
    # The seeds' figures say nothing of a 100 MB corpus reported into the same folder next.
    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "run.json").write_text(json.dumps({
        "corpus": {"corpus_dir": "seeds", "combined_sha256": "aaa"},
        "notebooks": [{"notebook": "00.ipynb", "wall_seconds": 5.0, "peak_memory_mb": 300.0}],
    }), encoding="utf-8")
    assert schedule.previous_durations(tmp_path, corpus_sha256="aaa") == {"00.ipynb": 5.0}
    assert schedule.previous_peaks(tmp_path, corpus_sha256="aaa") == {"00.ipynb": 300.0}
    assert schedule.previous_durations(tmp_path, corpus_sha256="bbb") == {}
    assert schedule.previous_peaks(tmp_path, corpus_sha256="bbb") == {}
    # Without a corpus to compare with, the latest run counts whatever it read.
    assert schedule.previous_peaks(tmp_path) == {"00.ipynb": 300.0}
