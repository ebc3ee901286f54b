"""Tests for corpus_tools.rhetoric.stats: the tables (frequency, inventory, formulaicness,
four-character density) and their intervals (rate_intervals, IntervalSettings).

Reference values come from hand counts of constructed texts and from scipy.stats.bootstrap
called directly on the per-document counts; the coverage of the intervals is measured in
benchmarks/bootstrap_coverage.py, not here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from corpus_tools import rhetoric
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.rhetoric.stats import CI_DOCUMENT, CI_DOCUMENT_BCA, CI_OWN_RATE, IntervalSettings, rate_intervals

from .helpers import corpus

FILLER = "今天召开会议部署工作。"  # 11 characters, no registry expression
PHRASE = "急难愁盼"  # the registry's people category


def _grouped_corpus():
    """12 documents in 甲县 with 0..3 uses of 急难愁盼, 2 in 乙县 (1 and 2), one single-paragraph doc in 丙县."""
    texts, groups = {}, {}
    for i in range(12):
        uses = i % 4
        first = FILLER + "，".join([PHRASE] * uses) + ("。" if uses else "")
        texts[f"j{i:02d}"] = first + "\n\n" + FILLER * (1 + i % 3)
        groups[f"j{i:02d}"] = "甲县"
    for i in range(2):
        texts[f"y{i}"] = FILLER + "，".join([PHRASE] * (i + 1)) + "。\n\n" + FILLER
        groups[f"y{i}"] = "乙县"
    texts["b0"] = FILLER + PHRASE + "。"
    groups["b0"] = "丙县"
    docvars = pd.DataFrame({"group": groups})
    return corpus_from_texts(texts, docvars=docvars)


@pytest.fixture(scope="module")
def grouped():
    corp = _grouped_corpus()
    matches = rhetoric.match_registry(corp)
    return corp, matches[matches["category"] == "people"]


def _people(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["category"] == "people"].set_index("group")


def test_the_document_bootstrap_is_scipys_on_the_documents_counts(grouped):
    corp, matches = grouped
    table = rhetoric.frequency(corp, matches, term="category", n_boot=500, random_state=3)
    row = table[(table["group"] == "甲县") & (table["category"] == "people")].iloc[0]
    # Independent reference: per-document counts and lengths written down from the texts.
    counts = np.array([i % 4 for i in range(12)], dtype=float)
    lengths = np.array([len(corp.texts[f"j{i:02d}"].replace("\n", "")) for i in range(12)], dtype=float)
    assert row["count"] == counts.sum() and row["n_chars"] == lengths.sum()
    assert row["per_10k_chars"] == pytest.approx(1e4 * counts.sum() / lengths.sum())
    # The bootstrap-t: resample the 12 documents (scipy, same seed), studentize each resample's ratio
    # by its delta-method standard error, and invert the 2.5 % and 97.5 % quantiles of t.
    def ratio_se(y, x):
        n = y.shape[-1]
        ratio = y.sum(axis=-1) / x.sum(axis=-1)
        se = np.sqrt(((y - ratio[..., None] * x) ** 2).sum(axis=-1) / (n * (n - 1))) / x.mean(axis=-1)
        return ratio, se

    estimate, se = ratio_se(counts, lengths)
    t = stats.bootstrap((counts, lengths), lambda y, x, axis=-1: (ratio_se(y, x)[0] - estimate) / ratio_se(y, x)[1],
                        paired=True, vectorized=True, n_resamples=500, method="percentile",
                        rng=np.random.default_rng(3)).bootstrap_distribution
    t_low, t_high = np.quantile(t, [0.025, 0.975])
    reference = (1e4 * (estimate - t_high * se), 1e4 * (estimate - t_low * se))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(reference, rel=1e-12)
    assert row["n_docs"] == 12 and row["ci_method"] == CI_DOCUMENT and row["ci_note"] == ""
    assert row["ci_low"] < row["per_10k_chars"] < row["ci_high"]


def test_small_groups_get_a_labelled_own_rate_interval_or_none(grouped):
    corp, matches = grouped
    table = _people(rhetoric.frequency(corp, matches, term="category", n_boot=300))
    few = table.loc["乙县"]
    assert few["n_docs"] == 2 and few["ci_method"] == CI_OWN_RATE
    assert "own rate" in few["ci_note"] and "min_docs_for_interval=10" in few["ci_note"]
    assert few["ci_low"] < few["ci_high"]
    # one document of one paragraph: nothing varies, so no interval (not [rate, rate])
    single = table.loc["丙县"]
    assert np.isnan(single["ci_low"]) and np.isnan(single["ci_high"]) and single["ci_method"] == ""
    assert "nothing to resample" in single["ci_note"]
    strict = _people(rhetoric.frequency(corp, matches, term="category", n_boot=300, small_groups="nan"))
    assert np.isnan(strict.loc["乙县", "ci_low"]) and "too few" in strict.loc["乙县", "ci_note"]
    assert strict.loc["甲县", "ci_method"] == CI_DOCUMENT
    # three identical documents: a document bootstrap cannot vary, so none (not a zero-width one)
    same = {f"y{i}": FILLER + PHRASE + "。" for i in range(3)}
    twins = corpus_from_texts(same, docvars=pd.DataFrame({"group": {doc: "乙县" for doc in same}}))
    twin_table = rhetoric.frequency(twins, rhetoric.match_registry(twins), term="canonical", n_boot=100,
                                    min_docs_for_interval=3)
    assert np.isnan(twin_table["ci_low"]).all() and twin_table["ci_note"].str.contains("degenerate").all()
    three = rate_intervals(np.array([1.0, 2.0, 0.0]), np.array([26.0, 31.0, 20.0]), documents=[0, 1, 2],
                           min_docs_for_interval=3, n_boot=300)
    # fewer than 10 resampled units: BCa at the expanded level, not the erratic bootstrap-t
    assert three["ci_method"].item() == CI_DOCUMENT_BCA and three["ci_high"].item() > three["rate"].item()


def test_no_zero_width_interval_for_a_term_never_used():
    counts = np.array([[2, 0], [1, 0], [0, 0], [3, 0]] * 3, dtype=float)
    table = rate_intervals(counts, np.full(12, 500.0), documents=np.arange(12), scale=1e4, n_boot=200)
    used, unused = table.iloc[0], table.iloc[1]
    assert used["ci_method"] == CI_DOCUMENT and used["ci_low"] < used["rate"] < used["ci_high"]
    assert unused["rate"] == 0 and np.isnan(unused["ci_low"]) and np.isnan(unused["ci_high"])
    assert "no occurrence" in unused["ci_note"]


def test_bootstrap_t_falls_back_to_bca_when_resamples_lack_spread():
    # one document of 12 uses the term: about a third of the resamples leave it out, have no
    # spread and an infinite t, so the bootstrap-t has no finite bound
    counts = np.zeros((12, 2))
    counts[0, 0] = 3
    counts[:, 1] = [1, 2, 0, 1, 3, 1, 0, 2, 1, 1, 2, 0]
    table = rate_intervals(counts, np.full(12, 400.0), documents=np.arange(12), scale=1e4, n_boot=300)
    assert table["ci_method"].tolist() == [CI_DOCUMENT_BCA, CI_DOCUMENT]
    assert (table["ci_low"] < table["rate"]).all() and (table["rate"] < table["ci_high"]).all()


def test_paragraph_resampling_is_labelled_as_the_documents_own_rate():
    counts = np.array([1, 0, 2, 1, 0, 3], dtype=float)
    table = rate_intervals(counts, np.full(6, 100.0), documents=list("aabbcc"), resample="paragraph",
                           n_boot=200, min_docs_for_interval=3)
    assert table["ci_method"].item() == CI_OWN_RATE and "resample='paragraph'" in table["ci_note"].item()
    assert table["n_docs"].item() == 3 and table["n_units"].item() == 6


def test_intervals_are_reproducible_and_depend_on_the_seed():
    generator = np.random.default_rng(0)
    counts = generator.poisson(2.0, size=(40, 3)).astype(float)
    lengths = generator.integers(100, 300, size=40).astype(float)
    documents = np.repeat(np.arange(20), 2)
    groups = np.where(documents < 10, "甲", "乙")
    first = rate_intervals(counts, lengths, documents=documents, groups=groups, n_boot=300, random_state=1)
    again = rate_intervals(counts, lengths, documents=documents, groups=groups, n_boot=300, random_state=1)
    other = rate_intervals(counts, lengths, documents=documents, groups=groups, n_boot=300, random_state=2)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["ci_low"], other["ci_low"])
    assert first["group"].tolist() == ["甲"] * 3 + ["乙"] * 3
    # the rate is a ratio of sums, computed by hand here
    in_first = documents < 10
    assert np.allclose(first["rate"].to_numpy()[:3], counts[in_first].sum(axis=0) / lengths[in_first].sum())


def test_bad_options_name_the_parameter():
    with pytest.raises(ValueError, match="min_docs_for_interval"):
        rate_intervals(np.ones(3), np.ones(3), documents=[0, 1, 2], min_docs_for_interval=2)
    with pytest.raises(ValueError, match="resample"):
        rate_intervals(np.ones(3), np.ones(3), documents=[0, 1, 2], resample="sentence")
    with pytest.raises(ValueError, match="small_groups"):
        rate_intervals(np.ones(3), np.ones(3), documents=[0, 1, 2], small_groups="zero")
    with pytest.raises(ValueError, match="same units"):
        rate_intervals(np.ones(3), np.ones(2), documents=[0, 1, 2])


# ------------------------------------------------------------------------------- statistics


def test_frequency_counts_rates_and_zero_rows():
    corp = corpus_from_texts(
        {"a": "学史明理、学史增信。\n\n急难愁盼，急难愁盼。", "b": "走深走实。"},
        docvars=pd.DataFrame({"group": ["甲", "乙"]}, index=["a", "b"]),
    )
    freq = rhetoric.frequency(corp, rhetoric.match_registry(corp), term="category", n_boot=0)
    assert list(freq.columns) == ["group", "category", "count", "n_chars", "per_10k_chars", "ci_low", "ci_high",
                                  "n_docs", "ci_method", "ci_note"]
    assert len(freq) == 2 * 5  # every group × every category, zeros included
    row = freq[(freq["group"] == "甲") & (freq["category"] == "people")].iloc[0]
    n_chars = len("学史明理、学史增信。") + len("急难愁盼，急难愁盼。")
    assert (row["count"], row["n_chars"]) == (2, n_chars)
    assert row["per_10k_chars"] == pytest.approx(2 / n_chars * 1e4)
    assert freq["ci_low"].isna().all()


def test_frequency_bootstrap_is_deterministic_and_brackets_the_rate(seeds_grouped, seed_matches):
    first = rhetoric.frequency(seeds_grouped, seed_matches, n_boot=200, random_state=7)
    again = rhetoric.frequency(seeds_grouped, seed_matches, n_boot=200, random_state=7)
    other = rhetoric.frequency(seeds_grouped, seed_matches, n_boot=200, random_state=8)
    pd.testing.assert_frame_equal(first, again)
    assert not first["ci_low"].equals(other["ci_low"])
    # One document per seed group: no interval of the group's rate, only of the document's own
    # rate (labelled), and none at all where nothing was counted (never a zero-width interval).
    has = first["ci_low"].notna()
    assert has.any()
    assert (first.loc[has, "ci_low"] <= first.loc[has, "ci_high"]).all()
    assert (first.loc[has, "ci_low"] <= first.loc[has, "per_10k_chars"] + 1e-9).all()
    assert first.loc[first["count"] == 0, "ci_low"].isna().all()
    assert set(first["ci_method"]) <= {rhetoric.stats.CI_OWN_RATE, ""}
    assert first["group"].unique().tolist() == ["槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"]
    by_doc = rhetoric.frequency(seeds_grouped, seed_matches, by="doc_id", n_boot=50, resample="document")
    assert by_doc["doc_id"].nunique() == 5 and by_doc["count"].sum() == len(seed_matches)


def test_frequency_explains_what_is_missing(seeds, seed_matches):
    with pytest.raises(KeyError, match="open_corpus"):
        rhetoric.frequency(seeds, seed_matches, by="group")
    with pytest.raises(KeyError, match="not paragraphs"):
        rhetoric.frequency(seeds, seed_matches.assign(unit_id="nowhere:p001"), by="doc_id")


def test_inventory(seeds_grouped, seed_formulas):
    inv = rhetoric.inventory(seeds_grouped, seed_formulas, term="formula")
    row = inv[(inv["group"] == "召陵区") & (inv["formula"] == "七个结合")].iloc[0]
    assert (row["count"], row["n_docs"], row["first_unit"]) == (6, 1, "luohe-zhaoling:p002")
    assert inv.groupby("group", sort=False)["count"].sum().sum() == len(seed_formulas)


def test_formulaicness_on_a_constructed_text():
    corp = corpus_from_texts({"a": "学史明理，学史增信，学史崇德。\n\n今天下雨。"})
    table = rhetoric.formulaicness(corp, by="doc_id", n_boot=0).set_index("component")
    # registry covers 学史明理…学史崇德 (14 characters); the parallel run covers the same span
    assert table.loc["all", "covered_chars"] == 14
    assert table.loc["registry", "covered_chars"] == 14 and table.loc["parallel", "covered_chars"] == 14
    assert table.loc["all", "n_chars"] == len("学史明理，学史增信，学史崇德。") + len("今天下雨。")
    assert table.loc["all", "formulaicness"] == pytest.approx(14 / 20)


def test_formulaicness_counts_overlaps_once_and_ignores_paragraph_breaks():
    corp = corpus_from_texts({"a": "甲乙丙丁。\n\n戊己庚辛。"})
    assert corp.texts["a"] == "甲乙丙丁。\n戊己庚辛。"
    spans = {"x": pd.DataFrame({"doc_id": ["a"], "start": [3], "end": [8]}),
             "y": pd.DataFrame({"doc_id": ["a"], "start": [0], "end": [4]})}
    table = rhetoric.formulaicness(corp, spans, by="doc_id", n_boot=0).set_index("component")
    # x covers 丁。戊己 (the break at offset 5 is not text), y covers 甲乙丙丁: union 甲乙丙丁。戊己
    assert table.loc["x", "covered_chars"] == 4 and table.loc["y", "covered_chars"] == 4
    assert table.loc["all", "covered_chars"] == 7 and table.loc["all", "n_chars"] == 10


def test_formulaicness_on_the_seeds(seeds_grouped):
    table = rhetoric.formulaicness(seeds_grouped, n_boot=100, random_state=0)
    assert list(table["component"].cat.categories) == ["all", "registry", "numbered", "parallel", "quantifier"]
    wide = table.pivot(index="group", columns="component", values="formulaicness")
    assert (wide["all"] <= wide.drop(columns="all").sum(axis=1) + 1e-12).all()
    assert (wide["all"] >= wide.drop(columns="all").max(axis=1)).all()
    assert wide["all"].between(0.05, 0.5).all()
    has = table["ci_low"].notna()  # no interval where nothing was found (never zero width)
    assert (table.loc[has, "ci_low"] <= table.loc[has, "ci_high"]).all()
    assert (table.loc[~has, "ci_note"] != "").all()


def test_four_char_density():
    corp = corpus("加强领导、精心谋划，推动各项工作落实。")
    row = rhetoric.four_char_density(corp, by="doc_id", n_boot=0).iloc[0]
    assert (row["n_items"], row["n_four_char"]) == (3, 2)
    assert row["four_char_share"] == pytest.approx(2 / 3)


# ----------------------------------------------------------------------- IntervalSettings (issue 12)


def test_settings_object_and_keywords_give_the_same_table(grouped):
    corp, matches = grouped
    settings = IntervalSettings(n_boot=200, random_state=4, small_groups="nan")
    with_object = rhetoric.frequency(corp, matches, term="category", intervals=settings)
    with_keywords = rhetoric.frequency(corp, matches, term="category", n_boot=200, random_state=4, small_groups="nan")
    pd.testing.assert_frame_equal(with_object, with_keywords)
    # A keyword overrides the object's field.
    overridden = rhetoric.frequency(corp, matches, term="category", intervals=settings, n_boot=0)
    assert overridden["ci_low"].isna().all()
    for table in (rhetoric.formulaicness(corp, intervals=settings.replace(n_boot=0)),
                  rhetoric.four_char_density(corp, intervals=settings.replace(n_boot=0))):
        assert table["ci_low"].isna().all()
    with pytest.raises(TypeError, match="unknown interval option"):
        rhetoric.four_char_density(corp, nboot=10)


def test_the_old_argument_order_still_works_with_a_warning(grouped):
    corp, matches = grouped
    expected = rhetoric.frequency(corp, matches, term="category", n_boot=0)
    with pytest.warns(FutureWarning, match="frequency\\(corpus, table\\)"):
        old = rhetoric.frequency(matches, corp, term="category", n_boot=0)
    pd.testing.assert_frame_equal(old, expected)
    formulas = rhetoric.numbered_formulas(corp)
    with pytest.warns(FutureWarning, match="inventory\\(corpus, table\\)"):
        old_inventory = rhetoric.inventory(formulas, corp, term="formula")
    pd.testing.assert_frame_equal(old_inventory, rhetoric.inventory(corp, formulas, term="formula"))


def test_frequency_matches_the_registry_itself_when_not_given(grouped):
    corp, _ = grouped
    expected = rhetoric.frequency(corp, rhetoric.match_registry(corp), n_boot=0)
    pd.testing.assert_frame_equal(rhetoric.frequency(corp, n_boot=0), expected)


def test_groups_follow_the_package_grouping_rule():
    # A city-level report has no district: it is the whole city, not a missing group, as in
    # metadata.group_labels (and every other by= of the package).
    corp = corpus_from_texts(
        {"a": FILLER + PHRASE + "。", "b": FILLER + PHRASE + "，" + PHRASE + "。", "c": FILLER},
        docvars=pd.DataFrame({"district": ["槐荫区", "", None], "city": ["济南市", "济南市", ""],
                              "admin_level": ["district", "city", ""]}, index=["a", "b", "c"]),
    )
    table = _people(rhetoric.frequency(corp, term="category", by="district", n_boot=0).rename(
        columns={"district": "group"}))
    assert list(table.index) == ["槐荫区", "济南市（全市）", "unknown"]
    assert table["count"].tolist() == [1, 2, 0]
    layers = rhetoric.layer_rates(corp, rhetoric.match_layers(corp), by="district")
    assert set(layers["group"]) == {"槐荫区", "济南市（全市）", "unknown"}
