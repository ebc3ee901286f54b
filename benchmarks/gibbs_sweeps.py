"""How many Gibbs sweeps tomotopy needs: quality and stability of fits by sweep count (not run by the tests).

    .venv/bin/python benchmarks/gibbs_sweeps.py                        # seeds and a 5 MB synthetic sample
    .venv/bin/python benchmarks/gibbs_sweeps.py --sweeps 100 300 1000  # other counts

For each sweep count the package's own engine (``fit_lda(..., engine="tomotopy")``, as the reports
fit) fits the same units with the reference seed, a rerun and ``--refits`` other seeds, and prints
what :mod:`topic_engines` prints for an engine (seconds per fit, coherence, stability across seeds,
share of robust topics by ``stability``'s default thresholds, rerun identical), plus
``js_to_longest``: the mean Jensen–Shannon distance between the aligned topics of the reference
fit and the reference fit with the most sweeps (same seed): how far the shorter chain's topics are
from where the longest one ends. The units are those of :mod:`topic_engines`: every paragraph of
the seeds, and a seeded sample of ``--units`` paragraphs of the synthetic corpus (the K sweep's
sample).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_tools import topics  # noqa: E402
from corpus_tools.topics import TopicSettings  # noqa: E402
from topic_engines import _evaluate, _fit_lda_phi, evaluation_corpora  # noqa: E402


def by_sweeps(label: str, tc: topics.TopicCorpus, *, k: int, args: argparse.Namespace) -> pd.DataFrame:
    print(f"\n== {label}: {tc}, K={k}", flush=True)
    rows, references = [], {}
    for sweeps in sorted(args.sweeps):
        settings = TopicSettings(engine="tomotopy", gibbs_sweeps=sweeps)
        row, references[sweeps] = _evaluate(f"{sweeps} sweeps", lambda s: _fit_lda_phi(tc, k=k, seed=s, settings=settings),
                                            tc, seed=args.seed, refits=args.refits)
        rows.append({"sweeps": sweeps, **row})
    longest = references[max(references)]
    table = pd.DataFrame(rows).drop(columns="engine")
    table["js_to_longest"] = [float(topics.align_topics(longest, references[s])[1].mean()) for s in table["sweeps"]]
    print(table.round(3).to_string(index=False), flush=True)
    return table.assign(corpus=label)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, nargs="+", default=[100, 200, 300, 500, 1000])
    parser.add_argument("--size-mb", type=float, default=5, help="synthetic corpus size (0: seeds only)")
    parser.add_argument("--units", type=int, default=topics.DEFAULT_SAMPLE_UNITS)
    parser.add_argument("--k-seeds", type=int, default=3)
    parser.add_argument("--k-synthetic", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--refits", type=int, default=4)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dangshi-bench"))
    args = parser.parse_args()

    tables = [by_sweeps(label, tc, k=k, args=args) for label, tc, k in evaluation_corpora(args)]
    print()
    print(pd.concat(tables).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
