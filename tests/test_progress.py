"""Progress reporting: log lines with counts and rates headless, nothing when off, errors named."""

from __future__ import annotations

import itertools
import logging

import pytest

from corpus_tools import progress as prog


def test_log_mode_reports_counts_and_rates(monkeypatch, caplog):
    monkeypatch.setenv(prog.PROGRESS_ENV, "log")
    monkeypatch.setenv(prog.PROGRESS_SECONDS_ENV, "0")  # a line after every item
    with caplog.at_level(logging.INFO, logger="corpus_tools.progress"):
        assert list(prog.progress(iter("abc"), desc="segmenting", total=3, unit="doc")) == ["a", "b", "c"]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4  # three running lines and the final one
    assert lines[0].startswith("segmenting running: 1/3 docs (33%)")
    assert lines[-1].startswith("segmenting done: 3/3 docs (100%)") and "docs/s" in lines[-1]


def test_off_and_disabled_report_nothing(monkeypatch, caplog):
    with caplog.at_level(logging.INFO, logger="corpus_tools.progress"):
        monkeypatch.setenv(prog.PROGRESS_ENV, "off")
        assert list(prog.progress(range(3), desc="x")) == [0, 1, 2]
        monkeypatch.setenv(prog.PROGRESS_ENV, "log")
        assert list(prog.progress(range(3), desc="x", enabled=False)) == [0, 1, 2]
    assert caplog.records == []


def test_headless_default_is_log_lines(monkeypatch):
    monkeypatch.delenv(prog.PROGRESS_ENV, raising=False)
    monkeypatch.setattr(prog, "_in_interactive_kernel", lambda: False)
    monkeypatch.setattr(prog.sys.stderr, "isatty", lambda: False, raising=False)
    assert prog.progress_mode() == "log"


@pytest.mark.parametrize(("name", "value"), [(prog.PROGRESS_ENV, "loud"), (prog.PROGRESS_SECONDS_ENV, "soon")])
def test_bad_settings_are_named(monkeypatch, name, value):
    monkeypatch.setenv(prog.PROGRESS_ENV, "log")
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        list(prog.progress(range(2), desc="x"))


def test_log_lines_say_the_time_left_from_the_rate_so_far(monkeypatch, caplog):
    monkeypatch.setenv(prog.PROGRESS_ENV, "log")
    monkeypatch.setenv(prog.PROGRESS_SECONDS_ENV, "0")
    clock = itertools.count(0.0, 10.0)  # every reading of the clock is 10 s later
    monkeypatch.setattr(prog.time, "perf_counter", lambda: next(clock))
    with caplog.at_level(logging.INFO, logger="corpus_tools.progress"):
        list(prog.progress(range(8), desc="fitting", total=8, unit="model"))
    lines = [r.getMessage() for r in caplog.records]
    # 1 model in 10 s, 7 to go at 0.1 models/s: 70 s; 2 in 20 s, 6 to go: 60 s
    assert lines[0].endswith("10.0 s/model, about 1 min 10 s left")
    assert lines[1].endswith("about 1 min 00 s left")


def test_log_lines_go_to_the_progress_file_the_report_runner_reads(monkeypatch, tmp_path):
    target = tmp_path / "progress.log"
    monkeypatch.setenv(prog.PROGRESS_ENV, "log")
    monkeypatch.setenv(prog.PROGRESS_SECONDS_ENV, "0")
    monkeypatch.setenv(prog.PROGRESS_FILE_ENV, str(target))
    list(prog.progress(range(2), desc="segmenting", total=2))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert [line.split(":")[0] for line in lines] == ["segmenting running", "segmenting running", "segmenting done"]


def test_units_are_pluralised_and_fast_work_is_a_rate(monkeypatch, caplog):
    monkeypatch.setenv(prog.PROGRESS_ENV, "log")
    monkeypatch.setenv(prog.PROGRESS_SECONDS_ENV, "1000")  # only the final line
    clock = itertools.count(0.0, 0.25)  # four readings a second
    monkeypatch.setattr(prog.time, "perf_counter", lambda: next(clock))
    with caplog.at_level(logging.INFO, logger="corpus_tools.progress"):
        list(prog.progress(range(8), desc="segmenting", total=8, unit="batch"))
    (line,) = [r.getMessage() for r in caplog.records]
    # 8 batches; the clock was read 10 times: 2.25 s
    assert line == "segmenting done: 8/8 batches (100%) in 2.2 s, 3.6 batches/s"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0.4, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (3599, "59 min 59 s"), (3600, "1 h 00 min"), (90061, "25 h 01 min")],
)
def test_format_duration(seconds, expected):
    assert prog.format_duration(seconds) == expected
    assert prog._duration is prog.format_duration  # the old private name, kept for one release
