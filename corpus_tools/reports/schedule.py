"""In which order, and how many at once, the notebooks of a run execute.

Notebooks run side by side in worker threads, longest first by the previous run's times (or,
before the first run, the shipped notebooks' typical times), except
that one listed in :data:`RUNS_AFTER` starts only once the notebooks whose output it reads have
started, and waits for them at the cell that reads it.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import ReportArgumentError
from .provenance import MANIFEST_FILE

__all__ = ["RUNS_AFTER", "TYPICAL_SECONDS", "choose_n_jobs", "execute_all", "longest_first", "previous_durations"]


def choose_n_jobs(n_jobs: int | None, n_notebooks: int) -> int:
    """How many notebooks run at once: ``n_jobs``, or one per core up to the number of notebooks."""
    if n_jobs is None:
        return max(1, min(os.cpu_count() or 1, n_notebooks))
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ReportArgumentError(
            f"n_jobs={n_jobs!r}: expected a whole number of notebooks to run at once, 1 or more"
        )
    return min(n_jobs, max(n_notebooks, 1))


def previous_durations(reports_path: Path) -> dict[str, float]:
    """Each notebook's wall time in the latest run (``reports/latest/run.json``), if any."""
    try:
        manifest = json.loads((reports_path / "latest" / MANIFEST_FILE).read_text(encoding="utf-8"))
        return {
            str(entry["notebook"]): float(entry["wall_seconds"])
            for entry in manifest["notebooks"]
            if entry.get("wall_seconds") is not None
        }
    except (OSError, ValueError, TypeError, KeyError):
        return {}  # no previous run, or one this version cannot read: notebook order


#: When there is no previous run to order by: the shipped notebooks' wall times, in seconds, in
#: ``benchmarks/report_scale.py`` on 100 MB (26,579 articles, 2 cores, run side by side; topic
#: fits of 1,000 Gibbs sweeps). Only their order is used. Started in file order instead, 03 (the
#: longest) began after 00 and 02, 8 minutes in, and ended the run 9 minutes after 01. With 300
#: sweeps 01 took 334 s and 02 378 s, but 01 stays ahead of 02: 03 starts only once 01 has
#: started (:data:`RUNS_AFTER`) and ends waiting for its model, so 01 must not start late.
TYPICAL_SECONDS: dict[str, float] = {
    "03-district-comparison.ipynb": 663.0,
    "01-topic-model.ipynb": 614.0,
    "02-rhetoric-frequency.ipynb": 413.0,
    "00-corpus-overview.ipynb": 62.0,
}


def longest_first(entries: list[dict[str, Any]], durations: Mapping[str, float]) -> list[int]:
    """The order to start notebooks in: the longest first, so that the short ones fill in beside them.

    Times are the previous run's (`durations`) or, when there is none, :data:`TYPICAL_SECONDS`;
    a notebook without a time starts first of all (it may be long); ties in notebook order.
    """
    times = durations or TYPICAL_SECONDS
    return sorted(range(len(entries)), key=lambda i: (-times.get(entries[i]["notebook"], math.inf), i))


#: Notebooks that read what another notebook of the same run wrote, by file stem. 03 uses the topic
#: model that 01 chose and recorded (``topic_model.json``, see :mod:`corpus_tools.topics.settings`),
#: so the two reports never show different topics. Side by side, 03 starts once 01 has started and
#: waits at its topic cell (its last section, so that everything else is done first) while 01 is
#: unfinished (``report.wait_for``, the run's pending markers),
#: so its other analyses use a core that would otherwise wait; one at a time, it starts after 01.
RUNS_AFTER: dict[str, tuple[str, ...]] = {"03-district-comparison": ("01-topic-model",)}


def _prerequisites(entries: list[dict[str, Any]]) -> dict[int, set[int]]:
    """For each notebook, the notebooks of this run it must wait for (see :data:`RUNS_AFTER`)."""
    by_stem = {Path(entry["notebook"]).stem: i for i, entry in enumerate(entries)}
    return {
        i: {by_stem[stem] for stem in RUNS_AFTER.get(Path(entry["notebook"]).stem, ()) if stem in by_stem}
        for i, entry in enumerate(entries)
    }


def execute_all(
    execute: Callable[[int], None],
    entries: list[dict[str, Any]],
    n_jobs: int,
    *,
    order: Sequence[int] | None = None,
    stop: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], BaseException] | None:
    """Run ``execute(i)`` for every notebook; return the first failure in notebook order, if any.

    Notebooks run side by side, each in its own kernel process, started in ``order`` (default:
    notebook order; one at a time always runs in notebook order), except that a notebook listed
    in :data:`RUNS_AFTER` starts only once the notebooks it reads from have started (side by
    side: it waits for their output itself) or finished (one at a time). After a
    failure no further notebook starts; those already running finish, so their outputs are
    complete in the failed run's folder.

    The notebooks run in worker threads, so the main thread only waits and a Ctrl-C reaches it
    at once: every notebook still running is marked ``interrupted``, ``stop(i)`` ends its kernel,
    and the interrupt is returned as the failure of the first of them.
    """
    sequence = list(order) if order is not None and n_jobs > 1 else list(range(len(entries)))
    pending = list(sequence)
    waits_for = _prerequisites(entries)
    finished: set[int] = set()
    started: set[int] = set()
    # Side by side a notebook may start beside those it reads from, which are then running.
    ready_when = started if n_jobs > 1 else finished
    lock = threading.Lock()
    halt = threading.Event()
    failures: dict[int, BaseException] = {}

    def next_ready() -> int | None:
        """The first pending notebook whose prerequisites have finished (under ``lock``)."""
        for index in pending:
            if waits_for[index] <= ready_when:
                pending.remove(index)
                started.add(index)
                return index
        return None

    def worker() -> None:
        while not halt.is_set():
            with lock:
                if not pending:
                    return
                index = next_ready()
            if index is None:  # everything left waits for a notebook still running
                halt.wait(0.2)
                continue
            try:
                execute(index)
            except BaseException as exc:  # noqa: BLE001 - recorded and re-raised by the caller
                failures[index] = exc
                halt.set()
            finally:
                with lock:
                    finished.add(index)

    threads = [threading.Thread(target=worker, name=f"notebook-{k}", daemon=True) for k in range(n_jobs)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    except BaseException as exc:  # KeyboardInterrupt (or SystemExit) while waiting
        halt.set()
        running = [i for i, e in enumerate(entries) if e["status"] == "running"]
        for index in running:
            entries[index]["status"] = "interrupted"
            if stop is not None:
                stop(index)
        for thread in threads:
            thread.join(10.0)
        for index in running:
            failures[index] = exc  # the interrupt, not the dead kernel it caused
        if not running:
            failures.setdefault(len(entries), exc)
    for entry in entries:
        if entry["status"] == "pending":
            entry["status"] = "not run"
    if not failures:
        return None
    first = min(failures)
    entry = entries[first] if first < len(entries) else None
    return entry, failures[first]  # type: ignore[return-value]
