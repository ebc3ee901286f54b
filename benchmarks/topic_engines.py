"""gensim's variational LDA against tomotopy's Gibbs sampler on the same units (not run by the tests).

    .venv/bin/python benchmarks/topic_engines.py                    # seeds and a 5 MB synthetic corpus
    .venv/bin/python benchmarks/topic_engines.py --size-mb 0        # seeds only

tomotopy is a dependency of the project (for the DMR model of ``corpus_tools.topics.dmr``);
without it the script says so and stops.

Both engines fit the same units with the same K: the seeds' paragraphs (all of them), and a
simple random sample of ``--units`` paragraphs of a synthetic corpus from
``benchmarks/pipeline_speed.py``'s generator (the sample the K sweep would use), each built with
the report's settings (:class:`corpus_tools.topics.TopicSettings`). For each engine it
prints:

* ``seconds``: wall time of one fit (mean over the reference fit and the refits);
* ``c_v`` and ``c_npmi``: mean coherence of the topics' 10 most probable terms, computed by the
  project's :func:`corpus_tools.topics.coherence` on the same reference units for both engines;
* stability: the fit with ``--seed`` is the reference, ``--refits`` fits with the next seeds are
  aligned to it with :func:`corpus_tools.topics.align_topics` (Hungarian matching on
  Jensen–Shannon distances, as :func:`corpus_tools.topics.stability` does): mean JS distance,
  mean Jaccard index of the top-10 terms, and the share of topics that are robust by
  ``stability``'s default thresholds (mean JS ≤ 0.4 and mean Jaccard ≥ 0.5);
* ``rerun_identical``: whether fitting again with the reference seed gives the same topic-term
  matrix bit for bit;
* and, for the pair of engines, the mean JS distance between their aligned topics.

gensim runs as the reports run it (``fit_lda``: variational Bayes, ``alpha="auto"``, passes up to
the cap until the per-word bound settles). tomotopy runs ``--gibbs-iterations`` sweeps of
collapsed Gibbs sampling with ``alpha`` 1/K optimised every 10 iterations (its default way of
learning an asymmetric prior) and ``eta`` 1/K (gensim's symmetric prior), ``seed=`` set and
``workers=1`` (one worker is needed for a deterministic sampler); with ``--tomotopy-workers 2``
it also times two workers and checks whether their reruns are identical. The one-worker
tomotopy fits are the package's own engine (``fit_lda(..., engine="tomotopy")``,
:mod:`corpus_tools.topics.gibbs`), so their time includes inferring every unit's topic shares,
as gensim's does; the two-worker fits call tomotopy directly (the package always uses one).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus_tools as ct  # noqa: E402
from corpus_tools import topics  # noqa: E402
from corpus_tools.topics import TopicSettings  # noqa: E402
from corpus_tools.topics.lda import sample_rows  # noqa: E402

TOPN = 10


def _tomotopy_phi(tc: topics.TopicCorpus, *, k: int, seed: int, iterations: int, workers: int) -> np.ndarray:
    """Topic-term matrix (K x the corpus's terms) of a tomotopy LDA fit on the units of `tc`."""
    import tomotopy as tp

    mdl = tp.LDAModel(tw=tp.TermWeight.ONE, min_cf=0, min_df=0, rm_top=0, k=k, alpha=1.0 / k, eta=1.0 / k, seed=seed)
    for words in tc.tokens.tokens:
        if words:
            mdl.add_doc(words)
    mdl.optim_interval = 10
    mdl.train(iterations, workers=workers)
    term_index = {term: j for j, term in enumerate(tc.dtm.terms)}
    phi = np.zeros((k, tc.n_terms), dtype=np.float64)
    n_vocab = len(mdl.used_vocabs)
    for topic in range(k):
        for word, prob in mdl.get_topic_words(topic, top_n=n_vocab):
            phi[topic, term_index[word]] = prob
    return phi / phi.sum(axis=1, keepdims=True)


def _fit_lda_phi(tc: topics.TopicCorpus, *, k: int, seed: int, settings: TopicSettings) -> np.ndarray:
    return topics.fit_lda(tc, k=k, cache=False, **{**settings.fit_args(), "random_state": seed}).phi


def _top_terms(tc: topics.TopicCorpus, phi: np.ndarray) -> list[list[str]]:
    terms = np.asarray(tc.dtm.terms, dtype=object)
    return [terms[np.argsort(-row, kind="stable")[:TOPN]].tolist() for row in phi]


def _evaluate(name: str, fit, tc: topics.TopicCorpus, *, seed: int, refits: int) -> tuple[dict, np.ndarray]:
    """Fit the reference, a rerun and the refits with `fit(seed)`; return the row and the reference phi."""
    seconds = []
    start = time.perf_counter()
    reference = fit(seed)
    seconds.append(time.perf_counter() - start)
    rerun = fit(seed)
    coherence = topics.coherence(_top_terms(tc, reference), tc)
    ref_top = [set(t) for t in _top_terms(tc, reference)]
    js, jaccard = [], []
    for other_seed in range(seed + 1, seed + 1 + refits):
        start = time.perf_counter()
        phi = fit(other_seed)
        seconds.append(time.perf_counter() - start)
        match, distance = topics.align_topics(reference, phi)
        other_top = _top_terms(tc, phi)
        js.append(distance)
        jaccard.append([len(ref_top[i] & set(other_top[match[i]])) / len(ref_top[i] | set(other_top[match[i]]))
                        for i in range(len(ref_top))])
    js_by_topic, jaccard_by_topic = np.mean(js, axis=0), np.mean(jaccard, axis=0)
    row = {
        "engine": name,
        "seconds": float(np.mean(seconds)),
        "c_v": float(coherence["c_v"].mean()),
        "c_npmi": float(coherence["c_npmi"].mean()),
        "mean_js": float(js_by_topic.mean()),
        "mean_top_jaccard": float(jaccard_by_topic.mean()),
        "robust_share": float(((js_by_topic <= 0.4) & (jaccard_by_topic >= 0.5)).mean()),
        "rerun_identical": bool(np.array_equal(reference, rerun)),
    }
    print(row, flush=True)
    return row, reference


def compare(label: str, tc: topics.TopicCorpus, *, k: int, args: argparse.Namespace) -> pd.DataFrame:
    settings = TopicSettings(engine="gensim")  # the former default, the baseline
    print(f"\n== {label}: {tc}, K={k}", flush=True)
    rows, phis = [], {}
    row, phis["gensim"] = _evaluate("gensim", lambda s: _fit_lda_phi(tc, k=k, seed=s, settings=settings), tc,
                                    seed=args.seed, refits=args.refits)
    rows.append(row)
    # One worker: the package's engine (fit_lda with engine="tomotopy", as a report would fit it).
    tomotopy = TopicSettings(engine="tomotopy", gibbs_sweeps=args.gibbs_iterations)
    row, phis["tomotopy w1"] = _evaluate("tomotopy w1", lambda s: _fit_lda_phi(tc, k=k, seed=s, settings=tomotopy), tc,
                                         seed=args.seed, refits=args.refits)
    rows.append(row)
    for workers in sorted({args.tomotopy_workers} - {1}):
        name = f"tomotopy w{workers}"
        row, phis[name] = _evaluate(
            name, lambda s, w=workers: _tomotopy_phi(tc, k=k, seed=s, iterations=args.gibbs_iterations, workers=w),
            tc, seed=args.seed, refits=args.refits)
        rows.append(row)
    table = pd.DataFrame(rows)
    _, between = topics.align_topics(phis["gensim"], phis["tomotopy w1"])
    table["js_to_gensim"] = [0.0] + [float(topics.align_topics(phis["gensim"], phis[n])[1].mean())
                                     for n in table["engine"].iloc[1:]]
    print(table.round(3).to_string(index=False))
    print(f"gensim vs tomotopy (1 worker), aligned topics: JS distances {np.round(between, 3).tolist()}")
    return table.assign(corpus=label)


def evaluation_corpora(args: argparse.Namespace) -> list[tuple[str, topics.TopicCorpus, int]]:
    """The units fits are compared on, as (label, topic corpus, K): every paragraph of the seeds
    (``--k-seeds``) and, unless ``--size-mb 0``, a seeded sample of ``--units`` paragraphs of a
    synthetic corpus (``--k-synthetic``), the sample the K sweep would use."""
    settings = TopicSettings()
    corpora = [("seeds", topics.topic_corpus(ct.open_corpus("seeds"), **settings.corpus_args()), args.k_seeds)]
    if args.size_mb:
        from topics_scaling import synthetic_topic_corpus

        full = synthetic_topic_corpus(args.size_mb, args.workdir)
        rows = sample_rows(full.n_units, args.units, args.seed)
        tc = full if len(rows) == full.n_units else full.subset(rows)
        corpora.append((f"synthetic {args.size_mb:g} MB", tc, args.k_synthetic))
    return corpora


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=5, help="synthetic corpus size (0: seeds only)")
    parser.add_argument("--units", type=int, default=topics.DEFAULT_SAMPLE_UNITS,
                        help="paragraphs sampled from the synthetic corpus")
    parser.add_argument("--k-seeds", type=int, default=3, help="K on the seeds (the report's choice)")
    parser.add_argument("--k-synthetic", type=int, default=8, help="K on the synthetic corpus")
    parser.add_argument("--seed", type=int, default=42, help="reference seed; refits use the next ones")
    parser.add_argument("--refits", type=int, default=3, help="refits for stability")
    parser.add_argument("--gibbs-iterations", type=int, default=1000, help="tomotopy Gibbs sweeps")
    parser.add_argument("--tomotopy-workers", type=int, default=2, help="also time tomotopy with this many workers")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dangshi-bench"), help="where corpora are generated")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        import tomotopy
    except ImportError:
        sys.exit("tomotopy is not installed: .venv/bin/python -m pip install -e . installs the project's dependencies")
    print(f"tomotopy {tomotopy.__version__} ({tomotopy.isa})")

    tables = [compare(label, tc, k=k, args=args) for label, tc, k in evaluation_corpora(args)]
    print()
    print(pd.concat(tables, ignore_index=True).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
