"""Figure primitives shared by every figure of :mod:`corpus_tools.textplot`.

This module owns what makes the package's figures look and behave alike: the bundled CJK font
(:func:`use_cjk_font`), a figure that pyplot does not keep (:func:`new_figure`,
:func:`empty_figure`), how tall a figure grows with its rows (:func:`figure_height`), how large
tick labels are with many of them (:func:`label_fontsize`, never below :data:`MIN_LABEL_PT`),
how a value becomes a label and how a long one is shortened (:func:`label`,
:func:`short_label`), and the checks and reshaping of the tidy tables the figures take
(:func:`require_columns`, :func:`levels`, :func:`wide`, :func:`keep_largest`,
:func:`title_with_note`), and the package's colours (:data:`BAR_COLOR`, :data:`NOTE_COLOR`,
:data:`MISSING_COLOR`, :data:`SEQUENTIAL_CMAP`, :data:`DIVERGING_CMAP`). A figure anywhere in the package (compare, rhetoric, topics) builds
on these rather than keeping its own copy.

Examples
--------
>>> from corpus_tools.textplot.core import new_figure, label_fontsize, short_label
>>> fig, axes = new_figure(figsize=(4.0, 3.0))
>>> axes.shape
(1, 1)
>>> label_fontsize(5), label_fontsize(50)
(10.0, 7.0)
>>> short_label("济南市槐荫区人民政府办公室", max_chars=8)
'济南市槐荫区人…'
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from collections.abc import Hashable, Iterable
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..compat import REMOVED_IN

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BAR_COLOR",
    "DIVERGING_CMAP",
    "MAX_HEATMAP_CELLS",
    "block_means",
    "MAX_LABEL_CHARS",
    "MAX_LABEL_PT",
    "MIN_LABEL_PT",
    "MISSING_COLOR",
    "NOTE_COLOR",
    "ROW_HEIGHT_IN",
    "SEQUENTIAL_CMAP",
    "empty_figure",
    "figure_height",
    "keep_largest",
    "label",
    "label_fontsize",
    "levels",
    "new_figure",
    "renamed_figure",
    "require_columns",
    "short_label",
    "short_labels",
    "title_with_note",
    "use_cjk_font",
    "wide",
]

_FONT_PACKAGE = "mplfonts"
_FONT_FILE = "NotoSansCJKsc-Regular.otf"

#: Inches per bar / heatmap row: about the height of a 10 pt CJK tick label plus a gap, so
#: labels of neighbouring rows never overlap however many rows there are.
ROW_HEIGHT_IN = 0.28
#: The one bar and point colour of the package's figures.
BAR_COLOR = "#3b6ea5"
#: Colour of notes drawn in a figure (ids, "no values", reference lines).
NOTE_COLOR = "#777777"
#: Colour of a cell without a value in a heatmap (a missing pair, not a zero).
MISSING_COLOR = "#f2f2f2"
#: Colour map of values that only grow (counts, rates, similarities): dark is more.
SEQUENTIAL_CMAP = "Blues"
#: Colour map of signed values centred on 0 (keyness): red over-used, blue under-used.
DIVERGING_CMAP = "RdBu_r"
#: Smallest tick label size in points: below 7 pt CJK characters blur on screen and in print,
#: so with many labels figures grow (or thin their labels) instead of shrinking the font.
MIN_LABEL_PT = 7.0
#: Largest tick label size in points, used for a handful of labels.
MAX_LABEL_PT = 10.0
#: Longest tick label drawn whole, in characters: at 10 pt, 20 CJK characters take about
#: 2.8 in, which leaves room for the data in a 7 in figure (a longer label makes
#: constrained_layout collapse the axes). The full text stays in the table.
MAX_LABEL_CHARS = 20

# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _register_cjk_font() -> str:
    """Add the bundled Noto Sans CJK SC to matplotlib's font list and return its family name."""
    from matplotlib import font_manager

    install_hint = (
        f"Figures need the Noto Sans CJK SC font shipped by the {_FONT_PACKAGE!r} package; "
        f"install it with `pip install {_FONT_PACKAGE}` (it is a dependency of dangshi-corpus)."
    )
    try:
        font_dir = importlib.resources.files(_FONT_PACKAGE) / "fonts"
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(install_hint, name=_FONT_PACKAGE) from err
    font_file = font_dir / _FONT_FILE
    if not font_file.is_file():
        raise FileNotFoundError(f"{_FONT_FILE} not found in {font_dir}. {install_hint}")
    try:
        # FreeType needs a real file that outlives this call, so a zipped install (whose
        # resources only exist inside `as_file` contexts) cannot be used.
        path = os.fspath(font_file)
    except TypeError as err:
        raise FileNotFoundError(
            f"{_FONT_FILE} is inside a zipped {_FONT_PACKAGE!r} install; reinstall it "
            f"unzipped (`pip install --force-reinstall {_FONT_PACKAGE}`)."
        ) from err

    # The registry is process-wide: skip the (16 MB) parse if this file is already known, e.g.
    # after the cache was cleared in tests.
    if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def use_cjk_font() -> str:
    """Make matplotlib draw Chinese text with the bundled Noto Sans CJK SC.

    Registers ``NotoSansCJKsc-Regular.otf`` from the installed ``mplfonts`` package with
    matplotlib's font manager, puts its family first in ``rcParams["font.sans-serif"]``, sets
    ``rcParams["font.family"] = "sans-serif"``, turns off ``axes.unicode_minus`` and turns off
    mathtext (``text.parse_math``, ``text.usetex``), so text drawn from data is never interpreted.

    Returns
    -------
    str
        The font family name, ``"Noto Sans CJK SC"``.

    Raises
    ------
    ModuleNotFoundError
        If ``mplfonts`` is not installed.
    FileNotFoundError
        If the installed ``mplfonts`` lacks the font file.

    Notes
    -----
    No system font is consulted, and nothing is written into matplotlib's installation (as the
    ``mplfonts`` command line tool would do): the font is registered in this process only.

    Registering (parsing a 16 MB font) happens once per process and is cached. The three
    ``rcParams`` are set again on every call, which costs microseconds: ``rc_context``,
    ``rcdefaults`` or ``style.use`` may have reset them since the last call, and a cached no-op
    would then silently draw boxes instead of characters. Every figure function here calls
    this first, so it is only needed directly for figures drawn by hand.

    The family comes first so CJK and Latin text share one typeface; matplotlib falls back to
    the remaining ``font.sans-serif`` families glyph by glyph for anything Noto lacks. The
    ASCII hyphen replaces U+2212 for minus signs so that negative tick labels never depend on
    the fallback.

    Examples
    --------
    >>> from corpus_tools.textplot import use_cjk_font
    >>> use_cjk_font()
    'Noto Sans CJK SC'
    """
    import matplotlib

    family = _register_cjk_font()
    rc = matplotlib.rcParams
    rc["font.family"] = ["sans-serif"]
    rc["font.sans-serif"] = [family, *(name for name in rc["font.sans-serif"] if name != family)]
    rc["axes.unicode_minus"] = False
    # Labels come from the corpus (district names, slogans, body text): "$...$" in one must be
    # drawn as typed, never parsed as mathtext (which raises on "$\\frac{}{}$").
    rc["text.parse_math"] = False
    rc["text.usetex"] = False
    return family



# --------------------------------------------------------------------------------------------
# Figures and labels
# --------------------------------------------------------------------------------------------


def empty_figure(*, figsize: tuple[float, float]) -> Figure:
    """Create a figure without axes, with a constrained layout, that pyplot does not keep.

    For figures that place their own axes (grid specs, colour bar axes, dendrograms).

    Parameters
    ----------
    figsize : tuple of float
        Width and height in inches.

    Returns
    -------
    matplotlib.figure.Figure
        An empty figure with ``layout="constrained"``.

    Notes
    -----
    A bare ``matplotlib.figure.Figure()`` is not displayed when a notebook cell returns it
    unless pyplot has already loaded the inline backend (which registers the PNG formatter
    for figures); checked with ipykernel 7 / matplotlib 3.11. Creating the figure through
    pyplot loads the backend, and closing it at once means pyplot neither accumulates figures
    nor shows them a second time at the end of the cell. The returned object still displays
    and saves normally.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=figsize, layout="constrained")
    plt.close(fig)
    return fig


def new_figure(
    *, figsize: tuple[float, float], nrows: int = 1, ncols: int = 1, **subplot_kw: Any
) -> tuple[Figure, Any]:
    """Create a figure with a grid of axes, a constrained layout, and no pyplot reference.

    Parameters
    ----------
    figsize : tuple of float
        Width and height in inches.
    nrows, ncols : int, default 1
        Shape of the axes grid.
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots` (e.g. ``sharex=True``).

    Returns
    -------
    tuple
        The figure and a 2-d array of its axes (``squeeze=False``: ``axes[0, 0]`` always
        exists).

    Notes
    -----
    The figure comes from :func:`empty_figure`, so it displays in a notebook and is never
    kept by pyplot.
    """
    fig = empty_figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, axes


def figure_height(n_rows: int, *, extra: float = 1.2) -> float:
    """Height in inches of a figure with `n_rows` labelled rows: grows with the rows.

    Parameters
    ----------
    n_rows : int
        Rows of bars, heatmap cells or points.
    extra : float, default 1.2
        Inches for the title, axis label and margins.

    Returns
    -------
    float
        ``extra + ROW_HEIGHT_IN * n_rows``, at least 2.5 in.

    Examples
    --------
    >>> round(figure_height(50), 2)
    15.2
    """
    return max(2.5, extra + ROW_HEIGHT_IN * n_rows)


def label_fontsize(n: int) -> float:
    """Tick label size in points for `n` labels on one axis.

    Parameters
    ----------
    n : int
        Number of labels.

    Returns
    -------
    float
        10 pt for up to 5 labels, 0.1 pt less per further label, never below
        :data:`MIN_LABEL_PT` (7 pt, from 35 labels on).

    Examples
    --------
    >>> [label_fontsize(n) for n in (3, 20, 50, 200)]
    [10.0, 8.5, 7.0, 7.0]
    """
    return float(np.clip(10.5 - n / 10.0, MIN_LABEL_PT, MAX_LABEL_PT))


def label(value: Any) -> str:
    """The text drawn for a table value: ``""`` for a missing value, else ``str(value)``.

    Examples
    --------
    >>> label("槐荫区"), label(None), label(float("nan"))
    ('槐荫区', '', '')
    """
    return "" if pd.isna(value) else str(value)


def short_label(value: Any, *, max_chars: int = 16) -> str:
    """:func:`label`, cut to at most `max_chars` characters with a final ``…``.

    Long labels (titles, full place names) would otherwise take most of a figure's width;
    the full text stays in the table the figure was drawn from.

    Parameters
    ----------
    value : object
        The table value.
    max_chars : int, default 16
        Longest label kept whole (a count of characters, the ``…`` included); at least 2.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If `max_chars` is below 2.

    Examples
    --------
    >>> short_label("学史明理"), short_label("学史明理学史增信学史崇德学史力行", max_chars=6)
    ('学史明理', '学史明理学…')
    """
    if max_chars < 2:
        raise ValueError(f"max_chars must be at least 2, got {max_chars}")
    text = label(value)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def short_labels(values: Iterable[Any], *, max_chars: int = MAX_LABEL_CHARS) -> list[str]:
    """:func:`short_label` of each value, still telling apart values that shorten alike.

    Parameters
    ----------
    values : iterable
        Tick label values, e.g. a table column.
    max_chars : int, default :data:`MAX_LABEL_CHARS`
        Longest label kept whole (a count of characters).

    Returns
    -------
    list of str
        One label per value. Distinct values whose shortened labels coincide get a number,
        ``"…(1)"``, ``"…(2)"``, in order of appearance, so no two bars or rows share a label.

    Examples
    --------
    >>> short_labels(["学史明理学史增信", "学史明理学史崇德", "办实事"], max_chars=5)
    ['学史明理…(1)', '学史明理…(2)', '办实事']
    """
    full = [label(value) for value in values]
    short = [short_label(text, max_chars=max_chars) for text in full]
    originals: dict[str, set[str]] = {}
    for text, cut in zip(full, short):
        originals.setdefault(cut, set()).add(text)
    numbers: dict[str, dict[str, int]] = {}
    out = []
    for text, cut in zip(full, short):
        if len(originals[cut]) > 1 and cut != text:
            seen = numbers.setdefault(cut, {})
            seen.setdefault(text, len(seen) + 1)
            cut = f"{cut}({seen[text]})"
        out.append(cut)
    return out


# --------------------------------------------------------------------------------------------
# Tidy tables
# --------------------------------------------------------------------------------------------


def require_columns(table: pd.DataFrame, *columns: Hashable) -> None:
    """Raise a :class:`KeyError` naming the columns of `columns` that `table` lacks.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"term": []}), "term", "count")
    Traceback (most recent call last):
    ...
    KeyError: "column(s) ['count'] not in table; it has ['term']"
    """
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in table; it has {list(table.columns)}")


def levels(values: pd.Series) -> list:
    """Distinct values in category order if categorical, else in order of first appearance.

    Examples
    --------
    >>> import pandas as pd
    >>> levels(pd.Series(["乙", "甲", "乙", None]))
    ['乙', '甲']
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna())
        return [level for level in values.cat.categories if level in present]
    return list(pd.unique(values.dropna()))


def wide(table: pd.DataFrame, *, index: str, columns: str, values: str) -> pd.DataFrame:
    """Pivot a long table, refusing duplicate pairs instead of silently summing them.

    Rows and columns follow :func:`levels` of the two columns.

    Raises
    ------
    ValueError
        If an (`index`, `columns`) pair occurs more than once.
    """
    duplicated = table.duplicated([index, columns])
    if duplicated.any():
        example = table.loc[duplicated, [index, columns]].iloc[0].tolist()
        raise ValueError(
            f"{int(duplicated.sum())} duplicate ({index}, {columns}) pair(s), e.g. {example}; "
            "aggregate the table first"
        )
    grid = table.pivot(index=index, columns=columns, values=values)
    return grid.reindex(index=levels(table[index]), columns=levels(table[columns]))


#: Cells per side up to which a square heatmap draws every cell. Past it, a figure 14 inches
#: wide gives each cell less than a pixel: the PNG becomes megabytes of noise (three 2,051-group
#: heatmaps made a 19 MB report), so :func:`block_means` draws block averages instead.
MAX_HEATMAP_CELLS = 400


def block_means(values: np.ndarray, *, max_cells: int = MAX_HEATMAP_CELLS) -> tuple[np.ndarray, int]:
    """`values` averaged over k × k blocks, k the smallest that leaves at most `max_cells` per side; and k.

    Missing cells (NaN) are left out of their block's mean; a block with none stays NaN. With
    rows in clustering order, blocks of similar rows stay visible as blocks.

    Examples
    --------
    >>> means, k = block_means(np.arange(16, dtype=float).reshape(4, 4), max_cells=2)
    >>> k, means.tolist()
    (2, [[2.5, 4.5], [10.5, 12.5]])
    >>> block_means(np.eye(3), max_cells=5)[1]
    1
    """
    n_rows, n_cols = values.shape
    k = max(1, -(-max(n_rows, n_cols) // max_cells))
    if k == 1:
        return values, 1
    rows, cols = -(-n_rows // k), -(-n_cols // k)
    padded = np.full((rows * k, cols * k), np.nan)
    padded[:n_rows, :n_cols] = values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing block: NaN, as meant
        return np.nanmean(padded.reshape(rows, k, cols, k), axis=(1, 3)), k


def keep_largest(totals: pd.Series, *, limit: int, sort: bool) -> pd.Index:
    """Labels of the `limit` largest totals, largest first if `sort`, else in their order.

    Raises
    ------
    ValueError
        If `limit` is below 1.

    Examples
    --------
    >>> import pandas as pd
    >>> list(keep_largest(pd.Series({"甲": 1, "乙": 5, "丙": 3}), limit=2, sort=False))
    ['乙', '丙']
    """
    if limit < 1:
        raise ValueError(f"the row limit must be at least 1, got {limit}")
    # A stable sort keeps ties in table order, so the same table always gives the same figure.
    ranked = totals.sort_values(ascending=False, kind="mergesort", na_position="last")
    kept = ranked.index[:limit]
    return kept if sort else totals.index[totals.index.isin(kept)]


def title_with_note(title: str | None, *, shown: int, total: int) -> str | None:
    """`title`, with a second line saying how many rows were left out when some were.

    Examples
    --------
    >>> title_with_note("各区", shown=40, total=52)
    '各区\\n(largest 40 of 52 shown; 12 left out)'
    """
    if shown == total:
        return title
    note = f"(largest {shown} of {total} shown; {total - shown} left out)"
    return note if title is None else f"{title}\n{note}"


# --------------------------------------------------------------------------------------------
# Old names
# --------------------------------------------------------------------------------------------


def renamed_figure(old: str, new: Any) -> Any:
    """A function called `old` that warns :class:`FutureWarning` and draws with `new`.

    Figure functions are named ``plot_<what>`` (issue 12); their old names keep working for
    one release through this.

    Parameters
    ----------
    old : str
        The old function name.
    new : callable
        The figure function that replaces it.

    Returns
    -------
    callable
        Takes the same arguments as `new` and returns its figure.

    Examples
    --------
    >>> import warnings
    >>> def plot_nothing(*, title=None):
    ...     return title
    >>> nothing_figure = renamed_figure("nothing_figure", plot_nothing)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     nothing_figure(title="空")
    '空'
    >>> str(caught[0].message)
    'nothing_figure() is renamed plot_nothing(); the old name stops working in 0.3.0'
    """

    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"{old}() is renamed {new.__name__}(); the old name stops working in {REMOVED_IN}",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{new.__name__}` (warns :class:`FutureWarning`)."
    return alias
