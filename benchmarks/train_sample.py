"""What training the reported topic model on a sample of units (``train_units``) changes (not a test).

    .venv/bin/python benchmarks/train_sample.py                         # 5 MB, K = 6
    .venv/bin/python benchmarks/train_sample.py --size-mb 20 --train-units 2000 5000 20000

The report trains its model on at most ``train_units`` units (default 20,000) and infers every
unit's topic shares from the trained topics (:class:`corpus_tools.topics.LdaSettings`). This
script measures what that costs in substance, against the yardstick that matters: how much
the model already changes when only its random start changes.

On a corpus from ``benchmarks/report_scale.py``'s generator (localities, shared template
passages, some traditional script) and the report's topic corpus (:class:`TopicSettings`), it
fits K topics

* on every unit with ``--seed`` (the reference),
* on every unit with ``--seed + 1`` (the yardstick: a refit with another random start),
* on a sample of each of ``--train-units`` units with ``--seed``,

and prints one row per fit:

============== ===========================================================================
column         meaning
============== ===========================================================================
fit            what was fitted
train_units    units the fit was trained on (of ``n_units``)
seconds        wall time of the fit, inference of every unit's shares included
mean_js        mean Jensen–Shannon distance (base 2) of its topics to the reference's,
               after matching them one to one (:func:`corpus_tools.topics.align_topics`)
max_js         the largest of those distances
top_jaccard    mean Jaccard index of matched topics' 10 most probable terms
share_mad_pp   mean absolute difference, in percentage points, of each province's topic
               shares (:meth:`TopicModel.group_shares`, matched topics) from the reference's
============== ===========================================================================

A sample that is no further from the reference than the other seed is changes the topics by
less than the random start already does. The sample's fit shares the reference's seed, hence its
random start: that is the comparison a user faces (the report's model at its seed, trained on a
sample or on every unit), and what remains is the effect of the sample alone.

The corpus generator shuffles seed sentences, so its topics are weakly defined and two seeds
already disagree widely; on real text both distances are smaller.
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

TOPN = 10
BY = "province"


def _top_sets(model: topics.TopicModel) -> list[set[str]]:
    return [set(terms) for terms in model.top_terms(TOPN)]


def _shares(model: topics.TopicModel) -> pd.DataFrame:
    """Province x topic shares (percent), topics in the model's own order."""
    table = model.group_shares(BY)
    return table.pivot(index=BY, columns="topic", values="share") * 100


def compare(reference: topics.TopicModel, other: topics.TopicModel) -> dict[str, float]:
    """Distances of `other`'s topics, matched one to one, from the reference's."""
    match, distance = topics.align_topics(reference.phi, other.phi)
    ref_top, other_top = _top_sets(reference), _top_sets(other)
    jaccard = [len(ref_top[i] & other_top[match[i]]) / len(ref_top[i] | other_top[match[i]])
               for i in range(reference.k)]
    ref_shares = _shares(reference)
    other_shares = _shares(other)[[int(j) + 1 for j in match]].set_axis(ref_shares.columns, axis=1)
    return {
        "mean_js": float(distance.mean()),
        "max_js": float(distance.max()),
        "top_jaccard": float(np.mean(jaccard)),
        "share_mad_pp": float((other_shares - ref_shares).abs().to_numpy().mean()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=5, help="generated corpus size")
    parser.add_argument("--k", type=int, default=6, help="topics")
    parser.add_argument("--train-units", type=int, nargs="+", default=[1000, 2000, 4000],
                        help="sample sizes to compare with the fit on every unit")
    parser.add_argument("--seed", type=int, default=42, help="random_state of the reference and the samples")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/dangshi-bench"), help="where the corpus is generated")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from report_scale import generate_corpus

    folder = args.workdir / f"report-scale-{args.size_mb:g}mb"
    info = generate_corpus(folder, args.size_mb)
    corp = ct.open_corpus(folder, on_error="skip", cache=False)
    settings = TopicSettings(engine="gensim")  # the figures in the README are gensim fits
    tc = topics.topic_corpus(corp, **settings.corpus_args())
    print(f"{info['n_docs']} articles, {info['bytes'] / 1e6:.1f} MB -> {tc}; K={args.k}", flush=True)

    def fit(random_state: int, train_units: int | None) -> tuple[topics.TopicModel, float]:
        start = time.perf_counter()
        model = topics.fit_lda(tc, k=args.k, random_state=random_state, settings=settings.lda,
                               train_units=train_units, cache=False)
        return model, time.perf_counter() - start

    reference, seconds = fit(args.seed, None)
    rows = [{"fit": f"every unit, random_state={args.seed} (reference)", "train_units": tc.n_units,
             "seconds": seconds, "mean_js": 0.0, "max_js": 0.0, "top_jaccard": 1.0, "share_mad_pp": 0.0}]
    other, seconds = fit(args.seed + 1, None)
    rows.append({"fit": f"every unit, random_state={args.seed + 1}", "train_units": tc.n_units,
                 "seconds": seconds, **compare(reference, other)})
    print(rows[-1], flush=True)
    for n in sorted(args.train_units):
        if n >= tc.n_units:
            continue
        model, seconds = fit(args.seed, n)
        rows.append({"fit": f"sample, random_state={args.seed}", "train_units": model.n_train_units,
                     "seconds": seconds, **compare(reference, model)})
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print()
    print(f"n_units = {tc.n_units}; shares by {BY}")
    print(_markdown(table))
    return 0


def _markdown(table: pd.DataFrame) -> str:
    """A markdown table (floats to 3 decimals) without the optional tabulate package."""
    cells = [[f"{value:.3f}" if isinstance(value, float) else str(value) for value in row]
             for row in table.itertuples(index=False)]
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


if __name__ == "__main__":
    sys.exit(main())
