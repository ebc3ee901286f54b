"""Tests for corpus_tools.textplot.rhetoric (formerly corpus_tools.rhetoric.plots): parallelism
drawn as text, and the rhetoric tables drawn with the general figures."""

from __future__ import annotations

import importlib
import sys

import pandas as pd
import pytest
from matplotlib.figure import Figure

from corpus_tools import rhetoric, textplot
from corpus_tools.textplot.rhetoric import plot_parallel_runs

from ..rhetoric.conftest import seed_runs, seeds_grouped  # noqa: F401  (fixtures shared with the rhetoric tests)


def test_parallel_figure_and_interval_plot(seed_runs, seeds_grouped):
    fig = rhetoric.plot_parallel_runs(seed_runs, n=5, title="排比")
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].texts) == 15  # frame, items, place for five runs
    table = rhetoric.formulaicness(seeds_grouped, n_boot=50)
    fig = textplot.interval_plot(table, y="group", x="formulaicness", low="ci_low", high="ci_high", hue="component")
    assert len(fig.axes[0].containers) == 5
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"]
    with pytest.raises(ValueError, match="repeated"):
        textplot.interval_plot(table, y="group", x="formulaicness", low="ci_low", high="ci_high")


def _runs() -> pd.DataFrame:
    # Two runs of the same frame (the longer is kept) and a shorter one of another frame.
    return pd.DataFrame({
        "frame": ["学史…", "学史…", "…实事"],
        "run_length": [3, 4, 3],
        "n_frame_chars": [2, 2, 2],
        "items": ["学史明理 | 学史增信 | 学史崇德", "学史明理 | 学史增信 | 学史崇德 | 学史力行", "办实事 | 做实事 | 干实事"],
        "unit_id": ["a:p001", "b:p002", "c:p003"],
    })


def test_plot_parallel_runs_draws_the_longest_run_of_each_frame_first():
    ax = plot_parallel_runs(_runs()).axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["学史… ×4", "学史明理、学史增信、学史崇德、学史力行", "b:p002",
                     "…实事 ×3", "办实事、做实事、干实事", "c:p003"]


def test_plot_parallel_runs_cuts_long_items_and_names_missing_columns():
    runs = _runs().head(1).assign(items=" | ".join(["我为群众办实事实践活动"] * 6))
    items = plot_parallel_runs(runs).axes[0].texts[1].get_text()
    assert len(items) == 46 and items.endswith("…")
    with pytest.raises(KeyError, match="n_frame_chars"):
        plot_parallel_runs(_runs().drop(columns="n_frame_chars"))


def test_old_name_and_old_module_still_work(monkeypatch):
    # Imported afresh (not from the module cache), so that its warning is raised here and checked.
    monkeypatch.delitem(sys.modules, "corpus_tools.rhetoric.plots", raising=False)
    with pytest.warns(FutureWarning, match="corpus_tools.rhetoric.plots has moved to corpus_tools.textplot.rhetoric"):
        plots = importlib.import_module("corpus_tools.rhetoric.plots")

    assert plots is textplot.rhetoric
    with pytest.warns(FutureWarning, match="parallel_figure\\(\\) is renamed plot_parallel_runs"):
        fig = rhetoric.parallel_figure(_runs(), n=1)
    assert len(fig.axes[0].texts) == 3
