"""What a report notebook calls first: :func:`start` opens the corpus and names the run folder.

Every numbered notebook began with the same lines (resolve the output folder, open the corpus
with the reading options and the grouping docvar); they are one call here, so a change to how
reports read a corpus is made once::

    report = start(corpus_dir, out_dir=output_dir, metadata=metadata, on_error=on_error,
                   read_options=read_options, group_by=group_by)
    corp, out = report.corpus, report.out_dir

:func:`start` also makes the kernel's warnings fit a report: a warning is shown once, as one line
naming the file inside its package (``corpus_tools/rhetoric/stats.py:148``), never the absolute
path of the machine that ran the report.
"""

from __future__ import annotations

import logging
import os
import sys
import sysconfig
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from corpus_tools.memory import can_release_memory, release_freed_memory
from corpus_tools.paths import resolve_path

from .folders import pending_marker, waited_file

if TYPE_CHECKING:
    from corpus_tools.corpus import Corpus

__all__ = ["NotebookReport", "forget_cell_results", "start", "trim_memory_after_cells", "warning_line"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotebookReport:
    """What a report notebook works with, as :func:`start` returns it.

    Attributes
    ----------
    corpus : Corpus
        The corpus, read with the notebook's reading options; with a ``group`` docvar when
        ``group_by`` was given (see :func:`corpus_tools.corpus.open_corpus`).
    out_dir : pathlib.Path
        The run folder, absolute: tables go to ``out_dir/tables``, figures to ``out_dir/figures``
        (:func:`~corpus_tools.reports.save_table`, :func:`~corpus_tools.reports.save_figure`).
    group_by : str or None
        The docvar the ``group`` column was made from.
    """

    corpus: Corpus
    out_dir: Path
    group_by: str | None = None

    def wait_for(self, *notebooks: str, poll_seconds: float = 1.0) -> float:
        """Wait while notebooks of this report run whose output this one reads have not finished.

        The report command marks every notebook of a run as pending in the run folder until it
        ends, and starts a notebook that reads another's output beside it
        (:data:`~corpus_tools.reports.schedule.RUNS_AFTER`); this is where it waits. In
        JupyterLab nothing is marked and it returns at once.

        Parameters
        ----------
        *notebooks : str
            Names or file stems of the notebooks read from, e.g. ``"01-topic-model"``.
        poll_seconds : float, default 1.0
            How often to look again.

        Returns
        -------
        float
            Seconds waited.
        """
        markers = [pending_marker(self.out_dir, name) for name in notebooks]
        started = time.monotonic()
        logged = None
        while waiting := [m.name for m in markers if m.exists()]:
            if logged is None or time.monotonic() - logged >= 60:
                logger.info("waiting for %s (running in this report run) to finish",
                            ", ".join(name.removeprefix(".pending-") for name in waiting))
                logged = time.monotonic()
            time.sleep(poll_seconds)
        waited = time.monotonic() - started
        if logged is not None:
            logger.info("waited %.1f s for %s", waited, ", ".join(notebooks))
            _record_wait(waited)
        return waited


def _record_wait(seconds: float) -> None:
    """Add `seconds` to this kernel's waiting time, which the report runner reads (see :func:`~corpus_tools.reports.folders.waited_file`)."""
    from corpus_tools.environment import progress_file

    progress = progress_file()
    if progress is None:  # not a kernel of the report command: nobody reads it
        return
    path = waited_file(progress)
    try:
        before = float(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = 0.0
    try:
        path.write_text(f"{before + seconds:.3f}", encoding="utf-8")
    except OSError:
        pass  # only the order of a later run depends on it


def start(
    corpus_dir: str | os.PathLike[str],
    *,
    out_dir: str | os.PathLike[str],
    metadata: str | os.PathLike[str] | None = None,
    on_error: str = "raise",
    read_options: Mapping[str, Any] | None = None,
    group_by: str | None = None,
    tidy_warnings: bool = True,
    trim_memory: bool = True,
    keep_results: bool | None = None,
) -> NotebookReport:
    """Open a report notebook's corpus and run folder: the one call every notebook starts with.

    Parameters
    ----------
    corpus_dir : str or os.PathLike
        The notebook's ``corpus_dir``: a folder of articles or one table; relative to the project
        root.
    out_dir : str or os.PathLike
        The notebook's ``output_dir``: the run folder; relative to the project root.
    metadata : str or os.PathLike, optional
        The notebook's ``metadata``: a manifest CSV; by default ``<corpus_dir>/metadata.csv``
        when it exists.
    on_error : {"raise", "skip"}, default "raise"
        What reading does with an unreadable or unusable input (see
        :func:`corpus_tools.read_corpus`).
    read_options : mapping, optional
        The notebook's ``read_options``: further keyword arguments of ``read_corpus``, e.g.
        ``{"text_column": "content"}``.
    group_by : str, optional
        The notebook's ``group_by``: the docvar whose labels become the docvar ``group``.
    tidy_warnings : bool, default True
        Show the kernel's warnings as :func:`warning_line` writes them (once per place, no
        absolute paths). A notebook owns its kernel, so this changes
        :func:`warnings.showwarning` for the rest of the session.
    trim_memory : bool, default True
        Hand the memory freed by each cell back to the operating system when the cell ends
        (:func:`trim_memory_after_cells`), so that a long report does not keep every cell's
        temporary peak.
    keep_results : bool, optional
        Whether IPython keeps every cell's result (``Out``, ``_``, ``_N``). By default it does
        in JupyterLab and does not in a run of the report command, where nobody reads them
        (:func:`forget_cell_results`).

    Returns
    -------
    NotebookReport
        ``corpus``, ``out_dir`` (absolute) and ``group_by``.

    Raises
    ------
    corpus_tools.corpus.CorpusReadError
        When the corpus cannot be read; the message names the file and the option to change.
    ValueError
        When `read_options` names ``on_error``, ``metadata`` or ``group_by``, which are
        parameters of their own.

    Examples
    --------
    >>> report = start("seeds", out_dir="reports/interactive", group_by="district")  # doctest: +SKIP
    >>> report.corpus.docvars["group"].head(2)  # doctest: +SKIP
    """
    from corpus_tools.corpus import open_corpus

    options = dict(read_options or {})
    doubled = sorted(set(options) & {"on_error", "metadata", "group_by"})
    if doubled:
        raise ValueError(
            f"read_options={options!r} sets {', '.join(doubled)}: pass "
            + (" and ".join(doubled))
            + " as the notebook parameter(s) of that name instead"
        )
    if tidy_warnings:
        show_warnings_tidily()
    if trim_memory:
        trim_memory_after_cells()
    if keep_results is None:
        from corpus_tools.environment import progress_file

        keep_results = progress_file() is None  # the report command gives each kernel a progress file
    if not keep_results:
        forget_cell_results()
    corpus = open_corpus(corpus_dir, metadata=metadata, by=group_by, on_error=on_error, **options)
    return NotebookReport(corpus=corpus, out_dir=resolve_path(out_dir), group_by=group_by)


def _short_path(filename: str) -> str:
    """`filename` relative to the folder its package is installed in, else its base name."""
    path = Path(filename)
    if not path.is_absolute():
        return path.as_posix()
    if path.parent.name.startswith("ipykernel_"):
        # IPython compiles each cell to <tmp>/ipykernel_<pid>/<hash>.py: the warning is the cell's own
        return "notebook cell"
    package_parent = Path(__file__).resolve().parents[2]  # the folder holding corpus_tools/
    bases = [package_parent, *(Path(p) for p in sorted({sysconfig.get_path(k) for k in ("purelib", "platlib", "stdlib")}))]
    # the longest base first, so site-packages wins over the interpreter's folder that holds it
    for base in sorted(bases, key=lambda b: len(b.parts), reverse=True):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.name


def warning_line(message: Warning | str, category: type[Warning], filename: str, lineno: int) -> str:
    """Format a warning as one line without the absolute path of the file that raised it.

    Parameters
    ----------
    message : Warning or str
        The warning.
    category : type
        Its class, e.g. :class:`RuntimeWarning`.
    filename : str
        The file that raised it; shown relative to its package's folder (``scipy/...``,
        ``corpus_tools/...``), as ``notebook cell`` for a cell of the running notebook, or by
        its base name.
    lineno : int
        The line in that file.

    Returns
    -------
    str
        ``"<Category> (<file>:<line>): <message>\\n"``.

    Examples
    --------
    >>> warning_line("overflow encountered in multiply", RuntimeWarning, "/home/me/x/stats.py", 12)
    'RuntimeWarning (stats.py:12): overflow encountered in multiply\\n'
    """
    return f"{category.__name__} ({_short_path(filename)}:{lineno}): {message}\n"


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    # The source line is left out: it is the library's code, not the reader's, and only noise
    # in a report.
    stream = sys.stderr if file is None else file
    try:
        stream.write(warning_line(message, category, filename, lineno))
    except OSError:
        pass  # as warnings.showwarning: a closed stream loses the warning, not the report


def show_warnings_tidily() -> None:
    """Show warnings as :func:`warning_line` writes them, each at most once per place.

    The first occurrence at each place in the code is shown (Python's ``"default"`` action, so
    a warning repeated for every group of a table is shown once) and :class:`FutureWarning`
    about a renamed name still is. Call it again safely: it installs itself once.
    """
    if warnings.showwarning is not _show_warning:
        warnings.showwarning = _show_warning
    warnings.filterwarnings("default", category=RuntimeWarning)


def _trim_after_cell(result: Any = None) -> None:
    # An IPython post_run_cell callback: it receives the cell's result, which it does not need.
    release_freed_memory()


def _ipython_shell():
    """The IPython shell this code runs in, or None (no IPython installed, or not in a kernel)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def forget_cell_results() -> bool:
    """Stop this IPython kernel from keeping each cell's result in ``Out``, ``_N`` and ``_``.

    IPython keeps the value a cell ends with for the rest of the session, even when no variable
    holds it: a table shown as ``passages[[...columns]]`` is a copy of 1.8 million rows at
    100 MB, kept until the kernel ends. A report run reads none of them. The display itself and
    the notebook's output are unchanged.

    Returns
    -------
    bool
        Whether the history was turned off (False outside IPython).
    """
    shell = _ipython_shell()
    if shell is None:
        return False
    hook = shell.displayhook
    hook.cache_size, hook.do_full_cache = 0, 0  # what IPython's own InteractiveShell.cache_size=0 sets
    return True


def trim_memory_after_cells() -> bool:
    """After each cell of this IPython kernel, return the heap memory Python has freed to the OS.

    glibc keeps memory that Python frees for reuse by the same process instead of returning it,
    so a kernel's size is the sum of its cells' temporary peaks, not what it holds: on a 20 MB
    corpus notebook 03 held 1.85 GB at its end, 1.50 GB when ``malloc_trim(0)`` runs after each
    cell (the same trim Dask's workers use for "unmanaged memory"), and Arrow's memory pool,
    which holds pandas' string columns, releases its unused pages as well. It costs
    milliseconds per cell (:func:`corpus_tools.memory.release_freed_memory`). The peak inside a
    cell is unchanged. Installed once per kernel; calling again is safe.

    Returns
    -------
    bool
        Whether the hook is installed: False outside IPython, or where the C library has no
        ``malloc_trim`` (anything but glibc), where nothing changes.
    """
    if not can_release_memory():
        return False
    shell = _ipython_shell()
    if shell is None:
        return False
    if _trim_after_cell not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _trim_after_cell)
    return True
