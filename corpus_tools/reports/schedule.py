"""In which order, and how many at once, the notebooks of a run execute.

Notebooks run side by side in worker threads, in the order whose simulated run ends first
(:func:`plan_order`) by the previous run's working times or, before the first run, the shipped
notebooks' typical times at the corpus's size (:func:`typical_seconds`). One listed in
:data:`RUNS_AFTER` starts only once the notebooks whose output it reads have started, and waits
for them at the cell that reads it.

A memory budget (:func:`memory_budget_mb`) holds notebooks back: one starts beside those
running only if their expected peaks (the previous run's, or :func:`typical_peak_mb`) fit in
it together. A notebook the plan runs alone gets every core (:func:`planned_sharing`).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ReportArgumentError
from .provenance import MANIFEST_FILE

__all__ = ["AUTO_MEMORY_SHARE", "RUNS_AFTER", "SHIPPED_NOTEBOOKS", "TYPICAL_PEAK_MB", "TYPICAL_SECONDS", "Timeline",
           "check_memory_budget", "choose_n_jobs", "corpus_megabytes", "execute_all", "expected_peaks",
           "fits_in_memory", "longest_first", "memory_budget_mb", "plan_order", "planned_sharing",
           "previous_durations", "previous_peaks", "simulate", "simulated_seconds", "typical_peak_mb",
           "typical_seconds"]


def choose_n_jobs(n_jobs: int | None, n_notebooks: int) -> int:
    """How many notebooks run at once: ``n_jobs``, or one per core up to the number of notebooks."""
    if n_jobs is None:
        return max(1, min(os.cpu_count() or 1, n_notebooks))
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs < 1:
        raise ReportArgumentError(
            f"n_jobs={n_jobs!r}: expected a whole number of notebooks to run at once, 1 or more"
        )
    return min(n_jobs, max(n_notebooks, 1))


def _previous_notebooks(reports_path: Path, corpus_sha256: str | None) -> list[dict[str, Any]]:
    """The notebook entries of the latest run's ``run.json``, if it read the corpus `corpus_sha256`.

    None when there is no run this version can read, or when the latest run read another corpus
    (its ``corpus.combined_sha256`` differs): the seeds' times and peaks say nothing of a
    100 MB corpus reported into the same folder next. `corpus_sha256` None takes any corpus.
    """
    try:
        manifest = json.loads((reports_path / "latest" / MANIFEST_FILE).read_text(encoding="utf-8"))
        if corpus_sha256 is not None and manifest.get("corpus", {}).get("combined_sha256") != corpus_sha256:
            return []
        notebooks = manifest["notebooks"]
        return [entry for entry in notebooks if isinstance(entry, dict) and "notebook" in entry]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []


def previous_durations(reports_path: Path, *, corpus_sha256: str | None = None) -> dict[str, float]:
    """Each notebook's working time in the latest run (``reports/latest/run.json``), if any.

    The wall time less the time it waited for another notebook (``waited_seconds``, see
    :meth:`~corpus_tools.reports.notebook.NotebookReport.wait_for`): the waiting depends on the
    order the notebooks ran in, which is what these times decide. With `corpus_sha256`, only
    a latest run of that corpus counts (see :func:`_previous_notebooks`).
    """
    try:
        return {
            str(entry["notebook"]): max(float(entry["wall_seconds"]) - float(entry.get("waited_seconds") or 0.0), 0.0)
            for entry in _previous_notebooks(reports_path, corpus_sha256)
            if entry.get("wall_seconds") is not None
        }
    except (ValueError, TypeError):
        return {}  # a run this version cannot read: notebook order


def previous_peaks(reports_path: Path, *, corpus_sha256: str | None = None) -> dict[str, float]:
    """Each notebook's peak memory in the latest run (``peak_memory_mb`` in ``run.json``), if recorded.

    The largest resident memory, in MB of 2**20 bytes, of the notebook's kernel and the
    processes it started, as the runner sampled it (:class:`~corpus_tools.reports.kernels.NotebookWatch`).
    With `corpus_sha256`, only a latest run of that corpus counts.
    """
    try:
        return {
            str(entry["notebook"]): float(entry["peak_memory_mb"])
            for entry in _previous_notebooks(reports_path, corpus_sha256)
            if entry.get("peak_memory_mb") is not None
        }
    except (ValueError, TypeError):
        return {}


#: The notebooks the project ships, whose typical times and peaks are tabled below.
SHIPPED_NOTEBOOKS = ("00-corpus-overview.ipynb", "01-topic-model.ipynb", "02-rhetoric-frequency.ipynb",
                     "03-district-comparison.ipynb")

#: When there is no previous run to order by: each shipped notebook's working time, in seconds
#: (its wall time less any wait for another notebook), by corpus size in MB (of its files): the
#: five seeds (0.055 MB, ``make reports``) and ``benchmarks/report_scale.py`` at 5 and 100 MB
#: (1,327 and 26,579 articles); 2 cores, notebooks side by side. :func:`typical_seconds` reads
#: them at a corpus's size. Which notebook is longest depends on the size: the comparison (03)
#: on the seeds, where start-up costs dominate, the topic model (01) at 5 MB, 03 again at 100 MB.
TYPICAL_SECONDS: dict[float, dict[str, float]] = {
    0.055: dict(zip(SHIPPED_NOTEBOOKS, (3.7, 6.7, 6.5, 8.1), strict=True)),
    5.0: dict(zip(SHIPPED_NOTEBOOKS, (7.1, 53.1, 24.0, 35.2), strict=True)),
    100.0: dict(zip(SHIPPED_NOTEBOOKS, (39.9, 254.1, 321.4, 620.4), strict=True)),
}


#: When there is no previous run to plan by: each shipped notebook's peak memory in MB (of 2**20
#: bytes; its kernel and child processes, as the runner records it in ``run.json``), by corpus
#: size in MB, with the notebooks side by side on 2 cores (one core each): the seeds (``make
#: reports``) and ``benchmarks/report_scale.py``'s corpora of 5 and 100 MB. :func:`typical_peak_mb`
#: reads them at a corpus's size. The comparison (03) needs the most: its text reuse section.
#: The runner sampled every second for the seeds and 5 MB, every 0.5 s at 100 MB (where the
#: finer samples found up to 100 MB more); 03 at 100 MB is its peak beside the others, as both
#: samplers saw it (alone, with two cores, its workers add about 260 MB).
TYPICAL_PEAK_MB: dict[float, dict[str, float]] = {
    0.055: dict(zip(SHIPPED_NOTEBOOKS, (373.2, 453.1, 548.3, 598.7), strict=True)),
    5.0: dict(zip(SHIPPED_NOTEBOOKS, (508.7, 590.9, 670.4, 1032.7), strict=True)),
    100.0: dict(zip(SHIPPED_NOTEBOOKS, (1725.9, 2096.4, 1658.2, 3203.2), strict=True)),
}


def _interpolated(table: Mapping[float, Mapping[str, float]], corpus_mb: float, floor: float) -> dict[str, float]:
    """Each notebook's figure in `table` read at `corpus_mb` by linear interpolation (at least `floor`).

    Between the nearest two sizes measured; beyond the largest, along the last segment; below
    the smallest, its figures.
    """
    sizes = sorted(table)
    size = max(float(corpus_mb), sizes[0])
    upper = next((i for i, s in enumerate(sizes) if s >= size), len(sizes) - 1)
    low, high = sizes[max(upper - 1, 0)], sizes[max(upper, 1)]
    share = (size - low) / (high - low)
    return {name: max(a + share * (table[high][name] - a), floor) for name, a in table[low].items()}


def typical_seconds(corpus_mb: float) -> dict[str, float]:
    """The shipped notebooks' typical working times for a corpus of `corpus_mb` MB.

    Read off :data:`TYPICAL_SECONDS` by linear interpolation between the sizes measured (the
    nearest two; beyond the largest, along the last segment; below the smallest, its times):
    each notebook's time grows about linearly with the corpus (``benchmarks/report_scale.py``'s
    20 → 100 MB ratio is 3.3-4.0 for a 5x larger corpus) above fixed costs (kernel start, export).

    Examples
    --------
    >>> typical_seconds(5.0)["01-topic-model.ipynb"], typical_seconds(100.0)["03-district-comparison.ipynb"]
    (53.1, 620.4)
    >>> typical_seconds(0.01) == typical_seconds(0.055)
    True
    """
    return _interpolated(TYPICAL_SECONDS, corpus_mb, floor=1.0)


def typical_peak_mb(corpus_mb: float) -> dict[str, float]:
    """The shipped notebooks' typical peak memory (MB of 2**20 bytes) for a corpus of `corpus_mb` MB.

    Read off :data:`TYPICAL_PEAK_MB` as :func:`typical_seconds` reads its table: memory, too,
    grows about linearly with the corpus above what a kernel holds before it reads anything.

    Examples
    --------
    >>> typical_peak_mb(100.0)["03-district-comparison.ipynb"]
    3203.2
    """
    return _interpolated(TYPICAL_PEAK_MB, corpus_mb, floor=0.0)


def expected_peaks(entries: list[dict[str, Any]], peaks: Mapping[str, float]) -> list[float]:
    """Each notebook's expected peak memory in MB: from `peaks`, else the largest there (it may be large).

    All zero when `peaks` is empty: nothing is known, so nothing is held back.
    """
    largest = max(peaks.values(), default=0.0)
    return [float(peaks.get(entry["notebook"], largest)) for entry in entries]


#: Share of the memory available when a run starts that its notebooks may use together when no
#: budget is given (:func:`memory_budget_mb`): the rest is left to the runner's own growth, the
#: file cache and whatever else the machine runs meanwhile.
AUTO_MEMORY_SHARE = 0.8


def memory_budget_mb(memory_budget_gb: float | None, *, runner_mb: float, available_mb: float) -> float:
    """MB (of 2**20 bytes) the notebooks' kernels may hold together.

    Parameters
    ----------
    memory_budget_gb : float or None
        The whole run's budget in GB (of 2**30 bytes), the runner included: the kernels get it
        less `runner_mb` (nothing when the runner alone fills it: every notebook then runs
        alone). None: :data:`AUTO_MEMORY_SHARE` of `available_mb`.
    runner_mb : float
        The runner's resident memory now, in MB.
    available_mb : float
        The memory available now, in MB (:func:`corpus_tools.memory.available_memory_mb`: the
        machine's, or less where a container's limit leaves less).

    Examples
    --------
    >>> memory_budget_mb(4.0, runner_mb=200.0, available_mb=20000.0)
    3896.0
    >>> memory_budget_mb(None, runner_mb=200.0, available_mb=5000.0)
    4000.0
    """
    memory_budget_gb = check_memory_budget(memory_budget_gb)
    if memory_budget_gb is None:
        return AUTO_MEMORY_SHARE * float(available_mb)
    return max(memory_budget_gb * 1024.0 - float(runner_mb), 0.0)


def check_memory_budget(memory_budget_gb: Any) -> float | None:
    """`memory_budget_gb` as a float, or None; a :class:`ReportArgumentError` naming it if it is no budget."""
    if memory_budget_gb is None:
        return None
    if (isinstance(memory_budget_gb, bool) or not isinstance(memory_budget_gb, (int, float))
            or not math.isfinite(memory_budget_gb) or memory_budget_gb <= 0):
        raise ReportArgumentError(
            f"memory_budget_gb={memory_budget_gb!r}: expected the memory the run may use, in GB, "
            "a number above 0 (e.g. 4 or 3.5), or None to use most of what the machine has available"
        )
    return float(memory_budget_gb)


def fits_in_memory(index: int, running: Sequence[int] | set[int], peaks: Sequence[float] | None,
                   budget_mb: float) -> bool:
    """Whether notebook `index` may start beside `running`: their expected peaks fit in `budget_mb` together.

    A notebook always may when nothing runs (however large it is, the run goes on); without
    `peaks` every notebook fits.

    Examples
    --------
    >>> peaks = [2000.0, 1500.0, 3000.0]
    >>> fits_in_memory(1, {0}, peaks, 3800.0), fits_in_memory(2, {0}, peaks, 3800.0)
    (True, False)
    >>> fits_in_memory(2, set(), peaks, 1.0)
    True
    """
    if peaks is None or not running:
        return True
    return sum(peaks[i] for i in running) + peaks[index] <= budget_mb


def corpus_megabytes(path: Path) -> float:
    """The size of a corpus (a folder of articles, or one table) in MB (10**6 bytes); 0 if unreadable."""
    path = Path(path)
    try:
        if path.is_file():
            return path.stat().st_size / 1e6
        total = 0
        for folder, _, files in os.walk(path):
            for name in files:
                try:
                    total += os.stat(os.path.join(folder, name)).st_size
                except OSError:
                    continue
        return total / 1e6
    except OSError:
        return 0.0


def longest_first(entries: list[dict[str, Any]], durations: Mapping[str, float]) -> list[int]:
    """The notebooks longest first, so that the short ones fill in beside them.

    A notebook without a time in `durations` starts first of all (it may be long); ties in
    notebook order.
    """
    return sorted(range(len(entries)), key=lambda i: (-durations.get(entries[i]["notebook"], math.inf), i))


#: Notebooks up to which :func:`plan_order` tries every order (7! = 5,040 simulated runs, a few
#: tenths of a second); a run of more notebooks starts them longest first.
PLAN_ALL_ORDERS_UP_TO = 7


def plan_order(entries: list[dict[str, Any]], durations: Mapping[str, float], n_jobs: int, *,
               peaks: Sequence[float] | None = None, budget_mb: float = math.inf) -> list[int]:
    """The order to start notebooks in: the one whose simulated run ends first.

    Longest first is not enough when a notebook waits for another (:data:`RUNS_AFTER`): on a
    5 MB corpus the topic model (01) is the longest and notebook 03 ends waiting for it, so 03
    starting beside 01 idles its core for a minute while 00 and 02 could run. Each order is
    simulated as :func:`execute_all` runs it (:func:`simulate`) — `n_jobs` notebooks at once,
    each taking the next in order whose prerequisites have started and whose expected peak
    memory (`peaks`, MB) fits in `budget_mb` beside those running, a notebook that reads another
    ending no earlier than it — with the times in `durations` (the previous run's working times,
    :func:`previous_durations`, or :func:`typical_seconds`). Ties go to the longest-first
    order. Notebooks without a time start first (they may be long), the others in the planned
    order; with more than :data:`PLAN_ALL_ORDERS_UP_TO` of them, the order is :func:`longest_first`.

    Returns
    -------
    list of int
        Indices into `entries`.
    """
    first = longest_first(entries, durations)
    unknown = [i for i in first if entries[i]["notebook"] not in durations]
    known = [i for i in first if entries[i]["notebook"] in durations]
    if n_jobs <= 1 or len(known) > PLAN_ALL_ORDERS_UP_TO:
        return first
    times = [durations.get(entry["notebook"], 0.0) for entry in entries]
    prerequisites = _prerequisites(entries)

    def seconds(order: Sequence[int]) -> float:
        return simulate(order, times, prerequisites, n_jobs, peaks=peaks, budget_mb=budget_mb).seconds

    best, best_end = known, seconds(known)
    for order in itertools.permutations(known):
        end = seconds(order)
        if end < best_end - 1e-9:  # permutations come in longest-first order: ties keep the earlier
            best, best_end = list(order), end
    return unknown + list(best)


@dataclass(frozen=True)
class Timeline:
    """A simulated run (:func:`simulate`): when each notebook starts and ends, in seconds from the start.

    Attributes
    ----------
    start, end : dict of int to float
        By index into the run's notebooks; a notebook no worker could start is in neither.
    finished : bool
        Whether every notebook ran; False when some wait for a notebook nothing starts.
    """

    start: dict[int, float]
    end: dict[int, float]
    finished: bool = True

    @property
    def seconds(self) -> float:
        """When the run ends; infinity when it never would."""
        return max(self.end.values(), default=0.0) if self.finished else math.inf

    def sharing(self, index: int) -> int:
        """The most notebooks running at once while `index` runs, itself included (1: it runs alone)."""
        begin, finish = self.start[index], self.end[index]
        moments = [begin] + [t for t in self.start.values() if begin < t < finish]
        return max(sum(1 for j in self.start if self.start[j] <= t < self.end[j]) for t in moments)


def simulate(order: Sequence[int], times: Sequence[float], prerequisites: Mapping[int, set[int]], n_jobs: int,
             *, peaks: Sequence[float] | None = None, budget_mb: float = math.inf) -> Timeline:
    """A run started in `order`, with `times` per notebook and `n_jobs` at once, as :func:`execute_all` runs it.

    A free worker takes the first notebook in `order` whose prerequisites have started and
    whose expected peak (`peaks`, MB) fits in `budget_mb` beside those running
    (:func:`fits_in_memory`); a notebook with prerequisites ends no earlier than they do (it
    waits for their output). A worker with nothing it may take waits for the next notebook to end.
    """
    free = [0.0] * n_jobs
    pending = list(order)
    start: dict[int, float] = {}
    end: dict[int, float] = {}
    while pending:
        worker = min(range(n_jobs), key=free.__getitem__)
        now = free[worker]
        running = {j for j in start if end[j] > now}
        index = next((i for i in pending
                      if all(start.get(p, math.inf) <= now for p in prerequisites[i])
                      and fits_in_memory(i, running, peaks, budget_mb)), None)
        if index is None:  # everything left waits for a notebook to start, or for memory to free
            later = [t for t in free if t > now]
            if not later:
                return Timeline(start, end, finished=False)
            free[worker] = min(later)
            continue
        pending.remove(index)
        start[index] = now
        end[index] = max([now + float(times[index])] + [end[p] for p in prerequisites[index]])
        free[worker] = end[index]
    return Timeline(start, end)


def simulated_seconds(order: Sequence[int], times: Sequence[float], prerequisites: Mapping[int, set[int]],
                      n_jobs: int, *, peaks: Sequence[float] | None = None, budget_mb: float = math.inf) -> float:
    """When a run started in `order` would end (:func:`simulate`); infinity for one no worker could finish.

    Examples
    --------
    Notebook 1 reads notebook 0's output; 0 takes 90 s, 1 50 s, 2 30 s. Started beside 0,
    notebook 1 waits for it and 2 runs after both; started after 2, it fits in beside 0:

    >>> simulated_seconds([0, 1, 2], [90, 50, 30], {0: set(), 1: {0}, 2: set()}, 2)
    120.0
    >>> simulated_seconds([0, 2, 1], [90, 50, 30], {0: set(), 1: {0}, 2: set()}, 2)
    90.0

    With peaks of 3 GB for 0 and 1 GB for 1 and 2 in a budget of 3.5 GB, neither fits beside 0:
    they run side by side after it (from 90 s; 1 ends at 90 + 50 s):

    >>> simulated_seconds([0, 2, 1], [90, 50, 30], {0: set(), 1: {0}, 2: set()}, 2,
    ...                   peaks=[3000, 1000, 1000], budget_mb=3500)
    140.0
    """
    return simulate(order, times, prerequisites, n_jobs, peaks=peaks, budget_mb=budget_mb).seconds


def planned_sharing(entries: list[dict[str, Any]], order: Sequence[int], durations: Mapping[str, float],
                    n_jobs: int, *, peaks: Sequence[float] | None = None,
                    budget_mb: float = math.inf) -> list[int]:
    """For each notebook, how many notebooks the plan runs at once while it runs (itself included).

    A kernel's share of the cores is decided when it starts (its BLAS threads and worker
    processes), so it is taken from the plan: a notebook the memory budget makes run alone gets
    every core. When some notebooks have no time to plan by, only those that fit beside no other
    (:func:`fits_in_memory`) are known to run alone; the others count on `n_jobs`.
    """
    if n_jobs <= 1:
        return [1] * len(entries)
    if all(entry["notebook"] in durations for entry in entries):
        times = [durations[entry["notebook"]] for entry in entries]
        timeline = simulate(order, times, _prerequisites(entries), n_jobs, peaks=peaks, budget_mb=budget_mb)
        if timeline.finished:
            return [timeline.sharing(i) for i in range(len(entries))]
    return [n_jobs if any(fits_in_memory(i, {j}, peaks, budget_mb) for j in range(len(entries)) if j != i) else 1
            for i in range(len(entries))]


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
    peaks: Sequence[float] | None = None,
    budget_mb: float = math.inf,
) -> tuple[dict[str, Any], BaseException] | None:
    """Run ``execute(i)`` for every notebook; return the first failure in notebook order, if any.

    Notebooks run side by side, each in its own kernel process, started in ``order`` (default:
    notebook order; one at a time always runs in notebook order), except that a notebook listed
    in :data:`RUNS_AFTER` starts only once the notebooks it reads from have started (side by
    side: it waits for their output itself) or finished (one at a time), and side by side only
    once its expected peak memory (``peaks``, MB) fits in ``budget_mb`` beside the notebooks
    running (:func:`fits_in_memory`; always when none is). After a
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
        """The first pending notebook whose prerequisites are met and which fits in memory (under ``lock``)."""
        running = started - finished
        for index in pending:
            if waits_for[index] <= ready_when and fits_in_memory(index, running, peaks, budget_mb):
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
            if index is None:  # everything left waits for a notebook still running, or for memory
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
        # Each kernel is stopped within seconds (NotebookWatch.stop), and its thread then sees
        # the dead kernel; wait for that, so that nothing a thread logs comes after the run's end.
        for thread in threads:
            thread.join(30.0)
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
