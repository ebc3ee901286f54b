"""Bar and interval figures: one labelled row per table row, the largest kept at the top.

:func:`barh` draws one value per row, :func:`grouped_barh` a breakdown by a second column
(side by side or stacked), :func:`interval_plot` a point with its interval (e.g. a rate and its
bootstrap interval). Each takes a tidy table and the names of its columns, and returns a
:class:`matplotlib.figure.Figure`.

Examples
--------
>>> import pandas as pd
>>> from corpus_tools.textplot.bars import interval_plot
>>> rates = pd.DataFrame({"district": ["槐荫区", "历下区"], "per_10k_chars": [4.2, 2.5],
...                       "ci_low": [3.1, 1.2], "ci_high": [5.6, 3.9]})
>>> fig = interval_plot(rates, y="district", x="per_10k_chars", low="ci_low", high="ci_high")
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['槐荫区', '历下区']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .core import BAR_COLOR, MAX_LABEL_CHARS, figure_height, keep_largest, label, levels, new_figure
from .core import require_columns, short_labels, title_with_note, use_cjk_font, wide

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["barh", "grouped_barh", "interval_plot"]


def _label_rows(ax: Axes, names: Sequence, *, x: str, y: str, xlabel: str | None, title: str | None, total: int,
                max_label_chars: int, legend_title: str | None = None) -> None:
    """Label the rows `names` of a horizontal figure, first row at the top, and title it.

    The title says how many of `total` rows were left out; the legend (when `legend_title` is
    given) goes outside the axes, where it hides neither data nor title.
    """
    n_rows = len(names)
    ax.set_yticks(np.arange(n_rows), short_labels(names, max_chars=max_label_chars))
    ax.set_ylim(n_rows - 0.5, -0.5)  # first row at the top, as in the table
    ax.set_xlabel(x if xlabel is None else xlabel)
    ax.set_ylabel(y)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    if legend_title is not None:
        ax.legend(title=legend_title, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    full_title = title_with_note(title, shown=n_rows, total=total)
    if full_title:
        ax.set_title(full_title)


def barh(
    table: pd.DataFrame,
    *,
    y: str,
    x: str,
    title: str | None = None,
    xlabel: str | None = None,
    sort: bool = True,
    max_bars: int = 40,
    max_label_chars: int = MAX_LABEL_CHARS,
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
    max_label_chars : int, default 20
        Longest bar label drawn whole (a count of characters); longer ones are cut with ``…``
        (numbered if two cut alike) and keep their full text in `table`.

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
    require_columns(table, y, x)
    if table[y].duplicated().any():
        raise ValueError(f"column {y!r} has repeated values; aggregate the table first")

    values = pd.Series(table[x].to_numpy(dtype=float), index=pd.Index(table[y], name=y))
    kept = keep_largest(values, limit=max_bars, sort=sort)
    values = values.loc[kept]

    fig, axes = new_figure(figsize=(7.0, figure_height(len(values))))
    ax = axes[0, 0]
    positions = np.arange(len(values))
    ax.barh(positions, values.to_numpy(), color=BAR_COLOR)
    _label_rows(ax, values.index, x=x, y=y, xlabel=xlabel, title=title, total=len(table),
                max_label_chars=max_label_chars)
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
    max_label_chars: int = MAX_LABEL_CHARS,
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
    max_label_chars : int, default 20
        Longest bar label drawn whole (a count of characters); longer ones are cut with ``…``
        (numbered if two cut alike) and keep their full text in `table`.

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
    require_columns(table, y, x, hue)
    cells = wide(table, index=y, columns=hue, values=x).astype(float).fillna(0.0)
    total = len(cells)
    kept = keep_largest(cells.sum(axis=1), limit=max_bars, sort=sort)
    cells = cells.loc[kept]
    n_rows, n_hues = cells.shape

    height_per_row = 1.0 if stacked else max(1.0, 0.6 * n_hues)
    fig, axes = new_figure(figsize=(7.5, figure_height(round(n_rows * height_per_row))))
    ax = axes[0, 0]
    positions = np.arange(n_rows)
    # Side-by-side bars share 80 % of each row so neighbouring groups stay visibly apart.
    thickness = 0.8 if stacked else 0.8 / n_hues
    left = np.zeros(n_rows)
    for i, level in enumerate(cells.columns):
        lengths = cells[level].to_numpy()
        if stacked:
            ax.barh(positions, lengths, height=thickness, left=left, label=label(level))
            left += lengths
        else:
            offset = (i - (n_hues - 1) / 2) * thickness
            ax.barh(positions + offset, lengths, height=thickness, label=label(level))
    _label_rows(ax, cells.index, x=x, y=y, xlabel=xlabel, title=title, total=total,
                max_label_chars=max_label_chars, legend_title=hue)
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
    max_label_chars: int = MAX_LABEL_CHARS,
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
    max_label_chars : int, default 20
        Longest row label drawn whole (a count of characters); longer ones are cut with ``…``
        (numbered if two cut alike) and keep their full text in `table`.

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
    require_columns(table, y, x, low, high, *([hue] if hue else []))
    keys = [y, hue] if hue else [y]
    duplicated = table.duplicated(keys)
    if duplicated.any():
        raise ValueError(f"{int(duplicated.sum())} repeated {tuple(keys)} row(s); aggregate the table first")
    rows = pd.Series(table[x].to_numpy(dtype=float), index=table[y]).groupby(level=0, sort=False).max()
    rows = rows.reindex(levels(table[y]))
    kept = keep_largest(rows, limit=max_rows, sort=sort)
    n_rows = len(kept)
    hues = levels(table[hue]) if hue else [None]
    n_hues = len(hues)

    height_per_row = max(1.0, 0.45 * n_hues)
    fig, axes = new_figure(figsize=(7.5, figure_height(round(n_rows * height_per_row))))
    ax = axes[0, 0]
    position = {name: k for k, name in enumerate(kept)}
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
            color=BAR_COLOR if hue is None else None,
            label=None if hue is None else label(level),
        )
    _label_rows(ax, kept, x=x, y=y, xlabel=xlabel, title=title, total=len(rows),
                max_label_chars=max_label_chars, legend_title=hue)
    return fig

