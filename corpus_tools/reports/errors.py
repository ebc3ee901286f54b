"""The exceptions of a report run: bad arguments, a failed notebook, a dead kernel.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["KernelDiedError", "NotebookFailedError", "ReportArgumentError"]


class ReportArgumentError(ValueError):
    """Raised before anything runs when the arguments of a report run are unusable."""


class NotebookFailedError(RuntimeError):
    """Raised when a notebook fails during a report run.

    Attributes
    ----------
    notebook : str
        File name of the failing notebook.
    cell_index : int or None
        0-based index of the failing cell in the executed notebook (which holds papermill's
        injected-parameters cell), or None when the failure was not in a cell.
    ename, evalue : str or None
        The exception's class name and message inside the kernel.
    run_dir : pathlib.Path
        The ``failed-<run-id>`` folder holding the partial run.
    """

    def __init__(
        self,
        message: str,
        *,
        notebook: str,
        cell_index: int | None,
        ename: str | None,
        evalue: str | None,
        run_dir: Path,
    ) -> None:
        super().__init__(message)
        self.notebook = notebook
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
        self.run_dir = run_dir


class KernelDiedError(RuntimeError):
    """Raised when a notebook's kernel process dies while the notebook runs.

    Attributes
    ----------
    cell_index : int or None
        0-based index, in the executed notebook, of the cell that was running.
    returncode : int or None
        The kernel process's exit status; negative for the signal that ended it (``-9``: SIGKILL,
        as the Linux out-of-memory killer sends).
    """

    def __init__(self, message: str, *, cell_index: int | None, returncode: int | None) -> None:
        super().__init__(message)
        self.cell_index = cell_index
        self.returncode = returncode
