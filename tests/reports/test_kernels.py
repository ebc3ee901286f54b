"""Tests for corpus_tools.reports.kernels: the Jupyter kernel and the heartbeat of running notebooks."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from corpus_tools import reports
from corpus_tools.reports import kernels


def test_ensure_kernel_registers_this_interpreter():
    from jupyter_client.kernelspec import KernelSpecManager

    folder = reports.ensure_kernel()
    spec = KernelSpecManager().get_kernel_spec(reports.KERNEL_NAME)
    assert Path(spec.resource_dir) == folder
    assert kernels._same_interpreter(spec.argv[0])
    assert spec.display_name == "Python (dangshi-corpus)"


def test_the_heartbeat_forwards_each_notebooks_progress_lines_and_says_where_it_is(tmp_path, caplog, monkeypatch):
    import threading
    import time

    monkeypatch.setenv("DANGSHI_PROGRESS_SECONDS", "1")
    watch = kernels.NotebookWatch("01-topic-model.ipynb", tmp_path / "01.log", expected_seconds=600)
    watch.started = time.perf_counter()
    watch.n_cells, watch.injected = 27, [1]
    watch.cell_start(12)  # the 13th cell of the executed copy: the 12th as the author numbers them
    watch.progress_file.write_text("K sweep running: 3/6 Ks (50%) in 74.3 s, 24.8 s/K, about 1 min 14 s left\nhalf a li", encoding="utf-8")
    entries = [{"notebook": "01-topic-model.ipynb", "status": "running"}]
    stop = threading.Event()
    with caplog.at_level(logging.INFO, logger="corpus_tools.reports"):
        beat = threading.Thread(target=kernels.heartbeat, args=([watch], entries, stop))
        beat.start()
        time.sleep(2.6)
        stop.set()
        beat.join()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "01-topic-model.ipynb: K sweep running: 3/6 Ks (50%) in 74.3 s, 24.8 s/K, about 1 min 14 s left"
    assert not any("half a li" in line for line in lines)  # an unfinished line waits for its end
    beats = [line for line in lines if "cell 12 of 27" in line]
    assert beats and re.match(r"01-topic-model\.ipynb: running \d+ s, cell 12 of 27, \d+ s in this cell; about \d+ min \d+ s left", beats[0])


def test_a_running_notebook_is_saved_at_most_once_per_interval(monkeypatch):
    clock = iter([100.0, 110.0, 129.9, 130.0, 131.0, 170.0])
    monkeypatch.setattr(kernels.time, "monotonic", lambda: next(clock))
    saved = []
    throttled = kernels._every(30.0, lambda **kw: saved.append(kw))
    for i in range(6):
        throttled(i=i)
    # The first call saves (t=100); then 30 s must pass: t=130 saves, 131 does not, 170 does.
    assert saved == [{"i": 0}, {"i": 3}, {"i": 5}]
