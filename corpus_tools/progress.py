"""Progress reporting for long work: a bar in JupyterLab, periodic log lines in headless runs.

A tqdm widget is what a researcher exploring in JupyterLab wants; in a papermill report or a
batch job the same widget ends up as a wall of carriage returns in a log. So the display
follows a setting, ``DANGSHI_PROGRESS``:

``auto`` (default)
    a ``tqdm.auto`` bar when stderr is a terminal or the code runs in an interactive Jupyter
    kernel; log lines otherwise.
``bar``
    always a ``tqdm.auto`` bar.
``log``
    an INFO line on the ``corpus_tools`` logger at most every ``DANGSHI_PROGRESS_SECONDS``
    seconds (default 10) and one at the end, with counts, rates and, when the total is known,
    the time remaining. The report runner sets this for the notebooks it executes, together with
    ``DANGSHI_PROGRESS_FILE``: a file the same lines are appended to, which the runner reads and
    prints beside its own heartbeat (a kernel's log goes nowhere a user sees, and its stderr
    would end up in the report).
``off``
    nothing.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Literal, TypeVar

from .environment import (
    PROGRESS_ENV,
    PROGRESS_FILE_ENV,
    PROGRESS_SECONDS_ENV,
    progress_file,
    progress_seconds,
    progress_setting,
)

__all__ = [
    "PROGRESS_ENV",
    "PROGRESS_FILE_ENV",
    "PROGRESS_SECONDS_ENV",
    "format_duration",
    "log_interval",
    "progress",
    "progress_mode",
]

Mode = Literal["bar", "log", "off"]
T = TypeVar("T")

logger = logging.getLogger("corpus_tools.progress")


def _in_interactive_kernel() -> bool:
    # An ipykernel that a human drives; papermill runs set DANGSHI_PROGRESS=log instead.
    return "ipykernel" in sys.modules and "IPython" in sys.modules


def progress_mode() -> Mode:
    """Return how progress is shown here: ``"bar"``, ``"log"`` or ``"off"``.

    Returns
    -------
    str
        Decided by the ``DANGSHI_PROGRESS`` environment variable (see the module docstring).

    Raises
    ------
    ValueError
        When ``DANGSHI_PROGRESS`` holds something other than auto, bar, log or off.
    """
    setting = progress_setting()
    if setting != "auto":
        return setting
    if sys.stderr is not None and sys.stderr.isatty():
        return "bar"
    return "bar" if _in_interactive_kernel() else "log"


def log_interval() -> float:
    """Seconds between two progress lines: ``DANGSHI_PROGRESS_SECONDS`` (default 10).

    Raises
    ------
    ValueError
        When the variable is not a number.
    """
    return progress_seconds()


def progress(
    iterable: Iterable[T],
    *,
    desc: str,
    total: int | None = None,
    unit: str = "doc",
    enabled: bool = True,
) -> Iterator[T]:
    """Yield the items of ``iterable`` while reporting how far the work has got.

    Parameters
    ----------
    iterable : iterable
        The work items (documents, chunks, values of K ...).
    desc : str
        What is being done, e.g. ``"segmenting"``; starts every bar and log line.
    total : int, optional
        Number of items, when known (``len(iterable)`` is tried otherwise).
    unit : str, default "doc"
        What one item is, for the rate (``docs/s``).
    enabled : bool, default True
        ``False`` reports nothing (callers pass their own ``progress=`` option here).

    Yields
    ------
    object
        The items of ``iterable``, unchanged and in order.

    Examples
    --------
    >>> list(progress(range(3), desc="counting", enabled=False))
    [0, 1, 2]
    """
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    mode = progress_mode() if enabled else "off"
    if mode == "off":
        yield from iterable
        return
    if mode == "bar":
        from tqdm.auto import tqdm

        yield from tqdm(iterable, desc=desc, total=total, unit=unit, leave=True)
        return
    interval = log_interval()
    start = last = time.perf_counter()
    done = 0
    for item in iterable:
        yield item
        done += 1
        now = time.perf_counter()
        if now - last >= interval:
            last = now
            _log_line(desc, done, total, unit, now - start)
    _log_line(desc, done, total, unit, time.perf_counter() - start, finished=True)


def format_duration(seconds: float) -> str:
    """Write a duration as people read it: seconds, then minutes and seconds, then hours.

    Parameters
    ----------
    seconds : float
        Rounded to whole seconds.

    Returns
    -------
    str

    Examples
    --------
    >>> format_duration(42.4), format_duration(125), format_duration(7260)
    ('42 s', '2 min 05 s', '2 h 01 min')
    """
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


#: The name ``reports`` imported before it was public; kept for one release.
_duration = format_duration


def _plural(unit: str) -> str:
    return unit + ("es" if unit.endswith(("s", "x", "ch", "sh")) else "s")


def _log_line(desc: str, done: int, total: int | None, unit: str, elapsed: float, *, finished: bool = False) -> None:
    rate = done / elapsed if elapsed > 0 else float("inf")
    share = f" ({done / total:.0%})" if total else ""
    of_total = f"/{total}" if total is not None else ""
    state = "done" if finished else "running"
    # The rate so far predicts the rest; early on (a few items) it is rough, and says so by changing.
    left = ""
    if not finished and total and 0 < done < total and rate > 0:
        left = f", about {format_duration((total - done) / rate)} left"
    units = _plural(unit)
    # Slow work (a model fit per item) reads better as seconds per item than as 0.0 items/s.
    speed = f"{rate:.1f} {units}/s" if rate >= 1 or done == 0 else f"{elapsed / done:.1f} s/{unit}"
    line = f"{desc} {state}: {done}{of_total} {units}{share} in {elapsed:.1f} s, {speed}{left}"
    logger.info("%s", line)
    target = progress_file()
    if target:
        try:
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError:
            pass  # progress is a courtesy; it never stops the work
