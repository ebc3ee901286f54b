"""Tests for corpus_tools/overview.py: the tables behind the corpus-overview report."""

from __future__ import annotations

import pandas as pd

from corpus_tools import overview
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.structure import BLOCK_KINDS


def test_corpus_table_has_one_row_per_document_and_a_group(seeds):
    table = overview.corpus_table(seeds, group_by="district")
    assert table["doc_id"].tolist() == seeds.doc_ids
    assert dict(zip(table["doc_id"], table["group"]))["jinan-city"] == "济南市（全市）"
    assert (table["n_chars_body"] < table["n_chars_raw"]).all()
    assert table["body_share"].between(0, 1).all()


def test_size_table_accounts_for_every_block_character(seeds):
    sizes = overview.size_table(seeds)
    assert set(sizes["kind"].astype(str)) <= set(BLOCK_KINDS)
    per_doc = sizes.groupby("doc_id", observed=True)["n_chars"].sum()
    assert (per_doc == seeds.blocks.groupby("doc_id")["n_chars"].sum().reindex(per_doc.index)).all()
    body = sizes[sizes["kind"] == "body"].set_index("doc_id")["n_chars"]
    # texts joins body paragraphs with one newline each
    expected = seeds.texts.str.len() - (seeds.docvars["n_paragraphs"] - 1)
    assert (body.reindex(expected.index) == expected).all()


def test_quality_table_fills_zeros_for_rules_a_document_did_not_need(seeds):
    table = overview.quality_table(seeds)
    pinyin = table[table["rule"] == "pinyin_readings"].set_index("doc_id")["count"]
    assert pinyin["jinan-city"] > 0
    assert (pinyin.drop("jinan-city") == 0).all()
    assert len(table) == len(seeds) * table["rule"].nunique()


def test_separated_blocks_hold_no_body():
    corpus = corpus_from_texts({"a": "标题\n\n本报记者 张三\n\n正文第一段，内容很长很长。\n\n\n\n图片说明。"})
    separated = overview.separated_blocks(corpus)
    assert "body" not in set(separated["kind"])
    assert set(separated["kind"]) == {"title", "byline", "caption"}


def test_before_after_defaults_to_the_most_changed_document(seeds):
    table = overview.before_after(seeds, n_chars=50)
    assert table["doc_id"].unique().tolist() == ["jinan-city"]
    raw, clean = table.set_index("version")["excerpt"]
    assert "(xué)" in raw and "(xué)" not in clean
    try:
        overview.before_after(seeds, "no-such-doc")
    except KeyError as error:
        assert "no-such-doc" in str(error)
    else:
        raise AssertionError("an unknown doc_id must raise KeyError")
