"""The environment variables the library reads: each one named, documented and read here only.

Other modules ask this one for a setting (:func:`cache_enabled`, :func:`progress_setting` …)
and never read ``os.environ`` themselves, so a variable has one spelling, one parser and one
error message. Settings are read on every call, never cached: tests and the report runner
change the environment between calls.

.. list-table:: Environment variables
   :header-rows: 1
   :widths: 25 50 25

   * - variable
     - meaning
     - used by
   * - ``DANGSHI_PROJECT_ROOT``
     - the project root outright (a folder); else it is searched for from the working
       directory and the installed package
     - :mod:`corpus_tools.paths`
   * - ``DANGSHI_CACHE_DIR``
     - the cache folder (segmenter dictionary, token cache, result cache); default the
       platformdirs user cache folder
     - :mod:`corpus_tools.segment`, :mod:`corpus_tools.resultcache`
   * - ``DANGSHI_CACHE``
     - ``off`` (or ``0``, ``false``, ``no``) turns the default caches off; ``on`` (or ``1``,
       ``true``, ``yes``, empty) leaves them on
     - :mod:`corpus_tools.segment.cache`, :mod:`corpus_tools.resultcache`
   * - ``DANGSHI_PROGRESS``
     - how progress is shown: ``auto`` (default), ``bar``, ``log`` or ``off``
     - :mod:`corpus_tools.progress`
   * - ``DANGSHI_PROGRESS_SECONDS``
     - seconds between two progress log lines (default 10)
     - :mod:`corpus_tools.progress`
   * - ``DANGSHI_PROGRESS_FILE``
     - a file progress log lines are also appended to (set by the report runner)
     - :mod:`corpus_tools.progress`, the report runner
   * - ``DANGSHI_DASK_SCHEDULER``
     - a Dask scheduler address (``tcp://10.0.0.5:8786``): parallel work (cleaning,
       per-document analyses, side-by-side topic fits) goes to its workers; unset or empty:
       worker processes on this machine (set by ``dangshi-reports --dask-scheduler``)
     - :mod:`corpus_tools.cluster`, the report runner
   * - ``DANGSHI_CORES``
     - the most cores a process spreads its own work over (worker processes for ``n_jobs=None``
       or ``-1``); unset: every core it may run on. The report runner gives each kernel its
       share when notebooks run side by side
     - :mod:`corpus_tools.parallel`, the report runner
   * - ``JPY_SESSION_NAME``
     - set by JupyterLab in a kernel it started: a notebook open in JupyterLab (read, never
       set)
     - :mod:`corpus_tools.rhetoric.kwic`
   * - ``OPENBLAS_NUM_THREADS``
     - threads of numpy's BLAS in each process (OpenBLAS); when none of the three BLAS
       variables is set, worker processes and report kernels side by side share the cores
       out, else the user's value is kept
     - :mod:`corpus_tools.parallel`, the report runner
   * - ``OMP_NUM_THREADS``
     - the same for OpenMP builds
     - :mod:`corpus_tools.parallel`, the report runner
   * - ``MKL_NUM_THREADS``
     - the same for MKL builds
     - :mod:`corpus_tools.parallel`, the report runner

A value that cannot mean anything (``DANGSHI_PROGRESS=loud``, ``DANGSHI_CACHE=sometimes``) is a
:class:`ValueError` that names the variable and the values it takes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

__all__ = [
    "BLAS_THREAD_VARIABLES",
    "CACHE_DIR_ENV",
    "CACHE_ENV",
    "CORES_ENV",
    "DASK_SCHEDULER_ENV",
    "JUPYTER_SESSION_ENV",
    "PROGRESS_ENV",
    "PROGRESS_FILE_ENV",
    "PROGRESS_SECONDS_ENV",
    "PROJECT_ROOT_ENV",
    "VARIABLES",
    "blas_threads_set",
    "cache_dir_setting",
    "cache_enabled",
    "cores_setting",
    "dask_scheduler_setting",
    "jupyter_session_name",
    "progress_file",
    "progress_seconds",
    "progress_setting",
    "project_root_setting",
    "raw_value",
]

#: The project root outright.
PROJECT_ROOT_ENV = "DANGSHI_PROJECT_ROOT"
#: The cache folder.
CACHE_DIR_ENV = "DANGSHI_CACHE_DIR"
#: ``off`` turns the default caches off.
CACHE_ENV = "DANGSHI_CACHE"
#: How progress is shown.
PROGRESS_ENV = "DANGSHI_PROGRESS"
#: Seconds between two progress log lines.
PROGRESS_SECONDS_ENV = "DANGSHI_PROGRESS_SECONDS"
#: A file progress log lines are appended to.
PROGRESS_FILE_ENV = "DANGSHI_PROGRESS_FILE"
#: The Dask scheduler parallel work goes to.
DASK_SCHEDULER_ENV = "DANGSHI_DASK_SCHEDULER"
#: The most cores a process spreads its work over.
CORES_ENV = "DANGSHI_CORES"
#: Set by JupyterLab in the kernels it starts.
JUPYTER_SESSION_ENV = "JPY_SESSION_NAME"

#: The thread counts of numpy's BLAS (OpenBLAS, OpenMP, MKL), read when a process starts.
BLAS_THREAD_VARIABLES: tuple[str, ...] = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

#: Every variable the library reads, in the order of the table above.
VARIABLES: tuple[str, ...] = (
    PROJECT_ROOT_ENV,
    CACHE_DIR_ENV,
    CACHE_ENV,
    PROGRESS_ENV,
    PROGRESS_SECONDS_ENV,
    PROGRESS_FILE_ENV,
    DASK_SCHEDULER_ENV,
    CORES_ENV,
    JUPYTER_SESSION_ENV,
    *BLAS_THREAD_VARIABLES,
)

ProgressSetting = Literal["auto", "bar", "log", "off"]

_OFF = frozenset({"off", "0", "false", "no"})
_ON = frozenset({"", "on", "1", "true", "yes"})


def _get(name: str) -> str:
    """The variable's value without surrounding blanks; ``""`` when unset."""
    return os.environ.get(name, "").strip()


def raw_value(name: str, default: str | None = None) -> str | None:
    """Return one of the :data:`VARIABLES` exactly as set, or ``default`` when unset.

    For code that passes a setting on rather than acting on it (the report runner hands
    ``DANGSHI_PROGRESS`` to the kernels it starts); code that acts on a setting calls its
    reader (:func:`progress_setting` …), which checks the value.

    Parameters
    ----------
    name : str
        One of :data:`VARIABLES`.
    default : str, optional
        Returned when the variable is not set.

    Raises
    ------
    KeyError
        When ``name`` is not a variable the library reads (the message lists them).

    Examples
    --------
    >>> raw_value("DANGSHI_NOT_A_SETTING")
    Traceback (most recent call last):
    ...
    KeyError: 'DANGSHI_NOT_A_SETTING is not a variable corpus_tools reads; those are DANGSHI_PROJECT_ROOT, ...'
    >>> raw_value("DANGSHI_PROGRESS_FILE", "") is not None
    True
    """
    if name not in VARIABLES:
        raise KeyError(f"{name} is not a variable corpus_tools reads; those are {', '.join(VARIABLES)}")
    return os.environ.get(name, default)


def project_root_setting() -> Path | None:
    """Return the folder ``DANGSHI_PROJECT_ROOT`` names (``~`` expanded), or None when unset.

    Whether the folder exists is for the caller (:func:`corpus_tools.paths.project_root`) to
    check and explain.
    """
    value = os.environ.get(PROJECT_ROOT_ENV)
    return Path(value).expanduser() if value else None


def cache_dir_setting() -> Path | None:
    """Return the folder ``DANGSHI_CACHE_DIR`` names (``~`` expanded), or None when unset or blank."""
    value = _get(CACHE_DIR_ENV)
    return Path(value).expanduser() if value else None


def cache_enabled() -> bool:
    """Return whether ``DANGSHI_CACHE`` leaves the default caches on (True when unset).

    Raises
    ------
    ValueError
        When the variable holds anything but on/off (``1``/``0``, ``true``/``false``,
        ``yes``/``no``).
    """
    setting = _get(CACHE_ENV).lower()
    if setting in _OFF:
        return False
    if setting not in _ON:
        raise ValueError(f"{CACHE_ENV}={setting!r}: expected on or off")
    return True


def progress_setting() -> ProgressSetting:
    """Return ``DANGSHI_PROGRESS``: ``"auto"`` (also when unset or blank), ``"bar"``, ``"log"`` or ``"off"``.

    Raises
    ------
    ValueError
        When the variable holds something else.
    """
    setting = _get(PROGRESS_ENV).lower() or "auto"
    if setting not in ("auto", "bar", "log", "off"):
        raise ValueError(f"{PROGRESS_ENV}={setting!r}: expected one of auto, bar, log, off")
    return setting  # type: ignore[return-value]


def progress_seconds() -> float:
    """Return ``DANGSHI_PROGRESS_SECONDS`` as seconds, at least 0 (10 when unset).

    Raises
    ------
    ValueError
        When the variable is not a number.
    """
    raw = os.environ.get(PROGRESS_SECONDS_ENV, "10")
    try:
        return max(float(raw), 0.0)
    except ValueError as error:
        raise ValueError(f"{PROGRESS_SECONDS_ENV}={raw!r}: expected a number of seconds") from error


def progress_file() -> str | None:
    """Return the file ``DANGSHI_PROGRESS_FILE`` names, or None when unset or empty."""
    return os.environ.get(PROGRESS_FILE_ENV) or None


def cores_setting() -> int | None:
    """Return the number of cores ``DANGSHI_CORES`` allows, or None when unset or empty.

    Raises
    ------
    ValueError
        When the variable is not a whole number of at least 1.
    """
    raw = _get(CORES_ENV)
    if not raw:
        return None
    try:
        cores = int(raw)
    except ValueError:
        cores = 0
    if cores < 1:
        raise ValueError(f"{CORES_ENV}={raw!r}: expected a whole number of cores, 1 or more (or unset for every core)")
    return cores


def dask_scheduler_setting() -> str | None:
    """Return the scheduler address ``DANGSHI_DASK_SCHEDULER`` names, or None when unset or empty."""
    return _get(DASK_SCHEDULER_ENV) or None


def jupyter_session_name() -> str:
    """Return ``JPY_SESSION_NAME`` (the notebook JupyterLab runs), ``""`` outside JupyterLab."""
    return os.environ.get(JUPYTER_SESSION_ENV, "")


def blas_threads_set() -> tuple[str, ...]:
    """Return the :data:`BLAS_THREAD_VARIABLES` the user set (to a non-empty value)."""
    return tuple(name for name in BLAS_THREAD_VARIABLES if os.environ.get(name))
