"""Time the per-document analyses with one process and with two, on a generated corpus.

Run from the project root (not part of the test suite)::

    .venv/bin/python benchmarks/analyses_scale.py                  # 2 MB corpus
    .venv/bin/python benchmarks/analyses_scale.py --size-mb 5
    .venv/bin/python benchmarks/analyses_scale.py --crossover      # also: from what size do 2 processes pay?

The corpus comes from ``benchmarks/pipeline_speed.py``'s generator (seed sentences with
redrawn numbers and made-up places, one article in five in traditional script), read once with
:func:`corpus_tools.corpus.read_corpus`. Each analysis then runs with ``n_jobs=1`` and
``n_jobs=2`` (:func:`corpus_tools.parallel.map_documents` underneath) after a warm-up on a few
documents, so that loading the segmenter and the gazetteer is not timed; the token cache is
off (``DANGSHI_CACHE=off``), so the second run segments again like the first. The script prints
seconds, MB/s of body text (UTF-8), the speed-up, and whether the two tables are identical
(``pandas.testing.assert_frame_equal``): they must be.

``rhetoric spans`` is the part of :func:`~corpus_tools.compare.claims.quantified_claims` that
still runs in one process: the numbered formulas and registry expressions a claim may not
overlap (:mod:`corpus_tools.rhetoric`), computed over the whole corpus before the claims are
read in parallel.

``--crossover`` times claims and dated events on growing prefixes of the corpus (0.1 to 5 MB)
at both settings: where two processes start to win is what
:data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` is set from. On a shared machine (the load
average is printed) the two-process times are pessimistic.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DANGSHI_CACHE", "off")  # the second run must not read the first's tokens
os.environ.setdefault("DANGSHI_PROGRESS", "off")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from benchmarks.pipeline_speed import generate_corpus  # noqa: E402
from corpus_tools import rhetoric  # noqa: E402
from corpus_tools.compare import dated_events, group_profile, quantified_claims  # noqa: E402
from corpus_tools.corpus import read_corpus  # noqa: E402
from corpus_tools.parallel import available_cores, mp_context  # noqa: E402

BY = "district"


def _analyses(corpus):
    """(name, function of n_jobs) for every timed analysis."""
    return [
        ("quantified_claims", lambda n_jobs: quantified_claims(corpus, by=BY, n_jobs=n_jobs)),
        ("dated_events", lambda n_jobs: dated_events(corpus, by=BY, default_year=2021, n_jobs=n_jobs)),
        ("group_profile", lambda n_jobs: group_profile(corpus, by=BY, progress=False, n_jobs=n_jobs)),
    ]


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def _body_mb(corpus) -> float:
    return sum(len(str(t).encode("utf-8")) for t in corpus.texts) / 1e6


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(str(v).rjust(w) if i else str(v).ljust(w) for i, (v, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def compare(corpus) -> list[list[str]]:
    """One row per analysis: seconds and MB/s at n_jobs=1 and 2, speed-up, identical tables."""
    mb = _body_mb(corpus)
    rows = []
    seconds, _ = _timed(lambda: (rhetoric.numbered_formulas(corpus), rhetoric.match_registry(corpus)))
    rows.append(["rhetoric spans (one process)", f"{seconds:.1f}", f"{mb / seconds:.2f}", "", "", "", ""])
    for name, run in _analyses(corpus):
        one_s, one = _timed(run, 1)
        two_s, two = _timed(run, 2)
        try:
            pd.testing.assert_frame_equal(one, two)
            same = "yes"
        except AssertionError:
            same = "NO"
        rows.append([name, f"{one_s:.1f}", f"{mb / one_s:.2f}", f"{two_s:.1f}", f"{mb / two_s:.2f}",
                     f"{one_s / two_s:.2f}x", same])
    return rows


def crossover(corpus, sizes_mb: list[float]) -> list[list[str]]:
    """Claims and dated events on prefixes of the corpus: seconds at n_jobs=1 and 2."""
    texts = corpus.texts
    mb_per_doc = _body_mb(corpus) / len(texts)
    rows = []
    for size in sizes_mb:
        n_docs = max(2, min(len(texts), round(size / mb_per_doc)))
        part = corpus.subset(list(texts.index[:n_docs]))
        n_chars = int(part.texts.str.len().sum())
        for name, run in _analyses(part)[:2]:
            one_s, _ = _timed(run, 1)
            two_s, _ = _timed(run, 2)
            rows.append([name, f"{n_docs}", f"{n_chars:,}", f"{one_s:.2f}", f"{two_s:.2f}", f"{one_s / two_s:.2f}x"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=2.0, help="size of the generated corpus (MB of files)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the generated corpus goes (default: a folder in the system temp dir, kept for reuse)")
    parser.add_argument("--crossover", action="store_true", help="also time growing prefixes of the corpus")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.gettempdir()) / "dangshi-analyses-scale"
    folder = workdir / f"corpus-{args.size_mb:g}mb"
    info = generate_corpus(folder, args.size_mb)
    corpus = read_corpus(folder, progress=False)
    print(f"corpus: {info['n_docs']} articles, {info['bytes'] / 1e6:.1f} MB of files, "
          f"{_body_mb(corpus):.1f} MB of body text; {available_cores()} cores, "
          f"workers start by {mp_context().get_start_method()}")
    warm = corpus.subset(list(corpus.texts.index[:3]))
    for _, run in _analyses(warm):  # segmenter, tagger and gazetteer loaded before any clock starts
        run(1)
    # Other work on the machine takes cores from the two processes: say how busy it was.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = compare(corpus)
    print(_table(rows, ["analysis", "n_jobs=1 s", "MB/s", "n_jobs=2 s", "MB/s", "speed-up", "same table"]))
    print(f"load average before / after: {load:.1f} / {os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan'):.1f}"
          f" (above {available_cores() - 1} the machine was busy and the two-process times are pessimistic)")
    if args.crossover:
        sizes = [s for s in (0.1, 0.3, 0.6, 1.0, 1.5, 2.0, 3.0, 5.0) if s <= _body_mb(corpus)]
        print()
        print(_table(crossover(corpus, sizes), ["analysis", "docs", "characters", "n_jobs=1 s", "n_jobs=2 s",
                                                "speed-up"]))
    return 0 if all(row[-1] in ("yes", "") for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
