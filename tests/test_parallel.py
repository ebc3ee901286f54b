"""Tests for corpus_tools.parallel: the one meaning of n_jobs, the pool's renamed count, and
map_documents (results in input order whatever n_jobs)."""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os

import numpy as np
import pytest

import corpus_tools.parallel as parallel
from corpus_tools.parallel import batches_by_size, frozen_gc, map_documents, n_workers, worker_pool


@pytest.fixture
def four_cores(monkeypatch):
    monkeypatch.setattr(parallel, "available_cores", lambda: 4)


@pytest.mark.parametrize(
    ("n_jobs", "size", "threshold", "expected"),
    [
        (None, 99, 100, 1),  # below the threshold: one process
        (None, 100, 100, 4),  # from the threshold on: every core
        (None, 10**9, None, 1),  # size unknown beforehand (a stream): never by itself
        (None, 0, 0, 4),  # asking for the function is asking for parallel work (dask_dtm)
        (-1, 0, None, 4),
        (1, 10**9, 0, 1),
        (3, 0, None, 3),
        (np.int64(2), 0, None, 2),
    ],
)
def test_n_jobs_rule(four_cores, n_jobs, size, threshold, expected):
    assert n_workers(n_jobs, size, threshold) == expected


@pytest.mark.parametrize(("n_jobs", "error"), [(0, ValueError), (-2, ValueError), (1.5, TypeError), (True, TypeError)])
def test_bad_n_jobs_is_named(n_jobs, error):
    with pytest.raises(error, match="n_jobs"):
        n_workers(n_jobs, 0, None)


def test_batches_keep_order_and_reach_the_size():
    assert batches_by_size(["a", "b", "c", "d"], [3, 1, 5, 1], 4) == [["a", "b"], ["c"], ["d"]]


def test_worker_pool_takes_n_processes_and_the_old_name_warns():
    context = multiprocessing.get_context("spawn")
    with worker_pool(n_processes=1, context=context) as pool:  # no task: no process is started
        assert pool._max_workers == 1
    with pytest.warns(FutureWarning, match="'workers' is renamed 'n_processes'"):
        with worker_pool(workers=2, context=context) as pool:
            assert pool._max_workers == 2


# map_documents: module-level functions, so that worker processes can unpickle them.


def _length_and_pid(text: str) -> tuple[int, int]:
    return len(text), os.getpid()


def _fail_on(text: str) -> int:
    if text == "坏":
        raise KeyError(f"no such document: {text}")
    return len(text)


def _die_in_worker(text: str, *, parent: int) -> int:
    if os.getpid() != parent:
        os._exit(1)  # a worker killed (e.g. for memory): the pool breaks
    return len(text)


DOCUMENTS = [("学习党史" * (k % 7 + 1)) + str(k) for k in range(60)]


def test_map_documents_keeps_input_order_in_worker_processes():
    expected = [len(text) for text in DOCUMENTS]  # computed without the helper
    results = map_documents(_length_and_pid, DOCUMENTS, n_jobs=2, sizes=[len(t) for t in DOCUMENTS])
    assert [length for length, _ in results] == expected
    assert {pid for _, pid in results} - {os.getpid()}, "n_jobs=2 ran nothing in a worker"
    in_process = map_documents(_length_and_pid, DOCUMENTS, n_jobs=1, sizes=[len(t) for t in DOCUMENTS])
    assert in_process == [(length, os.getpid()) for length in expected]


def test_map_documents_decides_by_size(four_cores):
    sizes = [len(t) for t in DOCUMENTS]
    small = map_documents(_length_and_pid, DOCUMENTS, sizes=sizes)  # far below the threshold
    assert {pid for _, pid in small} == {os.getpid()}
    unknown = map_documents(_length_and_pid, DOCUMENTS, threshold=0)  # no sizes: the size is unknown
    assert {pid for _, pid in unknown} == {os.getpid()}
    never = map_documents(_length_and_pid, DOCUMENTS, sizes=sizes, threshold=None)
    assert {pid for _, pid in never} == {os.getpid()}
    assert map_documents(_length_and_pid, [], n_jobs=2) == []


def test_map_documents_without_sizes_still_splits_when_asked():
    results = map_documents(_length_and_pid, DOCUMENTS, n_jobs=2)
    assert [length for length, _ in results] == [len(t) for t in DOCUMENTS]
    assert {pid for _, pid in results} - {os.getpid()}


@pytest.mark.parametrize(("n_jobs", "error"), [(0, ValueError), (-3, ValueError), ("2", TypeError)])
def test_map_documents_names_a_bad_n_jobs(n_jobs, error):
    with pytest.raises(error, match="n_jobs"):
        map_documents(len, ["党史"], n_jobs=n_jobs)


def test_map_documents_checks_sizes():
    with pytest.raises(ValueError, match="sizes has 1 entries for 2 items"):
        map_documents(len, ["党史", "学习"], sizes=[2])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_map_documents_raises_the_functions_error(n_jobs):
    with pytest.raises(KeyError, match="no such document: 坏"):
        map_documents(_fail_on, ["党史", "坏", "学习"] * 4, n_jobs=n_jobs)


def test_map_documents_finishes_in_this_process_when_a_worker_dies():
    function = functools.partial(_die_in_worker, parent=os.getpid())
    with pytest.warns(RuntimeWarning, match="worker processes failed"):
        results = map_documents(function, DOCUMENTS, n_jobs=2)
    assert results == [len(t) for t in DOCUMENTS]


def test_frozen_gc_only_under_fork():
    assert gc.get_freeze_count() == 0
    with frozen_gc(multiprocessing.get_context("spawn")):
        assert gc.get_freeze_count() == 0
    if "fork" in multiprocessing.get_all_start_methods():
        with frozen_gc(multiprocessing.get_context("fork")):
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0


def _spawn_context():
    return multiprocessing.get_context("spawn")


def test_map_documents_under_spawn(monkeypatch):
    # Where fork is unsafe (a Jupyter kernel's threads) workers start clean and import the
    # function by name: results and their order are the same.
    monkeypatch.setattr(parallel, "mp_context", _spawn_context)
    results = map_documents(_length_and_pid, DOCUMENTS, n_jobs=2, sizes=[len(t) for t in DOCUMENTS])
    assert [length for length, _ in results] == [len(t) for t in DOCUMENTS]
    assert {pid for _, pid in results} - {os.getpid()}


def test_the_measured_threshold_depends_on_the_start_method(monkeypatch, four_cores):
    # Sizes are what the decision reads: 1.2 million characters reach the fork threshold but
    # not the spawn one (workers that must rebuild everything wait for more work).
    texts = ["党史", "学习"]
    sizes = [600_000, 600_000]
    assert parallel.DOCUMENT_MIN_CHARS["fork"] <= sum(sizes) < parallel.DOCUMENT_MIN_CHARS["spawn"]
    monkeypatch.setattr(parallel, "mp_context", _spawn_context)
    assert {pid for _, pid in map_documents(_length_and_pid, texts, sizes=sizes)} == {os.getpid()}
    if "fork" in multiprocessing.get_all_start_methods():
        monkeypatch.setattr(parallel, "mp_context", lambda: multiprocessing.get_context("fork"))
        assert {pid for _, pid in map_documents(_length_and_pid, texts, sizes=sizes)} - {os.getpid()}


# map_tasks: a few costly tasks with data every task reads, handed to each worker once.


def _count_in(shared: dict[str, str], task: str) -> tuple[int, int]:
    return shared[task].count("党"), os.getpid()


_SHARED = {"甲": "党史学习教育", "乙": "党的建设党的领导", "丙": "乡村振兴", "丁": "党党党"}


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_map_tasks_hands_the_shared_data_to_workers_and_keeps_task_order(monkeypatch, context):
    if context not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {context} on this platform")
    monkeypatch.setattr(parallel, "mp_context", lambda: multiprocessing.get_context(context))
    tasks = ["丁", "甲", "丙", "乙", "甲"]
    expected = [3, 1, 0, 2, 1]  # counted by hand
    results = parallel.map_tasks(_count_in, tasks, n_processes=2, shared=_SHARED)
    assert [count for count, _ in results] == expected
    assert {pid for _, pid in results} - {os.getpid()}, "n_processes=2 ran nothing in a worker"
    here = parallel.map_tasks(_count_in, tasks, n_processes=1, shared=_SHARED)
    assert here == [(count, os.getpid()) for count in expected]


def test_map_tasks_without_shared_data_and_with_more_processes_than_tasks():
    assert parallel.map_tasks(len, ["学史", "明理增信"], n_processes=8) == [2, 4]
    assert parallel.map_tasks(len, [], n_processes=2) == []


def test_map_tasks_raises_the_functions_error_from_a_worker():
    with pytest.raises(KeyError, match="坏"):
        parallel.map_tasks(_count_in, ["甲", "坏"], n_processes=2, shared=_SHARED)


def test_map_tasks_in_workers_logs_one_done_line(monkeypatch, caplog):
    # The workers do every task; the (empty) rest in this process must not log a second,
    # "0/0" done line, as it did in the K sweep's log of a report run.
    monkeypatch.setenv("DANGSHI_PROGRESS", "log")
    with caplog.at_level("INFO", logger="corpus_tools.progress"):
        assert parallel.map_tasks(abs, [-1, -2, -3], n_processes=2, desc="fits", unit="fit",
                                  progress=True) == [1, 2, 3]
    done = [record.getMessage() for record in caplog.records if " done: " in record.getMessage()]
    assert len(done) == 1 and done[0].startswith("fits done: 3/3 fits")


def _blas_threads_here(_task: int) -> int:
    from threadpoolctl import threadpool_info

    return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")


def test_each_worker_gets_its_share_of_blas_threads(monkeypatch):
    from corpus_tools.parallel import BLAS_THREAD_VARIABLES, blas_thread_environment, map_tasks

    for name in BLAS_THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    cores = len(os.sched_getaffinity(0))
    # Two workers on `cores` cores: each BLAS gets cores // 2 threads (at least one), however
    # many it would start on its own (one per core).
    threads = map_tasks(_blas_threads_here, [0, 1, 2, 3], n_processes=2, progress=False)
    assert set(threads) == {max(1, cores // 2)}
    assert blas_thread_environment(2) == {name: str(max(1, cores // 2)) for name in BLAS_THREAD_VARIABLES}
    assert blas_thread_environment(10**6)["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's choice is kept
    assert "OMP_NUM_THREADS" not in blas_thread_environment(2)
