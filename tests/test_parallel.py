"""Tests for corpus_tools.parallel: the one meaning of n_jobs, and the pool's renamed count."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

import corpus_tools.parallel as parallel
from corpus_tools.parallel import batches_by_size, n_workers, worker_pool


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
