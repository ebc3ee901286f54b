"""Tests for corpus_tools.units: unit kinds, ids written and read back, unit docvars."""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.units import (
    UNITS,
    UnitId,
    check_unit,
    iter_units,
    parse_unit_id,
    unit_columns,
    unit_docvars,
    unit_id,
)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("huaiyin-2021",), {}, "huaiyin-2021"),
        (("huaiyin-2021", 3), {}, "huaiyin-2021:p003"),
        (("huaiyin-2021", 12), {"sent_no": 4}, "huaiyin-2021:p012:s04"),
        (("a", 1234), {"sent_no": 123}, "a:p1234:s123"),
        (("a", 7), {"window_no": 2}, "a:p007:w02"),
        (("a",), {"window_no": 5}, "a:w005"),
    ],
)
def test_unit_id_formats_and_parses_back(args, kwargs, expected):
    assert unit_id(*args, **kwargs) == expected
    parts = parse_unit_id(expected)
    assert parts.doc_id == args[0]
    assert parts.para_no == (args[1] if len(args) > 1 else None)
    assert parts.sent_no == kwargs.get("sent_no")
    assert parts.window_no == kwargs.get("window_no")


def test_parse_keeps_colons_inside_the_document_id():
    assert parse_unit_id("site:2021:p002") == UnitId("site:2021", 2, None, None)
    # Too few digits for a paragraph number: the whole string is a document id.
    assert parse_unit_id("x:p01") == UnitId("x:p01")


def test_bad_ids_and_combinations_are_refused():
    with pytest.raises(ValueError, match="non-empty string"):
        parse_unit_id("")
    with pytest.raises(ValueError, match="sent_no needs para_no"):
        unit_id("a", sent_no=1)
    with pytest.raises(ValueError, match="not both"):
        unit_id("a", 1, sent_no=1, window_no=1)


def test_check_unit_names_the_parameter_and_the_choices():
    assert UNITS == ("document", "paragraph", "sentence")
    assert check_unit("window", allowed=(*UNITS, "window")) == "window"
    with pytest.raises(ValueError, match=r"by must be one of \('document', 'paragraph', 'sentence'\), got 'page'"):
        check_unit("page", name="by")
    assert unit_columns("document") == ()
    assert unit_columns("paragraph") == ("para_no", "section")


def test_iter_units_numbers_paragraphs_and_sentences():
    paragraphs = [("", "学史明理。学史增信！"), ("一、组织", "学史崇德")]
    assert [(i, v, t) for i, v, t in iter_units("d", paragraphs, "paragraph")] == [
        ("d:p001", (1, ""), "学史明理。学史增信！"),
        ("d:p002", (2, "一、组织"), "学史崇德"),
    ]
    sentences = list(iter_units("d", paragraphs, "sentence", split_sentences=lambda text: text.split("。")))
    assert [(i, v) for i, v, _ in sentences] == [
        ("d:p001:s01", (1, 1, "")),
        ("d:p001:s02", (1, 2, "")),
        ("d:p002:s01", (2, 1, "一、组织")),
    ]
    assert [t for _, _, t in sentences] == ["学史明理", "学史增信！", "学史崇德"]
    assert list(iter_units("d", paragraphs, "document", document_text="全文")) == [("d", (), "全文")]
    with pytest.raises(ValueError, match="document_text"):
        list(iter_units("d", paragraphs, "document"))


def test_unit_docvars_joins_documents_and_keeps_the_units_own_columns():
    units = pd.DataFrame(
        {"doc_id": ["b", "a", "b"], "para_no": [1, 1, 2], "section": ["", "", "二"], "text": ["甲", "乙", "丙"]},
        index=pd.Index(["b:p001", "a:p001", "b:p002"], name="unit_id"),
    )
    docs = pd.DataFrame(
        {"district": ["槐荫区", "淮阴区"], "section": ["文档", "文档"]}, index=pd.Index(["a", "b"], name="doc_id")
    )
    docvars = unit_docvars(units, docs)
    assert list(docvars.index) == ["b:p001", "a:p001", "b:p002"]
    assert docvars.index.name == "unit_id"
    assert list(docvars.columns) == ["doc_id", "para_no", "section", "district"]
    assert docvars["district"].tolist() == ["淮阴区", "槐荫区", "淮阴区"]
    assert docvars["section"].tolist() == ["", "", "二"]  # the unit's own section wins
    with pytest.raises(ValueError, match="doc_id"):
        unit_docvars(units.drop(columns="doc_id"), docs)


@pytest.mark.parametrize("unit", ["paragraph", "sentence"])
def test_iter_units_numbers_as_the_corpus_does(unit):
    from corpus_tools.corpus import corpus_from_texts

    corp = corpus_from_texts({"d": "标题\n\n学史明理。学史增信！\n\n一、组织领导\n\n学史崇德，学史力行。"})
    table = corp.units(unit)
    paragraphs = corp.paragraphs()
    rows = list(iter_units("d", zip(paragraphs["section"], paragraphs["text"]), unit))
    assert [uid for uid, _, _ in rows] == list(table.index)
    assert [text for _, _, text in rows] == table["text"].tolist()
    columns = list(unit_columns(unit))
    assert [values for _, values, _ in rows] == [tuple(row) for row in table[columns].itertuples(index=False)]
