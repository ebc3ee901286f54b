"""Coverage of the rate intervals of corpus_tools.rhetoric.stats, by simulation.

Each simulated group has a known rate (occurrences per 10,000 characters). Its documents have
lengths that vary (log-normal around 2,000 characters) and rates of their own that differ
around the group's rate (gamma with shape ``kappa``: the smaller, the more documents differ;
``kappa=2`` gives a coefficient of variation of 0.71). A document's count is Poisson given
its rate and length, and is spread over paragraphs of about 150 characters. The group's rate
is what an interval should cover.

For every number of documents per group the script prints how often the nominal 95 %
interval covers the group's rate:

* ``document``: the document (cluster) bootstrap of :func:`rate_intervals` (bootstrap-t;
  BCa at Hesterberg's expanded level below 10 documents or when the bootstrap-t has no finite
  bound), forced on every group (``min_docs_for_interval=3``), to show where it can be trusted;
* ``default``: what ``frequency`` reports with its defaults: the document bootstrap from
  ``MIN_DOCS_FOR_INTERVAL`` documents, below that the labelled interval of the documents' own
  rate (or none: see ``no_interval``);
* ``paragraph``: the old interval, paragraphs resampled (``resample="paragraph"``): the
  baseline, which measures only the given documents' own rate.

Coverage is computed over the groups that got an interval; ``no_interval`` is the share that
got none (a zero count, or too few units to resample). With ``--reps 400`` a coverage has a
standard error of about 1.1 points.

    .venv/bin/python benchmarks/bootstrap_coverage.py            # about 3 minutes on one core
    .venv/bin/python benchmarks/bootstrap_coverage.py --reps 100 --docs 10 30
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from corpus_tools.rhetoric.stats import CI_DOCUMENT_BCA, MIN_DOCS_FOR_INTERVAL, rate_intervals

PARAGRAPH_CHARS = 150


def simulate(n_docs: int, n_groups: int, *, rate: float, kappa: float, rng: np.random.Generator) -> pd.DataFrame:
    """Paragraph rows of `n_groups` groups of `n_docs` documents each: group, doc, count, n_chars."""
    rows = []
    for g in range(n_groups):
        lengths = np.maximum(200, rng.lognormal(np.log(2000), 0.5, n_docs)).round()
        doc_rates = rng.gamma(kappa, rate / kappa, n_docs)
        counts = rng.poisson(doc_rates * lengths / 1e4)
        for d in range(n_docs):
            n_paras = max(1, int(lengths[d] // PARAGRAPH_CHARS))
            para_chars = np.full(n_paras, lengths[d] // n_paras)
            para_chars[: int(lengths[d] - para_chars.sum())] += 1
            para_counts = rng.multinomial(counts[d], para_chars / para_chars.sum())
            for chars, count in zip(para_chars, para_counts):
                rows.append((g, f"{g}-{d}", count, chars))
    return pd.DataFrame(rows, columns=["group", "doc", "count", "n_chars"])


def coverage(units: pd.DataFrame, *, rate: float, n_boot: int, seed: int, **options) -> dict[str, float]:
    table = rate_intervals(units["count"].to_numpy(), units["n_chars"].to_numpy(), documents=units["doc"].to_numpy(),
                           groups=units["group"].to_numpy(), scale=1e4, n_boot=n_boot, random_state=seed, **options)
    has = table["ci_low"].notna()
    hit = (table["ci_low"] <= rate) & (rate <= table["ci_high"])
    return {
        "coverage": float(hit[has].mean()) if has.any() else np.nan,
        "n_intervals": int(has.sum()),
        "no_interval": float((~has).mean()),
        "median_width": float((table["ci_high"] - table["ci_low"])[has].median()) if has.any() else np.nan,
        "bca_share": float((table["ci_method"] == CI_DOCUMENT_BCA)[has].mean()) if has.any() else np.nan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=400, help="simulated groups per setting")
    parser.add_argument("--n-boot", type=int, default=999, help="bootstrap resamples per interval")
    parser.add_argument("--docs", type=int, nargs="+", default=[1, 3, 5, 10, 30], help="documents per group")
    parser.add_argument("--rates", type=float, nargs="+", default=[5.0, 30.0], help="group rates per 10k chars")
    parser.add_argument("--kappas", type=float, nargs="+", default=[2.0, 0.5], help="gamma shapes of document rates")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    rows = []
    start = time.perf_counter()
    for kappa in args.kappas:
        for rate in args.rates:
            for n_docs in args.docs:
                units = simulate(n_docs, args.reps, rate=rate, kappa=kappa, rng=rng)
                settings = {
                    "document": dict(min_docs_for_interval=3) if n_docs >= 3 else None,
                    "default": dict(),
                    "paragraph": dict(resample="paragraph"),
                }
                for method, options in settings.items():
                    if options is None:
                        continue
                    result = coverage(units, rate=rate, n_boot=args.n_boot, seed=args.seed, **options)
                    rows.append({"kappa": kappa, "rate_per_10k": rate, "docs_per_group": n_docs, "method": method,
                                 **result})
                    print(f"kappa={kappa:<4} rate={rate:<5} docs={n_docs:<3} {method:<10} "
                          f"coverage={result['coverage']:.3f} no_interval={result['no_interval']:.3f} "
                          f"bca_share={result['bca_share']:.3f}", flush=True)
    table = pd.DataFrame(rows)
    wide = table.pivot_table(index=["kappa", "rate_per_10k", "docs_per_group"], columns="method",
                             values="coverage").reindex(columns=["document", "default", "paragraph"])
    pd.set_option("display.width", 120)
    print(f"\nNominal 95 % intervals; {args.reps} groups per row, {args.n_boot} resamples; "
          f"default threshold MIN_DOCS_FOR_INTERVAL={MIN_DOCS_FOR_INTERVAL}; {time.perf_counter() - start:.0f} s")
    print("Coverage of the group's rate (share of groups whose interval contains it):")
    print(wide.round(3).to_string())
    missing = table.pivot_table(index=["kappa", "rate_per_10k", "docs_per_group"], columns="method",
                                values="no_interval").reindex(columns=["document", "default", "paragraph"])
    print("\nShare of groups without an interval (zero count or nothing to resample):")
    print(missing.round(3).to_string())
    bca = table[table["method"] == "document"].set_index(["kappa", "rate_per_10k", "docs_per_group"])["bca_share"]
    print("\nDocument bootstrap: share of intervals that are BCa (fewer than 10 documents, or no finite bootstrap-t):")
    print(bca.round(3).to_string())


if __name__ == "__main__":
    main()
