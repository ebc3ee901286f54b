"""Time ``open_corpus`` cold (read and clean, then store) and warm (load the stored corpus).

Run from the project root (not part of the test suite)::

    .venv/bin/python benchmarks/ingest_once.py                 # 5 MB corpus
    .venv/bin/python benchmarks/ingest_once.py --size-mb 20

The corpus comes from ``benchmarks/pipeline_speed.py``'s generator (seed sentences with redrawn
numbers and made-up places, one article in five in traditional script). Every call runs in a
fresh Python process, as each report notebook's kernel does, with an empty cache folder
(``DANGSHI_CACHE_DIR``) before the cold call: ``cold`` reads, cleans and stores the corpus,
``warm`` (twice) loads the store (:mod:`corpus_tools.corpus.store`), ``off`` reads again with
``cache=False`` (what every notebook did before the store). Each line gives the seconds of the
``open_corpus`` call itself and of the whole process (imports included). The script then checks,
in this process, that the loaded corpus equals a fresh read (every table, with
``pandas.testing.assert_frame_equal``): it must.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.pipeline_speed import generate_corpus  # noqa: E402

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from corpus_tools.corpus import open_corpus
t1 = time.perf_counter()
corpus = open_corpus(sys.argv[1], cache=sys.argv[2] == "on", progress=False)
t2 = time.perf_counter()
print(json.dumps({"open_s": round(t2 - t1, 2), "import_s": round(t1 - t0, 2), "n_docs": len(corpus)}))
"""


def _call(corpus: Path, env: dict[str, str], *, cache: bool) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(corpus), "on" if cache else "off"],
                          env=env, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - started, 2)
    return result


def _store_mb(cache_dir: Path) -> float:
    return sum(p.stat().st_size for p in (cache_dir / "corpora").rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=5.0, help="size of the generated corpus (default 5)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the corpus is generated (default: the temp folder; reused when there)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.gettempdir()) / "dangshi-ingest-once"
    folder = workdir / f"corpus-{args.size_mb:g}mb"
    info = generate_corpus(folder, args.size_mb)
    print(f"corpus: {info['n_docs']} articles, {info['bytes'] / 1e6:.1f} MB in {folder}", flush=True)

    cache_dir = Path(tempfile.mkdtemp(prefix="ingest-once-cache-"))
    env = {**os.environ, "DANGSHI_CACHE_DIR": str(cache_dir), "DANGSHI_CACHE": "on"}
    rows = [("cold", _call(folder, env, cache=True))]
    rows.append(("warm", _call(folder, env, cache=True)))
    rows.append(("warm", _call(folder, env, cache=True)))
    rows.append(("off", _call(folder, env, cache=False)))
    print(f"{'call':<6}{'open_corpus s':>15}{'process s':>12}{'documents':>11}")
    for name, row in rows:
        print(f"{name:<6}{row['open_s']:>15.2f}{row['process_s']:>12.2f}{row['n_docs']:>11}")
    print(f"store: {_store_mb(cache_dir):.1f} MB in {cache_dir / 'corpora'}")
    cold, warm = rows[0][1]["open_s"], rows[1][1]["open_s"]
    print(f"warm is {cold / max(warm, 1e-3):.0f}x faster than cold")

    os.environ["DANGSHI_CACHE_DIR"] = str(cache_dir)
    from corpus_tools.corpus import open_corpus
    from corpus_tools.corpus.store import assert_same_corpus

    assert_same_corpus(open_corpus(folder, cache=False, progress=False), open_corpus(folder, progress=False))
    print("loaded corpus equals a fresh read: yes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
