"""Figures built from the tidy tables that the analyses return.

Every function takes a tidy DataFrame plus the names of the columns to draw, and returns a
:class:`matplotlib.figure.Figure`. Nothing here saves or shows a figure: notebooks display the
returned object and save it with :func:`corpus_tools.reports.save_figure`.

Chinese text is drawn with Noto Sans CJK SC, shipped by the ``mplfonts`` package, so figures
render the same on machines with no CJK system font (see :func:`use_cjk_font`).

Examples
--------
>>> import pandas as pd
>>> from corpus_tools import textplot
>>> freq = pd.DataFrame({"district": ["槐荫区", "历下区", "市中区"],
...                      "n_mentions": [12, 7, 3]})
>>> fig = textplot.barh(freq, y="district", x="n_mentions", title="“学史明理”提及次数")
>>> len(fig.axes[0].patches)
3
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import os
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

__all__ = ["use_cjk_font", "barh", "grouped_barh", "heatmap", "top_terms_grid", "interval_plot", "line_panels"]

_FONT_PACKAGE = "mplfonts"
_FONT_FILE = "NotoSansCJKsc-Regular.otf"

# Inches per bar / heatmap row: about the height of a 10 pt CJK tick label plus a gap, so labels
# of neighbouring rows never overlap however many rows there are.
_ROW_HEIGHT_IN = 0.28
_BAR_COLOR = "#3b6ea5"

# Annotating every cell of a bigger grid gives unreadably small numbers; the colour scale is
# then the only reading.
_MAX_ANNOTATED_CELLS = (20, 20)


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
# Helpers
# --------------------------------------------------------------------------------------------


def _new_figure(
    *, figsize: tuple[float, float], nrows: int = 1, ncols: int = 1, **subplot_kw: Any
) -> tuple[Figure, Any]:
    """Create a figure with a constrained layout that pyplot does not keep track of.

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

    fig, axes = plt.subplots(
        nrows, ncols, figsize=figsize, layout="constrained", squeeze=False, **subplot_kw
    )
    plt.close(fig)
    return fig, axes


def _require_columns(table: pd.DataFrame, *columns: Hashable) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in table; it has {list(table.columns)}")


def _levels(values: pd.Series) -> list:
    """Distinct values in category order if categorical, else in order of first appearance."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna())
        return [level for level in values.cat.categories if level in present]
    return list(pd.unique(values.dropna()))


def _wide(table: pd.DataFrame, *, index: str, columns: str, values: str) -> pd.DataFrame:
    """Pivot a long table, refusing duplicate pairs instead of silently summing them."""
    duplicated = table.duplicated([index, columns])
    if duplicated.any():
        example = table.loc[duplicated, [index, columns]].iloc[0].tolist()
        raise ValueError(
            f"{int(duplicated.sum())} duplicate ({index}, {columns}) pair(s), e.g. {example}; "
            "aggregate the table first"
        )
    wide = table.pivot(index=index, columns=columns, values=values)
    return wide.reindex(index=_levels(table[index]), columns=_levels(table[columns]))


def _keep_largest(totals: pd.Series, *, limit: int, sort: bool) -> pd.Index:
    """Labels of the `limit` largest totals, largest first if `sort`, else in their order."""
    if limit < 1:
        raise ValueError(f"the row limit must be at least 1, got {limit}")
    # A stable sort keeps ties in table order, so the same table always gives the same figure.
    ranked = totals.sort_values(ascending=False, kind="mergesort", na_position="last")
    kept = ranked.index[:limit]
    return kept if sort else totals.index[totals.index.isin(kept)]


def _title_with_note(title: str | None, *, shown: int, total: int) -> str | None:
    if shown == total:
        return title
    note = f"(largest {shown} of {total} shown; {total - shown} left out)"
    return note if title is None else f"{title}\n{note}"


def _figure_height(n_rows: int, *, extra: float = 1.2) -> float:
    return max(2.5, extra + _ROW_HEIGHT_IN * n_rows)


def _label(value: Any) -> str:
    return "" if pd.isna(value) else str(value)


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def barh(
    table: pd.DataFrame,
    *,
    y: str,
    x: str,
    title: str | None = None,
    xlabel: str | None = None,
    sort: bool = True,
    max_bars: int = 40,
) -> Figure:
    """Draw one horizontal bar per row of `table`.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy table with one row per bar.
    y : str
        Column with the bar labels (e.g. ``district`` or ``term``); values must be unique.
    x : str
        Numeric column with the bar lengths (e.g. ``per_10k_chars``).
    title : str, optional
        Figure title.
    xlabel : str, optional
        Axis label for the values; defaults to `x`.
    sort : bool, default True
        Draw the largest bar at the top. If False, keep the table's row order, top to bottom.
    max_bars : int, default 40
        Draw at most this many bars (a count). With more rows, the largest `max_bars` are kept
        and the title says how many were left out.

    Returns
    -------
    matplotlib.figure.Figure
        One axes whose ``patches`` are the bars.

    Raises
    ------
    KeyError
        If `y` or `x` is not a column of `table`.
    ValueError
        If `y` has repeated values.

    Notes
    -----
    The figure grows by about 0.28 in per bar so that labels stay legible with 40 bars.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"term": ["学史明理", "学史增信", "我为群众办实事"],
    ...                       "count": [8, 5, 11]})
    >>> fig = barh(table, y="term", x="count", title="提及次数")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['我为群众办实事', '学史明理', '学史增信']
    """
    use_cjk_font()
    _require_columns(table, y, x)
    if table[y].duplicated().any():
        raise ValueError(f"column {y!r} has repeated values; aggregate the table first")

    values = pd.Series(table[x].to_numpy(dtype=float), index=pd.Index(table[y], name=y))
    kept = _keep_largest(values, limit=max_bars, sort=sort)
    values = values.loc[kept]

    fig, axes = _new_figure(figsize=(7.0, _figure_height(len(values))))
    ax = axes[0, 0]
    positions = np.arange(len(values))
    ax.barh(positions, values.to_numpy(), color=_BAR_COLOR)
    ax.set_yticks(positions, [_label(label) for label in values.index])
    ax.set_ylim(len(values) - 0.5, -0.5)  # first row at the top, as in the table
    ax.set_xlabel(x if xlabel is None else xlabel)
    ax.set_ylabel(y)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    full_title = _title_with_note(title, shown=len(values), total=len(table))
    if full_title:
        ax.set_title(full_title)
    return fig


def grouped_barh(
    table: pd.DataFrame,
    *,
    y: str,
    x: str,
    hue: str,
    stacked: bool = False,
    title: str | None = None,
    xlabel: str | None = None,
    sort: bool = True,
    max_bars: int = 40,
) -> Figure:
    """Draw horizontal bars broken down by `hue`, side by side or stacked.

    Meant for per-document or per-group breakdowns, e.g. characters of body text against
    characters of removed blocks for each document.

    Parameters
    ----------
    table : pandas.DataFrame
        Long tidy table with one row per (`y`, `hue`) pair; missing pairs are drawn as zero.
    y : str
        Column with the bar labels (e.g. ``doc_id``).
    x : str
        Numeric column with the bar lengths (e.g. ``n_chars``).
    hue : str
        Column whose values split each bar (e.g. ``kind``); drawn in category order if
        categorical, else in order of first appearance.
    stacked : bool, default False
        Stack the `hue` parts into one bar per `y` instead of drawing them side by side.
    title : str, optional
        Figure title.
    xlabel : str, optional
        Axis label for the values; defaults to `x`.
    sort : bool, default True
        Draw the `y` with the largest total at the top; if False keep the table's order.
    max_bars : int, default 40
        Draw at most this many `y` groups (a count), keeping those with the largest totals;
        the title says how many were left out.

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one bar container per `hue` value, each holding one bar per `y`, and a
        legend titled `hue`.

    Raises
    ------
    KeyError
        If a named column is missing.
    ValueError
        If a (`y`, `hue`) pair occurs more than once.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"doc_id": ["huaiyin-2021"] * 2 + ["lixia-2021"] * 2,
    ...                       "kind": ["正文", "删除的块"] * 2,
    ...                       "n_chars": [2400, 310, 1800, 95]})
    >>> fig = grouped_barh(table, y="doc_id", x="n_chars", hue="kind", stacked=True)
    >>> len(fig.axes[0].patches)
    4
    """
    use_cjk_font()
    _require_columns(table, y, x, hue)
    wide = _wide(table, index=y, columns=hue, values=x).astype(float).fillna(0.0)
    total = len(wide)
    kept = _keep_largest(wide.sum(axis=1), limit=max_bars, sort=sort)
    wide = wide.loc[kept]
    n_rows, n_hues = wide.shape

    height_per_row = 1.0 if stacked else max(1.0, 0.6 * n_hues)
    fig, axes = _new_figure(figsize=(7.5, _figure_height(round(n_rows * height_per_row))))
    ax = axes[0, 0]
    positions = np.arange(n_rows)
    # Side-by-side bars share 80 % of each row so neighbouring groups stay visibly apart.
    thickness = 0.8 if stacked else 0.8 / n_hues
    left = np.zeros(n_rows)
    for i, level in enumerate(wide.columns):
        lengths = wide[level].to_numpy()
        if stacked:
            ax.barh(positions, lengths, height=thickness, left=left, label=_label(level))
            left += lengths
        else:
            offset = (i - (n_hues - 1) / 2) * thickness
            ax.barh(positions + offset, lengths, height=thickness, label=_label(level))
    ax.set_yticks(positions, [_label(label) for label in wide.index])
    ax.set_ylim(n_rows - 0.5, -0.5)  # first row at the top
    ax.set_xlabel(x if xlabel is None else xlabel)
    ax.set_ylabel(y)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    # Outside the axes: with stacked bars any spot inside hides data or the title.
    ax.legend(title=hue, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    full_title = _title_with_note(title, shown=n_rows, total=total)
    if full_title:
        ax.set_title(full_title)
    return fig


def heatmap(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    fmt: str = "{:.0f}",
    title: str | None = None,
    max_rows: int = 40,
    cmap: str | Colormap = "Blues",
    sort: bool = True,
) -> Figure:
    """Draw a long table as a grid of coloured cells, `y` down and `x` across.

    Parameters
    ----------
    table : pandas.DataFrame
        Long tidy table with one row per (`y`, `x`) pair, e.g. the output of a frequency
        analysis with ``term``, ``district`` and ``per_10k_chars``. Missing pairs stay blank.
    x : str
        Column for the grid columns (e.g. ``district``).
    y : str
        Column for the grid rows (e.g. ``term``).
    value : str
        Numeric column that colours the cells.
    fmt : str, default "{:.0f}"
        :meth:`str.format` pattern for the cell annotations.
    title : str, optional
        Figure title.
    max_rows : int, default 40
        Draw at most this many rows (a count), keeping those with the largest row totals; the
        title says how many were left out.
    cmap : str or matplotlib.colors.Colormap, default "Blues"
        Colour map for the values.
    sort : bool, default True
        Order rows by their total, largest at the top; if False keep the table's order.
        Columns always keep category order (if categorical) or the table's order.

    Returns
    -------
    matplotlib.figure.Figure
        The heatmap axes (its ``images[0]`` array has one entry per cell) and a colour bar
        axes labelled `value`.

    Raises
    ------
    KeyError
        If a named column is missing.
    ValueError
        If a (`y`, `x`) pair occurs more than once.

    Notes
    -----
    Cells are annotated with their value only when the drawn grid is at most 20 × 20; beyond
    that the numbers would be too small to read. Annotations switch to white on dark cells.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"term": ["学史明理", "学史明理", "我为群众办实事"],
    ...                       "district": ["槐荫区", "历下区", "槐荫区"],
    ...                       "count": [4, 2, 7]})
    >>> fig = heatmap(table, x="district", y="term", value="count")
    >>> fig.axes[0].images[0].get_array().shape
    (2, 2)
    """
    import matplotlib

    use_cjk_font()
    _require_columns(table, x, y, value)
    wide = _wide(table, index=y, columns=x, values=value).astype(float)
    total = len(wide)
    kept = _keep_largest(wide.sum(axis=1, min_count=1), limit=max_rows, sort=sort)
    wide = wide.loc[kept]
    n_rows, n_cols = wide.shape

    colormap = matplotlib.colormaps.get_cmap(cmap).with_extremes(bad="#f2f2f2")
    width = min(16.0, max(5.0, 2.5 + 0.55 * n_cols))
    fig, axes = _new_figure(figsize=(width, _figure_height(n_rows, extra=1.8)))
    ax = axes[0, 0]
    grid = np.ma.masked_invalid(wide.to_numpy())
    image = ax.imshow(grid, aspect="auto", cmap=colormap, interpolation="nearest")
    colorbar = fig.colorbar(image, ax=ax, shrink=min(1.0, max(0.3, 8 / max(n_rows, 1))))
    colorbar.set_label(value)

    ax.set_xticks(np.arange(n_cols), [_label(label) for label in wide.columns])
    ax.set_yticks(np.arange(n_rows), [_label(label) for label in wide.index])
    ax.tick_params(top=False, bottom=True, length=0)
    if n_cols > 6 or max((len(_label(c)) for c in wide.columns), default=0) > 4:
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.spines[:].set_visible(False)

    if n_rows <= _MAX_ANNOTATED_CELLS[0] and n_cols <= _MAX_ANNOTATED_CELLS[1]:
        low, high = image.norm.vmin, image.norm.vmax
        for (row, col), cell in np.ndenumerate(wide.to_numpy()):
            if np.isnan(cell):
                continue
            share = 0.0 if high == low else (cell - low) / (high - low)
            ax.text(col, row, fmt.format(cell), ha="center", va="center", fontsize=8,
                    color="white" if share > 0.6 else "black")

    full_title = _title_with_note(title, shown=n_rows, total=total)
    if full_title:
        ax.set_title(full_title)
    return fig


def top_terms_grid(
    table: pd.DataFrame,
    *,
    group: str,
    term: str,
    value: str,
    n: int = 10,
    ncols: int = 3,
    title: str | None = None,
    sharex: bool = False,
    max_groups: int = 12,
) -> Figure:
    """Draw one small horizontal bar panel of the top `n` terms per group.

    Parameters
    ----------
    table : pandas.DataFrame
        Long tidy table with one row per (`group`, `term`), e.g. term counts by district.
    group : str
        Column that defines the panels (e.g. ``district``); panels follow category order if
        categorical, else the order of first appearance.
    term : str
        Column with the bar labels (e.g. ``term``).
    value : str
        Numeric column ranking the terms within a group (e.g. ``count`` or ``per_10k_chars``).
    n : int, default 10
        Number of terms per panel (a count).
    ncols : int, default 3
        Panels per row; further groups wrap onto new rows.
    title : str, optional
        Figure title.
    sharex : bool, default False
        Give all panels the same value axis. Useful for rates; with raw counts on documents of
        very different length it squashes the smaller groups.
    max_groups : int, default 12
        Draw at most this many panels (a count), the first groups in panel order; the title
        says how many more the table holds. Fifty panels are not read, a table is.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per drawn group (unused grid cells are removed), each titled with its group and
        holding at most `n` bars, the largest at the top.

    Raises
    ------
    KeyError
        If a named column is missing.
    ValueError
        If `n` or `ncols` is below 1, or a (`group`, `term`) pair occurs more than once.

    Notes
    -----
    Ties keep the table's order, so the same table always gives the same panels.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"district": ["槐荫区"] * 3 + ["历下区"] * 2,
    ...                       "term": ["学史明理", "学党史", "办实事", "学史明理", "开新局"],
    ...                       "count": [9, 4, 6, 3, 5]})
    >>> fig = top_terms_grid(table, group="district", term="term", value="count", n=2)
    >>> [ax.get_title() for ax in fig.axes]
    ['槐荫区', '历下区']
    """
    use_cjk_font()
    _require_columns(table, group, term, value)
    if n < 1 or ncols < 1 or max_groups < 1:
        raise ValueError(f"n, ncols and max_groups must be at least 1, got n={n}, ncols={ncols}, max_groups={max_groups}")
    if table.duplicated([group, term]).any():
        raise ValueError(f"repeated ({group}, {term}) pairs; aggregate the table first")

    groups = _levels(table[group])
    if not groups:
        raise ValueError(f"table has no rows with a {group!r} value")
    if len(groups) > max_groups:
        left_out = len(groups) - max_groups
        groups = groups[:max_groups]
        note = f"（另有 {left_out} 组见表格）"
        title = f"{title}{note}" if title else note
    ncols = min(ncols, len(groups))
    nrows = math.ceil(len(groups) / ncols)
    panel_height = 0.75 + _ROW_HEIGHT_IN * n
    fig, axes = _new_figure(
        figsize=(3.4 * ncols, panel_height * nrows + (0.4 if title else 0.0)),
        nrows=nrows,
        ncols=ncols,
        sharex=sharex,
    )
    flat = axes.ravel()
    for ax, level in zip(flat, groups):
        rows = table.loc[table[group] == level, [term, value]]
        top = rows.sort_values(value, ascending=False, kind="mergesort").head(n)
        positions = np.arange(len(top))
        ax.barh(positions, top[value].to_numpy(dtype=float), color=_BAR_COLOR)
        ax.set_yticks(positions, [_label(label) for label in top[term]])
        # Fixed limits keep bar thickness equal across panels with fewer than `n` terms.
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_title(_label(level), fontsize="medium")
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
    for ax in flat[len(groups):]:
        fig.delaxes(ax)
    # One value label for the whole grid rather than one per panel.
    fig.supxlabel(value, fontsize="medium")
    if title:
        fig.suptitle(title)
    return fig


def interval_plot(
    table: pd.DataFrame,
    *,
    y: str,
    x: str,
    low: str,
    high: str,
    hue: str | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    sort: bool = False,
    max_rows: int = 40,
) -> Figure:
    """Draw one point per row with a horizontal interval, e.g. a rate and its bootstrap interval.

    Parameters
    ----------
    table : pandas.DataFrame
        Long tidy table with one row per (`y`, `hue`) pair, e.g. a rate per group with
        ``ci_low`` and ``ci_high``.
    y : str
        Column with the row labels (e.g. ``group``); rows follow category order if
        categorical, else the order of first appearance.
    x : str
        Numeric column with the point estimates.
    low, high : str
        Numeric columns with the interval ends; a missing end draws the point alone.
    hue : str, optional
        Column whose values are drawn as separate, slightly offset points in each row (e.g.
        ``component``), with a legend.
    title : str, optional
        Figure title.
    xlabel : str, optional
        Axis label for the values; defaults to `x`.
    sort : bool, default False
        Order rows by their largest `x`, largest at the top; if False keep the table's order.
    max_rows : int, default 40
        Draw at most this many rows (a count), keeping those with the largest `x`; the title
        says how many were left out.

    Returns
    -------
    matplotlib.figure.Figure
        One axes holding one error-bar container per `hue` value (one in all without `hue`).

    Raises
    ------
    KeyError
        If a named column is missing.
    ValueError
        If a (`y`, `hue`) pair occurs more than once.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"group": ["槐荫区", "市中区"], "formulaicness": [0.16, 0.12],
    ...                       "ci_low": [0.12, 0.07], "ci_high": [0.21, 0.17]})
    >>> fig = interval_plot(table, y="group", x="formulaicness", low="ci_low", high="ci_high")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['槐荫区', '市中区']
    """
    use_cjk_font()
    _require_columns(table, y, x, low, high, *([hue] if hue else []))
    keys = [y, hue] if hue else [y]
    duplicated = table.duplicated(keys)
    if duplicated.any():
        raise ValueError(f"{int(duplicated.sum())} repeated {tuple(keys)} row(s); aggregate the table first")
    rows = pd.Series(table[x].to_numpy(dtype=float), index=table[y]).groupby(level=0, sort=False).max()
    rows = rows.reindex(_levels(table[y]))
    kept = _keep_largest(rows, limit=max_rows, sort=sort)
    n_rows = len(kept)
    hues = _levels(table[hue]) if hue else [None]
    n_hues = len(hues)

    height_per_row = max(1.0, 0.45 * n_hues)
    fig, axes = _new_figure(figsize=(7.5, _figure_height(round(n_rows * height_per_row))))
    ax = axes[0, 0]
    position = {label: k for k, label in enumerate(kept)}
    # Points of one row share 70 % of its height so neighbouring rows stay visibly apart.
    step = 0.7 / n_hues
    for i, level in enumerate(hues):
        part = table if hue is None else table[table[hue] == level]
        part = part[part[y].isin(position)]
        centre = part[x].to_numpy(dtype=float)
        ends = np.vstack([centre - part[low].to_numpy(dtype=float), part[high].to_numpy(dtype=float) - centre])
        ends = np.where(np.isnan(ends), 0.0, np.clip(ends, 0.0, None))
        offsets = (i - (n_hues - 1) / 2) * step
        ax.errorbar(
            centre,
            part[y].map(position).to_numpy(dtype=float) + offsets,
            xerr=ends,
            fmt="o",
            capsize=3,
            markersize=5,
            color=_BAR_COLOR if hue is None else None,
            label=None if hue is None else _label(level),
        )
    ax.set_yticks(np.arange(n_rows), [_label(label) for label in kept])
    ax.set_ylim(n_rows - 0.5, -0.5)  # first row at the top
    ax.set_xlabel(x if xlabel is None else xlabel)
    ax.set_ylabel(y)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    if hue is not None:
        ax.legend(title=hue, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    full_title = _title_with_note(title, shown=n_rows, total=len(rows))
    if full_title:
        ax.set_title(full_title)
    return fig


def line_panels(
    table: pd.DataFrame,
    *,
    x: str,
    ys: list[str] | tuple[str, ...],
    hue: str | None = None,
    mark_x: float | None = None,
    mark_label: str | None = None,
    log_y: list[str] | tuple[str, ...] = (),
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Draw one small line panel per value column, all against the same `x`.

    Meant for model diagnostics: scores against the number of topics, or convergence
    statistics against the training pass.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy table with one row per `x` value (per `hue` level, if given).
    x : str
        Numeric column for the horizontal axis (e.g. ``k`` or ``pass``).
    ys : list of str
        Numeric columns, one panel each, in this order; a panel's title is its column name.
        Missing values leave gaps.
    hue : str, optional
        Column whose values get one line each (e.g. ``k`` for per-pass tables of several
        fits); lines follow category order if categorical, else order of first appearance.
    mark_x : float, optional
        Draw a dashed vertical line at this `x` on every panel (e.g. the chosen K).
    mark_label : str, optional
        Legend text for the marked line; defaults to ``"<x> = <mark_x>"``.
    log_y : list of str, default ()
        Columns of `ys` drawn on a logarithmic scale (e.g. a change that falls towards 0).
    ncols : int, default 3
        Panels per row.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per column of `ys` (unused grid cells removed).

    Raises
    ------
    KeyError
        If a named column is missing.
    ValueError
        If `ys` is empty or `ncols` is below 1.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"k": [3, 4, 5], "c_v": [0.41, 0.46, 0.44], "c_npmi": [-0.1, -0.05, -0.08]})
    >>> fig = line_panels(scores, x="k", ys=["c_v", "c_npmi"], mark_x=4, title="主题数 K 的选择")
    >>> [ax.get_title() for ax in fig.axes]
    ['c_v', 'c_npmi']
    """
    use_cjk_font()
    ys = list(ys)
    if not ys:
        raise ValueError("ys must name at least one column")
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    _require_columns(table, x, *ys, *([hue] if hue is not None else []))
    unknown_log = [column for column in log_y if column not in ys]
    if unknown_log:
        raise KeyError(f"log_y names column(s) {unknown_log} that are not in ys")

    ncols = min(ncols, len(ys))
    nrows = math.ceil(len(ys) / ncols)
    fig, axes = _new_figure(figsize=(3.6 * ncols, 2.9 * nrows + (0.4 if title else 0.0)), nrows=nrows, ncols=ncols)
    flat = axes.ravel()
    levels = _levels(table[hue]) if hue is not None else [None]
    for ax, column in zip(flat, ys):
        for level in levels:
            rows = table if level is None else table[table[hue] == level]
            rows = rows.sort_values(x, kind="mergesort")
            values = rows[column].to_numpy(dtype=float)
            if column in log_y:
                values = np.where(values > 0, values, np.nan)  # zeros cannot be drawn on a log axis
            ax.plot(rows[x].to_numpy(dtype=float), values, marker="o" if len(rows) <= 30 else None,
                    markersize=4, linewidth=1.5, label=None if level is None else f"{hue} = {_label(level)}")
        if column in log_y:
            ax.set_yscale("log")
        if mark_x is not None:
            ax.axvline(mark_x, color="#c0392b", linestyle="--", linewidth=1.2,
                       label=mark_label if mark_label is not None else f"{x} = {mark_x:g}")
        ax.set_title(column, fontsize="medium")
        ax.set_xlabel(x)
        ax.grid(alpha=0.3)
        ax.set_axisbelow(True)
    for ax in flat[len(ys):]:
        fig.delaxes(ax)
    handles, texts = flat[0].get_legend_handles_labels()
    if handles:
        # One legend for the grid, outside the panels, so that no line is hidden.
        fig.legend(handles, texts, loc="outside right upper", frameon=False, fontsize="small")
    if title:
        fig.suptitle(title)
    return fig
