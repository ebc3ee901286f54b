"""How long topic-model fits take as the number of units grows (not run by the tests).

The seed paragraphs are segmented and trimmed once, then their rows of the sparse matrix are
replicated to 1,000, 10,000 and (optionally) 50,000 units, and a model is fitted on each size:

    .venv/bin/python benchmarks/topics_scaling.py                       # 1k and 10k, workers 1 and 2
    .venv/bin/python benchmarks/topics_scaling.py --sizes 1000 10000 50000 --coherence

With ``--corpus-mb`` it instead times what notebook 01 does on a synthetic corpus of that size
(``benchmarks/pipeline_speed.py``'s generator: 5 MB is about 1,300 articles and 10,000
paragraphs) with the report's settings (:class:`corpus_tools.topics.TopicSettings`):
the K sweep and the stability refits on a sample of ``--sample-units`` paragraphs, passes
stopping at ``--tol``, the final model on every paragraph::

    .venv/bin/python benchmarks/topics_scaling.py --corpus-mb 5
    .venv/bin/python benchmarks/topics_scaling.py --corpus-mb 5 --sample-units 0 --tol 0   # the old way

It prints the seconds of each stage, the passes run, and, as the baseline, the old way's
cost estimated from the measured seconds per pass (80 fixed passes on every unit, for every
K and every refit); ``--sample-units 0 --tol 0`` measures it instead (about an hour at 5 MB).

Replicated paragraphs are exact copies, so they converge more easily than real text would; the
figures measure the cost of streaming the sparse rows through gensim, not model quality.
Seconds are wall-clock on this machine; ``fit_seconds`` covers training and the inference of
every unit's topic shares, ``tables_seconds`` the term, group and representative tables, and
``coherence_seconds`` (with ``--coherence``) the c_v and c_npmi of the topics.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

import corpus_tools as ct
from corpus_tools import topics
from corpus_tools.dtm import DocTermMatrix
from corpus_tools.tokens import Tokens


def replicate(tc: topics.TopicCorpus, n_units: int) -> topics.TopicCorpus:
    """Return a topic corpus of `n_units` rows cycling through the rows of `tc`."""
    rows = np.arange(n_units) % tc.n_units
    index = pd.Index([f"{tc.dtm.docvars.index[r]}#{i}" for i, r in enumerate(rows)], name="unit_id")
    docvars = tc.dtm.docvars.iloc[rows].set_axis(index)
    matrix = sp.csr_matrix(tc.dtm.matrix[rows])
    tokens = Tokens(
        tokens=pd.Series(tc.tokens.tokens.to_numpy()[rows], index=index, dtype=object),
        docvars=docvars,
        unit=tc.unit,
    )
    return topics.TopicCorpus(
        dtm=DocTermMatrix(matrix=matrix, terms=tc.dtm.terms, docvars=docvars),
        tokens=tokens,
        texts=pd.Series(tc.texts.to_numpy()[rows], index=index, dtype=object),
        unit=tc.unit,
        steps=tc.steps,
    )


def synthetic_topic_corpus(size_mb: float, workdir: Path) -> topics.TopicCorpus:
    """The report's topic corpus (TopicSettings' unit and vocabulary) of a generated corpus."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pipeline_speed import generate_corpus

    from corpus_tools.topics import TopicSettings

    folder = workdir / f"synthetic-{size_mb:g}mb"
    info = generate_corpus(folder, size_mb)
    start = time.perf_counter()
    corp = ct.open_corpus(folder)
    tc = topics.topic_corpus(corp, **TopicSettings().corpus_args())
    print(f"{info['n_docs']} articles, {info['bytes'] / 1e6:.1f} MB -> {tc} "
          f"({time.perf_counter() - start:.0f} s to read, segment and count)", flush=True)
    return tc


def report_pipeline(args: argparse.Namespace) -> None:
    """Time notebook 01's topic stages (sweep, choice, final fit, stability) at the report's settings."""
    from corpus_tools.topics import TopicSettings

    tc = synthetic_topic_corpus(args.corpus_mb, args.workdir)
    settings = TopicSettings(engine="gensim")  # passes and tol are gensim settings
    sample_units = args.sample_units or None
    tol = args.tol or None
    fit_args = {**settings.fit_args(), "tol": tol}
    rows = []

    start = time.perf_counter()
    sweep = topics.sweep_k(tc, progress=False, cache=False,
                           **{**settings.sweep_args(), "sample_units": sample_units, "tol": tol})
    choice = topics.choose_k(sweep, rule=settings.k_rule)
    rows.append({"stage": f"K sweep ({len(settings.k_values)} K)", "units": int(sweep.scores["n_train_units"].iloc[0]),
                 "passes": int(sweep.scores["n_passes"].sum()), "seconds": time.perf_counter() - start})
    start = time.perf_counter()
    model = topics.fit_lda(tc, k=choice.k, cache=False, **fit_args)
    rows.append({"stage": f"final fit (K={choice.k})", "units": tc.n_units, "passes": len(model.convergence),
                 "seconds": time.perf_counter() - start})
    start = time.perf_counter()
    stab = topics.stability(model, n_refits=settings.stability_runs, sample_units=sample_units, progress=False,
                            cache=False)
    rows.append({"stage": f"stability ({settings.stability_runs} refits)",
                 "units": int(stab.topics["n_refit_units"].iloc[0]),
                 "passes": int(stab.convergence.groupby("random_state").size().sum()),
                 "seconds": time.perf_counter() - start})
    table = pd.DataFrame(rows)
    print(table.round(1).to_string(index=False))
    total = table["seconds"].sum()
    print(f"total {total:.0f} s ({total / 60:.1f} min); chosen {choice.reason}")
    print(f"robust topics: {int(stab.topics['robust'].sum())} of {model.k}")

    # The old way (80 passes on every unit for 6 Ks, the final fit and 5 refits) from the final
    # fit's measured seconds per pass (it fits every unit; its per-pass bound is counted too).
    per_pass = table["seconds"].iloc[1] / table["passes"].iloc[1]
    n_fits = len(settings.k_values) + 1 + settings.stability_runs
    old = per_pass * settings.passes * n_fits
    print(f"baseline estimate, {settings.passes} passes on all {tc.n_units} units x {n_fits} fits: "
          f"{per_pass:.2f} s/pass -> {old:.0f} s ({old / 3600:.1f} h); this run is {old / total:.0f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of units")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    parser.add_argument("--k", type=int, default=10, help="number of topics")
    parser.add_argument("--passes", type=int, default=5, help="passes per fit")
    parser.add_argument("--iterations", type=int, default=100, help="E-step iterations per unit")
    parser.add_argument("--coherence", action="store_true", help="also time c_v and c_npmi coherence")
    parser.add_argument("--corpus-mb", type=float, default=0, help="time the report's topic stages on a synthetic "
                        "corpus of this many MB instead (e.g. 5)")
    parser.add_argument("--sample-units", type=int, default=topics.DEFAULT_SAMPLE_UNITS,
                        help="with --corpus-mb: units of the sweep and refits (0: all)")
    parser.add_argument("--tol", type=float, default=topics.DEFAULT_TOL,
                        help="with --corpus-mb: relative bound change that ends training (0: fixed passes)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dangshi-bench"), help="where corpora are generated")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.corpus_mb:
        report_pipeline(args)
        return

    corp = ct.open_corpus("seeds", by="district")
    seed_tc = topics.topic_corpus(corp, unit="paragraph", min_termfreq=3, min_docfreq=2, max_docfreq_prop=0.5,
                                  min_unit_tokens=5)
    print(f"seed corpus: {seed_tc}")
    rows = []
    for size in args.sizes:
        tc = replicate(seed_tc, size)
        for workers in args.workers:
            start = time.perf_counter()
            model = topics.fit_lda(tc, k=args.k, random_state=1, alpha="symmetric", passes=args.passes,
                                   iterations=args.iterations, n_jobs=workers, track_bound=False)
            fit_seconds = time.perf_counter() - start
            start = time.perf_counter()
            model.terms(10)
            model.group_shares("group")
            model.representative(3)
            tables_seconds = time.perf_counter() - start
            coherence_seconds = np.nan
            if args.coherence:
                start = time.perf_counter()
                model.topic_table()
                coherence_seconds = time.perf_counter() - start
            row = {"n_units": size, "workers": workers, "n_terms": tc.n_terms, "n_tokens": int(tc.dtm.matrix.sum()),
                   "k": args.k, "passes": args.passes, "fit_seconds": round(fit_seconds, 2),
                   "tables_seconds": round(tables_seconds, 2), "coherence_seconds": round(coherence_seconds, 2)}
            rows.append(row)
            print(row, flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
