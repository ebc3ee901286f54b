"""The generated report text: numbers cited from the tables, hedged by the data.

Every table here is constructed by hand, and every expected number is worked out by hand from it.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from corpus_tools.reports import interpret
from corpus_tools.reports.interpret import MIN_GROUP_DOCS


def _docs(sizes: dict[str, int]) -> pd.DataFrame:
    groups = [g for g, n in sizes.items() for _ in range(n)]
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(groups))], "group": groups})


# --------------------------------------------------------------------------------------------
# numbers and groups
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.391, "39%"), (0.004, "0.4%"), (0.0, "0%"), (1.0, "100%"), (0.0549, "5%")],
)
def test_share(value, expected):
    assert interpret.share(value) == expected


def test_reading_displays_as_markdown_and_is_a_string():
    text = interpret.reading("第一段", "", None, "second")
    assert isinstance(text, str) and text == "第一段\n\nsecond"
    assert text._repr_markdown_() == "第一段\n\nsecond"


def test_groups_sentence_names_small_groups_and_states_no_difference_for_them():
    text = interpret.groups_sentence(_docs({"槐荫区": 4, "召陵区": 3, "武隆区": 1}), by="district")
    assert text.startswith("8 documents in 3 groups by `district`: 槐荫区 (4), 召陵区 (3) and 武隆区 (1).")
    assert "1 group has fewer than 3 documents (武隆区)" in text
    assert "槐荫区" not in text.split("fewer than")[1]


def test_groups_sentence_when_every_group_is_small():
    text = interpret.groups_sentence(_docs({"甲区": 1, "乙县": 2}), by="district")
    assert "Every group has fewer than 3 documents" in text
    assert "no difference between groups" in text


def test_groups_sentence_with_only_large_groups_has_no_hedge():
    text = interpret.groups_sentence(_docs({"甲区": 3, "乙县": 5}), by="province")
    assert "fewer than" not in text
    assert "8 documents in 2 groups by `province`" in text


def test_or_sentence_says_an_empty_result_in_words():
    empty = pd.DataFrame(columns=["formula"])
    said = interpret.or_sentence(empty, "No numbered formula was found.")
    assert isinstance(said, interpret.Reading) and said == "No numbered formula was found."
    full = pd.DataFrame({"formula": ["七个一"]})
    assert interpret.or_sentence(full, "unused") is full
    assert interpret.or_sentence(full, "unused", shown="styled") == "styled"


# --------------------------------------------------------------------------------------------
# 00
# --------------------------------------------------------------------------------------------


def test_overview_summary_cites_sizes_problems_and_cleaning():
    documents = pd.DataFrame({
        "doc_id": ["a", "b", "c"], "group": ["甲区", "甲区", None], "n_chars_body": [1200, 800, 1000],
        "script": ["simplified", "traditional", "simplified"],
    })
    problems = pd.DataFrame({"action": ["skipped", "skipped", "ignored"], "source": ["x.bin", "y.txt", "z.pdf"]})
    quality = pd.DataFrame({
        "doc_id": ["a", "b", "b", "c", "a"],
        "step": ["clean", "clean", "clean", "clean", "read"],
        "rule": ["punctuation", "punctuation", "traditional_to_simplified", "width", "bom"],
        "count": [3, 4, 40, 1, 99],
    })
    text = interpret.overview_summary(documents, problems, quality, by="district")
    assert "3,000 characters (800 to 1,200 per document)" in text
    assert "1 document has no `district`" in text
    assert "2 inputs skipped and 1 input ignored" in text
    # reading steps are not cleaning: bom (99) is left out of the cleaning rules
    assert "`traditional_to_simplified` (40 in 1 document), `punctuation` (7 in 2 documents) and `width` (1 in 1 document)" in text
    assert "bom" not in text
    assert "1 document was in traditional script" in text


def test_overview_summary_with_no_problems_says_so():
    documents = pd.DataFrame({"doc_id": ["a"], "group": ["甲区"], "n_chars_body": [500]})
    text = interpret.overview_summary(documents, pd.DataFrame(), pd.DataFrame(), by="district")
    assert "Reading reported no problem" in text and "Cleaning changed nothing." in text


def test_top_terms_reading_shared_and_own_terms():
    top = pd.DataFrame({
        "group": ["甲区"] * 3 + ["乙县"] * 3,
        "rank": [1, 2, 3] * 2,
        "term": ["党史学习教育", "红色", "茶叶", "党史学习教育", "宣讲", "茶叶"],
        "count": [9, 5, 4, 8, 6, 2],
        "per_10k_tokens": [90.0, 50, 40, 80, 60, 20],
    })
    text = interpret.top_terms_reading(top, n=3)
    assert "党史学习教育 and 茶叶 are in every group's list" in text
    assert "甲区: 红色" in text and "乙县: 宣讲" in text
    assert "not tests" in text


# --------------------------------------------------------------------------------------------
# 01
# --------------------------------------------------------------------------------------------


def _choice_table():
    # z-scores worked by hand are not needed: the text cites the `score` column as given
    return pd.DataFrame({
        "k": [3, 4, 5],
        "c_v": [0.41, 0.47, 0.44],
        "c_npmi": [-0.05, 0.02, 0.01],
        "heldout_perplexity": [300.0, 320.0, 350.0],
        "score": [-1.2, 0.9, 0.3],
        "chosen": [False, True, False],
    })


def _stability(robust=(True, False, True, False)):
    n = len(robust)
    return pd.DataFrame({
        "topic": range(1, n + 1),
        "label": [f"{i} 词{i}" for i in range(1, n + 1)],
        "prevalence": [0.4, 0.3, 0.2, 0.1][:n],
        "n_runs": 5,
        "mean_js_distance": [0.2, 0.6, 0.35, 0.7][:n],
        "mean_top_jaccard": [0.8, 0.2, 0.55, 0.1][:n],
        "robust": list(robust),
    })


def _shares(groups):
    rows = []
    values = {"甲区": [0.50, 0.20, 0.20, 0.10], "乙县": [0.30, 0.30, 0.30, 0.10], "丙市": [0.10, 0.10, 0.70, 0.10]}
    for g in groups:
        for t in range(1, 5):
            rows.append({"group": g, "topic": t, "share": values[g][t - 1]})
    return pd.DataFrame(rows)


def test_topic_summary_cites_k_stability_and_compares_only_large_groups_on_robust_topics():
    text = interpret.topic_summary(
        _choice_table(), k=4, rule="coherence", n_units=1240, unit_plural="paragraphs", n_terms=800,
        stability=_stability(), shares=_shares(["甲区", "乙县", "丙市"]),
        group_sizes={"甲区": 5, "乙县": 4, "丙市": 1},
    )
    assert ("K = 4 scored highest on the mean of standardised c_v and c_npmi (0.90 vs 0.30 for K = 5, the next best; "
            "c_v 0.47, c_npmi 0.02) over 1,240 paragraphs and 800 terms.") in text
    assert "few for a topic model" not in text
    assert "Topics 2 and 4 are not robust across 5 refits and are not interpreted" in text
    assert "topic 1 词1 (40% of the tokens" in text
    # robust topics 1 and 3, groups 甲区 and 乙县 only (丙市 has one document)
    assert "topic 1: 甲区 50%, 乙县 30%" in text
    assert "topic 3: 乙县 30%, 甲区 20%" in text
    assert "topic 2:" not in text and "丙市 70%" not in text
    assert "Not compared (fewer than 3 documents): 丙市" in text


def test_topic_summary_on_a_small_corpus_with_single_document_groups():
    text = interpret.topic_summary(
        _choice_table(), k=4, rule="coherence", n_units=110, unit_plural="paragraphs", n_terms=364,
        stability=_stability((False, False, False, False)), shares=_shares(["甲区", "乙县"]),
        group_sizes={"甲区": 1, "乙县": 1},
    )
    assert "110 paragraphs are few for a topic model" in text
    assert "No topic is robust across 5 refits" in text
    assert "No group has 3 or more documents, so no difference between groups is stated" in text
    assert "%" not in text.split("No group has")[1]


def test_topic_summary_when_k_was_set_by_the_parameter():
    text = interpret.topic_summary(
        _choice_table().assign(chosen=[False, False, True]), k=5, rule="coherence", n_units=500,
        unit_plural="sentences", n_terms=300, stability=_stability(), shares=_shares(["甲区"]), group_sizes={"甲区": 3},
    )
    assert text.startswith("K = 5 was set by the parameter `k`; the rule (the mean of standardised c_v and c_npmi) would choose K = 4")


def test_mark_robustness_marks_labels_everywhere_a_topic_appears():
    shares = _shares(["甲区"]).assign(label=lambda t: t["topic"].map(lambda i: f"{i} 词{i}"))
    marked = interpret.mark_robustness(shares, _stability())
    assert marked.loc[marked["topic"] == 2, "label"].item() == "2 词2（不稳定）"
    assert marked.loc[marked["topic"] == 1, "label"].item() == "1 词1"
    assert marked["robust"].tolist() == [True, False, True, False]


# --------------------------------------------------------------------------------------------
# 02
# --------------------------------------------------------------------------------------------


def test_rhetoric_summary_counts_and_unexplained_formulas():
    matches = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "canonical": ["我为群众办实事", "我为群众办实事", "我为群众办实事", "走深走实"]})
    formulas = pd.DataFrame({"doc_id": ["a", "a", "b"], "formula": ["七个一", "七个一", "五兴"], "n_items": [7, 0, 0]})
    runs = pd.DataFrame({"doc_id": ["a", "b"], "run_length": [3, 5]})
    formulaic = pd.DataFrame({
        "group": ["甲区", "乙县"], "component": ["all", "all"], "formulaicness": [0.12, 0.17],
        "ci_low": [0.10, 0.15], "ci_high": [0.14, 0.19],
    })
    text = interpret.rhetoric_summary(matches, formulas, runs, formulaic, n_docs=4,
                                      group_sizes={"甲区": 3, "乙县": 3})
    assert "4 registry mentions of 2 expressions in 3 of 4 documents" in text
    assert "我为群众办实事 (3 in 2 documents)" in text
    assert "3 numbered formulas (2 distinct) in 2 documents" in text
    # 七个一 is spelled out once, so only 五兴 is never spelled out
    assert "1 of the 2 is never spelled out in the text: “五兴”." in text
    assert "2 parallel runs in 2 documents, the longest of 5 items" in text
    assert "between 12% (甲区) and 17% (乙县)" in text
    assert "do not overlap" in text


def test_rhetoric_summary_empty_results_in_words_and_overlap():
    empty = pd.DataFrame(columns=["doc_id", "canonical", "formula", "n_items", "run_length"])
    formulaic = pd.DataFrame({
        "group": ["甲区", "乙县"], "component": ["all", "all"], "formulaicness": [0.12, 0.13],
        "ci_low": [0.08, 0.09], "ci_high": [0.16, 0.17],
    })
    text = interpret.rhetoric_summary(empty, empty, empty, formulaic, n_docs=6, group_sizes={"甲区": 3, "乙县": 3})
    assert "No expression of the registry was found" in text
    assert "No numbered formula was found." in text and "No parallel run was found." in text
    assert "cannot tell these groups apart" in text
    small = interpret.rhetoric_summary(empty, empty, empty, formulaic, n_docs=2, group_sizes={"甲区": 1, "乙县": 1})
    assert "between documents, not localities" in small and "apart" not in small
    # one small group among three: compared without it, and it is counted as left out
    three = pd.concat([formulaic, pd.DataFrame({"group": ["丙市"], "component": ["all"], "formulaicness": [0.30],
                                                "ci_low": [0.2], "ci_high": [0.4]})], ignore_index=True)
    mixed = interpret.rhetoric_summary(empty, empty, empty, three, n_docs=7,
                                       group_sizes={"甲区": 3, "乙县": 3, "丙市": 1})
    assert "between 12% (甲区) and 13% (乙县)" in mixed and "30%" not in mixed
    assert "1 group with fewer than 3 documents is not compared" in mixed


# --------------------------------------------------------------------------------------------
# 03
# --------------------------------------------------------------------------------------------


def test_keyness_reading_uses_q_values_and_hedges_small_groups():
    key = pd.DataFrame({
        "group": ["甲区", "甲区", "乙县", "丙市"],
        "term": ["茶叶", "红色", "宣讲", "钢铁"],
        "log_odds_z": [4.0, 2.5, 3.0, 5.0],
        "q_value": [0.001, 0.2, 0.01, 0.0001],
    })
    text = interpret.keyness_reading(key, group_sizes={"甲区": 3, "乙县": 4, "丙市": 1})
    assert "甲区 1 term (茶叶)" in text and "乙县 1 term (宣讲)" in text
    assert "红色" not in text and "钢铁" not in text
    assert "Not tested as localities (fewer than 3 documents): 丙市" in text
    no_q = interpret.keyness_reading(key.drop(columns="q_value"), group_sizes={"甲区": 3, "乙县": 4})
    assert "no q-values" in no_q and "distinctive" not in no_q.replace("no term is called significant", "")
    single = interpret.keyness_reading(key, group_sizes={"甲区": 1, "乙县": 1, "丙市": 1})
    assert "none is called distinctive" in single
    # A table cut to one term per side (keyness(n=1)) cannot count past it.
    key.attrs["n"] = 1
    cut = interpret.keyness_reading(key, group_sizes={"甲区": 3, "乙县": 4, "丙市": 1})
    assert "甲区 at least 1 term (茶叶)" in cut and "乙县 at least 1 term" in cut


def _passages():
    return pd.DataFrame({
        "doc_a": ["a", "a", "b"], "doc_b": ["b", "c", "c"],
        "group_a": ["甲区", "甲区", "乙县"], "group_b": ["乙县", "丙市", "丙市"],
        "n_chars": [55, 16, 20], "n_docs_sharing": [2, 3, 3],
        "text_a": ["经区委常委会研究决定" * 5, "学史明理学史增信学史崇德学史力行", "我为群众办实事实践活动走深走实"],
        "kind": ["template", "formula", "formula"],
        "rule": ["template", "registry", "many documents"],
        "shared_byline": ["reporter 王五", "", ""],
    })


def test_reuse_reading_cites_the_largest_template_its_coverage_and_a_shared_reporter():
    coverage = pd.DataFrame({"doc_id": ["a", "b", "c"], "group": ["甲区", "乙县", "丙市"],
                             "share_template": [0.06, 0.05, 0.0]})
    text = interpret.reuse_reading(_passages(), coverage)
    assert "1 template passage between 1 pair of documents" in text
    assert "shared by a (甲区) and b (乙县), is 55 characters; template passages cover 6% of a's body" in text
    assert "a and b share reporter 王五: the same writer or outlet is the likelier explanation" in text
    assert "2 shared passages are stock phrases" in text and "is in 3 documents" in text
    assert "registry (1)" in text and "many documents (1)" in text


def test_reuse_reading_counts_pairs_that_share_a_byline():
    passages = pd.concat([_passages(), _passages().iloc[[0]].assign(doc_a="c", doc_b="d", shared_byline="outlet 某某日报")],
                         ignore_index=True)
    passages["rule"] = pd.Categorical(passages["rule"], categories=["reference", "registry", "many documents", "template"])
    text = interpret.reuse_reading(passages, pd.DataFrame())
    assert "2 of these 2 pairs share a reporter or outlet (e.g. a and b: reporter 王五; c and d: outlet 某某日报)" in text
    assert "reference (0)" not in text  # categories with no passage are not listed


def test_reuse_reading_with_nothing_shared():
    text = interpret.reuse_reading(pd.DataFrame(columns=_passages().columns), pd.DataFrame())
    assert text.startswith("No two documents share a passage")


def test_comparison_summary_claims_and_lag():
    profile = pd.DataFrame({"group": ["甲区", "乙县"], "n_docs": [3, 1]})
    claims = pd.DataFrame({"group": ["甲区", "甲区", "乙县"], "category": ["people", "events", "people"],
                           "n_claims": [6, 4, 3], "n_chars_body": [20_000, 20_000, 2_000]})
    lag = pd.DataFrame({"group": ["甲区", "乙县"], "status": ["dated", "undated"],
                        "local_date": ["2021-03-11", None], "lag_days": [19, None]})
    key = pd.DataFrame({"group": ["甲区"], "term": ["茶叶"], "log_odds_z": [3.0]})
    text = interpret.comparison_summary(profile, key, _passages(), pd.DataFrame(), claims, lag, by="district")
    assert "4 documents in 2 groups by `district`" in text
    # 甲区: 10 claims in 20,000 characters = 5.0 per 10k; 乙县: 3 in 2,000 = 15.0 per 10k
    assert "13 quantified claims in 2 groups" in text
    assert "乙县 counts most often: 3 claims, 15.0 per 10,000 characters. It has fewer than 3 documents" in text
    assert "甲区 (2021-03-11, 19 days after the central one)" in text
    assert "乙县 mentions one without a date" in text


def test_comparison_summary_repeats_the_sections_readings_when_given_them():
    profile = pd.DataFrame({"group": ["甲区", "乙县"], "n_docs": [3, 1]})
    claims = pd.DataFrame(columns=["group", "category", "n_claims", "n_chars_body"])
    lag = pd.DataFrame(columns=["group", "status", "local_date", "lag_days"])
    key = pd.DataFrame({"group": ["甲区"], "term": ["茶叶"], "log_odds_z": [3.0]})
    sizes = profile.set_index("group")["n_docs"]
    from_tables = interpret.comparison_summary(profile, key, _passages(), pd.DataFrame(), claims, lag, by="district")
    notes = (interpret.keyness_reading(key, group_sizes=sizes), interpret.reuse_reading(_passages(), pd.DataFrame()))
    from_readings = interpret.comparison_summary(profile, *notes, None, claims, lag, by="district")
    assert from_readings == from_tables
    assert notes[0].strip() in from_readings and notes[1].strip() in from_readings


def test_min_group_docs_is_the_documented_threshold():
    assert MIN_GROUP_DOCS == 3


def test_topic_settings_round_trip_and_record(tmp_path):
    from corpus_tools.topics import settings as topic_settings
    from corpus_tools.corpus import corpus_from_texts

    corp = corpus_from_texts({"甲": "甲区开展党史学习教育。", "乙": "乙县召开动员大会。"})
    settings = topic_settings.TopicSettings(passes=20, k_values=[3, 4], extra_stopwords=["全区"])
    assert settings.k_values == (3, 4)
    assert topic_settings.TopicSettings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings

    class Choice:
        k, reason = 4, "K=4: test."

    topic_settings.record_choice(tmp_path, corp, settings, Choice())
    record = topic_settings.read_choice(tmp_path, corp)
    assert record["k"] == 4 and record["settings"]["passes"] == 20
    other = corpus_from_texts({"甲": "甲区开展党史学习教育。", "乙": "乙县召开了动员大会。"})
    assert topic_settings.read_choice(tmp_path, other) is None  # a record of another corpus is not used
    with pytest.raises(ValueError, match="unknown topic setting"):
        topic_settings.TopicSettings.from_dict({"passes": 3, "n_topics": 4})


def test_the_old_group_by_keyword_still_works_with_a_warning():
    docs = _docs({"甲区": 3, "乙县": 1})
    with pytest.warns(FutureWarning, match="'group_by' is renamed 'by'"):
        old = interpret.groups_sentence(docs, group_by="district")
    assert old == interpret.groups_sentence(docs, by="district")
    assert "by `district`" in old
