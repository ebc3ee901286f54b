"""Time every text-level step on one document without line breaks, at 1, 4 and 16 MB (50 MB on request).

Run from the project root (not part of the test suite)::

    .venv/bin/python benchmarks/linear_time.py                 # 1, 4, 16 MB
    .venv/bin/python benchmarks/linear_time.py --with-50       # and 50 MB
    .venv/bin/python benchmarks/linear_time.py --mb 1 4        # chosen sizes
    .venv/bin/python benchmarks/linear_time.py --budget 120    # seconds a step may take

A scraped page that lost its line breaks is one line of megabytes; a step that scans the
whole text once per match (a regex with a lazy scan to a far end, a loop over spans inside a
loop over spans) is quadratic in it and turns seconds into hours. Each step runs on the same
made-up text (sentences of campaign reporting, numbered formulas, parallel clauses, quoted
slogans, place names, all joined without a line break) and prints seconds and MB/s. Linear
steps keep their MB/s as the size grows; the last column is the ratio of seconds per MB to
that step's seconds per MB at the smallest size (about 1 for a linear step, growing with the
size for a quadratic one).

Steps:

``baseline``
    one pass of ``str.count`` over the text: the floor.
``read``
    :func:`corpus_tools.io.iter_documents` on the file (decode, checks, long-line flag).
``clean``
    :func:`corpus_tools.corpus.clean.clean_text`.
``structure``
    split into lines, join page breaks, classify blocks (:mod:`corpus_tools.corpus.structure`).
``locality``
    :func:`corpus_tools.corpus.locality.infer_locality` on the classified blocks.
``rhetoric.*``
    each detector of :mod:`corpus_tools.rhetoric` on a corpus of that one document.

A step whose time, extrapolated linearly from the previous size, would pass ``--budget``
seconds is not run at the larger sizes (printed as ``skipped``), so a quadratic step cannot
stall the run.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from corpus_tools import io, rhetoric
from corpus_tools.corpus import corpus_from_texts
from corpus_tools.corpus.clean import clean_text
from corpus_tools.corpus.locality import infer_locality
from corpus_tools.corpus.structure import classify_blocks, join_page_breaks, split_lines

#: Made-up sentences; {n} makes each copy a little different, as real reporting is.
SENTENCES = (
    "济南市槐荫区召开第{n}次党史学习教育推进会，要求学史明理、学史增信、学史崇德、学史力行。",
    "会议强调，要深入开展“我为群众办实事”实践活动，推动党史学习教育走深走实、入脑入心。",
    "槐荫区组织党员干部登万家门、访万家情、解万家难、暖万家心，累计走访群众{n}户。",
    "全区开展“三个一”活动：讲好一堂党课、办好一件实事、写好一篇心得。",
    "一场场宣讲、一次次走访、一件件实事，让群众切身感受到党史学习教育的成效。",
    "中共济南市委宣传部有关负责同志表示，要把学习成果转化为推动高质量发展的实际行动。",
    "《中国共产党简史》学习读本发放到{n}个基层党支部，党员干部在学习中坚定信念。",
)
STEP_ORDER = ("baseline", "read", "clean", "structure", "locality")
RHETORIC_STEPS: dict[str, Callable] = {
    "rhetoric.match_registry": rhetoric.match_registry,
    "rhetoric.numbered_formulas": rhetoric.numbered_formulas,
    "rhetoric.parallel_runs": rhetoric.parallel_runs,
    "rhetoric.quantifier_openings": rhetoric.quantifier_openings,
    "rhetoric.quoted_terms": rhetoric.quoted_terms,
    "rhetoric.four_char_items": rhetoric.four_char_items,
}


def one_line_text(target_mb: float) -> str:
    """Sentences joined without a line break until the text is ``target_mb`` MB of UTF-8."""
    parts: list[str] = []
    size, n, target = 0, 0, target_mb * 1_000_000
    while size < target:
        sentence = SENTENCES[n % len(SENTENCES)].format(n=n // len(SENTENCES) + 1)
        parts.append(sentence)
        size += len(sentence.encode("utf-8"))
        n += 1
    return "".join(parts)


def _timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run(sizes: list[float], budget: float) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    last: dict[str, tuple[float, float]] = {}  # step -> (MB, seconds) at the last size it ran
    skipped: set[str] = set()
    template = corpus_from_texts({"line": SENTENCES[0].format(n=1) * 20})

    def step(name: str, mb: float, function: Callable[[], object]) -> object:
        if name in last and name not in skipped:
            previous_mb, previous_seconds = last[name]
            if previous_seconds * mb / previous_mb > budget:
                skipped.add(name)
        if name in skipped:
            print(f"{name:<30} {mb:>6.2f} MB  skipped (over the {budget:.0f} s budget at this size)", flush=True)
            rows.append({"step": name, "mb": mb, "seconds": None, "mb_per_s": None})
            return None
        seconds, result = _timed(function)
        last[name] = (mb, seconds)
        rows.append({"step": name, "mb": mb, "seconds": seconds, "mb_per_s": mb / seconds if seconds else float("inf")})
        first = next(r for r in rows if r["step"] == name and r["seconds"] is not None)
        growth = (seconds / mb) / (first["seconds"] / first["mb"]) if first["seconds"] else float("nan")
        print(f"{name:<30} {mb:>6.2f} MB  {seconds:>9.2f} s  {mb / seconds if seconds else float('inf'):>9.2f} MB/s"
              f"  ×{growth:.2f}", flush=True)
        return result

    with tempfile.TemporaryDirectory(prefix="linear-time-") as folder:
        for target in sizes:
            text = one_line_text(target)
            mb = round(len(text.encode("utf-8")) / 1_000_000, 2)
            path = Path(folder) / f"oneline-{target:g}mb.txt"
            path.write_text(text, encoding="utf-8")
            step("baseline", mb, lambda: text.count("。"))
            step("read", mb, lambda: list(io.iter_documents(path, metadata=False)))
            cleaned = step("clean", mb, lambda: clean_text(text)[0])
            cleaned = cleaned if cleaned is not None else clean_text(text)[0]
            blocks = step("structure", mb, lambda: classify_blocks(join_page_breaks(split_lines(cleaned))[0]))
            if blocks is not None:
                pairs = [(kind, line.text) for kind, line in blocks]
                step("locality", mb, lambda: infer_locality(pairs))
            index = pd.Index(["line"], name="doc_id")
            corpus = dataclasses.replace(
                template,
                docvars=template.docvars.iloc[:1].set_axis(index),
                raw_texts=pd.Series([text], index=index, dtype=object),
                texts=pd.Series([cleaned], index=index, dtype=object, name="text"),
            )
            for name, detector in RHETORIC_STEPS.items():
                step(name, mb, lambda detector=detector: detector(corpus))
            path.unlink()
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, nargs="+", default=None, help="document sizes in MB (default 1 4 16)")
    parser.add_argument("--with-50", action="store_true", help="add a 50 MB document")
    parser.add_argument("--budget", type=float, default=120.0, help="seconds a step may take at one size")
    args = parser.parse_args()
    sizes = args.mb or [1, 4, 16]
    if args.with_50:
        sizes = [*sizes, 50]
    print(f"single-line documents of {', '.join(f'{s:g}' for s in sizes)} MB; budget {args.budget:.0f} s per step")
    print(f"{'step':<30} {'size':>9}  {'time':>11}  {'rate':>14}  s/MB vs smallest")
    table = run(sizes, args.budget)
    ran = table.dropna(subset=["seconds"])
    print("\nsummary (MB/s by size):")
    print(ran.pivot_table(index="step", columns="mb", values="mb_per_s", sort=False).round(2).to_string())


if __name__ == "__main__":
    main()
