"""Tests for corpus_tools.io.html: the article of an HTML page."""

from __future__ import annotations

from corpus_tools.io.html import html_to_text
from tests.io.articles import REPORT, REPORT_BODY


def test_html_layout_table_keeps_its_paragraphs():
    page = (
        "<html><body><table><tr><td><a href='/'>首页</a></td></tr><tr><td>"
        + "".join(f"<p>{line}</p>" for line in REPORT.split("\n") if line)
        + "</td></tr></table></body></html>"
    )
    text, _, stats = html_to_text(page)
    assert text.split("\n\n") == [line for line in REPORT.split("\n") if line]
    assert stats["method"] == "trafilatura"


def test_html_with_no_article_falls_back_to_the_visible_text():
    # trafilatura takes a footer for boilerplate and returns nothing; nothing is lost
    text, _, stats = html_to_text("<html><body><footer>版权所有 丁县新闻网<br>主办单位：县委宣传部</footer></body></html>")
    assert (text, stats["method"]) == ("版权所有 丁县新闻网\n\n主办单位：县委宣传部", "visible-text")


def test_html_with_an_xml_declaration():
    page = '<?xml version="1.0" encoding="utf-8"?><html><body><h1>标题</h1><p>' + REPORT_BODY + "</p></body></html>"
    text, _, _ = html_to_text(page)
    assert text.startswith("标题\n\n党史学习教育")
