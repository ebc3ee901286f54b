"""The on-disk result cache: where it lives, how it is switched off, that it keys on arguments."""

from __future__ import annotations

import pytest

from corpus_tools import resultcache

CALLS: list[tuple[int, int]] = []


def _add(a: int, b: int, *, progress: bool = False) -> int:
    CALLS.append((a, b))
    return a + b


def test_results_are_reused_only_for_the_same_arguments(tmp_path):
    CALLS.clear()
    add = resultcache.cached(_add, tmp_path)
    assert add(1, 2) == 3 and add(1, 2) == 3
    assert CALLS == [(1, 2)]
    assert add(1, 3) == 4
    assert CALLS == [(1, 2), (1, 3)]


def test_in_cache_says_whether_a_call_would_load_without_computing(tmp_path):
    CALLS.clear()
    add = resultcache.cached(_add, tmp_path, ignore=("progress",))
    assert not resultcache.in_cache(add, 5, 6)
    add(5, 6)
    assert resultcache.in_cache(add, 5, 6) and resultcache.in_cache(add, 5, 6, progress=True)
    assert not resultcache.in_cache(add, 5, 7)
    assert CALLS == [(5, 6)]  # asking computed nothing
    assert not resultcache.in_cache(resultcache.cached(_add, False), 5, 6)  # caching off: never


def test_ignored_arguments_do_not_change_the_key(tmp_path):
    CALLS.clear()
    add = resultcache.cached(_add, tmp_path, ignore=("progress",))
    add(2, 2, progress=True)
    add(2, 2, progress=False)
    assert CALLS == [(2, 2)]


def test_cache_off_by_argument_or_environment(tmp_path, monkeypatch):
    assert resultcache.cached(_add, False) is _add
    monkeypatch.setenv(resultcache.CACHE_ENV, "off")
    assert resultcache.cached(_add, True) is _add
    assert resultcache.cached(_add, tmp_path) is _add


def test_default_location_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(resultcache.CACHE_DIR_ENV, str(tmp_path / "c"))
    assert resultcache.cache_root() == tmp_path / "c"
    CALLS.clear()
    resultcache.cached(_add, True)(5, 6)
    assert any((tmp_path / "c" / "results").rglob("output.pkl"))


def test_bad_cache_argument_is_named():
    with pytest.raises(TypeError, match="cache must be"):
        resultcache.cached(_add, 3)


def _open_after(barrier, location, queue):
    barrier.wait()
    try:
        queue.put(resultcache.open_cache_folder(location))
    except OSError as error:
        queue.put(repr(error))


def test_processes_opening_a_new_cache_side_by_side_get_one_whole_key(tmp_path):
    # Worker processes of a sweep open the same new cache at once; each must read the whole key
    # (a half-written one made them compute without the cache).
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for attempt in range(10):
        location = tmp_path / f"cache-{attempt}"
        barrier, queue = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_open_after, args=(barrier, location, queue)) for _ in range(6)]
        for worker in workers:
            worker.start()
        keys = [queue.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join()
        assert all(isinstance(key, bytes) and len(key) == 32 for key in keys), keys
        assert len(set(keys)) == 1
        assert sorted(p.name for p in location.iterdir()) == [resultcache.KEY_FILE]  # no staging files left
