"""Measure metadata and formula extraction on a labelled folder of real pages, without its manifest.

Run from the project root (a benchmark, not a test)::

    .venv/bin/python benchmarks/accuracy.py                              # the development set
    .venv/bin/python benchmarks/accuracy.py LABELS.csv DOCS_DIR          # any labelled folder
    .venv/bin/python benchmarks/accuracy.py --fields title,outlet        # only some fields
    .venv/bin/python benchmarks/accuracy.py --no-misses                  # the summary table only
    .venv/bin/python benchmarks/accuracy.py --markdown --no-misses       # the table as Markdown

The folder is read the way a new user reads it: :func:`corpus_tools.read_corpus` on the
``.txt`` files with ``metadata=False`` (a manifest, if any, is ignored), so every value
compared is inferred from the text. Numbered formulas come from
:func:`corpus_tools.rhetoric.numbered_formulas` on that corpus. Where a step segments words
(formula candidates are tagged with the shared segmenter), it uses the package user
dictionary's general layer only: the seed layer (programme names seen only in the seeds) is
opt-in and never loaded here, so the figures are not flattered by words harvested from the
seeds.

The labels file follows the development set's README (``../shared/devset/README.md``):
one row per ``doc_id`` (file ``DOCS_DIR/<doc_id>.txt``) with ``title``, ``date_published``
(YYYY-MM-DD), ``outlet``, ``reporters`` and ``numbered_formulas`` (``|``-separated), and the
locality columns ``province, city, district, town, admin_level``. The development set is
third-party text for evaluation only: it is read from where it lies, never copied.

Comparison
----------
Labels keep the page's own script and inline pinyin (``安徽財(cái)經(jīng)網(wǎng)``, an exact
substring of the page) while the package reports cleaned text (simplified, readings
removed, full-width punctuation). Both sides are therefore normalised the same way before
comparing: OpenCC ``t2s``, inline Latin readings in brackets removed, NFKC width folding,
quotation marks and whitespace dropped. Locality labels are already simplified full names and
are compared exactly.

Scores, per field:

* single-valued fields (title, date, outlet, each locality level): ``precision`` = correct
  answers / answers given (a value where the label is empty counts as a wrong answer),
  ``recall`` = correct answers / labels that are not empty, ``wrong`` = answers given that
  are not correct (for dates this is the "none wrong" target);
* multi-valued fields (reporters, numbered formulas): micro precision and recall over the
  distinct items of each document, and ``docs_exact`` = documents whose item set equals the
  label's (including both empty).

Every miss is listed under the table: the document, the label and the answer.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LABELS = ROOT.parent / "shared" / "devset" / "labels.csv"
DEFAULT_DOCS = ROOT.parent / "shared" / "devset" / "docs"

SINGLE_FIELDS = ("title", "date_published", "outlet", "province", "city", "district", "town", "admin_level")
MULTI_FIELDS = ("reporters", "numbered_formulas")
ALL_FIELDS = SINGLE_FIELDS + MULTI_FIELDS
# Locality labels are official simplified names: compared as they are.
_EXACT_FIELDS = frozenset({"province", "city", "district", "town", "admin_level", "date_published"})

_READING_RE = re.compile(r"[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêếềńňǹḿ]{1,8}[)）]")
_DROP_RE = re.compile(r"[\s\"'“”‘’「」『』]")
# The package's reporters docvar is "记者 张三; 通讯员 李四"; the label is "张三|李四".
_ITEM_SPLIT_RE = re.compile(r"[|;；、,，]")
_ROLE_PREFIX_RE = re.compile(r"^.*\s")


def _t2s(text: str) -> str:
    import opencc  # the same converter family the package uses, applied to labels and answers alike

    global _OPENCC
    try:
        converter = _OPENCC
    except NameError:
        converter = _OPENCC = opencc.OpenCC("t2s.json")
    return converter.convert(text)


def normalise(text: object) -> str:
    """Fold a label or an answer to the form both are compared in (see the module notes)."""
    if not isinstance(text, str):
        return ""
    text = _READING_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _t2s(text)
    return _DROP_RE.sub("", text)


def _items(value: object, *, field: str) -> set[str]:
    if not isinstance(value, str) or not value.strip():
        return set()
    items = set()
    for part in _ITEM_SPLIT_RE.split(value if field != "numbered_formulas" else value.replace(";", "|")):
        part = part.strip()
        if field == "reporters":
            part = _ROLE_PREFIX_RE.sub("", part)  # "记者 张三" -> "张三"
        part = normalise(part)
        if part:
            items.add(part)
    return items


def _formula_items(value: object) -> set[str]:
    if not isinstance(value, str) or not value.strip():
        return set()
    # a label may hold an enumeration as one item (三问、三定、三比): each name is an item
    return {normalise(p) for p in re.split(r"[|、]", value) if normalise(p)}


def read_labels(path: Path) -> pd.DataFrame:
    """Read a labels CSV into a frame of strings indexed by ``doc_id``; check its columns."""
    labels = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = {"doc_id", *ALL_FIELDS} - set(labels.columns)
    if missing:
        raise SystemExit(f"{path}: the labels need the columns {sorted(missing)} (see the devset README)")
    return labels.set_index("doc_id")


def predict(docs_dir: Path, doc_ids: list[str]) -> pd.DataFrame:
    """Read ``docs_dir`` through the package (no manifest) and return one row of answers per doc_id."""
    import corpus_tools as ct
    from corpus_tools.rhetoric import numbered_formulas

    missing = [d for d in doc_ids if not (docs_dir / f"{d}.txt").is_file()]
    if missing:
        raise SystemExit(f"{docs_dir}: no .txt file for labelled doc_ids {missing[:10]}")
    corpus = ct.read_corpus(docs_dir, metadata=False, pattern="*.txt", on_error="skip", progress=False, n_jobs=1)
    answers = corpus.docvars.reindex(doc_ids)[[c for c in ALL_FIELDS if c in corpus.docvars.columns]]
    answers = answers.astype(object).where(answers.notna(), "")
    formulas = numbered_formulas(corpus)
    grouped = formulas.groupby("doc_id")["formula"].agg(lambda s: "|".join(dict.fromkeys(s)))
    answers["numbered_formulas"] = grouped.reindex(doc_ids).fillna("")
    for column in ALL_FIELDS:
        if column not in answers.columns:
            answers[column] = ""
    skipped = corpus.problems
    if len(skipped):
        print(f"note: {len(skipped)} input(s) left out or kept with a problem:", file=sys.stderr)
        print(skipped.to_string(), file=sys.stderr)
    return answers


def score(labels: pd.DataFrame, answers: pd.DataFrame, fields: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare answers with labels.

    Returns
    -------
    summary : pandas.DataFrame
        One row per field: ``field, labelled, answered, correct, wrong, precision, recall``
        (single-valued), or for multi-valued fields the item counts ``labelled`` (label
        items), ``answered`` (answer items), ``correct`` (items in both), ``wrong`` (answer
        items not in the label), ``precision``, ``recall`` and ``docs_exact``.
    misses : pandas.DataFrame
        One row per (field, document) where the answer is not the label: ``field, doc_id,
        label, answer``.
    """
    rows, misses = [], []
    for field in fields:
        if field in SINGLE_FIELDS:
            labelled = answered = correct = 0
            for doc_id in labels.index:
                gold_raw, got_raw = labels.at[doc_id, field], str(answers.at[doc_id, field])
                if field in _EXACT_FIELDS:
                    gold, got = gold_raw.strip(), got_raw.strip()
                else:
                    gold, got = normalise(gold_raw), normalise(got_raw)
                labelled += bool(gold)
                answered += bool(got)
                if got and got == gold:
                    correct += 1
                elif gold or got:
                    misses.append({"field": field, "doc_id": doc_id, "label": gold_raw, "answer": got_raw})
            rows.append({"field": field, "labelled": labelled, "answered": answered, "correct": correct,
                         "wrong": answered - correct,
                         "precision": correct / answered if answered else float("nan"),
                         "recall": correct / labelled if labelled else float("nan"), "docs_exact": pd.NA})
        else:
            labelled = answered = correct = exact = 0
            for doc_id in labels.index:
                if field == "numbered_formulas":
                    gold, got = _formula_items(labels.at[doc_id, field]), _formula_items(answers.at[doc_id, field])
                else:
                    gold = _items(labels.at[doc_id, field], field=field)
                    got = _items(answers.at[doc_id, field], field=field)
                labelled += len(gold)
                answered += len(got)
                correct += len(gold & got)
                exact += gold == got
                if gold != got:
                    misses.append({"field": field, "doc_id": doc_id,
                                   "label": "|".join(sorted(gold)), "answer": "|".join(sorted(got)),
                                   "missed": "|".join(sorted(gold - got)), "extra": "|".join(sorted(got - gold))})
            rows.append({"field": field, "labelled": labelled, "answered": answered, "correct": correct,
                         "wrong": answered - correct,
                         "precision": correct / answered if answered else float("nan"),
                         "recall": correct / labelled if labelled else float("nan"), "docs_exact": exact})
    return pd.DataFrame(rows), pd.DataFrame(misses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labels", nargs="?", type=Path, default=DEFAULT_LABELS, help="labels CSV")
    parser.add_argument("docs", nargs="?", type=Path, default=DEFAULT_DOCS, help="folder of <doc_id>.txt")
    parser.add_argument("--fields", default=",".join(ALL_FIELDS), help="comma-separated fields to score")
    parser.add_argument("--no-misses", action="store_true", help="print the summary table only")
    parser.add_argument("--markdown", action="store_true", help="print the summary as a Markdown table")
    args = parser.parse_args(argv)
    fields = tuple(f.strip() for f in args.fields.split(",") if f.strip())
    unknown = set(fields) - set(ALL_FIELDS)
    if unknown:
        parser.error(f"--fields: unknown {sorted(unknown)}; choose from {', '.join(ALL_FIELDS)}")
    if not args.labels.is_file():
        parser.error(f"labels file {args.labels} not found")
    if not args.docs.is_dir():
        parser.error(f"documents folder {args.docs} not found")
    labels = read_labels(args.labels)
    answers = predict(args.docs, list(labels.index))
    summary, misses = score(labels, answers, fields)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 60)
    pd.set_option("display.max_rows", 1000)
    if not args.no_misses and len(misses):
        for field, table in misses.groupby("field", sort=False):
            print(f"\n## misses: {field} ({len(table)})")
            print(table.drop(columns="field").dropna(axis=1, how="all").to_string(index=False))
    print(f"\n## accuracy on {len(labels)} documents ({args.docs}), no manifest, general dictionary layer")
    shown = summary.copy()
    for column in ("precision", "recall"):
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    shown = shown.astype(object).where(shown.notna(), "")
    if args.markdown:
        print("| " + " | ".join(shown.columns) + " |")
        print("|" + "---|" * len(shown.columns))
        for row in shown.itertuples(index=False):
            print("| " + " | ".join(str(v) for v in row) + " |")
    else:
        print(shown.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
