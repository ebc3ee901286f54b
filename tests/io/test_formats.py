"""Tests for corpus_tools.io.formats: Markdown and Word documents as plain lines."""

from __future__ import annotations

import pytest

from corpus_tools.corpus import read_corpus
from corpus_tools.io.formats import docx_to_text, markdown_to_text
from tests.io.articles import REPORT, REPORT_BODY


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("见[新闻](http://x.cn/a \"标题\")。", "见新闻。"),
        ("见[新闻][1]。\n\n[1]: http://x.cn", "见新闻。\n\n"),
        ("![图片](a.jpg)正文", "正文"),
        ("- 第一\n* 第二\n+ 第三", "第一\n第二\n第三"),
        ("1. 加强学习\n2. 办好实事", "1. 加强学习\n2. 办好实事"),  # ordered lists are text in Chinese reports
        ("> 引文\n>> 再引", "引文\n再引"),
        ("```\n**不动**\n```", "\n**不动**\n"),
        ("| 项目 | 数量 |\n|---|---:|\n| 宣讲 | 320 |", "项目 数量\n\n宣讲 320"),
        ("标题\n===\n\n正文\n\n---\n\n再文", "标题\n\n\n正文\n\n\n\n再文"),
        ("## 一、高位推动 ##", "## 一、高位推动"),
        ("**加粗** 和 *强调* 和 `代码` 和 ~~删除~~", "**加粗** 和 强调 和 代码 和 删除"),
        ("价格 2*3*4 元", "价格 2*3*4 元"),
        ("转义 \\*不是强调\\* 和 \\[方括号\\]", "转义 *不是强调* 和 [方括号]"),
        ("正文<br/>换行<span class=\"x\">文字</span><!-- 注释 -->", "正文换行文字"),
        ("行一\r\n- 行二\r\n", "行一\r\n行二\r\n"),  # line ends stay for clean.py to count
    ],
    ids=["link", "reference-link", "image", "bullets", "ordered", "quote", "fence", "pipe-table", "setext-and-rule",
         "closing-hashes", "emphasis", "stars-in-numbers", "escapes", "html", "crlf"],
)
def test_markdown_to_text(markdown, text):
    assert markdown_to_text(markdown)[0] == text


def test_markdown_front_matter_becomes_docvars():
    text, front, changes = markdown_to_text("---\ntitle: 标题\ndate: 2021-05-08\nauthor: 记者 张三\nsource: 网站\n---\n正文")
    assert text == "正文"
    # yaml reads the date as a date; it comes back as the ISO string it was
    assert front == {"title": "标题", "date_published": "2021-05-08", "reporters": "记者 张三", "source": "网站"}
    assert changes[0].startswith("front matter")


def test_markdown_front_matter_that_does_not_parse_stays_text():
    text, front, _ = markdown_to_text("---\ntitle: [unclosed\n---\n正文")
    assert front == {}
    assert text == "\ntitle: [unclosed\n\n正文"  # the two --- lines are rules; the words stay


def test_front_matter_is_safe_yaml(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.md").write_text(
        f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\n---\n" + REPORT, encoding="utf-8"
    )
    corpus = read_corpus(tmp_path / "corpus")
    # safe_load refuses the tag: nothing ran, and the block stays in the text as data
    assert not marker.exists()
    assert corpus.texts["a"].endswith(REPORT_BODY)
    assert f"os.system ['touch {marker}']" in corpus.raw_texts["a"]


def test_front_matter_docvars_with_evidence(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: 给定的标题\nsource: 某网站\n---\n" + REPORT, encoding="utf-8")
    corpus = read_corpus(tmp_path)
    row = corpus.docvars.loc["a"]
    assert (row["title"], row["title_evidence"]) == ("给定的标题", "front matter")
    assert row["front_matter_source"] == "某网站"  # 'source' is reading's own docvar
    assert row["source"] == "a.md"


def test_docx_merged_cells_and_empty_paragraphs():
    from docx import Document
    import io

    document = Document()
    document.add_paragraph("第一段")
    document.add_paragraph("")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "甲", "乙"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "合并"
    document.add_paragraph("末段")
    buffer = io.BytesIO()
    document.save(buffer)
    text, hints, n_tables = docx_to_text(buffer.getvalue())
    # two empty paragraphs: two more blank lines; a merged cell once
    assert text == "第一段\n\n\n\n甲\n\n乙\n\n合并\n\n末段"
    assert (hints, n_tables) == ({}, 1)


def test_not_a_docx():
    with pytest.raises(ValueError, match="not a valid Word .docx file"):
        docx_to_text(b"just text")
