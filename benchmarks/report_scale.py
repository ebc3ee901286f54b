"""Run the full report command on generated corpora of several sizes and time every notebook.

Run from the project root (not part of the test suite; ``make bench-report-scale``)::

    .venv/bin/python benchmarks/report_scale.py                      # 5, 20 and 100 MB
    .venv/bin/python benchmarks/report_scale.py --sizes 5            # quick (still minutes)
    .venv/bin/python benchmarks/report_scale.py --sizes 5 20 --timeout 3600 --keep
    .venv/bin/python benchmarks/report_scale.py --sizes 5 --report-args "--notebook 00 --notebook 02"

This is the benchmark of issue 16 ("Reports at the size of a real corpus"). For each size it

1. generates a corpus of about that many MB (10^6 bytes) of UTF-8 ``.txt`` articles (below);
2. times plain ``jieba.lcut`` over the same texts in a fresh process (dictionary loaded before
   the clock starts), the yardstick of the targets;
3. runs ``python -m corpus_tools.reports --corpus DIR --reports-dir TMP`` (the ``dangshi-reports``
   command) with an empty cache (``DANGSHI_CACHE_DIR`` set to a fresh temporary folder), while
   sampling the runner's process tree with psutil every 0.5 s;
4. reads each notebook's wall time and status from the run's ``run.json`` and the size of each
   HTML report from the run folder.

It prints one markdown table per size and a summary table across sizes, and writes all figures
to ``<workdir>/report_scale.json``.

Columns of the per-size table (one row per notebook, then a row for the whole command):

============ ================================================================================
column       meaning
============ ================================================================================
notebook     the notebook's file name; ``all`` is the whole report command
status       ``succeeded``, ``failed``, ``interrupted`` or ``pending`` (never started), as the
             run's ``run.json`` says; ``timeout`` on the ``all`` row when ``--timeout`` hit
wall s       the notebook's wall time as the runner records it (``wall_seconds``); on the
             ``all`` row the command's wall time measured here (startup and HTML export incl.);
             ``> N`` for a notebook stopped by ``--timeout`` after running N seconds
peak MB      the largest resident memory (RSS, MB of 2^20 bytes) summed over the notebook's
             kernel and the kernel's worker processes, sampled every 0.5 s; on the ``all`` row the
             largest sum over the whole process tree (runner + every kernel + workers), which is
             the figure to compare with the machine's memory: notebooks run side by side
HTML MB      size of the notebook's HTML report (MB of 10^6 bytes); on the ``all`` row the sum
             over the run folder's HTML files (index.html included)
x jieba      wall time / the time plain ``jieba.lcut`` takes on the same texts
============ ================================================================================

Under the table, each notebook's three slowest code cells (papermill's per-cell durations in the
executed notebook), which say where the time goes, and the cell that was running when the
notebook's peak memory was sampled (papermill's per-cell start and end times), which says where
the memory goes; then what made up the run's peak: each notebook's memory at that moment and
the cell it was running; then the runner's plan (``run.json``): the memory budget for the
notebooks (``--memory-budget``, by default 80 % of the memory available), each notebook's
expected peak, the peak the runner recorded (sampled every 0.5 s, child processes included)
and whether the plan ran it alone, with every core.

A kernel is told apart from the others by its environment: the runner gives each kernel its own
``DANGSHI_PROGRESS_FILE`` (named after the notebook), which its worker processes inherit.

The summary table has per size: articles, MB, the jieba yardstick (s), the command's wall time,
its ratio to jieba, peak MB over the tree, the largest HTML report, and (when both ran) the
20 -> 100 MB growth ratio of the command's wall time (target: <= 6 for a 5x larger corpus).

The corpus
----------
Generated with a fixed random seed (``--seed``), so one size gives the same files every time,
from the seed reports' sentences (as ``benchmarks/pipeline_speed.py``, whose seed material and
name generator and sentence varier this script imports), but with the variety of a real collection:

* every article is about one real locality drawn from the package gazetteer
  (:func:`corpus_tools.corpus.gazetteer.gazetteer`): a district, county or county-level city
  with its prefecture and province, named in the title, the opening sentence and the body
  (the seeds' own place names are replaced by it). The number of localities grows with the
  corpus (one per 15 articles, at least 20), as in a real collection of local news;
* template passages shared by subsets of articles: about one per 40 articles, each a paragraph
  of seed sentences with the locality slotted in, used by the articles of one province (as
  when the same press release is rewritten by every county);
* every number redrawn; dates written in several styles (``2021年3月5日``, ``2021-03-05``,
  ``2021.3.5``, ``3月5日``) over 2021 and the first half of 2022;
* campaign slogans from the rhetoric registry
  (:func:`corpus_tools.rhetoric.registry.load_registry`), one to three sentences per article;
* one paragraph in ten an untouched raw seed paragraph (inline pinyin, lost characters), and
  one article in five converted to traditional script with OpenCC (``s2t``).

Articles are 1.5 to 5 KB, in folders of 1,000 files.

Caveats: on a shared machine every time is an upper bound. Notebooks run side by side (the
runner's ``--jobs``, one per core by default), so a notebook's wall time includes waiting for
the CPU the others use.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline_speed import fill_body, person_name, seed_material, vary, write_article  # noqa: E402  (the shared generator)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 1
RANDOM_SEED = 20210216
SAMPLE_SECONDS = 0.5
PROGRESS_FILE_ENV = "DANGSHI_PROGRESS_FILE"  # corpus_tools.environment.PROGRESS_FILE_ENV
# The seeds' place names, longest first so that 济南市槐荫区 is not half-replaced.
_SEED_PLACES = ("济南市", "漯河市", "重庆市", "槐荫区", "市中区", "召陵区", "武隆区", "槐荫", "召陵", "武隆", "济南", "漯河")
_OPENINGS = ("党史学习教育开展以来，{full}坚持{slogan}，", "近日，{full}召开党史学习教育推进会，强调要{slogan}，",
             "{year}年以来，{name}把{slogan}贯穿工作始终，", "记者从{city}{name}获悉，当地围绕{slogan}，")
_SLOGAN_FRAMES = ("要坚持{s}。", "全区上下{s}，推动各项工作走深走实。", "广大党员干部表示，将始终{s}。",
                  "会议强调，{s}。", "“{s}”成为当地干部群众的共同心声。")


# -- the corpus -------------------------------------------------------------------------------


def _localities(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    """``n`` county-level units of the gazetteer as (name, city, province), in a fixed order."""
    from corpus_tools.corpus.gazetteer import gazetteer

    gaz = gazetteer()
    units = [i for i, (level, kind) in enumerate(zip(gaz.level, gaz.admin_type))
             if level == "county" and kind in {"区", "县", "县级市"} and gaz.city[i] >= 0 and len(gaz.name[i]) >= 3]
    chosen = rng.sample(units, min(n, len(units)))
    return [(gaz.name[i], gaz.name[gaz.city[i]], gaz.name[gaz.province[i]]) for i in chosen]


def _slogans() -> list[str]:
    from corpus_tools.rhetoric.registry import load_registry

    return [c for c in load_registry().entries["canonical"] if len(c) >= 4]


def _date(rng: random.Random) -> str:
    year = rng.choice((2021, 2021, 2021, 2022))
    month = rng.randint(1, 12 if year == 2021 else 6)
    day = rng.randint(1, 28)
    style = rng.randrange(4)
    if style == 0:
        return f"{year}年{month}月{day}日"
    if style == 1:
        return f"{year}-{month:02d}-{day:02d}"
    if style == 2:
        return f"{year}.{month}.{day}"
    return f"{month}月{day}日"


def _replacements(place: tuple[str, str, str]) -> dict[str, str]:
    """The seeds' place names -> this article's locality (for ``pipeline_speed.vary``)."""
    name, city, _ = place
    short = name[:-1] if len(name) >= 3 else name
    return {seed: city if seed.endswith("市") else (short if len(seed) == 2 else name) for seed in _SEED_PLACES}


def generate_corpus(folder: Path, size_mb: float, *, seed: int = RANDOM_SEED) -> dict:
    """Write about ``size_mb`` MB of articles to ``folder`` (replaced when it exists).

    Generating takes about a second per 10 MB, so a corpus is made again rather than reused.

    Returns the corpus's description (also written to ``folder/corpus.json``): ``size_mb``,
    ``seed``, ``n_docs``, ``bytes``, ``n_localities``, ``n_templates``, ``n_traditional``.
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    import opencc

    to_traditional = opencc.OpenCC("s2t.json")
    sentences, raw_paragraphs = seed_material()
    slogans = _slogans()
    rng = random.Random(seed)
    expected_docs = max(1, int(size_mb * 1e6 / 3250))  # articles average about 3.25 KB
    places = _localities(rng, max(20, expected_docs // 15))
    provinces = sorted({p[2] for p in places})
    # Template passages, each owned by one province: its articles reuse it with their own place.
    templates: dict[str, list[str]] = {p: [] for p in provinces}
    for k in range(max(len(provinces), expected_docs // 40)):
        text = "".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
        templates[provinces[k % len(provinces)]].append(text)
    target = int(size_mb * 1e6)
    written = n_docs = n_traditional = 0
    started = time.perf_counter()
    while written < target:
        place = rng.choice(places)
        name, city, province = place
        full = f"{city}{name}"
        slogan = rng.choice(slogans)
        title = rng.choice((f"{name}：{slogan}", f"{full}扎实推进党史学习教育", f"{name}掀起党史学习教育热潮",
                            f"{slogan}——{name}在行动"))
        lines = [title, "", f"{rng.choice(('本报记者', '记者', '通讯员'))} {person_name(rng)}", "", _date(rng), ""]
        opening = rng.choice(_OPENINGS).format(full=full, name=name, city=city, slogan=slogan,
                                              year=rng.choice((2021, 2022)))
        swap = _replacements(place)
        paragraphs = [opening + vary(rng.choice(sentences), rng, swap)]
        if templates[province] and rng.random() < 0.6:
            paragraphs.append(vary(rng.choice(templates[province]), rng, swap))
        for _ in range(rng.randint(1, 3)):
            paragraphs.insert(rng.randrange(len(paragraphs) + 1),
                              rng.choice(_SLOGAN_FRAMES).format(s=rng.choice(slogans)))
        doc_bytes = rng.randint(1500, 5000)
        size = sum(len(x.encode("utf-8")) + 1 for x in lines + paragraphs)
        fill_body(paragraphs, size, doc_bytes, rng, sentences, raw_paragraphs, swap)
        n_bytes, traditional = write_article(folder, n_docs, lines, paragraphs, rng, to_traditional, prefix="a")
        written += n_bytes
        n_traditional += traditional
        n_docs += 1
    info = {"generator": "report_scale", "generator_version": GENERATOR_VERSION, "size_mb": size_mb, "seed": seed,
            "n_docs": n_docs, "bytes": written, "n_localities": len(places),
            "n_templates": sum(len(t) for t in templates.values()), "n_traditional": n_traditional,
            "generation_seconds": round(time.perf_counter() - started, 1)}
    (folder / "corpus.json").write_text(json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8")
    return info


# -- measurements -----------------------------------------------------------------------------


def _jieba_child(corpus: Path) -> None:
    """In a fresh process: time ``jieba.lcut`` over every article; print JSON."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()  # the dictionary is loaded before the clock, as a warm user's would be
    texts = [p.read_bytes().decode("utf-8") for p in sorted(corpus.rglob("*.txt"))]
    started = time.perf_counter()
    n_tokens = sum(len(jieba.lcut(text)) for text in texts)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 2), "n_docs": len(texts), "n_tokens": n_tokens}))


def jieba_yardstick(corpus: Path) -> dict:
    """Seconds plain ``jieba.lcut`` takes over the corpus's texts (one process, dictionary loaded)."""
    done = subprocess.run([sys.executable, __file__, "--_jieba", str(corpus)], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _notebook_of(process, names: dict[int, str | None]) -> str | None:
    """The notebook stem a kernel (or its worker) runs for, from its environment; cached by pid."""
    import psutil

    if process.pid not in names:
        try:
            value = process.environ().get(PROGRESS_FILE_ENV)
        except (psutil.Error, OSError):
            value = None
        names[process.pid] = Path(value).stem if value else None
    return names[process.pid]


#: Keys of the run's peak for memory that is no notebook's: the runner's own, and any process of
#: the tree that carries no notebook's name; the values name them in the printout.
RUNNER, OTHER = "runner", "other"
NOT_NOTEBOOKS = {RUNNER: "runner", OTHER: "other processes"}


def _sample(process: subprocess.Popen, *, started: float,
            timeout: float | None) -> tuple[int, dict, dict, datetime | None]:
    """Sample the runner's process tree until it exits.

    Returns the peak bytes over the tree, the peak bytes per notebook, when each notebook's peak
    was sampled (UTC), when the runner was stopped for the timeout (None when it was not), and
    the tree's peak itself: when it was sampled and each notebook's bytes at that moment (the
    runner's own under :data:`RUNNER`), which say which notebooks' work coincided to make it.
    """
    import psutil

    runner = psutil.Process(process.pid)
    names: dict[int, str | None] = {}
    peak_total, peak_by_notebook, peak_at, timed_out = 0, {}, {}, None
    run_peak: dict = {"at": None, "by_notebook": {}}
    while process.poll() is None:
        total, by_notebook = 0, {}
        try:
            tree = [runner, *runner.children(recursive=True)]
        except psutil.Error:
            tree = []
        for member in tree:
            try:
                rss = member.memory_info().rss
            except psutil.Error:
                continue
            total += rss
            notebook = _notebook_of(member, names) if member.pid != runner.pid else None
            key = notebook or (RUNNER if member.pid == runner.pid else OTHER)
            by_notebook[key] = by_notebook.get(key, 0) + rss
        if total > peak_total:
            peak_total = total
            run_peak = {"at": datetime.now(timezone.utc), "by_notebook": dict(by_notebook)}
        for notebook, rss in by_notebook.items():
            if notebook in NOT_NOTEBOOKS:
                continue
            if rss > peak_by_notebook.get(notebook, 0):
                peak_by_notebook[notebook], peak_at[notebook] = rss, datetime.now(timezone.utc)
        if timeout is not None and not timed_out and time.perf_counter() - started > timeout:
            # Ctrl-C: the runner stops its kernels and keeps the partial run as failed-<id>/.
            timed_out = datetime.now(timezone.utc)
            process.send_signal(signal.SIGINT)
            try:
                process.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        time.sleep(SAMPLE_SECONDS)
    return peak_total, peak_by_notebook, peak_at, timed_out, run_peak


def run_reports(corpus: Path, reports_dir: Path, cache_dir: Path, *, timeout: float | None,
                extra: list[str]) -> dict:
    """Run the report command once; return its wall time, exit status and peak memory (tree, per notebook)."""
    env = dict(os.environ, DANGSHI_CACHE_DIR=str(cache_dir))
    command = [sys.executable, "-m", "corpus_tools.reports", "--corpus", str(corpus),
               "--reports-dir", str(reports_dir), *extra]
    log_path = reports_dir.parent / f"{reports_dir.name}.log"
    reports_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log_path, "w", encoding="utf-8") as log:
        # Its own session, so that a timeout can kill the whole group if Ctrl-C is not enough.
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, env=env,
                                   start_new_session=True)
        try:
            peak_total, peak_by_notebook, peak_at, stopped, run_peak = _sample(process, started=started,
                                                                              timeout=timeout)
        except KeyboardInterrupt:
            # Being in its own session, the runner did not get the Ctrl-C: pass it on, so that it
            # stops its kernels and keeps the partial run.
            process.send_signal(signal.SIGINT)
            process.wait(120)
            raise
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1), "returncode": process.returncode, "timed_out": stopped is not None,
            "stopped_at": stopped.isoformat() if stopped else None,
            "peak_mb": round(peak_total / 2**20), "log": str(log_path),
            "peak_mb_by_notebook": {k: round(v / 2**20) for k, v in sorted(peak_by_notebook.items())},
            "peak_at_by_notebook": {k: v.isoformat() for k, v in sorted(peak_at.items())},
            "peak_at": run_peak["at"].isoformat() if run_peak["at"] else None,
            "peak_mb_parts": {k: round(v / 2**20) for k, v in sorted(run_peak["by_notebook"].items())}}


def slowest_cells(ipynb: Path, n: int = 3) -> list[dict]:
    """The ``n`` slowest code cells of an executed notebook (papermill's per-cell durations)."""
    if not ipynb.is_file():
        return []
    cells = json.loads(ipynb.read_text(encoding="utf-8"))["cells"]
    timed = [
        {"cell": i, "seconds": round(c["metadata"]["papermill"]["duration"], 1),
         "code": "".join(c["source"]).strip().splitlines()[0][:90]}
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and c.get("metadata", {}).get("papermill", {}).get("duration") and c["source"]
    ]
    return sorted(timed, key=lambda t: (-t["seconds"], t["cell"]))[:n]


def cell_running_at(ipynb: Path, when: str | None) -> dict | None:
    """The code cell an executed notebook was running at `when` (ISO time; papermill's start and end times)."""
    if when is None or not ipynb.is_file():
        return None
    moment = datetime.fromisoformat(when)
    cells = json.loads(ipynb.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        timing = cell.get("metadata", {}).get("papermill", {})
        if cell["cell_type"] != "code" or not timing.get("start_time") or not timing.get("end_time"):
            continue
        # papermill writes naive UTC times
        start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00")).replace(tzinfo=timezone.utc)
                      for k in ("start_time", "end_time"))
        if start <= moment <= end:
            return {"cell": i, "code": "".join(cell["source"]).strip().splitlines()[0][:90]}
    return None


def read_run(reports_dir: Path) -> dict:
    """The run folder's notebooks (status, wall time, HTML size); empty when none was written."""
    runs = [p for p in reports_dir.iterdir() if p.is_dir() and not p.is_symlink() and (p / "run.json").is_file()]
    if not runs:
        return {"run_dir": None, "notebooks": [], "html_bytes_total": 0}
    run_dir = max(runs, key=lambda p: p.stat().st_mtime)
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    notebooks = []
    for entry in manifest.get("notebooks", []):
        html = run_dir / entry["html"] if entry.get("html") else run_dir / (Path(entry["notebook"]).stem + ".html")
        notebooks.append({"notebook": entry["notebook"], "status": entry.get("status"),
                          "wall_seconds": entry.get("wall_seconds"), "started_at": entry.get("started_at"),
                          "html_bytes": html.stat().st_size if html.is_file() else None,
                          "slowest_cells": slowest_cells(run_dir / entry["notebook"]),
                          # The runner's plan and its own record of the notebook's memory.
                          "sharing": entry.get("sharing"), "expected_peak_mb": entry.get("expected_peak_mb"),
                          "recorded_peak_mb": entry.get("peak_memory_mb")})
    return {"run_dir": str(run_dir), "status": manifest.get("status"), "notebooks": notebooks,
            "memory_budget_mb": manifest.get("memory_budget_mb"),
            "html_bytes_total": sum(p.stat().st_size for p in run_dir.glob("*.html"))}


def plan_line(run: dict) -> str | None:
    """How the runner planned the run: its memory budget, and each notebook's expected and recorded peak."""
    if run.get("memory_budget_mb") is None:
        return None  # a run by a version that did not plan by memory
    parts = []
    for nb in run["notebooks"]:
        alone = ", alone" if nb.get("sharing") == 1 else ""
        expected, recorded = nb.get("expected_peak_mb"), nb.get("recorded_peak_mb")
        parts.append(f"{Path(nb['notebook']).stem[:2]} expected {expected or 0:,.0f} MB, recorded "
                     f"{recorded or 0:,.0f} MB{alone}")
    return f"- the plan: {run['memory_budget_mb']:,.0f} MB for the notebooks; " + "; ".join(parts)


# -- output -----------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _fmt(value, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def size_table(result: dict) -> str:
    jieba_s = result["jieba"]["seconds"]
    rows = []
    for nb in result["run"]["notebooks"]:
        wall, shown = nb["wall_seconds"], _fmt(nb["wall_seconds"])
        if wall is None and nb.get("started_at") and result["reports"].get("stopped_at"):
            # Stopped by --timeout: it ran at least this long.
            ran = datetime.fromisoformat(result["reports"]["stopped_at"]) - datetime.fromisoformat(nb["started_at"])
            shown = f"> {ran.total_seconds():,.0f}"
        rows.append([nb["notebook"], str(nb["status"]), shown,
                     _fmt(result["reports"]["peak_mb_by_notebook"].get(Path(nb["notebook"]).stem), 0),
                     _fmt(nb["html_bytes"] / 1e6 if nb["html_bytes"] is not None else None, 2),
                     _fmt(wall / jieba_s if wall is not None and jieba_s else None)])
    reports = result["reports"]
    status = "timeout" if reports["timed_out"] else (result["run"].get("status") or f"exit {reports['returncode']}")
    rows.append(["all", status, _fmt(reports["seconds"]), _fmt(reports["peak_mb"], 0),
                 _fmt(result["run"]["html_bytes_total"] / 1e6, 2),
                 _fmt(reports["seconds"] / jieba_s if jieba_s else None)])
    return _table(["notebook", "status", "wall s", "peak MB", "HTML MB", "x jieba"], rows)


def summary_table(results: list[dict]) -> str:
    rows = []
    for r in results:
        html = [nb["html_bytes"] for nb in r["run"]["notebooks"] if nb["html_bytes"] is not None]
        rows.append([f"{r['size_mb']:g}", f"{r['corpus']['n_docs']:,}", _fmt(r["jieba"]["seconds"]),
                     _fmt(r["reports"]["seconds"]), _fmt(r["reports"]["seconds"] / r["jieba"]["seconds"]),
                     _fmt(r["reports"]["peak_mb"], 0), _fmt(max(html) / 1e6 if html else None, 2),
                     "timeout" if r["reports"]["timed_out"] else str(r["reports"]["returncode"])])
    return _table(["MB", "articles", "jieba s", "reports s", "x jieba", "peak MB", "largest HTML MB", "exit"], rows)


def growth(results: list[dict], small: float = 20, large: float = 100) -> float | None:
    """Wall-time ratio of the report command from ``small`` to ``large`` MB, when both completed."""
    by_size = {r["size_mb"]: r for r in results if r["reports"]["returncode"] == 0}
    if small in by_size and large in by_size:
        return by_size[large]["reports"]["seconds"] / by_size[small]["reports"]["seconds"]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="See the module docstring (top of this file) for the corpus and every column.")
    parser.add_argument("--sizes", type=float, nargs="+", default=[5, 20, 100], metavar="MB",
                        help="corpus sizes in MB (10^6 bytes) of UTF-8 text (default: 5 20 100)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="stop the report command of one size after this many seconds (Ctrl-C to the "
                             "runner: finished notebooks are still reported); default: no limit")
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated corpora and the report folders (in --workdir)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where corpora, report folders and report_scale.json go (default: a temporary "
                             "folder, removed at the end unless --keep)")
    parser.add_argument("--report-args", default="", metavar="ARGS",
                        help="more arguments for the report command, one string (e.g. \"-p on_error skip\")")
    parser.add_argument("--seed", type=int, default=RANDOM_SEED, help="random seed of the corpus generator")
    parser.add_argument("--_jieba", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._jieba is not None:
        _jieba_child(args._jieba)
        return 0
    if any(s <= 0 for s in args.sizes):
        parser.error(f"--sizes must be positive numbers of MB, got {args.sizes}")
    if args.timeout is not None and args.timeout <= 0:
        parser.error(f"--timeout must be a positive number of seconds, got {args.timeout}")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="report_scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    extra = shlex.split(args.report_args)
    print(f"report_scale: {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"workdir {workdir}", flush=True)
    results = []
    try:
        for size in args.sizes:
            corpus = workdir / f"corpus-{size:g}mb"
            print(f"\n## {size:g} MB", flush=True)
            info = generate_corpus(corpus, size, seed=args.seed)
            print(f"corpus: {info['n_docs']:,} articles, {info['bytes'] / 1e6:.1f} MB, {info['n_localities']} "
                  f"localities, {info['n_templates']} template passages, {info['n_traditional']} in traditional "
                  f"script ({corpus})", flush=True)
            yardstick = jieba_yardstick(corpus)
            print(f"plain jieba.lcut: {yardstick['seconds']:.1f} s", flush=True)
            reports_dir = workdir / f"reports-{size:g}mb"
            if reports_dir.exists():
                shutil.rmtree(reports_dir)
            with tempfile.TemporaryDirectory(prefix="report_scale-cache-") as cache:
                measured = run_reports(corpus, reports_dir, Path(cache), timeout=args.timeout, extra=extra)
            result = {"size_mb": size, "corpus": info, "jieba": yardstick, "reports": measured,
                      "run": read_run(reports_dir)}
            results.append(result)
            print(size_table(result), flush=True)
            for nb in result["run"]["notebooks"]:
                slow = "; ".join(f"cell {c['cell']} {c['seconds']:,.0f} s `{c['code']}`" for c in nb["slowest_cells"])
                print(f"- {nb['notebook']} slowest cells: {slow or '-'}")
                stem = Path(nb["notebook"]).stem
                peak = cell_running_at(Path(result["run"]["run_dir"] or ".") / nb["notebook"],
                                       measured["peak_at_by_notebook"].get(stem))
                nb["peak_cell"] = peak
                if peak:
                    print(f"  peak memory ({measured['peak_mb_by_notebook'].get(stem, 0):,} MB) in cell {peak['cell']} "
                          f"`{peak['code']}`")
            if measured["peak_at"]:
                parts = []
                for stem, mb in measured["peak_mb_parts"].items():
                    where = cell_running_at(Path(result["run"]["run_dir"] or ".") / f"{stem}.ipynb",
                                            measured["peak_at"]) if stem not in NOT_NOTEBOOKS else None
                    name = NOT_NOTEBOOKS.get(stem, stem)
                    parts.append(f"{name} {mb:,} MB" + (f" (cell {where['cell']})" if where else ""))
                print(f"- the run's peak ({measured['peak_mb']:,} MB): " + " + ".join(parts))
            plan = plan_line(result["run"])
            if plan:
                print(plan)
            print(f"log: {measured['log']}; run folder: {result['run']['run_dir']}", flush=True)
            if not args.keep:
                shutil.rmtree(corpus, ignore_errors=True)
        print("\n## summary\n")
        print(summary_table(results))
        ratio = growth(results)
        if ratio is not None:
            print(f"\n20 -> 100 MB growth of the report command's wall time: {ratio:.2f}x (target <= 6)")
        print("\nShared machines make every time an upper bound; notebooks run side by side (--jobs).")
        (workdir / "report_scale.json").write_text(
            json.dumps({"machine": {"node": platform.node(), "cpus": os.cpu_count()}, "results": results,
                        "growth_20_100": ratio}, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"figures: {workdir / 'report_scale.json'}")
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
