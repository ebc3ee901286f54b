"""Figures built from the tidy tables that the analyses return.

Every function takes a tidy DataFrame plus the names of the columns to draw, and returns a
:class:`matplotlib.figure.Figure`. Nothing here saves or shows a figure: notebooks display the
returned object and save it with :func:`corpus_tools.reports.save_figure`.

Chinese text is drawn with Noto Sans CJK SC, shipped by the ``mplfonts`` package, so figures
render the same on machines with no CJK system font (see :func:`use_cjk_font`).

Modules, one family of figures each:

``core``      the primitives every figure uses: font, figure, sizes, labels, table checks
``bars``      :func:`barh`, :func:`grouped_barh`, :func:`interval_plot`
``grids``     :func:`heatmap`, :func:`top_terms_grid`, :func:`line_panels`
``compare``   comparison of groups: similarity, dendrogram, keyness, profiles
``rhetoric``  parallelism drawn as text
``topics``    topic-model figures

The general figures (``bars``, ``grids``) are named after the chart they draw and take the
names of the columns to draw; the figures of one analysis (``compare``, ``rhetoric``,
``topics``) are named ``plot_<what>`` and take that analysis's table.

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

from .bars import barh, grouped_barh, interval_plot
from .core import (
    empty_figure,
    figure_height,
    label,
    label_fontsize,
    new_figure,
    short_label,
    use_cjk_font,
)
from .grids import heatmap, line_panels, top_terms_grid

__all__ = [
    "use_cjk_font",
    "barh",
    "grouped_barh",
    "heatmap",
    "top_terms_grid",
    "interval_plot",
    "line_panels",
    "new_figure",
    "empty_figure",
    "figure_height",
    "label",
    "label_fontsize",
    "short_label",
]
