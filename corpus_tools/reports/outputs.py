"""Write a notebook's tables and figures into its run folder.

:func:`save_table` writes a CSV (formula-like cells neutralised, see :func:`neutralise_formulas`)
with a Parquet copy of the raw values; :func:`save_figure` writes a PNG and returns a
:class:`SavedFigure` that a notebook cell displays. Both keep file names inside the run folder
and write the same bytes for the same data.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus_tools.compat import renamed_parameters
from corpus_tools.paths import resolve_path

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "FLOAT_FORMAT",
    "FORMULA_PREFIXES",
    "SavedFigure",
    "neutralise_formulas",
    "save_figure",
    "save_table",
]

logger = logging.getLogger(__package__)


#: Floats in saved tables carry ten significant digits: enough for any rate or score reported,
#: and few enough that last-bit differences between BLAS builds do not change the file.
FLOAT_FORMAT = "%.10g"


def _output_file(out_dir: str | os.PathLike[str], kind: str, name: str, suffix: str) -> Path:
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
    folder = resolve_path(out_dir) / kind
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


def _text_matches(column: pd.Series, test: Callable[[str], bool], vectorised: Callable[[Any], pd.Series]) -> bool:
    """Whether any string of a text column passes `test` (with pandas' string methods when they apply)."""
    try:
        return bool(vectorised(column.str).any())
    except (AttributeError, TypeError):  # no .str for a column of lists or other objects
        return bool(column.map(lambda v: isinstance(v, str) and test(v)).any())


def _has_formula(column: pd.Series) -> bool:
    return _text_matches(column, lambda v: v.startswith(FORMULA_PREFIXES),
                         lambda strings: strings.startswith(FORMULA_PREFIXES, na=False))


def _has_cr(column: pd.Series) -> bool:
    return _text_matches(column, lambda v: "\r" in v, lambda strings: strings.contains("\r", regex=False, na=False))


def _csv_safe(df: pd.DataFrame, *, index: bool) -> pd.DataFrame:
    """`df` with its string cells, column names and (written) index neutralised.

    A shallow copy in which only the text columns that hold a formula-like string are
    replaced: copying every column of a table of millions of rows (the text reuse table at
    100 MB) doubled the memory of writing it.
    """
    import pandas as pd

    def safe_labels(labels: pd.Index) -> pd.Index:
        if isinstance(labels, pd.MultiIndex):
            return labels.set_levels([safe_labels(level) for level in labels.levels])
        if _holds_text(labels.dtype):
            return pd.Index([neutralise_formulas(v) for v in labels], name=neutralise_formulas(labels.name))
        return labels

    safe = df.copy(deep=False)
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        # Only text can hold a formula; numeric columns keep their numbers (a negative
        # number is not a formula and stays numeric in a spreadsheet).
        if _holds_text(column.dtype):
            if _has_formula(column):
                safe.isetitem(position, column.map(neutralise_formulas, na_action="ignore"))
        elif isinstance(column.dtype, pd.CategoricalDtype):
            safe.isetitem(position, column.cat.rename_categories(neutralise_formulas))
    safe.columns = safe_labels(safe.columns)
    if index:
        safe.index = safe_labels(safe.index)
    return safe


#: Rows converted to Arrow and written at a time (one Parquet row group each): converting a
#: table of millions of rows at once held a second copy of all its text.
PARQUET_BATCH_ROWS = 100_000


def _batches(table: pd.DataFrame):
    """`table` in slices of :data:`PARQUET_BATCH_ROWS` rows (one empty slice for an empty table)."""
    for start in range(0, max(len(table), 1), PARQUET_BATCH_ROWS):
        yield table.iloc[start:start + PARQUET_BATCH_ROWS]


def _arrow_schema(table: pd.DataFrame, *, index: bool):
    """The Arrow schema ``pyarrow.Schema.from_pandas(table)`` infers, without converting a whole column at once.

    pyarrow infers the type of a text (object) column by converting all of it: on notebook 03's
    1.8-million-row passage table that held about 1 GB for its text columns. Here each batch's
    types are inferred and unified (null and string make string, int and double make double, as
    for the whole column), and the pandas metadata is taken from a few rows that hold a value in
    every column. When the two disagree (a column whose values need the whole column to type,
    such as decimals of several scales) the whole table is inferred as before.
    """
    import pyarrow as pa

    if len(table) <= PARQUET_BATCH_ROWS:
        return pa.Schema.from_pandas(table, preserve_index=index)
    types = pa.unify_schemas([pa.Schema.from_pandas(batch, preserve_index=index) for batch in _batches(table)],
                             promote_options="permissive")
    rows = {0}
    for position in range(table.shape[1]):
        present = table.iloc[:, position].notna().to_numpy()
        if present.any():
            rows.add(int(present.argmax()))
    probe = pa.Schema.from_pandas(table.iloc[sorted(rows)], preserve_index=index)
    if probe.remove_metadata().equals(types.remove_metadata()):
        return probe
    return pa.Schema.from_pandas(table, preserve_index=index)


def _write_parquet(df: pd.DataFrame, path: Path, *, index: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    raw = df if index else df.reset_index(drop=True)
    raw = raw.copy(deep=False)  # a shallow copy: renaming or converting its columns leaves df alone
    # Parquet wants string column names and one type per column; a column mixing types
    # (ints and strings, lists) is written as its text form rather than not at all.
    raw.columns = [str(c) if not isinstance(c, tuple) else " / ".join(map(str, c)) for c in raw.columns]
    try:
        schema = _arrow_schema(raw, index=index)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        for name in raw.columns:
            try:
                pa.array(raw[name], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                raw[name] = raw[name].map(lambda v: v if v is None or v != v else str(v))
        schema = _arrow_schema(raw, index=index)
    # No statistics, a fixed compression and fixed row groups: the same table gives the same
    # bytes every run.
    with pq.ParquetWriter(path, schema, compression="zstd", write_statistics=False) as writer:
        for batch in _batches(raw):
            writer.write_table(pa.Table.from_pandas(batch, schema=schema, preserve_index=index))


@renamed_parameters(output_dir="out_dir")
def save_table(
    df: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    name: str,
    *,
    index: bool = False,
) -> Path:
    """Write a table to ``<out_dir>/tables/<name>.csv``, with a Parquet copy beside it.

    Parameters
    ----------
    df : pandas.DataFrame
        The table, usually a tidy analysis result.
    out_dir : str or os.PathLike
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
    path = _output_file(out_dir, "tables", name, ".csv")
    safe = _csv_safe(df, index=index)
    # Python's csv writer quotes a field holding "\n" but not one holding a bare "\r", which
    # readers then take for a line end; a table with one gets every text field quoted.
    has_cr = any(_has_cr(safe.iloc[:, position]) for position in range(safe.shape[1])
                 if _holds_text(safe.iloc[:, position].dtype)) or any(isinstance(c, str) and "\r" in c for c in safe.columns)
    safe.to_csv(
        path,
        index=index,
        encoding="utf-8",
        lineterminator="\n",
        float_format=FLOAT_FORMAT,
        quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL,
    )
    del safe  # before the Parquet copy: both at once held the table's text twice
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


@renamed_parameters(output_dir="out_dir")
def save_figure(
    fig: Figure,
    out_dir: str | os.PathLike[str],
    name: str,
    *,
    dpi: int = 150,
) -> SavedFigure:
    """Write a matplotlib figure to ``<out_dir>/figures/<name>.png``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. one returned by ``corpus_tools.textplot``.
    out_dir : str or os.PathLike
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
        If `name` is not a plain file name, as for :func:`save_table`.

    Notes
    -----
    The PNG carries no ``Software`` text chunk (which would name the matplotlib version) and
    matplotlib writes no timestamp into PNGs, so the same figure gives the same bytes from run to
    run with the same library versions. The figure itself is not closed.
    """
    path = _output_file(out_dir, "figures", name, ".png")
    fig.savefig(path, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    logger.debug("wrote figure %s", path)
    with path.open("rb") as png:
        width_px = int.from_bytes(png.read(24)[16:20], "big")  # IHDR: width, then height
    return SavedFigure(path=path, width=round(width_px * 100 / dpi), alt=_figure_title(fig) or path.stem)
