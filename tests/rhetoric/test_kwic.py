"""Tests for corpus_tools.rhetoric.kwic: keywords in context, the view and the widget.
"""

from __future__ import annotations

import pytest

from corpus_tools import rhetoric

from .helpers import corpus

# --------------------------------------------------------------------------------------- KWIC


def test_kwic_literal_across_quotes_and_within_the_paragraph():
    corp = corpus("各级党组织做好“七个一”。\n\n推进七个一活动，效果很好。")
    table = rhetoric.kwic(corp, "七个一", window=6)
    assert list(table.columns) == list(rhetoric.KWIC_COLUMNS)
    assert table["match"].tolist() == ["“七个一”", "七个一"]
    assert table["unit_id"].tolist() == ["t0:p001", "t0:p002"]
    assert table["left"].tolist() == ["级党组织做好", "推进"]  # six characters, or back to the paragraph start
    assert table["right"].tolist() == ["。", "活动，效果很"]  # never into the next paragraph


def test_kwic_registry_entry_regex_and_several_queries():
    corp = corpus("坚持学史明理、学史增信，学史力行。推动走深走实。")
    table = rhetoric.kwic(corp, ["xueshi-siju", "走深走实"])
    assert list(zip(table["query"], table["match"])) == [
        ("xueshi-siju", "学史明理、学史增信，学史力行"), ("走深走实", "走深走实")]
    regex = rhetoric.kwic(corp, r"学史\w\w", regex=True)
    assert regex["match"].tolist() == ["学史明理", "学史增信", "学史力行"]
    assert rhetoric.kwic(corp, "七个一").empty


def test_kwic_view_and_explorer_without_a_jupyter_server(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    corp = corpus("坚持学史明理。")
    table = rhetoric.kwic(corp, "学史明理")
    view = rhetoric.kwic_view(table)
    assert "学史明理" in view.to_html() and view.caption == "1 hits"
    shown = rhetoric.kwic_explorer(corp, table)
    assert type(shown).__name__ == "Styler"


def test_kwic_widget_in_jupyterlab():
    widgets = pytest.importorskip("ipywidgets")
    corp = corpus("坚持学史明理。")
    box = rhetoric.kwic_explorer(corp, rhetoric.kwic(corp, "学史明理"), interactive=True)
    assert isinstance(box, widgets.VBox)
    search, output = box.children[0].children[0], box.children[1]
    assert search.value == "学史明理" and "学史明理" in output.value
    search.value = "无此词"
    assert "0 hits" in output.value


def test_kwic_view_escapes_corpus_text():
    """Corpus text is data: markup in an article must reach the report as text, not as HTML."""
    from corpus_tools.corpus import corpus_from_texts
    from corpus_tools.rhetoric import kwic, kwic_view

    corpus = corpus_from_texts(
        {"evil": "甲区开展学史明理活动，<script>alert(1)</script>学史明理<img src=x onerror=alert(2)>。"}
    )
    markup = kwic_view(kwic(corpus, "学史明理", window=30)).to_html()
    assert "<script>" not in markup and "<img" not in markup
    assert "&lt;script&gt;" in markup
