"""Tests for corpus_tools/reports/overview.py: the tables behind the corpus-overview report."""

from __future__ import annotations

import pandas as pd

from corpus_tools.reports import overview
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.corpus.structure import BLOCK_KINDS


def test_corpus_table_has_one_row_per_document_and_a_group(seeds):
    table = overview.corpus_table(seeds, by="district")
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


# --------------------------------------------------------------------------- what reading could not do

REPORT = (
    "甲区召开党史学习教育动员大会\n\n发布日期：2021-03-05\n\n记者 张三\n\n"
    "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，组织党员干部深入学习。\n\n"
    "甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。\n"
)


def _messy_corpus(tmp_path):
    import codecs

    from corpus_tools.corpus import read_corpus

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b-bom.txt").write_bytes(codecs.BOM_UTF8 + REPORT.encode("utf-8"))
    (tmp_path / "c.md").write_text(REPORT.replace("记者 张三", "[记者 张三](http://x.cn)"), encoding="utf-8")
    (tmp_path / "d-extra.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "e-empty.txt").write_bytes(b"")
    (tmp_path / "f-short.txt").write_text("学史明理。", encoding="utf-8")
    (tmp_path / "g.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "metadata.csv").write_text(
        "doc_id,file\na,a.txt\nb,b-bom.txt\nc,c.md\ne,e-empty.txt\nf,f-short.txt\n", encoding="utf-8"
    )
    return read_corpus(tmp_path, on_error="skip")


def test_problems_table_lists_every_skipped_kept_altered_and_ignored_item(tmp_path):
    corpus = _messy_corpus(tmp_path)
    assert corpus.doc_ids == ["a", "b", "c", "d-extra"]
    table = overview.problems_table(corpus)
    assert list(table.columns) == ["action", "source", "doc_id", "step", "rule", "count", "detail"]
    # the most serious first: skipped, then kept despite a problem, then altered, then ignored
    assert table[["action", "source", "doc_id", "rule"]].values.tolist() == [
        ["skipped", "e-empty.txt", "e", "skipped_empty"],
        ["skipped", "f-short.txt", "f", "skipped_too_short"],
        ["kept", "d-extra.txt", "d-extra", "file_without_manifest_row"],
        ["altered", "b-bom.txt", "b", "bom_removed"],
        ["altered", "c.md", "c", "markdown_markup"],
        ["ignored", "g.pdf", "", "ignored_unsupported_format"],
    ]
    assert (table["step"] == "read").all()
    assert "e-empty.txt: the file is empty" in table.loc[0, "detail"]


def test_problems_table_of_a_clean_corpus_is_empty(seeds):
    assert overview.problems_table(seeds).empty


def test_quality_table_is_about_documents_only(tmp_path):
    corpus = _messy_corpus(tmp_path)
    table = overview.quality_table(corpus)
    assert set(table["doc_id"]) == set(corpus.doc_ids)
    assert not table["rule"].str.startswith(("skipped_", "ignored_")).any()
    bom = table[table["rule"] == "bom_removed"].set_index("doc_id")["count"]
    assert bom.to_dict() == {"a": 0, "b": 1, "c": 0, "d-extra": 0}


def test_subset_keeps_what_reading_skipped(tmp_path):
    corpus = _messy_corpus(tmp_path)
    sub = corpus.subset(["c"])
    pd.testing.assert_frame_equal(sub.problems, corpus.problems)
    assert overview.problems_table(sub)["source"].tolist() == ["e-empty.txt", "f-short.txt", "d-extra.txt", "c.md", "g.pdf"]


def test_corpus_table_says_where_each_document_came_from(tmp_path):
    corpus = _messy_corpus(tmp_path)
    table = overview.corpus_table(corpus, by="district")
    assert table["source"].tolist() == ["a.txt", "b-bom.txt", "c.md", "d-extra.txt"]
    assert table["format"].tolist() == ["txt", "txt", "md", "txt"]


def test_metadata_table_says_where_each_value_came_from(seeds_dir):
    from corpus_tools import read_corpus
    from corpus_tools.reports.overview import metadata_table

    inferred = metadata_table(read_corpus(seeds_dir, metadata=False)).set_index(["doc_id", "field"])
    row = inferred.loc[("000_bb6f8de1c4a960c6", "district")]
    assert (row["value"], row["origin"]) == ("槐荫区", "inferred")
    assert "槐荫" in row["evidence"] and 0.5 < row["confidence"] <= 1.0
    assert pd.isna(inferred.loc[("000_bb6f8de1c4a960c6", "title"), "confidence"])
    # the Wulong report does not decide its locality: missing, with the reason as evidence
    wulong = inferred.loc[("004_482eecf055e9753a", "province")]
    assert wulong["origin"] == "missing" and "no decisive mention" in wulong["evidence"]

    stated = metadata_table(read_corpus(seeds_dir)).set_index(["doc_id", "field"])
    assert stated.loc[("chongqing-wulong", "district"), ["value", "origin", "confidence"]].tolist() == [
        "武隆区", "manifest", 1.0
    ]


def test_a_title_every_table_row_states_is_shown_as_stated_not_inferred(tmp_path):
    body = "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，扎实开展我为群众办实事实践活动。" * 2
    path = tmp_path / "export.csv"
    pd.DataFrame({"id": ["a", "b"], "标题": ["甲区学党史", "乙区办实事"], "title": ["", ""],
                  "text": [body, body.replace("甲区", "乙区")]}).drop(columns="title").to_csv(path, index=False)
    from corpus_tools.corpus import read_corpus
    from corpus_tools.reports.overview import metadata_table

    table = metadata_table(read_corpus(path))
    titles = table[table["field"] == "title"].set_index("doc_id")
    assert titles["value"].to_dict() == {"a": "甲区学党史", "b": "乙区办实事"}
    assert set(titles["origin"]) == {"table"}
