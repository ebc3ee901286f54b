"""Template vs stock phrase in shared passages: which rule decided, and shared bylines.

Constructed texts: a central sentence that reports quote (a stock phrase when the reference list
holds it), a sentence copied between two reports only (a template), and bylines.
"""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.compare import shared_passages
from corpus_tools.compare.reuse import RULES
from corpus_tools.corpus import corpus_from_texts

CENTRAL = "把学习党史同总结经验观照现实推动工作结合起来"  # 22 Han characters, quoted by two reports
COPIED = "区委理论学习中心组围绕百年党史开展专题研讨形成调研报告十二篇"  # copied by two reports


@pytest.fixture()
def corp():
    corp = corpus_from_texts({
        "甲": f"甲区召开会议。{CENTRAL}。随后，{COPIED}。甲区还开展了志愿服务。",
        "乙": f"乙县部署工作。{COPIED}，效果明显。{CENTRAL}，乙县干部群众深受鼓舞。",
        "丙": "丙市举办红色故事会，组织青少年参观革命旧址，讲述英雄人物事迹。",
    })
    corp.docvars["reporters"] = ["王五；赵六", "王五", "孙七"]
    corp.docvars["outlet"] = ["某某日报", "某某晚报", "某某日报"]
    return corp


def _by_text(passages, needle):
    hit = passages[passages["text_a"].str.contains(needle)]
    assert len(hit) == 1, passages[["text_a", "rule"]]
    return hit.iloc[0]


def test_without_references_both_passages_are_templates(corp):
    passages = shared_passages(corp, registry=None, progress=False)
    assert set(passages["rule"]) == {"few_documents"}
    assert set(passages["kind"]) == {"template"}


def test_a_passage_in_a_reference_text_is_a_stock_phrase(corp, tmp_path):
    reference = f"中央通知：要{CENTRAL}，做到学史明理。"
    for given in ({"中央通知": reference}, [reference], tmp_path / "ref.txt", tmp_path):
        (tmp_path / "ref.txt").write_text(reference, encoding="utf-8")
        passages = shared_passages(corp, registry=None, reference_texts=given, progress=False)
        central = _by_text(passages, CENTRAL[:10])
        copied = _by_text(passages, COPIED[:10])
        assert (central["kind"], central["rule"]) == ("formula", "reference")
        assert (copied["kind"], copied["rule"]) == ("template", "few_documents")


def test_a_passage_in_many_documents_says_so(corp):
    passages = shared_passages(corp, registry=None, formula_min_docs=2, formula_min_share=0.0, progress=False)
    assert set(passages["rule"]) == {"many_documents"}
    assert list(RULES) == ["reference", "registry", "many_documents", "few_documents"]


def test_shared_reporter_is_named_beside_the_passage(corp):
    passages = shared_passages(corp, registry=None, progress=False)
    assert set(passages["shared_byline"]) == {"reporter 王五"}  # different outlets, one reporter


def test_a_shared_role_word_is_not_a_shared_reporter(corp):
    corp.docvars["reporters"] = ["通讯员；王五", "通讯员", "孙七"]
    corp.docvars["outlet"] = ["某某日报", "某某晚报", ""]
    passages = shared_passages(corp, registry=None, progress=False)
    assert set(passages["shared_byline"]) == {""}


def test_no_byline_docvars_leaves_the_column_empty():
    corp = corpus_from_texts({"甲": f"甲区。{COPIED}。", "乙": f"乙县。{COPIED}。"})
    for column in ("reporters", "outlet"):
        if column in corp.docvars:
            del corp.docvars[column]
    passages = shared_passages(corp, registry=None, progress=False)
    assert passages["shared_byline"].tolist() == [""]


def test_reference_path_that_does_not_exist(corp, tmp_path):
    with pytest.raises(FileNotFoundError, match="reference_texts"):
        shared_passages(corp, registry=None, reference_texts=tmp_path / "missing.txt", progress=False)
