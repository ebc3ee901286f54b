"""How long topic-model fits take as the number of units grows (not run by the tests).

The seed paragraphs are segmented and trimmed once, then their rows of the sparse matrix are
replicated to 1,000, 10,000 and (optionally) 50,000 units, and a model is fitted on each size:

    .venv/bin/python benchmarks/topics_scaling.py                       # 1k and 10k, workers 1 and 2
    .venv/bin/python benchmarks/topics_scaling.py --sizes 1000 10000 50000 --coherence

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of units")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time")
    parser.add_argument("--k", type=int, default=10, help="number of topics")
    parser.add_argument("--passes", type=int, default=5, help="passes per fit")
    parser.add_argument("--iterations", type=int, default=100, help="E-step iterations per unit")
    parser.add_argument("--coherence", action="store_true", help="also time c_v and c_npmi coherence")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    corp = ct.open_corpus("seeds", group_by="district")
    seed_tc = topics.topic_corpus(corp, unit="paragraph", min_termfreq=3, min_docfreq=2, max_docfreq_prop=0.5,
                                  min_unit_tokens=5)
    print(f"seed corpus: {seed_tc}")
    rows = []
    for size in args.sizes:
        tc = replicate(seed_tc, size)
        for workers in args.workers:
            start = time.perf_counter()
            model = topics.fit_lda(tc, k=args.k, random_state=1, alpha="symmetric", passes=args.passes,
                                   iterations=args.iterations, workers=workers, track_bound=False)
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
