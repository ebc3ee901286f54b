"""Time the rhetoric detectors on a synthetic corpus of about 5 MB built from the seed paragraphs.

Run from the project root (not part of the test suite)::

    .venv/bin/python benchmarks/rhetoric_speed.py            # ~5 MB
    .venv/bin/python benchmarks/rhetoric_speed.py --mb 20    # bigger

The seed paragraphs are shuffled (fixed seed) and dealt into articles of about 3,000 characters
until the bodies add up to the target size in UTF-8, then grouped into five groups. Each
function runs once on that corpus; the script prints seconds and seconds per MB. The
detectors make one pass per document, so seconds per MB should stay flat as the corpus grows
(compare ``--mb 5`` with ``--mb 20``).
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import pandas as pd

from corpus_tools import rhetoric
from corpus_tools.corpus import read_corpus
from corpus_tools.paths import resolve_path

ARTICLE_CHARS = 3000


def synthetic_corpus(target_mb: float, *, random_state: int = 0):
    """Return a Corpus of seed paragraphs dealt into articles, about `target_mb` MB of UTF-8 body."""
    seeds = read_corpus(resolve_path("seeds"))
    paragraphs = seeds.paragraphs()["text"].tolist()
    rng = np.random.default_rng(random_state)
    texts, current, size, target = [], [], 0, target_mb * 1_000_000
    while size < target:
        for k in rng.permutation(len(paragraphs)):
            current.append(paragraphs[k])
            if sum(len(p) for p in current) >= ARTICLE_CHARS:
                text = "\n".join(current)
                texts.append(text)
                size += len(text.encode("utf-8"))
                current = []
                if size >= target:
                    break
    doc_ids = [f"synthetic-{n:05d}" for n in range(len(texts))]
    docvars = pd.DataFrame({"group": [f"group-{n % 5}" for n in range(len(texts))]},
                           index=pd.Index(doc_ids, name="doc_id"))
    return dataclasses.replace(
        seeds,
        docvars=docvars,
        raw_texts=pd.Series(texts, index=docvars.index, dtype=object),
        texts=pd.Series(texts, index=docvars.index, dtype=object, name="text"),
        history=seeds.history + (f"synthetic({target_mb} MB)",),
    ), size / 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="target size of the bodies in MB of UTF-8 (default 5)")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for frequency/formulaicness")
    args = parser.parse_args()

    corpus, mb = synthetic_corpus(args.mb)
    n_chars = int(corpus.texts.str.len().sum())
    print(f"synthetic corpus: {len(corpus):,} articles, {n_chars:,} characters, {mb:.2f} MB UTF-8")
    rhetoric.load_registry()  # parsing the YAML once is not what we measure

    results = {}

    def timed(name, call):
        start = time.perf_counter()
        value = call()
        seconds = time.perf_counter() - start
        print(f"{name:<22} {seconds:7.2f} s  {seconds / mb:6.3f} s/MB  ({len(value):,} rows)")
        results[name] = value
        return value

    matches = timed("match_registry", lambda: rhetoric.match_registry(corpus))
    formulas = timed("numbered_formulas", lambda: rhetoric.numbered_formulas(corpus))
    runs = timed("parallel_runs", lambda: rhetoric.parallel_runs(corpus))
    quantifiers = timed("quantifier_openings", lambda: rhetoric.quantifier_openings(corpus))
    timed("quoted_terms", lambda: rhetoric.quoted_terms(corpus))
    timed("four_char_items", lambda: rhetoric.four_char_items(corpus))
    timed("kwic (3 queries)", lambda: rhetoric.kwic(corpus, ["xueshi-siju", "七个一", "急难愁盼"]))
    timed("frequency", lambda: rhetoric.frequency(corpus, matches, n_boot=args.n_boot))
    spans = {"registry": matches, "numbered": formulas, "parallel": runs, "quantifier": quantifiers}
    timed("formulaicness", lambda: rhetoric.formulaicness(corpus, spans, n_boot=args.n_boot))
    timed("four_char_density", lambda: rhetoric.four_char_density(corpus, n_boot=args.n_boot))


if __name__ == "__main__":
    main()
