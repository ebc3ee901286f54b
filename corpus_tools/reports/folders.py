"""Run ids and run folders: naming, reserving, recovering after a crash, ``latest``.

A run is built in ``<reports_dir>/.incomplete-<run-id>/``, renamed to ``<run-id>/`` when it
succeeds or ``failed-<run-id>/`` when it fails; ``latest`` is repointed atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from .errors import ReportArgumentError
from .provenance import iso, utc_now

__all__ = [
    "OWNER_FILE",
    "default_run_id",
    "recover_leftovers",
    "repoint_latest",
    "reserve_run",
    "run_folders",
]

logger = logging.getLogger(__package__)


_RUN_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def default_run_id(
    corpus_dir: str | os.PathLike[str],
    *,
    now: dt.datetime | None = None,
    labels: Sequence[str] = (),
) -> str:
    """Return a run id such as ``20261121T071205Z-seeds``: UTC time and the corpus folder's name.

    Parameters
    ----------
    corpus_dir : str or os.PathLike
        The corpus folder; its name, reduced to ASCII letters, digits, ``_`` and ``-``, becomes
        the suffix (``corpus`` if nothing is left).
    now : datetime.datetime, optional
        The moment to stamp (default: now). Naive values are taken as UTC.
    labels : sequence of str, optional
        What sets the run apart, appended in order and reduced like the corpus name: the report
        command passes the notebooks of a partial run and the parameters that differ from the
        notebooks' defaults. A long result is cut and ends with a short hash of the whole.

    Returns
    -------
    str

    Examples
    --------
    >>> import datetime as dt
    >>> default_run_id("seeds", now=dt.datetime(2026, 11, 21, 7, 12, 5))
    '20261121T071205Z-seeds'
    >>> default_run_id("seeds", now=dt.datetime(2026, 11, 21, 7, 12, 5), labels=["nb01", "group_by-city"])
    '20261121T071205Z-seeds-nb01-group_by-city'
    """
    moment = now or utc_now()
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(corpus_dir).name).strip("-_") or "corpus"
    parts = [re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-.") for label in labels]
    tail = "-".join(part for part in parts if part)
    if len(tail) > _MAX_LABEL_CHARS:
        digest = hashlib.sha256(tail.encode("utf-8")).hexdigest()[:8]
        tail = f"{tail[:_MAX_LABEL_CHARS - 9].rstrip('-.')}-{digest}"
    # Seconds, not minutes: two runs started within a minute (tests, a quick rerun) stay apart.
    return f"{moment:%Y%m%dT%H%M%S}Z-{slug}" + (f"-{tail}" if tail else "")


#: Longest label part of a run id, so folder names stay readable (and under path limits).
_MAX_LABEL_CHARS = 80


def _check_run_id(run_id: str) -> None:
    if not _RUN_ID_RE.fullmatch(run_id) or ".." in run_id:
        raise ReportArgumentError(
            f"run id {run_id!r} must be one plain folder name: ASCII letters, digits, '.', '_' "
            "and '-', starting with a letter or digit"
        )
    if run_id == "latest" or run_id.startswith("failed-"):
        raise ReportArgumentError(f"run id {run_id!r} is reserved")


def run_folders(reports_dir: Path, run_id: str) -> tuple[Path, Path, Path]:
    """The run's final, in-progress (``.incomplete-``) and ``failed-`` folders, in that order."""
    return (
        reports_dir / run_id,
        reports_dir / f".incomplete-{run_id}",
        reports_dir / f"failed-{run_id}",
    )


def _taken(reports_dir: Path, run_id: str) -> bool:
    return any(p.exists() or p.is_symlink() for p in run_folders(reports_dir, run_id))


def repoint_latest(reports_dir: Path, run_id: str) -> Path:
    """Point ``<reports_dir>/latest`` at the run `run_id` in one step (a relative symlink)."""
    latest = reports_dir / "latest"
    tmp = reports_dir / f".latest-{run_id}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    # A relative target keeps the link valid when reports/ is moved or copied as a whole.
    os.symlink(run_id, tmp, target_is_directory=True)
    try:
        # rename(2) replaces the old link in one step: readers see the old run or the new one.
        os.replace(tmp, latest)
    except OSError as exc:
        tmp.unlink()
        raise RuntimeError(
            f"run {run_id} is complete in {reports_dir / run_id}, but {latest} could not be "
            f"repointed ({exc}); is it a real folder rather than a symlink?"
        ) from exc
    return latest


def reserve_run(run_id: str | None, reports_path: Path, base: str) -> tuple[str, Path]:
    """Choose the run id and create its ``.incomplete-<id>`` folder in one step.

    ``mkdir`` either creates the folder or fails because it exists, so two runs started in the
    same second (on one machine or several sharing the folder) never get the same folder: the
    later one takes the next free suffix (``-2``, ``-3`` ...). A given `run_id` that is taken is
    an error.
    """
    reports_path.mkdir(parents=True, exist_ok=True)
    if run_id is not None:
        _check_run_id(run_id)
        candidates: Iterator[str] = iter([run_id])
    else:
        candidates = (base if k == 1 else f"{base}-{k}" for k in range(1, 10_000))
    for candidate in candidates:
        if _taken(reports_path, candidate):
            continue
        work_dir = run_folders(reports_path, candidate)[1]
        try:
            work_dir.mkdir()
        except FileExistsError:
            continue  # another run took it a moment ago
        owner = {"pid": os.getpid(), "host": platform.node(), "started_at": iso(utc_now())}
        (work_dir / OWNER_FILE).write_text(json.dumps(owner) + "\n", encoding="utf-8")
        return candidate, work_dir
    raise ReportArgumentError(
        f"run id {run_id!r} is already used in {reports_path}; choose another"
        if run_id is not None
        else f"no free run id starting {base!r} in {reports_path}"
    )


#: Inside a run being built: which process builds it, so a later run can tell a crashed one.
OWNER_FILE = ".owner.json"

#: Inside a run being built, one per notebook that has not finished yet (``{stem}`` its file stem):
#: a notebook that reads another's output may start beside it and waits while its marker is there
#: (:meth:`~corpus_tools.reports.notebook.NotebookReport.wait_for`, :data:`~corpus_tools.reports.schedule.RUNS_AFTER`).
PENDING_MARKER = ".pending-{stem}"


def pending_marker(run_dir: Path, notebook: str) -> Path:
    """The file that says `notebook` (a name or stem) of the run in `run_dir` has not finished."""
    return Path(run_dir) / PENDING_MARKER.format(stem=Path(notebook).stem)


def waited_file(progress_file: str | os.PathLike[str]) -> Path:
    """Where a report kernel records the seconds it waited for other notebooks: beside its progress file.

    The runner gives each kernel a progress file of its own (``DANGSHI_PROGRESS_FILE``), so the
    file next to it belongs to one notebook of one run; the runner reads it when the notebook
    ends (``waited_seconds`` in ``run.json``) and orders later runs by the time each notebook
    worked, not waited (:mod:`corpus_tools.reports.schedule`).
    """
    return Path(progress_file).with_suffix(".waited")


def read_waited(progress_file: str | os.PathLike[str]) -> float:
    """The seconds a notebook's kernel recorded waiting for others (:func:`waited_file`); 0.0 if none."""
    try:
        return round(float(waited_file(progress_file).read_text(encoding="utf-8")), 3)
    except (OSError, ValueError):
        return 0.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def recover_leftovers(reports_path: Path) -> list[Path]:
    """Move the folders of runs that crashed (killed, power cut) out of the way; return them.

    A ``.incomplete-<id>`` folder whose building process, on this machine, no longer exists is
    renamed ``failed-<id>`` (its partial output kept for inspection, as for any failed run), and a
    stray ``.latest-*.tmp`` link removed. Folders of runs still going, or built on another
    machine, are listed in the log and left alone.
    """
    moved: list[Path] = []
    if not reports_path.is_dir():
        return moved
    for path in sorted(reports_path.glob(".latest-*.tmp")):
        if path.is_symlink():
            path.unlink(missing_ok=True)
    for folder in sorted(reports_path.glob(".incomplete-*")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        run_id = folder.name[len(".incomplete-"):]
        try:
            owner = json.loads((folder / OWNER_FILE).read_text(encoding="utf-8"))
            pid, host = int(owner["pid"]), str(owner["host"])
        except (OSError, ValueError, KeyError, TypeError):
            pid, host = None, None
        if pid is not None and (host != platform.node() or _pid_alive(pid)):
            logger.info("run %s is still being built (process %s on %s); left alone", run_id, pid, host)
            continue
        if pid is None and time.time() - folder.stat().st_mtime < 24 * 3600:
            # written by an older version, which left no owner: perhaps still running
            logger.warning("%s is left from an earlier run or is still being built; remove it if no run is going", folder)
            continue
        target = reports_path / f"failed-{run_id}"
        if target.exists() or target.is_symlink():
            logger.warning("%s is left from a crashed run; %s exists, so it stays where it is", folder, target.name)
            continue
        os.rename(folder, target)
        logger.warning("run %s had crashed (its process is gone); its partial output is now in %s", run_id, target)
        moved.append(target)
    return moved
