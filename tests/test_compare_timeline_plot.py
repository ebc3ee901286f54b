"""The timeline figure's axis covers the campaign window; events outside it are counted, not drawn."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd

from corpus_tools.compare.timeline import plot_timeline


def _events():
    return pd.DataFrame({
        "group": ["甲区", "甲区", "乙县", "乙县"],
        "date_start": pd.to_datetime(["1927-08-01", "2021-03-11", "2021-04-02", "1949-10-01"]),
        "date_end": pd.to_datetime(["1927-08-01", "2021-03-11", "2021-04-02", "1949-10-01"]),
        "date_precision": ["day"] * 4,
        "is_mobilisation": [False, True, False, False],
        "event": ["南昌起义", "动员大会召开", "读书班", "开国大典"],
    })


def test_axis_is_the_campaign_window_and_history_is_counted_in_the_title():
    fig = plot_timeline(_events(), title="时间线")
    ax = fig.axes[0]
    low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert (low, high) == (pd.Timestamp("2021-01-01"), pd.Timestamp("2022-01-31"))
    assert "2 event(s) outside 2021-01-01–2022-01-31 not drawn" in ax.get_title()
    labels = [t.get_text() for t in ax.texts]
    assert "南昌起义" not in labels and "开国大典" not in labels and "读书班" in labels


def test_window_none_spans_every_event():
    ax = plot_timeline(_events(), window=None).axes[0]
    low, _ = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert low.year <= 1927
    assert "outside" not in ax.get_title()
