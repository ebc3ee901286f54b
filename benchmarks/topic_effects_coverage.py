"""Does estimate_effect recover planted group effects, with honest 95 % intervals? (not run by the tests)

Simulated corpora with planted effects: G groups, each with its own known topic mix μ_g;
every document of group g draws its topic proportions from Dirichlet(concentration · μ_g),
has 1–5 paragraphs of about 40 tokens, and every token draws its topic from the document's
proportions. The estimand is each group's expected topic share minus the mean over groups,
μ_gk − mean_g μ_gk, which is what ``estimate_effect(..., reference="mean")`` reports as
``difference``.

Two ways to get the model's posterior, printed as ``mode``:

- ``posterior`` (default, fast): no topic model is fitted. Each paragraph's posterior is the
  exact Dirichlet posterior of its proportions given its tokens' topics,
  Dirichlet(α + topic counts), i.e. the true proportions plus realistic posterior noise.
- ``lda`` (``--lda``): the project's LDA (``topics.fit_lda``) is fitted `--fits` times (seeds)
  to words drawn from known topics, the first fit's topics are matched to the true ones
  (``topics.align_topics``), and the effects come from the fits' variational posteriors pooled
  by ``estimate_effect`` (as ``topics.with_refits`` gives them). Slower; 100 simulations by default.

    .venv/bin/python benchmarks/topic_effects_coverage.py                  # 200 simulations, posterior
    .venv/bin/python benchmarks/topic_effects_coverage.py --lda --sims 30 --sizes 30 --no-mixed \
        --alpha symmetric --concentration 3 --tokens 150 --passes 30 [--fits 1]   # fitted LDA
    .venv/bin/python benchmarks/topic_effects_coverage.py --timing         # time on a ~5 MB-sized corpus

Figures on this machine (2 cores, shared), 3 December 2026:

- posterior mode, 200 simulations, HC3: coverage 0.963 / 0.972 / 0.969 / 0.969 at 10 / 30 /
  100 / 200 documents per group (0.970 at >= 30), mean absolute bias per cell 0.16–0.32 pp;
  mixed group sizes 0.951–0.978. With ``--cov-type nonrobust`` (100 simulations): 0.958 at >= 30.
- lda mode, 30 documents per group, 100 simulations (``--sims 100``, other options as above),
  topics at mean JS distance 0.29 from the truth: coverage 0.933 with three fits pooled
  (bias 0.45 pp per cell on average, interval 17.3 pp wide), 0.854 with one fit (the
  variational posterior of a single fit knows nothing of how its topics depend on the random
  start). 30 simulations gave 0.956 and 0.863.
- timing: 17,000 paragraphs, 1,100 documents, K = 20, 30 districts: 22 s (20 s with a date
  spline), including importing statsmodels and patsy.

Printed per documents-per-group: ``mean_abs_bias_pp`` and ``max_abs_bias_pp`` (the mean
estimate − truth of each (group, topic) cell over the simulations, in percentage points),
``rmse`` (pp), ``coverage`` (share of 95 % intervals containing the truth) and ``width``
(mean interval width, pp), over every (simulation, group, topic); ``topic_js`` is the mean
Jensen–Shannon distance (base 2) between the fitted and the true topics (0 in ``posterior``
mode, where the topics are known).
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np
import pandas as pd

from corpus_tools import topics
from corpus_tools.tokens import Tokens
from corpus_tools.topics import TopicPosterior, estimate_effect

K = 4
GROUP_MIXES = np.array(
    [  # planted topic mixes per group (rows sum to 1): the effects to recover
        [0.40, 0.30, 0.20, 0.10],
        [0.25, 0.25, 0.25, 0.25],
        [0.10, 0.20, 0.30, 0.40],
        [0.30, 0.10, 0.40, 0.20],
    ]
)
GROUPS = ["甲区", "乙区", "丙县", "丁市"]


def simulate(docs_per_group: list[int], *, concentration: float, tokens_per_unit: int, generator,
             vocabulary: int = 0):
    """Return per-unit topic counts (and words when `vocabulary`), unit docvars and the true φ."""
    rows, counts, words = [], [], []
    phi = generator.dirichlet(np.full(vocabulary, 0.05), size=K) if vocabulary else None
    for g, n_docs in enumerate(docs_per_group):
        for d in range(n_docs):
            theta = generator.dirichlet(concentration * GROUP_MIXES[g])
            for p in range(generator.integers(1, 6)):
                n = max(5, generator.poisson(tokens_per_unit))
                z = generator.choice(K, size=n, p=theta)
                counts.append(np.bincount(z, minlength=K))
                if vocabulary:
                    words.append(np.concatenate([generator.choice(vocabulary, size=c, p=phi[k])
                                                 for k, c in enumerate(np.bincount(z, minlength=K))]))
                rows.append({"doc_id": f"g{g}d{d}", "group": GROUPS[g], "para_no": p + 1})
    docvars = pd.DataFrame(rows)
    docvars.index = pd.Index([f"{r.doc_id}:p{r.para_no:03d}" for r in docvars.itertuples()], name="unit_id")
    return np.array(counts, dtype=np.float64), docvars, words, phi


def truth() -> pd.DataFrame:
    diff = GROUP_MIXES - GROUP_MIXES.mean(axis=0, keepdims=True)
    return pd.DataFrame({"level": np.repeat(GROUPS, K), "topic": np.tile(np.arange(1, K + 1), len(GROUPS)),
                         "true": diff.ravel()})


def lda_posterior(words, docvars, phi, *, seed: int, passes: int, alpha, fits: int) -> tuple[float, list[TopicPosterior]]:
    """Fit the project's LDA to the simulated words; return the mean Jensen–Shannon distance of its
    topics to the true ones and its posterior with topics matched to the truth."""
    terms = [f"w{j}" for j in range(phi.shape[1])]
    tokens = Tokens(tokens=pd.Series([[terms[w] for w in ws] for ws in words], index=docvars.index, dtype=object),
                    docvars=docvars, unit="paragraph")
    tc = topics.topic_corpus(tokens, stopwords=None, min_chars=1, min_docfreq=1, min_termfreq=1,
                             max_docfreq_prop=1.0, min_unit_tokens=1)
    true_phi = phi[:, [int(t[1:]) for t in tc.dtm.terms]]
    true_phi /= true_phi.sum(axis=1, keepdims=True)
    posteriors, distances = [], []
    for s in range(fits):
        model = topics.fit_lda(tc, k=K, random_state=seed * 100 + s, passes=passes, iterations=200, alpha=alpha,
                               track_bound=False, cache=False)
        if s == 0:
            match, distance = topics.align_topics(true_phi, model.phi)  # match[i]: model topic of true topic i
            reference = model.phi[match]
            distances.append(distance.mean())
        else:
            # Later fits are matched to the first fit, as estimate_effect does, not to the truth.
            match, _ = topics.align_topics(reference, model.phi)
        post = TopicPosterior.from_model(model)
        posteriors.append(TopicPosterior(gamma=post.gamma[:, match], unit_tokens=post.unit_tokens,
                                         docvars=post.docvars, unit=post.unit,
                                         labels=pd.Series([f"{i + 1}" for i in range(K)], index=range(1, K + 1))))
    return float(np.mean(distances)), posteriors


def run(args) -> pd.DataFrame:
    generator = np.random.default_rng(args.seed)
    reference = truth()
    scenarios = {f"{n} per group": [n] * len(GROUPS) for n in args.sizes}
    if args.mixed:
        scenarios["mixed 10/30/100/200"] = [10, 30, 100, 200]
    results = []
    for name, sizes in scenarios.items():
        start = time.perf_counter()
        for sim in range(args.sims):
            counts, docvars, words, phi = simulate(
                sizes, concentration=args.concentration, tokens_per_unit=args.tokens, generator=generator,
                vocabulary=args.vocabulary if args.lda else 0)
            if args.lda:
                js, post = lda_posterior(words, docvars, phi, seed=args.seed + sim, passes=args.passes, fits=args.fits,
                                     alpha=args.alpha if args.alpha in ("symmetric", "auto") else float(args.alpha))
            else:
                js = 0.0
                post = TopicPosterior(gamma=counts + 1.0 / K, unit_tokens=counts.sum(axis=1), docvars=docvars,
                                      labels=pd.Series([str(i) for i in range(1, K + 1)], index=range(1, K + 1)))
            table = estimate_effect(post, by="group", reference="mean", n_draws=args.draws,
                                    cov_type=args.cov_type, random_state=args.seed + sim)
            diff = table[table["quantity"] == "difference"].merge(reference, on=["level", "topic"])
            diff["scenario"] = name
            diff["topic_js"] = js
            diff["docs"] = diff["level"].map(dict(zip(GROUPS, sizes, strict=True)))
            results.append(diff)
        logging.info("%s: %d simulations in %.1f s", name, args.sims, time.perf_counter() - start)
    return pd.concat(results, ignore_index=True)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    results = results.assign(
        error=results["estimate"] - results["true"],
        covered=(results["ci_low"] <= results["true"]) & (results["true"] <= results["ci_high"]),
        width=results["ci_high"] - results["ci_low"],
    )
    # Differences from the mean of groups sum to zero over groups, so the signed error averaged
    # over all cells is zero by construction: bias is judged per (group, topic) cell instead.
    cell_bias = results.groupby(["scenario", "docs", "level", "topic"], sort=False)["error"].mean()
    bias = cell_bias.abs().groupby(level=["scenario", "docs"], sort=False)
    summary = results.groupby(["scenario", "docs"], sort=False).agg(
        n=("covered", "size"),
        rmse_pp=("error", lambda e: 100 * np.sqrt((e**2).mean())),
        coverage=("covered", "mean"),
        width_pp=("width", lambda w: 100 * w.mean()),
        topic_js=("topic_js", "mean"),
    )
    summary.insert(1, "mean_abs_bias_pp", 100 * bias.mean())
    summary.insert(2, "max_abs_bias_pp", 100 * bias.max())
    return summary.round(3)


def timing(args) -> None:
    """Time estimate_effect on a posterior the size of a ~5 MB corpus (no fit: the estimate alone)."""
    generator = np.random.default_rng(args.seed)
    # ~5 MB of UTF-8 Chinese is ~1.7 million characters: ~1,100 articles of ~1,500 characters
    # in ~17,000 paragraphs. K = 20 topics, 30 districts, dates over a year.
    n_docs, n_units, k = 1100, 17000, 20
    doc_of_unit = np.sort(generator.integers(0, n_docs, size=n_units))
    doc_of_unit[:n_docs] = np.arange(n_docs)
    doc_of_unit.sort()
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(n_docs)],
                         "district": [f"区{i % 30:02d}" for i in range(n_docs)],
                         "date_published": pd.Timestamp("2021-01-01")
                         + pd.to_timedelta(generator.integers(0, 365, size=n_docs), unit="D")})
    docvars = docs.iloc[doc_of_unit].reset_index(drop=True)
    tokens = generator.poisson(40, size=n_units).astype(float) + 5
    gamma = generator.dirichlet(np.full(k, 0.3), size=n_units) * (tokens[:, None] + 1) + 1 / k
    post = TopicPosterior(gamma=gamma, unit_tokens=tokens, docvars=docvars,
                          labels=pd.Series([str(i) for i in range(1, k + 1)], index=range(1, k + 1)))
    for label, kwargs in (("by district", {}), ("by district + date spline", {"date": "date_published"})):
        start = time.perf_counter()
        table = estimate_effect(post, by="district", random_state=0, **kwargs)
        print(f"timing: {n_units} paragraphs, {n_docs} documents, K={k}, {label}: "
              f"{time.perf_counter() - start:.1f} s ({len(table)} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=None, help="simulations per scenario (200; 100 with --lda)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 100, 200], help="documents per group")
    parser.add_argument("--lda", action="store_true", help="fit the project's LDA in every simulation")
    parser.add_argument("--no-mixed", dest="mixed", action="store_false",
                        help="leave out the scenario with 10, 30, 100 and 200 documents in the four groups")
    parser.add_argument("--concentration", type=float, default=10.0, help="Dirichlet concentration of documents around their group's mix")
    parser.add_argument("--tokens", type=int, default=40, help="mean tokens per paragraph")
    parser.add_argument("--passes", type=int, default=50, help="LDA passes per fit (--lda)")
    parser.add_argument("--fits", type=int, default=3, help="LDA fits (seeds) per simulation, pooled by estimate_effect (--lda)")
    parser.add_argument("--alpha", default="auto", help="LDA document-topic prior (--lda): symmetric, auto or a number")
    parser.add_argument("--vocabulary", type=int, default=300, help="terms in the simulated vocabulary (--lda)")
    parser.add_argument("--draws", type=int, default=25, help="posterior draws per estimate (n_draws)")
    parser.add_argument("--cov-type", default="HC3", help="statsmodels covariance of each OLS fit")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--timing", action="store_true", help="only time the estimate on a ~5 MB-sized corpus")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("gensim").setLevel(logging.WARNING)
    logging.getLogger("corpus_tools").setLevel(logging.WARNING)  # one line per fit otherwise
    if args.timing:
        timing(args)
        return
    if args.sims is None:
        args.sims = 100 if args.lda else 200
    results = run(args)
    mode = (f"lda (fitted with topics.fit_lda, {args.fits} fit(s) per simulation, passes={args.passes}, "
            f"alpha={args.alpha}, topics matched to the "
            "truth)") if args.lda else \
        "posterior (true proportions + exact Dirichlet posterior noise, no fit)"
    print(f"mode: {mode}; {args.sims} simulations per scenario; cov_type={args.cov_type}; n_draws={args.draws}")
    summary = summarise(results)
    print(summary.to_string())
    at_30 = results[results["docs"] >= 30]
    covered = ((at_30["ci_low"] <= at_30["true"]) & (at_30["true"] <= at_30["ci_high"])).mean()
    print(f"coverage of the 95 % intervals at >= 30 documents per group: {covered:.3f} (target 0.90-0.98)")


if __name__ == "__main__":
    main()
