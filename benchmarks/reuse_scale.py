"""Text reuse at scale: the inverted-index route against MinHash/LSH, on 1k, 5k and 20k documents.

Run from the project root (not part of the test suite)::

    .venv/bin/python benchmarks/reuse_scale.py                  # 1,000, 5,000 and 20,000 documents
    .venv/bin/python benchmarks/reuse_scale.py --docs 1000 5000  # chosen sizes
    .venv/bin/python benchmarks/reuse_scale.py --min-jaccard 0.1 0.2 0.3
    .venv/bin/python benchmarks/reuse_scale.py --syndicated 30    # heavy copying

:func:`corpus_tools.compare.shared_passages` finds candidate document pairs either by counting
the pairable shingles every two documents share through the inverted index
(``candidates="index"``) or by MinHash/LSH signatures over each document's pairable shingles
(``candidates="lsh"``); both then extend and check passages the same way, so every passage LSH
reports the index route reports too, and only the recall of pairs can differ. This script
measures that recall and what LSH saves.

The corpora are generated (no third-party text): bodies of 600 to 1,400 Han characters drawn at
random from 3,000 common code points, with punctuation every 8 to 24 characters (so a chance
match of ten characters does not happen); *template* passages of 40 to 150 characters, each
planted in a group of 2 to 40 documents (most groups small, a few large, as district reports
copy a common draft), about one template per document on average; three campaign *formulas*
of 16 to 20 characters planted in a fifth of the documents (held by more than ``max_pair_docs``
documents, so they make no pairs); and *reposts*: 2 % of the documents are another document
with a new opening paragraph. With ``--syndicated k``, one article in a hundred is also reposted
whole by ``k`` other documents (syndication: shingles held by many documents). Matching runs with ``registry=None`` on a stand-in holding only
``texts`` and ``docvars`` (building a :class:`~corpus_tools.corpus.Corpus` of 20,000
documents would time the cleaning, not the matching).

Each (size, route) runs in a fresh process, so its peak memory (``ru_maxrss``) is its own; the
printed ``peak MB`` is that peak less the process's memory once the texts are built. Printed per
size: seconds and peak memory of each route, the pairs each compared, passages with a partner,
and the recall of LSH: the share of the index route's pairs (and of its passages with a
partner) that the LSH route also reports. The script stops with an error if LSH ever reports a
passage the index route does not (it may only miss).

Measured on 2 shared cores (December 2026; ``seconds`` of :func:`shared_passages` alone)::

      docs     route  seconds  peak MB  pairs  pair recall
      1000     index      1.0       81   2951
      1000   lsh 0.1      1.5      107   2440        0.827
      5000     index      5.2      381  13151
      5000   lsh 0.1      5.1      382  11712        0.891
     20000     index     20.6     1440  49930
     20000   lsh 0.1     23.4     1440  45379        0.909
     20000   lsh 0.2     22.2     1440  41123        0.824
      5000 (--syndicated 30) index 9.9 s, 474 MB; lsh 0.1 10.4 s, 426 MB, recall 0.875

The same run after the index was rebuilt to save memory (sorted in place, postings filled by
counting, pairs counted one document at a time; December 2026, 2 cores, same pairs and passages)::

      docs     route  seconds  peak MB  pairs  pair recall
      1000     index      0.8      120   2951
      5000     index      4.2      316  13151
     20000     index     19.9     1042  49930
     20000   lsh 0.1     24.3     1072  45379        0.909
     20000   lsh 0.2     22.6     1044  41123        0.824

and, the commit before, on the same machine in the same hour: index 0.4 / 2.8 / 13.1 s,
79 / 381 / 1,439 MB. On these generated corpora, whose shingles are nearly all unique, the
lower peak costs time in the per-document lookups of the index; on the 100 MB corpus of
``benchmarks/report_scale.py``, whose articles share far more, counting pairs document by
document saved more (index and pairs 21 s -> 15 s) and the peak fell by 0.6 GB.

Both routes build the inverted index (it also decides which shingles are formulas and counts
the documents holding a passage), and that sets the peak; LSH saves only the counting of shared
shingles pair by pair, which the index route does one document at a time. Hence the index route
is the default of ``shared_passages``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

# The Han code points the bodies are drawn from (the first 3,000 of the block, no punctuation).
HAN_FIRST, HAN_COUNT = 0x4E00, 3000
PUNCTUATION_CODES = np.array([ord(c) for c in "，。、；"], dtype=np.uint32)


def _body(rng: np.random.Generator, n_chars: int) -> str:
    """Random Han text of about `n_chars` characters, with a punctuation mark every 8 to 24."""
    sizes = rng.integers(8, 25, n_chars // 8 + 2)
    ends = np.cumsum(sizes + 1)  # each sentence and its punctuation mark
    n_sentences = int(np.searchsorted(ends, n_chars)) + 1
    codes = rng.integers(HAN_FIRST, HAN_FIRST + HAN_COUNT, int(ends[n_sentences - 1]), dtype=np.uint32)
    codes[ends[:n_sentences] - 1] = rng.choice(PUNCTUATION_CODES, n_sentences)
    return codes.tobytes().decode("utf-32-le")


def make_corpus(n_docs: int, *, syndicated: int = 0, seed: int = 0) -> pd.Series:
    """Generate `n_docs` bodies with planted templates, formulas and reposts (see the module docstring).

    With `syndicated`, one article in a hundred is also reposted whole (after a new opening) by
    `syndicated` other documents: heavy copying, where shingles are held by many documents.
    """
    rng = np.random.default_rng(seed)
    pieces: list[list[str]] = [[_body(rng, int(rng.integers(600, 1401)))] for _ in range(n_docs)]
    # Group sizes: 2 + a geometric count, capped at 40 (mean about 4.5), so one template per
    # document on average means about n_docs / 4.5 templates.
    n_templates = max(1, int(n_docs / 4.5))
    for _ in range(n_templates):
        template = _body(rng, int(rng.integers(40, 151)))
        size = min(40, 2 + int(rng.geometric(0.3)) - 1)
        for doc in rng.choice(n_docs, size=size, replace=False).tolist():
            pieces[doc].insert(int(rng.integers(len(pieces[doc]) + 1)), template)
    for _ in range(3):
        formula = _body(rng, int(rng.integers(16, 21))).rstrip("，。、；") + "。"
        for doc in rng.choice(n_docs, size=n_docs // 5, replace=False).tolist():
            pieces[doc].insert(int(rng.integers(len(pieces[doc]) + 1)), formula)
    texts = ["".join(p) for p in pieces]
    for doc in rng.choice(n_docs, size=max(1, n_docs // 50), replace=False).tolist():
        original = int(rng.integers(n_docs))
        if original != doc:
            texts[doc] = _body(rng, 200) + texts[original]
    if syndicated:
        for original in range(0, n_docs, 100):
            others = rng.choice(n_docs, size=syndicated, replace=False).tolist()
            for doc in others:
                if doc % 100:  # never overwrite another syndicated original
                    texts[doc] = _body(rng, 200) + texts[original]
    return pd.Series(texts, index=[f"d{k:05d}" for k in range(n_docs)], dtype=object)


def _run(n_docs: int, route: str, min_jaccard: float, syndicated: int, out: str, queue) -> None:
    """Child process: generate the corpus, run shared_passages by `route`, save pairs and passages."""
    from corpus_tools.compare import shared_passages
    from corpus_tools.compare.shingles import PairSearch

    texts = make_corpus(n_docs, syndicated=syndicated)
    corpus = SimpleNamespace(texts=texts, docvars=pd.DataFrame(index=pd.Index(texts.index, name="doc_id")))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    passages = shared_passages(corpus, registry=None, progress=False,
                               candidates=PairSearch(method=route, min_jaccard=min_jaccard))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    paired = passages[passages["doc_b"].notna()]
    paired[["doc_a", "start_a", "doc_b", "start_b", "n_chars"]].to_csv(out, index=False)
    queue.put({"seconds": seconds, "peak_mb": (peak - before) / 1024, "total_mb": peak / 1024,
               "record": passages.attrs["candidates"], "n_passages": len(paired),
               "n_pairs": int(paired[["doc_a", "doc_b"]].drop_duplicates().shape[0])})


def measure(n_docs: int, route: str, min_jaccard: float, syndicated: int, folder: Path) -> tuple[dict, pd.DataFrame]:
    """Run one (size, route) in a fresh process; return its figures and its paired passages."""
    out = folder / f"{route}-{n_docs}-{min_jaccard}.csv"
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(n_docs, route, min_jaccard, syndicated, str(out), queue))
    process.start()
    process.join()  # the result is a small dict: it fits the pipe, so joining first cannot block
    if process.exitcode != 0:
        sys.exit(f"{route} on {n_docs} documents failed (exit code {process.exitcode})")
    result = queue.get(timeout=10)
    return result, pd.read_csv(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1000, 5000, 20000], help="corpus sizes (documents)")
    parser.add_argument("--min-jaccard", type=float, nargs="+", default=[0.2], help="LSH thresholds to try")
    parser.add_argument("--syndicated", type=int, default=0,
                        help="copies of one article in a hundred (heavy copying; 0: none)")
    args = parser.parse_args(argv)
    print(f"{'docs':>6} {'route':>9} {'seconds':>8} {'peak MB':>8} {'pairs cmp':>9} {'pairs':>7} "
          f"{'passages':>8} {'pair recall':>11} {'passage recall':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n_docs in args.docs:
            index_result, index_passages = measure(n_docs, "index", 0.2, args.syndicated, folder)
            index_pairs = set(zip(index_passages["doc_a"], index_passages["doc_b"]))
            index_rows = set(map(tuple, index_passages.to_numpy().tolist()))
            rows = [("index", index_result, "", "")]
            for min_jaccard in args.min_jaccard:
                result, passages = measure(n_docs, "lsh", min_jaccard, args.syndicated, folder)
                pairs = set(zip(passages["doc_a"], passages["doc_b"]))
                found = set(map(tuple, passages.to_numpy().tolist()))
                if not found <= index_rows:  # exactness: LSH may only miss, never invent
                    sys.exit(f"LSH reported {len(found - index_rows)} passages the index route did not")
                pair_recall = len(pairs & index_pairs) / len(index_pairs) if index_pairs else 1.0
                passage_recall = len(found) / len(index_rows) if index_rows else 1.0
                rows.append((f"lsh {min_jaccard:g}", result, f"{pair_recall:.3f}", f"{passage_recall:.3f}"))
            for route, result, pair_recall, passage_recall in rows:
                print(f"{n_docs:>6} {route:>9} {result['seconds']:>8.1f} {result['peak_mb']:>8.0f} "
                      f"{result['record']['n_pairs_compared']:>9} {result['n_pairs']:>7} {result['n_passages']:>8} "
                      f"{pair_recall:>11} {passage_recall:>14}", flush=True)
            print(json.dumps({route: result["record"] for route, result, _, _ in rows}), flush=True)


if __name__ == "__main__":
    main()
