"""Every notebook on a corpus as researchers bring it: mixed formats, encodings and scripts.

The mixed corpus (``tests/corpora``: 34 made-up reports in .txt of five encodings, Markdown,
HTML, Word, CSV, JSON Lines and Parquet, simplified and traditional script) is run through the
report command twice: with its manifest, and without one (metadata inferred) and with broken
files added, skipped and reported. A planted hostile article checks that corpus text stays data
in the HTML reports.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.corpora.make_corpora import build_mixed
from corpus_tools.reports import find_notebooks, run_reports

HOSTILE = (
    "<script>alert('x')</script>学史明理办实事\n\n"
    "测试区扎实开展党史学习教育，<img src=x onerror=alert(1)>组织党员干部深入学习党的百年奋斗历程，"
    "开展“我为群众办实事”实践活动，推动党史学习教育走深走实，为群众解决急难愁盼问题一百余件。"
)


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory):
    folder = build_mixed(tmp_path_factory.mktemp("mixed"))
    reports_dir = tmp_path_factory.mktemp("reports")
    return folder, run_reports(corpus_dir=folder, reports_dir=reports_dir, run_id="mixed")


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    folder = build_mixed(tmp_path_factory.mktemp("broken"), manifest=False)
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 50)
    (folder / "english.txt").write_text("This is not a Chinese text at all. " * 20, encoding="utf-8")
    reports_dir = tmp_path_factory.mktemp("reports")
    run = run_reports(corpus_dir=folder, reports_dir=reports_dir, run_id="broken",
                      parameters={"on_error": "skip"})
    return folder, run


@pytest.mark.slow
def test_every_notebook_runs_on_the_mixed_corpus(mixed_run):
    _, run = mixed_run
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert [n["status"] for n in manifest["notebooks"]] == ["succeeded"] * len(find_notebooks())
    documents = pd.read_csv(run / "tables" / "documents.csv")
    assert len(documents) == 34
    assert {"csv", "jsonl", "parquet", "html", "docx", "md", "txt"} <= set(documents["format"])
    assert (pd.read_csv(run / "tables" / "group_profile.csv")["n_docs"] >= 1).all()


@pytest.mark.slow
def test_without_a_manifest_broken_files_are_skipped_and_listed_and_text_stays_data(broken_run):
    folder, run = broken_run
    problems = pd.read_csv(run / "tables" / "reading_problems.csv")
    skipped = set(problems.loc[problems["action"] == "skipped", "source"])
    assert {"empty.txt", "binary.txt", "english.txt"} <= skipped
    documents = pd.read_csv(run / "tables" / "documents.csv")
    assert len(documents) == 35  # the 34 articles and the hostile one
    origin = pd.read_csv(run / "tables" / "metadata_origin.csv")
    inferred = origin[(origin["field"] == "city") & (origin["origin"] == "inferred")]
    assert len(inferred) >= 20 and inferred["confidence"].between(0, 1).all()
    for page in run.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert('x')</script>" not in text, page.name
        assert "<img src=x onerror" not in text, page.name
    overview = (run / "00-corpus-overview.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in overview or "&lt;script&gt;" in overview


@pytest.mark.slow
def test_every_report_is_a_document_with_short_tables_and_linked_files(mixed_run):
    import re

    from corpus_tools.reports import MAX_ROWS_SHOWN

    folder, run = mixed_run
    index = (run / "index.html").read_text(encoding="utf-8")
    for page in sorted(run.glob("[0-9][0-9]-*.html")):
        text = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        assert title.endswith(f"— {folder.name}") and not title.startswith(page.stem), title
        assert '<a href="index.html">← All reports of this run</a>' in text
        assert 'class="report-toc"' in text
        for body in re.findall(r"<tbody>(.*?)</tbody>", text, re.DOTALL):
            assert body.count("<tr") <= MAX_ROWS_SHOWN, page.name
        # every table and figure the report links exists, and the index links it too
        for href in set(re.findall(r'href="((?:tables|figures)/[^"]+)"', text)):
            assert (run / href).is_file(), href
            assert f'href="{href}"' in index, href
    # the index is grouped by report, with a line on each file
    assert index.count("<section><h2>") == len(find_notebooks())
    assert "rows ×" in index and "figure: " in index


#: Set on every page, once it has loaded, to the page's height at the window's width.
_HEIGHT_PROBE = (
    "<script>window.addEventListener('load', () => setTimeout(() => document.body.setAttribute("
    "'data-height', String(document.documentElement.scrollHeight)), 300));</script>"
)


@pytest.mark.slow
def test_every_page_is_under_15000_px_at_1400_px_wide(mixed_run, tmp_path):
    """Measured as a reader's browser lays the pages out: headless Chromium (skipped without it)."""
    import re
    import shutil
    import subprocess

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("needs Chromium (apt-get install chromium)")
    _, run = mixed_run
    heights = {}
    for page in sorted(run.glob("*.html")):
        # a probed copy beside the original, so relative links and images resolve the same way
        probe = run / f".probe-{page.name}"
        probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _HEIGHT_PROBE + "</body>", 1), encoding="utf-8")
        try:
            dom = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000",
                 "--virtual-time-budget=5000", f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probe.as_uri()],
                capture_output=True, text=True, timeout=180, check=False,
            ).stdout
        finally:
            probe.unlink()
        found = re.search(r'data-height="(\d+)"', dom)
        assert found, f"no height measured for {page.name}"
        heights[page.name] = int(found.group(1))
    print("page heights at 1400 px wide:", heights)  # shown by pytest -rP, for the closing note of a change
    assert heights and all(height < 15_000 for height in heights.values()), heights
