"""Input-free HTML reports of executed notebooks, and the run's ``index.html``.

Each report gets a table of contents, a link back to the index, tables shortened to
:data:`MAX_ROWS_SHOWN` rows with a link to the full CSV, and a line naming the files each cell
wrote; ids that papermill or pandas draw at random are made stable so that two runs of the
same inputs give the same bytes.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote


if TYPE_CHECKING:
    from nbconvert import HTMLExporter

__all__ = ["MAX_ROWS_SHOWN", "export_html", "html_exporter", "write_index"]


# Tags of the cells papermill adds to an executed notebook.
_PAPERMILL_CELL_TAGS = ("injected-parameters", "papermill-error-cell-tag")


# pandas.io.formats.style.Styler names its table "T_" + five random hex digits.
_STYLER_TABLE_ID_RE = re.compile(r'<table id="T_([0-9a-f]{5})"')


# The lab template loads require.js, the widget manager, MathJax and Mermaid from CDNs. A
# report must open offline and years from now, so those blocks are emptied: widgets show their
# static fallback, and nothing else in a report needs a script.
_REPORT_TEMPLATE = """\
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{#- the lab template drops an image's alt text (SavedFigure gives the figure's title): put it back -#}
{% block data_png scoped %}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
{%- if alt is not none -%}
{{ super() | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock data_png %}
"""


def html_exporter() -> HTMLExporter:
    """An nbconvert exporter for input-free, self-contained, offline HTML reports."""
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"dangshi_report.html.j2": _REPORT_TEMPLATE})],
        template_file="dangshi_report.html.j2",
        # Reports are for readers of the findings: the narrative and the results, not the code.
        # The code is in the executed .ipynb beside each report, for anyone auditing the run.
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


#: Rows of a table shown in an HTML report; longer tables end with the count and a link to the
#: full CSV. Fifteen rows give the reader the shape of a table without burying the narrative
#: (a report of a dozen tables and figures stays under 15,000 px at 300 documents).
MAX_ROWS_SHOWN = 15


#: A table cell with more characters than this (an excerpt, evidence) wraps in a column of
#: bounded width; shorter ones (titles, names, numbers) stay on one line.
_LONG_CELL_CHARS = 40


_REPORT_CSS = """
/* dangshi report: documents that read well at hundreds of documents */
body { margin: 0; }
main { max-width: 1320px; margin: 0 auto; padding: 0 1.5em 3em; }
.report-nav-bar { font: 14px system-ui, sans-serif; padding: 0.6em 0; border-bottom: 1px solid #ddd; margin-bottom: 1em; }
.report-toc { font: 14px system-ui, sans-serif; background: #f6f8fa; border: 1px solid #e1e4e8; padding: 0.6em 1.2em; margin: 1em 0 1.5em; }
.report-toc h2 { font-size: 15px; margin: 0.2em 0 0.4em; }
.report-toc ol { margin: 0; padding-left: 1.6em; columns: 2; }
.report-files { font: 13px system-ui, sans-serif; color: #555; margin: 0.3em 0 1em; }
.report-rows { font: 13px system-ui, sans-serif; color: #555; margin: 0.3em 0 0.2em; }
/* JupyterLab fixes the table layout, which squeezes a column of titles to one character per
   line when a table has many columns; tables take the width they need and scroll instead. */
.table-scroll { overflow-x: auto; max-width: 100%; margin: 0.4em 0; }
.jp-RenderedHTMLCommon table, .table-scroll table { table-layout: auto !important; width: auto; max-width: none; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { white-space: nowrap; vertical-align: top; padding: 3px 8px; line-height: 1.35; }
.jp-RenderedHTMLCommon td .cell-long { white-space: normal; min-width: 16em; max-width: 38em; text-align: left; }
.jp-OutputArea-output { overflow-x: auto; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
/* A figure with one row per group grows with the groups; it keeps its size (and legible
   labels) in a box that scrolls, rather than stretching the page; the PNG is linked below it. */
.jp-RenderedImage.jp-OutputArea-output { display: block; max-height: 720px; overflow: auto; }
"""


_HEADING_RE = re.compile(r'<h([1-3]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)


_TAG_RE = re.compile(r"<[^>]+>")


_TBODY_RE = re.compile(r"(<tbody>)(.*?)(</tbody>)", re.DOTALL)


_TD_RE = re.compile(r"(<td[^>]*>)(.*?)(</td>)", re.DOTALL)


_PANDAS_SHAPE_RE = re.compile(r"<p>(\d+) rows × (\d+) columns</p>")


def _text_of(markup: str) -> str:
    return html.unescape(_TAG_RE.sub("", markup)).replace("¶", "").strip()


def _saved_files(source: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The files a code cell writes, and the variables it saves as tables.

    Returns ``[(kind, name), ...]`` for every ``save_table``/``save_figure`` call with a literal
    name (kind ``tables`` or ``figures``), and ``{variable: table name}`` for every table saved
    from a plain variable. Read from the notebook's own code (never from corpus text); a call
    whose name is computed is left out.
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], {}
    files: list[tuple[str, str]] = []
    variables: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        fname = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if fname not in ("save_table", "save_figure") or len(node.args) < 3:
            continue
        name_arg = node.args[2]
        if not (isinstance(name_arg, ast.Constant) and isinstance(name_arg.value, str)):
            continue
        name = name_arg.value
        kind = "tables" if fname == "save_table" else "figures"
        suffix = ".csv" if kind == "tables" else ".png"
        stem = name[: -len(suffix)] if name.endswith(suffix) else name
        files.append((kind, stem))
        first = node.args[0]
        if kind == "tables":
            # save_table(x, ...) and save_table(x.reset_index(), ...) both save the table x
            while isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute):
                first = first.func.value
            if isinstance(first, ast.Name):
                variables[first.id] = stem
    return files, variables


#: Methods that display a table without changing its rows: ``x.style.format(...)`` shows ``x``.
_DISPLAY_ONLY = frozenset({"style", "format", "set_properties", "set_caption", "hide", "format_index", "set_table_styles"})


def _displayed_table(source: str, variables: Mapping[str, str]) -> tuple[str, bool] | None:
    """The saved table a cell's last expression shows, or is drawn from, if any.

    Returns ``(table name, exact)``: ``exact`` when the expression is the saved variable itself
    (perhaps styled), so the CSV holds the same rows; otherwise the display is drawn from it (a
    subset, a pivot).
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    node: ast.AST = tree.body[-1].value
    methods: list[str] = []
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            node = node.func
        else:
            methods.append(node.attr)
            node = node.value
    if isinstance(node, ast.Name) and node.id in variables:
        return variables[node.id], all(m in _DISPLAY_ONLY for m in methods)
    for inner in ast.walk(tree.body[-1]):
        if isinstance(inner, ast.Name) and inner.id in variables:
            return variables[inner.id], False
    return None


def _file_link(kind: str, stem: str, run_dir: Path | None) -> str | None:
    suffix = ".csv" if kind == "tables" else ".png"
    rel = f"{kind}/{stem}{suffix}"
    if run_dir is not None and not (run_dir / rel).is_file():
        return None
    return rel


def _shorten_table(markup: str, *, table: str | None, exact: bool = True) -> str:
    """Show at most MAX_ROWS_SHOWN rows of the table(s) in an HTML output; say how many there
    are and link the full CSV; let wide tables scroll and long cells wrap in a bounded column."""
    bodies = list(_TBODY_RE.finditer(markup))
    if not bodies:
        return markup
    shape = _PANDAS_SHAPE_RE.search(markup)
    n_shown_total = 0
    n_rows_total = 0

    def cut(match: re.Match[str]) -> str:
        nonlocal n_shown_total, n_rows_total
        rows = match.group(2).split("<tr")
        head, rows = rows[0], rows[1:]
        n_rows_total += len(rows)
        kept = rows[:MAX_ROWS_SHOWN]
        # pandas' row of dots between head and tail is not a row of the table
        n_shown_total += sum(1 for row in kept if _text_of("<tr" + row).replace(".", "").replace("…", "").strip())
        return match.group(1) + head + "".join("<tr" + row for row in kept) + match.group(3)

    markup = _TBODY_RE.sub(cut, markup)

    def wrap(match: re.Match[str]) -> str:
        if len(_text_of(match.group(2))) <= _LONG_CELL_CHARS:
            return match.group(0)
        return f'{match.group(1)}<div class="cell-long">{match.group(2)}</div>{match.group(3)}'

    markup = _TD_RE.sub(wrap, markup)
    markup = re.sub(r"(<table\b)", r'<div class="table-scroll">\1', markup)
    markup = markup.replace("</table>", "</table></div>")
    # pandas cuts a long DataFrame itself (head and tail around a row of dots) and states the
    # real size below it
    total = int(shape.group(1)) if shape else n_rows_total
    shown = min(n_shown_total, total)
    if table:
        what = "full table" if exact else "drawn from"
        link = f' — {what}: {_link(f"tables/{table}.csv", f"tables/{table}.csv")}'
    else:
        link = ""
    if total > shown or shape:
        note = f'<p class="report-rows">showing {shown:,} of {total:,} rows{link}</p>'
    elif table:
        note = f'<p class="report-rows">{total:,} rows{link}</p>'
    else:
        return markup
    if shape:
        markup = _PANDAS_SHAPE_RE.sub("", markup)
    return markup + note


def _files_note(files: Sequence[tuple[str, str]], run_dir: Path | None) -> str | None:
    links = []
    for kind, stem in dict.fromkeys(files):
        rel = _file_link(kind, stem, run_dir)
        if rel is None:
            continue
        links.append(_link(rel, rel))
        if kind == "tables" and (run_dir is None or (run_dir / kind / f"{stem}.parquet").is_file()):
            links[-1] += f" ({_link(f'{kind}/{stem}.parquet', 'Parquet')})"
    if not links:
        return None
    return '<p class="report-files">Files: ' + " · ".join(links) + "</p>"


def _notebook_title(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.get("source", "").splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _document_parts(page: str) -> str:
    """Add the bar linking back to the index and a table of contents from the headings."""
    headings = [(int(m.group(1)), m.group(2), _text_of(m.group(3))) for m in _HEADING_RE.finditer(page)]
    sections = [(anchor, text) for level, anchor, text in headings if level == 2]
    bar = (
        '<nav class="report-nav-bar">'
        + _link("index.html", "← All reports of this run")
        + "</nav>"
    )
    page = page.replace("<main>", "<main>\n" + bar, 1)
    if len(sections) < 2:
        return page
    items = "".join(f'<li><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>' for anchor, text in sections)
    toc = f'<nav class="report-toc"><h2>Contents</h2><ol>{items}</ol></nav>'
    # After the summary at the top, if there is one, else before the first section.
    first = next(
        (m for m in _HEADING_RE.finditer(page) if m.group(1) == "2" and _text_of(m.group(3)).lower() != "summary"),
        None,
    )
    if first is None:
        return page
    return page[: first.start()] + toc + page[first.start():]


def export_html(
    exporter: HTMLExporter, ipynb: Path, target: Path, *, corpus_name: str | None = None
) -> Path:
    """Write the executed notebook `ipynb` as the HTML report `target` (contents, short tables, file links)."""
    import nbformat
    from nbformat.v4 import new_output

    nb = nbformat.read(ipynb, as_version=4)
    run_dir = target.parent
    variables: dict[str, str] = {}
    # Two runs of the same inputs should give byte-identical reports, but papermill gives the
    # cells it adds random ids and a pandas Styler table a random id prefix (T_3f9a1); both
    # end up in the HTML, so they are replaced by ids derived from the cell's position.
    for position, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        generated = [t for t in tags if t in _PAPERMILL_CELL_TAGS]
        if generated:
            cell["id"] = f"{generated[0]}-{position}"
        if cell.get("cell_type") != "code":
            continue
        files, saved = _saved_files(cell.get("source", ""))
        variables.update(saved)
        displayed = _displayed_table(cell.get("source", ""), variables)
        shown, exact = displayed if displayed is not None else (None, True)
        if shown is None and len([f for f in files if f[0] == "tables"]) == 1:
            shown, exact = next(stem for kind, stem in files if kind == "tables"), False
        if shown is not None and _file_link("tables", shown, run_dir) is None:
            shown = None
        for number, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if isinstance(data.get("text/html"), str):
                markup = _stable_styler_ids(data["text/html"], f"c{position}o{number}")
                data["text/html"] = _shorten_table(markup, table=shown, exact=exact) if "<table" in markup else markup
        note = _files_note(files, run_dir)
        if note is not None and cell.get("outputs") is not None:
            cell["outputs"].append(new_output("display_data", data={"text/html": note}))
    title = _notebook_title(nb, ipynb.stem)
    nb.metadata["title"] = f"{title} — {corpus_name}" if corpus_name else title
    # Outputs go through nbconvert's own escaping: text/plain is escaped and DataFrame HTML
    # escapes its cells. Nothing here renders corpus text as HTML or Markdown; what is added
    # above is escaped here.
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": ipynb.stem}})
    body = body.replace("</head>", f"<style>{_REPORT_CSS}</style>\n</head>", 1)
    body = _document_parts(body)
    target.write_text(body, encoding="utf-8")
    return target


def _stable_styler_ids(markup: str, prefix: str) -> str:
    # Only ids the same output declares as a Styler table id are renamed, so text that merely
    # looks like one is left alone.
    for k, uuid in enumerate(dict.fromkeys(_STYLER_TABLE_ID_RE.findall(markup))):
        markup = re.sub(rf"\bT_{uuid}(?=[_\"\s,.{{:])", f"T_{prefix}s{k}", markup)
    return markup


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(quote(href))}">{html.escape(text)}</a>'


def _notebook_catalogue(ipynb: Path) -> tuple[str, list[dict[str, Any]]]:
    """A notebook's title and the files it wrote, each with the section it was written in.

    Each item: ``kind`` (tables/figures), ``stem``, ``section`` (the last markdown heading
    before the cell) and ``alt`` (a figure's title, as the notebook displayed it).
    """
    import nbformat

    try:
        nb = nbformat.read(ipynb, as_version=4)
    except Exception:  # noqa: BLE001 - an index without a catalogue is still an index
        return ipynb.stem, []
    section = ""
    items: list[dict[str, Any]] = []
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell.get("source", "").splitlines():
                if line.startswith("## "):
                    section = line[3:].strip()
            continue
        if cell.get("cell_type") != "code":
            continue
        files, _ = _saved_files(cell.get("source", ""))
        alts = [
            output.get("metadata", {}).get("image/png", {}).get("alt")
            for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})
        ]
        figures = [stem for kind, stem in files if kind == "figures"]
        for kind, stem in dict.fromkeys(files):
            alt = alts[figures.index(stem)] if kind == "figures" and figures.index(stem) < len(alts) else None
            items.append({"kind": kind, "stem": stem, "section": section, "alt": alt})
    return _notebook_title(nb, ipynb.stem), items


def _table_shape(path: Path) -> str:
    try:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(path.with_suffix(".parquet"))
        return f"{meta.num_rows:,} rows × {meta.num_columns} columns"
    except Exception:  # noqa: BLE001 - the shape is a courtesy
        return ""


def _run_parameters(manifest: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(name, value, default)`` of every parameter the run gave beyond corpus and folders."""
    rows: dict[str, tuple[str, str, str]] = {}
    for name, info in (manifest.get("parameters") or {}).items():
        default = info.get("default")
        rows[name] = (name, json.dumps(info.get("value"), ensure_ascii=False), "" if default is None else str(default))
    return list(rows.values())


def write_index(run_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write the run's ``index.html``: every report with a line on each of its files, the parameters, the manifest."""
    e = html.escape
    sections = []
    attributed: set[str] = set()
    for record in manifest["notebooks"]:
        links = [_link(record[key], record[key]) for key in ("html", "ipynb") if record.get(key)]
        error = record.get("error")
        status = record["status"]
        if error:
            cell = error.get("cell_number")
            where = f" in cell {cell}" if cell is not None else ""
            status += f"{where}: {error.get('ename')}: {error.get('evalue')}"
        seconds = record.get("wall_seconds")
        ipynb = run_dir / record["notebook"]
        title, items = _notebook_catalogue(ipynb) if ipynb.is_file() else (record["notebook"], [])
        lines = []
        for item in items:
            rel = _file_link(item["kind"], item["stem"], run_dir)
            if rel is None:
                continue
            attributed.add(rel)
            if item["kind"] == "tables":
                parquet = f"tables/{item['stem']}.parquet"
                attributed.add(parquet)
                extra = f" ({_link(parquet, 'Parquet')})" if (run_dir / parquet).is_file() else ""
                what = _table_shape(run_dir / rel)
                description = f"table, {what}" if what else "table"
            else:
                extra = ""
                description = f"figure: {item['alt']}" if item.get("alt") else "figure"
            where = f" — in “{e(item['section'])}”" if item["section"] else ""
            lines.append(f"<li>{_link(rel, rel)}{extra}: {e(description)}{where}</li>")
        files = f"<ul class=\"files\">{''.join(lines)}</ul>" if lines else ""
        time_text = "" if seconds is None else f", {seconds:.1f} s"
        peak = record.get("peak_memory_mb")
        if peak is not None:  # what the next run plans by (corpus_tools.reports.schedule)
            time_text += f", peak memory {peak:,.0f} MB"
        sections.append(
            f"<section><h2>{e(title)}</h2>"
            f"<p>{' · '.join(links) or e(record['notebook'])} — {e(status)}{e(time_text)}</p>"
            f"{files}</section>"
        )

    others = []
    for kind in ("tables", "figures"):
        folder = run_dir / kind
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            rel = f"{kind}/{path.name}"
            if rel not in attributed:
                others.append(f"<li>{_link(rel, rel)}</li>")
    # Pages a notebook wrote beside its report (e.g. the interactive topic browser).
    reports = {record.get("html") for record in manifest["notebooks"]} | {"index.html"}
    extra_pages = sorted(p.name for p in run_dir.glob("*.html") if p.name not in reports)
    extra = (
        "<h2>Interactive pages</h2><ul>" + "".join(f"<li>{_link(n, n)}</li>" for n in extra_pages) + "</ul>"
        if extra_pages
        else ""
    )
    other_files = f"<h2>Other files</h2><ul>{''.join(others)}</ul>" if others else ""
    parameters = _run_parameters(manifest)
    parameter_rows = "".join(
        f"<tr><th>{e(name)}</th><td>{e(value)}</td><td>{e(default)}</td></tr>" for name, value, default in parameters
    )
    parameter_table = (
        "<table><tr><th>parameter</th><th>this run</th><th>notebook default</th></tr>" + parameter_rows + "</table>"
        if parameters
        else "<p>every notebook parameter at its default</p>"
    )
    git = manifest["git"]
    corpus = manifest["corpus"]
    summary = [
        ("run id", manifest["run_id"]),
        ("status", manifest["status"]),
        ("started", manifest["started_at"]),
        ("finished", manifest["finished_at"]),
        ("corpus", corpus["corpus_dir"]),
        ("metadata", corpus["metadata"] or "(found by the notebooks)"),
        ("corpus files", str(len(corpus["files"]))),
        ("corpus sha256", corpus["combined_sha256"]),
        ("lexicons sha256", manifest["lexicons"]["combined_sha256"]),
        ("git commit", f"{git['commit'] or 'unknown'}{' (dirty)' if git['dirty'] else ''}"),
        ("python", f"{manifest['python']['version']} on {manifest['platform']}"),
        ("kernel", manifest["kernel"]),
    ]
    packages = manifest["packages"]
    summary += [(name, version or "not installed") for name, version in packages.items()]
    summary_rows = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in summary)
    corpus_name = Path(str(corpus["corpus_dir"])).name

    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Reports on {e(corpus_name)} — run {e(manifest['run_id'])}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; line-height: 1.45; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; padding: 0.2em 0.8em; border-bottom: 1px solid #ddd; vertical-align: top; }}
section {{ margin-bottom: 1.5em; }}
ul.files li {{ margin: 0.15em 0; }}
code {{ font-size: 90%; }}
</style>
</head>
<body>
<h1>Reports on {e(corpus_name)}</h1>
<p>Run {e(manifest['run_id'])} — {e(manifest['status'])}. The corpus, the parameters and the
versions are listed below; the full manifest is {_link('run.json', 'run.json')}. Each table is a
CSV (cells a spreadsheet would run as formulas begin with <code>'</code>) with the raw values in a
Parquet copy beside it.</p>
<h2>Parameters</h2>
{parameter_table}
{''.join(sections)}
{extra}
{other_files}
<h2>Run</h2>
<table>
{summary_rows}
</table>
</body>
</html>
"""
    path = run_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
