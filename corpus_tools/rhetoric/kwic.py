"""Keyword in context: a tidy concordance table, a readable view of it, and a search box for JupyterLab."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import pandas as pd

from ..environment import jupyter_session_name
from .text import iter_docs, literal_units, squeeze, trie_regex

__all__ = ["kwic", "kwic_view", "kwic_widget", "kwic_explorer", "KWIC_COLUMNS"]

#: Columns of :func:`kwic`.
KWIC_COLUMNS = ("query", "doc_id", "unit_id", "start", "end", "left", "match", "right")


def kwic(
    corpus,
    query: str | Sequence[str],
    *,
    window: int = 20,
    regex: bool = False,
    registry=None,
) -> pd.DataFrame:
    """Find a term, a registry entry or a pattern, with its context.

    Parameters
    ----------
    corpus : Corpus
    query : str or sequence of str
        What to find; several queries give one table. Each query is, in this order of
        precedence: a regular expression if ``regex=True``; a registry entry, named by its
        ``entry_id`` or canonical form (matched as :func:`match_registry` matches it, variants
        and partial enumerations included); otherwise a literal string, matched across
        quotation marks and spaces (七个一 finds “七个一”).
    window : int, default 20
        Characters of context on each side (a count), never crossing the paragraph.
    regex : bool, default False
        Treat every query as a Python regular expression on the cleaned text.
    registry : Registry or str, optional
        Registry for entry queries; by default the package registry.

    Returns
    -------
    pandas.DataFrame
        One row per hit, in query then document order: ``query, doc_id, unit_id, start, end``
        (offsets into ``corpus.texts[doc_id]``), ``left, match, right``. Quotation marks right
        around a hit are part of ``match``.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "各级党组织做好“七个一”，推进七个一活动。"})
    >>> kwic(corp, "七个一", window=4)[["left", "match", "right"]].values.tolist()
    [['组织做好', '“七个一”', '，推进七'], ['”，推进', '七个一', '活动。']]
    """
    queries = [query] if isinstance(query, str) else list(query)
    from .registry import match_registry, resolve_registry

    reg = None if regex else resolve_registry(registry)
    registry_hits = None
    docs = list(iter_docs(corpus))
    frames = []
    for q in queries:
        rows: list[tuple] = []
        entry_id = None
        if reg is not None:
            hit = reg.entries[(reg.entries["entry_id"] == q) | (reg.entries["canonical"] == q)]
            entry_id = hit["entry_id"].iloc[0] if len(hit) else None
        if entry_id is not None:
            if registry_hits is None:
                registry_hits = match_registry(corpus, reg)
            texts = {d.doc_id: d for d in docs}
            for r in registry_hits[registry_hits["entry_id"] == entry_id].itertuples(index=False):
                rows.append(_context(texts[r.doc_id], r.start, r.end, window))
        else:
            pattern = re.compile(q) if regex else re.compile(trie_regex([literal_units(q)]))
            for doc in docs:
                if regex:
                    spans = [m.span() for m in pattern.finditer(doc.text) if m.end() > m.start()]
                else:
                    squeezed, index = squeeze(doc.text)
                    spans = [(int(index[m.start()]), int(index[m.end() - 1]) + 1) for m in pattern.finditer(squeezed)]
                rows += [_context(doc, s, e, window) for s, e in spans]
        table = pd.DataFrame(rows, columns=list(KWIC_COLUMNS[1:]))
        table.insert(0, "query", q)
        frames.append(table)
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(KWIC_COLUMNS))
    for column in ("start", "end"):
        result[column] = result[column].astype("int64")
    return result


def _context(doc, start: int, end: int, window: int) -> tuple:
    text = doc.text
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    # a quotation mark right around the match belongs with it: “七个一”
    if start > para_start and text[start - 1] in "“‘" and end < para_end and text[end] in "”’":
        start, end = start - 1, end + 1
    return (doc.doc_id, doc.unit_ids([start])[0], start, end,
            text[max(para_start, start - window):start], text[start:end], text[end:min(para_end, end + window)])


def kwic_view(table: pd.DataFrame, *, max_rows: int = 100):
    """Render a concordance as a readable table: context aligned on the match.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`kwic`.
    max_rows : int, default 100
        Rows shown (a count); the caption says how many were left out.

    Returns
    -------
    pandas.io.formats.style.Styler
        Displays as an HTML table in notebooks and in the HTML report; left context right-aligned,
        match in bold.
    """
    shown = table.head(max_rows)[["query", "doc_id", "unit_id", "left", "match", "right"]]
    caption = f"{len(shown)} of {len(table)} hits" if len(table) > len(shown) else f"{len(table)} hits"
    return (
        # Styler does not escape cell text by default: corpus text is data, never markup.
        shown.style.format(escape="html")
        .hide(axis="index")
        .set_caption(caption)
        .set_properties(subset=["left"], **{"text-align": "right", "white-space": "nowrap"})
        .set_properties(subset=["match"], **{"font-weight": "bold", "color": "#a3222b", "text-align": "center",
                                              "white-space": "nowrap"})
        .set_properties(subset=["right"], **{"text-align": "left", "white-space": "nowrap"})
    )


def _interactive() -> bool:
    """Whether we run in a kernel started by a Jupyter server (JupyterLab), with ipywidgets.

    jupyter_server sets ``JPY_SESSION_NAME`` for the kernels of its sessions; papermill and
    nbclient start kernels without it, so a report run gets the static table.
    """
    if not jupyter_session_name():
        return False
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def kwic_widget(corpus, *, registry=None, window: int = 20, max_rows: int = 100, initial: str = ""):
    """Build a search box over the corpus: type a term, a registry entry id or a regex.

    Returns
    -------
    ipywidgets.VBox
        A text box, a "regex" check box, a context-width slider and the concordance below.

    Raises
    ------
    ImportError
        When ipywidgets is not installed.
    """
    import ipywidgets as widgets

    box = widgets.Text(value=initial, placeholder="term, entry id (xueshi-siju) or regex", description="KWIC",
                       continuous_update=False)
    as_regex = widgets.Checkbox(value=False, description="regex")
    width = widgets.IntSlider(value=window, min=5, max=80, step=5, description="context")
    output = widgets.HTML()

    def refresh(_=None) -> None:
        query = box.value.strip()
        if not query:
            output.value = "<p><i>Type a term and press Enter.</i></p>"
            return
        try:
            table = kwic(corpus, query, window=width.value, regex=as_regex.value, registry=registry)
        except re.error as error:
            output.value = f"<p>Not a valid regex: {html.escape(str(error))}</p>"
            return
        output.value = kwic_view(table, max_rows=max_rows).to_html()

    for control in (box, as_regex, width):
        control.observe(refresh, names="value")
    refresh()
    return widgets.VBox([widgets.HBox([box, as_regex, width]), output])


def kwic_explorer(corpus, table: pd.DataFrame, *, registry=None, window: int = 20, max_rows: int = 100,
                  interactive: bool | None = None):
    """Show a concordance: a search box in JupyterLab, the static table elsewhere.

    Parameters
    ----------
    corpus : Corpus
    table : pandas.DataFrame
        A :func:`kwic` table, shown as it is in a report and as the box's first result.
    registry, window, max_rows
        As in :func:`kwic` and :func:`kwic_view`.
    interactive : bool, optional
        Force the choice; by default the box is shown only in a kernel that a Jupyter server
        started (JupyterLab) and when ipywidgets is installed, so papermill runs and HTML
        reports get the static table.

    Returns
    -------
    ipywidgets.VBox or pandas.io.formats.style.Styler
    """
    if interactive is None:
        interactive = _interactive()
    if interactive:
        first = str(table["query"].iloc[0]) if len(table) else ""
        return kwic_widget(corpus, registry=registry, window=window, max_rows=max_rows, initial=first)
    return kwic_view(table, max_rows=max_rows)
