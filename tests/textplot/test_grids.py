"""Tests for corpus_tools.textplot.grids: heatmap cells, panels of top terms, line panels."""

from __future__ import annotations

import warnings
from io import BytesIO

import pandas as pd
import pytest

from corpus_tools import textplot

from .helpers import render, terms_by_district


def test_heatmap_small_grid_is_annotated():
    table = terms_by_district(3, 4).iloc[:-1]  # one missing cell stays blank
    fig = textplot.heatmap(table, x="district", y="term", value="count")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (4, 3)
    assert len(ax.texts) == 11
    assert len(fig.axes) == 2  # heatmap and colour bar
    assert [t.get_text() for t in ax.get_xticklabels()] == ["区00", "区01", "区02"]


def test_heatmap_many_rows_truncated_without_annotations():
    table = terms_by_district(3, 50)
    ax = textplot.heatmap(table, x="district", y="term", value="count", max_rows=40).axes[0]
    assert ax.images[0].get_array().shape == (40, 3)
    assert len(ax.texts) == 0
    assert "40 of 50" in ax.get_title()


def test_heatmap_rejects_duplicate_pairs():
    table = pd.DataFrame({"x": ["a", "a"], "y": ["b", "b"], "v": [1, 2]})
    with pytest.raises(ValueError, match="duplicate"):
        textplot.heatmap(table, x="x", y="y", value="v")


def test_top_terms_grid_panels_and_bars():
    table = terms_by_district(7, 5)
    fig = textplot.top_terms_grid(table, group="district", term="term", value="count", n=3, ncols=3)
    assert len(fig.axes) == 7  # two unused cells of the 3 x 3 grid are removed
    assert fig.axes[0].get_subplotspec().get_geometry()[:2] == (3, 3)
    assert [ax.get_title() for ax in fig.axes] == [f"区{g:02d}" for g in range(7)]
    assert all(len(ax.patches) == 3 for ax in fig.axes)
    # Largest value at the top: term index 4 has the highest count in every group.
    assert fig.axes[0].get_yticklabels()[0].get_text() == "学史增信4"


def test_top_terms_grid_group_with_fewer_terms_than_n():
    table = pd.DataFrame({"g": ["甲", "甲", "乙"], "term": ["学史", "明理", "增信"], "v": [2, 1, 4]})
    fig = textplot.top_terms_grid(table, group="g", term="term", value="v", n=5)
    assert [len(ax.patches) for ax in fig.axes] == [2, 1]


def test_top_terms_grid_draws_at_most_max_groups_and_says_so():
    import pandas as pd

    from corpus_tools.textplot import top_terms_grid

    table = pd.DataFrame({"group": [f"第{i}组" for i in range(30)], "term": "学史明理", "count": 1})
    fig = top_terms_grid(table, group="group", term="term", value="count", max_groups=12, title="词")
    assert len(fig.axes) == 12
    assert "另有 18 组" in fig._suptitle.get_text()


def test_line_panels_one_panel_per_column_with_marked_x():
    scores = pd.DataFrame({"k": [5, 3, 4], "c_v": [0.44, 0.41, 0.46], "c_npmi": [-0.08, -0.1, -0.05],
                           "困惑度": [290.0, 250.0, 280.0]})
    fig = textplot.line_panels(scores, x="k", ys=["c_v", "c_npmi", "困惑度"], mark_x=4,
                               mark_label="K = 4（选定）", title="主题数的选择")
    assert [ax.get_title() for ax in fig.axes] == ["c_v", "c_npmi", "困惑度"]
    line = fig.axes[0].lines[0]
    assert line.get_xdata().tolist() == [3, 4, 5]  # drawn in x order, not table order
    assert list(fig.axes[0].lines[-1].get_xdata()) == [4, 4]  # the marked K
    assert fig.legends[0].get_texts()[0].get_text() == "K = 4（选定）"
    assert render(fig) == []


def test_line_panels_hue_and_log_scale_with_zeros():
    table = pd.DataFrame({"pass": [1, 2, 3] * 2, "k": [3] * 3 + [4] * 3,
                          "topic_diff": [1.0, 0.1, 0.0, 2.0, 0.2, 0.02]})
    fig = textplot.line_panels(table, x="pass", ys=["topic_diff"], hue="k", log_y=["topic_diff"], ncols=2)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 2
    assert pd.isna(ax.lines[0].get_ydata()[-1])  # a zero leaves a gap on a log axis
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["k = 3", "k = 4"]


def test_line_panels_errors():
    table = pd.DataFrame({"k": [3, 4], "c_v": [0.4, 0.5]})
    with pytest.raises(KeyError, match="c_npmi"):
        textplot.line_panels(table, x="k", ys=["c_npmi"])
    with pytest.raises(ValueError, match="at least one"):
        textplot.line_panels(table, x="k", ys=[])
    with pytest.raises(KeyError, match="log_y"):
        textplot.line_panels(table, x="k", ys=["c_v"], log_y=["k"])


def test_heatmap_fifty_groups_stay_legible_and_long_labels_are_shortened():
    table = terms_by_district(50, 3)
    table["term"] = "“" + table["term"] + "”在全区党史学习教育动员部署会议上的提及"
    fig = textplot.heatmap(table, x="term", y="district", value="count", max_rows=50)
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (50, 3)
    ticks = ax.get_yticklabels() + ax.get_xticklabels()
    assert min(t.get_fontsize() for t in ticks) >= 7
    assert fig.get_size_inches()[1] >= 0.28 * 50
    assert all(len(t.get_text()) <= 20 for t in ax.get_xticklabels())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. constrained_layout's "axes sizes collapsed"
        fig.savefig(BytesIO(), format="png")
