"""Time the read → clean → segment → count pipeline, stage by stage, against plain jieba.

Run from the project root (not part of the test suite; ``make`` target suggested below)::

    .venv/bin/python benchmarks/pipeline_speed.py                       # 100 MB corpus
    .venv/bin/python benchmarks/pipeline_speed.py --size-mb 5           # quick
    .venv/bin/python benchmarks/pipeline_speed.py --stream-size-mb 1000 # also stream 1 GB
    .venv/bin/python benchmarks/pipeline_speed.py --reports             # also time the report command
    .venv/bin/python benchmarks/pipeline_speed.py --size-mb 100 --memory-only  # peak memory of the in-memory route
    .venv/bin/python benchmarks/pipeline_speed.py --size-mb 16 --clean-crossover  # when cleaning pays 2 cores

The corpus is synthetic, generated from the five seed reports (fixed random seed): each
article has a title, a byline with a made-up name, a date line and 2 to 12 body paragraphs
of 2 to 6 sentences drawn at random from the seeds' cleaned body sentences, with every number
redrawn and the seeds' place names swapped for made-up ones (so the vocabulary keeps growing);
one paragraph in ten is an untouched raw seed paragraph (inline pinyin, lost characters,
traditional script); one article in five is converted to traditional script with OpenCC
(``s2t``) so that conversion has work to do. Articles are 1.5 to 5 KB of UTF-8, written as
``.txt`` files in folders of 1,000.

Every stage runs in a fresh Python process, so that stages do not share caches or memory; its
peak memory is the largest sum of resident memory over that process and its children (the
worker processes), sampled every 50 ms. MB/s is megabytes (10^6 bytes) of the corpus files,
UTF-8, per second of the stage's wall time, for every stage, so the rates can be compared along
the pipeline. A stage's clock starts after its inputs are loaded and its segmenter built.

Stages, each against its plain equivalent (the baseline):

============= ========================================== =========================================
stage          ours                                       plain baseline
============= ========================================== =========================================
conversion     ``corpus.clean.to_simplified`` (OpenCC     ``opencc.OpenCC("t2s.json").convert``
               t2s + counting what changed)
cleaning       ``corpus.process_document`` (all cleaning  none (plain jieba does not clean)
               rules incl. conversion, blocks, docvars)
segmentation   ``get_segmenter().cut`` on the clean body  ``jieba.lcut`` on the raw text
counting       ``streaming.chunks.count_units`` per 64    ``collections.Counter`` per document
               documents (``dtm.count_codes``, as
               ``dtm``) + merged vocabulary + sorted
               CSR matrix
end to end     ``stream_dtm(n_jobs=2)``: read, clean,     read + ``jieba.lcut`` + ``Counter`` per
               segment, count, write matrix and tokens    document, in one process
============= ========================================== =========================================

The baseline runs on ``--baseline-mb`` (default 10) only, because it is slow; its rate is
extrapolated to the full size (it is linear in the size), and the output says so. With
``--reports`` the wall time of ``python -m corpus_tools.reports --corpus seeds`` is measured
cold (an empty cache folder, ``DANGSHI_CACHE_DIR``, and an empty reports folder), warm (the
same folders again: nothing changed, so the runner finds ``latest`` current and runs nothing) and
warm with ``--force`` (every notebook runs again on the warm caches).

Results are printed as tables and written to ``<workdir>/pipeline_speed-<size>mb.json``.

A Makefile target for it could be::

    bench-pipeline: venv ## time read/clean/segment/count against plain jieba (SIZE_MB=100)
    	$(VENV_PY) benchmarks/pipeline_speed.py --size-mb $(or $(SIZE_MB),100) $(BENCH_ARGS)
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GENERATOR_VERSION = 1
RANDOM_SEED = 20210701
FILES_PER_FOLDER = 1000
_SENTENCE = re.compile(r"[^。！？]+[。！？]")
_SEED_PLACES = ("槐荫区", "市中区", "召陵区", "武隆区", "武陵", "济南市", "漯河市", "重庆市", "槐荫", "召陵", "武隆")
_NAME_CHARS = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN_CHARS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
_PLACE_CHARS = "东南西北中新安平和兴华阳山河湖海江泉林石桥台城镇乡村水田龙凤白青红金银长宁顺丰泰康永福德仁义礼智信"


# -- the synthetic corpus ---------------------------------------------------------------------


def seed_material() -> tuple[list[str], list[str]]:
    """Return the seeds' clean body sentences and their raw paragraphs (messy, as scraped)."""
    from corpus_tools.corpus import read_corpus
    from corpus_tools.io.decode import decode_bytes

    seeds = read_corpus(PROJECT_ROOT / "seeds")
    sentences = [s for body in seeds.texts for s in _SENTENCE.findall(body.replace("\n", "")) if len(s) >= 8]
    raw_paragraphs = []
    for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt")):
        raw = decode_bytes(path.read_bytes()).text
        raw_paragraphs += [p.strip() for p in re.split(r"\n\s*\n", raw) if len(p.strip()) >= 40]
    return sentences, raw_paragraphs


def person_name(rng: random.Random) -> str:
    return rng.choice(_NAME_CHARS) + "".join(rng.choice(_GIVEN_CHARS) for _ in range(rng.choice((1, 2))))


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_CHARS) + rng.choice(_PLACE_CHARS) + rng.choice("区县市镇")


def vary(sentence: str, rng: random.Random, places: dict[str, str]) -> str:
    sentence = re.sub(r"\d+", lambda m: str(rng.randint(1, 10 ** len(m.group()))), sentence)
    for seed_place, new_place in places.items():
        sentence = sentence.replace(seed_place, new_place)
    return sentence


def fill_body(paragraphs: list[str], size: int, doc_bytes: int, rng: random.Random, sentences: list[str],
              raw_paragraphs: list[str], places: dict[str, str]) -> list[str]:
    """Append paragraphs to ``paragraphs`` until the article (``size`` bytes so far) reaches ``doc_bytes``.

    One paragraph in ten is a raw seed paragraph (messy, as scraped: pinyin, page dates, captions);
    the others are two to six seed sentences with new numbers and ``places``.
    """
    while size < doc_bytes:
        if rng.random() < 0.1:
            paragraph = rng.choice(raw_paragraphs)
        else:
            paragraph = "".join(vary(rng.choice(sentences), rng, places) for _ in range(rng.randint(2, 6)))
        paragraphs.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 2
    return paragraphs


def write_article(folder: Path, number: int, header: list[str], paragraphs: list[str], rng: random.Random,
                  to_traditional, *, prefix: str) -> tuple[int, bool]:
    """Write article ``number`` (header lines, then paragraphs with a blank line after each) as UTF-8.

    One article in five is converted to traditional script (``to_traditional``, an OpenCC converter).
    Files go ``FILES_PER_FOLDER`` to a subfolder, as a scraper's dump would. Returns the bytes
    written and whether the article is traditional.
    """
    text = "\n".join(header + [line for paragraph in paragraphs for line in (paragraph, "")])
    traditional = rng.random() < 0.2
    if traditional:
        text = to_traditional.convert(text)
    sub = folder / f"{number // FILES_PER_FOLDER:04d}"
    sub.mkdir(exist_ok=True)
    data = text.encode("utf-8")
    (sub / f"{prefix}{number:07d}.txt").write_bytes(data)
    return len(data), traditional


def generate_corpus(folder: Path, size_mb: float, *, seed: int = RANDOM_SEED) -> dict:
    """Write about ``size_mb`` MB of synthetic articles to ``folder`` (reused when already there)."""
    stamp = folder / "corpus.json"
    wanted = {"generator_version": GENERATOR_VERSION, "size_mb": size_mb, "seed": seed}
    if stamp.is_file():
        info = json.loads(stamp.read_text(encoding="utf-8"))
        if {k: info.get(k) for k in wanted} == wanted:
            return info
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    import opencc

    to_traditional = opencc.OpenCC("s2t.json")
    sentences, raw_paragraphs = seed_material()
    rng = random.Random(seed)
    target = int(size_mb * 1e6)
    written = n_docs = n_traditional = 0
    started = time.perf_counter()
    while written < target:
        places = {p: _place(rng) for p in _SEED_PLACES}
        doc_bytes = rng.randint(1500, 5000)
        title = vary(rng.choice(sentences), rng, places)[:24].rstrip("，。、；：！？")
        lines = [title, "", f"本报记者 {person_name(rng)} 通讯员 {person_name(rng)}", "",
                 f"2021年{rng.randint(1, 12)}月{rng.randint(1, 28)}日", ""]
        size = sum(len(line.encode("utf-8")) + 1 for line in lines)
        paragraphs = fill_body([], size, doc_bytes, rng, sentences, raw_paragraphs, places)
        n_bytes, traditional = write_article(folder, n_docs, lines, paragraphs, rng, to_traditional, prefix="d")
        written += n_bytes
        n_traditional += traditional
        n_docs += 1
    info = {**wanted, "n_docs": n_docs, "bytes": written, "n_traditional": n_traditional,
            "generation_seconds": round(time.perf_counter() - started, 1)}
    stamp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info


def _corpus_files(folder: Path, limit_bytes: int | None = None) -> list[Path]:
    files = sorted(folder.rglob("*.txt"))
    if limit_bytes is None:
        return files
    chosen, total = [], 0
    for path in files:
        if total >= limit_bytes:
            break
        chosen.append(path)
        total += path.stat().st_size
    return chosen


# -- stages, each run in a child process ------------------------------------------------------


def _load_texts(corpus: Path, limit_mb: float) -> tuple[list[str], list[str], int]:
    files = _corpus_files(corpus, int(limit_mb * 1e6))
    data = [p.read_bytes() for p in files]
    return [p.stem for p in files], [d.decode("utf-8") for d in data], sum(len(d) for d in data)


def _stage(name: str, corpus: Path, limit_mb: float, scratch: Path, n_jobs: int) -> dict:
    """Run one stage here and return its measurements (the parent measures memory)."""
    out: dict = {}
    if name == "stream":
        from corpus_tools.streaming import stream_dtm

        started = time.perf_counter()
        result = stream_dtm(corpus, out_dir=scratch / "stream-out", overwrite=True, n_jobs=n_jobs,
                            metadata=False, progress=False)
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in corpus.rglob("*.txt"))
        shutil.rmtree(scratch / "stream-out", ignore_errors=True)
        return {"seconds": seconds, "bytes": size, "n_docs": result.n_docs, "n_terms": result.n_terms,
                "n_tokens": result.n_tokens, "nnz": result.nnz}
    if name in ("memory", "read"):
        return _in_memory(name, corpus, scratch, n_jobs)
    ids, texts, size = _load_texts(corpus, limit_mb)
    out["bytes"], out["n_docs"] = size, len(texts)
    if name == "conversion":
        from corpus_tools.corpus.clean import to_simplified

        to_simplified("學")  # load OpenCC before the clock
        started = time.perf_counter()
        changed = sum(to_simplified(text).count for text in texts)
        out["chars_changed"] = changed
    elif name == "conversion-plain":
        import opencc

        converter = opencc.OpenCC("t2s.json")
        started = time.perf_counter()
        for text in texts:
            converter.convert(text)
    elif name == "cleaning":
        from corpus_tools.corpus import process_document

        process_document("warm-up", "學(xué)史明理，学史增信。")  # OpenCC and pypinyin tables
        started = time.perf_counter()
        bodies = [process_document(doc_id, text).body for doc_id, text in zip(ids, texts)]
        out["seconds"] = time.perf_counter() - started
        with open(scratch / "bodies.pkl", "wb") as handle:
            pickle.dump(bodies, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return out
    elif name == "segmentation":
        from corpus_tools.segment import get_segmenter

        with open(scratch / "bodies.pkl", "rb") as handle:
            bodies = pickle.load(handle)
        built = time.perf_counter()
        segmenter = get_segmenter()
        out["segmenter"] = repr(segmenter)
        out["build_seconds"] = time.perf_counter() - built
        started = time.perf_counter()
        words = [segmenter.cut(body) for body in bodies]
        out["seconds"] = time.perf_counter() - started
        out["n_tokens"] = sum(map(len, words))
        with open(scratch / "words.pkl", "wb") as handle:
            pickle.dump(words, handle, protocol=pickle.HIGHEST_PROTOCOL)
        return out
    elif name == "segmentation-plain":
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        started = time.perf_counter()
        out["n_tokens"] = sum(len(jieba.lcut(text)) for text in texts)
    elif name in ("counting", "counting-plain"):
        with open(scratch / "words.pkl", "rb") as handle:
            words = pickle.load(handle)
        import scipy.sparse  # noqa: F401  (imports before the clock)

        import corpus_tools.streaming  # noqa: F401

        started = time.perf_counter()
        if name == "counting-plain":
            from collections import Counter

            counts = {doc_id: Counter(tokens) for doc_id, tokens in zip(ids, words)}
            out["n_terms"] = len(set().union(*counts.values()))
        else:
            out["n_terms"] = _count_like_stream(words)
    elif name == "baseline":
        # Read + jieba.lcut + a dictionary of counts: what a script without this package does.
        from collections import Counter

        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        files = _corpus_files(corpus, int(limit_mb * 1e6))
        started = time.perf_counter()
        counts = {path.stem: Counter(jieba.lcut(path.read_bytes().decode("utf-8"))) for path in files}
        out["n_terms"] = len(set().union(*counts.values()))
    else:
        raise ValueError(f"unknown stage {name!r}")
    out["seconds"] = time.perf_counter() - started
    return out


def _self_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB on Linux


def _in_memory(name: str, corpus: Path, scratch: Path, n_jobs: int) -> dict:
    """``read``: read_corpus alone; ``memory``: read_corpus → tokenize → dtm, all in memory."""
    import corpus_tools.corpus as corpus_module
    from corpus_tools.dtm import dtm
    from corpus_tools.segment import get_segmenter
    from corpus_tools.tokens import tokenize

    if os.environ.get("PIPELINE_SPEED_SPAWN"):
        import multiprocessing

        import corpus_tools.corpus.build as build_module  # where read_corpus looks the start method up

        build_module.mp_context = lambda: multiprocessing.get_context("spawn")
    segmenter = get_segmenter()  # built before the clock, as in the other stages
    size = sum(p.stat().st_size for p in corpus.rglob("*.txt"))
    started = time.perf_counter()
    corp = corpus_module.read_corpus(corpus, metadata=False, n_jobs=n_jobs, progress=False)
    read = time.perf_counter() - started
    out = {"bytes": size, "n_docs": len(corp.texts), "read_seconds": read}
    # This process's own peak so far (workers excluded), after each step: which step sets the peak.
    out["self_peak_after_read_mb"] = _self_peak_mb()
    if name == "memory":
        tokens = tokenize(corp, segmenter=segmenter, cache=False, progress=False)
        segmented = time.perf_counter()
        out["self_peak_after_tokenize_mb"] = _self_peak_mb()
        matrix = dtm(tokens)
        counted = time.perf_counter()
        out["self_peak_after_dtm_mb"] = _self_peak_mb()
        out.update(tokenize_seconds=segmented - started - read, dtm_seconds=counted - segmented,
                   n_terms=matrix.matrix.shape[1], n_tokens=int(matrix.matrix.sum()))
    out["seconds"] = time.perf_counter() - started
    return out


def clean_crossover(corpus: Path, scratch: Path, sizes_mb: list[float]) -> list[dict]:
    """Time read_corpus with one process and with two (forked, then spawned) on growing slices."""
    files = _corpus_files(corpus)
    results = []
    for size_mb in sizes_mb:
        folder = scratch / f"crossover-{size_mb:g}mb"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        total = 0
        for path in files:
            if total >= size_mb * 1e6:
                break
            shutil.copyfile(path, folder / path.name)
            total += path.stat().st_size
        row = {"mb": total / 1e6}
        for label, n_jobs, env in (("one", 1, None), ("fork", 2, None),
                                   ("spawn", 2, {**os.environ, "PIPELINE_SPEED_SPAWN": "1"})):
            row[label] = run_stage("read", corpus=folder, limit_mb=size_mb, scratch=scratch, n_jobs=n_jobs, env=env)["seconds"]
        results.append(row)
        shutil.rmtree(folder, ignore_errors=True)
    return results


def _count_like_stream(words: list[list[str]]) -> int:
    """Count as stream_dtm does: per chunk of 64 documents, merge vocabularies, sort, build CSR."""
    import numpy as np
    import scipy.sparse as sp

    from corpus_tools.streaming.chunks import count_units
    from corpus_tools.tokens import sort_vocabulary

    vocabulary: dict[str, int] = {}
    pieces_nnz, pieces_cols, pieces_vals = [], [], []
    for start in range(0, len(words), 64):
        vocab, _, unit_nnz, cols, vals, _ = count_units(words[start : start + 64])
        to_global = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in vocab), dtype=np.int32, count=len(vocab))
        pieces_nnz.append(unit_nnz)
        pieces_cols.append(to_global[cols])
        pieces_vals.append(vals)
    terms, new_id = sort_vocabulary(list(vocabulary))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(pieces_nnz))])
    matrix = sp.csr_matrix((np.concatenate(pieces_vals), new_id[np.concatenate(pieces_cols)], indptr),
                           shape=(len(indptr) - 1, len(terms)))
    matrix.sort_indices()
    return matrix.shape[1]


def run_stage(name: str, *, corpus: Path, limit_mb: float, scratch: Path, n_jobs: int,
              env: dict | None = None) -> dict:
    """Run a stage in a fresh process; return its measurements plus peak memory (MB)."""
    command = [sys.executable, __file__, "--_stage", name, "--_corpus", str(corpus),
               "--_limit-mb", str(limit_mb), "--_scratch", str(scratch), "--n-jobs", str(n_jobs)]
    return _run_measured(command, env=env, parse_json=True)


def _run_measured(command: list[str], *, env: dict | None = None, parse_json: bool = False) -> dict:
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=PROJECT_ROOT, env=env)
    watched = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            rss = 0
            for member in tree:
                try:
                    rss += member.memory_info().rss
                except psutil.Error:
                    pass
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.05)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} … failed ({process.returncode}):\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1]) if parse_json else {}
    result["peak_mb"] = peak / 1e6
    result["process_wall_seconds"] = wall
    return result


# -- the report -------------------------------------------------------------------------------


def _rate(result: dict) -> float:
    return result["bytes"] / 1e6 / result["seconds"] if result["seconds"] > 0 else float("inf")


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = lambda row: "  ".join(str(cell).rjust(w) if j else str(cell).ljust(w) for j, (cell, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=float, default=100, help="corpus size for the end-to-end run (default 100)")
    parser.add_argument("--stage-mb", type=float, default=20,
                        help="slice of the corpus each single stage runs on (default 20; MB/s does not depend on it)")
    parser.add_argument("--baseline-mb", type=float, default=10, help="slice the plain baseline runs on (default 10)")
    parser.add_argument("--stream-size-mb", type=float, default=0, help="also stream a corpus this big (e.g. 1000); 0 skips")
    parser.add_argument("--n-jobs", type=int, default=2, help="worker processes for stream_dtm (default 2)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where corpora and results go (default: a folder in the system temp dir, kept for reuse)")
    parser.add_argument("--reports", action="store_true", help="also time the report command on the seeds: cold, warm (nothing changed) and warm with --force")
    parser.add_argument("--skip-stages", action="store_true", help="only the end-to-end runs")
    parser.add_argument("--memory-only", action="store_true",
                        help="only read_corpus alone and read_corpus + tokenize + dtm in memory (peak memory per step)")
    parser.add_argument("--clean-crossover", action="store_true",
                        help="only time read_corpus with 1 and 2 processes (forked, spawned) on 0.25-16 MB, "
                             "to set corpus.build.CLEAN_PARALLEL_MIN_CHARS")
    parser.add_argument("--_stage", help=argparse.SUPPRESS)
    parser.add_argument("--_corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_limit-mb", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--_scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args._stage:  # child process: run one stage, print its JSON
        print(json.dumps(_stage(args._stage, args._corpus, args._limit_mb, args._scratch, args.n_jobs)))
        return 0

    os.environ.setdefault("DANGSHI_PROGRESS", "off")
    workdir = args.workdir or Path(tempfile.gettempdir()) / "dangshi-pipeline-speed"
    workdir.mkdir(parents=True, exist_ok=True)
    scratch = workdir / "scratch"
    scratch.mkdir(exist_ok=True)
    report: dict = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                                "load_average_at_start": os.getloadavg()}}
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (other work on the machine slows every stage)")

    corpus = workdir / f"corpus-{args.size_mb:g}mb"
    print(f"Generating a synthetic corpus of {args.size_mb:g} MB in {corpus} ...", flush=True)
    info = generate_corpus(corpus, args.size_mb)
    report["corpus"] = {"path": str(corpus), **info}
    print(
        f"  {info['n_docs']} articles, {info['bytes'] / 1e6:.1f} MB UTF-8, {info['n_traditional']} in traditional script.\n"
        "  Made from the five seed reports: random seed sentences (numbers redrawn, place names swapped\n"
        "  for made-up ones) in 2-12 paragraphs per article, 1 paragraph in 10 a raw seed paragraph\n"
        "  (pinyin, traditional script), 1 article in 5 converted to traditional with OpenCC s2t;\n"
        "  articles of 1.5-5 KB with a title, byline and date line.\n",
        flush=True,
    )
    if args.clean_crossover:
        rows = []
        for row in clean_crossover(corpus, scratch, [0.25, 0.5, 1, 2, 4, 8, 16]):
            chars = row["mb"] * 1e6 / 3  # UTF-8 Chinese: about 3 bytes a character
            rows.append([f"{row['mb']:.2f}", f"{chars / 1e6:.2f}", f"{row['one']:.2f}", f"{row['fork']:.2f}",
                         f"{row['one'] / row['fork']:.2f}", f"{row['spawn']:.2f}", f"{row['one'] / row['spawn']:.2f}"])
        print("read_corpus(metadata=False): seconds with one process and with two (speed-up = one / two)")
        print(_table(rows, ["MB", "M chars", "one", "fork", "speed-up", "spawn", "speed-up"]))
        return 0
    if args.memory_only:
        return _memory_only(corpus, args, scratch, report, workdir)
    stage_mb = min(args.stage_mb, args.size_mb)
    baseline_mb = min(args.baseline_mb, args.size_mb)
    common = {"corpus": corpus, "scratch": scratch, "n_jobs": args.n_jobs}

    if not args.skip_stages:
        plan = [("conversion", stage_mb), ("conversion-plain", stage_mb), ("cleaning", stage_mb),
                ("segmentation", stage_mb), ("segmentation-plain", baseline_mb), ("counting", stage_mb),
                ("counting-plain", stage_mb)]
        stages = {}
        for name, mb in plan:
            print(f"stage {name} on {mb:g} MB ...", flush=True)
            stages[name] = run_stage(name, limit_mb=mb, **common)
        report["stages"] = stages
        rows = []
        for name, label_ours, label_plain in [
            ("conversion", "clean.to_simplified", "OpenCC convert"),
            ("cleaning", "process_document", "-"),
            ("segmentation", "Segmenter.cut", "jieba.lcut"),
            ("counting", "count_units + CSR", "Counter per doc"),
        ]:
            ours = stages[name]
            plain = stages.get(f"{name}-plain")
            rows.append([
                name, label_ours, f"{ours['bytes'] / 1e6:.1f}", f"{ours['seconds']:.2f}", f"{_rate(ours):.2f}",
                f"{ours['peak_mb']:.0f}", label_plain,
                f"{_rate(plain):.2f}" if plain else "-", f"{plain['peak_mb']:.0f}" if plain else "-",
                f"{_rate(ours) / _rate(plain):.2f}" if plain else "-",
            ])
        print()
        print("Stages (one process each; MB = corpus MB; peak = resident memory of the process, inputs included)")
        print(_table(rows, ["stage", "ours", "MB", "s", "MB/s", "peak MB", "plain", "MB/s", "peak MB", "ratio"]))
        seg = stages["segmentation"]
        print(f"  segmenter: {seg.get('segmenter')} (built in {seg.get('build_seconds', 0):.1f} s, not timed)")
        print("  ratio = our MB/s / plain MB/s (>1: faster). Plain segmentation ran on "
              f"{baseline_mb:g} MB; cleaning has no plain equivalent.\n", flush=True)

    print(f"end to end: stream_dtm(n_jobs={args.n_jobs}) on {args.size_mb:g} MB ...", flush=True)
    stream = run_stage("stream", limit_mb=args.size_mb, **common)
    print(f"end to end: read_corpus(n_jobs={args.n_jobs}) + tokenize + dtm in memory on {args.size_mb:g} MB ...", flush=True)
    memory = run_stage("memory", limit_mb=args.size_mb, **common)
    print(f"end to end: plain baseline on {baseline_mb:g} MB ...", flush=True)
    baseline = run_stage("baseline", limit_mb=baseline_mb, **common)
    report["end_to_end"] = {"stream": stream, "memory": memory, "baseline": baseline}
    extrapolated = stream["bytes"] / 1e6 / _rate(baseline)
    rows = [
        [f"stream_dtm(n_jobs={args.n_jobs})", f"{stream['bytes'] / 1e6:.1f}", f"{stream['seconds']:.1f}",
         f"{_rate(stream):.2f}", f"{stream['peak_mb']:.0f}", "measured"],
        ["read_corpus + tokenize + dtm", f"{memory['bytes'] / 1e6:.1f}", f"{memory['seconds']:.1f}",
         f"{_rate(memory):.2f}", f"{memory['peak_mb']:.0f}",
         f"read {memory['read_seconds']:.0f} s, tokenize {memory['tokenize_seconds']:.0f} s, dtm {memory['dtm_seconds']:.0f} s"],
        ["jieba.lcut + Counter", f"{baseline['bytes'] / 1e6:.1f}", f"{baseline['seconds']:.1f}",
         f"{_rate(baseline):.2f}", f"{baseline['peak_mb']:.0f}", "measured"],
        ["jieba.lcut + Counter", f"{stream['bytes'] / 1e6:.1f}", f"{extrapolated:.1f}", f"{_rate(baseline):.2f}",
         "-", f"extrapolated from {baseline_mb:g} MB"],
    ]
    print()
    print("End to end (read → clean → segment → count → matrix on disk; peak = process tree, workers included)")
    print(_table(rows, ["pipeline", "MB", "s", "MB/s", "peak MB", "note"]))
    print(f"  ratio stream / plain: {_rate(stream) / _rate(baseline):.2f} "
          f"({stream['n_docs']} docs, {stream['n_tokens']} tokens, {stream['n_terms']} terms, {stream['nnz']} cells)")
    target_time, target_memory = 60 * args.size_mb / 100, 2000
    print(f"  targets (2 cores): 100 MB in 60 s, scaled here to {args.size_mb:g} MB; peak memory 2 GB: "
          f"{'met' if stream['seconds'] <= target_time else 'NOT met'} on time ({stream['seconds']:.0f} s vs {target_time:.0f} s), "
          f"{'met' if stream['peak_mb'] <= target_memory else 'NOT met'} on memory ({stream['peak_mb']:.0f} MB)\n", flush=True)

    if args.stream_size_mb:
        big = workdir / f"corpus-{args.stream_size_mb:g}mb"
        print(f"Generating {args.stream_size_mb:g} MB in {big} (same recipe) ...", flush=True)
        big_info = generate_corpus(big, args.stream_size_mb)
        print(f"  {big_info['n_docs']} articles, {big_info['bytes'] / 1e6:.0f} MB; streaming ...", flush=True)
        big_run = run_stage("stream", corpus=big, limit_mb=args.stream_size_mb, scratch=scratch, n_jobs=args.n_jobs)
        report["stream_big"] = {"corpus": big_info, **big_run}
        print(_table([[f"stream_dtm(n_jobs={args.n_jobs})", f"{big_run['bytes'] / 1e6:.0f}", f"{big_run['seconds']:.0f}",
                       f"{_rate(big_run):.2f}", f"{big_run['peak_mb']:.0f}",
                       "met" if big_run["peak_mb"] <= 2000 else "NOT met"]],
                     ["large stream", "MB", "s", "MB/s", "peak MB", "≤ 2 GB"]) + "\n", flush=True)

    if args.reports:
        cache = workdir / "reports-cache"
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()
        env = {**os.environ, "DANGSHI_CACHE_DIR": str(cache)}
        timings = {}
        # One reports folder for both runs, as for someone who runs `make reports` twice: the
        # warm run finds the cold run's caches and its notebook timings (longest first).
        out = workdir / "reports"
        shutil.rmtree(out, ignore_errors=True)
        # "warm" is `make reports` again with nothing changed: the runner finds `latest` current
        # and runs nothing; "warm, --force" runs every notebook again on the warm caches.
        for state, extra in (("cold", []), ("warm", []), ("warm, --force", ["--force"])):
            print(f"report command, {state} ...", flush=True)
            try:
                timings[state] = _run_measured(
                    [sys.executable, "-m", "corpus_tools.reports", "--corpus", "seeds", "--reports-dir", str(out),
                     *extra],
                    env=env,
                )
            except RuntimeError as error:  # a failing report is a result too; keep the rest
                print(f"  failed: {error}", flush=True)
                timings[state] = {"error": str(error)[-2000:], "process_wall_seconds": float("nan"), "peak_mb": float("nan")}
        report["reports"] = timings
        print(_table([[state, f"{t['process_wall_seconds']:.1f}", f"{t['peak_mb']:.0f}"] for state, t in timings.items()],
                     ["reports on seeds", "wall s", "peak MB"]) + f"\n  cache folder: {cache} (empty before the cold run)\n")

    report["machine"]["load_average_at_end"] = os.getloadavg()
    results = workdir / f"pipeline_speed-{args.size_mb:g}mb.json"
    results.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"results: {results}")
    return 0


def _memory_only(corpus: Path, args: argparse.Namespace, scratch: Path, report: dict, workdir: Path) -> int:
    """The in-memory route's peak memory, and which step sets it (Tokens as integer codes, issue 16)."""
    common = {"corpus": corpus, "scratch": scratch, "n_jobs": args.n_jobs}
    print(f"read_corpus(n_jobs={args.n_jobs}) alone on {args.size_mb:g} MB ...", flush=True)
    read = run_stage("read", limit_mb=args.size_mb, **common)
    print(f"read_corpus(n_jobs={args.n_jobs}) + tokenize + dtm on {args.size_mb:g} MB ...", flush=True)
    memory = run_stage("memory", limit_mb=args.size_mb, **common)
    report["memory_only"] = {"read": read, "memory": memory}
    rows = [
        ["read_corpus", f"{read['bytes'] / 1e6:.1f}", f"{read['seconds']:.1f}", f"{read['peak_mb']:.0f}",
         f"{read['self_peak_after_read_mb']:.0f}", "-", "-"],
        ["+ tokenize + dtm", f"{memory['bytes'] / 1e6:.1f}", f"{memory['seconds']:.1f}", f"{memory['peak_mb']:.0f}",
         f"{memory['self_peak_after_read_mb']:.0f}", f"{memory['self_peak_after_tokenize_mb']:.0f}",
         f"{memory['self_peak_after_dtm_mb']:.0f}"],
    ]
    print()
    print("In memory (peak = process tree, workers included; self = this process's peak after each step, MB)")
    print(_table(rows, ["route", "MB", "s", "peak MB", "self after read", "after tokenize", "after dtm"]))
    print(f"  read {memory['read_seconds']:.1f} s, tokenize {memory['tokenize_seconds']:.1f} s, "
          f"dtm {memory['dtm_seconds']:.2f} s; {memory['n_tokens']} tokens, {memory['n_terms']} terms")
    print("  target (issue 16): the in-memory route at 100 MB peaks at <= 1500 MB\n", flush=True)
    results = workdir / f"pipeline_speed-memory-{args.size_mb:g}mb.json"
    results.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"results: {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
