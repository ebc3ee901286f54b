"""Tests for corpus_tools.topics.effects: topic prevalence effects by the method of composition.

Reference values come from hand computations with numpy/pandas on constructed cases (group
means, pooled OLS standard errors, Benjamini–Hochberg by hand) and from gensim's own inference,
never from the code under test. Coverage over many simulations is measured in
``benchmarks/topic_effects_coverage.py``, not here.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from corpus_tools import topics
from corpus_tools.textplot.topics import plot_trend
from corpus_tools.topics.effects import EFFECT_COLUMNS, TopicPosterior, describe_effects, estimate_effect

from .helpers import LABELS2, effects_table_of_three_topics, farming_topic, posterior



def _two_groups(seed: int = 0, n: int = 20) -> tuple[np.ndarray, list[str]]:
    """Documents of 甲县 around 70 % topic 1, of 乙县 around 40 %."""
    generator = np.random.default_rng(seed)
    first = np.concatenate([generator.beta(14, 6, size=n), generator.beta(8, 12, size=n)])
    return np.column_stack([first, 1 - first]), ["甲县"] * n + ["乙县"] * n


# --------------------------------------------------------------------------------------------
# A real fit: a planted contrast comes back with the right sign
# --------------------------------------------------------------------------------------------


def test_planted_contrast_recovered_with_right_sign(planted_model):
    table = estimate_effect(planted_model, by="group", reference="乙县", random_state=0)
    farming = farming_topic(planted_model)
    row = table[(table["topic"] == farming) & (table["quantity"] == "difference")].iloc[0]
    assert row["level"] == "甲县" and row["contrast"] == "vs 乙县"
    assert row["regressed_on"] == "document" and row["n_documents"] == 12
    # Planted: 0.8 - 0.2 = 0.6 of the tokens; LDA's shares are close to the token shares here.
    assert 0.4 < row["estimate"] < 0.8
    assert row["ci_low"] > 0.2 and row["p_value"] < 1e-6
    other = table[(table["topic"] != farming) & (table["quantity"] == "difference")].iloc[0]
    assert other["estimate"] < 0 and other["ci_high"] < 0


def test_gamma_recovered_from_model_matches_gensim_inference(planted_model):
    post = TopicPosterior.from_model(planted_model)
    from gensim.matutils import Sparse2Corpus

    gamma, _ = planted_model.lda.inference(list(Sparse2Corpus(planted_model.corpus.dtm.matrix, documents_columns=False)))
    gamma = gamma[:, list(planted_model.order)]
    # Inference restarts from random values and stops at gensim's threshold: equal to ~1 %.
    np.testing.assert_allclose(post.gamma, gamma, rtol=0.02, atol=0.02)
    np.testing.assert_allclose(post.gamma.sum(axis=1), planted_model.unit_tokens + planted_model.alpha.sum())


# --------------------------------------------------------------------------------------------
# The estimator on hand-made posteriors
# --------------------------------------------------------------------------------------------


def test_point_estimates_and_standard_error_match_hand_computation():
    theta, groups = _two_groups()
    # Near-certain posterior: the composition then reduces to plain OLS on θ.
    post = posterior(theta, groups, certainty=1e7)
    table = estimate_effect(post, by="district", reference="乙县", cov_type="nonrobust", n_draws=20,
                            n_coef_draws=200, random_state=1)
    y = theta[:, 0]
    a, b = y[:20], y[20:]
    pooled = np.sqrt((((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()) / (40 - 2) * (1 / 20 + 1 / 20))
    diff = table[(table["topic"] == 1) & (table["quantity"] == "difference")].iloc[0]
    assert diff["estimate"] == pytest.approx(a.mean() - b.mean(), abs=0.004)
    assert diff["std_error"] == pytest.approx(pooled, rel=0.06)
    shares = table[(table["topic"] == 1) & (table["quantity"] == "share")].set_index("level")["estimate"]
    assert shares["甲县"] == pytest.approx(a.mean(), abs=0.004)
    assert shares["乙县"] == pytest.approx(b.mean(), abs=0.004)


@pytest.mark.parametrize("cov_type", ["HC3", "HC1", "nonrobust"])
def test_standard_errors_match_statsmodels_per_topic_fits(cov_type):
    import statsmodels.api as sm

    generator = np.random.default_rng(21)
    groups = ["甲县"] * 25 + ["乙县"] * 8 + ["丙县"] * 40
    spread = {"甲县": 30.0, "乙县": 4.0, "丙县": 12.0}  # unequal variances: HC and classical differ
    theta = np.array([generator.dirichlet(spread[g] * np.array([0.5, 0.3, 0.2])) for g in groups])
    table = estimate_effect(posterior(theta, groups, certainty=1e8), by="district", reference="甲县",
                            cov_type=cov_type, n_draws=10, n_coef_draws=400, random_state=3)
    x = np.column_stack([np.ones(len(groups)), [g == "乙县" for g in groups], [g == "丙县" for g in groups]]).astype(float)
    for topic in (1, 3):
        fit = sm.OLS(theta[:, topic - 1], x).fit(cov_type=cov_type)
        rows = table[(table["topic"] == topic) & (table["quantity"] == "difference")].set_index("level")
        for level, column in (("乙县", 1), ("丙县", 2)):
            assert rows.loc[level, "estimate"] == pytest.approx(fit.params[column], abs=0.005)
            assert rows.loc[level, "std_error"] == pytest.approx(fit.bse[column], rel=0.06)


def test_intervals_widen_when_the_model_is_less_certain():
    theta, groups = _two_groups(seed=4)
    widths = {}
    for certainty in (1e6, 200.0, 8.0):
        table = estimate_effect(posterior(theta, groups, certainty=certainty), by="district", reference="乙县",
                                random_state=2)
        row = table[(table["topic"] == 1) & (table["quantity"] == "difference")].iloc[0]
        widths[certainty] = (row["ci_high"] - row["ci_low"], row["std_error"])
    assert widths[8.0][0] > widths[200.0][0] > widths[1e6][0]
    assert widths[8.0][1] > 1.2 * widths[1e6][1]


def test_units_are_weighted_into_documents_by_their_tokens():
    # Document d0 has two units: 10 tokens all topic 1 and 30 tokens all topic 2, so its
    # token-weighted share of topic 1 is 10/40 = 0.25 (an unweighted mean would give 0.5).
    theta = np.array([[1.0, 0.0], [0.0, 1.0], [0.25, 0.75], [0.25, 0.75], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1]])
    theta = np.clip(theta, 1e-9, None)
    post = posterior(theta, ["甲县", "甲县", "甲县", "甲县", "乙县", "乙县", "乙县"], certainty=1e8,
                      tokens=[10, 30, 40, 40, 40, 40, 40], doc_ids=["d0", "d0", "d1", "d2", "d3", "d4", "d5"])
    table = estimate_effect(post, by="district", regress_on="document", random_state=0, n_draws=5)
    share = table[(table["topic"] == 1) & (table["quantity"] == "share") & (table["level"] == "甲县")].iloc[0]
    assert share["estimate"] == pytest.approx(0.25, abs=1e-3)
    assert share["n_documents"] == 3 and share["n_units"] == 4
    assert (table["regressed_on"] == "document").all()


def test_contrast_with_the_mean_of_levels():
    generator = np.random.default_rng(5)
    means = {"甲县": 0.2, "乙县": 0.5, "丙县": 0.6}
    groups = [g for g in means for _ in range(15)]
    first = np.array([generator.beta(20 * means[g], 20 * (1 - means[g])) for g in groups])
    theta = np.column_stack([first, 1 - first])
    table = estimate_effect(posterior(theta, groups, certainty=1e7), by="district", random_state=0)
    t1 = table[table["topic"] == 1]
    observed = pd.Series(first).groupby(groups).mean()
    diffs = t1[t1["quantity"] == "difference"].set_index("level")
    assert (diffs["contrast"] == "vs mean of levels").all()
    for level in means:
        assert diffs.loc[level, "estimate"] == pytest.approx(observed[level] - observed.mean(), abs=0.004)
    assert diffs["estimate"].sum() == pytest.approx(0.0, abs=1e-9)
    # Topic 2 is topic 1's complement: its differences are the negatives.
    t2 = table[(table["topic"] == 2) & (table["quantity"] == "difference")].set_index("level")
    np.testing.assert_allclose(t2["estimate"], -diffs["estimate"], atol=0.004)


def test_default_reference_is_the_largest_group():
    theta, groups = _two_groups(n=10)
    groups = ["甲县"] * 12 + ["乙县"] * 8
    table = estimate_effect(posterior(theta, groups, certainty=1e4), by="district", reference=None, random_state=0)
    assert set(table.loc[table["quantity"] == "difference", "contrast"]) == {"vs 甲县"}


def test_table_columns_determinism_and_q_values():
    theta, groups = _two_groups(seed=8)
    post = posterior(theta, groups, certainty=50.0)
    first = estimate_effect(post, by="district", random_state=9)
    assert tuple(first.columns) == EFFECT_COLUMNS
    pd.testing.assert_frame_equal(first, estimate_effect(post, by="district", random_state=9))
    assert not first.equals(estimate_effect(post, by="district", random_state=10))
    shares = first[first["quantity"] == "share"]
    assert shares["p_value"].isna().all() and shares["q_value"].isna().all()
    # Benjamini–Hochberg by hand: q_(i) = min over j >= i of p_(j) * m / j.
    p = first["p_value"].dropna().to_numpy()
    order = np.argsort(p)
    m = len(p)
    q_sorted = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    q = np.empty(m)
    q[order] = np.minimum(q_sorted, 1)
    np.testing.assert_allclose(first["q_value"].dropna().to_numpy(), q)
    assert (first["ci_low"] <= first["estimate"]).all() and (first["estimate"] <= first["ci_high"]).all()


def test_few_documents_are_flagged_and_robustness_is_carried():
    theta, _ = _two_groups(n=10)
    groups = ["甲县"] * 18 + ["乙县"] * 2
    stab = pd.DataFrame({"topic": [1, 2], "robust": [True, False]})
    table = estimate_effect(posterior(theta, groups, certainty=100.0), by="district", min_docs=3,
                            stability=stab, random_state=0)
    flags = table[table["quantity"] == "share"].set_index(["topic", "level"])["too_few_documents"]
    assert flags[(1, "乙县")] and not flags[(1, "甲县")]
    assert table.groupby("topic")["robust"].first().tolist() == [True, False]
    assert table["robust"].dtype == "boolean"


def test_date_trend_follows_a_planted_rise():
    generator = np.random.default_rng(6)
    n = 60
    days = generator.integers(0, 300, size=n)
    first = np.clip(0.2 + 0.5 * days / 300 + generator.normal(0, 0.05, size=n), 0.01, 0.99)
    theta = np.column_stack([first, 1 - first])
    dates = (pd.Timestamp("2021-02-20") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    post = posterior(theta, ["甲县", "乙县"] * (n // 2), certainty=500.0, date_published=dates)
    table = estimate_effect(post, by="district", date="date_published", date_points=6, random_state=0)
    trend = table[(table["topic"] == 1) & (table["quantity"] == "trend")]
    assert len(trend) == 6 and (trend["covariate"] == "date_published").all()
    assert trend["estimate"].is_monotonic_increasing
    assert trend["estimate"].iloc[0] == pytest.approx(0.2 + 0.5 * days.min() / 300, abs=0.05)
    assert trend["estimate"].iloc[-1] == pytest.approx(0.2 + 0.5 * days.max() / 300, abs=0.05)
    assert pd.to_datetime(trend["level"]).is_monotonic_increasing


def test_too_few_dates_raise_or_leave_the_trend_out():
    theta, groups = _two_groups(n=10)
    dates = [""] * 19 + ["2021-03-01"]
    post = posterior(theta, groups, certainty=100.0, date_published=dates)
    with pytest.raises(ValueError, match="date='date_published'.*1 of 20 documents have a date"):
        estimate_effect(post, by="district", date="date_published", random_state=0)
    table = estimate_effect(post, by="district", date="date_published", require_date=False, random_state=0)
    assert "trend" not in set(table["quantity"]) and table["n_documents"].max() == 10
    fig = plot_trend(table)
    assert "no trend" in fig.axes[0].texts[0].get_text()


def test_regression_falls_back_to_units_when_documents_are_too_few():
    # Three documents in three districts, five paragraphs each: no residual df on documents.
    theta = np.tile([[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]], (5, 1)) + np.linspace(0, 0.05, 15)[:, None] * [1, -1]
    doc_ids = ["a", "b", "c"] * 5
    post = posterior(theta, ["甲县", "乙县", "丙县"] * 5, certainty=100.0, doc_ids=doc_ids)
    table = estimate_effect(post, by="district", random_state=0)
    assert (table["regressed_on"] == "paragraph").all()
    assert table["too_few_documents"].all()
    with pytest.raises(ValueError, match="cannot estimate"):
        estimate_effect(post, by="district", regress_on="document", random_state=0)
    text = describe_effects(table)
    assert "no difference can be read" in text and "too narrow" in text


def test_corpus_values_never_execute_and_bad_inputs_name_the_problem():
    theta, _ = _two_groups(n=5)
    hostile = "__import__('os').system('echo pwned')"
    post = posterior(theta, ["甲县"] * 5 + [hostile] * 5, certainty=100.0)
    table = estimate_effect(post, by="district", random_state=0)
    assert hostile in set(table["level"])
    with pytest.raises(KeyError, match="outlet"):
        estimate_effect(post, by="outlet", random_state=0)
    with pytest.raises(ValueError, match="reference='丁县' is not a level of 'district'"):
        estimate_effect(post, by="district", reference="丁县", random_state=0)
    with pytest.raises(ValueError, match="n_draws"):
        estimate_effect(post, by="district", n_draws=0, random_state=0)
    with pytest.raises(ValueError, match="gamma must be finite and positive"):
        TopicPosterior(gamma=np.zeros((2, 2)), unit_tokens=[1, 1], docvars=pd.DataFrame({"doc_id": ["a", "b"]}),
                       labels=LABELS2)


# --------------------------------------------------------------------------------------------
# Figures and sentences
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_topic_table() -> pd.DataFrame:
    return effects_table_of_three_topics()


def test_describe_effects_is_generated_from_the_table(three_topic_table):
    text = describe_effects(three_topic_table)
    readable = three_topic_table[(three_topic_table["quantity"] == "difference")
                                 & ~three_topic_table["too_few_documents"]]
    n_clear = int((readable["q_value"] <= 0.05).sum())
    assert text.startswith(f"By district (each level vs mean of levels; regression on documents): {n_clear} of "
                           f"{len(readable)} differences")
    assert "甲县 more on topic 1" in text
    assert "Too few documents to read: 丙县." in text


def test_numeric_and_categorical_covariates_are_adjusted_for():
    generator = np.random.default_rng(14)
    n = 80
    groups = np.array(["甲县", "乙县"] * (n // 2))
    level = np.where(np.arange(n) % 4 < 2, "县级", "市级")
    length = generator.uniform(0, 10, size=n)
    # Planted: +0.02 of topic 1 per unit of `length`, +0.1 in 甲县, nothing by level.
    first = np.clip(0.2 + 0.02 * length + 0.1 * (groups == "甲县") + generator.normal(0, 0.03, size=n), 0.01, 0.99)
    theta = np.column_stack([first, 1 - first])
    post = posterior(theta, groups, certainty=1e6, admin_level=level, length=length)
    table = estimate_effect(post, by="district", covariates=["admin_level", "length"], reference="乙县", random_state=0)
    t1 = table[table["topic"] == 1]
    slope = t1[t1["quantity"] == "slope"].iloc[0]
    assert slope["covariate"] == "length" and slope["estimate"] == pytest.approx(0.02, abs=0.003)
    diff = t1[(t1["quantity"] == "difference") & (t1["covariate"] == "district")].iloc[0]
    assert diff["estimate"] == pytest.approx(0.1, abs=0.02)
    levels = t1[(t1["quantity"] == "difference") & (t1["covariate"] == "admin_level")]
    assert set(levels["contrast"]) == {"vs mean of levels"} and (levels["q_value"] > 0.05).all()


def test_several_fits_are_aligned_and_pooled(planted_model):
    # A second fit of the same corpus with another seed, its topics numbered the other way round
    # (as a fit whose topics came out in another order of prevalence would be).
    fits = topics.with_refits(planted_model, n_refits=1)
    assert len(fits) == 2 and fits[0] is planted_model and fits[1].random_state == planted_model.random_state + 1
    assert fits[1].settings == planted_model.settings
    refit = fits[1]
    refit = dataclasses.replace(refit, phi=refit.phi[::-1], theta=refit.theta[:, ::-1], order=refit.order[::-1])
    one = estimate_effect(planted_model, by="group", reference="乙县", random_state=0)
    both = estimate_effect([planted_model, refit], by="group", reference="乙县", random_state=0)
    farming = farming_topic(planted_model)
    pick = lambda t: t[(t["topic"] == farming) & (t["quantity"] == "difference")].iloc[0]  # noqa: E731
    # Had the refit's topics not been matched, pooling would average the farming topic with its opposite.
    assert pick(both)["estimate"] == pytest.approx(pick(one)["estimate"], abs=0.05)
    assert pick(both)["label"] == pick(one)["label"]
    with pytest.raises(ValueError, match="empty sequence"):
        estimate_effect([], by="group", random_state=0)
    other = TopicPosterior(gamma=np.ones((3, 2)), unit_tokens=[1, 1, 1], docvars=pd.DataFrame({"doc_id": list("abc")}),
                           labels=LABELS2)
    with pytest.raises(ValueError, match="other units or topics"):
        estimate_effect([TopicPosterior.from_model(planted_model), other], by=None, covariates=[], random_state=0)


def test_the_former_module_keeps_its_names():
    import importlib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # an import from outside the package warns once
        old = importlib.import_module("corpus_tools.topic_effects")
    assert old is importlib.import_module("corpus_tools.topics.effects")
    for name in ("TopicPosterior", "estimate_effect", "describe_effects", "plot_effects", "plot_trend", "dmr_effects",
                 "compare_effects", "describe_comparison", "with_refits", "EFFECT_COLUMNS"):
        assert getattr(old, name) is getattr(topics, name), name


# --------------------------------------------------------------------------------------------
# The regression machinery against statsmodels, exactly
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cov_type", ["HC3", "HC2", "HC1", "HC0", "nonrobust"])
def test_coefficient_covariance_and_draws_match_statsmodels(cov_type):
    import statsmodels.api as sm

    from corpus_tools.topics.effects import _OLS

    generator = np.random.default_rng(8)
    n = 60
    x = np.column_stack([np.ones(n), np.arange(n) % 3 == 1, np.arange(n) % 3 == 2, generator.uniform(0, 5, n)])
    y = np.column_stack([0.3 + 0.05 * x[:, 3] + generator.normal(0, 0.02 + 0.05 * x[:, 1], n),
                         0.5 - 0.1 * x[:, 2] + generator.normal(0, 0.04, n)])
    ols = _OLS.of(x)
    params, weights = ols.fit(y, cov_type=cov_type)
    for topic in range(2):
        fit = sm.OLS(y[:, topic], x).fit(cov_type=cov_type)
        np.testing.assert_allclose(params[:, topic], fit.params, rtol=1e-9)
        np.testing.assert_allclose(ols.covariance(weights[:, topic]), fit.cov_params(), rtol=1e-9, atol=1e-15)
    draws = ols.draw_coefficients(params[:, 0], weights[:, 0], np.random.default_rng(0), 40_000)
    reference = sm.OLS(y[:, 0], x).fit(cov_type=cov_type)
    np.testing.assert_allclose(draws.mean(axis=0), reference.params, atol=4 * reference.bse.max() / np.sqrt(40_000))
    np.testing.assert_allclose(draws.std(axis=0), reference.bse, rtol=0.03)


def test_shares_are_predictive_margins_over_the_other_covariates():
    # Three districts and a numeric covariate whose mean differs between them: each district's
    # share is the fit with every document moved to that district, other covariates as observed
    # (b0 + b_district + b_length * mean(length)), not the district's raw mean.
    import statsmodels.api as sm

    generator = np.random.default_rng(12)
    groups = np.array(["甲县"] * 30 + ["乙县"] * 30 + ["丙县"] * 30)
    length = np.concatenate([generator.uniform(0, 4, 30), generator.uniform(3, 9, 30), generator.uniform(1, 6, 30)])
    first = np.clip(0.15 + 0.03 * length + 0.08 * (groups == "丙县") + generator.normal(0, 0.02, 90), 0.01, 0.99)
    theta = np.column_stack([first, 1 - first])
    table = estimate_effect(posterior(theta, groups, certainty=1e8, length=length), by="district",
                            covariates=["length"], random_state=0)
    x = np.column_stack([np.ones(90), groups == "乙县", groups == "丙县", length]).astype(float)
    b = sm.OLS(first, x).fit().params
    hand = {"甲县": b[0] + b[3] * length.mean(), "乙县": b[0] + b[1] + b[3] * length.mean(),
            "丙县": b[0] + b[2] + b[3] * length.mean()}
    shares = table[(table["topic"] == 1) & (table["quantity"] == "share")].set_index("level")["estimate"]
    for level, value in hand.items():
        assert shares[level] == pytest.approx(value, abs=0.002)
    raw = pd.Series(first).groupby(groups).mean()
    assert abs(shares["乙县"] - raw["乙县"]) > 0.02  # the margin adjusts for 乙县's long documents


def test_the_design_is_built_in_chunks_exactly_as_patsy_builds_it_whole(monkeypatch):
    # Chunks of 7 rows: the spline's knots and the category's levels must still come from all
    # rows (a chunk on its own has other quantiles and misses levels).
    import patsy

    from corpus_tools.topics import effects

    generator = np.random.default_rng(31)
    n = 50
    data = pd.DataFrame({
        "v0": pd.Categorical(generator.choice(["甲", "乙", "丙", "丁"], n), categories=["丁", "丙", "乙", "甲"]),
        "v1": generator.uniform(0, 9, n),
        "t": np.sort(generator.integers(0, 120, n)).astype(float),
    })
    formula = "C(v0) + v1 + bs(t, df=3)"
    whole = patsy.dmatrix(formula, data, return_type="dataframe", NA_action="raise")
    monkeypatch.setattr(effects, "DESIGN_CHUNK_ROWS", 7)
    info, matrix = effects._sparse_design(formula, data)
    assert info.column_names == whole.design_info.column_names
    np.testing.assert_array_equal(matrix.toarray(), whole.to_numpy())


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")
def test_a_collinear_design_gives_statsmodels_fitted_values_leverages_and_estimable_variances():
    # District nested in province: the province dummy is the sum of its districts' dummies, so
    # the design has one column more than its rank. What the data determine (fitted values,
    # residuals, leverages, the rank, and the variance of an estimable combination such as a
    # design row) must not depend on which generalized inverse is used.
    import statsmodels.api as sm

    from corpus_tools.topics.effects import _OLS

    generator = np.random.default_rng(9)
    district = np.arange(80) % 4
    x = np.column_stack([np.ones(80), district == 1, district == 2, district == 3,
                         (district == 2) | (district == 3), generator.uniform(0, 1, 80)]).astype(float)
    y = np.column_stack([0.2 + 0.1 * x[:, 2] + generator.normal(0, 0.03 + 0.05 * x[:, 3], 80),
                         0.4 - 0.1 * x[:, 5] + generator.normal(0, 0.05, 80)])
    ols = _OLS.of(x)
    fit = sm.OLS(y[:, 0], x).fit(cov_type="HC3")
    assert ols.rank == 5 == fit.model.rank
    assert ols.df_resid == 75 == int(fit.df_resid)
    np.testing.assert_allclose(ols.leverage, fit.get_influence().hat_matrix_diag, rtol=1e-9)
    params, weights = ols.fit(y, cov_type="HC3")
    np.testing.assert_allclose(x @ params[:, 0], fit.fittedvalues, rtol=1e-9)
    combo = x[3] - x[1]  # a district against another: estimable
    np.testing.assert_allclose(combo @ params[:, 0], combo @ fit.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(combo @ ols.covariance(weights[:, 0]) @ combo, combo @ fit.cov_params() @ combo,
                               rtol=1e-8)


def test_leverages_in_chunks_of_rows_match_statsmodels(monkeypatch):
    import statsmodels.api as sm

    from corpus_tools.topics.effects import _OLS

    generator = np.random.default_rng(4)
    x = np.column_stack([np.ones(40), np.arange(40) % 5 == 1, np.arange(40) % 5 == 3, generator.normal(size=40)])
    monkeypatch.setattr(_OLS, "LEVERAGE_CHUNK_ROWS", 3)
    ols = _OLS.of(x)
    np.testing.assert_allclose(ols.leverage, sm.OLS(np.zeros(40), x).fit().get_influence().hat_matrix_diag,
                               rtol=1e-10)
