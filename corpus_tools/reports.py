"""Run the analysis notebooks into self-contained, dated report folders.

The notebooks in ``notebooks/NN-*.ipynb`` explore and communicate; this module repeats them. One
call of :func:`run_reports` (or ``make reports``, or the ``dangshi-reports`` command) executes every
notebook with papermill on one corpus and leaves a folder that can be read, archived and compared
without the project:

.. code-block:: text

    reports/
      20261121T071205Z-seeds/        one run; never changed after it is complete
        index.html                   each report with a line on every table and figure, the
                                     run's parameters, the manifest summary
        run.json                     the manifest: inputs, versions, parameters, timings
        00-corpus-overview.ipynb     the executed notebook (code, outputs, papermill timings)
        00-corpus-overview.html      the same as an input-free, self-contained HTML document:
                                     contents, short tables linked to their CSV, files linked
        tables/*.csv, *.parquet      written by the notebooks through save_table
        figures/*.png                written by the notebooks through save_figure
      20261121T073000Z-seeds-nb01-group_by-city/
                                     a run of one notebook with a parameter changed
      latest -> 20261121T071205Z-seeds
      failed-20261121T080000Z-seeds/ a run that failed (or was interrupted), kept for inspection

A run is built in ``reports/.incomplete-<run-id>/`` and renamed into place only once every
notebook has succeeded, and ``reports/latest`` is repointed atomically afterwards (only by a run
of every notebook), so a reader never sees a half-written run and ``latest`` always names a
complete one.

Notebooks write their tables and figures with :func:`save_table` and :func:`save_figure`, which
keep file names inside the run folder and write the same bytes for the same data.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import json
import logging
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from corpus_tools.paths import PROJECT_ROOT_ENV, project_root, resolve_path
from corpus_tools.progress import PROGRESS_ENV, PROGRESS_FILE_ENV, log_interval

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from nbconvert import HTMLExporter

__all__ = [
    "KERNEL_NAME",
    "KernelDiedError",
    "NotebookFailedError",
    "ReportArgumentError",
    "SavedFigure",
    "default_run_id",
    "ensure_kernel",
    "neutralise_formulas",
    "find_notebooks",
    "main",
    "run_reports",
    "save_figure",
    "save_table",
    "check_read_options",
]

logger = logging.getLogger(__name__)

#: Name of the Jupyter kernel the reports run on; ``make venv`` registers it for ``.venv``.
KERNEL_NAME = "dangshi-corpus"
KERNEL_DISPLAY_NAME = "Python (dangshi-corpus)"

#: Parameters every run passes to each notebook that declares them.
BASE_PARAMETERS = ("corpus_dir", "metadata", "output_dir")

#: Notebooks run by default: numbered ones, so scratch notebooks in the folder are left alone.
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"

#: Distributions whose versions go into the manifest.
KEY_PACKAGES = (
    "dangshi-corpus",
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "jieba",
    "gensim",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "opencc",
    "pypinyin",
    "pyarrow",
    "mplfonts",
    "charset-normalizer",
)

#: Floats in saved tables carry ten significant digits: enough for any rate or score reported,
#: and few enough that last-bit differences between BLAS builds do not change the file.
FLOAT_FORMAT = "%.10g"

#: The fields of ``run.json`` that differ between two runs of the same inputs (see run_reports).
VARYING_MANIFEST_FIELDS = ("run_id", "started_at", "finished_at", "wall_seconds")

# Tags of the cells papermill adds to an executed notebook.
_PAPERMILL_CELL_TAGS = ("injected-parameters", "papermill-error-cell-tag")

# pandas.io.formats.style.Styler names its table "T_" + five random hex digits.
_STYLER_TABLE_ID_RE = re.compile(r'<table id="T_([0-9a-f]{5})"')

_RUN_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MANIFEST_VERSION = 1

# The lab template loads require.js, the widget manager, MathJax and Mermaid from CDNs. A
# report must open offline and years from now, so those blocks are emptied: widgets show their
# static fallback, and nothing else in a report needs a script.
_REPORT_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{#- the lab template drops an image's alt text (SavedFigure gives the figure's title): put it back -#}
{% block data_png scoped %}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- if alt is not none -%}
{{ super() | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock data_png %}
"""


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


# --------------------------------------------------------------------------------------------
# Writing tables and figures from notebooks
# --------------------------------------------------------------------------------------------


def _output_file(output_dir: str | os.PathLike[str], kind: str, name: str, suffix: str) -> Path:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{kind[:-1]} name must be a non-empty string, got {name!r}")
    # Names often come from the corpus (a district, a slogan); a separator or '..' in one must
    # not let a notebook write outside its run folder.
    bad = ("/", "\\", "\0", "..")
    if any(b in name for b in bad) or name.startswith("."):
        raise ValueError(
            f"{kind[:-1]} name {name!r} must be a plain file name: no path separators, no '..', "
            "and no leading '.'"
        )
    stem = name[: -len(suffix)] if name.endswith(suffix) else name
    folder = resolve_path(output_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{stem}{suffix}"


#: First characters that make a spreadsheet program read a cell as a formula (OWASP, "CSV
#: Injection"): ``=``, ``+``, ``-``, ``@``, tab and carriage return.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(value: Any) -> Any:
    """Return `value` with a ``'`` in front when a spreadsheet would evaluate it as a formula.

    Parameters
    ----------
    value : object
        A table cell or column name.

    Returns
    -------
    object
        Strings beginning with one of :data:`FORMULA_PREFIXES` gain a leading apostrophe
        (``"=1+1"`` -> ``"'=1+1"``); anything else, numbers included, is returned unchanged.

    Examples
    --------
    >>> neutralise_formulas("=HYPERLINK('http://x')")
    "'=HYPERLINK('http://x')"
    >>> neutralise_formulas(-3.5), neutralise_formulas("学史明理")
    (-3.5, '学史明理')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _holds_text(dtype: Any) -> bool:
    import pandas as pd

    return dtype == object or isinstance(dtype, pd.StringDtype)


def _csv_safe(df: pd.DataFrame, *, index: bool) -> pd.DataFrame:
    """A copy of `df` whose string cells, column names and (written) index are neutralised."""
    import pandas as pd

    def safe_labels(labels: pd.Index) -> pd.Index:
        if isinstance(labels, pd.MultiIndex):
            return labels.set_levels([safe_labels(level) for level in labels.levels])
        if _holds_text(labels.dtype):
            return pd.Index([neutralise_formulas(v) for v in labels], name=neutralise_formulas(labels.name))
        return labels

    safe = df.copy()
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        # Only text can hold a formula; numeric columns keep their numbers (a negative
        # number is not a formula and stays numeric in a spreadsheet).
        if _holds_text(column.dtype):
            safe.isetitem(position, column.map(neutralise_formulas, na_action="ignore"))
        elif isinstance(column.dtype, pd.CategoricalDtype):
            safe.isetitem(position, column.cat.rename_categories(neutralise_formulas))
    safe.columns = safe_labels(safe.columns)
    if index:
        safe.index = safe_labels(safe.index)
    return safe


def _write_parquet(df: pd.DataFrame, path: Path, *, index: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = df if index else df.reset_index(drop=True)
    raw = raw.copy()
    # Parquet wants string column names and one type per column; a column mixing types
    # (ints and strings, lists) is written as its text form rather than not at all.
    raw.columns = [str(c) if not isinstance(c, tuple) else " / ".join(map(str, c)) for c in raw.columns]
    try:
        table = pa.Table.from_pandas(raw, preserve_index=index)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        for name in raw.columns:
            try:
                pa.array(raw[name], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                raw[name] = raw[name].map(lambda v: v if v is None or v != v else str(v))
        table = pa.Table.from_pandas(raw, preserve_index=index)
    # No statistics, a fixed compression: the same table gives the same bytes every run.
    pq.write_table(table, path, compression="zstd", write_statistics=False)


def save_table(
    df: pd.DataFrame,
    output_dir: str | os.PathLike[str],
    name: str,
    *,
    index: bool = False,
) -> Path:
    """Write a table to ``<output_dir>/tables/<name>.csv``, with a Parquet copy beside it.

    Parameters
    ----------
    df : pandas.DataFrame
        The table, usually a tidy analysis result.
    output_dir : str or os.PathLike
        The run folder (the notebook's ``output_dir`` parameter); relative paths resolve against
        the project root.
    name : str
        File name without folder, e.g. ``"slogan_frequency"``; ``.csv`` is added unless present.
    index : bool, default False
        Whether to write the DataFrame index as the first column.

    Returns
    -------
    pathlib.Path
        The written CSV file; the Parquet copy is the same path with suffix ``.parquet``.

    Raises
    ------
    ValueError
        If `name` contains a path separator or ``..`` or starts with ``.``.

    Notes
    -----
    The CSV is plain UTF-8 (no byte-order mark) with ``\\n`` line endings and floats formatted
    as ``%.10g``, so the same table gives the same bytes on every platform and the CSVs of two
    runs can be compared with ``diff`` or a checksum. Spreadsheet programs that assume a legacy
    Chinese code page need to be told the file is UTF-8 on import.

    Corpus text reaches these tables (titles, districts, excerpts), and a spreadsheet evaluates a
    cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula
    (``=HYPERLINK(...)`` can send data away). So in the CSV every such *string* cell and column
    name is prefixed with ``'`` (the OWASP rule, see :func:`neutralise_formulas`); numbers stay
    numbers. The Parquet copy ``<name>.parquet`` holds the raw values, unprefixed, with their
    types: read it with ``pandas.read_parquet`` for analysis.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"district": ["淮阴区", "清江浦区"], "n_docs": [3, 2]})
    >>> save_table(df, "/tmp/run", "docs_per_district")  # doctest: +SKIP
    PosixPath('/tmp/run/tables/docs_per_district.csv')
    """
    path = _output_file(output_dir, "tables", name, ".csv")
    safe = _csv_safe(df, index=index)
    # Python's csv writer quotes a field holding "\n" but not one holding a bare "\r", which
    # readers then take for a line end; a table with one gets every text field quoted.
    has_cr = any(
        safe[c].map(lambda v: isinstance(v, str) and "\r" in v).any()
        for c in safe.columns
        if _holds_text(safe[c].dtype)
    ) or any(isinstance(c, str) and "\r" in c for c in safe.columns)
    safe.to_csv(
        path,
        index=index,
        encoding="utf-8",
        lineterminator="\n",
        float_format=FLOAT_FORMAT,
        quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL,
    )
    _write_parquet(df, path.with_suffix(".parquet"), index=index)
    logger.debug("wrote table %s", path)
    return path


@dataclass(frozen=True)
class SavedFigure:
    """A figure written by :func:`save_figure`.

    Returned last in a notebook cell, it displays as the PNG that was written, so the figure is
    drawn once, not a second time for the notebook, and the report shows exactly the file.

    Attributes
    ----------
    path : pathlib.Path
        The PNG file.
    width : int
        Display width in CSS pixels: the figure's size at 100 dpi, as matplotlib's inline
        backend would show it.
    alt : str
        Alternative text for the image: the figure's title, else its file name.
    """

    path: Path
    width: int
    alt: str

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        # no absolute path: the notebook's text output must not depend on where the run is
        return f"<figure {self.path.parent.name}/{self.path.name}: {self.alt}>"

    def _repr_png_(self) -> tuple[bytes, dict[str, Any]]:
        return self.path.read_bytes(), {"width": self.width, "alt": self.alt}


def _figure_title(fig: Figure) -> str:
    titles = [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)]
    return next((title for title in titles if title.strip()), "")


def save_figure(
    fig: Figure,
    output_dir: str | os.PathLike[str],
    name: str,
    *,
    dpi: int = 150,
) -> SavedFigure:
    """Write a matplotlib figure to ``<output_dir>/figures/<name>.png``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. one returned by ``corpus_tools.textplot``.
    output_dir : str or os.PathLike
        The run folder (the notebook's ``output_dir`` parameter); relative paths resolve against
        the project root.
    name : str
        File name without folder; ``.png`` is added unless present.
    dpi : int, default 150
        Resolution in dots per inch.

    Returns
    -------
    SavedFigure
        The written file (``.path``); a notebook cell that ends with it displays the PNG.

    Raises
    ------
    ValueError
        If `name` contains a path separator or ``..`` or starts with ``.``.

    Notes
    -----
    The PNG carries no ``Software`` text chunk (which would name the matplotlib version) and
    matplotlib writes no timestamp into PNGs, so the same figure gives the same bytes from run to
    run with the same library versions. The figure itself is not closed.
    """
    path = _output_file(output_dir, "figures", name, ".png")
    fig.savefig(path, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    logger.debug("wrote figure %s", path)
    with path.open("rb") as png:
        width_px = int.from_bytes(png.read(24)[16:20], "big")  # IHDR: width, then height
    return SavedFigure(path=path, width=round(width_px * 100 / dpi), alt=_figure_title(fig) or path.stem)


# --------------------------------------------------------------------------------------------
# Kernel
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_tree(folder: Path) -> dict[str, str]:
    """Map every non-hidden file under `folder` (POSIX path relative to it) to its sha256.

    `folder` may also be one file (a table of articles): it is hashed under its own name.
    """
    if folder.is_file():
        return {folder.name: _sha256_file(folder)}
    hashes: dict[str, str] = {}
    root = folder.resolve()
    # os.walk does not descend into symlinked folders, as the corpus reader does not.
    for current, dirs, names in os.walk(folder):
        # Hidden files (.DS_Store, .ipynb_checkpoints) and bytecode are not inputs; hashing them
        # would make identical corpora look different.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(current) / name
            # A link leading out of the folder is refused by the reader; its target is not an
            # input, and its hash would describe a file the run never read.
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                continue
            if path.is_file():
                hashes[path.relative_to(folder).as_posix()] = _sha256_file(path)
    return dict(sorted(hashes.items()))


def _combined_sha256(hashes: Mapping[str, str]) -> str:
    # The same listing `sha256sum` prints, sorted by path, hashed once more: reproducible by hand.
    listing = "".join(f"{hashes[key]}  {key}\n" for key in sorted(hashes))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _display_path(path: Path, root: Path) -> str:
    """Path relative to the project root when inside it, so manifests compare across clones."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _git_state(root: Path) -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {
        "commit": commit.strip() if commit else None,
        # None when git (or a repository) is missing: unknown is not the same as clean.
        "dirty": None if status is None else bool(status.strip()),
    }


def _package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _lexicon_hashes() -> tuple[Path, dict[str, str]]:
    from importlib import resources

    data_dir = Path(str(resources.files("corpus_tools") / "data"))
    return data_dir, (_hash_tree(data_dir) if data_dir.is_dir() else {})


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


# --------------------------------------------------------------------------------------------
# Finding notebooks and checking parameters
# --------------------------------------------------------------------------------------------


#: Options of read_corpus that are not reading options here: the run passes the corpus and the
#: metadata itself, `on_error` is a notebook parameter of its own, and the rest are about speed
#: and display, which the notebooks decide.
_NOT_READ_OPTIONS = frozenset({"path", "metadata", "on_error", "n_jobs", "progress"})


def check_read_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Check options for :func:`corpus_tools.read_corpus` before a report run passes them on.

    Parameters
    ----------
    options : mapping
        Keyword arguments of ``read_corpus``, e.g. ``{"text_column": "content"}``.

    Returns
    -------
    dict
        The same options, in the order given.

    Raises
    ------
    ReportArgumentError
        For a name ``read_corpus`` does not take (or that the run sets itself), or a value that
        is not a literal. The message lists the names it takes.
    """
    import inspect

    from corpus_tools.corpus import read_corpus

    accepted = [
        name
        for name, param in inspect.signature(read_corpus).parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY and name not in _NOT_READ_OPTIONS
    ]
    checked: dict[str, Any] = {}
    for key, value in options.items():
        if key == "on_error":
            raise ReportArgumentError("on_error is a notebook parameter: pass it as -p on_error skip")
        if key not in accepted:
            raise ReportArgumentError(
                f"unknown reading option {key!r}; read_corpus takes: {', '.join(accepted)}"
            )
        if not _jsonable(value):
            raise ReportArgumentError(f"reading option {key!r} must be a literal, got {type(value).__name__}")
        checked[key] = value
    return checked


def find_notebooks(
    notebooks: Sequence[str | os.PathLike[str]] | None = None,
    *,
    notebooks_dir: str | os.PathLike[str] = "notebooks",
) -> list[Path]:
    """Return the notebooks a report run executes.

    Parameters
    ----------
    notebooks : sequence of str or os.PathLike, optional
        Notebooks to run, in order. Each is a path (relative to the project root) or a name in
        `notebooks_dir`: ``"01-topic-model.ipynb"``, ``"01-topic-model"`` or just ``"01"``.
        By default every ``NN-*.ipynb`` in `notebooks_dir`, sorted by name.
    notebooks_dir : str or os.PathLike, default "notebooks"
        Folder of the numbered notebooks, relative to the project root.

    Returns
    -------
    list of pathlib.Path
        Absolute paths.

    Raises
    ------
    ReportArgumentError
        If a notebook cannot be found or matches several files, two notebooks share a file name,
        or there are no notebooks to run.
    """
    folder = resolve_path(notebooks_dir)
    if notebooks is None:
        found = sorted(folder.glob(NOTEBOOK_GLOB)) if folder.is_dir() else []
        if not found:
            raise ReportArgumentError(f"no notebooks matching {NOTEBOOK_GLOB} in {folder}")
        return found

    paths: list[Path] = []
    for item in notebooks:
        text = os.fspath(item)
        direct = resolve_path(text)
        if ("/" in text or os.sep in text) or (direct.suffix == ".ipynb" and direct.is_file()):
            candidates = [direct] if direct.is_file() else []
        else:
            candidates = [p for p in (folder / text, folder / f"{text}.ipynb") if p.is_file()]
            if not candidates:
                candidates = sorted(folder.glob(f"{text}-*.ipynb"))
        if len(candidates) != 1:
            if candidates:
                what = "matches several notebooks: " + ", ".join(p.name for p in candidates)
            else:
                what = "matches no notebook"
            raise ReportArgumentError(f"notebook {text!r} {what} (looked in {folder})")
        if candidates[0] not in paths:
            paths.append(candidates[0])
    names = [p.name for p in paths]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ReportArgumentError(
            f"notebooks share a file name and would overwrite each other's report: {duplicates}"
        )
    if not paths:
        raise ReportArgumentError("no notebooks to run")
    return paths


def _declared_parameters(path: Path, kernel_name: str) -> dict[str, dict[str, Any]]:
    import papermill

    try:
        return dict(papermill.inspect_notebook(str(path)))
    except ValueError:
        # papermill reads the kernel name from the notebook's metadata only to choose the
        # Python translator; a notebook saved without kernelspec metadata is still Python.
        import nbformat
        from papermill.translators import papermill_translators

        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        if not cells:
            return {}
        translator = papermill_translators.find_translator(kernel_name, "python")
        return {p.name: p._asdict() for p in translator.inspect(cells[0])}


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


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
    moment = now or _utc_now()
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


def _differs_from_default(value: Any, defaults: Sequence[str | None]) -> bool:
    """Whether a passed parameter differs from every notebook's declared default (source text)."""
    import ast

    for default in defaults:
        try:
            if ast.literal_eval(default) == value:  # type: ignore[arg-type]
                return False
        except (ValueError, SyntaxError, TypeError):
            continue
    return True


def _run_labels(
    notebook_paths: Sequence[Path],
    all_notebooks: Sequence[Path],
    extra: Mapping[str, Any],
    declared: Mapping[Path, Mapping[str, Any]],
) -> list[str]:
    """What a run id shows besides time and corpus: a partial run's notebooks, changed parameters."""
    labels = []
    if {p.name for p in notebook_paths} != {p.name for p in all_notebooks}:
        labels.append("-".join("nb" + p.name.split("-", 1)[0] for p in notebook_paths))
    for key, value in extra.items():
        defaults = [names[key].get("default") for names in declared.values() if key in names]
        if not _differs_from_default(value, defaults):
            continue
        if isinstance(value, Mapping):
            labels.extend(f"{k}-{v}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            labels.append(f"{key}-" + "_".join(map(str, value)))
        else:
            labels.append(f"{key}-{value}")
    return labels


def _check_run_id(run_id: str) -> None:
    if not _RUN_ID_RE.fullmatch(run_id) or ".." in run_id:
        raise ReportArgumentError(
            f"run id {run_id!r} must be one plain folder name: ASCII letters, digits, '.', '_' "
            "and '-', starting with a letter or digit"
        )
    if run_id == "latest" or run_id.startswith("failed-"):
        raise ReportArgumentError(f"run id {run_id!r} is reserved")


def _run_folders(reports_dir: Path, run_id: str) -> tuple[Path, Path, Path]:
    return (
        reports_dir / run_id,
        reports_dir / f".incomplete-{run_id}",
        reports_dir / f"failed-{run_id}",
    )


def _taken(reports_dir: Path, run_id: str) -> bool:
    return any(p.exists() or p.is_symlink() for p in _run_folders(reports_dir, run_id))


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


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def _html_exporter() -> HTMLExporter:
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"dangshi_report.html.j2": _REPORT_TEMPLATE})],
        template_file="dangshi_report.html.j2",
        # Reports are for readers of the findings: the narrative and the results, not the code.
        # The code is in the executed .ipynb beside each report, for anyone auditing the run.
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


#: Rows of a table shown in an HTML report; longer tables end with the count and a link to the
#: full CSV. Fifteen rows give the reader the shape of a table without burying the narrative
#: (a report of a dozen tables and figures stays under 15,000 px at 300 documents).
MAX_ROWS_SHOWN = 15

#: A table cell with more characters than this (an excerpt, evidence) wraps in a column of
#: bounded width; shorter ones (titles, names, numbers) stay on one line.
_LONG_CELL_CHARS = 40

_REPORT_CSS = """
/* dangshi report: documents that read well at hundreds of documents */
body { margin: 0; }
main { max-width: 1320px; margin: 0 auto; padding: 0 1.5em 3em; }
.report-nav-bar { font: 14px system-ui, sans-serif; padding: 0.6em 0; border-bottom: 1px solid #ddd; margin-bottom: 1em; }
.report-toc { font: 14px system-ui, sans-serif; background: #f6f8fa; border: 1px solid #e1e4e8; padding: 0.6em 1.2em; margin: 1em 0 1.5em; }
.report-toc h2 { font-size: 15px; margin: 0.2em 0 0.4em; }
.report-toc ol { margin: 0; padding-left: 1.6em; columns: 2; }
.report-files { font: 13px system-ui, sans-serif; color: #555; margin: 0.3em 0 1em; }
.report-rows { font: 13px system-ui, sans-serif; color: #555; margin: 0.3em 0 0.2em; }
/* JupyterLab fixes the table layout, which squeezes a column of titles to one character per
   line when a table has many columns; tables take the width they need and scroll instead. */
.table-scroll { overflow-x: auto; max-width: 100%; margin: 0.4em 0; }
.jp-RenderedHTMLCommon table, .table-scroll table { table-layout: auto !important; width: auto; max-width: none; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: nowrap; vertical-align: top; padding: 3px 8px; line-height: 1.35; }
.jp-RenderedHTMLCommon td .cell-long { white-space: normal; min-width: 16em; max-width: 38em; text-align: left; }
.jp-OutputArea-output { overflow-x: auto; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
/* A figure with one row per group grows with the groups; it keeps its size (and legible
   labels) in a box that scrolls, rather than stretching the page; the PNG is linked below it. */
.jp-RenderedImage.jp-OutputArea-output { display: block; max-height: 720px; overflow: auto; }
"""

_HEADING_RE = re.compile(r'<h([1-3]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_TBODY_RE = re.compile(r"(<tbody>)(.*?)(</tbody>)", re.DOTALL)
_TD_RE = re.compile(r"(<td[^>]*>)(.*?)(</td>)", re.DOTALL)
_PANDAS_SHAPE_RE = re.compile(r"<p>(\d+) rows × (\d+) columns</p>")


def _text_of(markup: str) -> str:
    return html.unescape(_TAG_RE.sub("", markup)).replace("¶", "").strip()


def _saved_files(source: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The files a code cell writes, and the variables it saves as tables.

    Returns ``[(kind, name), ...]`` for every ``save_table``/``save_figure`` call with a literal
    name (kind ``tables`` or ``figures``), and ``{variable: table name}`` for every table saved
    from a plain variable. Read from the notebook's own code (never from corpus text); a call
    whose name is computed is left out.
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], {}
    files: list[tuple[str, str]] = []
    variables: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        fname = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if fname not in ("save_table", "save_figure") or len(node.args) < 3:
            continue
        name_arg = node.args[2]
        if not (isinstance(name_arg, ast.Constant) and isinstance(name_arg.value, str)):
            continue
        name = name_arg.value
        kind = "tables" if fname == "save_table" else "figures"
        suffix = ".csv" if kind == "tables" else ".png"
        stem = name[: -len(suffix)] if name.endswith(suffix) else name
        files.append((kind, stem))
        first = node.args[0]
        if kind == "tables":
            # save_table(x, ...) and save_table(x.reset_index(), ...) both save the table x
            while isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute):
                first = first.func.value
            if isinstance(first, ast.Name):
                variables[first.id] = stem
    return files, variables


#: Methods that display a table without changing its rows: ``x.style.format(...)`` shows ``x``.
_DISPLAY_ONLY = frozenset({"style", "format", "set_properties", "set_caption", "hide", "format_index", "set_table_styles"})


def _displayed_table(source: str, variables: Mapping[str, str]) -> tuple[str, bool] | None:
    """The saved table a cell's last expression shows, or is drawn from, if any.

    Returns ``(table name, exact)``: ``exact`` when the expression is the saved variable itself
    (perhaps styled), so the CSV holds the same rows; otherwise the display is drawn from it (a
    subset, a pivot).
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    node: ast.AST = tree.body[-1].value
    methods: list[str] = []
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            node = node.func
        else:
            methods.append(node.attr)
            node = node.value
    if isinstance(node, ast.Name) and node.id in variables:
        return variables[node.id], all(m in _DISPLAY_ONLY for m in methods)
    for inner in ast.walk(tree.body[-1]):
        if isinstance(inner, ast.Name) and inner.id in variables:
            return variables[inner.id], False
    return None


def _file_link(kind: str, stem: str, run_dir: Path | None) -> str | None:
    suffix = ".csv" if kind == "tables" else ".png"
    rel = f"{kind}/{stem}{suffix}"
    if run_dir is not None and not (run_dir / rel).is_file():
        return None
    return rel


def _shorten_table(markup: str, *, table: str | None, exact: bool = True) -> str:
    """Show at most MAX_ROWS_SHOWN rows of the table(s) in an HTML output; say how many there
    are and link the full CSV; let wide tables scroll and long cells wrap in a bounded column."""
    bodies = list(_TBODY_RE.finditer(markup))
    if not bodies:
        return markup
    shape = _PANDAS_SHAPE_RE.search(markup)
    n_shown_total = 0
    n_rows_total = 0

    def cut(match: re.Match[str]) -> str:
        nonlocal n_shown_total, n_rows_total
        rows = match.group(2).split("<tr")
        head, rows = rows[0], rows[1:]
        n_rows_total += len(rows)
        kept = rows[:MAX_ROWS_SHOWN]
        # pandas' row of dots between head and tail is not a row of the table
        n_shown_total += sum(1 for row in kept if _text_of("<tr" + row).replace(".", "").replace("…", "").strip())
        return match.group(1) + head + "".join("<tr" + row for row in kept) + match.group(3)

    markup = _TBODY_RE.sub(cut, markup)

    def wrap(match: re.Match[str]) -> str:
        if len(_text_of(match.group(2))) <= _LONG_CELL_CHARS:
            return match.group(0)
        return f'{match.group(1)}<div class="cell-long">{match.group(2)}</div>{match.group(3)}'

    markup = _TD_RE.sub(wrap, markup)
    markup = re.sub(r"(<table\b)", r'<div class="table-scroll">\1', markup)
    markup = markup.replace("</table>", "</table></div>")
    # pandas cuts a long DataFrame itself (head and tail around a row of dots) and states the
    # real size below it
    total = int(shape.group(1)) if shape else n_rows_total
    shown = min(n_shown_total, total)
    if table:
        what = "full table" if exact else "drawn from"
        link = f' — {what}: {_link(f"tables/{table}.csv", f"tables/{table}.csv")}'
    else:
        link = ""
    if total > shown or shape:
        note = f'<p class="report-rows">showing {shown:,} of {total:,} rows{link}</p>'
    elif table:
        note = f'<p class="report-rows">{total:,} rows{link}</p>'
    else:
        return markup
    if shape:
        markup = _PANDAS_SHAPE_RE.sub("", markup)
    return markup + note


def _files_note(files: Sequence[tuple[str, str]], run_dir: Path | None) -> str | None:
    links = []
    for kind, stem in dict.fromkeys(files):
        rel = _file_link(kind, stem, run_dir)
        if rel is None:
            continue
        links.append(_link(rel, rel))
        if kind == "tables" and (run_dir is None or (run_dir / kind / f"{stem}.parquet").is_file()):
            links[-1] += f" ({_link(f'{kind}/{stem}.parquet', 'Parquet')})"
    if not links:
        return None
    return '<p class="report-files">Files: ' + " · ".join(links) + "</p>"


def _notebook_title(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.get("source", "").splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _document_parts(page: str) -> str:
    """Add the bar linking back to the index and a table of contents from the headings."""
    headings = [(int(m.group(1)), m.group(2), _text_of(m.group(3))) for m in _HEADING_RE.finditer(page)]
    sections = [(anchor, text) for level, anchor, text in headings if level == 2]
    bar = (
        '<nav class="report-nav-bar">'
        + _link("index.html", "← All reports of this run")
        + "</nav>"
    )
    page = page.replace("<main>", "<main>\n" + bar, 1)
    if len(sections) < 2:
        return page
    items = "".join(f'<li><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>' for anchor, text in sections)
    toc = f'<nav class="report-toc"><h2>Contents</h2><ol>{items}</ol></nav>'
    # After the summary at the top, if there is one, else before the first section.
    first = next(
        (m for m in _HEADING_RE.finditer(page) if m.group(1) == "2" and _text_of(m.group(3)).lower() != "summary"),
        None,
    )
    if first is None:
        return page
    return page[: first.start()] + toc + page[first.start():]


def _export_html(
    exporter: HTMLExporter, ipynb: Path, target: Path, *, corpus_name: str | None = None
) -> Path:
    import nbformat
    from nbformat.v4 import new_output

    nb = nbformat.read(ipynb, as_version=4)
    run_dir = target.parent
    variables: dict[str, str] = {}
    # Two runs of the same inputs should give byte-identical reports, but papermill gives the
    # cells it adds random ids and a pandas Styler table a random id prefix (T_3f9a1); both
    # end up in the HTML, so they are replaced by ids derived from the cell's position.
    for position, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        generated = [t for t in tags if t in _PAPERMILL_CELL_TAGS]
        if generated:
            cell["id"] = f"{generated[0]}-{position}"
        if cell.get("cell_type") != "code":
            continue
        files, saved = _saved_files(cell.get("source", ""))
        variables.update(saved)
        displayed = _displayed_table(cell.get("source", ""), variables)
        shown, exact = displayed if displayed is not None else (None, True)
        if shown is None and len([f for f in files if f[0] == "tables"]) == 1:
            shown, exact = next(stem for kind, stem in files if kind == "tables"), False
        if shown is not None and _file_link("tables", shown, run_dir) is None:
            shown = None
        for number, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if isinstance(data.get("text/html"), str):
                markup = _stable_styler_ids(data["text/html"], f"c{position}o{number}")
                data["text/html"] = _shorten_table(markup, table=shown, exact=exact) if "<table" in markup else markup
        note = _files_note(files, run_dir)
        if note is not None and cell.get("outputs") is not None:
            cell["outputs"].append(new_output("display_data", data={"text/html": note}))
    title = _notebook_title(nb, ipynb.stem)
    nb.metadata["title"] = f"{title} — {corpus_name}" if corpus_name else title
    # Outputs go through nbconvert's own escaping: text/plain is escaped and DataFrame HTML
    # escapes its cells. Nothing here renders corpus text as HTML or Markdown; what is added
    # above is escaped here.
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": ipynb.stem}})
    body = body.replace("</head>", f"<style>{_REPORT_CSS}</style>\n</head>", 1)
    body = _document_parts(body)
    target.write_text(body, encoding="utf-8")
    return target


def _stable_styler_ids(markup: str, prefix: str) -> str:
    # Only ids the same output declares as a Styler table id are renamed, so text that merely
    # looks like one is left alone.
    for k, uuid in enumerate(dict.fromkeys(_STYLER_TABLE_ID_RE.findall(markup))):
        markup = re.sub(rf"\bT_{uuid}(?=[_\"\s,.{{:])", f"T_{prefix}s{k}", markup)
    return markup


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(quote(href))}">{html.escape(text)}</a>'


def _notebook_catalogue(ipynb: Path) -> tuple[str, list[dict[str, Any]]]:
    """A notebook's title and the files it wrote, each with the section it was written in.

    Each item: ``kind`` (tables/figures), ``stem``, ``section`` (the last markdown heading
    before the cell) and ``alt`` (a figure's title, as the notebook displayed it).
    """
    import nbformat

    try:
        nb = nbformat.read(ipynb, as_version=4)
    except Exception:  # noqa: BLE001 - an index without a catalogue is still an index
        return ipynb.stem, []
    section = ""
    items: list[dict[str, Any]] = []
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.get("source", "").splitlines():
                if line.startswith("## "):
                    section = line[3:].strip()
            continue
        if cell.get("cell_type") != "code":
            continue
        files, _ = _saved_files(cell.get("source", ""))
        alts = [
            output.get("metadata", {}).get("image/png", {}).get("alt")
            for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})
        ]
        figures = [stem for kind, stem in files if kind == "figures"]
        for kind, stem in dict.fromkeys(files):
            alt = alts[figures.index(stem)] if kind == "figures" and figures.index(stem) < len(alts) else None
            items.append({"kind": kind, "stem": stem, "section": section, "alt": alt})
    return _notebook_title(nb, ipynb.stem), items


def _table_shape(path: Path) -> str:
    try:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(path.with_suffix(".parquet"))
        return f"{meta.num_rows:,} rows × {meta.num_columns} columns"
    except Exception:  # noqa: BLE001 - the shape is a courtesy
        return ""


def _run_parameters(manifest: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(name, value, default)`` of every parameter the run gave beyond corpus and folders."""
    rows: dict[str, tuple[str, str, str]] = {}
    for name, info in (manifest.get("parameters") or {}).items():
        default = info.get("default")
        rows[name] = (name, json.dumps(info.get("value"), ensure_ascii=False), "" if default is None else str(default))
    return list(rows.values())


def _write_index(run_dir: Path, manifest: Mapping[str, Any]) -> Path:
    e = html.escape
    sections = []
    attributed: set[str] = set()
    for record in manifest["notebooks"]:
        links = [_link(record[key], record[key]) for key in ("html", "ipynb") if record.get(key)]
        error = record.get("error")
        status = record["status"]
        if error:
            cell = error.get("cell_number")
            where = f" in cell {cell}" if cell is not None else ""
            status += f"{where}: {error.get('ename')}: {error.get('evalue')}"
        seconds = record.get("wall_seconds")
        ipynb = run_dir / record["notebook"]
        title, items = _notebook_catalogue(ipynb) if ipynb.is_file() else (record["notebook"], [])
        lines = []
        for item in items:
            rel = _file_link(item["kind"], item["stem"], run_dir)
            if rel is None:
                continue
            attributed.add(rel)
            if item["kind"] == "tables":
                parquet = f"tables/{item['stem']}.parquet"
                attributed.add(parquet)
                extra = f" ({_link(parquet, 'Parquet')})" if (run_dir / parquet).is_file() else ""
                what = _table_shape(run_dir / rel)
                description = f"table, {what}" if what else "table"
            else:
                extra = ""
                description = f"figure: {item['alt']}" if item.get("alt") else "figure"
            where = f" — in “{e(item['section'])}”" if item["section"] else ""
            lines.append(f"<li>{_link(rel, rel)}{extra}: {e(description)}{where}</li>")
        files = f"<ul class=\"files\">{''.join(lines)}</ul>" if lines else ""
        time_text = "" if seconds is None else f", {seconds:.1f} s"
        sections.append(
            f"<section><h2>{e(title)}</h2>"
            f"<p>{' · '.join(links) or e(record['notebook'])} — {e(status)}{e(time_text)}</p>"
            f"{files}</section>"
        )

    others = []
    for kind in ("tables", "figures"):
        folder = run_dir / kind
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            rel = f"{kind}/{path.name}"
            if rel not in attributed:
                others.append(f"<li>{_link(rel, rel)}</li>")
    # Pages a notebook wrote beside its report (e.g. the interactive topic browser).
    reports = {record.get("html") for record in manifest["notebooks"]} | {"index.html"}
    extra_pages = sorted(p.name for p in run_dir.glob("*.html") if p.name not in reports)
    extra = (
        "<h2>Interactive pages</h2><ul>" + "".join(f"<li>{_link(n, n)}</li>" for n in extra_pages) + "</ul>"
        if extra_pages
        else ""
    )
    other_files = f"<h2>Other files</h2><ul>{''.join(others)}</ul>" if others else ""
    parameters = _run_parameters(manifest)
    parameter_rows = "".join(
        f"<tr><th>{e(name)}</th><td>{e(value)}</td><td>{e(default)}</td></tr>" for name, value, default in parameters
    )
    parameter_table = (
        "<table><tr><th>parameter</th><th>this run</th><th>notebook default</th></tr>" + parameter_rows + "</table>"
        if parameters
        else "<p>every notebook parameter at its default</p>"
    )
    git = manifest["git"]
    corpus = manifest["corpus"]
    summary = [
        ("run id", manifest["run_id"]),
        ("status", manifest["status"]),
        ("started", manifest["started_at"]),
        ("finished", manifest["finished_at"]),
        ("corpus", corpus["corpus_dir"]),
        ("metadata", corpus["metadata"] or "(found by the notebooks)"),
        ("corpus files", str(len(corpus["files"]))),
        ("corpus sha256", corpus["combined_sha256"]),
        ("lexicons sha256", manifest["lexicons"]["combined_sha256"]),
        ("git commit", f"{git['commit'] or 'unknown'}{' (dirty)' if git['dirty'] else ''}"),
        ("python", f"{manifest['python']['version']} on {manifest['platform']}"),
        ("kernel", manifest["kernel"]),
    ]
    packages = manifest["packages"]
    summary += [(name, version or "not installed") for name, version in packages.items()]
    summary_rows = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in summary)
    corpus_name = Path(str(corpus["corpus_dir"])).name

    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Reports on {e(corpus_name)} — run {e(manifest['run_id'])}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; line-height: 1.45; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; vertical-align: top; }}
section {{ margin-bottom: 1.5em; }}
ul.files li {{ margin: 0.15em 0; }}
code {{ font-size: 90%; }}
</style>
</head>
<body>
<h1>Reports on {e(corpus_name)}</h1>
<p>Run {e(manifest['run_id'])} — {e(manifest['status'])}. The corpus, the parameters and the
versions are listed below; the full manifest is {_link('run.json', 'run.json')}. Each table is a
CSV (cells a spreadsheet would run as formulas begin with <code>'</code>) with the raw values in a
Parquet copy beside it.</p>
<h2>Parameters</h2>
{parameter_table}
{''.join(sections)}
{extra}
{other_files}
<h2>Run</h2>
<table>
{summary_rows}
</table>
</body>
</html>
"""
    path = run_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


#: The run manifest in every run folder.
_MANIFEST_FILE = "run.json"


def _write_manifest(run_dir: Path, manifest: Mapping[str, Any]) -> Path:
    path = run_dir / _MANIFEST_FILE
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _repoint_latest(reports_dir: Path, run_id: str) -> Path:
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


def _output_hashes(run_dir: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for kind in ("tables", "figures"):
        folder = run_dir / kind
        if folder.is_dir():
            hashes.update({f"{kind}/{k}": v for k, v in _hash_tree(folder).items()})
    return hashes


# --------------------------------------------------------------------------------------------
# Kernels: IPC transport, a watch on each running notebook, interrupts
# --------------------------------------------------------------------------------------------


class _NotebookWatch:
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


def _kernel_manager_class(watch: _NotebookWatch) -> type:
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
            await super().start_kernel(env=env, **kw)
            watch.process = getattr(self.provisioner, "process", None)

    return ReportKernelManager


def _report_engine_name() -> str:
    """Register (once) and name the papermill engine report runs use.

    It is papermill's nbclient engine with two additions: the kernel runs on the IPC transport
    with a per-notebook progress file, and every cell start is recorded in the notebook's
    :class:`_NotebookWatch`.
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
            watch: _NotebookWatch | None = kwargs.pop("report_watch", None)
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
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    papermill_engines.register(name, ReportEngine)
    return name


def _death_cause(returncode: int | None) -> str:
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


def _heartbeat(watches: Sequence[_NotebookWatch], entries: Sequence[dict[str, Any]], stop: threading.Event) -> None:
    """Log, for every running notebook, its progress lines as they come, and a heartbeat line
    (elapsed time, cell, time left by the last run's duration) whenever it has been quiet."""
    from corpus_tools.progress import _duration

    try:
        interval = log_interval()
    except ValueError:
        interval = 10.0
    interval = max(interval, 1.0)
    while not stop.wait(1.0):
        now = time.perf_counter()
        for watch, entry in zip(watches, entries, strict=True):
            if entry["status"] != "running" or watch.started is None:
                continue
            for line in watch.new_progress_lines():
                logger.info("%s: %s", watch.name, line)
                watch.last_line = now
            if now - max(watch.last_line, watch.started) < interval:
                continue
            watch.last_line = now
            elapsed = now - watch.started
            in_cell = f", {_duration(now - watch.cell_started)} in this cell" if watch.cell_started else ""
            left = ""
            if watch.expected_seconds:
                remaining = watch.expected_seconds - elapsed
                left = (
                    f"; about {_duration(remaining)} left by the last run's time"
                    if remaining > 0
                    else "; longer than the last run"
                )
            logger.info("%s: running %s, %s%s%s", watch.name, _duration(elapsed), watch.where(), in_cell, left)



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
    jobs: int | None = None,
    read_options: Mapping[str, Any] | None = None,
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
    jobs : int, optional
        How many notebooks run at the same time, each in its own kernel; default one per CPU
        core (at most the number of notebooks). ``1`` runs them one after another.
    read_options : mapping, optional
        Options of :func:`corpus_tools.read_corpus` for reading the corpus, e.g.
        ``{"text_column": "content", "min_han_share": 0.3}``; passed to the notebooks as their
        ``read_options`` parameter (see :func:`check_read_options`).

    Returns
    -------
    pathlib.Path
        The completed run folder, ``<reports_dir>/<run_id>``.

    Raises
    ------
    ReportArgumentError
        Before anything runs: a missing corpus, metadata file or notebook, an undeclared or
        reserved parameter, a bad or already used run id.
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

    Notebooks are independent, so up to ``jobs`` of them run at once, each in its own kernel
    process; the manifest lists them in notebook order whatever order they finish in. After a
    failure no further notebook starts; the ones already running are allowed to finish.

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
    declared = {path: _declared_parameters(path, kernel_name) for path in notebook_paths}
    if "read_options" in extra and not any("read_options" in names for names in declared.values()):
        raise ReportArgumentError(
            "reading options (--text-column, --id-column, --column, --format, --min-han-share ...) "
            "need notebooks that accept them: none of "
            + ", ".join(p.name for p in notebook_paths)
            + " declares `read_options = {}` in its parameters cell (passed on as "
            "ct.open_corpus(corpus_dir, ..., **read_options))"
        )
    _check_parameters(extra, declared)
    reports_path = resolve_path(reports_dir)
    if reports_path.exists() and not reports_path.is_dir():
        raise ReportArgumentError(f"reports folder {reports_path} is a file; give --reports-dir a folder")
    _recover_leftovers(reports_path)
    base = default_run_id(corpus_path, labels=_run_labels(notebook_paths, all_notebooks, extra, declared))
    run_id, work_dir = _reserve_run(run_id, reports_path, base)
    final_dir, _, failed_dir = _run_folders(reports_path, run_id)
    try:
        ensure_kernel(kernel_name)
        exporter = _html_exporter()
        t_run = time.perf_counter()
        manifest = _new_manifest(run_id, root, corpus_path, metadata_path, kernel_name)
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)  # nothing ran: give the id back
        raise
    manifest["complete"] = complete
    logger.info("run %s: %d notebook(s) on %s", run_id, len(notebook_paths), corpus_path)

    # What the notebooks get (absolute paths, the folder being written) and what the manifest
    # records (paths relative to the project root, the folder the run ends up in).
    given: dict[str, Any] = {"corpus_dir": str(corpus_path), "output_dir": str(work_dir)}
    recorded: dict[str, Any] = {
        "corpus_dir": manifest["corpus"]["corpus_dir"],
        "output_dir": _display_path(final_dir, root),
    }
    if metadata_path is not None:
        given["metadata"] = str(metadata_path)
        recorded["metadata"] = manifest["corpus"]["metadata"]
    given.update(extra)
    recorded.update(extra)

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
                "source": _display_path(nb_path, root),
                "status": "pending",
                "parameters": {k: v for k, v in recorded.items() if k in passed},
                "defaults": {k: names[k].get("default") for k in sorted(names) if k not in passed},
                "ipynb": nb_path.name,
                "html": None,
                "started_at": None,
                "finished_at": None,
                "wall_seconds": None,
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
    n_jobs = _choose_jobs(jobs, len(notebook_paths))
    manifest["jobs"] = n_jobs
    previous = _previous_durations(reports_path)
    progress_dir = Path(tempfile.mkdtemp(prefix="dangshi-progress-"))
    watches = [
        _NotebookWatch(p.name, progress_dir / f"{p.stem}.log", previous.get(p.name)) for p in notebook_paths
    ]
    engine = _report_engine_name()
    corpus_name = corpus_path.name

    def execute(index: int) -> None:
        from nbclient.exceptions import DeadKernelError

        nb_path, current, watch = notebook_paths[index], entries[index], watches[index]
        current["status"] = "running"
        current["started_at"] = _iso(_utc_now())
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
                f"{_death_cause(watch.returncode())} while {nb_path.name} was running {watch.where()}",
                cell_index=cell,
                returncode=watch.returncode(),
            ) from exc
        finally:
            current["wall_seconds"] = round(time.perf_counter() - t0, 3)
            current["finished_at"] = _iso(_utc_now())
        # One exporter per notebook: nbconvert exporters keep state between calls.
        html_path = _export_html(
            _html_exporter(), work_dir / nb_path.name, work_dir / f"{nb_path.stem}.html", corpus_name=corpus_name
        )
        current["html"] = html_path.name
        current["status"] = "succeeded"
        logger.info("[%d/%d] %s done in %.1f s", index + 1, len(notebook_paths), nb_path.name, current["wall_seconds"])

    kernel_env = {PROJECT_ROOT_ENV: str(root), "PYTHONHASHSEED": "0"}
    # Headless runs log progress lines instead of drawing widget bars into the report.
    kernel_env[PROGRESS_ENV] = os.environ.get(PROGRESS_ENV, "log")
    failed: tuple[dict[str, Any], BaseException] | None = None
    beat_stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(watches, entries, beat_stop), name="heartbeat", daemon=True)
    beat.start()

    def not_after_ctrl_c(record: logging.LogRecord) -> bool:
        # nbclient reports each kernel stopped on Ctrl-C as "Kernel died"; the interrupt is
        # reported once, with the notebooks and cells, below.
        return not (any(w.interrupted for w in watches) and "Kernel died" in record.getMessage())

    papermill_logger = logging.getLogger("papermill")
    papermill_logger.addFilter(not_after_ctrl_c)
    try:
        with _environment(kernel_env):
            failed = _execute_all(
                execute,
                entries,
                n_jobs,
                order=_longest_first(entries, previous),
                stop=lambda index: watches[index].stop(),
            )
    finally:
        papermill_logger.removeFilter(not_after_ctrl_c)
        beat_stop.set()
        beat.join(5.0)
        shutil.rmtree(progress_dir, ignore_errors=True)
    (work_dir / _OWNER_FILE).unlink(missing_ok=True)
    if failed is not None:
        current, exc = failed
        message = _record_failure(exc, current, manifest, work_dir, failed_dir, exporter, t_run, watches=watches)
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
    _finish_manifest(manifest, work_dir, t_run)
    _write_manifest(work_dir, manifest)
    _write_index(work_dir, manifest)
    if final_dir.exists() or final_dir.is_symlink():
        # rename(2) would silently replace an empty folder created meanwhile.
        raise RuntimeError(f"{final_dir} appeared during the run; the run is in {work_dir}")
    os.rename(work_dir, final_dir)
    if complete:
        _repoint_latest(reports_path, run_id)
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


def _choose_jobs(jobs: int | None, n_notebooks: int) -> int:
    """How many notebooks run at once: ``jobs``, or one per core up to the number of notebooks."""
    if jobs is None:
        return max(1, min(os.cpu_count() or 1, n_notebooks))
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ReportArgumentError(f"jobs={jobs!r}: expected a whole number of notebooks to run at once, 1 or more")
    return min(jobs, max(n_notebooks, 1))


def _previous_durations(reports_path: Path) -> dict[str, float]:
    """Each notebook's wall time in the latest run (``reports/latest/run.json``), if any."""
    try:
        manifest = json.loads((reports_path / "latest" / _MANIFEST_FILE).read_text(encoding="utf-8"))
        return {
            str(entry["notebook"]): float(entry["wall_seconds"])
            for entry in manifest["notebooks"]
            if entry.get("wall_seconds") is not None
        }
    except (OSError, ValueError, TypeError, KeyError):
        return {}  # no previous run, or one this version cannot read: notebook order


def _longest_first(entries: list[dict[str, Any]], durations: Mapping[str, float]) -> list[int]:
    """The order to start notebooks in: the longest last time first, so that the short ones fill
    in beside them; notebooks without a previous time first of all (they may be long), ties in
    notebook order."""
    return sorted(range(len(entries)), key=lambda i: (-durations.get(entries[i]["notebook"], math.inf), i))


#: Notebooks that read what another notebook of the same run wrote, by file stem: they start only
#: after it has finished. 03 uses the topic model that 01 chose and recorded (``topic_model.json``,
#: see :mod:`corpus_tools.topic_settings`), so the two reports never show different topics.
RUNS_AFTER: dict[str, tuple[str, ...]] = {"03-district-comparison": ("01-topic-model",)}


def _prerequisites(entries: list[dict[str, Any]]) -> dict[int, set[int]]:
    """For each notebook, the notebooks of this run it must wait for (see :data:`RUNS_AFTER`)."""
    by_stem = {Path(entry["notebook"]).stem: i for i, entry in enumerate(entries)}
    return {
        i: {by_stem[stem] for stem in RUNS_AFTER.get(Path(entry["notebook"]).stem, ()) if stem in by_stem}
        for i, entry in enumerate(entries)
    }


def _execute_all(
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
    in :data:`RUNS_AFTER` starts only once the notebooks it reads from have finished. After a
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
    lock = threading.Lock()
    halt = threading.Event()
    failures: dict[int, BaseException] = {}

    def next_ready() -> int | None:
        """The first pending notebook whose prerequisites have finished (under ``lock``)."""
        for index in pending:
            if waits_for[index] <= finished:
                pending.remove(index)
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


def _check_parameters(extra: Mapping[str, Any], declared: Mapping[Path, Mapping[str, Any]]) -> None:
    reserved = sorted(set(extra) & set(BASE_PARAMETERS))
    if reserved:
        raise ReportArgumentError(
            f"parameter(s) {reserved} are set by the run itself; use corpus_dir=/--corpus, "
            "metadata=/--metadata (output_dir is always the run folder)"
        )
    for key, value in extra.items():
        if not _jsonable(value):
            raise ReportArgumentError(
                f"parameter {key!r} must be a literal (str, number, bool, None, list or dict), "
                f"got {type(value).__name__}"
            )
        # A parameter some notebooks lack (group_by in an overview) goes to those that declare
        # it; one that no notebook declares is a typo, and papermill would only warn about it.
        if not any(key in names for names in declared.values()):
            valid = "; ".join(
                f"{path.name}: {', '.join(sorted(names)) or '(no parameters cell)'}"
                for path, names in declared.items()
            )
            raise ReportArgumentError(
                f"unknown parameter {key!r}: no notebook declares it in its parameters cell. "
                f"Valid parameters are -- {valid}"
            )


def _reserve_run(run_id: str | None, reports_path: Path, base: str) -> tuple[str, Path]:
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
        work_dir = _run_folders(reports_path, candidate)[1]
        try:
            work_dir.mkdir()
        except FileExistsError:
            continue  # another run took it a moment ago
        owner = {"pid": os.getpid(), "host": platform.node(), "started_at": _iso(_utc_now())}
        (work_dir / _OWNER_FILE).write_text(json.dumps(owner) + "\n", encoding="utf-8")
        return candidate, work_dir
    raise ReportArgumentError(
        f"run id {run_id!r} is already used in {reports_path}; choose another"
        if run_id is not None
        else f"no free run id starting {base!r} in {reports_path}"
    )


#: Inside a run being built: which process builds it, so a later run can tell a crashed one.
_OWNER_FILE = ".owner.json"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _recover_leftovers(reports_path: Path) -> list[Path]:
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
            owner = json.loads((folder / _OWNER_FILE).read_text(encoding="utf-8"))
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


def _new_manifest(
    run_id: str, root: Path, corpus_path: Path, metadata_path: Path | None, kernel_name: str
) -> dict[str, Any]:
    corpus_hashes = _hash_tree(corpus_path)
    if metadata_path is not None and not metadata_path.is_relative_to(corpus_path):
        # Keyed by file name alone so the combined hash does not depend on where it lives.
        corpus_hashes[f"metadata:{metadata_path.name}"] = _sha256_file(metadata_path)
    data_dir, lexicon_hashes = _lexicon_hashes()
    return {
        "manifest_version": _MANIFEST_VERSION,
        "run_id": run_id,
        "status": "running",
        "started_at": _iso(_utc_now()),
        "finished_at": None,
        "wall_seconds": None,
        "project_root": str(root),
        "kernel": kernel_name,
        "kernel_environment": {"PYTHONHASHSEED": "0", PROGRESS_ENV: os.environ.get(PROGRESS_ENV, "log")},
        "git": _git_state(root),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "packages": _package_versions(),
        "corpus": {
            "corpus_dir": _display_path(corpus_path, root),
            "metadata": _display_path(metadata_path, root) if metadata_path else None,
            "files": corpus_hashes,
            "combined_sha256": _combined_sha256(corpus_hashes),
        },
        "lexicons": {
            "folder": _display_path(data_dir, root),
            "files": lexicon_hashes,
            "combined_sha256": _combined_sha256(lexicon_hashes),
        },
        "notebooks": [],
        "outputs": {},
    }


def _finish_manifest(manifest: dict[str, Any], run_dir: Path, t_run: float) -> None:
    manifest["finished_at"] = _iso(_utc_now())
    manifest["wall_seconds"] = round(time.perf_counter() - t_run, 3)
    manifest["outputs"] = _output_hashes(run_dir)


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


#: read_corpus keywords an error message may suggest, and how the report command spells them.
_CLI_SPELLING = {
    "on_error": "-p on_error skip",
    "text_column": "--text-column NAME",
    "id_column": "--id-column NAME",
    "format": "--format FORMAT",
    "encoding": "--encoding CODEC",
    "min_han_share": "--min-han-share SHARE",
    "min_han_chars": "--min-han-chars N",
    "metadata": "--metadata PATH",
}


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


def _record_failure(
    exc: BaseException,
    current: dict[str, Any] | None,
    manifest: dict[str, Any],
    work_dir: Path,
    failed_dir: Path,
    exporter: HTMLExporter,
    t_run: float,
    *,
    watches: Sequence[_NotebookWatch] = (),
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
        error = {
            "cell_number": None,
            "cell_index": None,
            "execution_count": None,
            "ename": type(exc).__name__,
            "evalue": f"interrupted (Ctrl-C) while running {what}; "
            + ("its kernel was" if len(interrupted) == 1 else "their kernels were")
            + " stopped",
        }
        for record, watch in interrupted:
            record["error"] = {**error, "cell_index": watch.cell_index if watch else None}
    elif isinstance(exc, KernelDiedError):
        number = (
            _source_cell_number(work_dir / name, exc.cell_index) if exc.cell_index is not None else None
        )
        where = f"cell {number}" if number is not None else "the kernel"
        error = {
            "cell_number": number,
            "cell_index": exc.cell_index,
            "execution_count": None,
            "ename": "KernelDied",
            "evalue": str(exc),
            "returncode": exc.returncode,
        }
    elif isinstance(exc, PapermillExecutionError):
        first_line = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        number = _source_cell_number(work_dir / name, exc.cell_index)
        where = (
            f"cell {number if number is not None else '?'} (counting from 1 as JupyterLab shows "
            f"the notebook; cell_index {exc.cell_index} in the executed copy), which begins "
            f"{first_line!r}"
        )
        error = {
            "cell_number": number,
            "cell_index": exc.cell_index,
            "execution_count": exc.exec_count,
            "ename": exc.ename,
            "evalue": exc.evalue,
        }
    else:
        where = "outside any cell"
        error = {
            "cell_number": None,
            "cell_index": None,
            "execution_count": None,
            "ename": type(exc).__name__,
            "evalue": str(exc),
        }
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
                _export_html(exporter, executed, html_path)
                current["html"] = html_path.name
            except Exception:  # noqa: BLE001 - the notebook's own error matters more
                logger.warning("could not render %s as HTML", executed, exc_info=True)
        else:
            current["ipynb"] = None
    try:
        _finish_manifest(manifest, work_dir, t_run)
        _write_manifest(work_dir, manifest)
        _write_index(work_dir, manifest)
    except Exception:  # noqa: BLE001 - keep the partial run even if the manifest cannot be written
        logger.warning("could not write the manifest of the failed run", exc_info=True)
    os.rename(work_dir, failed_dir)
    return message


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def _parse_value(text: str) -> Any:
    """Read a ``-p KEY VALUE`` value as a YAML literal, as papermill's ``-y``/``-p`` do."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    # YAML would turn 2021-06-01 into a date, which a notebook parameter cannot hold as a
    # literal; such values stay the string that was typed.
    return value if _jsonable(value) else text


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dangshi-reports",
        description=(
            "Execute the numbered notebooks (notebooks/NN-*.ipynb) with papermill into a new "
            "report folder reports/<run-id>/ holding executed notebooks, input-free HTML "
            "reports, tables, figures, run.json and index.html, and point reports/latest at it "
            "(when every notebook ran). Paths are relative to the working directory."
        ),
        epilog=(
            "exit status: 0 all notebooks succeeded, 1 a notebook failed (the partial run is "
            "kept in reports/failed-<run-id>/), 2 bad arguments, 130 interrupted (Ctrl-C). "
            "Examples: dangshi-reports --notebook 01 -p random_state 7; "
            "dangshi-reports --corpus articles.csv --text-column content --column 媒体=outlet "
            "-p on_error skip --reports-dir ~/reports"
        ),
    )
    parser.add_argument(
        "--corpus",
        metavar="PATH",
        help="a folder of articles or one table of articles (CSV/TSV/JSONL/Parquet) "
        "(default: the project's seeds/)",
    )
    parser.add_argument("--metadata", metavar="PATH", help="metadata file passed to the notebooks")
    reading = parser.add_argument_group(
        "reading the corpus", "options of read_corpus, passed to the notebooks as read_options"
    )
    reading.add_argument("--text-column", metavar="NAME", help="table column holding the article text (default: text)")
    reading.add_argument("--id-column", metavar="NAME", help="table column holding the doc_id")
    reading.add_argument(
        "--column",
        metavar="NAME=DOCVAR",
        action="append",
        default=[],
        help="read table column NAME as docvar DOCVAR (e.g. 媒体=outlet); repeatable",
    )
    reading.add_argument(
        "--format",
        choices=["txt", "md", "html", "docx", "csv", "tsv", "jsonl", "parquet"],
        help="read every file as this format, whatever its suffix",
    )
    reading.add_argument("--encoding", metavar="CODEC", help="decode every text file with this codec")
    reading.add_argument(
        "--min-han-share", metavar="SHARE", type=float, help="refuse texts with a lower share of Han characters (default 0.5)"
    )
    reading.add_argument(
        "--min-han-chars", metavar="N", type=int, help="refuse texts with fewer Han characters (default 50)"
    )
    reading.add_argument(
        "--no-map-columns",
        action="store_true",
        help="do not read common table column names (date, source, 媒体 ...) as the docvars they mean",
    )
    parser.add_argument(
        "--notebook",
        metavar="NAME",
        action="append",
        dest="notebooks",
        help="notebook to run: a file name, a name without .ipynb, its number (01) or a path; "
        "repeatable (default: every notebooks/NN-*.ipynb)",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        metavar=("KEY", "VALUE"),
        action="append",
        default=[],
        help="notebook parameter; VALUE is read as a YAML literal (7, 0.5, true, null, [a, b]); "
        "repeatable",
    )
    parser.add_argument(
        "--reports-dir", metavar="PATH", help="where run folders go (default: the project's reports/)"
    )
    parser.add_argument(
        "--run-id", metavar="ID", help="name of the run folder (default: UTC time and corpus name)"
    )
    parser.add_argument(
        "--kernel",
        metavar="NAME",
        default=KERNEL_NAME,
        help=f"Jupyter kernel (default: {KERNEL_NAME})",
    )
    parser.add_argument(
        "--log-output", action="store_true", help="stream notebook output to the log"
    )
    parser.add_argument(
        "--jobs",
        metavar="N",
        type=int,
        help="notebooks run at the same time, each in its own kernel (default: one per CPU core)",
    )
    parser.add_argument(
        "--install-kernel",
        action="store_true",
        help="register the Jupyter kernel for this interpreter and exit",
    )
    return parser


def _skip_iri_grammars() -> None:
    """Keep jsonschema from compiling rfc3987-syntax's IRI grammars in this process.

    papermill imports nbformat, which imports jsonschema, which imports the optional
    ``rfc3987_syntax`` (installed for jupyter-events) and compiles 38 lark grammars for its
    "iri" format checker: 0.85 s of the command's start-up, before any notebook can start.
    Nothing here validates IRIs (nbformat does not check formats), so the command, which owns
    its process, marks the module as unavailable, as jsonschema allows. Not done by
    :func:`run_reports`, which may run inside someone else's session.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dangshi-reports`` command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when every notebook succeeded, 1 when one failed, 2 for bad arguments.
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments and 0 for --help
        return int(exc.code or 0)

    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    _skip_iri_grammars()
    if not args.log_output:
        # papermill logs every input and output path at INFO; our own lines say what matters.
        logging.getLogger("papermill").setLevel(logging.WARNING)

    if args.install_kernel:
        folder = ensure_kernel(args.kernel)
        logger.info("Jupyter kernel %r runs %s (%s)", args.kernel, sys.executable, folder)
        return 0

    parameters = {key: _parse_value(value) for key, value in args.parameter}
    try:
        read_options = _cli_read_options(args)
        run_reports(
            # Like every command-line tool, relative paths mean the working directory; the
            # defaults are the project's own folders wherever the command is called from.
            corpus_dir=_from_cwd(args.corpus) if args.corpus else "seeds",
            metadata=_from_cwd(args.metadata) if args.metadata else None,
            notebooks=[_from_cwd(n) if ("/" in n or os.sep in n) else n for n in args.notebooks]
            if args.notebooks
            else None,
            reports_dir=_from_cwd(args.reports_dir) if args.reports_dir else "reports",
            run_id=args.run_id,
            parameters=parameters,
            kernel_name=args.kernel,
            log_output=args.log_output,
            jobs=args.jobs,
            read_options=read_options or None,
        )
    except ReportArgumentError as exc:
        logger.error("%s", exc)
        return 2
    except NotebookFailedError:
        return 1  # already logged with the notebook, cell and error
    except KeyboardInterrupt:
        return 130  # already logged with the notebooks interrupted
    return 0


def _from_cwd(path: str) -> Path:
    return Path(path).expanduser().absolute()


def _cli_read_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``read_corpus`` options given on the command line, under read_corpus's names."""
    options: dict[str, Any] = {}
    for attr in ("text_column", "id_column", "format", "encoding", "min_han_share", "min_han_chars"):
        value = getattr(args, attr)
        if value is not None:
            options[attr] = value
    if args.column:
        mapping: dict[str, str] = {}
        for item in args.column:
            name, sep, docvar = item.partition("=")
            if not sep or not name.strip() or not docvar.strip():
                raise ReportArgumentError(f"--column {item!r}: expected NAME=DOCVAR, e.g. --column 媒体=outlet")
            mapping[name.strip()] = docvar.strip()
        options[_column_map_option()] = mapping
    if args.no_map_columns:
        options["map_columns"] = False
    return options


def _column_map_option() -> str:
    """The name of read_corpus's table-column-to-docvar mapping (``columns``), checked."""
    import inspect

    from corpus_tools.corpus import read_corpus

    if "columns" not in inspect.signature(read_corpus).parameters:
        raise ReportArgumentError(
            "--column NAME=DOCVAR needs a read_corpus that maps table columns to docvars "
            "(columns=), and this version has none; rename the column in the table instead"
        )
    return "columns"


if __name__ == "__main__":
    # Under `python -m` this file runs as __main__; calling the imported module instead keeps
    # one copy of the exception classes and the logger name `corpus_tools.reports`.
    from corpus_tools.reports import main as _main

    sys.exit(_main())
