"""Execute the numbered notebooks on a corpus into a new report folder (:func:`run_reports`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from corpus_tools.cluster import dask_scheduler as scheduler_in_force, use_dask
from corpus_tools.compat import renamed_parameters
from corpus_tools.environment import (
    CORES_ENV, DASK_SCHEDULER_ENV, PROGRESS_ENV, PROJECT_ROOT_ENV, cores_setting, raw_value,
)
from corpus_tools.memory import available_memory_mb, resident_mb
from corpus_tools.parallel import blas_thread_environment, blas_threads
from corpus_tools.paths import project_root, resolve_path

from .errors import KernelDiedError, NotebookFailedError, ReportArgumentError
from .failure import record_failure
from .folders import (
    OWNER_FILE, default_run_id, pending_marker, read_waited, recover_leftovers, repoint_latest, reserve_run,
    run_folders,
)
from .html import export_html, html_exporter, write_index
from .kernels import KERNEL_NAME, NotebookWatch, death_cause, ensure_kernel, heartbeat, report_engine_name
from .parameters import (
    NOT_A_LITERAL,
    check_parameters,
    check_read_options,
    declared_parameters,
    find_notebooks,
    literal_default,
    run_labels,
)
from .provenance import display_path, finish_manifest, input_hashes, iso, new_manifest, utc_now, write_manifest
from .reuse import FINGERPRINT_FIELD, reusable_run, run_fingerprint
from .schedule import (
    check_memory_budget,
    choose_n_jobs,
    corpus_megabytes,
    execute_all,
    expected_peaks,
    memory_budget_mb,
    plan_order,
    planned_sharing,
    previous_durations,
    previous_peaks,
    typical_peak_mb,
    typical_seconds,
)

__all__ = ["run_reports"]

logger = logging.getLogger(__package__)


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    # papermill cannot pass an environment to the kernel it starts, and the kernel inherits
    # ours, so the variables are set for the duration of the run and then put back.
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def ingest_once(
    corpus_path: Path,
    metadata_path: Path | None,
    given: Mapping[str, Any],
    declared: Mapping[Path, Mapping[str, Mapping[str, Any]]],
) -> bool:
    """Read and clean the corpus into the corpus store before any notebook starts.

    Every notebook opens its corpus with :func:`corpus_tools.reports.start`, which loads the
    store (:mod:`corpus_tools.corpus.store`) when the corpus, its manifest and the reading
    options are unchanged. Building the store here, once, with the arguments the notebooks
    will pass, means no notebook reads or cleans the corpus itself, and notebooks running side
    by side never build it twice.

    A corpus already stored is not loaded. One to be read is read in a child process: the
    memory reading takes (1.6 GB for 100 MB of articles, most of which Python keeps after the
    corpus is dropped) is returned when the child ends, instead of staying with the runner
    while the notebooks run.

    Parameters
    ----------
    corpus_path, metadata_path : Path
        The run's corpus and manifest (absolute).
    given : mapping
        The parameters every notebook gets (``on_error``, ``read_options`` when given).
    declared : mapping
        Each notebook's declared parameters, for the defaults of those not given.

    Returns
    -------
    bool
        Whether the store now holds the corpus. A corpus that cannot be read is not an error
        here: each notebook then fails with the reader's own message and its failure report.
    """
    from corpus_tools.corpus.store import store_folder, stored_folder
    from corpus_tools.io import ReadOptions

    if store_folder() is None:  # DANGSHI_CACHE=off: reading here would only double the work
        return False

    def value(name: str, fallback: Any) -> Any:
        if name in given:
            return given[name]
        for names in declared.values():
            if name in names:
                default = literal_default(names[name].get("default"))
                return fallback if default is NOT_A_LITERAL else default
        return fallback

    reading = {"on_error": value("on_error", "raise"), **dict(value("read_options", {}) or {})}
    try:
        if stored_folder(corpus_path, metadata=metadata_path, options=ReadOptions.from_kwargs(None, **reading)):
            return True
    except (TypeError, ValueError) as error:  # a bad reading option: each notebook names it
        problem = str(error)
    else:
        problem = _in_child_process(_read_into_store, corpus_path, metadata_path, reading)
    if problem is not None:
        logger.warning("the corpus was not read ahead of the notebooks (%s); each notebook reads it itself",
                       problem.splitlines()[0] if problem else "no message")
        return False
    return True


def _read_into_store(corpus_path: Path, metadata_path: Path | None, reading: Mapping[str, Any]) -> str | None:
    """Read the corpus into the store (in the child process); the error's message, or None."""
    from corpus_tools.corpus import open_corpus

    try:
        open_corpus(corpus_path, metadata=metadata_path, **reading)
    except Exception as error:  # noqa: BLE001 - reported by the runner, then by each notebook
        return str(error) or type(error).__name__
    return None


def _child_main(connection, log_setup: tuple[int, str] | None, parent_pid: int, function, args: tuple) -> None:
    from corpus_tools.parallel import exit_with_parent

    exit_with_parent(parent_pid)
    if log_setup is not None and not logging.getLogger().handlers:  # spawned: the runner's log lines here too
        logging.basicConfig(level=log_setup[0], format=log_setup[1])
    connection.send(function(*args))
    connection.close()


def _in_child_process(function, *args: Any) -> Any:
    """``function(*args)`` in a child process, which then ends and returns its memory.

    The child is forked where that is safe (:func:`~corpus_tools.parallel.mp_context`), so a
    script that calls :func:`run_reports` without an ``if __name__ == "__main__"`` guard is not
    run again in it. It logs as the runner does. If it dies without an answer, the answer is a
    message saying so; Ctrl-C here stops it.
    """
    from corpus_tools.parallel import mp_context

    root = logging.getLogger()
    formats = [h.formatter._fmt for h in root.handlers if h.formatter is not None and h.formatter._fmt]
    log_setup = (root.level, formats[0]) if formats else None
    context = mp_context()
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(send, log_setup, os.getpid(), function, args),
                            name="dangshi-ingest")
    child.start()
    send.close()
    try:
        try:
            answer = receive.recv()
        except EOFError:
            child.join()
            return f"the reading process ended without an answer (exit code {child.exitcode})"
        child.join()
        return answer
    except BaseException:
        child.terminate()
        child.join()
        raise
    finally:
        receive.close()


def _check_scheduler(address: str | None) -> str | None:
    """The run's Dask scheduler (given, else ``DANGSHI_DASK_SCHEDULER``), checked to answer."""
    if address is not None and (not isinstance(address, str) or not address.strip()):
        raise ReportArgumentError(
            f"dask_scheduler must be a scheduler address such as tcp://10.0.0.5:8786, got {address!r}"
        )
    with _environment({DASK_SCHEDULER_ENV: address.strip()} if address else {}):
        scheduler = scheduler_in_force()
        if scheduler is None:
            return None
        try:
            with _cluster(scheduler):  # connects, so an unreachable scheduler fails before any work
                pass
        except ConnectionError as error:
            raise ReportArgumentError(f"--dask-scheduler / {DASK_SCHEDULER_ENV}: {error}") from error
    return scheduler


@contextmanager
def _cluster(scheduler: str | None) -> Iterator[None]:
    # This process's work (the ingest) goes to the cluster, and the connection made for it is
    # closed afterwards; without a scheduler nothing changes (use_dask(None) would also ignore
    # a DANGSHI_DASK_SCHEDULER set by the caller, which the check above has already folded in).
    if scheduler is None:
        yield
        return
    with use_dask(scheduler):
        yield


def kernel_share_environment(n_kernels: int) -> dict[str, str]:
    """The environment a kernel needs to use its share of the cores, as one of `n_kernels` side by side.

    Kernels side by side share the cores: each one's BLAS gets its share of threads (threads
    of several processes competing for few cores spin, see
    :func:`corpus_tools.parallel.blas_threads`). Likewise the worker processes of
    ``n_jobs=None``: each kernel spreads its own work over its share of the cores. On 2 cores
    with 2 kernels, each starting pools of 2 spawned workers only added their start-up (and
    memory) to a machine that was already busy. Variables the user set are kept.
    """
    environment = blas_thread_environment(n_kernels)
    if cores_setting() is None:
        environment[CORES_ENV] = str(blas_threads(n_kernels))
    return environment


def _plan(entries: list[dict[str, Any]], watches: Sequence[NotebookWatch], manifest: dict[str, Any], *,
          previous: Mapping[str, float], reports_path: Path, corpus_path: Path, corpus_sha256: str,
          n_jobs: int, memory_budget_gb: float | None) -> tuple[list[int], list[float], float]:
    """Plan the run: the order to start notebooks in, each one's expected peak, and the memory budget in MB.

    Times and peaks are the previous run's (`previous`, the times, and the peaks it recorded) if
    it read the same corpus, else the shipped notebooks' typical figures at the corpus's size.
    Each kernel the plan runs with fewer (or more) notebooks beside it than `n_jobs` gets its
    share of the cores (``watch.environment``); the plan goes into the manifest
    (``memory_budget_mb``; each notebook's ``expected_peak_mb`` and ``sharing``).
    """
    corpus_mb = corpus_megabytes(corpus_path)
    durations = previous or typical_seconds(corpus_mb)
    recorded = previous_peaks(reports_path, corpus_sha256=corpus_sha256)
    peaks = expected_peaks(entries, recorded or typical_peak_mb(corpus_mb))
    budget_mb = memory_budget_mb(memory_budget_gb, runner_mb=resident_mb() or 0.0, available_mb=available_memory_mb())
    manifest["memory_budget_mb"] = round(budget_mb, 1)
    order = plan_order(entries, durations, n_jobs, peaks=peaks, budget_mb=budget_mb)
    sharing = planned_sharing(entries, order, durations, n_jobs, peaks=peaks, budget_mb=budget_mb)
    for entry, watch, expected, shared in zip(entries, watches, peaks, sharing, strict=True):
        entry["expected_peak_mb"] = round(expected, 1)
        entry["sharing"] = shared
        if shared != n_jobs:
            watch.environment = kernel_share_environment(shared)
    alone = [Path(entry["notebook"]).stem for entry, shared in zip(entries, sharing, strict=True) if shared == 1]
    if n_jobs > 1 and alone:
        logger.info("memory budget %.1f GB for the notebooks: %s will run alone, with every core (expected peaks: %s)",
                    budget_mb / 1024, ", ".join(alone),
                    ", ".join(f"{Path(e['notebook']).stem} {p / 1024:.1f} GB" for e, p in zip(entries, peaks)))
    return order, peaks, budget_mb


@renamed_parameters(jobs="n_jobs")
def run_reports(
    *,
    corpus_dir: str | os.PathLike[str] = "seeds",
    metadata: str | os.PathLike[str] | None = None,
    notebooks: Sequence[str | os.PathLike[str]] | None = None,
    reports_dir: str | os.PathLike[str] = "reports",
    run_id: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    kernel_name: str = KERNEL_NAME,
    log_output: bool = False,
    n_jobs: int | None = None,
    read_options: Mapping[str, Any] | None = None,
    dask_scheduler: str | None = None,
    force: bool = False,
    memory_budget_gb: float | None = None,
) -> Path:
    """Execute the numbered notebooks on a corpus into a new report folder.

    Parameters
    ----------
    corpus_dir : str or os.PathLike, default "seeds"
        The corpus: a folder of articles or one table of articles; relative paths resolve against
        the project root.
    metadata : str or os.PathLike, optional
        A metadata file, passed to notebooks that declare ``metadata``; when omitted those
        notebooks keep their own default.
    notebooks : sequence of str or os.PathLike, optional
        Notebooks to run (see :func:`find_notebooks`); default every ``notebooks/NN-*.ipynb``.
    reports_dir : str or os.PathLike, default "reports"
        Where run folders are made; relative paths resolve against the project root.
    run_id : str, optional
        Name of the run folder; default :func:`default_run_id` (UTC time and corpus name).
    parameters : mapping, optional
        Further notebook parameters, e.g. ``{"random_state": 7}``. Each goes to every selected
        notebook whose parameters cell declares it; a name no selected notebook declares is an
        error.
    kernel_name : str, default "dangshi-corpus"
        Jupyter kernel to run on; registered for this interpreter first if needed
        (:func:`ensure_kernel`).
    log_output : bool, default False
        Stream the notebooks' outputs to the ``papermill`` logger while they run.
    n_jobs : int, optional
        How many notebooks run at the same time, each in its own kernel; default one per CPU
        core (at most the number of notebooks). ``1`` runs them one after another: memory then
        peaks at one notebook's rather than at two notebooks' side by side (3.7 GB instead of
        5.1 GB at 100 MB in ``benchmarks/report_scale.py``, in 904 s instead of 581 s on 2 cores);
        ``memory_budget_gb`` bounds memory at less cost.
    read_options : mapping, optional
        Options of :func:`corpus_tools.read_corpus` for reading the corpus, e.g.
        ``{"text_column": "content", "min_han_share": 0.3}``; passed to the notebooks as their
        ``read_options`` parameter (see :func:`check_read_options`).
    dask_scheduler : str, optional
        The address of a running Dask scheduler (``"tcp://10.0.0.5:8786"``): the corpus is
        read and cleaned, and every notebook's per-document analyses and side-by-side topic
        fits run, on that cluster's workers (see :mod:`corpus_tools.parallel`); the tables are
        the same. Set for this run as ``DANGSHI_DASK_SCHEDULER``, which is used when this is
        not given. Recorded in ``run.json`` as ``dask_scheduler``, an execution setting.
    force : bool, default False
        Run the notebooks even when ``latest`` was made from the same inputs (see Notes).
    memory_budget_gb : float, optional
        The memory in GB (of 2**30 bytes) the run may use, this process included. A notebook
        starts beside those running only if their expected peaks fit in it together: the peaks
        of the previous run in ``reports_dir`` if it read the same corpus, else the shipped
        notebooks' typical peaks at the corpus's size
        (:data:`~corpus_tools.reports.schedule.TYPICAL_PEAK_MB`); one that fits beside none runs
        alone, with every core. Default: 80 % of the memory available when the notebooks start
        (:func:`corpus_tools.memory.available_memory_mb`: the machine's, or less under a
        container's or job's limit). It plans, it does not enforce: a notebook may need more
        than it did before. At 100 MB on 2 cores (``benchmarks/report_scale.py``), ``4`` ran
        notebooks 01 and 02 side by side, then 03 alone: the run peaked at 3.7-3.9 GB in
        821-824 s, where with memory to spare it peaked at 4.9 GB in 643 s.

    Returns
    -------
    pathlib.Path
        The completed run folder, ``<reports_dir>/<run_id>``; or, when nothing changed since
        the run ``latest`` points at, that run's folder.

    Raises
    ------
    ReportArgumentError
        Before anything runs: a missing corpus, metadata file or notebook, an undeclared or
        reserved parameter, a bad or already used run id, a Dask scheduler that cannot be
        reached.
    NotebookFailedError
        When a notebook fails. Its message names the notebook, the cell and the error; the
        partial run is kept in ``<reports_dir>/failed-<run_id>`` and ``latest`` is untouched.

    Notes
    -----
    Each notebook gets ``corpus_dir``, ``metadata`` (when given) and ``output_dir`` as absolute
    paths, if its parameters cell declares them, and runs with its own folder as working
    directory (as in JupyterLab), ``DANGSHI_PROJECT_ROOT`` set to the project root (so
    :func:`corpus_tools.paths.resolve_path` agrees with this process), ``PYTHONHASHSEED=0``
    (so iterating over a set of strings gives the same order, and the same tables, every run)
    and ``DANGSHI_PROGRESS=log`` (progress as log lines, not widget bars in the report).

    Notebooks are independent, so up to ``n_jobs`` of them run at once, each in its own kernel
    process, as far as ``memory_budget_gb`` allows (see :mod:`corpus_tools.reports.schedule`);
    the manifest lists them in notebook order whatever order they finish in, with each one's
    peak memory (``peak_memory_mb``), the peak the plan expected (``expected_peak_mb``) and
    how many notebooks the plan ran at once beside it (``sharing``: its kernel got that share of
    the cores). After a failure no further notebook starts; the ones already running are allowed
    to finish.

    The run is built in ``<reports_dir>/.incomplete-<run_id>/`` -- that is the ``output_dir``
    the notebooks see -- and renamed to ``<reports_dir>/<run_id>/`` only when every notebook has
    succeeded; then, if the run holds every numbered notebook, the symlink
    ``<reports_dir>/latest`` is replaced atomically (a run of some notebooks leaves it on the
    last complete run). The ``.incomplete-`` folder is created in one step with the run id, so
    runs started in the same second get different folders; a folder left by a run whose process
    has died (killed, power cut) is renamed ``failed-<run_id>`` when the next run starts.

    The default run id names the notebooks of a partial run and every parameter that differs
    from the notebooks' defaults (``20261121T071205Z-seeds-nb01-group_by-city``).

    Kernels talk to this process over IPC (Unix sockets), not TCP. While notebooks run, each
    one's progress lines (see :mod:`corpus_tools.progress`) and, when it has been quiet for
    ``DANGSHI_PROGRESS_SECONDS``, a heartbeat (elapsed time, current cell of all, time left by
    the previous run) are logged. Ctrl-C stops every running kernel at once and names the
    notebooks interrupted; a kernel that dies (the out-of-memory killer) is reported as such,
    with the cell it was running. A run that
    fails is renamed to ``failed-<run_id>/`` instead, with its manifest, the executed notebooks
    (the failing one holding the traceback) and whatever tables were written.

    ``run.json`` records the run id, status, project root, kernel, git commit and dirty flag,
    Python and platform, versions of the key packages, the sha256 of every corpus file (with a
    combined hash: sha256 of the ``sha256sum``-style listing sorted by path) and of every file in
    ``corpus_tools/data``, each notebook's parameters (paths relative to the project root where
    possible, and ``output_dir`` as the final run folder), its declared defaults, and the sha256
    of every table and figure. Between two runs of the same inputs only ``run_id`` (a timestamp
    unless given), the ``output_dir`` parameter that contains it, and the timing fields
    ``started_at``, ``finished_at`` and ``wall_seconds`` differ; the tables and figures hash the
    same. The executed ``.ipynb`` files also carry papermill's per-cell timings.

    It also records the run's ``fingerprint`` (:func:`~corpus_tools.reports.reuse.run_fingerprint`):
    hashes of the notebooks, the parameters, the corpus, the package's code and data, the
    installed packages, Python and the kernel. A run of every notebook with the default run id
    whose fingerprint equals that of ``latest``, while ``latest``'s reports, tables and figures
    are as it wrote them, runs nothing: it logs that the reports are current and returns
    ``latest``'s folder (``force=True``, ``--force``, runs them again). Otherwise the log says
    what changed.
    """
    import papermill

    root = project_root()
    corpus_path = resolve_path(corpus_dir)
    if not (corpus_path.is_dir() or corpus_path.is_file()):
        raise ReportArgumentError(
            f"corpus {corpus_path} does not exist (a folder of articles or one table of articles)"
        )
    metadata_path = resolve_path(metadata) if metadata is not None else None
    if metadata_path is not None and not metadata_path.is_file():
        raise ReportArgumentError(f"metadata file {metadata_path} does not exist")
    notebook_paths = find_notebooks(notebooks)
    all_notebooks = find_notebooks() if notebooks is not None else notebook_paths
    complete = {p.name for p in notebook_paths} >= {p.name for p in all_notebooks}
    extra = dict(parameters or {})
    if read_options:
        if "read_options" in extra:
            raise ReportArgumentError("give reading options once: read_options= or -p read_options, not both")
        extra["read_options"] = check_read_options(read_options)
    declared = {path: declared_parameters(path, kernel_name) for path in notebook_paths}
    if "read_options" in extra and not any("read_options" in names for names in declared.values()):
        raise ReportArgumentError(
            "reading options (--text-column, --id-column, --column, --format, --min-han-share ...) "
            "need notebooks that accept them: none of "
            + ", ".join(p.name for p in notebook_paths)
            + " declares `read_options = {}` in its parameters cell (passed on as "
            "ct.open_corpus(corpus_dir, ..., **read_options))"
        )
    check_parameters(extra, declared)
    scheduler = _check_scheduler(dask_scheduler)
    reports_path = resolve_path(reports_dir)
    if reports_path.exists() and not reports_path.is_dir():
        raise ReportArgumentError(f"reports folder {reports_path} is a file; give --reports-dir a folder")
    recover_leftovers(reports_path)
    corpus_hashes = input_hashes(corpus_path, metadata_path)
    # The parameters as the manifest records them (paths relative to the project root), less
    # output_dir, which names the run itself; the fingerprint hashes them.
    inputs: dict[str, Any] = {"corpus_dir": display_path(corpus_path, root)}
    if metadata_path is not None:
        inputs["metadata"] = display_path(metadata_path, root)
    inputs.update(extra)
    fingerprint = run_fingerprint(
        notebook_paths,
        {p.name: {k: v for k, v in inputs.items() if k in declared[p]} for p in notebook_paths},
        corpus_hashes,
        kernel_name,
    )
    if complete and run_id is None and not force:
        current, reason = reusable_run(reports_path, fingerprint)
        if current is not None:
            logger.info(
                "nothing to run: %s (run %s) was made from these notebooks, parameters, corpus, "
                "corpus_tools code and packages, and its reports are as it wrote them; "
                "--force (force=True) runs the notebooks again",
                reports_path / "latest", current.name,
            )
            return current
        logger.info("running the notebooks: %s", reason)
    base = default_run_id(corpus_path, labels=run_labels(notebook_paths, all_notebooks, extra, declared))
    run_id, work_dir = reserve_run(run_id, reports_path, base)
    final_dir, _, failed_dir = run_folders(reports_path, run_id)
    try:
        ensure_kernel(kernel_name)
        exporter = html_exporter()
        t_run = time.perf_counter()
        manifest = new_manifest(
            run_id, root, corpus_path, metadata_path, kernel_name,
            dask_scheduler=scheduler, corpus_hashes=corpus_hashes,
        )
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)  # nothing ran: give the id back
        raise
    manifest["complete"] = complete
    manifest[FINGERPRINT_FIELD] = fingerprint
    logger.info("run %s: %d notebook(s) on %s", run_id, len(notebook_paths), corpus_path)

    # What the notebooks get (absolute paths, the folder being written) and what the manifest
    # records (paths relative to the project root, the folder the run ends up in).
    given: dict[str, Any] = {"corpus_dir": str(corpus_path), "output_dir": str(work_dir)}
    if metadata_path is not None:
        given["metadata"] = str(metadata_path)
    given.update(extra)
    recorded: dict[str, Any] = {**inputs, "output_dir": display_path(final_dir, root)}

    entries: list[dict[str, Any]] = []
    passed_by_notebook: list[dict[str, Any]] = []
    for nb_path in notebook_paths:
        names = declared[nb_path]
        passed = {key: value for key, value in given.items() if key in names}
        if set(given) - set(passed):
            logger.info("%s does not declare %s; not passed", nb_path.name, sorted(set(given) - set(passed)))
        passed_by_notebook.append(passed)
        entries.append(
            {
                "notebook": nb_path.name,
                "source": display_path(nb_path, root),
                "status": "pending",
                "parameters": {k: v for k, v in recorded.items() if k in passed},
                "defaults": {k: names[k].get("default") for k in sorted(names) if k not in passed},
                "ipynb": nb_path.name,
                "html": None,
                "started_at": None,
                "finished_at": None,
                "wall_seconds": None,
                "waited_seconds": None,
                "error": None,
            }
        )
    manifest["notebooks"] = entries
    # Each parameter given, with the default the notebooks declare (source text), so the index
    # can show what this run changed.
    manifest["parameters"] = {
        key: {
            "value": value,
            "default": next((names[key].get("default") for names in declared.values() if key in names), None),
        }
        for key, value in extra.items()
    }
    n_jobs = choose_n_jobs(n_jobs, len(notebook_paths))
    manifest["jobs"] = n_jobs  # run.json keeps its field name: the manifest is a file format
    memory_budget_gb = check_memory_budget(memory_budget_gb)
    # Times and peaks of the latest run count only if it read this corpus.
    corpus_sha256 = manifest["corpus"]["combined_sha256"]
    previous = previous_durations(reports_path, corpus_sha256=corpus_sha256)
    progress_dir = Path(tempfile.mkdtemp(prefix="dangshi-progress-"))
    watches = [
        NotebookWatch(p.name, progress_dir / f"{p.stem}.log", previous.get(p.name)) for p in notebook_paths
    ]
    engine = report_engine_name()
    corpus_name = corpus_path.name

    def execute(index: int) -> None:
        from nbclient.exceptions import DeadKernelError

        nb_path, current, watch = notebook_paths[index], entries[index], watches[index]
        current["status"] = "running"
        current["started_at"] = iso(utc_now())
        watch.started = time.perf_counter()
        logger.info("[%d/%d] running %s", index + 1, len(notebook_paths), nb_path.name)
        t0 = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(nb_path),
                str(work_dir / nb_path.name),
                parameters=passed_by_notebook[index],
                kernel_name=kernel_name,
                engine_name=engine,
                report_watch=watch,
                cwd=str(nb_path.parent),  # as when the notebook is opened in JupyterLab
                progress_bar=False,
                log_output=log_output,
            )
        except DeadKernelError as exc:
            if watch.interrupted:
                raise
            cell = watch.cell_index
            raise KernelDiedError(
                f"{death_cause(watch.returncode())} while {nb_path.name} was running {watch.where()}",
                cell_index=cell,
                returncode=watch.returncode(),
            ) from exc
        finally:
            current["wall_seconds"] = round(time.perf_counter() - t0, 3)
            current["finished_at"] = iso(utc_now())
            pending_marker(work_dir, nb_path.name).unlink(missing_ok=True)  # a notebook waiting on it goes on
            current["waited_seconds"] = read_waited(watch.progress_file)
            current["peak_memory_mb"] = None if watch.peak_mb is None else round(watch.peak_mb, 1)
        # One exporter per notebook: nbconvert exporters keep state between calls.
        html_path = export_html(
            html_exporter(), work_dir / nb_path.name, work_dir / f"{nb_path.stem}.html", corpus_name=corpus_name
        )
        current["html"] = html_path.name
        current["status"] = "succeeded"
        logger.info("[%d/%d] %s done in %.1f s", index + 1, len(notebook_paths), nb_path.name, current["wall_seconds"])

    kernel_env = {PROJECT_ROOT_ENV: str(root), "PYTHONHASHSEED": "0"}
    kernel_env.update(kernel_share_environment(n_jobs))
    # Headless runs log progress lines instead of drawing widget bars into the report.
    kernel_env[PROGRESS_ENV] = raw_value(PROGRESS_ENV, "log")
    if scheduler is not None:
        # The kernels connect to the cluster themselves (corpus_tools.cluster.dask_client).
        kernel_env[DASK_SCHEDULER_ENV] = scheduler
    # No notebook runs yet: the reading and cleaning get every core (at 100 MB the cleaning took
    # 34 s in one process while the second core idled).
    with _environment({**kernel_env, **kernel_share_environment(1)}), _cluster(scheduler):
        ingest_once(corpus_path, metadata_path, given, declared)
    failed: tuple[dict[str, Any], BaseException] | None = None
    beat_stop = threading.Event()
    beat = threading.Thread(target=heartbeat, args=(watches, entries, beat_stop), name="heartbeat", daemon=True)
    beat.start()

    def not_after_ctrl_c(record: logging.LogRecord) -> bool:
        # nbclient reports each kernel stopped on Ctrl-C as "Kernel died"; the interrupt is
        # reported once, with the notebooks and cells, below.
        return not (any(w.interrupted for w in watches) and "Kernel died" in record.getMessage())

    papermill_logger = logging.getLogger("papermill")
    papermill_logger.addFilter(not_after_ctrl_c)
    for nb_path in notebook_paths:  # removed as each notebook ends (or below, if it never starts)
        pending_marker(work_dir, nb_path.name).touch()
    order, peaks, budget_mb = _plan(entries, watches, manifest, previous=previous, reports_path=reports_path,
                                    corpus_path=corpus_path, corpus_sha256=corpus_sha256, n_jobs=n_jobs,
                                    memory_budget_gb=memory_budget_gb)
    try:
        with _environment(kernel_env):
            failed = execute_all(
                execute,
                entries,
                n_jobs,
                order=order,
                stop=lambda index: watches[index].stop(),
                peaks=peaks,
                budget_mb=budget_mb,
            )
    finally:
        papermill_logger.removeFilter(not_after_ctrl_c)
        beat_stop.set()
        beat.join(5.0)
        shutil.rmtree(progress_dir, ignore_errors=True)
        for nb_path in notebook_paths:
            pending_marker(work_dir, nb_path.name).unlink(missing_ok=True)
    (work_dir / OWNER_FILE).unlink(missing_ok=True)
    if failed is not None:
        current, exc = failed
        message = record_failure(exc, current, manifest, work_dir, failed_dir, exporter, t_run, watches=watches)
        logger.error("%s", message)
        if isinstance(exc, Exception):
            raise NotebookFailedError(
                message,
                notebook=current["notebook"],
                cell_index=getattr(exc, "cell_index", None),
                ename=getattr(exc, "ename", type(exc).__name__),
                evalue=getattr(exc, "evalue", str(exc)),
                run_dir=failed_dir,
            ) from exc
        raise exc  # KeyboardInterrupt and the like: the partial run is kept, the signal goes on.

    manifest["status"] = "succeeded"
    finish_manifest(manifest, work_dir, t_run)
    write_manifest(work_dir, manifest)
    write_index(work_dir, manifest)
    if final_dir.exists() or final_dir.is_symlink():
        # rename(2) would silently replace an empty folder created meanwhile.
        raise RuntimeError(f"{final_dir} appeared during the run; the run is in {work_dir}")
    os.rename(work_dir, final_dir)
    if complete:
        repoint_latest(reports_path, run_id)
        logger.info("run %s complete: %s", run_id, final_dir / "index.html")
    else:
        # A run of some notebooks holds only their reports; `latest` keeps naming a run that
        # has them all.
        latest = reports_path / "latest"
        kept = os.readlink(latest) if latest.is_symlink() else None
        logger.info(
            "run %s complete: %s (a partial run: %s)",
            run_id,
            final_dir / "index.html",
            f"{latest} still points at {kept}" if kept else f"{latest} is not made by partial runs",
        )
    return final_dir
