"""Tests for corpus_tools.reports.folders: run ids, reserving a run's folder, recovering crashed runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from corpus_tools.reports import folders
from corpus_tools.reports import ReportArgumentError, default_run_id


def test_default_run_id_is_utc_time_and_corpus_name():
    import datetime as dt

    moment = dt.datetime(2026, 11, 21, 15, 12, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert default_run_id("seeds", now=moment) == "20261121T071205Z-seeds"
    assert default_run_id("/data/党史 corpus", now=moment) == "20261121T071205Z-corpus"


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path):
    import threading

    ids: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def reserve():
        barrier.wait()
        try:
            ids.append(folders.reserve_run(None, tmp_path, "20261121T071205Z-seeds")[0])
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(ids) == sorted(["20261121T071205Z-seeds"] + [f"20261121T071205Z-seeds-{k}" for k in range(2, 9)])
    assert all((tmp_path / f".incomplete-{run_id}").is_dir() for run_id in ids)
    with pytest.raises(ReportArgumentError, match="already used"):
        folders.reserve_run("20261121T071205Z-seeds", tmp_path, "ignored")


def test_folders_of_crashed_runs_are_moved_aside_and_running_ones_left_alone(tmp_path):
    import platform

    done = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert done.returncode == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for run_id, pid in (("crashed", dead.pid), ("running", os.getpid())):
        folder = tmp_path / f".incomplete-{run_id}"
        (folder / "tables").mkdir(parents=True)
        (folder / "tables" / "t.csv").write_text("x\n1\n", encoding="utf-8")
        (folder / ".owner.json").write_text(json.dumps({"pid": pid, "host": platform.node()}), encoding="utf-8")
    os.symlink("crashed", tmp_path / ".latest-crashed.tmp")

    moved = folders.recover_leftovers(tmp_path)

    assert moved == [tmp_path / "failed-crashed"]
    assert (tmp_path / "failed-crashed" / "tables" / "t.csv").is_file()  # kept for inspection
    assert not (tmp_path / ".incomplete-crashed").exists()
    assert (tmp_path / ".incomplete-running").is_dir()
    assert not (tmp_path / ".latest-crashed.tmp").is_symlink()
