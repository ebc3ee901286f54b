"""Notebook 01's independent topic fits in one process and side by side (not run by the tests).

    .venv/bin/python benchmarks/topic_parallel.py                  # a 1 MB generated corpus
    .venv/bin/python benchmarks/topic_parallel.py --size-mb 5      # the corpus of issue 16

Generates a corpus with ``benchmarks/pipeline_speed.py``'s generator, builds the report's topic
corpus (:class:`corpus_tools.topics.TopicSettings` defaults) and fits the model of K =
``--k``; then times, with the result cache off, the three steps of notebook 01 made of
independent fits: the K sweep (``sweep_k``, one fit per K), the stability refits
(``stability``) and the refits pooled into the effect intervals (``with_refits``), each with
``n_jobs=1`` and with ``n_jobs=None`` (decided by size: every core when the work is large
enough, ``corpus_tools.topics.lda.FIT_MIN_TOKEN_PASSES``). It prints the seconds of each and
whether the tables (and the refits' topics) are identical bit for bit.

The machine is shared: the load average is printed at the start and the end, and a loaded
machine makes the two-process times pessimistic.

Measured on 2 shared cores (load average about 2 from other work), 1 MB: 268 articles, 1,311
paragraphs, 1,686 terms, 79,808 tokens, forked workers::

    n_jobs  sweep_s  stability_s  with_refits_s  total_s
         1    172.8        162.6           65.7    401.1
      None    119.8         91.6           31.5    242.9
    tables identical for n_jobs=1 and None: True

The sweep gained least there: its six fits differ in cost (K, passes until the bound settles),
and the last one ran alone. Since the sweep dispatches the largest K first, the same sweep took
153.4 s with ``n_jobs=1`` and 82.1 s with ``n_jobs=None`` (1.9x; load average about 1 during
both), with the same scores.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=float, default=1.0, help="generated corpus size in MB (default 1)")
    parser.add_argument("--k", type=int, default=6, help="K of the model whose refits are timed (default 6)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the corpus goes (default: a temporary folder)")
    args = parser.parse_args(argv)
    os.environ["DANGSHI_CACHE"] = "off"  # every fit is fitted, in both runs

    import pandas as pd

    from pipeline_speed import generate_corpus

    from corpus_tools import topics
    from corpus_tools.corpus import read_corpus
    from corpus_tools.parallel import available_cores, mp_context

    print(f"load average {os.getloadavg()}, {available_cores()} cores, workers start by {mp_context().get_start_method()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = (args.workdir or Path(scratch)) / f"corpus-{args.size_mb:g}mb"
        info = generate_corpus(folder, args.size_mb)
        corpus = read_corpus(folder, metadata=False)
        settings = topics.TopicSettings(engine="gensim")  # gensim fits side by side
        tc = topics.topic_corpus(corpus, **settings.corpus_args())
        print(f"{info['n_docs']} articles, {tc.n_units} {tc.unit_plural}, {tc.n_terms} terms, "
              f"{int(tc.dtm.matrix.sum())} tokens")
        model = topics.fit_lda(tc, k=args.k, **settings.fit_args())
        rows = []
        for n_jobs in (1, None):
            lda = topics.LdaSettings(**{**settings.lda.to_dict(), "n_jobs": n_jobs})
            sweep_args = {**settings.sweep_args(), "settings": lda}
            # the refits take the model's n_jobs, as in notebook 01 (the model's settings are the notebook's)
            reference = dataclasses.replace(model, settings={**model.settings, "n_jobs": n_jobs})
            sweep, sweep_s = _timed(topics.sweep_k, tc, progress=False, **sweep_args)
            stab, stab_s = _timed(topics.stability, reference, progress=False, **settings.stability_args())
            refits, refits_s = _timed(topics.with_refits, reference, n_refits=2)
            rows.append({"n_jobs": n_jobs, "sweep_s": sweep_s, "stability_s": stab_s, "with_refits_s": refits_s,
                         "sweep": sweep, "stab": stab, "refits": refits})
        one, auto = rows
        same = (one["sweep"].scores.equals(auto["sweep"].scores) and one["stab"].runs.equals(auto["stab"].runs)
                and one["stab"].topics.equals(auto["stab"].topics)
                and all(np.array_equal(a.phi, b.phi) for a, b in zip(one["refits"], auto["refits"])))
        table = pd.DataFrame([{k: (round(v, 1) if isinstance(v, float) else v) for k, v in row.items()
                               if k in ("n_jobs", "sweep_s", "stability_s", "with_refits_s")} for row in rows])
        table["total_s"] = table[["sweep_s", "stability_s", "with_refits_s"]].sum(axis=1).round(1)
        table["n_jobs"] = [str(row["n_jobs"]) for row in rows]  # None would print as NaN
        print(table.to_string(index=False))
        print(f"tables identical for n_jobs=1 and None: {same}")
    print(f"load average {os.getloadavg()}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
