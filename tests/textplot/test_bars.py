"""Tests for corpus_tools.textplot.bars: bars, their order, their labels and the row cap."""

from __future__ import annotations

import warnings
from io import BytesIO

import pandas as pd
import pytest

from corpus_tools import textplot

from .helpers import CHINESE


def test_barh_sorts_largest_first():
    table = pd.DataFrame({"district": CHINESE, "count": [5, 3, 8, 1, 2]})
    ax = textplot.barh(table, y="district", x="count").axes[0]
    assert len(ax.patches) == 5
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["我为群众办实事", "槐荫区", "学史明理", "学史增信", "历下区"]
    assert ax.get_xlabel() == "count"


def test_barh_keeps_table_order_when_not_sorted():
    table = pd.DataFrame({"district": CHINESE, "count": [5, 3, 8, 1, 2]})
    ax = textplot.barh(table, y="district", x="count", sort=False).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == CHINESE


def test_barh_truncates_fifty_groups_with_note():
    table = pd.DataFrame({"district": [f"区{i:02d}" for i in range(50)], "count": range(50)})
    ax = textplot.barh(table, y="district", x="count", title="各区", max_bars=40).axes[0]
    assert len(ax.patches) == 40
    title = ax.get_title()
    assert title.startswith("各区") and "40 of 50" in title and "10 left out" in title
    # The ten smallest were dropped.
    assert "区09" not in [t.get_text() for t in ax.get_yticklabels()]


def test_barh_rejects_repeated_labels():
    table = pd.DataFrame({"district": ["槐荫区", "槐荫区"], "count": [1, 2]})
    with pytest.raises(ValueError, match="aggregate"):
        textplot.barh(table, y="district", x="count")


def test_barh_names_missing_column():
    with pytest.raises(KeyError, match="nope"):
        textplot.barh(pd.DataFrame({"a": [1]}), y="nope", x="a")


@pytest.mark.parametrize("stacked", [False, True])
def test_grouped_barh_bar_count_and_legend(stacked):
    table = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b", "c"],  # ("c", "删除的块") is missing: drawn as 0
            "kind": ["正文", "删除的块", "正文", "删除的块", "正文"],
            "n_chars": [10, 2, 30, 1, 5],
        }
    )
    ax = textplot.grouped_barh(table, y="doc_id", x="n_chars", hue="kind", stacked=stacked).axes[0]
    assert len(ax.containers) == 2
    assert len(ax.patches) == 3 * 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["正文", "删除的块"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a", "c"]
    if stacked:
        # The second part starts where the first ends.
        first, second = ax.containers
        assert second.patches[0].get_x() == pytest.approx(first.patches[0].get_width())


def test_grouped_barh_truncates_fifty_groups():
    table = pd.DataFrame(
        {
            "doc_id": [f"doc{i:02d}" for i in range(50) for _ in range(2)],
            "kind": ["正文", "删除的块"] * 50,
            "n_chars": [i for i in range(50) for _ in range(2)],
        }
    )
    ax = textplot.grouped_barh(table, y="doc_id", x="n_chars", hue="kind", max_bars=40).axes[0]
    assert len(ax.patches) == 40 * 2
    assert "10 left out" in ax.get_title()


# --------------------------------------------------------------------------------------------
# Legibility with many groups and long labels (issue 18)
# --------------------------------------------------------------------------------------------


def _long_labels(n: int) -> pd.DataFrame:
    return pd.DataFrame({"district": [f"第{i:02d}号济南市槐荫区人民政府办公室学史明理专题" for i in range(n)],
                         "count": range(n)})


def test_barh_fifty_groups_stay_legible():
    table = _long_labels(50)
    small = textplot.barh(table.head(5), y="district", x="count")
    fig = textplot.barh(table, y="district", x="count", max_bars=50)
    ax = fig.axes[0]
    assert len(ax.patches) == 50
    assert min(t.get_fontsize() for t in ax.get_yticklabels()) >= 7
    # The figure grows with the rows: at least 0.28 in per bar.
    assert fig.get_size_inches()[1] >= 0.28 * 50
    assert fig.get_size_inches()[1] > small.get_size_inches()[1]


@pytest.mark.parametrize("draw", ["barh", "grouped_barh", "interval_plot"])
def test_long_labels_are_shortened_without_collapsing_the_layout(draw):
    table = _long_labels(12).assign(kind="正文", low=0.0, high=20.0)
    options = {"grouped_barh": {"hue": "kind"}, "interval_plot": {"low": "low", "high": "high"}}.get(draw, {})
    fig = getattr(textplot, draw)(table, y="district", x="count", **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # constrained_layout's "axes sizes collapsed" is a UserWarning
        fig.savefig(BytesIO(), format="png")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all(len(text) <= 20 and text.endswith("…") for text in labels)
    full = set(table["district"])
    assert all(any(name.startswith(text[:-1]) for name in full) for text in labels)
    assert len(set(labels)) == len(labels)


def test_max_label_chars_keeps_whole_labels():
    table = _long_labels(3)
    ax = textplot.barh(table, y="district", x="count", sort=False, max_label_chars=40).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == table["district"].tolist()
