"""Tests for corpus_tools.textplot.topics: the figures of topic prevalence, drawn from estimate_effect's table."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.textplot.topics import plot_effects

from ..topics.helpers import effects_table_of_three_topics


@pytest.fixture(scope="module")
def three_topic_table() -> pd.DataFrame:
    return effects_table_of_three_topics()


def test_plot_effects_draws_robust_topics_and_marks_small_groups(three_topic_table):
    fig = plot_effects(three_topic_table)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["1", "2"]
    labels = [t.get_text() for t in visible[0].get_yticklabels()]
    assert labels == ["丙县 (2)", "乙县 (15)", "甲县 (15)"]
    # One filled container for the readable groups, one hollow for 丙县.
    assert len(visible[0].containers) == 2
    assert "空心点" in fig._suptitle.get_text()
    everything = plot_effects(three_topic_table, robust_only=False, quantity="difference")
    assert sum(ax.get_visible() for ax in everything.axes) == 3


def test_plot_effects_shows_every_topic_when_none_is_robust(three_topic_table):
    none_robust = three_topic_table.assign(robust=pd.array([False] * len(three_topic_table), dtype="boolean"))
    fig = plot_effects(none_robust, by_label="district")
    assert sum(ax.get_visible() for ax in fig.axes) == 3
    assert "无稳健主题" in fig._suptitle.get_text() and "按 district" in fig._suptitle.get_text()


def test_plot_effects_keeps_the_levels_with_most_documents(three_topic_table):
    fig = plot_effects(three_topic_table, max_levels=2)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # 乙县 and 甲县 have 15 documents each, 丙县 2: the figure keeps the two, in table order.
    assert labels == ["乙县 (15)", "甲县 (15)"]
    assert "共 3 个，1 个未显示" in fig._suptitle.get_text()
    assert all(len(line.get_ydata()) <= 2 for ax in fig.axes for line in ax.lines if ax.get_visible())
    with pytest.raises(ValueError, match="at least 1"):
        plot_effects(three_topic_table, max_levels=0)
