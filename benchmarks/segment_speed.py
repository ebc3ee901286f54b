"""Time segmentation: plain jieba, both engines, tagging, worker processes and the token cache.

Run from the project root (not part of the test suite)::

    .venv/bin/python benchmarks/segment_speed.py               # ~20 MB
    .venv/bin/python benchmarks/segment_speed.py --mb 2        # quicker
    .venv/bin/python benchmarks/segment_speed.py --crossover   # one process vs two, by size

The corpus is synthetic, made from the seeds: their body sentences are dealt at random (fixed
seed) into paragraphs of two to six sentences, and paragraphs into articles of about 3,000
characters, until the articles add up to the target size in UTF-8. Almost every paragraph is
distinct, so :func:`corpus_tools.tokens.segment_texts`, which segments each distinct text
once, cannot shortcut the work. Every variant segments the same paragraphs, and every variant
that should agree with jieba is checked to give exactly jieba's tokens on them. MB/s is
megabytes of UTF-8 per second (about 333,000 Chinese characters per MB); segmenters are built
before the clock starts (build times are printed apart).

``--crossover`` times ``tokenize(..., n_jobs=1)`` against ``n_jobs=2`` on growing prefixes of
the corpus, per engine, to place ``corpus_tools.tokens.PARALLEL_MIN_CHARS``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import re
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from corpus_tools.corpus import read_corpus
from corpus_tools.paths import resolve_path
from corpus_tools.segment import Segmenter
from corpus_tools.segment.cache import TokenCache
from corpus_tools.tokens import tokenize

ARTICLE_CHARS = 3000
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")


class SyntheticCorpus:
    """The part of a Corpus that tokenize uses: paragraphs as units, one docvar."""

    def __init__(self, paragraphs: pd.DataFrame, docvars: pd.DataFrame) -> None:
        self._paragraphs = paragraphs
        self.docvars = docvars
        self.history = ("synthetic()",)

    def units(self, unit: str) -> pd.DataFrame:
        if unit != "paragraph":
            raise ValueError("the synthetic corpus has paragraph units only")
        return self._paragraphs


def synthetic_paragraphs(target_mb: float, *, random_state: int = 0) -> SyntheticCorpus:
    """Return about ``target_mb`` MB (UTF-8) of paragraphs dealt from the seed sentences."""
    seeds = read_corpus(resolve_path("seeds"))
    sentences = [s for text in seeds.texts for line in text.split("\n") for s in _SENTENCE.findall(line)]
    rng = np.random.default_rng(random_state)
    rows, size, target = [], 0, target_mb * 1_000_000
    doc_no, doc_chars, para_no = 0, 0, 0
    while size < target:
        picks = rng.integers(0, len(sentences), size=rng.integers(2, 7))
        text = "".join(sentences[k] for k in picks)
        para_no += 1
        rows.append((f"synthetic-{doc_no:05d}:p{para_no:03d}", f"synthetic-{doc_no:05d}", para_no, "", text))
        size += len(text.encode("utf-8"))
        doc_chars += len(text)
        if doc_chars >= ARTICLE_CHARS:
            doc_no, doc_chars, para_no = doc_no + 1, 0, 0
    table = pd.DataFrame(rows, columns=["unit_id", "doc_id", "para_no", "section", "text"]).set_index("unit_id")
    doc_ids = pd.Index(table["doc_id"].unique(), name="doc_id")
    docvars = pd.DataFrame({"group": [f"group-{n % 5}" for n in range(len(doc_ids))]}, index=doc_ids)
    return SyntheticCorpus(table, docvars)


_last_cpu_seconds = 0.0


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(call):
    """Return ``call()`` and its wall-clock seconds; its CPU seconds (worker processes
    included, once they have ended) are kept for :func:`report`."""
    global _last_cpu_seconds
    cpu, start = _cpu_seconds(), time.perf_counter()
    value = call()
    wall = time.perf_counter() - start
    _last_cpu_seconds = _cpu_seconds() - cpu
    return value, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in MB of UTF-8 (default 20)")
    parser.add_argument("--crossover", action="store_true", help="time n_jobs=1 against 2 on growing prefixes")
    args = parser.parse_args()

    corpus = synthetic_paragraphs(args.mb)
    texts = corpus.units("paragraph")["text"].tolist()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1_000_000
    n_chars = sum(len(t) for t in texts)
    print(f"synthetic corpus from the seed sentences: {len(texts):,} paragraphs "
          f"({len(set(texts)):,} distinct) in {len(corpus.docvars):,} articles, "
          f"{n_chars:,} characters, {mb:.2f} MB UTF-8; cores available: {len(os.sched_getaffinity(0))}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print("columns: wall-clock seconds, MB/s, ratio, CPU seconds (a CPU column well below the wall clock "
          "means other processes had the cores)")

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DANGSHI_CACHE_DIR"] = scratch  # jieba's prefix cache, and nothing in ~/.cache
        if args.crossover:
            crossover(corpus, texts)
            return
        run_all(corpus, texts, mb, Path(scratch))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


def fingerprint(units) -> str:
    """SHA-256 of token (or tag, or (word, tag)) lists: results are compared by this and dropped,
    so that no timing runs in a process swollen by millions of earlier tokens."""
    digest = hashlib.sha256()
    for items in units:
        digest.update("\x1f".join(map(str, items)).encode("utf-8", "surrogatepass") + b"\x1e")
    return digest.hexdigest()


def measure(call):
    """Time ``call()`` after a garbage collection; return its result's fingerprint and seconds."""
    gc.collect()
    result, seconds = timed(call)
    if hasattr(result, "tokens"):  # Tokens
        prints = (fingerprint(result.tokens), None if result.pos is None else fingerprint(result.pos))
    else:
        prints = (fingerprint(result), None)
    del result
    return prints, seconds


def run_all(corpus: SyntheticCorpus, texts: list[str], mb: float, scratch: Path) -> None:
    import logging

    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)  # plain jieba logs its dictionary build
    plain = jieba.Tokenizer()
    plain.tmp_dir = str(scratch)
    _, build_plain = timed(plain.initialize)
    ref, build_ref = timed(lambda: Segmenter(engine="jieba"))
    fast, build_fast = timed(lambda: Segmenter(engine="rjieba"))
    print(f"build: plain jieba.Tokenizer {build_plain:.2f} s, Segmenter(engine='jieba') {build_ref:.2f} s, "
          f"Segmenter(engine='rjieba') {build_fast:.2f} s (jieba's build plus copying into rjieba)")

    def report(name, seconds, baseline=None, note=""):
        rate = mb / seconds
        ratio = "" if baseline is None else f"{baseline / seconds:6.1f}x"
        print(f"  {name:<58} {seconds:6.2f} s {rate:6.2f} MB/s {ratio:>7} {_last_cpu_seconds:6.2f} s CPU  {note}")

    def same(a, b):
        return "identical" if a == b else "DIFFERS"

    print("\nsegmenting the paragraphs one call each (ratios against plain jieba.lcut, HMM on):")
    _, t_plain = measure(lambda: [plain.lcut(t) for t in texts])
    report("plain jieba.lcut(text) (default dict, HMM on)", t_plain)
    _, t_plain_nohmm = measure(lambda: [plain.lcut(t, HMM=False) for t in texts])
    report("plain jieba.lcut(text, HMM=False)", t_plain_nohmm, t_plain)
    (words, _), t_ref = measure(lambda: [ref.cut(t) for t in texts])
    report("Segmenter(engine='jieba').cut", t_ref, t_plain)
    (got, _), t_fast = measure(lambda: [fast.cut(t) for t in texts])
    report("Segmenter(engine='rjieba').cut", t_fast, t_plain, same(got, words) + " to jieba")
    print("\ntagging (ratios against Segmenter(engine='jieba').cut_pos, i.e. jieba.posseg):")
    ref.cut_pos("党史"), fast.cut_pos("党史")  # posseg's tag table loads on first use
    (pairs, _), t_ref_pos = measure(lambda: [ref.cut_pos(t) for t in texts])
    report("Segmenter(engine='jieba').cut_pos (posseg)", t_ref_pos)
    (got, _), t_fast_pos = measure(lambda: [fast.cut_pos(t) for t in texts])
    report("Segmenter(engine='rjieba').cut_pos", t_fast_pos, t_ref_pos, same(got, pairs) + " to posseg")
    tags = fingerprint([tag for _, tag in ref.cut_pos(t)] for t in texts)

    # every tokenize() setting measured below: with and without tags, each engine
    settings = [(pos, (words, tags if pos else None), engine, segmenter)
                for pos in (False, True) for engine, segmenter in (("rjieba", fast), ("jieba", ref))]

    print("\ntokenize(corpus, unit='paragraph', cache=False), whole pipeline "
          "(ratios against n_jobs=1 of the same engine):")
    for pos, expected, engine, segmenter in settings:
        def run(n_jobs):
            return tokenize(corpus, unit="paragraph", pos=pos, segmenter=segmenter, n_jobs=n_jobs, cache=False)

        one, t_one = measure(lambda: run(1))
        report(f"engine={engine!r}, pos={pos}, n_jobs=1", t_one, None, same(one, expected))
        two, t_two = measure(lambda: run(2))
        report(f"engine={engine!r}, pos={pos}, n_jobs=2", t_two, t_one, same(two, expected))

    print("\ntoken cache: tokenize(corpus, unit='paragraph', n_jobs=1) with cache=False, then twice with "
          "cache=<empty folder> (cold, warm); ratios against cache=False:")
    for pos, expected, engine, segmenter in settings:
        def run(cache):
            return tokenize(corpus, unit="paragraph", pos=pos, segmenter=segmenter, n_jobs=1, cache=cache)

        cache = TokenCache(scratch / f"tokens-{engine}-{pos}")
        _, t_none = measure(lambda: run(False))
        report(f"engine={engine!r}, pos={pos}, no cache", t_none)
        cold, t_cold = measure(lambda: run(cache))
        report(f"engine={engine!r}, pos={pos}, cold cache (segment + write)", t_cold, t_none, same(cold, expected))
        warm, t_warm = measure(lambda: run(cache))
        report(f"engine={engine!r}, pos={pos}, warm cache", t_warm, t_none, same(warm, expected))
        size = sum(p.stat().st_size for p in cache.directory.iterdir())
        print(f"  (cache folder for one setting: {size / 1e6:.1f} MB for {len(cache):,} entries)")
    from corpus_tools.segment.cache import unit_keys

    _, t_keys = measure(lambda: unit_keys(texts, fast, pos=False))
    report("computing the cache keys alone (part of every cached run)", t_keys)


def crossover(corpus: SyntheticCorpus, texts: list[str]) -> None:
    print("\ntokenize(unit='paragraph', cache=False): seconds with n_jobs=1 and n_jobs=2 (fork)")
    table = corpus.units("paragraph")
    for engine in ("jieba", "rjieba"):
        segmenter = Segmenter(engine=engine)
        for n_chars in (100_000, 300_000, 1_000_000, 3_000_000, 6_000_000):
            ends = np.cumsum(table["text"].str.len().to_numpy())
            n_rows = int(np.searchsorted(ends, n_chars)) + 1
            if n_rows > len(table):
                break
            part = SyntheticCorpus(table.iloc[:n_rows], corpus.docvars)
            _, one = timed(lambda: tokenize(part, unit="paragraph", segmenter=segmenter, n_jobs=1, cache=False))
            _, two = timed(lambda: tokenize(part, unit="paragraph", segmenter=segmenter, n_jobs=2, cache=False))
            print(f"  {engine:<7} {n_chars:>10,} chars: n_jobs=1 {one:6.2f} s, n_jobs=2 {two:6.2f} s ({one / two:4.2f}x)")


if __name__ == "__main__":
    main()
