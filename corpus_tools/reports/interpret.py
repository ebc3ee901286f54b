"""Sentences for the reports, computed from their result tables and hedged by the data.

A report that runs on any corpus must never print prose written about another one. Every
interpretive sentence of the notebooks comes from a function here: it takes the tables the
report shows and returns markdown that cites their numbers, and says in words what the data do
not support — groups too small to compare, topics that do not survive a refit, a corpus too
small for a method, an empty result.

Each function returns a :class:`Reading`: a ``str`` that a notebook displays as markdown.

Rules of the wording (one place, so that every report hedges the same way):

* a group with fewer than :data:`MIN_GROUP_DOCS` documents is named as such, and no difference
  between it and another group is stated;
* a topic that is not ``robust`` in :func:`corpus_tools.topics.stability` is listed as not
  robust and not interpreted;
* a topic model on fewer than :data:`SMALL_TOPIC_UNITS` units is called small, with what to do;
* "distinctive" and "significant" are said of terms only through a ``q_value`` column (false
  discovery rate) below :data:`SIGNIFICANCE_Q` (the keyness module's ``DISTINCTIVE_Q``);
  without one, terms are "ranked highest";
* an empty table is a sentence ("no numbered formula was found"), never an empty table.

Examples
--------
>>> import pandas as pd
>>> docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "group": ["甲区", "甲区", "甲区", "乙区"]})
>>> print(groups_sentence(docs, by="district"))
4 documents in 2 groups by `district`: 甲区 (3) and 乙区 (1). 1 group has fewer than 3 documents (乙区): the report describes its documents and states no difference between it and other groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ..compare.keyness import DISTINCTIVE_Q
from ..compat import renamed_parameters

__all__ = [
    "MIN_GROUP_DOCS",
    "SMALL_TOPIC_UNITS",
    "SIGNIFICANCE_Q",
    "Reading",
    "SummarySlot",
    "reading",
    "number",
    "share",
    "listing",
    "summary_slot",
    "docs_per_group",
    "groups_sentence",
    "empty_result",
    "or_sentence",
    "figure_or_sentence",
    "topic_source",
    "overview_summary",
    "top_terms_reading",
    "topic_summary",
    "mark_robustness",
    "rhetoric_summary",
    "layers_reading",
    "comparison_summary",
    "keyness_reading",
    "reuse_reading",
]

#: Groups with fewer documents (a count) are described, never compared.
MIN_GROUP_DOCS = 3
#: Topic models on fewer units (a count) are flagged as small: topics are unstable there.
SMALL_TOPIC_UNITS = 200
#: q-value (false discovery rate) below which a term is called distinctive: keyness's own threshold.
SIGNIFICANCE_Q = DISTINCTIVE_Q


class Reading(str):
    """Markdown text that a notebook displays as markdown (and tests read as a ``str``)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def reading(*parts: str | None) -> Reading:
    """Join the non-empty `parts` into paragraphs of one :class:`Reading`."""
    return Reading("\n\n".join(p.strip() for p in parts if p and p.strip()))


class SummarySlot:
    """A place at the top of a notebook that the summary, computed at the end, fills.

    The slot is a display with an id; :meth:`fill` updates it, and papermill (nbclient) writes
    the update into the top cell's output, so the executed notebook and its HTML open with the
    summary.
    """

    def __init__(self) -> None:
        from IPython.display import display

        self._handle = display(Reading("*The summary is computed at the end of the report.*"), display_id=True)

    def fill(self, text: str) -> None:
        """Show `text` in the slot (returns None, so the last cell does not show it twice)."""
        if self._handle is not None:
            self._handle.update(Reading("## Summary\n\n" + str(text)))


def summary_slot() -> SummarySlot:
    """Reserve the summary's place at the top of a notebook (see :class:`SummarySlot`)."""
    return SummarySlot()


# --------------------------------------------------------------------------------------------
# Numbers and lists in words
# --------------------------------------------------------------------------------------------


def number(value: float) -> str:
    """An integer with thousands separators: ``1240 -> '1,240'``.

    >>> number(1240), number(7.0)
    ('1,240', '7')
    """
    return f"{int(round(float(value))):,}"


def share(value: float) -> str:
    """A share as a percentage: whole percent, one decimal below 1 %.

    >>> share(0.391), share(0.004), share(0.0)
    ('39%', '0.4%', '0%')
    """
    value = float(value)
    if value == 0:
        return "0%"
    if abs(value) < 0.01:
        return f"{value:.1%}"
    return f"{value:.0%}"


def listing(items: Iterable[object], *, limit: int = 8) -> str:
    """Items joined as an English list, at most `limit` of them then "and N more".

    >>> listing(["甲", "乙", "丙"]), listing(["甲"]), listing("abcdef", limit=3)
    ('甲, 乙 and 丙', '甲', 'a, b, c and 3 more')
    """
    items = [str(i) for i in items]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{number(n)} {singular if n == 1 else (plural or singular + 's')}"


def or_sentence(table: pd.DataFrame, sentence: str, *, shown: object = None) -> object:
    """`shown` (default `table`) when `table` has rows, else `sentence` as a :class:`Reading`.

    An empty result is said in words, never shown as an empty table.

    >>> print(or_sentence(pd.DataFrame(), "No numbered formula was found."))
    No numbered formula was found.
    """
    if table is None or len(table) == 0:
        return reading(sentence)
    return table if shown is None else shown


def figure_or_sentence(table: pd.DataFrame, sentence: str, draw, out_dir, name: str, **options) -> object:
    """Draw and save a figure of `table`, or say `sentence` when the table has no rows.

    ``draw(table, **options)`` builds the figure (a :mod:`corpus_tools.textplot` function or a
    figure function of an analysis); it is not called on an empty table, which most figure
    functions refuse. The saved figure is returned as
    :func:`corpus_tools.reports.save_figure` returns it.

    >>> print(figure_or_sentence(pd.DataFrame(), "No numbered formula was found.", None, "out", "x"))
    No numbered formula was found.
    """
    if table is None or len(table) == 0:
        return reading(sentence)
    from .outputs import save_figure

    return save_figure(draw(table, **options), out_dir, name)


def topic_source(source: str, k: int, reason: str) -> Reading:
    """Where a report's topic model came from: notebook 01's record, or the same rule here.

    >>> print(topic_source("recorded", 4, "K=4: ..."))
    The topic model has K = 4 topics, as the topic report chose and recorded (K=4: ...).
    """
    if source == "recorded":
        return reading(f"The topic model has K = {k} topics, as the topic report chose and recorded ({reason}).")
    return reading(f"The topic model has K = {k} topics, chosen by the topic report's rule and settings "
                   f"(`corpus_tools.topics.settings`; the topic report's record was not found in the output folder): "
                   f"{reason}")


def empty_result(what: str, *, hint: str = "") -> Reading:
    """The sentence shown instead of an empty table.

    >>> print(empty_result("numbered formula"))
    No numbered formula was found.
    """
    return reading(f"No {what} was found." + (f" {hint}" if hint else ""))


# --------------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------------


def docs_per_group(documents: pd.DataFrame, *, group: str = "group") -> pd.Series:
    """Documents per group, largest first then by name (a Series indexed by group)."""
    counts = documents[group].fillna("unknown").astype(str).value_counts()
    frame = counts.rename_axis("g").reset_index(name="n")
    frame = frame.sort_values(["n", "g"], ascending=[False, True], kind="mergesort")
    return pd.Series(frame["n"].to_numpy(), index=frame["g"].to_numpy(), name="n_docs")


def _small(sizes: pd.Series) -> list[str]:
    return [str(g) for g, n in sizes.items() if n < MIN_GROUP_DOCS]


def _comparable(sizes: Mapping[str, int] | pd.Series) -> set[str]:
    return {str(g) for g, n in dict(sizes).items() if n >= MIN_GROUP_DOCS}


@renamed_parameters(group_by="by")
def groups_sentence(documents: pd.DataFrame, *, by: str, group: str = "group") -> Reading:
    """How many documents and groups, and which groups are too small to compare.

    Parameters
    ----------
    documents : pandas.DataFrame
        One row per document with a `group` column (e.g. ``overview.corpus_table`` or
        ``corp.docvars``).
    by : str
        The grouping docvar's name, as the reader chose it.
    """
    sizes = docs_per_group(documents, group=group)
    n_docs, n_groups = int(sizes.sum()), len(sizes)
    named = listing([f"{g} ({n})" for g, n in sizes.items()])
    text = f"{_count(n_docs, 'document')} in {_count(n_groups, 'group')} by `{by}`: {named}."
    small = _small(sizes)
    if small and len(small) == n_groups:
        text += (f" Every group has fewer than {MIN_GROUP_DOCS} documents: the report describes documents, "
                 "not localities, and states no difference between groups.")
    elif small:
        pronoun = "its" if len(small) == 1 else "their"
        other = "it" if len(small) == 1 else "them"
        text += (f" {_count(len(small), 'group')} {'has' if len(small) == 1 else 'have'} fewer than "
                 f"{MIN_GROUP_DOCS} documents ({listing(small)}): the report describes {pronoun} documents and "
                 f"states no difference between {other} and other groups.")
    return reading(text)


# --------------------------------------------------------------------------------------------
# 00 · Corpus overview
# --------------------------------------------------------------------------------------------


@renamed_parameters(group_by="by")
def overview_summary(documents: pd.DataFrame, problems: pd.DataFrame, quality: pd.DataFrame, *,
                     by: str) -> Reading:
    """Summary of the corpus overview: size, groups, what reading left out, what cleaning did.

    Parameters
    ----------
    documents : pandas.DataFrame
        ``overview.corpus_table``: ``doc_id, group, n_chars_body, script`` …
    problems : pandas.DataFrame
        ``overview.problems_table``: ``action, source, …`` (may be empty).
    quality : pandas.DataFrame
        ``overview.quality_table`` or ``corp.quality_log``: ``doc_id, rule, count``.
    by : str
        The grouping docvar's name.
    """
    parts = [groups_sentence(documents, by=by)]
    if "n_chars_body" in documents and len(documents):
        parts.append(f"Their bodies hold {number(documents['n_chars_body'].sum())} characters "
                     f"({number(documents['n_chars_body'].min())} to {number(documents['n_chars_body'].max())} "
                     "per document).")
    unknown = documents["group"].isna() | documents["group"].astype(str).isin(["", "unknown"])
    if unknown.any():
        parts.append(f"{_count(int(unknown.sum()), 'document')} {'has' if unknown.sum() == 1 else 'have'} no "
                     f"`{by}` (the metadata table says why) and form the group `unknown`.")
    parts.append(_problems_sentence(problems))
    parts.append(_cleaning_sentence(quality, documents))
    return reading(" ".join(p for p in parts if p))


def _problems_sentence(problems: pd.DataFrame) -> str:
    if problems is None or problems.empty or "action" not in problems:
        return "Reading reported no problem: no input was skipped, kept despite a problem, flagged, altered on the way in or ignored."
    counts = problems["action"].value_counts()
    said = listing([f"{_count(int(n), 'input')} {action}" for action, n in counts.items()])
    return f"Reading: {said} (listed under *What reading could not do*)."


def _cleaning_sentence(quality: pd.DataFrame, documents: pd.DataFrame) -> str:
    if quality is None or quality.empty:
        return "Cleaning changed nothing."
    q = quality
    if "step" in q:
        q = q[q["step"] != "read"]
    q = q[q["count"] > 0]
    if q.empty:
        return "Cleaning changed nothing."
    by_rule = q.groupby("rule")["count"].sum().sort_values(ascending=False, kind="mergesort")
    docs = q.groupby("rule")["doc_id"].nunique()
    top = [f"`{rule}` ({number(n)} in {_count(int(docs[rule]), 'document')})" for rule, n in by_rule.head(3).items()]
    text = f"Cleaning rules that changed most: {listing(top)}."
    if "script" in documents:
        trad = int((documents["script"] == "traditional").sum())
        if trad:
            text += f" {_count(trad, 'document')} {'was' if trad == 1 else 'were'} in traditional script and converted."
    return text


def top_terms_reading(top_terms: pd.DataFrame, *, group_sizes: Mapping[str, int] | pd.Series | None = None,
                      n: int = 5) -> Reading:
    """What the most-frequent-terms table shows: terms every group lists, and each group's own.

    Parameters
    ----------
    top_terms : pandas.DataFrame
        ``DocTermMatrix.top_terms(by="group")``: ``group, rank, term, count, per_10k_tokens``.
    group_sizes : mapping, optional
        Documents per group; used to say that small groups are described, not compared.
    n : int, default 5
        Top-ranked terms per group considered (a count).
    """
    if top_terms.empty:
        return empty_result("term", hint="After stopwords and short tokens were removed, no term was left.")
    top = top_terms[top_terms["rank"] <= n]
    per_group = top.groupby("group", sort=True)["term"].agg(list)
    everywhere = sorted(set.intersection(*(set(t) for t in per_group)))
    parts = []
    if len(per_group) > 1 and everywhere:
        parts.append(f"Among each group's {n} most frequent terms, {listing(everywhere)} "
                     f"{'is' if len(everywhere) == 1 else 'are'} in every group's list.")
    elif len(per_group) > 1:
        parts.append(f"No term is among the {n} most frequent of every group.")
    counts = top["term"].value_counts()
    own = {g: [t for t in terms if counts[t] == 1][:3] for g, terms in per_group.items()}
    own = {g: t for g, t in own.items() if t}
    if own and len(per_group) > 1:
        shown = list(own.items())[:8]
        parts.append("Terms only one group has in its list: " + "; ".join(f"{g}: {'、'.join(t)}" for g, t in shown)
                     + (f"; and {len(own) - 8} more groups" if len(own) > 8 else "") + ".")
    parts.append("These are frequencies, not tests: the comparison report says which differences hold up.")
    return reading(" ".join(parts))


# --------------------------------------------------------------------------------------------
# 01 · Topic model
# --------------------------------------------------------------------------------------------


def _topic_names(topics: Iterable[int]) -> str:
    topics = [int(t) for t in topics]
    return ("topic " if len(topics) == 1 else "topics ") + listing(topics, limit=20)


def mark_robustness(table: pd.DataFrame, stability: pd.DataFrame, *, label: str = "label") -> pd.DataFrame:
    """Add ``robust`` and mark the label of a non-robust topic ``（不稳定）`` for tables and figures.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table with a ``topic`` column (topics, terms, group shares, representative units).
    stability : pandas.DataFrame
        :attr:`corpus_tools.topics.Stability.topics`: ``topic, robust``.

    Examples
    --------
    >>> t = pd.DataFrame({"topic": [1, 2], "label": ["红色·资源", "宣讲·专题"]})
    >>> s = pd.DataFrame({"topic": [1, 2], "robust": [True, False]})
    >>> mark_robustness(t, s)["label"].tolist()
    ['红色·资源', '宣讲·专题（不稳定）']
    """
    robust = stability.set_index("topic")["robust"].astype(bool)
    out = table.copy()
    out["robust"] = out["topic"].map(robust).fillna(False).astype(bool)
    if label in out:
        out[label] = [str(v) if ok else f"{v}（不稳定）" for v, ok in zip(out[label], out["robust"])]
    return out


def topic_summary(choice_table: pd.DataFrame, *, k: int, rule: str, n_units: int, unit_plural: str,
                  n_terms: int, stability: pd.DataFrame, shares: pd.DataFrame,
                  group_sizes: Mapping[str, int] | pd.Series, n_refits: int | None = None) -> Reading:
    """Summary of the topic report: K and why, stability, what the groups' shares show.

    Parameters
    ----------
    choice_table : pandas.DataFrame
        :attr:`corpus_tools.topics.KChoice.table`: ``k, c_v, c_npmi, score, chosen``.
    k, rule : int, str
        The K reported and the rule (:attr:`KChoice.k`, :attr:`KChoice.rule`).
    n_units, unit_plural, n_terms : int, str, int
        What the model saw (:class:`corpus_tools.topics.TopicCorpus`).
    stability : pandas.DataFrame
        :attr:`corpus_tools.topics.Stability.topics`: ``topic, label, prevalence,
        mean_js_distance, mean_top_jaccard, robust``.
    shares : pandas.DataFrame
        ``TopicModel.group_shares("group")``: ``group, topic, share``.
    group_sizes : mapping
        Documents per group.
    n_refits : int, optional
        Refits behind `stability` (its ``n_runs``).
    """
    parts = [_k_sentence(choice_table, k=k, rule=rule, n_units=n_units, unit_plural=unit_plural, n_terms=n_terms)]
    if n_units < SMALL_TOPIC_UNITS:
        parts.append(f"{number(n_units)} {unit_plural} are few for a topic model (fewer than {SMALL_TOPIC_UNITS}): "
                     "topics depend on the random start and the held-out scores on a few units. Read each topic "
                     "with its representative units; add documents or set a smaller `k` before comparing groups.")
    parts.append(_stability_sentence(stability, n_refits=n_refits))
    parts.append(_shares_sentence(shares, stability, group_sizes))
    return reading(*parts)


def _k_sentence(table: pd.DataFrame, *, k: int, rule: str, n_units: int, unit_plural: str, n_terms: int) -> str:
    seen = f"over {number(n_units)} {unit_plural} and {number(n_terms)} terms"
    ranked = table.sort_values(["score", "k"], ascending=[False, True], kind="mergesort")
    by_rule = int(ranked["k"].iloc[0])
    what = {
        "coherence": "the mean of standardised c_v and c_npmi",
        "c_v": "c_v coherence",
        "c_npmi": "c_npmi coherence",
        "perplexity": "held-out perplexity (lowest)",
    }.get(rule, rule)
    if k != by_rule:
        return (f"K = {k} was set by the parameter `k`; the rule ({what}) would choose K = {by_rule} "
                f"({seen}).")
    row = ranked.iloc[0]
    cites = f"c_v {row['c_v']:.2f}, c_npmi {row['c_npmi']:.2f}"
    if len(ranked) < 2:
        return f"K = {k} is the only K tried ({cites}, {seen})."
    runner = ranked.iloc[1]
    if rule == "perplexity":
        text = (f"K = {k} had the lowest held-out perplexity ({row['heldout_perplexity']:.0f} vs "
                f"{runner['heldout_perplexity']:.0f} for K = {int(runner['k'])}, the next best) {seen}.")
    else:
        text = (f"K = {k} scored highest on {what} ({row['score']:.2f} vs {runner['score']:.2f} for "
                f"K = {int(runner['k'])}, the next best; {cites}) {seen}.")
    if rule == "coherence" and abs(row["score"] - runner["score"]) < 0.25:
        text += " The margin is small: K is a resolution chosen for reading, not a property of the corpus."
    return text


def _stability_sentence(stability: pd.DataFrame, *, n_refits: int | None) -> str:
    if stability is None or stability.empty:
        return "Topic stability was not measured: no topic is interpreted."
    if n_refits is None and "n_runs" in stability:
        n_refits = int(stability["n_runs"].max())
    refits = _count(n_refits, "refit") if n_refits else "the refits"
    robust = stability[stability["robust"].astype(bool)]
    fragile = stability[~stability["robust"].astype(bool)]
    if robust.empty:
        return (f"No topic is robust across {refits} with other seeds: the topics are shown but not interpreted. "
                "A larger corpus, longer units or a smaller `k` may give stable topics.")
    said = []
    for _, r in robust.iterrows():
        said.append(f"topic {r['label']} ({share(r['prevalence'])} of the tokens; mean "
                    f"Jensen–Shannon distance {r['mean_js_distance']:.2f}, {share(r['mean_top_jaccard'])} of top "
                    "terms shared)")
    text = f"Robust across {refits}: " + "; ".join(said) + "."
    if not fragile.empty:
        verb = "is" if len(fragile) == 1 else "are"
        text += (f" {_topic_names(fragile['topic']).capitalize()} {verb} not robust across {refits} and "
                 f"{verb} not interpreted; {'its label is' if len(fragile) == 1 else 'their labels are'} "
                 "marked （不稳定） in every table and figure.")
    return text


def _shares_sentence(shares: pd.DataFrame, stability: pd.DataFrame, group_sizes) -> str:
    comparable = _comparable(group_sizes)
    if not comparable:
        return (f"No group has {MIN_GROUP_DOCS} or more documents, so no difference between groups is stated: "
                "the group shares describe single documents.")
    robust = set(stability.loc[stability["robust"].astype(bool), "topic"].astype(int)) if stability is not None else set()
    if not robust:
        return "With no robust topic, no difference between groups is stated."
    if len(comparable) < 2:
        return (f"Only {listing(sorted(comparable))} has {MIN_GROUP_DOCS} or more documents, so there is no "
                "second group to compare it with.")
    rows = shares[shares["group"].astype(str).isin(comparable) & shares["topic"].astype(int).isin(robust)]
    said = []
    for topic, part in rows.groupby("topic", sort=True):
        part = part.sort_values(["share", "group"], ascending=[False, True], kind="mergesort")
        hi, lo = part.iloc[0], part.iloc[-1]
        said.append(f"topic {int(topic)}: {hi['group']} {share(hi['share'])}, {lo['group']} {share(lo['share'])}")
    text = ("Among the groups with at least "
            f"{MIN_GROUP_DOCS} documents, the largest and smallest share of each robust topic: " + "; ".join(said) + ".")
    left_out = sorted(set(map(str, shares["group"])) - comparable)
    if left_out:
        text += f" Not compared (fewer than {MIN_GROUP_DOCS} documents): {listing(left_out)}."
    return text


# --------------------------------------------------------------------------------------------
# 02 · Rhetoric
# --------------------------------------------------------------------------------------------


def rhetoric_summary(matches: pd.DataFrame, formulas: pd.DataFrame, runs: pd.DataFrame,
                     formulaic: pd.DataFrame, *, n_docs: int, group_sizes: Mapping[str, int] | pd.Series,
                     layer: str = "body", by_layer: pd.DataFrame | None = None) -> Reading:
    """Summary of the rhetoric report: registry mentions, numbered formulas, parallelism, formulaicness.

    Parameters
    ----------
    matches : pandas.DataFrame
        :func:`corpus_tools.rhetoric.match_registry`: ``doc_id, canonical`` …
    formulas : pandas.DataFrame
        :func:`corpus_tools.rhetoric.numbered_formulas`: ``doc_id, formula, n_items`` …
    runs : pandas.DataFrame
        :func:`corpus_tools.rhetoric.parallel_runs`: ``doc_id, run_length, frame`` …
    formulaic : pandas.DataFrame
        :func:`corpus_tools.rhetoric.formulaicness` by group: ``group, component, formulaicness,
        ci_low, ci_high``.
    n_docs : int
        Documents in the corpus.
    group_sizes : mapping
        Documents per group.
    layer : str, default "body"
        The text layer the tables cover, said in the summary.
    by_layer : pandas.DataFrame, optional
        :func:`corpus_tools.rhetoric.layer_rates` with ``by=None``: the registry's rate in each
        layer (body, titles, headings), added as a last sentence.
    """
    parts = [f"These counts cover the {layer} text."]
    if matches.empty:
        parts.append("No expression of the registry was found: the corpus may be about another campaign than the "
                     "registry describes (parameter `registry`).")
    else:
        per_entry = matches.groupby("canonical", observed=True).agg(n=("doc_id", "size"), docs=("doc_id", "nunique"))
        per_entry = per_entry.sort_values(["n", "docs"], ascending=False, kind="mergesort")
        top = per_entry.head(3)
        cites = listing([f"{c} ({number(r['n'])} in {_count(int(r['docs']), 'document')})" for c, r in top.iterrows()])
        parts.append(f"{_count(len(matches), 'registry mention')} of {_count(len(per_entry), 'expression')} in "
                     f"{number(matches['doc_id'].nunique())} of {_count(n_docs, 'document')}; the most frequent: "
                     f"{cites}.")
    if formulas.empty:
        parts.append("No numbered formula was found.")
    else:
        counts = formulas["formula"].value_counts()
        # a formula is unexplained when no occurrence of it lists its items
        most_items = formulas.groupby("formula")["n_items"].max().fillna(0) if "n_items" in formulas else pd.Series(dtype=float)
        unexplained = most_items.index[most_items == 0].tolist()
        text = (f"{_count(len(formulas), 'numbered formula')} ({number(len(counts))} distinct) in "
                f"{_count(formulas['doc_id'].nunique(), 'document')}, most often "
                + listing([f"“{f}” ({n})" for f, n in counts.head(3).items()]) + ".")
        if len(unexplained):
            text += (f" {number(len(unexplained))} of the {number(len(counts))} {'is' if len(unexplained) == 1 else 'are'} "
                     "never spelled out in the text: " + listing([f"“{f}”" for f in unexplained], limit=6) + ".")
        parts.append(text)
    if runs.empty:
        parts.append("No parallel run was found.")
    else:
        parts.append(f"{_count(len(runs), 'parallel run')} in {_count(runs['doc_id'].nunique(), 'document')}, "
                     f"the longest of {number(runs['run_length'].max())} items.")
    parts.append(_formulaicness_sentence(formulaic, group_sizes))
    if by_layer is not None:
        parts.append(layers_reading(by_layer))
    return reading(" ".join(parts))


def _formulaicness_sentence(formulaic: pd.DataFrame, group_sizes) -> str:
    rows = formulaic[formulaic["component"] == "all"] if "component" in formulaic else formulaic
    if rows.empty:
        return "No formulaicness index was computed."
    if len(rows) == 1:
        r = rows.iloc[0]
        return f"Formulaic language covers {share(r['formulaicness'])} of {r['group']}'s body."
    comparable = _comparable(group_sizes)
    large = rows[rows["group"].astype(str).isin(comparable)]
    if len(large) < 2:
        ordered = rows.sort_values("formulaicness", kind="mergesort")
        lo, hi = ordered.iloc[0], ordered.iloc[-1]
        return (f"Formulaic language covers between {share(lo['formulaicness'])} ({lo['group']}) and "
                f"{share(hi['formulaicness'])} ({hi['group']}) of a group's body. Fewer than two groups have "
                f"{MIN_GROUP_DOCS} or more documents, so this is a difference between documents, not localities.")
    ordered = large.sort_values("formulaicness", kind="mergesort")
    lo, hi = ordered.iloc[0], ordered.iloc[-1]
    text = (f"Among groups with at least {MIN_GROUP_DOCS} documents, formulaic language covers between "
            f"{share(lo['formulaicness'])} ({lo['group']}) and {share(hi['formulaicness'])} ({hi['group']}) "
            "of a group's body.")
    has_ci = {"ci_low", "ci_high"} <= set(large) and large.loc[[lo.name, hi.name], ["ci_low", "ci_high"]].notna().all().all()
    if has_ci and hi["ci_low"] <= lo["ci_high"]:
        text += " Their intervals overlap: the data cannot tell these groups apart on this measure."
    elif has_ci:
        text += (f" Their intervals do not overlap ({share(lo['ci_low'])}–{share(lo['ci_high'])} vs "
                 f"{share(hi['ci_low'])}–{share(hi['ci_high'])}; the table's `ci_method` says how each was computed).")
    else:
        text += " Without intervals for both, no difference between them is stated."
    n_small = len(rows) - len(large)
    if n_small:
        text += f" {_count(n_small, 'group')} with fewer than {MIN_GROUP_DOCS} documents {'is' if n_small == 1 else 'are'} not compared."
    return text


def layers_reading(by_layer: pd.DataFrame) -> Reading:
    """What the per-layer table shows: where the registry's expressions are densest.

    Parameters
    ----------
    by_layer : pandas.DataFrame
        ``layer, count, n_chars, per_10k_chars`` (one row per layer, e.g. ``body``,
        ``title``, ``heading``).
    """
    rows = by_layer[by_layer["n_chars"] > 0] if "n_chars" in by_layer else by_layer
    if rows.empty or rows["count"].sum() == 0:
        return empty_result("registry expression in any layer")
    ordered = rows.sort_values("per_10k_chars", ascending=False, kind="mergesort")
    cites = listing([f"{r['layer']} {r['per_10k_chars']:.0f} per 10,000 characters ({number(r['count'])} in "
                     f"{number(r['n_chars'])} characters)" for _, r in ordered.iterrows()])
    return reading(f"Registry expressions by layer: {cites}.")


# --------------------------------------------------------------------------------------------
# 03 · District comparison
# --------------------------------------------------------------------------------------------


def keyness_reading(keyness: pd.DataFrame, *, group_sizes: Mapping[str, int] | pd.Series, n: int = 3) -> Reading:
    """What the keyness table supports: distinctive terms by q-value, or rankings only.

    Parameters
    ----------
    keyness : pandas.DataFrame
        :func:`corpus_tools.compare.keyness`: ``group, term, count_group`` and the measure's
        column; ``q_value`` when the table has one.
    group_sizes : mapping
        Documents per group.
    """
    if keyness.empty:
        return empty_result("term frequent enough to test", hint="Lower `min_termfreq` or add documents.")
    comparable = _comparable(group_sizes)
    if not comparable:
        return reading(f"Every group has fewer than {MIN_GROUP_DOCS} documents: the terms ranked highest show what "
                       "each document is about, not what sets a locality apart, and none is called distinctive.")
    if "q_value" not in keyness:
        return reading("The keyness table has no q-values, so no term is called significant: the lists rank terms "
                       "by the measure only.")
    value = "log_odds_z" if "log_odds_z" in keyness else None
    sig = keyness[(keyness["q_value"] < SIGNIFICANCE_Q) & keyness["group"].astype(str).isin(comparable)]
    if value is not None:
        sig = sig[sig[value] > 0]
    if sig.empty:
        return reading(f"No term is distinctive at q < {SIGNIFICANCE_Q} for any group with at least "
                       f"{MIN_GROUP_DOCS} documents.")
    # A table cut to each group's `n` strongest terms per side (keyness(n=...)) cannot count
    # beyond them: a group whose kept over-used terms are all distinctive has at least that many.
    cut = keyness.attrs.get("n")
    said = []
    for group, part in sig.groupby("group", sort=True):
        part = part.sort_values("q_value", kind="mergesort")
        at_least = "at least " if cut is not None and len(part) >= cut else ""
        said.append(f"{group} {at_least}{_count(len(part), 'term')} ({'、'.join(map(str, part['term'].head(n)))})")
    text = f"Distinctive at q < {SIGNIFICANCE_Q} (over-used, false discovery rate): " + "; ".join(said) + "."
    small = sorted(set(map(str, keyness["group"])) - comparable)
    if small:
        text += f" Not tested as localities (fewer than {MIN_GROUP_DOCS} documents): {listing(small)}."
    return reading(text)


def reuse_reading(passages: pd.DataFrame, coverage: pd.DataFrame) -> Reading:
    """What the shared passages show: the largest template passage, stock phrases, shared bylines.

    Parameters
    ----------
    passages : pandas.DataFrame
        :func:`corpus_tools.compare.shared_passages` with ``group_a, group_b``; ``rule`` and
        ``shared_byline`` when present.
    coverage : pandas.DataFrame
        :func:`corpus_tools.compare.reuse_coverage`: ``doc_id, group, share_template``.
    """
    if passages.empty:
        return reading("No two documents share a passage of the minimum length: there is no sign of a common "
                       "template or a shared stock phrase at this length (`min_passage_chars`).")
    parts = []
    templates = passages[(passages["kind"] == "template") & passages["doc_b"].notna()]
    if templates.empty:
        parts.append("Every shared passage is a stock phrase of the campaign: no template passage was found.")
    else:
        best = templates.sort_values(["n_chars", "doc_a"], ascending=[False, True], kind="mergesort").iloc[0]
        cov = coverage.set_index("doc_id")["share_template"] if not coverage.empty else pd.Series(dtype=float)
        ga, gb = best.get("group_a", best["doc_a"]), best.get("group_b", best["doc_b"])
        text = (f"{_count(len(templates), 'template passage')} between "
                f"{_count(templates[['doc_a', 'doc_b']].drop_duplicates().shape[0], 'pair')} of documents. "
                f"The largest, shared by {best['doc_a']} ({ga}) and {best['doc_b']} ({gb}), is "
                f"{number(best['n_chars'])} characters")
        if best["doc_a"] in cov.index:
            text += f"; template passages cover {share(cov[best['doc_a']])} of {best['doc_a']}'s body"
        text += "."
        if "shared_byline" in templates:
            bylines = templates[templates["shared_byline"].fillna("").astype(str) != ""]
            pairs = bylines[["doc_a", "doc_b", "shared_byline"]].drop_duplicates()
            n_pairs = templates[["doc_a", "doc_b"]].drop_duplicates().shape[0]
            if len(pairs) == 1:
                a, b, shared = pairs.iloc[0]
                text += (f" {a} and {b} share {shared}: the same writer or outlet is the likelier explanation of "
                         "their shared passages.")
            elif len(pairs) > 1:
                examples = "; ".join(f"{a} and {b}: {s}" for a, b, s in pairs.head(3).itertuples(index=False))
                text += (f" {number(len(pairs))} of these {number(n_pairs)} pairs share a reporter or outlet (e.g. "
                         f"{examples}): for them the same writer or outlet is the likelier explanation "
                         "(column `shared_byline`).")
        parts.append(text)
    stock = passages[passages["kind"] != "template"]
    if not stock.empty:
        top = stock.sort_values(["n_docs_sharing", "n_chars"], ascending=False, kind="mergesort").iloc[0]
        snippet = str(top["text_a"])
        snippet = snippet if len(snippet) <= 24 else snippet[:24] + "…"
        text = (f"{_count(len(stock), 'shared passage')} {'is a stock phrase' if len(stock) == 1 else 'are stock phrases'}"
                f"; the most widely shared, “{snippet}”, is in {_count(int(top['n_docs_sharing']), 'document')}.")
        if "rule" in stock:
            rules = stock["rule"].astype(str).value_counts()
            text += " Classified by " + listing([f"{rule} ({number(n)})" for rule, n in rules.items()]) + "."
        parts.append(text)
    return reading(" ".join(parts))


@renamed_parameters(group_by="by")
def comparison_summary(profile: pd.DataFrame, keyness: pd.DataFrame | Reading, passages: pd.DataFrame | Reading,
                       coverage: pd.DataFrame, claims_summary: pd.DataFrame, lag: pd.DataFrame, *,
                       by: str, topic_source: str | None = None) -> Reading:
    """Summary of the comparison report, from its tables.

    Parameters
    ----------
    profile : pandas.DataFrame
        :func:`corpus_tools.compare.group_profile`: ``group, n_docs, n_chars`` …
    keyness, passages, coverage : pandas.DataFrame
        See :func:`keyness_reading` and :func:`reuse_reading`. `keyness` may instead be the
        :class:`Reading` that :func:`keyness_reading` made of the table, and `passages` the one
        :func:`reuse_reading` made of the passages and `coverage` (which is then not read): the
        summary repeats them, and a notebook need not hold a keyness table of two million rows
        and a passage table of as many to its end.
    claims_summary : pandas.DataFrame
        :func:`corpus_tools.compare.claims_by_group` with a corpus: ``group, category,
        n_claims, n_chars_body``.
    lag : pandas.DataFrame
        :func:`corpus_tools.compare.mobilisation_lag`: ``group, status, local_date, lag_days``.
    by : str
        The grouping docvar's name.
    topic_source : str, optional
        Where the topic model's K came from, said as given.
    """
    sizes = profile.set_index("group")["n_docs"]
    docs = pd.DataFrame({"group": profile["group"].repeat(profile["n_docs"]).to_numpy()})
    keyness_part = keyness if isinstance(keyness, Reading) else keyness_reading(keyness, group_sizes=sizes)
    reuse_part = passages if isinstance(passages, Reading) else reuse_reading(passages, coverage)
    parts = [groups_sentence(docs, by=by), keyness_part, reuse_part, _claims_sentence(claims_summary, sizes),
             _lag_sentence(lag)]
    if topic_source:
        parts.append(topic_source)
    return reading(*parts)


def _claims_sentence(claims_summary: pd.DataFrame, sizes: pd.Series) -> str:
    if claims_summary.empty or claims_summary["n_claims"].sum() == 0:
        return "No quantified claim was found."
    total = int(claims_summary["n_claims"].sum())
    per_group = claims_summary.groupby("group", sort=False).agg(n=("n_claims", "sum"), chars=("n_chars_body", "first"))
    text = f"{_count(total, 'quantified claim')} in {_count(int((per_group['n'] > 0).sum()), 'group')}."
    if (per_group["chars"] > 0).all() and len(per_group) > 1:
        per_group["rate"] = per_group["n"] / per_group["chars"] * 10_000
        top = per_group.sort_values("rate", ascending=False, kind="mergesort")
        g, r = top.index[0], top.iloc[0]
        text += f" {g} counts most often: {number(r['n'])} claims, {r['rate']:.1f} per 10,000 characters."
        if sizes.get(g, 0) < MIN_GROUP_DOCS:
            text += f" It has fewer than {MIN_GROUP_DOCS} documents: this describes its reports, not the locality."
    return text


def _lag_sentence(lag: pd.DataFrame) -> str:
    if lag.empty:
        return "No group was checked for a mobilisation meeting."
    dated = lag[lag["status"] == "dated"]
    undated = lag[lag["status"] == "undated"]
    if dated.empty:
        text = "No group dates its own mobilisation meeting."
    else:
        dated = dated.sort_values(["lag_days", "group"], kind="mergesort")
        text = ("Groups that date their own mobilisation meeting: "
                + listing([f"{r['group']} ({r['local_date']}, {int(r['lag_days'])} days after the central one)"
                           for _, r in dated.iterrows()], limit=6) + ".")
    if not undated.empty:
        verb = "mentions" if len(undated) == 1 else "mention"
        text += f" {listing(undated['group'].astype(str).tolist(), limit=6)} {verb} one without a date."
    return text
