"""Tests for corpus_tools.cluster: parallel work on a Dask cluster gives the same results as in one process.

A ``LocalCluster`` of two single-threaded worker processes is started once for the module
(as a real cluster's workers, they unpickle the functions and import the package) and closed
at the end; a scheduler plugin counts the tasks the workers ran, so that a test knows the work
went to the cluster and was not quietly done here.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pandas as pd
import pytest

import corpus_tools.cluster as cluster_module
from corpus_tools.cluster import DASK_SCHEDULER_ENV, dask_client, dask_scheduler, use_dask
from corpus_tools.corpus import read_corpus
from corpus_tools.corpus.store import assert_same_corpus
from corpus_tools.parallel import map_documents, map_tasks

distributed = pytest.importorskip("distributed")
from distributed.diagnostics.plugin import SchedulerPlugin  # noqa: E402


class _TasksRun(SchedulerPlugin):
    """Count the tasks a worker computed (scattered data is not computed)."""

    def __init__(self) -> None:
        self.count = 0

    def transition(self, key, start, finish, *args, **kwargs) -> None:
        if start == "processing" and finish == "memory":
            self.count += 1


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True,
        dashboard_address=":0", scheduler_kwargs={"dashboard": False},  # no fixed port to clash on
    ) as local:
        local.tasks_run = _TasksRun()
        local.scheduler.add_plugin(local.tasks_run)
        yield local


@pytest.fixture
def on_cluster(cluster, monkeypatch):
    """The cluster named as a user would, by the environment variable; returns the task counter."""
    monkeypatch.setenv(DASK_SCHEDULER_ENV, cluster.scheduler_address)
    before = cluster.tasks_run.count
    yield lambda: cluster.tasks_run.count - before
    # The connection made for the variable is kept for the process; close it with the test (a
    # closed client is replaced on the next call).
    dask_client().close()


# Module-level, so that the workers can unpickle them.


def _chars_and_pid(text: str) -> tuple[int, int]:
    return len(text), os.getpid()


def _scaled(factor: dict[str, int], text: str) -> int:
    return factor["by"] * len(text)


def _fail_on(text: str) -> int:
    if text == "坏":
        raise KeyError(f"no such document: {text}")
    return len(text)


DOCUMENTS = [("学习党史" * (k % 7 + 1)) + str(k) for k in range(60)]


def test_map_documents_on_the_cluster_equals_one_process(on_cluster):
    expected = [len(text) for text in DOCUMENTS]
    assert map_documents(len, DOCUMENTS, n_jobs=None, sizes=expected) == expected  # tiny, yet sent
    ran = on_cluster()
    assert ran >= 2  # one task per batch, cut for the cluster's two threads
    pids = {pid for _, pid in map_documents(_chars_and_pid, DOCUMENTS, n_jobs=-1)}
    assert os.getpid() not in pids  # the workers did it


def test_n_jobs_1_stays_in_this_process(on_cluster):
    results = map_documents(_chars_and_pid, DOCUMENTS, n_jobs=1)
    assert {pid for _, pid in results} == {os.getpid()}
    assert map_tasks(len, ["学史明理", "办实事"], n_processes=1) == [4, 3]
    assert on_cluster() == 0


def test_map_tasks_with_shared_data_equals_one_process(on_cluster, cluster):
    shared = {"by": 3}  # a dict: scattered as one object, not key by key
    tasks = ["学史明理", "学史增信", "学史崇德", "学史力行"]
    expected = map_tasks(_scaled, tasks, n_processes=1, shared=shared)
    assert expected == [12, 12, 12, 12]
    assert map_tasks(_scaled, tasks, n_processes=2, shared=shared) == expected
    assert on_cluster() == len(tasks)  # one task each; the shared data is not a task


def test_an_exception_in_a_task_surfaces_unchanged(on_cluster):
    with pytest.raises(KeyError, match="no such document: 坏") as info:
        map_documents(_fail_on, ["学史明理", "坏", "办实事"], n_jobs=2)
    assert type(info.value) is KeyError
    with pytest.raises(KeyError, match="坏"):
        map_tasks(_fail_on, ["学史明理", "坏"], n_processes=2)


def test_use_dask_takes_precedence_and_restores(cluster, monkeypatch):
    monkeypatch.delenv(DASK_SCHEDULER_ENV, raising=False)
    assert dask_scheduler() is None and dask_client() is None
    with use_dask(cluster.scheduler_address) as client:
        assert client is dask_client()  # one client per process and address
        assert dask_scheduler() == cluster.scheduler_address
        with use_dask(None):  # this machine, whatever is named outside
            assert dask_client() is None
        assert map_tasks(len, ["学史明理", "办实事"], n_processes=2) == [4, 3]
    assert dask_scheduler() is None
    assert client.status in ("closing", "closed")  # opened by the block, closed with it
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as own:
        with use_dask(own) as given:
            assert given is own
        assert own.status == "running"  # a client passed in is left open


def test_a_bad_setting_is_named():
    with pytest.raises(TypeError, match="scheduler must be an address"):
        use_dask(8786)
    with pytest.raises(ValueError, match="empty address"):
        use_dask("  ")


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch):
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    monkeypatch.setenv(DASK_SCHEDULER_ENV, address)
    monkeypatch.setattr(cluster_module, "DASK_CONNECT_SECONDS", 0.5)
    with pytest.raises(ConnectionError) as info:
        dask_client()
    message = str(info.value)
    for part in (address, DASK_SCHEDULER_ENV, "--dask-scheduler", "dask scheduler", "unset"):
        assert part in message
    monkeypatch.delenv(DASK_SCHEDULER_ENV)
    with pytest.raises(ConnectionError, match=r"use_dask\(None\)"):
        with use_dask(address):
            pass
    assert dask_scheduler() is None  # the failed block put the setting back


# -- read_corpus ------------------------------------------------------------------------------


def test_read_corpus_cleans_on_the_cluster_with_the_same_result(tmp_path, on_cluster, monkeypatch):
    # Several batches, traditional script and a byline: every cleaning rule must come back from
    # the workers as computed here, in reading order.
    import corpus_tools.corpus.build as build

    body = "全區黨員幹部深入學習黨史，召開動員大會，部署開展黨史學習教育各項工作。"
    for n in range(8):
        text = f"武隆區第{n}次推進黨史學習教育\n記者 王{n}\n{body * (n + 2)}\n"
        (tmp_path / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    monkeypatch.setattr(build, "_CLEAN_BATCH_CHARS", 200)
    here = read_corpus(tmp_path, metadata=False, n_jobs=1, progress=False)
    assert on_cluster() == 0
    there = read_corpus(tmp_path, metadata=False, progress=False)
    assert on_cluster() >= 4  # the batches were cleaned by the workers
    assert len(here.texts) == 8 and here.docvars["script"].eq("traditional").all()
    assert_same_corpus(there, here)


def test_seeds_read_on_the_cluster_equal_the_session_corpus(seeds_dir, seeds, on_cluster):
    assert_same_corpus(read_corpus(seeds_dir, progress=False), seeds)
    assert on_cluster() >= 1


def test_read_corpus_names_an_unreachable_scheduler_before_reading(seeds_dir, monkeypatch):
    monkeypatch.setattr(cluster_module, "DASK_CONNECT_SECONDS", 0.5)
    monkeypatch.setenv(DASK_SCHEDULER_ENV, "tcp://127.0.0.1:9")
    with pytest.raises(ConnectionError, match="127.0.0.1:9"):
        read_corpus(seeds_dir, progress=False)
    read_corpus(seeds_dir, n_jobs=1, progress=False)  # n_jobs=1 never asks for the cluster


# -- the report command -----------------------------------------------------------------------


def test_the_command_line_option_reaches_run_reports(monkeypatch):
    from corpus_tools.reports import cli

    seen = {}
    monkeypatch.setattr(cli, "run_reports", lambda **kwargs: seen.update(kwargs))
    assert cli.main(["--notebook", "00", "--dask-scheduler", "tcp://10.0.0.5:8786"]) == 0
    assert seen["dask_scheduler"] == "tcp://10.0.0.5:8786"
    assert cli.main(["--notebook", "00"]) == 0
    assert seen["dask_scheduler"] is None  # the variable, if set, decides
    assert DASK_SCHEDULER_ENV in cli._build_parser().format_help()


def test_run_reports_sets_the_variable_for_ingest_and_kernels(cluster, tmp_path, monkeypatch):
    # papermill is replaced by a copy of the notebook, recording the environment a kernel would
    # inherit; the ingest is the real one, and runs on the cluster.
    import papermill

    from corpus_tools.reports import run as run_module

    monkeypatch.delenv(DASK_SCHEDULER_ENV, raising=False)
    monkeypatch.setenv("DANGSHI_CACHE_DIR", str(tmp_path / "cache"))  # the ingest reads afresh
    seen: dict[str, object] = {}
    real_ingest = run_module.ingest_once

    def ingest(*args, **kwargs):
        seen["ingest"] = (os.environ.get(DASK_SCHEDULER_ENV), dask_scheduler())
        before = cluster.tasks_run.count
        stored = real_ingest(*args, **kwargs)
        seen["ingest_tasks"] = cluster.tasks_run.count - before
        return stored

    def execute(source, target, **kwargs):
        seen["kernel"] = os.environ.get(DASK_SCHEDULER_ENV)
        Path(target).write_bytes(Path(source).read_bytes())

    monkeypatch.setattr(run_module, "ingest_once", ingest)
    monkeypatch.setattr(papermill, "execute_notebook", execute)
    run = run_module.run_reports(
        notebooks=["00"], reports_dir=tmp_path / "reports", run_id="dask", dask_scheduler=cluster.scheduler_address
    )
    address = cluster.scheduler_address
    assert seen["ingest"] == (address, address) and seen["ingest_tasks"] >= 1
    assert seen["kernel"] == address
    assert DASK_SCHEDULER_ENV not in os.environ  # set for the run only
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert manifest["dask_scheduler"] == address


def test_run_reports_refuses_an_unreachable_scheduler_before_running(tmp_path, monkeypatch):
    from corpus_tools.reports import ReportArgumentError, run_reports

    monkeypatch.setattr(cluster_module, "DASK_CONNECT_SECONDS", 0.5)
    with pytest.raises(ReportArgumentError, match=r"127\.0\.0\.1:9.*dask scheduler"):
        run_reports(notebooks=["00"], reports_dir=tmp_path / "reports", dask_scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


@pytest.mark.slow
def test_reports_on_the_cluster_have_the_same_tables(cluster, tmp_path, monkeypatch):
    from corpus_tools.reports import run_reports

    monkeypatch.delenv(DASK_SCHEDULER_ENV, raising=False)
    runs = {}
    for name, scheduler in (("here", None), ("dask", cluster.scheduler_address)):
        # A cache folder per run: each reads, cleans and analyses afresh, none reuses the other's.
        monkeypatch.setenv("DANGSHI_CACHE_DIR", str(tmp_path / f"cache-{name}"))
        before = cluster.tasks_run.count
        runs[name] = run_reports(notebooks=["00", "02"], reports_dir=tmp_path / "reports", run_id=name,
                                 dask_scheduler=scheduler)
        runs[f"{name}-tasks"] = cluster.tasks_run.count - before
    assert runs["here-tasks"] == 0 and runs["dask-tasks"] >= 1
    tables = {name: sorted(p.name for p in (runs[name] / "tables").iterdir()) for name in ("here", "dask")}
    assert tables["here"] == tables["dask"] and tables["here"]
    for table in tables["here"]:
        assert (runs["here"] / "tables" / table).read_bytes() == (runs["dask"] / "tables" / table).read_bytes(), table
    manifests = {name: json.loads((runs[name] / "run.json").read_text(encoding="utf-8")) for name in ("here", "dask")}
    assert manifests["here"]["outputs"] == manifests["dask"]["outputs"]
    assert (manifests["here"]["dask_scheduler"], manifests["dask"]["dask_scheduler"]) == (None, cluster.scheduler_address)


def _nested(text: str) -> list[int]:
    # A task that starts parallel work itself: on a cluster worker it runs in place.
    return map_documents(len, [text, text + "。"], n_jobs=2)


def test_work_started_inside_a_cluster_task_runs_in_that_worker(on_cluster):
    assert map_tasks(_nested, ["学史明理", "办实事"], n_processes=2) == [[4, 5], [3, 4]]
    assert on_cluster() == 2  # the two outer tasks; nothing nested reached the scheduler
