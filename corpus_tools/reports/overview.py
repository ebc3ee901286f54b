"""Descriptive tables about a corpus: what is in it and what cleaning did.

These are the tables behind the corpus-overview report. Each returns a tidy
DataFrame whose columns are documented, so a notebook only has to call and
show them, and a figure only has to draw them.
"""

from __future__ import annotations

import pandas as pd

from ..compat import renamed_parameters
from ..corpus import Corpus
from ..corpus.metadata import LOCALITY_COLUMNS, MANIFEST_COLUMNS, group_labels
from ..io.records import PROBLEM_CODES

__all__ = [
    "corpus_table",
    "metadata_table",
    "size_table",
    "quality_table",
    "problems_table",
    "separated_blocks",
    "before_after",
]

#: Docvars whose origin :func:`metadata_table` reports, in the order shown: the manifest's
#: descriptive columns (not its keys ``doc_id``/``file``, nor ``script``/``notes``).
METADATA_FIELDS = tuple(c for c in MANIFEST_COLUMNS if c not in {"doc_id", "file", "script", "notes"})
_STATED = {"manifest", "table", "front matter"}

@renamed_parameters(group_by="by")
def corpus_table(corpus: Corpus, *, by: str = "district") -> pd.DataFrame:
    """Describe every document in one row.

    Parameters
    ----------
    corpus : Corpus
        The corpus.
    by : str, default "district"
        The docvar whose labels (:func:`corpus_tools.corpus.metadata.group_labels`) fill ``group``.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, group, source, format, title, outlet,
        date_published, province, city, district, admin_level, script,
        encoding, n_chars_raw, n_chars_body, body_share, n_paragraphs,
        n_sentences``. ``source`` is the file (``"<table>#<row>"`` for a
        table row), empty for texts built in memory.
        ``body_share`` is the share of decoded characters that ended up in
        the article body (the rest is titles, bylines, captions, chrome,
        pinyin and whitespace).
    """
    dv = corpus.docvars
    sentences = corpus.sentences().groupby("doc_id").size()
    table = pd.DataFrame(
        {
            "doc_id": dv.index,
            "group": group_labels(dv, by).to_numpy(),
            **{c: (dv[c] if c in dv else pd.Series("", index=dv.index)).to_numpy() for c in ("source", "format")},
            **{c: dv[c].to_numpy() for c in ("title", "outlet", "date_published", "province", "city", "district", "admin_level", "script", "encoding")},
            "n_chars_raw": dv["n_chars_raw"].to_numpy(),
            "n_chars_body": dv["n_chars_body"].to_numpy(),
        }
    )
    table["body_share"] = (table["n_chars_body"] / table["n_chars_raw"]).round(3)
    table["n_paragraphs"] = dv["n_paragraphs"].to_numpy()
    table["n_sentences"] = sentences.reindex(dv.index, fill_value=0).to_numpy()
    return table


def size_table(corpus: Corpus) -> pd.DataFrame:
    """Count characters per document and block kind.

    Returns
    -------
    pandas.DataFrame
        Long table, one row per (document, block kind) present:
        ``doc_id, kind, n_blocks, n_chars``. Kinds follow
        :data:`corpus_tools.corpus.structure.BLOCK_KINDS`.
    """
    from ..corpus.structure import BLOCK_KINDS

    table = (
        corpus.blocks.groupby(["doc_id", "kind"], sort=False)
        .agg(n_blocks=("text", "size"), n_chars=("n_chars", "sum"))
        .reset_index()
    )
    table["kind"] = pd.Categorical(table["kind"], categories=list(BLOCK_KINDS), ordered=True)
    order = {d: i for i, d in enumerate(corpus.doc_ids)}
    return table.sort_values(["doc_id", "kind"], key=lambda s: s.map(order) if s.name == "doc_id" else s).reset_index(drop=True)


def quality_table(corpus: Corpus) -> pd.DataFrame:
    """Return the quality log with every document × rule count, zeros included.

    Returns
    -------
    pandas.DataFrame
        Long table ``doc_id, step, rule, count, detail``: one row per
        document and rule that appears anywhere in the log, ``count`` 0 and
        ``detail`` empty where that rule did nothing to that document.
    """
    log = corpus.quality_log
    # Inputs reading skipped are not documents; problems_table shows them.
    log = log[log["doc_id"].isin(set(corpus.doc_ids))]
    if log.empty:
        return log.reset_index(drop=True)
    rules = log[["step", "rule"]].drop_duplicates()
    grid = pd.DataFrame({"doc_id": corpus.doc_ids}).merge(rules, how="cross")
    table = grid.merge(log, on=["doc_id", "step", "rule"], how="left")
    table["count"] = table["count"].fillna(0).astype(int)
    table["detail"] = table["detail"].fillna("")
    return table


#: Order of :func:`problems_table`: what is missing from the corpus first, then what is in
#: it despite a problem, then what reading changed, then files that are not articles.
_ACTION_ORDER = {"skipped": 0, "kept": 1, "flagged": 2, "altered": 3, "ignored": 4}
#: Read-step rules that flag a text without changing it.
_FLAG_RULES = frozenset({"long_line"})


def problems_table(corpus: Corpus) -> pd.DataFrame:
    """List every input reading skipped, kept despite a problem, flagged, altered or ignored.

    The table behind the corpus overview's "what reading could not do" section:
    nothing leaves the corpus, or changes on the way in, without a row here.

    Returns
    -------
    pandas.DataFrame
        One row per (item, read rule): ``action, source, doc_id, step, rule,
        count, detail``. ``action`` is ``skipped`` (not in the corpus),
        ``kept`` (in the corpus despite a problem, e.g. a file the manifest
        does not list), ``flagged`` (read, but worth a look: a line too long
        to hold paragraphs), ``altered`` (what reading changed: a byte-order
        mark, Markdown markup, HTML page furniture, an encoding repaired line
        by line) or ``ignored`` (not an article: an unsupported file type).
        ``source`` is the file (``"<table>#<row>"`` for a table row,
        ``"<manifest>#<row>"`` for a manifest row); ``detail`` says what and
        why. Sorted by action in that order, then by source.

    Examples
    --------
    >>> from corpus_tools import corpus_from_texts
    >>> problems_table(corpus_from_texts({"a": "学史明理。"})).columns.tolist()
    ['action', 'source', 'doc_id', 'step', 'rule', 'count', 'detail']
    """
    columns = ["action", "source", "doc_id", "step", "rule", "count", "detail"]
    problems = corpus.problems
    rows = [
        {
            "action": action,
            "source": source,
            "doc_id": doc_id,
            "step": "read",
            "rule": {"skipped": "skipped_", "ignored": "ignored_"}.get(action, "") + code,
            "count": 1,
            "detail": message,
        }
        for source, doc_id, code, action, message in problems[["source", "doc_id", "code", "action", "message"]].itertuples(index=False)
    ]
    problem_rules = {row["rule"] for row in rows} | set(PROBLEM_CODES)
    log = corpus.quality_log
    changes = log[(log["step"] == "read") & log["doc_id"].isin(set(corpus.doc_ids)) & ~log["rule"].isin(problem_rules)]
    sources = corpus.docvars["source"] if "source" in corpus.docvars else pd.Series("", index=corpus.docvars.index)
    for doc_id, step, rule, count, detail in changes[["doc_id", "step", "rule", "count", "detail"]].itertuples(index=False):
        action = "flagged" if rule in _FLAG_RULES else "altered"
        rows.append({"action": action, "source": sources.get(doc_id, ""), "doc_id": doc_id, "step": step,
                     "rule": rule, "count": int(count), "detail": detail})
    table = pd.DataFrame(rows, columns=columns)
    if table.empty:
        return table
    table = table.sort_values(
        ["action", "source"], key=lambda s: s.map(_ACTION_ORDER) if s.name == "action" else s, kind="stable"
    )
    return table.reset_index(drop=True)


def separated_blocks(corpus: Corpus) -> pd.DataFrame:
    """List everything cleaning separated from the article bodies.

    Returns
    -------
    pandas.DataFrame
        One row per non-body block: ``doc_id, block_no, kind, line_no,
        text``, in document order. Nothing here was deleted: these are the
        titles, bylines, captions, headings, dates, editor lines and chrome
        that :attr:`Corpus.texts` leaves out.
    """
    blocks = corpus.blocks
    return blocks.loc[blocks["kind"] != "body", ["doc_id", "block_no", "kind", "line_no", "text"]].reset_index(drop=True)


def before_after(corpus: Corpus, doc_id: str | None = None, *, n_chars: int = 300) -> pd.DataFrame:
    """Show the start of a document as read and as cleaned, side by side.

    Parameters
    ----------
    doc_id : str, optional
        Which document; by default the one cleaning changed most.
    n_chars : int
        How many characters of each version to show.

    Returns
    -------
    pandas.DataFrame
        Two rows, ``version`` ∈ {``raw``, ``clean``}, with ``doc_id`` and
        ``excerpt`` (newlines shown as ``⏎``).
    """
    if doc_id is None:
        changes = corpus.quality_log.groupby("doc_id")["count"].sum()
        doc_id = str(changes.idxmax()) if not changes.empty else corpus.doc_ids[0]
    if doc_id not in corpus.docvars.index:
        raise KeyError(f"doc_id {doc_id!r} is not in the corpus; available: {corpus.doc_ids}")
    raw = corpus.raw_texts[doc_id].strip()[:n_chars]
    clean = corpus.texts[doc_id][:n_chars]
    return pd.DataFrame(
        {
            "doc_id": [doc_id, doc_id],
            "version": ["raw", "clean"],
            "excerpt": [raw.replace("\n", "⏎"), clean.replace("\n", "⏎")],
        }
    )


def metadata_table(corpus: Corpus, *, fields: tuple[str, ...] = METADATA_FIELDS) -> pd.DataFrame:
    """Show where every document's metadata came from: stated by a source, inferred, or missing.

    Returns
    -------
    pandas.DataFrame
        One row per (document, field): ``doc_id, field, value, origin, evidence, confidence``.
        ``origin`` is ``manifest``, ``table`` or ``front matter`` for a value a source states,
        ``inferred`` for one read from the text, ``missing`` when there is none. ``evidence``
        is the line or the mentions it was inferred from. ``confidence`` (0–1) is given for
        the locality fields only: 1.0 when stated, else the inference's own score
        (:func:`corpus_tools.corpus.locality.infer_locality`); empty for other fields.

    Examples
    --------
    >>> from corpus_tools import corpus_from_texts
    >>> table = metadata_table(corpus_from_texts({"a": "学史明理\\n\\n发布日期：2021-03-01\\n\\n学史明理。"}))
    >>> table.set_index("field").loc["date_published", ["value", "origin"]].tolist()
    ['2021-03-01', 'inferred']
    """
    dv = corpus.docvars
    rows = []
    for doc_id, record in dv.iterrows():
        for field in fields:
            if field not in dv:
                continue
            value = "" if pd.isna(record[field]) else str(record[field])
            evidence_column = "locality_evidence" if field in LOCALITY_COLUMNS else f"{field}_evidence"
            evidence = record.get(evidence_column, "")
            evidence = "" if pd.isna(evidence) else str(evidence)
            if evidence in _STATED:
                origin, evidence = evidence, ""
            elif evidence.startswith("table column "):  # a table column mapped to this docvar
                origin = "table"
            elif value:
                origin = "inferred"
            else:
                origin = "missing"
            confidence = record.get("locality_confidence", float("nan")) if field in LOCALITY_COLUMNS else float("nan")
            rows.append(
                {"doc_id": doc_id, "field": field, "value": value, "origin": origin, "evidence": evidence,
                 "confidence": float(confidence) if confidence != "" else float("nan")}
            )
    return pd.DataFrame(rows, columns=["doc_id", "field", "value", "origin", "evidence", "confidence"])
