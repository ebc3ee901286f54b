"""Figures of rhetoric that the general bar and grid figures cannot draw: parallelism as text.

The counts and rates of :mod:`corpus_tools.rhetoric` (frequency, inventory, formulaicness,
four-character density) are drawn with :func:`corpus_tools.textplot.heatmap`,
:func:`~corpus_tools.textplot.top_terms_grid` and :func:`~corpus_tools.textplot.interval_plot`;
this module holds the figures that show the text itself.

Moved from ``corpus_tools.rhetoric.plots`` (issue 12); the old module name and the old function
name ``parallel_figure`` keep working for one release.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from .core import BAR_COLOR, NOTE_COLOR, new_figure, renamed_figure, require_columns, short_label
from .core import use_cjk_font

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_parallel_runs", "parallel_figure"]

_MAX_ITEMS_CHARS = 46


def plot_parallel_runs(runs: pd.DataFrame, *, n: int = 14, title: str | None = None) -> Figure:
    """Show examples of parallelism: one line per run, its frame, its items and where it is.

    Parameters
    ----------
    runs : pandas.DataFrame
        Output of :func:`corpus_tools.rhetoric.parallel_runs` (``frame, run_length,
        n_frame_chars, items, unit_id`` are used).
    n : int, default 14
        Lines drawn (a count): the longest runs first, one per frame, ties broken by the
        number of frame characters, then by table order.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes without ticks; its texts are, per line, the frame with the run length, the
        items (shortened with … past 46 characters) and the paragraph id.

    Raises
    ------
    KeyError
        If `runs` lacks one of the columns used.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"frame": ["学史…"], "run_length": [4], "n_frame_chars": [2],
    ...                      "items": ["学史明理 | 学史增信 | 学史崇德 | 学史力行"], "unit_id": ["a:p001"]})
    >>> fig = plot_parallel_runs(runs)
    >>> fig.axes[0].texts[0].get_text()
    '学史… ×4'
    """
    use_cjk_font()
    require_columns(runs, "frame", "run_length", "n_frame_chars", "items", "unit_id")
    chosen = (
        runs.assign(_order=range(len(runs)))
        .sort_values(["run_length", "n_frame_chars", "_order"], ascending=[False, False, True], kind="mergesort")
        .drop_duplicates("frame")
        .head(n)
    )
    lines = max(1, len(chosen))
    fig, axes = new_figure(figsize=(10.0, 0.8 + 0.36 * lines))
    ax = axes[0, 0]
    ax.set_xlim(0, 1)
    ax.set_ylim(lines - 0.5, -0.5)
    ax.axis("off")
    for k, row in enumerate(chosen.itertuples(index=False)):
        items = short_label("、".join(str(row.items).split(" | ")), max_chars=_MAX_ITEMS_CHARS)
        ax.text(0.0, k, f"{row.frame} ×{row.run_length}", va="center", ha="left", color=BAR_COLOR,
                fontsize=10)
        ax.text(0.17, k, items, va="center", ha="left", fontsize=10)
        ax.text(1.0, k, str(row.unit_id), va="center", ha="right", color=NOTE_COLOR, fontsize=8)
    if chosen.empty:
        ax.text(0.5, 0, "no parallel runs found", ha="center", va="center", color=NOTE_COLOR)
    if title:
        ax.set_title(title, loc="left")
    return fig


parallel_figure = renamed_figure("parallel_figure", plot_parallel_runs)
