"""Tests for corpus_tools.streaming.dask: a Dask cluster gives the single-machine result."""

from __future__ import annotations

import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools.streaming.dask import dask_dtm
from corpus_tools.streaming.stream import stream_dtm

from .checks import assert_same_dtm

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def threaded_cluster():
    # Threads in this process: starts in a fraction of a second, enough to test the merging.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False,
        dashboard_address=":0", scheduler_kwargs={"dashboard": False},  # no fixed port to clash on
    ) as cluster:
        yield cluster


@pytest.mark.parametrize("unit", ["document", "paragraph"])
def test_dask_equals_in_memory_and_stream(threaded_cluster, seeds_dir, unit, tmp_path):
    expected = ct.dtm(ct.tokenize(ct.read_corpus(seeds_dir, metadata=False), unit=unit))
    with distributed.Client(threaded_cluster) as client:
        result = dask_dtm(
            seeds_dir, client=client, metadata=False, unit=unit, chunk_size=2,
            out_dir=tmp_path / "dask", progress=False,
        )
        assert client.status == "running"  # a client passed in is left open
    assert_same_dtm(result.dtm(), expected)
    single = stream_dtm(seeds_dir, metadata=False, unit=unit, out_dir=tmp_path / "single", progress=False)
    assert_same_dtm(result.dtm(), single.dtm())
    pd.testing.assert_frame_equal(result.tokens_frame(), single.tokens_frame())


def test_scheduler_address(threaded_cluster, seeds_dir):
    expected = ct.dtm(ct.tokenize(ct.read_corpus(seeds_dir), unit="document"))
    result = dask_dtm(seeds_dir, client=threaded_cluster.scheduler_address, chunk_size=3, progress=False)
    assert_same_dtm(result.dtm(), expected)


def test_n_workers_with_client_is_refused(threaded_cluster):
    with pytest.raises(ValueError, match="n_workers"):
        dask_dtm({"a": "学史明理。"}, client=threaded_cluster.scheduler_address, n_jobs=2, progress=False)


def test_old_name_n_workers_still_works_with_a_warning(threaded_cluster):
    with pytest.warns(FutureWarning, match="'n_workers' is renamed 'n_jobs'"):
        with pytest.raises(ValueError, match="n_jobs"):
            dask_dtm({"a": "学史明理。"}, client=threaded_cluster.scheduler_address, n_workers=2, progress=False)


def test_executor_is_refused():
    with pytest.raises(TypeError, match="client"):
        dask_dtm({"a": "学史明理。"}, executor=object(), progress=False)


@pytest.mark.slow
def test_own_local_cluster_of_processes(seeds_dir):
    # No client: a LocalCluster of worker processes is started and closed by dask_dtm.
    expected = ct.dtm(ct.tokenize(ct.read_corpus(seeds_dir, metadata=False), unit="paragraph"))
    result = dask_dtm(seeds_dir, n_jobs=2, metadata=False, unit="paragraph", chunk_size=2, progress=False)
    assert_same_dtm(result.dtm(), expected)
