"""Figures for cross-group comparison, readable with 5 groups and with 50.

Every function takes a table or matrix that :mod:`corpus_tools.compare` returns (a similarity
matrix, a keyness table, a group profile, a :class:`~corpus_tools.compare.similarity.Clustering`)
and returns a :class:`matplotlib.figure.Figure`; nothing is saved or shown here. What keeps
many groups readable:

* **order**: groups follow a clustering (similar ones side by side) or a sorted measure, never
  the alphabet alone;
* **size**: figures grow with the number of groups up to a bound, and label fonts shrink to a
  floor of 7 pt (:func:`corpus_tools.textplot.core.label_fontsize`), then labels are thinned,
  rather than overlapping; long labels are cut (the full text stays in the table);
* **top N**: keyness panels are drawn for at most a dozen groups; beyond that,
  :func:`plot_keyness_heatmap` shows each group's top terms in one grid, and
  :func:`summarise_top` folds the smaller groups of any table into one row.

Moved from ``corpus_tools.compare.plots`` (issue 12); the old module name and the old function
names (``similarity_heatmap``, ``dendrogram_plot``, ``keyness_panels``, ``keyness_heatmap``,
``profile_dotplot``) keep working for one release.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from .core import BAR_COLOR, DIVERGING_CMAP, MAX_LABEL_CHARS, NOTE_COLOR, SEQUENTIAL_CMAP, empty_figure
from .core import MAX_HEATMAP_CELLS, block_means, label_fontsize, new_figure, renamed_figure, short_labels, use_cjk_font
from .grids import top_terms_grid

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..compare.similarity import Clustering

__all__ = [
    "DEFAULT_PROFILE_MEASURES",
    "plot_dendrogram",
    "plot_keyness_heatmap",
    "plot_keyness_panels",
    "plot_profile",
    "plot_similarity",
    "summarise_top",
    "tick_step",
    # Old names, deprecated (FutureWarning), until 0.3.0.
    "dendrogram_plot",
    "keyness_heatmap",
    "keyness_panels",
    "profile_dotplot",
    "similarity_heatmap",
]

#: Profile columns drawn by :func:`plot_profile` by default: all independent of text length.
DEFAULT_PROFILE_MEASURES: tuple[str, ...] = (
    "chars_per_doc",
    "mattr",
    "formulaic_share",
    "quantified_share",
    "place_mentions_per_10k_chars",
    "n_officials_named",
)

# Largest figure side in inches: a 50 × 50 heatmap fits a screen and a report page.
_MAX_SIDE_IN = 14.0
# Cells are annotated with their value only up to this many rows; beyond, the colours speak.
_MAX_ANNOTATED = 12
# A tick label needs its font size times this in height so neighbouring labels do not touch.
_LINE_SPACING = 1.25


def tick_step(n: int, *, axis_inches: float, fontsize: float) -> int:
    """Label every k-th of `n` rows so that labels of `fontsize` pt fit on `axis_inches`.

    Parameters
    ----------
    n : int
        Rows (or columns) on the axis.
    axis_inches : float
        Length of the axis in inches.
    fontsize : float
        Label size in points.

    Returns
    -------
    int
        k >= 1: 1 when every label fits at 1.25 × its size per row, else the smallest k that fits.

    Examples
    --------
    >>> tick_step(50, axis_inches=10.0, fontsize=7.0), tick_step(200, axis_inches=10.0, fontsize=7.0)
    (1, 3)
    """
    room = max(axis_inches, 0.1) * 72.0 / (fontsize * _LINE_SPACING)
    return max(1, math.ceil(n / room))


# --------------------------------------------------------------------------------------------
# Similarity
# --------------------------------------------------------------------------------------------


def _draw_tree(linkage: np.ndarray, **options) -> dict:
    """scipy's ``dendrogram`` with room for its recursion on a tree of many leaves.

    scipy draws the tree recursively, one level per merge along the deepest path: a chained
    tree of a few thousand groups exceeds Python's default limit of 1,000 frames (scipy's
    documentation advises raising it). The limit is raised for this call only.
    """
    import sys

    from scipy.cluster.hierarchy import dendrogram

    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(max(saved, 10 * (len(linkage) + 1) + 1000))
    try:
        return dendrogram(linkage, **options)
    finally:
        sys.setrecursionlimit(saved)


def plot_similarity(
    matrix: pd.DataFrame,
    *,
    clustering: Clustering | None = None,
    kind: Literal["auto", "similarity", "distance"] = "auto",
    dendrogram: bool = True,
    title: str | None = None,
    cmap: str | None = None,
    max_labels: int = 60,
    fmt: str = "{:.2f}",
    max_label_chars: int = MAX_LABEL_CHARS,
) -> Figure:
    """Draw a square similarity or distance matrix as a heatmap ordered by clustering.

    Parameters
    ----------
    matrix : pandas.DataFrame
        From :func:`~corpus_tools.compare.similarity.group_similarity`,
        :func:`~corpus_tools.compare.similarity.document_similarity` or
        :func:`~corpus_tools.compare.similarity.topic_similarity`.
    clustering : Clustering, optional
        Order and tree; by default :func:`~corpus_tools.compare.similarity.cluster_order`
        with average linkage.
    kind : {"auto", "similarity", "distance"}, default "auto"
        As in :func:`~corpus_tools.compare.similarity.cluster_order`.
    dendrogram : bool, default True
        Draw the tree above the heatmap (needs at least 3 labels).
    title : str, optional
    cmap : str, optional
        Colour map; by default ``"Blues"`` for similarities and ``"Blues_r"`` for distances, so
        that dark always means alike.
    max_labels : int, default 60
        Label at most this many rows (every k-th label beyond); all cells are drawn.
    fmt : str, default "{:.2f}"
        Cell annotation pattern, used when there are at most 12 labels.
    max_label_chars : int, default 20
        Longest label drawn whole (a count of characters); longer ones are cut with ``…`` and
        keep their full text in the matrix's index.

    Returns
    -------
    matplotlib.figure.Figure
        Axes: the heatmap (``images[0]`` holds the ordered matrix, or past
        :data:`~corpus_tools.textplot.core.MAX_HEATMAP_CELLS` labels the means of its k × k
        blocks, which the colour bar's label then names), its colour bar and, with
        `dendrogram`, the tree. The heatmap's tick labels are the labels in clustering order.

    Notes
    -----
    The colour scale spans the off-diagonal values only: the diagonal (1 or 0) would
    otherwise squeeze every real contrast into a few shades. The figure is about
    0.22 in per label, between 5 and 14 in wide; label fonts shrink from 10 to 7 pt as labels
    multiply, and beyond what fits at 7 pt only every k-th row is labelled.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.Index(["甲区", "乙区", "丙县"], name="group")
    >>> m = pd.DataFrame([[1, .2, .9], [.2, 1, .3], [.9, .3, 1]], index=idx, columns=idx)
    >>> fig = plot_similarity(m)
    >>> rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    >>> abs(rows.index("甲区") - rows.index("丙县"))  # the two similar ones side by side
    1
    """
    from ..compare.similarity import check_square, cluster_order, resolve_kind

    use_cjk_font()
    check_square(matrix)
    kind = resolve_kind(matrix, kind)
    n = len(matrix)
    if n == 0:
        raise ValueError("the matrix is empty")
    if clustering is None:
        clustering = cluster_order(matrix, kind=kind)
    order = list(clustering.order)
    if sorted(map(str, order)) != sorted(map(str, matrix.index)):
        raise ValueError("the clustering's labels are not the matrix's labels")
    ordered = matrix.loc[order, order]
    values = ordered.to_numpy(dtype=np.float64)

    off = values[~np.eye(n, dtype=bool)]
    off = off[np.isfinite(off)]
    vmin, vmax = (float(off.min()), float(off.max())) if len(off) else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    if cmap is None:
        cmap = SEQUENTIAL_CMAP if kind == "similarity" else f"{SEQUENTIAL_CMAP}_r"

    draw_tree = dendrogram and n >= 3 and len(clustering.linkage)
    side = float(np.clip(2.5 + 0.22 * n, 5.0, _MAX_SIDE_IN))
    fig = empty_figure(figsize=(side + 1.0, side + (1.3 if draw_tree else 0.3)))
    grid = fig.add_gridspec(2 if draw_tree else 1, 2, width_ratios=[1.0, 0.035],
                            height_ratios=[0.18, 1.0] if draw_tree else [1.0])
    ax = fig.add_subplot(grid[-1, 0])
    # Blocks on the diagonal would average in its 1s (or 0s), which the colour scale leaves out.
    drawn, k = block_means(np.where(np.eye(n, dtype=bool), np.nan, values) if n > MAX_HEATMAP_CELLS else values)
    # Blocks are drawn over the cells they average, so ticks and the tree keep the cells' positions.
    image = ax.imshow(np.ma.masked_invalid(drawn), cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto",
                      interpolation="nearest", extent=(-0.5, drawn.shape[1] * k - 0.5, drawn.shape[0] * k - 0.5, -0.5))
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    colorbar = fig.colorbar(image, cax=fig.add_subplot(grid[-1, 1]))
    measure = matrix.attrs.get("measure", kind)
    colorbar.set_label(measure if k == 1 else f"{measure} (mean of {k} × {k} cells)")

    size = label_fontsize(n)
    # About one inch of the side goes to labels and colour bar; the rest holds the n cells.
    step = max(math.ceil(n / max_labels), tick_step(n, axis_inches=side - 1.0, fontsize=size))
    ticks = np.arange(0, n, step)
    labels = short_labels([order[i] for i in ticks], max_chars=max_label_chars)
    ax.set_yticks(ticks, labels, fontsize=size)
    ax.set_xticks(ticks, labels, fontsize=size, rotation=90)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    if n <= _MAX_ANNOTATED:
        for (row, col), cell in np.ndenumerate(values):
            if np.isfinite(cell) and row != col:
                shade = (cell - vmin) / (vmax - vmin)
                dark = shade > 0.6 if kind == "similarity" else shade < 0.4
                ax.text(col, row, fmt.format(cell), ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")

    if draw_tree:
        tree_ax = fig.add_subplot(grid[0, 0], sharex=None)
        _draw_tree(clustering.linkage, ax=tree_ax, no_labels=True, color_threshold=0,
                   above_threshold_color="#555555", labels=list(map(str, clustering.labels)))
        tree_ax.set_xlim(0, 10 * n)  # scipy puts leaf i at x = 10 i + 5, cell i spans i ± 0.5
        tree_ax.axis("off")
    target = ax if not draw_tree else fig.axes[-1]
    if title:
        target.set_title(title)
    return fig


def plot_dendrogram(
    source: pd.DataFrame | Clustering,
    *,
    kind: Literal["auto", "similarity", "distance"] = "auto",
    title: str | None = None,
    max_label_chars: int = MAX_LABEL_CHARS,
) -> Figure:
    """Draw the clustering tree sideways, one labelled leaf per row: readable for 50+ groups.

    Parameters
    ----------
    source : pandas.DataFrame or Clustering
        A square similarity/distance matrix (clustered here with average linkage) or a
        clustering from :func:`~corpus_tools.compare.similarity.cluster_order`.
    kind : {"auto", "similarity", "distance"}, default "auto"
        For a matrix, as in :func:`~corpus_tools.compare.similarity.cluster_order`.
    title : str, optional
    max_label_chars : int, default 20
        Longest leaf label drawn whole (a count of characters); longer ones are cut with ``…``.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; its y tick labels are the leaves, top to bottom in clustering order, and
        the x axis is the merge distance (1 - similarity for similarities).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.Index(["甲区", "乙区", "丙县"], name="group")
    >>> m = pd.DataFrame([[1, .2, .9], [.2, 1, .3], [.9, .3, 1]], index=idx, columns=idx)
    >>> leaves = [t.get_text() for t in plot_dendrogram(m).axes[0].get_yticklabels()]
    >>> abs(leaves.index("甲区") - leaves.index("丙县"))
    1
    """
    from ..compare.similarity import Clustering, cluster_order

    use_cjk_font()
    clustering = source if isinstance(source, Clustering) else cluster_order(source, kind=kind)
    n = len(clustering.labels)
    if n < 2:
        raise ValueError("a dendrogram needs at least two labels")
    fig = empty_figure(figsize=(6.5, float(np.clip(1.0 + 0.24 * n, 2.5, 16.0))))
    ax = fig.add_subplot()
    _draw_tree(clustering.linkage, ax=ax, orientation="left", labels=short_labels(clustering.labels, max_chars=max_label_chars),
                     color_threshold=0, above_threshold_color="#555555", leaf_font_size=label_fontsize(n) + 1)
    # scipy draws the first leaf at the bottom; flip so the order reads top-down like the heatmap.
    ax.invert_yaxis()
    ax.set_xlabel("merge distance")
    ax.spines[["top", "right", "left"]].set_visible(False)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------------------------
# Keyness
# --------------------------------------------------------------------------------------------


def plot_keyness_panels(
    table: pd.DataFrame,
    *,
    n: int = 10,
    value: str | None = None,
    groups: Sequence | None = None,
    max_groups: int = 12,
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Draw each group's most over-used terms as a small bar panel (up to about a dozen groups).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~corpus_tools.compare.keyness.keyness`.
    n : int, default 10
        Terms per panel.
    value : str, optional
        Column to rank and draw (default: the table's measure, ``log_odds_z``).
    groups : sequence, optional
        Groups to draw, in this order (e.g. a clustering's ``order``); default: the table's.
    max_groups : int, default 12
        Draw at most this many panels; the title says how many were left out. For more
        groups use :func:`plot_keyness_heatmap` or
        :func:`~corpus_tools.compare.keyness.keyness_summary`.
    ncols : int, default 3
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes per drawn group, titled with the group.
    """
    from ..compare.keyness import ranking_column, top_keyness

    value = ranking_column(table, value)
    order = list(pd.unique(table["group"])) if groups is None else list(groups)
    # The set once, not inside the condition: per group it cost minutes at 400 groups.
    present = set(pd.unique(table["group"]))
    unknown = [g for g in order if g not in present]
    if unknown:
        raise KeyError(f"group(s) {unknown} not in the keyness table")
    shown = order[:max_groups]
    top = top_keyness(table[table["group"].isin(shown)], n, value=value)
    top = top.assign(group=pd.Categorical(top["group"], categories=shown))
    top = top.sort_values("group", kind="mergesort")
    note = None if len(shown) == len(order) else f"(first {len(shown)} of {len(order)} groups shown)"
    full_title = "\n".join(t for t in (title, note) if t) or None
    return top_terms_grid(top, group="group", term="term", value=value, n=n, ncols=ncols, title=full_title)


def plot_keyness_heatmap(
    table: pd.DataFrame,
    *,
    n: int = 2,
    value: str | None = None,
    order: Sequence | None = None,
    max_terms: int = 40,
    title: str | None = None,
) -> Figure:
    """Draw groups × their most distinctive terms as one grid: the keyness view for many groups.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`~corpus_tools.compare.keyness.keyness` (all groups).
    n : int, default 2
        Top terms taken from each group; the columns are their union.
    value : str, optional
        Column drawn (default: the table's measure, ``log_odds_z``).
    order : sequence, optional
        Row order of the groups, e.g. ``cluster_order(group_similarity(dtm)).order``;
        default: the table's order.
    max_terms : int, default 40
        At most this many term columns, keeping the terms with the highest value anywhere.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        The grid axes (``images[0]``: groups × terms) and its colour bar. Colours diverge at 0:
        red = the group over-uses the term, blue = under-uses it.

    Notes
    -----
    Columns are ordered by the row of the group that contributed them, so a group's own terms
    sit near it and the grid shows a rough diagonal.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["甲"] * 2 + ["乙"] * 2, "term": ["红色", "乡村"] * 2,
    ...                   "count_group": [5, 1, 1, 5], "log_odds_z": [2.0, -2.0, -2.0, 2.0]})
    >>> fig = plot_keyness_heatmap(t, n=1)
    >>> fig.axes[0].images[0].get_array().shape
    (2, 2)
    """
    from ..compare.keyness import ranking_column, top_keyness

    use_cjk_font()
    value = ranking_column(table, value)
    rows = list(pd.unique(table["group"])) if order is None else list(order)
    top = top_keyness(table, n, value=value)
    rank_of = {g: k for k, g in enumerate(rows)}
    top = top[top["group"].isin(rank_of)]
    # Each term once, at its best group's position.
    best = top.sort_values(value, ascending=False, kind="mergesort").drop_duplicates("term")
    if len(best) > max_terms:
        best = best.head(max_terms)
    best = best.assign(_row=best["group"].map(rank_of)).sort_values(["_row", value], ascending=[True, False],
                                                                     kind="mergesort")
    terms = list(best["term"])
    if not terms:
        raise ValueError("no group over-uses any term (no positive value) to draw")
    grid = table[table["term"].isin(terms) & table["group"].isin(rank_of)].pivot(index="group", columns="term",
                                                                                   values=value)
    grid = grid.reindex(index=rows, columns=terms)
    values = grid.to_numpy(dtype=np.float64)
    limit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0

    n_rows, n_cols = values.shape
    width = float(np.clip(3.0 + 0.28 * n_cols, 5.0, _MAX_SIDE_IN + 2))
    height = float(np.clip(1.8 + 0.2 * n_rows, 3.0, _MAX_SIDE_IN))
    fig = empty_figure(figsize=(width, height))
    ax = fig.add_subplot()
    image = ax.imshow(np.ma.masked_invalid(values), cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, aspect="auto",
                      interpolation="nearest")
    fig.colorbar(image, ax=ax, shrink=0.8).set_label(value)
    row_size = label_fontsize(n_rows)
    # The height is capped: past what fits at the 7 pt floor, only every k-th group is labelled.
    ticks = np.arange(0, n_rows, tick_step(n_rows, axis_inches=height - 1.8, fontsize=row_size))
    ax.set_yticks(ticks, short_labels([rows[i] for i in ticks], max_chars=MAX_LABEL_CHARS), fontsize=row_size)
    ax.set_xticks(np.arange(n_cols), short_labels(terms, max_chars=MAX_LABEL_CHARS), fontsize=label_fontsize(n_cols),
                  rotation=90)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    if title:
        ax.set_title(title)
    return fig


# --------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------


def plot_profile(
    profile: pd.DataFrame,
    *,
    measures: Sequence[str] = DEFAULT_PROFILE_MEASURES,
    order: Sequence | None = None,
    sort_by: str | None = None,
    ncols: int | None = None,
    title: str | None = None,
) -> Figure:
    """Draw each group's profile as dots, one panel per measure, groups on a shared axis.

    Parameters
    ----------
    profile : pandas.DataFrame
        From :func:`~corpus_tools.compare.profile.group_profile` (a ``group`` column and the
        measures).
    measures : sequence of str, default :data:`DEFAULT_PROFILE_MEASURES`
        Numeric columns, one panel each; missing ones raise a KeyError.
    order : sequence, optional
        Group order, top to bottom (e.g. a clustering's ``order``).
    sort_by : str, optional
        Without `order`, sort groups by this column, largest at the top (default: the first
        measure).
    ncols : int, optional
        Panels per row; default all in one row up to 6.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes per measure, titled with its column; a dashed line marks the median group. A
        measure with no value for any group (MATTR when every text is shorter than its window)
        gets an empty panel saying so.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"group": ["甲区", "乙区"], "mattr": [0.8, 0.7], "formulaic_share": [0.1, 0.2]})
    >>> fig = plot_profile(p, measures=["mattr", "formulaic_share"])
    >>> [ax.get_title() for ax in fig.axes], [t.get_text() for t in fig.axes[0].get_yticklabels()]
    (['mattr', 'formulaic_share'], ['甲区', '乙区'])
    """
    use_cjk_font()
    measures = list(measures)
    if not measures:
        raise ValueError("measures must name at least one column")
    missing = [c for c in ("group", *measures) if c not in profile.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the profile; it has {list(profile.columns)}")
    table = profile.set_index("group")
    if order is not None:
        groups = list(order)
    else:
        key = sort_by or measures[0]
        groups = list(table[key].sort_values(ascending=False, kind="mergesort", na_position="last").index)
    table = table.reindex(groups)
    n = len(groups)
    ncols = min(len(measures), 6) if ncols is None else ncols
    nrows = math.ceil(len(measures) / ncols)
    panel_height = float(np.clip(0.8 + 0.2 * n, 2.0, _MAX_SIDE_IN / max(nrows, 1)))
    figsize = (min(2.6 * ncols + 1.2, _MAX_SIDE_IN + 4), panel_height * nrows + (0.4 if title else 0.0))
    fig, axes = new_figure(figsize=figsize, nrows=nrows, ncols=ncols, sharey=True)
    positions = np.arange(n)
    size = label_fontsize(n)
    # Panels are at most 14 in tall together: past what fits at 7 pt, label every k-th group.
    ticks = positions[::tick_step(n, axis_inches=panel_height - 0.8, fontsize=size)]
    for k, (ax, measure) in enumerate(zip(axes.ravel(), measures)):
        values = table[measure].to_numpy(dtype=np.float64)
        ax.hlines(positions, np.nanmin(values) if np.isfinite(values).any() else 0, values, color="#dddddd", lw=1)
        ax.plot(values, positions, "o", color=BAR_COLOR, ms=max(3.0, 7.0 - n / 12))
        if np.isfinite(values).any():
            ax.axvline(np.nanmedian(values), color="#888888", ls="--", lw=0.8)
        else:  # e.g. MATTR when every document is shorter than the window
            ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center", va="center", color=NOTE_COLOR)
            ax.set_xticks([])
        ax.set_title(measure, fontsize="medium")
        ax.set_ylim(n - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="y", length=0)
        if k % ncols == 0:
            ax.set_yticks(ticks, short_labels([groups[i] for i in ticks], max_chars=MAX_LABEL_CHARS), fontsize=size)
    for ax in axes.ravel()[len(measures):]:
        fig.delaxes(ax)
    if title:
        fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------------------------
# Many groups
# --------------------------------------------------------------------------------------------


def summarise_top(
    table: pd.DataFrame,
    *,
    n: int = 10,
    by: str = "group",
    value: str,
    keys: Sequence[str] = (),
    agg: Literal["sum", "mean", "median"] = "sum",
    label: str = "其余 {k} 个",
) -> pd.DataFrame:
    """Keep the `n` largest groups and fold all others into one row (per `keys`).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group (e.g. a profile), or per group and key (e.g. group × topic with
        ``keys=["topic"]``).
    n : int, default 10
        Groups kept (a count), those with the largest total of `value`.
    by : str, default "group"
        The group column.
    value : str
        Numeric column that ranks the groups (summed over a group's rows).
    keys : sequence of str, default ()
        Further columns that identify a row; the folded groups get one row per key value.
    agg : {"sum", "mean", "median"}, default "sum"
        How the folded groups' numeric columns are combined: ``"sum"`` for counts,
        ``"mean"`` or ``"median"`` for shares and rates (the mean is unweighted: one vote per
        group). Non-numeric columns of the folded row are left empty.
    label : str, default "其余 {k} 个"
        The folded row's group label; ``{k}`` becomes the number of folded groups (e.g.
        ``"other ({k} groups)"``).

    Returns
    -------
    pandas.DataFrame
        The kept groups' rows (largest first, rows of one group in table order), then the
        folded row(s), with a column ``n_groups``: 1 for a kept group, k for the folded row.
        The table is returned unchanged (plus ``n_groups``) when it has at most `n` groups.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["甲", "乙", "丙", "丁"], "n_docs": [9, 1, 5, 2]})
    >>> summarise_top(t, n=2, value="n_docs").values.tolist()
    [['甲', 9, 1], ['丙', 5, 1], ['其余 2 个', 3, 2]]
    """
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if agg not in ("sum", "mean", "median"):
        raise ValueError(f"agg must be 'sum', 'mean' or 'median', not {agg!r}")
    keys = list(keys)
    missing = [c for c in (by, value, *keys) if c not in table.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in table; it has {list(table.columns)}")
    if table.duplicated([by, *keys]).any():
        raise ValueError(f"repeated ({', '.join([by, *keys])}) rows; pass the other identifying columns as keys")
    totals = table.groupby(by, sort=False)[value].sum()
    ranked = totals.sort_values(ascending=False, kind="mergesort").index
    kept, folded = list(ranked[:n]), list(ranked[n:])
    rank = {g: i for i, g in enumerate(kept)}
    head = table[table[by].isin(rank)]
    head = head.iloc[np.argsort(head[by].map(rank).to_numpy(), kind="stable")].assign(n_groups=1)
    if not folded:
        return head.reset_index(drop=True)
    rest = table[table[by].isin(set(folded))]
    numeric = [c for c in table.columns if c not in (by, *keys) and pd.api.types.is_numeric_dtype(table[c])
               and not pd.api.types.is_bool_dtype(table[c])]
    if keys:
        summary = rest.groupby(keys, sort=False)[numeric].agg(agg).reset_index()
    else:
        summary = rest[numeric].agg(agg).to_frame().T
    summary[by] = label.format(k=len(folded))
    summary["n_groups"] = len(folded)
    for column in table.columns:
        if column not in summary.columns:
            summary[column] = ""
    out = pd.concat([head, summary[list(table.columns) + ["n_groups"]]], ignore_index=True)
    for column in numeric:
        if pd.api.types.is_integer_dtype(table[column]) and agg == "sum":
            out[column] = out[column].astype(table[column].dtype)
    return out


# --------------------------------------------------------------------------------------------
# Old names (issue 12: figure functions are named plot_<what>)
# --------------------------------------------------------------------------------------------


similarity_heatmap = renamed_figure("similarity_heatmap", plot_similarity)
dendrogram_plot = renamed_figure("dendrogram_plot", plot_dendrogram)
keyness_panels = renamed_figure("keyness_panels", plot_keyness_panels)
keyness_heatmap = renamed_figure("keyness_heatmap", plot_keyness_heatmap)
profile_dotplot = renamed_figure("profile_dotplot", plot_profile)
