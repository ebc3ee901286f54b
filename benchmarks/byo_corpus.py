"""Bring-your-own-corpus check: a few hundred articles as they come, through the report command.

Builds a folder with no manifest of

* the mixed test corpus (``tests/corpora``: 34 reports in .txt of five encodings, Markdown,
  HTML, Word, CSV, JSON Lines and Parquet, simplified and traditional script);
* the 137 labelled locality articles (``tests/data/locality``), each rendered in one of
  .txt (UTF-8, GB18030, Big5 in traditional script), .md, .html and .docx in turn;
* ``--n-synthetic`` articles made of seed paragraphs that name no place at all, each given a
  randomly drawn county-level unit in its title and first sentence (so its locality is known);
* the five seeds, and five broken files (empty, binary, NUL bytes, English, too short).

Labels go to ``<dest>-labels.csv`` beside the folder (a CSV inside would be read as a table of
articles). With ``--run`` the report command runs on the folder (``-p on_error skip``), its wall
time is printed, and the locality the overview report inferred is scored against the labels,
per level: accuracy, coverage (answered, not left empty) and precision among answered.

    .venv/bin/python benchmarks/byo_corpus.py --dest /tmp/byo --run
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "corpora"))
sys.path.insert(0, str(ROOT / "benchmarks"))

LEVELS = ("province", "city", "district", "admin_level")
FORMATS = ("txt-utf8", "txt-gb18030", "txt-big5", "md", "html", "docx")


def _render(text: str, title: str, kind: str) -> tuple[str, bytes]:
    import opencc
    from make_corpora import render_docx, render_html, render_markdown, render_txt

    if kind == "txt-utf8":
        return "txt", render_txt(text)
    if kind == "txt-gb18030":
        return "txt", render_txt(text, encoding="gb18030", newline="crlf")
    if kind == "txt-big5":
        traditional = opencc.OpenCC("s2tw.json").convert(text)
        try:
            return "txt", render_txt(traditional, encoding="big5")
        except UnicodeEncodeError:  # a character Big5 lacks (浜 …): traditional script in GB18030
            return "txt", render_txt(traditional, encoding="gb18030")
    if kind == "md":
        return "md", render_markdown(text)
    if kind == "html":
        return "html", render_html(text, page_title=title, chrome=True)
    return "docx", render_docx(text, title=title)


def _labelled(dest: Path) -> list[dict]:
    from locality_accuracy import load_labelled

    rows = []
    for number, item in enumerate(load_labelled()):
        kind = FORMATS[number % len(FORMATS)]
        lines = [item.get("title") or "", item.get("outlet") or "", item["text"]]
        text = "\n\n".join(line for line in lines if line)
        suffix, data = _render(text, item.get("title") or "", kind)
        name = f"labelled/{item['id']}.{suffix}"
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_bytes(data)
        rows.append({"source": name, **{level: item["expected"][level] for level in LEVELS}})
    return rows


def _synthetic(dest: Path, n: int, seed: int) -> list[dict]:
    from corpus_tools import read_corpus
    from corpus_tools.corpus import locality

    gaz = locality.gazetteer()
    counties = [i for i, (level, kind) in enumerate(zip(gaz.level, gaz.admin_type))
                if level == "county" and kind in {"区", "县", "县级市"} and gaz.city[i] >= 0]
    paragraphs = [p for p in read_corpus(ROOT / "seeds").paragraphs()["text"] if len(p) >= 60]
    placeless = [p for p in paragraphs if locality.locality_candidates(p).empty]
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        unit = rng.choice(counties)
        name, city, province = gaz.name[unit], gaz.name[gaz.city[unit]], gaz.name[gaz.province[unit]]
        body = rng.sample(placeless, min(4, len(placeless)))
        title = f"{name}扎实推进党史学习教育"
        body[0] = f"党史学习教育开展以来，{city}{name}坚持学史明理、学史增信、学史崇德、学史力行。" + body[0]
        suffix, data = _render("\n\n".join([title, *body]), title, FORMATS[k % len(FORMATS)])
        file = f"synthetic/{k:03d}.{suffix}"
        (dest / file).parent.mkdir(parents=True, exist_ok=True)
        (dest / file).write_bytes(data)
        level = "district" if gaz.admin_type[unit] == "区" else "county"
        rows.append({"source": file, "province": province, "city": city, "district": name, "admin_level": level})
    return rows


def build(dest: Path, *, n_synthetic: int, seed: int) -> pd.DataFrame:
    """Write the corpus into ``dest`` (replaced) and return its labels."""
    from make_corpora import build_mixed

    if dest.exists():
        shutil.rmtree(dest)
    build_mixed(dest, manifest=False)
    labels = _labelled(dest) + _synthetic(dest, n_synthetic, seed)
    for seed_file in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed_file, dest / f"seeds-{seed_file.name}")
    broken = dest / "broken"
    broken.mkdir()
    (broken / "empty.txt").write_bytes(b"")
    (broken / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (broken / "nul.txt").write_bytes("学史明理".encode() + b"\x00" * 10 + "学史增信".encode() * 30)
    (broken / "english.txt").write_text("Party history learning and education campaign report. " * 10, encoding="utf-8")
    (broken / "short.txt").write_text("学史明理。", encoding="utf-8")
    return pd.DataFrame(labels)


def score(run_dir: Path, labels: pd.DataFrame) -> pd.DataFrame:
    """Compare the overview report's inferred locality with the labels, per level."""
    documents = pd.read_csv(run_dir / "tables" / "documents.csv", dtype=str, keep_default_na=False)
    merged = labels.merge(documents, on="source", how="left", suffixes=("_true", ""))
    rows = []
    for level in LEVELS:
        truth, guess = merged[f"{level}_true"].fillna(""), merged[level].fillna("")
        answered = guess != ""
        rows.append({
            "level": level,
            "n": len(merged),
            "accuracy": round(float((truth == guess).mean()), 3),
            "coverage": round(float(answered.mean()), 3),
            "precision_answered": round(float((truth == guess)[answered].mean()), 3) if answered.any() else float("nan"),
            "n_wrong": int(((truth != guess) & answered).sum()),
        })
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", type=Path, default=Path("/tmp/dangshi-byo"))
    parser.add_argument("--n-synthetic", type=int, default=150)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--run", action="store_true", help="run the report command and score locality")
    parser.add_argument("--reports-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    labels = build(args.dest, n_synthetic=args.n_synthetic, seed=args.seed)
    label_file = args.dest.with_name(args.dest.name + "-labels.csv")
    labels.to_csv(label_file, index=False)
    n_files = sum(1 for p in args.dest.rglob("*") if p.is_file())
    print(f"{args.dest}: {n_files} files ({len(labels)} labelled articles); labels in {label_file}")
    if not args.run:
        return
    reports_dir = args.reports_dir or args.dest.with_name(args.dest.name + "-reports")
    command = [sys.executable, "-m", "corpus_tools.reports", "--corpus", str(args.dest),
               "--reports-dir", str(reports_dir), "-p", "on_error", "skip"]
    print("$", " ".join(command))
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    print(f"report command: {time.perf_counter() - start:.1f} s wall")
    run_dir = (reports_dir / "latest").resolve()
    problems = pd.read_csv(run_dir / "tables" / "reading_problems.csv")
    print(f"documents read: {len(pd.read_csv(run_dir / 'tables' / 'documents.csv'))}; reading problems by action:")
    print(problems.groupby("action").size().to_string())
    print("\nlocality inferred by the overview report, against the labels:")
    print(score(run_dir, labels).to_string(index=False))


if __name__ == "__main__":
    main()
