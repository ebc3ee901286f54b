"""Time topic effects (``estimate_effect``) as the number of groups grows (not a test).

Run from the project root::

    .venv/bin/python benchmarks/effects_scale.py                       # 50 to 2,000 groups
    .venv/bin/python benchmarks/effects_scale.py --groups 100 400 --baseline-max 400

A report's topic effects regress every document's topic shares on its group (one coefficient
per group) and a date spline, and report each group's share and difference from the mean of
the groups. With the groups of a real corpus (hundreds to thousands of localities) the
regression has as many coefficients as groups, so any step that costs groups x documents or
groups² per draw decides whether the report finishes.

The posterior is synthetic (:func:`synthetic_posterior`): ``--docs-per-group`` documents per
group of three units each, K = 6, Dirichlet parameters of about 40 tokens per unit, dates over
300 days: the shape of ``benchmarks/report_scale.py``'s corpora. For each number of groups the
script times :func:`corpus_tools.topics.estimate_effect` (25 posterior draws x 100 coefficient
draws, HC3) and, up to ``--baseline-max`` groups, the obvious implementation it replaced
(:func:`baseline_draw_block`'s per-level design rebuild and per-topic covariance
eigendecomposition), and prints:

=============== ==========================================================================
column          meaning
=============== ==========================================================================
groups          levels of the group covariate
documents       documents regressed (rows of the design)
seconds         ``estimate_effect``'s wall time
peak_mb         the process's peak resident memory so far (MB)
baseline_s      wall time of the former algorithm (blank above ``--baseline-max``)
se_diff         median and largest relative difference of the two std_errors: Monte Carlo
                noise only (the same 25 posterior draws, then coefficient draws from the same
                normal distribution by two factorisations)
=============== ==========================================================================
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from corpus_tools.topics.effects import TopicPosterior, estimate_effect  # noqa: E402


def synthetic_posterior(n_groups: int, docs_per_group: int, *, k: int = 6, units: int = 3,
                        seed: int = 0) -> TopicPosterior:
    """A posterior of `n_groups` x `docs_per_group` documents of `units` units, dated over 300 days."""
    generator = np.random.default_rng(seed)
    n_docs = n_groups * docs_per_group
    groups = np.repeat(np.arange(n_groups), docs_per_group)
    docvars = pd.DataFrame({
        "doc_id": np.repeat([f"d{i}" for i in range(n_docs)], units),
        "group": np.repeat([f"县{g:04d}" for g in groups], units),
        "date_published": (pd.Timestamp("2021-02-20")
                           + pd.to_timedelta(np.repeat(generator.integers(0, 300, n_docs), units), unit="D")
                           ).strftime("%Y-%m-%d"),
    })
    gamma = generator.gamma(2.0, 1.0, (n_docs * units, k)) * 20
    return TopicPosterior(gamma=gamma, unit_tokens=np.full(len(docvars), 40.0), docvars=docvars,
                          labels=pd.Series([f"{i} topic" for i in range(1, k + 1)], index=range(1, k + 1)))


def baseline(posterior: TopicPosterior, *, random_state: int, n_draws: int = 25,
             n_coef_draws: int = 100) -> pd.Series:
    """The former algorithm's std_error of every share and difference, topic-major.

    Predictive margins rebuild the whole design with patsy once per level; every draw forms
    each topic's HC3 covariance ``P diag(w) Pᵀ`` and factors it (``eigh``) to draw coefficients.
    """
    import patsy
    from statsmodels.regression.linear_model import OLS

    from corpus_tools.topics.effects import aggregation_matrix, unit_groups

    codes, _ = unit_groups(posterior)
    first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
    data = pd.DataFrame({"g": posterior.docvars["group"].to_numpy()[first]})
    dates = pd.to_datetime(posterior.docvars["date_published"].to_numpy()[first])
    data["t"] = (dates - dates.min()).days.astype(np.float64)
    levels = sorted(data["g"].unique())
    data["g"] = pd.Categorical(data["g"], categories=levels)
    design = patsy.dmatrix("C(g) + bs(t, df=3)", data, return_type="dataframe")
    info, x = design.design_info, design.to_numpy()
    shares = []
    for level in levels:
        frame = data.copy()
        frame["g"] = pd.Categorical([level] * len(frame), categories=levels)
        (rows,) = patsy.build_design_matrices([info], frame, return_type="matrix")
        shares.append(np.asarray(rows).mean(axis=0))
    shares = np.array(shares)
    combos = np.vstack([shares, shares - shares.mean(axis=0)])
    fit = OLS(np.zeros(len(x)), x).fit()
    pinv = np.asarray(fit.model.pinv_wexog)
    leverage = 1 - np.einsum("ij,ji->i", x, pinv)
    aggregate = aggregation_matrix(codes, posterior.unit_tokens, len(first))
    generator = np.random.default_rng(random_state)
    draws = np.empty((posterior.k, n_draws * n_coef_draws, len(combos)))
    for d in range(n_draws):
        y = aggregate @ posterior.draw(generator)
        params = pinv @ y
        resid = y - x @ params
        covs = np.einsum("pn,nk,qn->kpq", pinv, resid**2 / leverage[:, None] ** 2, pinv, optimize=True)
        values, vectors = np.linalg.eigh(covs)
        factor = vectors * np.sqrt(np.clip(values, 0, None))[:, None, :]
        z = generator.standard_normal((posterior.k, n_coef_draws, factor.shape[-1]))
        coef = params.T[:, None, :] + np.einsum("kcp,kqp->kcq", z, factor)
        draws[:, d * n_coef_draws : (d + 1) * n_coef_draws] = coef @ combos.T
    return pd.Series(draws.std(axis=1, ddof=1).ravel())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, nargs="+", default=[50, 200, 400, 1000, 2000])
    parser.add_argument("--docs-per-group", type=int, default=13,
                        help="documents per group (default 13: report_scale's 100 MB corpus has 26,579 "
                             "articles in 2,051 localities)")
    parser.add_argument("--baseline-max", type=int, default=400,
                        help="time the former algorithm up to this many groups (it grows with groups³)")
    args = parser.parse_args()
    estimate_effect(synthetic_posterior(5, 4), by="group", date="date_published", random_state=0)  # imports
    print("| groups | documents | seconds | peak_mb | baseline_s | se_diff median / max |")
    print("|---|---|---|---|---|---|")
    for n_groups in args.groups:
        posterior = synthetic_posterior(n_groups, args.docs_per_group)
        start = time.perf_counter()
        table = estimate_effect(posterior, by="group", date="date_published", random_state=0)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        baseline_s = diff = ""
        if n_groups <= args.baseline_max:
            start = time.perf_counter()
            former = baseline(posterior, random_state=0)
            baseline_s = f"{time.perf_counter() - start:.1f}"
            ours = table[table["covariate"] == "group"]  # topic-major: shares, then differences
            ours = ours["std_error"].to_numpy()
            relative = np.abs(ours - former.to_numpy()) / former.to_numpy()
            diff = f"{np.median(relative):.3f} / {relative.max():.3f}"
        print(f"| {n_groups:,} | {n_groups * args.docs_per_group:,} | {seconds:.1f} | {peak:,.0f} | "
              f"{baseline_s} | {diff} |", flush=True)


if __name__ == "__main__":
    main()
