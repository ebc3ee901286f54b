"""Turning a failed, interrupted or killed notebook into a message, a manifest and a kept folder.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.io.options import CLI_SPELLING

from .errors import KernelDiedError
from .html import export_html, write_index
from .kernels import NotebookWatch
from .provenance import finish_manifest, write_manifest

if TYPE_CHECKING:
    from nbconvert import HTMLExporter

__all__ = ["record_failure"]

logger = logging.getLogger(__package__)


def _source_cell_number(executed: Path, cell_index: int) -> int | None:
    """Turn papermill's index in the executed notebook into a 1-based cell number in the source."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:  # noqa: BLE001 - only a nicer message depends on it
        return None

    def tags(cell: Any) -> list[str]:
        return cell.get("metadata", {}).get("tags", [])

    # cell_index counts the injected-parameters cell but not the error-note cells papermill
    # inserts afterwards, when it saves the failed notebook.
    cells = [cell for cell in cells if "papermill-error-cell-tag" not in tags(cell)]
    added = sum(1 for cell in cells[:cell_index] if "injected-parameters" in tags(cell))
    return cell_index - added + 1


#: read_corpus keywords an error message may suggest, and how the report command spells them;
#: the one table of those spellings is :data:`corpus_tools.io.options.CLI_SPELLING`.
_CLI_SPELLING = {name: f"{flag} {placeholder}" for name, (flag, placeholder) in CLI_SPELLING.items()}


def _cli_hint(evalue: str) -> str:
    """The command-line form of every read_corpus option a library error message suggests."""
    def said(flag: str) -> bool:  # the message already names the option as typed
        return flag.rsplit(" ", 1)[0] in evalue

    wanted = [
        flag
        for keyword, flag in _CLI_SPELLING.items()
        if re.search(rf"\b{keyword}\s*=", evalue) and not said(flag)
    ]
    skip = _CLI_SPELLING["on_error"]
    if re.search(r"remove it from the corpus|leave .* out", evalue) and skip not in wanted and not said(skip):
        wanted.append(skip)
    return f"on the report command line: {', '.join(wanted)}" if wanted else ""


def _error_record(ename: str, evalue: Any, *, cell_number: int | None = None, cell_index: int | None = None,
                  execution_count: int | None = None, **extra: Any) -> dict[str, Any]:
    """A notebook's ``error`` entry in the manifest: which cell (``None`` where none is known) and what.

    ``cell_number`` counts from 1 in the source notebook, ``cell_index`` from 0 in the executed
    copy; ``extra`` (e.g. a dead kernel's ``returncode``) follows the fixed keys.
    """
    return {
        "cell_number": cell_number,
        "cell_index": cell_index,
        "execution_count": execution_count,
        "ename": ename,
        "evalue": evalue,
        **extra,
    }


def record_failure(
    exc: BaseException,
    current: dict[str, Any] | None,
    manifest: dict[str, Any],
    work_dir: Path,
    failed_dir: Path,
    exporter: HTMLExporter,
    t_run: float,
    *,
    watches: Sequence[NotebookWatch] = (),
) -> str:
    """Describe the failure, save what can be saved and move the run to ``failed-<id>``."""
    from papermill.exceptions import PapermillExecutionError

    name = current["notebook"] if current else "(before the first notebook)"
    interrupted = [
        (record, watch)
        for record, watch in zip(manifest["notebooks"], watches or [None] * len(manifest["notebooks"]), strict=True)
        if record["status"] == "interrupted"
    ]
    if isinstance(exc, KeyboardInterrupt | SystemExit) and interrupted:
        what = "; ".join(
            f"{record['notebook']} (at {watch.where() if watch else 'an unknown cell'})" for record, watch in interrupted
        )
        where = "an interrupt"
        error = _error_record(
            type(exc).__name__,
            f"interrupted (Ctrl-C) while running {what}; "
            + ("its kernel was" if len(interrupted) == 1 else "their kernels were")
            + " stopped",
        )
        for record, watch in interrupted:
            record["error"] = {**error, "cell_index": watch.cell_index if watch else None}
    elif isinstance(exc, KernelDiedError):
        number = (
            _source_cell_number(work_dir / name, exc.cell_index) if exc.cell_index is not None else None
        )
        where = f"cell {number}" if number is not None else "the kernel"
        error = _error_record("KernelDied", str(exc), cell_number=number, cell_index=exc.cell_index,
                              returncode=exc.returncode)
    elif isinstance(exc, PapermillExecutionError):
        first_line = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        number = _source_cell_number(work_dir / name, exc.cell_index)
        where = (
            f"cell {number if number is not None else '?'} (counting from 1 as JupyterLab shows "
            f"the notebook; cell_index {exc.cell_index} in the executed copy), which begins "
            f"{first_line!r}"
        )
        error = _error_record(exc.ename, exc.evalue, cell_number=number, cell_index=exc.cell_index,
                              execution_count=exc.exec_count)
    else:
        where = "outside any cell"
        error = _error_record(type(exc).__name__, str(exc))
    if where == "an interrupt":
        message = f"run interrupted: {error['evalue']}\nthe partial run is kept in {failed_dir}"
    else:
        hint = _cli_hint(str(error["evalue"] or ""))
        message = (
            f"notebook {name} failed in {where}: {error['ename']}: {error['evalue']}\n"
            + (f"{hint}\n" if hint else "")
            + f"the partial run is kept in {failed_dir}"
        )

    manifest["status"] = "interrupted" if where == "an interrupt" else "failed"
    if current is not None:
        if current["status"] != "interrupted":
            current["status"] = "failed"
            current["error"] = error
        executed = work_dir / current["notebook"]
        if executed.is_file():
            try:
                html_path = work_dir / f"{Path(current['notebook']).stem}.html"
                export_html(exporter, executed, html_path)
                current["html"] = html_path.name
            except Exception:  # noqa: BLE001 - the notebook's own error matters more
                logger.warning("could not render %s as HTML", executed, exc_info=True)
        else:
            current["ipynb"] = None
    try:
        finish_manifest(manifest, work_dir, t_run)
        write_manifest(work_dir, manifest)
        write_index(work_dir, manifest)
    except Exception:  # noqa: BLE001 - keep the partial run even if the manifest cannot be written
        logger.warning("could not write the manifest of the failed run", exc_info=True)
    os.rename(work_dir, failed_dir)
    return message
