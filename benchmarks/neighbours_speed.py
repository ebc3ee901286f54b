"""Time every document's nearest neighbours (``document_neighbours``) against the former algorithm (not a test).

Run from the project root::

    .venv/bin/python benchmarks/neighbours_speed.py                 # 5 and 20 MB corpora
    .venv/bin/python benchmarks/neighbours_speed.py --sizes 100 --rows 10000 26579

Notebook 03 lists every document's 10 most similar documents (TF-IDF cosine). Comparing every
document with every other grows with the square of the corpus; at 26,000 articles it was the
third-longest step of the report. The corpus is ``benchmarks/report_scale.py``'s generator
(localities, shared template passages, traditional script), read, segmented and counted as
notebook 03 does (stopwords and one-character words out). For each corpus and number of rows
(the first ``--rows`` documents; default all) the script prints:

=============== ==========================================================================
column          meaning
=============== ==========================================================================
MB, rows, terms the corpus size, the rows compared and the terms of the matrix
baseline_s      the former algorithm: blocks of rows multiplied with all rows by scipy (a
                dense block x all rows), each block's top n by ``numpy.partition``
threads_1_s     ``document_neighbours(n_jobs=1)``: sparse_dot_topn's one-thread routine
threads_2_s     ``document_neighbours(n_jobs=2)``: its threaded routine
speedup         baseline_s / threads_2_s
equal           whether both tables name the same neighbours in the same order, with
                similarities within 1e-12
=============== ==========================================================================
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import corpus_tools as ct  # noqa: E402
from corpus_tools.compare.similarity import _exhaustive_top, _unit_rows, document_neighbours  # noqa: E402
from corpus_tools.dtm import DocTermMatrix  # noqa: E402


def report_dtm(size_mb: float, folder: Path) -> DocTermMatrix:
    """Notebook 03's counts of a generated corpus of `size_mb` MB."""
    from report_scale import generate_corpus

    generate_corpus(folder, size_mb)
    corpus = ct.read_corpus(folder, on_error="skip")
    return ct.dtm(ct.tokenize(corpus).remove(ct.stopwords("zh-official"), min_chars=2))


def baseline(dtm: DocTermMatrix, n: int) -> pd.DataFrame:
    """The former algorithm: every row's similarities with all rows, block by dense block."""
    vectors = _unit_rows(dtm, "tfidf", "cosine")
    rows, neighbours, similarity = _exhaustive_top(vectors, np.arange(vectors.shape[0]), n, low=0.0)
    return pd.DataFrame({"row": rows, "neighbour_row": neighbours, "similarity": similarity})


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 20], help="corpus sizes in MB (default 5 20)")
    parser.add_argument("--rows", type=int, nargs="*", default=None,
                        help="compare the first this many documents (several: one line each; default all)")
    parser.add_argument("--n", type=int, default=10, help="neighbours per document (notebook 03: 10)")
    args = parser.parse_args()
    print(f"{'MB':>5} {'rows':>7} {'terms':>7} {'baseline_s':>11} {'threads_1_s':>12} {'threads_2_s':>12} "
          f"{'speedup':>8} {'equal':>6}", flush=True)
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            full = report_dtm(size, Path(folder))
        for n_rows in args.rows or [full.matrix.shape[0]]:
            dtm = full.subset(doc_ids=full.docvars.index[:n_rows])
            expected, base_s = timed(baseline, dtm, args.n)
            one, one_s = timed(document_neighbours, dtm, n=args.n, n_jobs=1, progress=False)
            two, two_s = timed(document_neighbours, dtm, n=args.n, n_jobs=2, progress=False)
            equal = all(
                table["row"].tolist() == expected["row"].tolist()
                and dtm.docvars.index[expected["neighbour_row"]].tolist() == table["neighbour"].tolist()
                and np.allclose(table["similarity"], expected["similarity"], atol=1e-12)
                for table in (one, two)
            )
            print(f"{size:>5g} {dtm.matrix.shape[0]:>7,} {dtm.matrix.shape[1]:>7,} {base_s:>11.1f} {one_s:>12.1f} "
                  f"{two_s:>12.1f} {base_s / two_s:>8.1f} {str(equal):>6}", flush=True)


if __name__ == "__main__":
    main()
