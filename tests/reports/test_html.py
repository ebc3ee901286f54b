"""Tests for corpus_tools.reports.html: HTML reports as documents, and the run's index."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from corpus_tools import reports
from corpus_tools.reports import html
from corpus_tools.reports import save_table


def test_styler_table_ids_are_made_stable_for_reports():
    df = pd.DataFrame({"标题": ["学党史", "T_abcde 办实事"], "n": [1, 2]})
    first, second = (df.style.highlight_max(subset=["n"]).to_html() for _ in range(2))
    assert first != second  # pandas draws a random id per rendering
    assert html._stable_styler_ids(first, "c1o0") == html._stable_styler_ids(second, "c1o0")
    assert "T_abcde 办实事" in html._stable_styler_ids(first, "c1o0")


def test_report_html_keeps_a_figures_alt_text_escaped(tmp_path):
    import base64

    from nbformat.v4 import new_output

    png = (tmp_path / "p.png")
    fig = Figure(figsize=(1, 1))
    fig.savefig(png, format="png", dpi=20)
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    cell = new_code_cell("save_figure(fig, out, 'x')")
    cell.outputs = [
        new_output("display_data", data={"image/png": data}, metadata={"image/png": {"alt": '各组概况 "<b>"', "width": 30}}),
        new_output("display_data", data={"image/png": data}),
    ]
    ipynb = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=[cell]), ipynb)
    html_text = html.export_html(html.html_exporter(), ipynb, tmp_path / "n.html").read_text(encoding="utf-8")
    from bs4 import BeautifulSoup

    alts = [img["alt"] for img in BeautifulSoup(html_text, "html.parser").select("img")]
    assert alts == ['各组概况 "<b>"', "No description has been provided for this image"]
    assert "<b>" not in html_text  # the title is text in an attribute, never markup


def _executed_notebook(run_dir: Path) -> Path:
    """An executed notebook as papermill leaves it: headings, a long table, a Styler, a figure."""
    from nbformat.v4 import new_output

    big = pd.DataFrame(
        {
            "doc_id": [f"d{i:03d}" for i in range(100)],
            "title": ["<script>alert(1)</script>学史明理"] + ["甲区扎实开展党史学习教育"] * 99,
            "evidence": ["发布日期：2021年6月1日，" * 8] * 100,  # long: wraps in a bounded column
        }
    )
    save_table(big, run_dir, "documents")
    save_table(big.head(3), run_dir, "small")
    with pd.option_context("display.max_rows", 60, "display.min_rows", 10):
        truncated_html = big._repr_html_()
    styled_html = big.style.format(escape="html")._repr_html_()
    png = run_dir / "figures" / "sizes.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(b"\x89PNG\r\n\x1a\n")

    def html_output(markup):
        return new_output("display_data", data={"text/html": markup, "text/plain": "table"})

    cells = [
        new_markdown_cell("# Corpus overview: what is in the corpus\n\nIntro."),
        new_markdown_cell("## Summary\n\nA computed summary."),
        new_markdown_cell("## The documents"),
        new_code_cell('documents = big\nsave_table(documents, out, "documents")\ndocuments',
                      outputs=[html_output(truncated_html)]),
        new_code_cell('documents[documents["doc_id"] != ""].style.format(escape="html")',
                      outputs=[html_output(styled_html)]),
        new_markdown_cell("## Small things"),
        new_code_cell('small = big.head(3)\nsave_table(small, out, "small")\nsmall',
                      outputs=[html_output(big.head(3).to_html())]),
        new_code_cell('fig = plot()\nsave_figure(fig, out, "sizes")', outputs=[]),
    ]
    path = run_dir / "00-overview.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata={"language_info": {"name": "python"}}), path)
    return path


def test_a_report_is_a_document_with_title_contents_and_a_way_back(tmp_path):
    ipynb = _executed_notebook(tmp_path)
    page = html.export_html(
        html.html_exporter(), ipynb, tmp_path / "00-overview.html", corpus_name="my<corpus>"
    ).read_text(encoding="utf-8")
    assert "<title>Corpus overview: what is in the corpus — my&lt;corpus&gt;</title>" in page
    assert '<a href="index.html">← All reports of this run</a>' in page
    toc = re.search(r'<nav class="report-toc">.*?</nav>', page, re.DOTALL).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ["Summary", "The-documents", "Small-things"]
    # the contents come after the summary, before the first section
    assert page.index("A computed summary") < page.index('class="report-toc"') < page.index(">The documents<")


def test_long_tables_are_shortened_with_their_size_and_a_link_to_the_csv(tmp_path):
    ipynb = _executed_notebook(tmp_path)
    page = html.export_html(html.html_exporter(), ipynb, tmp_path / "r.html").read_text(encoding="utf-8")
    notes = re.findall(r'<p class="report-rows">(.*?)</p>', page)
    link = '<a href="tables/documents.csv">tables/documents.csv</a>'
    # pandas' own cut (10 rows of 100) and the Styler's full table cut to MAX_ROWS_SHOWN, both linked
    assert notes[0] == f"showing 10 of 100 rows — full table: {link}"
    # a subset of the saved table: drawn from it, not the same rows
    assert notes[1] == f"showing {reports.MAX_ROWS_SHOWN} of 100 rows — drawn from: {link}"
    assert notes[2] == '3 rows — full table: <a href="tables/small.csv">tables/small.csv</a>'
    assert page.count("d099") == 1  # pandas' tail row; the Styler's copy stops at MAX_ROWS_SHOWN
    last_shown = reports.MAX_ROWS_SHOWN - 1
    assert f"d{last_shown:03d}" in page and f"d{last_shown + 1:03d}" not in page
    assert "max-height: 720px; overflow: auto;" in page  # tall figures scroll
    # wide tables scroll, long cells wrap in a bounded column, short ones do not squeeze
    assert page.count('<div class="table-scroll">') == 3
    assert '<div class="cell-long">' in page
    assert "table-layout: auto !important" in page and "white-space: nowrap" in page
    # every table and figure the notebook wrote is linked to its file
    assert '<a href="figures/sizes.png">figures/sizes.png</a>' in page
    assert '<a href="tables/documents.parquet">Parquet</a>' in page
    # corpus text stays escaped
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_index_groups_files_by_report_with_a_line_on_each_and_the_parameters(tmp_path):
    ipynb = _executed_notebook(tmp_path)
    manifest = {
        "run_id": "r1", "status": "succeeded", "started_at": "s", "finished_at": "f",
        "notebooks": [{"notebook": ipynb.name, "html": "00-overview.html", "ipynb": ipynb.name,
                       "status": "succeeded", "wall_seconds": 1.5, "peak_memory_mb": 1234.4, "error": None}],
        "parameters": {"group_by": {"value": "city", "default": '"district"'}},
        "git": {"commit": "abc", "dirty": False},
        "corpus": {"corpus_dir": "my/corpus", "metadata": None, "files": {}, "combined_sha256": "0"},
        "lexicons": {"combined_sha256": "0"}, "python": {"version": "3"}, "platform": "p",
        "kernel": "k", "packages": {},
    }
    index = html.write_index(tmp_path, manifest).read_text(encoding="utf-8")
    assert "<title>Reports on corpus — run r1</title>" in index
    section = re.search(r"<section><h2>Corpus overview: what is in the corpus</h2>.*?</section>", index, re.DOTALL).group(0)
    assert '<a href="tables/documents.csv">tables/documents.csv</a>' in section
    assert "table, 100 rows × 3 columns — in “The documents”" in section
    assert "table, 3 rows × 3 columns — in “Small things”" in section
    assert '<a href="figures/sizes.png">figures/sizes.png</a>' in section
    assert "— succeeded, 1.5 s, peak memory 1,234 MB</p>" in section
    assert "<th>group_by</th><td>&quot;city&quot;</td><td>&quot;district&quot;</td>" in index


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("meta", ("metadata_origin", True)),
        ('meta.style.format(escape="html")', ("metadata_origin", True)),
        ('meta[meta["origin"] != "missing"].style.format(escape="html")', ("metadata_origin", False)),
        ('meta.pivot_table(index="field", columns="origin")', ("metadata_origin", False)),
        ("rhetoric.inventory(meta, corp).head(40)", ("metadata_origin", False)),
        ("x = meta", None),
        ("corp.quality_log", None),
    ],
)
def test_the_table_a_cell_shows_is_traced_to_the_csv_it_was_saved_as(source, expected):
    files, variables = html._saved_files('save_table(meta.reset_index(), out, "metadata_origin")')
    assert files == [("tables", "metadata_origin")] and variables == {"meta": "metadata_origin"}
    assert html._displayed_table(source, variables) == expected
