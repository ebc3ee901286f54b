"""Measure locality inference on the labelled set in tests/data/locality/articles.yaml.

Run from the project root (not part of the test suite; tests/corpus/test_locality.py imports
:func:`evaluate` and :func:`summarise` from here to assert accuracy floors)::

    .venv/bin/python benchmarks/locality_accuracy.py                 # every item
    .venv/bin/python benchmarks/locality_accuracy.py --split heldout # only the held-out items
    .venv/bin/python benchmarks/locality_accuracy.py --speed 2000    # time 2,000 seed-length articles
    .venv/bin/python benchmarks/locality_accuracy.py --body-only     # stress: drop titles and outlets

Prints, per level (province, city, district, town, admin_level): accuracy over all items,
coverage (share answered, i.e. not ""), precision among answered, recall among items whose
label is not "", and the number of wrong answers; then accuracy by confidence band, every
error with its evidence, and timings (gazetteer load, automaton build, milliseconds per item).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pandas as pd
import yaml

from corpus_tools.corpus import gazetteer as gazetteer_module
from corpus_tools.corpus import locality

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "data" / "locality" / "articles.yaml"
LEVELS = ("province", "city", "district", "town", "admin_level")


def load_labelled(path: Path = LABELLED, *, split: str = "all") -> list[dict]:
    """Read the labelled items (optionally one split: ``dev``, ``heldout`` or ``stress``)."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in items:
        missing = {"id", "text", "expected"} - set(item)
        if missing:
            raise ValueError(f"{path}: item {item.get('id', '?')} lacks {sorted(missing)}")
        if set(item["expected"]) != set(LEVELS):
            raise ValueError(f"{path}: item {item['id']} expected needs exactly {LEVELS}")
    return [i for i in items if split == "all" or i.get("split") == split]


def evaluate(items: list[dict], *, body_only: bool = False) -> pd.DataFrame:
    """Run :func:`corpus_tools.corpus.locality.infer_locality` on every item.

    ``body_only=True`` drops the title and outlet (a harder test: the labels stay those a
    reader of the whole item would give, so an abstention is expected more often, an error
    should still be rare).

    Returns
    -------
    pandas.DataFrame
        One row per item: ``id, split, traps``, for each level ``<level>`` (predicted) and
        ``<level>_expected``, ``confidence``, ``evidence``, ``all_correct`` and ``ms``.
    """
    rows = []
    for item in items:
        start = time.perf_counter()
        title = None if body_only else item.get("title") or None
        outlet = None if body_only else item.get("outlet") or None
        result = locality.infer_locality(item["text"], title=title, outlet=outlet)
        elapsed = (time.perf_counter() - start) * 1000
        predicted = {"province": result.province, "city": result.city, "district": result.district,
                     "town": result.town, "admin_level": result.admin_level}
        row = {"id": item["id"], "split": item.get("split", ""), "traps": ",".join(item.get("traps", []))}
        for level in LEVELS:
            row[level] = predicted[level]
            row[f"{level}_expected"] = item["expected"][level] or ""
        row.update(confidence=result.confidence, evidence=result.evidence,
                   all_correct=all(predicted[k] == (item["expected"][k] or "") for k in LEVELS), ms=elapsed)
        rows.append(row)
    return pd.DataFrame(rows)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """Accuracy per level.

    Returns
    -------
    pandas.DataFrame
        One row per level: ``level, n, accuracy, coverage, precision_answered, recall_labelled,
        n_wrong`` (shares in [0, 1]; ``precision_answered`` is correct / answered, ``recall_labelled``
        correct among items whose label is not "").
    """
    rows = []
    for level in LEVELS:
        pred, gold = results[level], results[f"{level}_expected"]
        answered = pred != ""
        labelled = gold != ""
        correct = pred == gold
        rows.append({
            "level": level,
            "n": len(results),
            "accuracy": correct.mean(),
            "coverage": answered.mean(),
            "precision_answered": (correct & answered).sum() / max(answered.sum(), 1),
            "recall_labelled": (correct & labelled).sum() / max(labelled.sum(), 1),
            "n_wrong": int((answered & ~correct).sum()),
        })
    return pd.DataFrame(rows)


def calibration(results: pd.DataFrame) -> pd.DataFrame:
    """Share of fully correct items by confidence band (answered items only).

    Returns
    -------
    pandas.DataFrame
        ``band, n, all_correct_share``.
    """
    answered = results[results["province"] != ""]
    bands = pd.cut(answered["confidence"], [0, 0.3, 0.5, 0.7, 0.85, 1.0001], right=False)
    table = answered.groupby(bands, observed=False)["all_correct"].agg(["size", "mean"]).reset_index()
    table.columns = ["band", "n", "all_correct_share"]
    table["band"] = table["band"].astype(str)
    return table


def timings(n_long: int = 0) -> dict[str, float]:
    """Cold load and build times, and ms per ~3,000-character article when ``n_long`` > 0."""
    gazetteer_module.gazetteer.cache_clear()
    gazetteer_module.automaton.cache_clear()
    start = time.perf_counter()
    gazetteer_module.gazetteer()
    loaded = time.perf_counter()
    gazetteer_module.automaton()
    built = time.perf_counter()
    out = {"gazetteer_load_s": loaded - start, "automaton_build_s": built - loaded}
    if n_long:
        seeds = Path(__file__).resolve().parents[1] / "seeds"
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(seeds.glob("*.txt"))]
        articles = [texts[i % len(texts)][: 3000] for i in range(n_long)]
        start = time.perf_counter()
        for text in articles:
            locality.infer_locality(text)
        out["ms_per_3000_char_article"] = (time.perf_counter() - start) * 1000 / n_long
        out["hours_per_100k_articles"] = out["ms_per_3000_char_article"] * 100_000 / 3_600_000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["all", "dev", "heldout", "stress"], default="all")
    parser.add_argument("--speed", type=int, default=200, help="number of seed-length articles to time (0: skip)")
    parser.add_argument("--body-only", action="store_true", help="drop titles and outlets (stress test)")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 90)
    speed = timings(args.speed)
    results = evaluate(load_labelled(split=args.split), body_only=args.body_only)
    print(f"labelled items: {len(results)} (split={args.split}{', body only' if args.body_only else ''})\n")
    print(summarise(results).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nall five fields correct: {results['all_correct'].mean():.3f}")
    print("\naccuracy by confidence band (items with a province):")
    print(calibration(results).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    errors = results[~results["all_correct"]]
    print(f"\nerrors ({len(errors)}):")
    for _, row in errors.iterrows():
        diffs = [f"{k}: {row[k] or '∅'} (expected {row[k + '_expected'] or '∅'})" for k in LEVELS
                 if row[k] != row[k + "_expected"]]
        print(f"- {row['id']} [{row['traps']}] conf={row['confidence']:.2f}: " + "; ".join(diffs))
        print(f"    evidence: {row['evidence']}")
    print("\ntimings:")
    for key, value in speed.items():
        print(f"  {key}: {value:.3f}")
    print(f"  ms per labelled item (median): {statistics.median(results['ms']):.3f}")


if __name__ == "__main__":
    main()
