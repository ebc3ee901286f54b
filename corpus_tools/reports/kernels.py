"""The Jupyter kernel reports run on, and the watch kept on each running notebook.

:func:`ensure_kernel` registers the project's kernelspec; :func:`report_engine_name` registers
papermill's engine with the IPC transport and a per-notebook progress file; a
:class:`NotebookWatch` records which cell runs (for heartbeats, Ctrl-C and a dead kernel's
message) and :func:`heartbeat` logs it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from corpus_tools.environment import PROGRESS_FILE_ENV
from corpus_tools.memory import resident_mb
from corpus_tools.progress import format_duration, log_interval

__all__ = [
    "KERNEL_DISPLAY_NAME",
    "KERNEL_NAME",
    "MEMORY_SAMPLE_SECONDS",
    "SAVE_EVERY_SECONDS",
    "NotebookWatch",
    "death_cause",
    "ensure_kernel",
    "heartbeat",
    "report_engine_name",
]

logger = logging.getLogger(__package__)


#: Name of the Jupyter kernel the reports run on; ``make venv`` registers it for ``.venv``.
KERNEL_NAME = "dangshi-corpus"


KERNEL_DISPLAY_NAME = "Python (dangshi-corpus)"


def _same_interpreter(candidate: str) -> bool:
    # `.venv/bin/python` and `.venv/bin/python3.11` are the same interpreter and environment;
    # comparing realpaths alone would also equate a venv's python with its base interpreter,
    # which has none of the project's packages, so the folder must match too.
    cand = Path(candidate)
    here = Path(sys.executable)
    if not cand.is_absolute():
        return False
    return cand.absolute().parent == here.absolute().parent and os.path.realpath(
        cand
    ) == os.path.realpath(here)


def ensure_kernel(
    kernel_name: str = KERNEL_NAME, *, display_name: str = KERNEL_DISPLAY_NAME
) -> Path:
    """Make sure a Jupyter kernel `kernel_name` runs the current Python interpreter.

    Parameters
    ----------
    kernel_name : str, default "dangshi-corpus"
        Name of the kernelspec.
    display_name : str, default "Python (dangshi-corpus)"
        Name shown in JupyterLab's kernel picker.

    Returns
    -------
    pathlib.Path
        The kernelspec's folder.

    Raises
    ------
    RuntimeError
        If another kernelspec of the same name, earlier on Jupyter's search path, still points
        at a different interpreter after installing.

    Notes
    -----
    A missing kernelspec, or one left over from another environment, is (re)installed into
    ``sys.prefix`` (``<venv>/share/jupyter/kernels/<name>``) with ``ipykernel``, as
    ``python -m ipykernel install --sys-prefix --name dangshi-corpus`` would. Keeping it inside
    the environment means deleting ``.venv`` removes it, and no user-wide state is touched.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        logger.info("registering Jupyter kernel %r for %s", kernel_name, sys.executable)
    else:
        if spec.argv and _same_interpreter(spec.argv[0]):
            return Path(spec.resource_dir)
        logger.info(
            "Jupyter kernel %r runs %s, not %s; re-registering it",
            kernel_name,
            spec.argv[0] if spec.argv else "nothing",
            sys.executable,
        )

    from ipykernel.kernelspec import install

    install(kernel_name=kernel_name, display_name=display_name, prefix=sys.prefix)
    # A fresh manager: the old one may have cached the search result.
    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    if not (spec.argv and _same_interpreter(spec.argv[0])):
        raise RuntimeError(
            f"installed Jupyter kernel {kernel_name!r} into {sys.prefix}, but the kernelspec in "
            f"{spec.resource_dir} comes first on Jupyter's search path and runs "
            f"{spec.argv[0] if spec.argv else 'nothing'}; remove it with "
            f"`jupyter kernelspec remove {kernel_name}` and try again"
        )
    return Path(spec.resource_dir)


class NotebookWatch:
    """What a running notebook is doing, for heartbeats, Ctrl-C and a dead kernel's message.

    Written by the thread executing the notebook, read by the heartbeat thread and by the main
    thread on Ctrl-C; each field is one reference assigned at once, so no lock is needed.
    """

    def __init__(self, name: str, progress_file: Path, expected_seconds: float | None) -> None:
        self.name = name
        self.progress_file = progress_file
        self.expected_seconds = expected_seconds
        self.started: float | None = None
        self.n_cells: int | None = None  # as the author sees the notebook: papermill's cell left out
        self.injected: list[int] = []
        self.cell_index: int | None = None  # in the executed notebook
        self.cell_started: float | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.interrupted = False
        self.last_line = 0.0
        self.progress_offset = 0
        #: Variables the kernel gets beyond the runner's environment (its share of the cores).
        self.environment: dict[str, str] = {}
        #: The largest resident memory of the kernel and its child processes sampled so far, MB.
        self.peak_mb: float | None = None

    def cell_start(self, index: int | None) -> None:
        self.cell_index = index
        self.cell_started = time.perf_counter()

    def stop(self) -> None:
        """Stop the kernel now: SIGTERM to its process group, SIGKILL a moment later."""
        self.interrupted = True
        process = self.process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
            try:
                # The kernel runs in its own session (so the terminal's Ctrl-C never reaches
                # it); its process group holds whatever it started.
                os.killpg(process.pid, sig)
            except (ProcessLookupError, PermissionError, OSError):
                try:
                    process.send_signal(sig)
                except OSError:
                    return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def sample_memory(self) -> None:
        """Add the kernel's resident memory now, with its child processes' (worker pools), to :attr:`peak_mb`."""
        process = self.process
        if process is None:
            return
        now = resident_mb(process.pid, children=True)
        if now is not None:  # None: the kernel has ended
            self.peak_mb = max(self.peak_mb or 0.0, now)

    def returncode(self) -> int | None:
        process = self.process
        if process is None:
            return None
        try:
            return process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def where(self) -> str:
        if self.cell_index is None or self.n_cells is None:
            return "before its first cell"
        if self.cell_index in self.injected:
            return "its injected parameters"
        number = self.cell_index + 1 - sum(1 for i in self.injected if i < self.cell_index)
        return f"cell {number} of {self.n_cells}"

    def new_progress_lines(self) -> list[str]:
        try:
            with self.progress_file.open("r", encoding="utf-8", errors="replace") as fh:
                fh.seek(self.progress_offset)
                text = fh.read()
        except OSError:
            return []
        # Only whole lines; a line being written is read next time.
        complete, _, _ = text.rpartition("\n")
        if not complete:
            return []
        self.progress_offset += len(complete.encode("utf-8")) + 1
        return complete.split("\n")


def _kernel_manager_class(watch: NotebookWatch) -> type:
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    class ReportKernelManager(AsyncKernelManager):  # type: ignore[misc]
        # Kernel and runner talk over Unix sockets rather than TCP on localhost: nothing on the
        # network can listen in, and ipykernel has no reason to warn that it "is running over
        # TCP without encryption" at every start.
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        async def start_kernel(self, **kw: Any) -> None:
            # Socket files of their own: jupyter_client's default ("kernel-ipc" in the working
            # directory when no connection file is named yet) is shared by kernels started side
            # by side, whose messages would then cross.
            self.ip = str(watch.progress_file.with_suffix("")) + "-ipc"
            env = dict(kw.pop("env", None) or os.environ)
            env[PROGRESS_FILE_ENV] = str(watch.progress_file)
            env.update(watch.environment)
            await super().start_kernel(env=env, **kw)
            watch.process = getattr(self.provisioner, "process", None)

    return ReportKernelManager


#: Seconds between two saves of a running notebook's executed copy. papermill saves it at the
#: start and the end of every cell, which on a report's 40 cells with megabytes of outputs cost
#: the runner about 5 s of processor time on the 5 MB corpus of ``benchmarks/report_scale.py``,
#: taken from the kernels beside it; the copy is only read after a failure, and it is saved then.
SAVE_EVERY_SECONDS = 30.0


def _every(seconds: float, save: Callable[..., Any]) -> Callable[..., Any]:
    """`save`, called at most once every `seconds` (the first call saves)."""
    last: list[float | None] = [None]

    def throttled(**kwargs: Any) -> Any:
        now = time.monotonic()
        if last[0] is None or now - last[0] >= seconds:
            last[0] = now
            return save(**kwargs)
        return None

    return throttled


def report_engine_name() -> str:
    """Register (once) and name the papermill engine report runs use.

    It is papermill's nbclient engine with four changes: the kernel runs on the IPC transport
    with a per-notebook progress file; every cell start is recorded in the notebook's
    :class:`NotebookWatch`; the executed copy is saved at most every
    :data:`SAVE_EVERY_SECONDS` while cells run, and whenever execution ends; and the kernel
    is stopped at once when the last cell has run (nbclient's ``shutdown_kernel="immediate"``).
    """
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.exceptions import PapermillException

    name = "dangshi-report"
    try:
        papermill_engines.get_engine(name)
        return name
    except PapermillException:
        pass  # not registered yet

    class ReportEngine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            watch: NotebookWatch | None = kwargs.pop("report_watch", None)
            # The notebook is done once its last cell is: a graceful shutdown only lets the
            # interpreter free its heap object by object (0.3 s with a few hundred MB, longer
            # with gigabytes) while the next notebook waits for the core. The kernel's process
            # group is killed, pools it started included.
            kwargs.setdefault("shutdown_kernel", "immediate")
            # nbclient looks whether the kernel still lives after each wait of this many seconds
            # without a reply (default 5): a kernel stopped on Ctrl-C is then noticed at once,
            # while the runner still holds back nbclient's "Kernel died" for it.
            kwargs.setdefault("shell_timeout_interval", 1)
            save = nb_man.save
            nb_man.save = _every(SAVE_EVERY_SECONDS, save)
            if watch is not None:
                watch.injected = [
                    i
                    for i, cell in enumerate(nb_man.nb.cells)
                    if "injected-parameters" in cell.get("metadata", {}).get("tags", [])
                ]
                watch.n_cells = len(nb_man.nb.cells) - len(watch.injected)
                cell_start = nb_man.cell_start

                def start(cell: Any, cell_index: int | None = None, **kw: Any) -> Any:
                    watch.cell_start(cell_index)
                    return cell_start(cell, cell_index, **kw)

                nb_man.cell_start = start
                kwargs["kernel_manager_class"] = _kernel_manager_class(watch)
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                # Whatever ended the run (a dead kernel, Ctrl-C), the copy on disk holds every
                # output so far; papermill writes the finished notebook once more afterwards.
                save()

    papermill_engines.register(name, ReportEngine)
    return name


def death_cause(returncode: int | None) -> str:
    """Say in words why a kernel process ended, from its exit status (negative: the signal)."""
    if returncode is None:
        return "the kernel process stopped responding"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if -returncode == signal.SIGKILL:
            return (
                f"the kernel process was killed ({name}); most likely the system ran out of memory "
                "and its out-of-memory killer ended the largest process. Run fewer notebooks at once "
                "(--jobs 1), a smaller corpus, or on a machine with more memory"
            )
        return f"the kernel process was ended by {name}"
    return f"the kernel process exited with status {returncode}"


#: Seconds between two samples of each running kernel's memory (and two looks at its progress
#: file). A peak shorter than this can be missed: sampled every second, notebook 01's at 100 MB
#: read 1,984 MB where ``benchmarks/report_scale.py``, sampling every 0.5 s, saw 2,177 MB.
MEMORY_SAMPLE_SECONDS = 0.5


def heartbeat(watches: Sequence[NotebookWatch], entries: Sequence[dict[str, Any]], stop: threading.Event) -> None:
    """Log, for every running notebook, its progress lines as they come, and a heartbeat line
    (elapsed time, cell, time left by the last run's duration) whenever it has been quiet;
    sample each one's memory every :data:`MEMORY_SAMPLE_SECONDS` (:meth:`NotebookWatch.sample_memory`)."""
    try:
        interval = log_interval()
    except ValueError:
        interval = 10.0
    interval = max(interval, 1.0)
    while not stop.wait(MEMORY_SAMPLE_SECONDS):
        now = time.perf_counter()
        for watch, entry in zip(watches, entries, strict=True):
            if entry["status"] != "running" or watch.started is None:
                continue
            watch.sample_memory()
            for line in watch.new_progress_lines():
                logger.info("%s: %s", watch.name, line)
                watch.last_line = now
            if now - max(watch.last_line, watch.started) < interval:
                continue
            watch.last_line = now
            elapsed = now - watch.started
            in_cell = f", {format_duration(now - watch.cell_started)} in this cell" if watch.cell_started else ""
            left = ""
            if watch.expected_seconds:
                remaining = watch.expected_seconds - elapsed
                left = (
                    f"; about {format_duration(remaining)} left by the last run's time"
                    if remaining > 0
                    else "; longer than the last run"
                )
            logger.info("%s: running %s, %s%s%s", watch.name, format_duration(elapsed), watch.where(), in_cell, left)
