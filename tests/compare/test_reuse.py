"""Tests for corpus_tools.compare.reuse: shared passages, coverage, matrix, figures.

Known answers come from constructed corpora (the shared passage is planted, so its span is
known) and from reading the seeds: the strings quoted below were found by reading the five
texts side by side, not copied from the code's output.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
import pytest

from corpus_tools.compare.reuse import (
    PASSAGE_COLUMNS,
    RULES,
    normalise,
    plot_reuse_coverage,
    plot_reuse_matrix,
    reuse_coverage,
    reuse_matrix,
    shared_passages,
)
from corpus_tools.compare.shingles import PairSearch
from corpus_tools.corpus import corpus_from_texts

HAN = re.compile(r"[\u4e00-\u9fff]")

PLANTED_A = "区委成立了领导小组，区委主要领导同志任组长，相关区领导任副组长，有关部门主要负责同志为成员。"
PLANTED_B = "区委成立了领导小组；区委主要领导同志任组长、“相关区领导”任副组长，有关部门主要负责同志为成员！"
FORMULA = "学史明理、学史增信、学史崇德、学史力行"


@pytest.fixture(scope="module")
def planted():
    """A and B share one sentence (written with different punctuation); C and D are unrelated
    reports that share only the campaign formula 学史明理、学史增信、学史崇德、学史力行."""
    return corpus_from_texts({
        "A": "甲县今年开展了多项工作，效果明显。" + PLANTED_A + "另外还组织了读书活动。",
        "B": "乙区的情况有所不同。" + PLANTED_B + "其余部分与此无关。",
        "C": "丙市组织开展红色研学，参观革命旧址。全市坚持" + FORMULA + "，推进各项工作。",
        "D": "丁镇修缮了老街的石桥，方便村民出行。镇里要求学史明理，学史增信，学史崇德，学史力行，把实事办好。",
    })


def _pairs(passages: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(passages["doc_a"], passages["doc_b"]))


def test_planted_passage_is_found_with_its_span(planted):
    passages = shared_passages(planted)
    ab = passages[(passages["doc_a"] == "A") & (passages["doc_b"] == "B")]
    assert len(ab) == 1
    row = ab.iloc[0]
    text_a, text_b = planted.texts["A"], planted.texts["B"]
    # the passage runs from 区委成立 to 为成员: the final 。/！ is punctuation, not matched text
    assert row["start_a"] == text_a.index("区委成立")
    assert row["end_a"] == text_a.index("为成员") + len("为成员")
    assert row["start_b"] == text_b.index("区委成立")
    assert row["end_b"] == text_b.index("为成员") + len("为成员")
    assert row["text_a"] == PLANTED_A[:-1]
    assert row["n_chars"] == len(HAN.findall(PLANTED_A))
    assert row["n_docs_sharing"] == 2
    assert row["kind"] == "template"


def test_unrelated_texts_share_nothing_but_the_formula(planted):
    passages = shared_passages(planted)
    assert _pairs(passages) == {("A", "B"), ("C", "D")}
    cd = passages[passages["doc_a"] == "C"].iloc[0]
    assert normalise(cd["text_a"])[0] == "学史明理学史增信学史崇德学史力行"
    assert cd["text_b"] == "学史明理，学史增信，学史崇德，学史力行"
    # only two documents hold it: it is a formula because the rhetoric registry lists it
    assert cd["n_docs_sharing"] == 2
    assert cd["registry_share"] == pytest.approx(1.0)
    assert cd["kind"] == "formula"
    without_registry = shared_passages(planted, registry=None)
    assert set(without_registry["kind"]) == {"template"}


# One sentence that three reports repeat between their own openings and endings.
SHARED_SENTENCE = "全区各级党组织迅速行动，召开动员大会，出台文件、制定计划。"


def _three_reports(frames: dict[str, tuple[str, str]]):
    return corpus_from_texts({doc_id: head + SHARED_SENTENCE + tail for doc_id, (head, tail) in frames.items()})


def test_a_passage_in_many_documents_is_a_formula():
    corp = _three_reports({
        "a": ("甲区的报道开头。", "甲区的结尾。"),
        "b": ("乙县的报道开头。", "乙县的结尾。"),
        "c": ("丙市的报道开头。", "丙市的结尾。"),
    })
    passages = shared_passages(corp, registry=None, formula_min_docs=3)
    assert len(passages) == 3  # every pair of the three documents
    assert set(passages["n_docs_sharing"]) == {3}
    assert set(passages["kind"]) == {"formula"}
    stricter = shared_passages(corp, registry=None, formula_min_docs=4, max_pair_docs=4)
    assert set(stricter["kind"]) == {"template"}
    # The documented columns in their order, and one string for a passage however many rows show it.
    assert tuple(passages.columns) == PASSAGE_COLUMNS
    assert passages["doc_a"].dtype == object and passages["text_a"].dtype == object
    texts = [*passages["text_a"], *passages["text_b"]]
    assert len(set(texts)) == 1 and len({id(text) for text in texts}) == 1
    # a share threshold above 3 of 3 documents also keeps it a template
    assert set(shared_passages(corp, registry=None, formula_min_share=1.01)["kind"]) == {"template"}


def test_shingles_in_too_many_documents_are_reported_once_per_document():
    corp = _three_reports({"甲": ("甲区的报道开头。", "甲区就此收尾。"), "乙": ("乙县消息称。", "另有安排。"),
                           "丙": ("丙市日前。", "其他从略。")})
    passages = shared_passages(corp, registry=None, formula_min_docs=2, max_pair_docs=2)
    assert len(passages) == 3
    assert passages["doc_b"].isna().all()
    assert sorted(passages["doc_a"]) == ["丙", "乙", "甲"]
    assert set(passages["n_docs_sharing"]) == {3}
    assert set(passages["kind"]) == {"formula"}
    coverage = reuse_coverage(corp, passages, by="doc_id")
    expected = len(SHARED_SENTENCE) - 1  # up to 计划, the final 。 is not matched
    assert coverage["n_chars_formula"].tolist() == [expected] * 3
    assert coverage["n_partners"].tolist() == [0, 0, 0]


def test_coverage_counts_overlapping_passages_once():
    first = "全区各级党组织迅速行动召开动员大会出台文件"
    second = "制定计划全区党史学习教育迅速展开掀起热潮"
    corp = corpus_from_texts({
        "x": "某地消息。" + first + second + "。其余内容很长很长。",
        "y": "另一篇报道。" + first + second[:6] + "。完全不同的结尾。",
        "z": "第三篇文章。" + first[-6:] + second + "。又是别的话。",
    })
    passages = shared_passages(corp, registry=None)
    x_rows = passages[(passages["doc_a"] == "x") | (passages["doc_b"] == "x")]
    assert len(x_rows) == 2  # x–y and x–z; y and z share only 12 characters
    coverage = reuse_coverage(corp, passages, by="doc_id").set_index("doc_id")
    # the two passages overlap on first[-6:] + second[:6]: the union is first + second
    assert coverage.loc["x", "n_chars_shared"] == len(first) + len(second)
    assert x_rows["n_chars"].sum() == len(first) + len(second) + 12
    assert coverage.loc["x", "share_shared"] == pytest.approx((len(first) + len(second)) / len(corp.texts["x"]))
    assert coverage.loc["x", "n_partners"] == 2
    assert coverage.loc["y", "n_partners"] == 1


def test_coverage_splits_template_and_formula(planted):
    coverage = reuse_coverage(planted, shared_passages(planted), by="doc_id").set_index("doc_id")
    assert coverage.loc["A", "n_chars_template"] == len(PLANTED_A) - 1
    assert coverage.loc["A", "n_chars_formula"] == 0
    assert coverage.loc["C", "n_chars_formula"] == len(FORMULA)
    assert coverage.loc["C", "n_chars_template"] == 0
    shares = coverage[["share_formula", "share_template"]].sum(axis=1)
    assert np.allclose(shares, coverage["share_shared"])


def test_matrix_counts_characters_shared_with_each_partner(planted):
    passages = shared_passages(planted)
    counts = reuse_matrix(planted, passages, value="n_chars")
    assert list(counts.index) == ["A", "B", "C", "D"]
    assert counts.loc["A", "B"] == len(PLANTED_A) - 1
    assert counts.loc["B", "A"] == len(PLANTED_B) - 1
    assert counts.loc["A", "C"] == 0
    assert np.isnan(counts.loc["A", "A"])
    shares = reuse_matrix(planted, passages)
    assert shares.loc["A", "B"] == pytest.approx((len(PLANTED_A) - 1) / len(planted.texts["A"]))
    only_formula = reuse_matrix(planted, passages, kind="formula", value="n_chars")
    assert only_formula.loc["A", "B"] == 0
    assert only_formula.loc["C", "D"] == len(FORMULA)


def test_matrix_by_group_sums_documents(planted):
    corp = planted.assign_docvars(group=["甲", "甲", "乙", "丙"])
    matrix = reuse_matrix(corp, shared_passages(corp), by="group", value="n_chars")
    assert list(matrix.index) == ["甲", "乙", "丙"]
    # A and B are both in 甲: their shared sentence is reuse within the group, counted on both sides
    assert matrix.loc["甲", "甲"] == (len(PLANTED_A) - 1) + (len(PLANTED_B) - 1)
    assert np.isnan(matrix.loc["乙", "乙"])  # a one-document group
    assert matrix.loc["乙", "丙"] == len(FORMULA)


def test_options_are_checked(planted):
    with pytest.raises(ValueError, match="must not exceed min_chars"):
        shared_passages(planted, shingle_chars=20, min_chars=15)
    with pytest.raises(ValueError, match="max_pair_docs"):
        shared_passages(planted, max_pair_docs=2, formula_min_docs=3)
    with pytest.raises(KeyError, match="group"):
        shared_passages(planted, by="group")
    with pytest.raises(ValueError, match="value"):
        reuse_matrix(planted, shared_passages(planted), value="percent")


# ------------------------------------------------------------------------------------ seeds


@pytest.fixture(scope="module")
def seed_passages(seeds):
    return shared_passages(seeds, by="district")


def _shared_between(passages: pd.DataFrame, a: str, b: str, needle: str) -> pd.DataFrame:
    pair = passages[((passages["doc_a"] == a) & (passages["doc_b"] == b)) | ((passages["doc_a"] == b) & (passages["doc_b"] == a))]
    return pair[pair["text_a"].str.contains(needle, regex=False) & pair["text_b"].str.contains(needle, regex=False)]


@pytest.mark.parametrize("needle", [
    # both Jinan district reports (same reporter) describe their campaign plan in the same words
    "从总体要求、学习内容、工作安排、有效落实等四个方面对全区党史学习教育作出安排部署",
    # ... and their leading group
    "相关区领导任副组长，有关部门主要负责同志为成员。领导小组办公室设在区委宣传部",
    "全区党史学习教育迅速展开，掀起热潮",
    # ... and both open with the central meeting of 20 February
    "2月20日，中央党史学习教育动员大会",
])
def test_seeds_jinan_district_reports_share_template_sentences(seed_passages, needle):
    found = _shared_between(seed_passages, "jinan-huaiyin", "jinan-shizhong", needle)
    assert len(found) == 1
    assert found["kind"].tolist() == ["template"]
    assert found["n_docs_sharing"].tolist() == [2]


def test_seeds_formula_is_shared_by_four_reports(seed_passages, seeds):
    formula = seed_passages[seed_passages["text_a"] == FORMULA]
    holders = {"jinan-huaiyin", "jinan-shizhong", "jinan-city", "chongqing-wulong"}  # not luohe-zhaoling
    assert set(formula["doc_a"]) | set(formula["doc_b"]) == holders
    assert len(formula) == 6  # every pair of the four
    assert set(formula["n_docs_sharing"]) == {4}
    assert set(formula["kind"]) == {"formula"}
    assert FORMULA not in seeds.texts["luohe-zhaoling"]


def test_seeds_shizhong_and_wulong_share_a_banshishi_clause(seed_passages):
    # 市中区: 扎实开展“我为群众办实事”实践活动，把党史学习教育成果转化坚持以人民为中心
    # 武隆区: 带头开展“永远跟党走我为群众办实事”实践活动，把党史学习教育成果转化为为民服务
    found = _shared_between(seed_passages, "jinan-shizhong", "chongqing-wulong", "我为群众办实事”实践活动，把党史学习教育成果转化")
    assert len(found) == 1
    assert found.iloc[0]["n_chars"] == len(HAN.findall("我为群众办实事实践活动把党史学习教育成果转化"))


def test_seeds_positions_point_into_the_bodies(seed_passages, seeds):
    for row in seed_passages.itertuples():
        assert seeds.texts[row.doc_a][row.start_a:row.end_a] == row.text_a
        assert seeds.texts[row.doc_b][row.start_b:row.end_b] == row.text_b
        assert normalise(row.text_a)[0] == normalise(row.text_b)[0]


def test_seeds_coverage(seed_passages, seeds):
    coverage = reuse_coverage(seeds, seed_passages, by="district").set_index("doc_id")
    # 召陵区 shares no passage of 15 characters with any other seed
    assert coverage.loc["luohe-zhaoling", "n_chars_shared"] == 0
    # the two Jinan district reports copy more than the others
    top = coverage["share_template"].nlargest(2).index
    assert set(top) == {"jinan-huaiyin", "jinan-shizhong"}
    assert coverage.loc["jinan-city", "group"] == "济南市（全市）"


# ---------------------------------------------------------------------------------- figures


def test_plot_reuse_matrix_draws_every_label(seed_passages, seeds):
    matrix = reuse_matrix(seeds, seed_passages, by="district")
    fig = plot_reuse_matrix(matrix, title="共享段落")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (5, 5)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(matrix.index)


def test_plot_reuse_matrix_thins_labels_for_many_groups():
    labels = [f"{i}区" for i in range(80)]
    matrix = pd.DataFrame(np.random.default_rng(0).random((80, 80)) * 0.1, index=labels, columns=labels)
    fig = plot_reuse_matrix(matrix, max_labels=40)
    assert len(fig.axes[0].get_xticklabels()) == 40
    assert fig.get_size_inches()[1] <= 18.0
    # 40 labels drawn: the package's floor of 7 pt (textplot.core.MIN_LABEL_PT), not smaller
    assert {t.get_fontsize() for t in fig.axes[0].get_xticklabels()} == {7.0}
    few = plot_reuse_matrix(matrix.iloc[:5, :5])
    assert {t.get_fontsize() for t in few.axes[0].get_yticklabels()} == {10.0}  # 10 pt up to 5 labels


def test_plot_reuse_coverage_stacks_two_kinds(seed_passages, seeds):
    coverage = reuse_coverage(seeds, seed_passages, by="district")
    fig = plot_reuse_coverage(coverage, y="group")
    assert len(fig.axes[0].patches) == 2 * 5


# Template vs stock phrase: which rule decided, and shared bylines. A central sentence that
# reports quote (a stock phrase when the reference list holds it), a sentence copied between
# two reports only (a template), and bylines.
CENTRAL = "把学习党史同总结经验观照现实推动工作结合起来"  # 22 Han characters, quoted by two reports
COPIED = "区委理论学习中心组围绕百年党史开展专题研讨形成调研报告十二篇"  # copied by two reports


@pytest.fixture()
def byline_corp():
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


def test_without_references_both_passages_are_templates(byline_corp):
    passages = shared_passages(byline_corp, registry=None, progress=False)
    assert set(passages["rule"]) == {"few_documents"}
    assert set(passages["kind"]) == {"template"}


def test_a_passage_in_a_reference_text_is_a_stock_phrase(byline_corp, tmp_path):
    reference = f"中央通知：要{CENTRAL}，做到学史明理。"
    for given in ({"中央通知": reference}, [reference], tmp_path / "ref.txt", tmp_path):
        (tmp_path / "ref.txt").write_text(reference, encoding="utf-8")
        passages = shared_passages(byline_corp, registry=None, reference_texts=given, progress=False)
        central = _by_text(passages, CENTRAL[:10])
        copied = _by_text(passages, COPIED[:10])
        assert (central["kind"], central["rule"]) == ("formula", "reference")
        assert (copied["kind"], copied["rule"]) == ("template", "few_documents")


def test_a_passage_in_many_documents_says_so(byline_corp):
    passages = shared_passages(byline_corp, registry=None, formula_min_docs=2, formula_min_share=0.0, progress=False)
    assert set(passages["rule"]) == {"many_documents"}
    assert list(RULES) == ["reference", "registry", "many_documents", "few_documents"]


def test_shared_reporter_is_named_beside_the_passage(byline_corp):
    passages = shared_passages(byline_corp, registry=None, progress=False)
    assert set(passages["shared_byline"]) == {"reporter 王五"}  # different outlets, one reporter


def test_a_shared_role_word_is_not_a_shared_reporter(byline_corp):
    byline_corp.docvars["reporters"] = ["通讯员；王五", "通讯员", "孙七"]
    byline_corp.docvars["outlet"] = ["某某日报", "某某晚报", ""]
    passages = shared_passages(byline_corp, registry=None, progress=False)
    assert set(passages["shared_byline"]) == {""}


def test_no_byline_docvars_leaves_the_column_empty():
    corp = corpus_from_texts({"甲": f"甲区。{COPIED}。", "乙": f"乙县。{COPIED}。"})
    for column in ("reporters", "outlet"):
        if column in corp.docvars:
            del corp.docvars[column]
    passages = shared_passages(corp, registry=None, progress=False)
    assert passages["shared_byline"].tolist() == [""]


def test_reference_path_that_does_not_exist(byline_corp, tmp_path):
    with pytest.raises(FileNotFoundError, match="reference_texts"):
        shared_passages(byline_corp, registry=None, reference_texts=tmp_path / "missing.txt", progress=False)


def test_the_old_name_of_the_shingle_length_still_works_with_a_warning(planted):
    with pytest.warns(FutureWarning, match="'n' is renamed 'shingle_chars'"):
        old = shared_passages(planted, n=12, registry=None, progress=False)
    new = shared_passages(planted, shingle_chars=12, registry=None, progress=False)
    pd.testing.assert_frame_equal(old, new)



# ---------------------------------------------------------------------- candidate pair routes

TEMPLATE_1 = "区委成立了领导小组，区委主要领导同志任组长，相关区领导任副组长，有关部门主要负责同志为成员。"
TEMPLATE_2 = "街道组织党员志愿者深入社区开展政策宣讲，帮助群众解决急难愁盼问题，收集意见建议一百余条。"
TEMPLATE_3 = "学校把党史学习教育融入思政课堂，组织师生参观革命纪念馆，并撰写心得体会上交支部。"


@pytest.fixture(scope="module")
def templated():
    """A-B share TEMPLATE_1, C-D TEMPLATE_2, D-E TEMPLATE_3 (D holds two templates: the Jaccard of
    its pairable shingles with C or E is about one half, well above the LSH threshold 0.2);
    F shares nothing. The other sentences are written once each."""
    return corpus_from_texts({
        "A": "甲县今年开展了多项工作，效果明显。" + TEMPLATE_1 + "另外还组织了读书活动。",
        "B": "乙区的情况有所不同。" + TEMPLATE_1,
        "C": TEMPLATE_2 + "丙镇还修缮了老街的石桥，方便村民出行。",
        "D": "丁市召开推进会部署下一阶段任务。" + TEMPLATE_2 + TEMPLATE_3,
        "E": TEMPLATE_3 + "戊乡的农民夜校办了十二期。",
        "F": "己村新修了一条水泥路，通到后山的果园。",
    })


def test_lsh_finds_the_same_passages_as_the_index(templated):
    by_index = shared_passages(templated, registry=None, progress=False, candidates="index")
    by_lsh = shared_passages(templated, registry=None, progress=False, candidates="lsh")
    assert _pairs(by_index) == {("A", "B"), ("C", "D"), ("D", "E")}
    assert set(by_index["text_a"]) == {TEMPLATE_1[:-1], TEMPLATE_2[:-1], TEMPLATE_3[:-1]}
    pd.testing.assert_frame_equal(by_lsh, by_index)
    assert by_index.attrs["candidates"]["method"] == "index"
    assert by_lsh.attrs["candidates"] == {
        "method": "lsh", "requested": "lsh", "n_docs": 6, "n_pairs_found": 3, "n_pairs_compared": 3,
        "max_pairs": 1_000_000, "capped": False, "min_jaccard": 0.1, "num_perm": 128, "random_state": 1,
    }


def test_the_index_is_the_default_and_auto_uses_lsh_from_lsh_min_docs(templated):
    default = shared_passages(templated, registry=None, progress=False)
    assert default.attrs["candidates"]["method"] == default.attrs["candidates"]["requested"] == "index"
    auto = shared_passages(templated, registry=None, progress=False, candidates="auto")
    assert auto.attrs["candidates"]["method"] == "index"
    assert auto.attrs["candidates"]["requested"] == "auto"
    switched = shared_passages(templated, registry=None, progress=False,
                               candidates=PairSearch(method="auto", lsh_min_docs=6))
    assert switched.attrs["candidates"]["method"] == "lsh"
    pd.testing.assert_frame_equal(switched, auto)


def test_lsh_with_the_same_seed_gives_the_same_table(templated):
    search = PairSearch(method="lsh", random_state=20210220, num_perm=64)
    first = shared_passages(templated, registry=None, progress=False, candidates=search)
    second = shared_passages(templated, registry=None, progress=False, candidates=search)
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs == second.attrs


def test_capped_pairs_are_logged_and_recorded(templated, caplog):
    with caplog.at_level(logging.WARNING, logger="corpus_tools.compare.shingles"):
        capped = shared_passages(templated, registry=None, progress=False,
                                 candidates=PairSearch(method="index", max_pairs=1))
    # the three pairs share 33, 32 and 28 pairable shingles of ten characters (templates of
    # 42, 41 and 37 normalised characters): A-B, sharing the most, is kept
    assert _pairs(capped) == {("A", "B")}
    record = capped.attrs["candidates"]
    assert (record["n_pairs_found"], record["n_pairs_compared"], record["capped"]) == (3, 1, True)
    assert any("max_pairs=1" in r.getMessage() for r in caplog.records)


def test_candidates_is_checked(templated):
    with pytest.raises(ValueError, match="candidates must be"):
        shared_passages(templated, registry=None, progress=False, candidates="minhash")
    with pytest.raises(TypeError, match="candidates must be"):
        shared_passages(templated, registry=None, progress=False, candidates=0.5)


def test_coverage_and_matrix_equal_counting_covered_positions_one_by_one():
    # Random passage tables (overlapping, nested, touching and repeated spans, some without a
    # partner, both kinds) on 12 documents in 4 groups; the reference marks every covered
    # character position in Python sets.
    generator = np.random.default_rng(17)
    doc_ids = [f"d{i:02d}" for i in range(12)]
    groups = ["甲", "乙", "丙", "丁"]
    corp = corpus_from_texts({d: "字" * 300 for d in doc_ids},
                             docvars=pd.DataFrame({"group": [groups[i % 4] for i in range(12)]}, index=doc_ids))
    label = dict(zip(doc_ids, corp.docvars["group"]))
    for n_rows in (0, 1, 40, 400):
        rows = []
        for _ in range(n_rows):
            a, b = generator.choice(12, size=2, replace=False)
            start_a, start_b = generator.integers(0, 280, size=2)
            length = int(generator.integers(1, 20))
            partnered = generator.random() < 0.85
            rows.append({"doc_a": doc_ids[a], "doc_b": doc_ids[b] if partnered else None,
                         "start_a": start_a, "end_a": start_a + length,
                         "start_b": start_b if partnered else None, "end_b": start_b + length if partnered else None,
                         "kind": "template" if generator.random() < 0.6 else "formula"})
        passages = pd.DataFrame(rows, columns=["doc_a", "doc_b", "start_a", "end_a", "start_b", "end_b", "kind"])
        for column in ("start_b", "end_b"):
            passages[column] = passages[column].astype("Int64")
        sides = [(r.doc_a, r.doc_b, r.start_a, r.end_a, r.kind) for r in passages.itertuples()]
        sides += [(r.doc_b, r.doc_a, r.start_b, r.end_b, r.kind) for r in passages.itertuples() if pd.notna(r.doc_b)]
        covered = {d: set() for d in doc_ids}
        template = {d: set() for d in doc_ids}
        partners = {d: set() for d in doc_ids}
        with_group: dict[tuple[str, str], set] = {}
        for doc, partner, start, end, kind in sides:
            covered[doc].update(range(int(start), int(end)))
            if kind == "template":
                template[doc].update(range(int(start), int(end)))
            if pd.notna(partner):
                partners[doc].add(partner)
                with_group.setdefault((doc, label[partner]), set()).update(range(int(start), int(end)))
        coverage = reuse_coverage(corp, passages, by="doc_id").set_index("doc_id")
        assert coverage["n_chars_shared"].to_dict() == {d: len(covered[d]) for d in doc_ids}
        assert coverage["n_chars_template"].to_dict() == {d: len(template[d]) for d in doc_ids}
        assert coverage["n_partners"].to_dict() == {d: len(partners[d]) for d in doc_ids}
        matrix = reuse_matrix(corp, passages, by="group", value="n_chars")
        for row in groups:
            for column in groups:
                expected = sum(len(chars) for (doc, group), chars in with_group.items()
                               if label[doc] == row and group == column)
                assert matrix.loc[row, column] == expected, (n_rows, row, column)
