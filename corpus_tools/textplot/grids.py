"""Grid figures: a heatmap of two categories, and small multiples (one panel per group or measure).

:func:`heatmap` draws a long table as rows × columns of coloured cells, :func:`top_terms_grid`
one bar panel of the top terms per group, :func:`line_panels` one line panel per value column
(model diagnostics against K or the training pass). Each takes a tidy table and the names of
its columns, and returns a :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .core import BAR_COLOR, MAX_LABEL_CHARS, MISSING_COLOR, ROW_HEIGHT_IN, SEQUENTIAL_CMAP, figure_height
from .core import keep_largest, label, levels, new_figure, require_columns, short_labels, title_with_note
from .core import use_cjk_font, wide

if TYPE_CHECKING:
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

__all__ = ["heatmap", "line_panels", "top_terms_grid"]

# Annotating every cell of a bigger grid gives unreadably small numbers; the colour scale is
# then the only reading.
_MAX_ANNOTATED_CELLS = (20, 20)


def heatmap(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    fmt: str = "{:.0f}",
    title: str | None = None,
    max_rows: int = 40,
    cmap: str | Colormap = SEQUENTIAL_CMAP,
    sort: bool = True,
    max_label_chars: int = MAX_LABEL_CHARS,
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
    max_label_chars : int, default 20
        Longest row or column label drawn whole (a count of characters); longer ones are cut
        with ``…`` (numbered if two cut alike) and keep their full text in `table`.

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
    require_columns(table, x, y, value)
    cells = wide(table, index=y, columns=x, values=value).astype(float)
    total = len(cells)
    kept = keep_largest(cells.sum(axis=1, min_count=1), limit=max_rows, sort=sort)
    cells = cells.loc[kept]
    n_rows, n_cols = cells.shape

    colormap = matplotlib.colormaps.get_cmap(cmap).with_extremes(bad=MISSING_COLOR)
    width = min(16.0, max(5.0, 2.5 + 0.55 * n_cols))
    fig, axes = new_figure(figsize=(width, figure_height(n_rows, extra=1.8)))
    ax = axes[0, 0]
    grid = np.ma.masked_invalid(cells.to_numpy())
    image = ax.imshow(grid, aspect="auto", cmap=colormap, interpolation="nearest")
    colorbar = fig.colorbar(image, ax=ax, shrink=min(1.0, max(0.3, 8 / max(n_rows, 1))))
    colorbar.set_label(value)

    column_labels = short_labels(cells.columns, max_chars=max_label_chars)
    # Rows grow the figure (figure_height) and columns are at most 16 in / 50 wide, so the
    # default 10 pt labels fit without shrinking.
    ax.set_xticks(np.arange(n_cols), column_labels)
    ax.set_yticks(np.arange(n_rows), short_labels(cells.index, max_chars=max_label_chars))
    ax.tick_params(top=False, bottom=True, length=0)
    if n_cols > 6 or max((len(text) for text in column_labels), default=0) > 4:
        ax.tick_params(axis="x", labelrotation=45)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.spines[:].set_visible(False)

    if n_rows <= _MAX_ANNOTATED_CELLS[0] and n_cols <= _MAX_ANNOTATED_CELLS[1]:
        low, high = image.norm.vmin, image.norm.vmax
        for (row, col), cell in np.ndenumerate(cells.to_numpy()):
            if np.isnan(cell):
                continue
            share = 0.0 if high == low else (cell - low) / (high - low)
            ax.text(col, row, fmt.format(cell), ha="center", va="center", fontsize=8,
                    color="white" if share > 0.6 else "black")

    full_title = title_with_note(title, shown=n_rows, total=total)
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
    max_label_chars: int = 12,
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
    max_label_chars : int, default 12
        Longest term drawn whole (a count of characters); longer ones are cut with ``…``
        (numbered if two cut alike) and keep their full text in `table`.

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
    require_columns(table, group, term, value)
    if n < 1 or ncols < 1 or max_groups < 1:
        raise ValueError(f"n, ncols and max_groups must be at least 1, got n={n}, ncols={ncols}, max_groups={max_groups}")
    if table.duplicated([group, term]).any():
        raise ValueError(f"repeated ({group}, {term}) pairs; aggregate the table first")

    groups = levels(table[group])
    if not groups:
        raise ValueError(f"table has no rows with a {group!r} value")
    if len(groups) > max_groups:
        left_out = len(groups) - max_groups
        groups = groups[:max_groups]
        note = f"（另有 {left_out} 组见表格）"
        title = f"{title}{note}" if title else note
    ncols = min(ncols, len(groups))
    nrows = math.ceil(len(groups) / ncols)
    panel_height = 0.75 + ROW_HEIGHT_IN * n
    fig, axes = new_figure(
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
        ax.barh(positions, top[value].to_numpy(dtype=float), color=BAR_COLOR)
        ax.set_yticks(positions, short_labels(top[term], max_chars=max_label_chars))
        # Fixed limits keep bar thickness equal across panels with fewer than `n` terms.
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_title(label(level), fontsize="medium")
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
    require_columns(table, x, *ys, *([hue] if hue is not None else []))
    unknown_log = [column for column in log_y if column not in ys]
    if unknown_log:
        raise KeyError(f"log_y names column(s) {unknown_log} that are not in ys")

    ncols = min(ncols, len(ys))
    nrows = math.ceil(len(ys) / ncols)
    fig, axes = new_figure(figsize=(3.6 * ncols, 2.9 * nrows + (0.4 if title else 0.0)), nrows=nrows, ncols=ncols)
    flat = axes.ravel()
    hue_levels = levels(table[hue]) if hue is not None else [None]
    for ax, column in zip(flat, ys):
        for level in hue_levels:
            rows = table if level is None else table[table[hue] == level]
            rows = rows.sort_values(x, kind="mergesort")
            values = rows[column].to_numpy(dtype=float)
            if column in log_y:
                values = np.where(values > 0, values, np.nan)  # zeros cannot be drawn on a log axis
            ax.plot(rows[x].to_numpy(dtype=float), values, marker="o" if len(rows) <= 30 else None,
                    markersize=4, linewidth=1.5, label=None if level is None else f"{hue} = {label(level)}")
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
