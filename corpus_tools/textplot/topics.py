"""Figures of topic prevalence: :func:`plot_effects` and :func:`plot_trend`.

Both take the tidy table of :func:`corpus_tools.topics.estimate_effect` (one row per topic and
reported quantity: ``topic, label, covariate, level, quantity, estimate, ci_low, ci_high,
n_documents, too_few_documents, robust`` …) and return a :class:`matplotlib.figure.Figure`
with one panel per topic, built on the package's figure primitives
(:mod:`corpus_tools.textplot.core`). They never save or show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from .core import keep_largest, new_figure, require_columns, use_cjk_font

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_effects", "plot_trend"]

#: The columns of an effects table that the figures read.
EFFECT_TABLE_COLUMNS: tuple[str, ...] = (
    "topic", "label", "covariate", "level", "quantity", "estimate", "ci_low", "ci_high", "n_documents",
    "too_few_documents", "robust",
)


def _select(table: pd.DataFrame, *, covariate: str | None, quantity: str, robust_only: bool) -> tuple[pd.DataFrame, str, str]:
    """Rows of one covariate and quantity, robust topics only when known; also a note on what was kept."""
    require_columns(table, *EFFECT_TABLE_COLUMNS)
    if covariate is None:
        if not (table["quantity"] == quantity).any():
            raise ValueError(f"the table has no {quantity!r} rows")
        covariate = str(table.loc[table["quantity"] == quantity, "covariate"].iloc[0])
    rows = table[(table["covariate"] == covariate) & (table["quantity"] == quantity)]
    if rows.empty:
        raise ValueError(f"no {quantity!r} rows for covariate {covariate!r}; covariates: "
                         f"{sorted(table['covariate'].unique())}, quantities: {sorted(table['quantity'].unique())}")
    note = ""
    robust = rows["robust"].astype("boolean")
    if robust_only and robust.notna().any():
        n_topics = rows["topic"].nunique()
        kept = rows[robust.fillna(False).to_numpy()]
        if kept.empty:
            # A report must still show something; the title says that none of it is robust.
            note = f"无稳健主题，{n_topics} 个主题全部显示"
        else:
            rows, note = kept, f"稳健主题 {kept['topic'].nunique()}/{n_topics}"
    return rows, covariate, note


def _panels(n: int, *, ncols: int, height: float, width: float = 3.4):
    """A grid of `n` panels sharing the y axis, `ncols` to a row; the unused cells hidden."""
    use_cjk_font()
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = new_figure(figsize=(width * ncols + 1.2, height * nrows + 0.6), nrows=nrows, ncols=ncols,
                           sharey=True)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def plot_effects(
    table: pd.DataFrame,
    *,
    covariate: str | None = None,
    quantity: Literal["share", "difference"] = "share",
    robust_only: bool = True,
    ncols: int | None = None,
    max_levels: int = 40,
    by_label: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw each level's estimate and interval, one panel per topic.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`~corpus_tools.topics.estimate_effect`.
    covariate : str, optional
        The covariate to draw; defaults to the table's first.
    quantity : {"share", "difference"}, default "share"
        Expected topic share per level, or each level's difference from its reference (a
        dashed line marks zero).
    robust_only : bool, default True
        Draw only topics marked robust (when the table knows; otherwise all, and all with a
        note in the title when none is robust).
    by_label : str, optional
        The covariate's name in the default title (e.g. ``"district"`` when the table's
        covariate is the generic ``group``).
    ncols : int, optional
        Panels per row; by default 3, or 5 with more than 20 levels, so that the tall panels of
        many groups sit side by side.
    max_levels : int, default 40
        Draw at most this many levels (a count): those with the most documents, in the table's
        order; the title says how many were left out (the table keeps them all).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes per topic; levels on the y axis (labelled with their document counts), the
        same order in every panel. Levels with too few documents are drawn as hollow grey
        points, the others as filled points with their interval.

    Examples
    --------
    >>> table = pd.DataFrame({
    ...     "topic": [1, 1], "label": ["1 红色·资源"] * 2, "covariate": "district", "level": ["槐荫区", "市中区"],
    ...     "quantity": "share", "contrast": "", "estimate": [0.6, 0.3], "std_error": 0.05,
    ...     "ci_low": [0.5, 0.2], "ci_high": [0.7, 0.4], "p_value": float("nan"), "q_value": float("nan"),
    ...     "n_documents": [4, 2], "n_units": [20, 9], "too_few_documents": [False, True],
    ...     "robust": pd.NA, "regressed_on": "document"})
    >>> fig = plot_effects(table)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['槐荫区 (4)', '市中区 (2)']
    """
    from matplotlib.ticker import PercentFormatter

    rows, covariate, note = _select(table, covariate=covariate, quantity=quantity, robust_only=robust_only)
    first = rows.drop_duplicates("level")
    docs = first.set_index(first["level"].astype(str))["n_documents"]
    # A figure of a few thousand groups is unreadable and megabytes large: keep the levels
    # with the most documents (a stable choice, so the same table gives the same figure).
    levels = list(keep_largest(docs.astype(float), limit=max_levels, sort=False))
    if len(levels) < len(docs):
        note = "；".join(filter(None, [note, f"文档最多的 {len(levels)} 个（共 {len(docs)} 个，{len(docs) - len(levels)} 个未显示）"]))
        rows = rows[rows["level"].astype(str).isin(levels)]
    topic_ids = list(dict.fromkeys(rows["topic"]))
    if ncols is None:
        ncols = 3 if len(levels) <= 20 else 5
    fig, axes = _panels(len(topic_ids), ncols=ncols, height=max(1.6, 0.3 * len(levels) + 0.8))
    position = {level: i for i, level in enumerate(levels)}
    for ax, topic in zip(axes, topic_ids, strict=False):
        part = rows[rows["topic"] == topic]
        y = part["level"].astype(str).map(position).to_numpy()
        few = part["too_few_documents"].astype(bool).to_numpy()
        est = part["estimate"].to_numpy(dtype=float)
        err = np.vstack([est - part["ci_low"].to_numpy(dtype=float), part["ci_high"].to_numpy(dtype=float) - est])
        for mask, style in ((~few, dict(fmt="o", color="C0", ecolor="C0", markersize=5)),
                            (few, dict(fmt="o", color="0.55", ecolor="0.75", markerfacecolor="white", markersize=5))):
            if mask.any():
                ax.errorbar(est[mask], y[mask], xerr=err[:, mask], capsize=2, linewidth=1, **style)
        if quantity == "difference":
            ax.axvline(0, color="0.4", linestyle="--", linewidth=0.8)
        ax.set_title(str(part["label"].iloc[0]), fontsize=9)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", color="0.9")
    axes[0].set_yticks(range(len(levels)), [f"{level} ({int(docs[level])})" for level in levels])
    axes[0].set_ylim(len(levels) - 0.5, -0.5)
    what = "主题占比" if quantity == "share" else "与参照的差"
    hollow = "；空心点：文档过少" if rows["too_few_documents"].astype(bool).any() else ""
    fig.suptitle(title or f"按 {by_label or covariate} 的{what}（点与 95% 区间；括号内为文档数{hollow}{'；' + note if note else ''}）",
                 fontsize=10)
    return fig


def plot_trend(
    table: pd.DataFrame,
    *,
    covariate: str | None = None,
    robust_only: bool = True,
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Draw each topic's expected share over time with its interval band, one panel per topic.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from :func:`~corpus_tools.topics.estimate_effect` with ``date=``.
    covariate : str, optional
        The date covariate (e.g. ``date_published``); defaults to the table's ``trend`` rows.
    robust_only : bool, default True
    ncols : int, default 3
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes per topic: a line through the estimates and a band between ``ci_low`` and
        ``ci_high``; dates whose neighbourhood holds too few documents are hollow points. A
        table without ``trend`` rows gives one axes that says so.
    """
    from matplotlib.ticker import PercentFormatter

    require_columns(table, *EFFECT_TABLE_COLUMNS)
    if not (table["quantity"] == "trend").any():
        # Reports run on corpora with and without dates: say why there is no trend rather than fail.
        fig, axes = _panels(1, ncols=1, height=1.2, width=6.0)
        axes[0].axis("off")
        axes[0].text(0.5, 0.5, "没有足够的发布日期来估计时间趋势 (no trend: too few dated documents)",
                     ha="center", va="center", fontsize=10)
        return fig
    if covariate is None:
        covariate = str(table.loc[table["quantity"] == "trend", "covariate"].iloc[0])
    rows, covariate, note = _select(table, covariate=covariate, quantity="trend", robust_only=robust_only)
    rows = rows.assign(when=pd.to_datetime(rows["level"]))
    topic_ids = list(dict.fromkeys(rows["topic"]))
    fig, axes = _panels(len(topic_ids), ncols=ncols, height=2.2)
    for ax, topic in zip(axes, topic_ids, strict=False):
        part = rows[rows["topic"] == topic].sort_values("when")
        ax.fill_between(part["when"], part["ci_low"], part["ci_high"], color="C0", alpha=0.2, linewidth=0)
        ax.plot(part["when"], part["estimate"], color="C0", linewidth=1.2)
        few = part["too_few_documents"].astype(bool).to_numpy()
        if few.any():
            ax.plot(part["when"][few], part["estimate"][few], "o", color="0.55", markerfacecolor="white", markersize=4)
        ax.set_title(str(part["label"].iloc[0]), fontsize=9)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(labelsize=7)
        ax.tick_params(axis="x", rotation=45)
    fig.suptitle(title or f"主题占比随 {covariate} 的变化（样条趋势与 95% 区间{'；' + note if note else ''}）", fontsize=10)
    return fig
