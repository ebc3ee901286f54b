"""The report command on the real seeds: every notebook runs and leaves a complete run folder.

This is the end-to-end check behind the README's report command: the same function
(`run_reports`) that `make reports` calls, on the shipped corpus, into a temporary reports folder.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from corpus_tools.reports import find_notebooks, run_reports


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory, seeds_dir):
    reports_dir = tmp_path_factory.mktemp("reports")
    run_dir = run_reports(corpus_dir=seeds_dir, reports_dir=reports_dir, run_id="seeds-test")
    return reports_dir, run_dir


def test_every_notebook_is_executed_and_rendered(seeds_run):
    reports_dir, run_dir = seeds_run
    assert (reports_dir / "latest").resolve() == run_dir.resolve()
    for notebook in find_notebooks():
        assert (run_dir / notebook.name).is_file(), notebook.name
        html = (run_dir / notebook.with_suffix(".html").name).read_text(encoding="utf-8")
        # input-free report: no code from the notebook, but its outputs are there
        assert "import corpus_tools" not in html
        assert "<table" in html
        # the summary computed at the end fills its place at the top (interpret.summary_slot)
        assert "Summary" in html and "The summary is computed at the end" not in html
    assert (run_dir / "index.html").is_file()


def test_overview_tables_describe_the_seeds(seeds_run):
    _, run_dir = seeds_run
    documents = pd.read_csv(run_dir / "tables" / "documents.csv", dtype={"date_published": str})
    assert documents["doc_id"].tolist() == [
        "jinan-huaiyin", "jinan-shizhong", "jinan-city", "luohe-zhaoling", "chongqing-wulong"
    ]
    assert documents.set_index("doc_id").loc["jinan-city", "group"] == "济南市（全市）"
    quality = pd.read_csv(run_dir / "tables" / "quality_log.csv")
    pinyin = quality[(quality["rule"] == "pinyin_readings") & (quality["count"] > 0)]
    assert pinyin["doc_id"].tolist() == ["jinan-city"]
    top = pd.read_csv(run_dir / "tables" / "top_terms_by_group.csv")
    assert set(top["group"]) == {"槐荫区", "市中区", "济南市（全市）", "召陵区", "武隆区"}
    for name in ("sizes", "quality_log", "top_terms_by_group"):
        assert (run_dir / "figures" / f"{name}.png").stat().st_size > 10_000


def test_run_manifest_records_parameters_versions_and_input_hashes(seeds_run, seeds_dir):
    import hashlib

    _, run_dir = seeds_run
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest, ensure_ascii=False)
    expected = hashlib.sha256((seeds_dir / "002_13c419424a7d791f.txt").read_bytes()).hexdigest()
    assert expected in text
    for package in ("pandas", "jieba", "gensim", "opencc"):
        assert package in text
    assert "00-corpus-overview" in text
