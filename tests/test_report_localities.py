"""The reports describe the corpus they ran on: two made-up corpora with different localities.

Every notebook runs on each corpus (``tests/corpora/make_corpora.py``: ``east`` and ``south``,
no locality in common, one locality with a single document in each). The reports may name only
the localities of their own corpus (never the other corpus's, never the seeds'), and the numbers
that the generated text states — documents per group, K, topic shares, the largest template
passage — must be the numbers of the tables written beside them.
"""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import pytest

from tests.corpora.make_corpora import LOCALITY_CORPORA, build_localities
from corpus_tools.reports import interpret
from corpus_tools.reports.interpret import MIN_GROUP_DOCS
from corpus_tools.reports import run_reports

SEED_LOCALITIES = ("槐荫", "召陵", "武隆", "市中区", "济南", "漯河", "重庆")
ALL_DISTRICTS = {d for rows in LOCALITY_CORPORA.values() for _, _, d, _ in rows}
ALL_CITIES = {c for rows in LOCALITY_CORPORA.values() for _, c, _, _ in rows}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=sorted(LOCALITY_CORPORA))
def run(request, tmp_path_factory):
    name = request.param
    corpus = build_localities(name, tmp_path_factory.mktemp(name))
    # one notebook at a time, 01 before 03: notebook 03 then takes the K that 01 recorded
    run_dir = run_reports(corpus_dir=corpus, reports_dir=tmp_path_factory.mktemp(f"reports-{name}"), run_id=name,
                          n_jobs=1, parameters={"on_error": "skip"})
    return name, run_dir


def _generated(run_dir, notebook: str) -> str:
    """All markdown the executed notebook's code cells displayed: the generated text."""
    nb = nbformat.read(run_dir / notebook, as_version=4)
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                texts.append(data["text/markdown"])
    return "\n\n".join(texts)


def _tables(run_dir, name):
    return pd.read_csv(run_dir / "tables" / f"{name}.csv")


def test_reports_name_only_the_localities_of_their_corpus(run):
    name, run_dir = run
    own = {d for _, _, d, _ in LOCALITY_CORPORA[name]} | {c for _, c, _, _ in LOCALITY_CORPORA[name]}
    foreign = (ALL_DISTRICTS | ALL_CITIES) - own
    for html in sorted(run_dir.glob("*.html")):
        text = html.read_text(encoding="utf-8")
        assert [w for w in (*foreign, *SEED_LOCALITIES) if w in text] == [], html.name
    summary = _generated(run_dir, "00-corpus-overview.ipynb")
    for _, _, district, _ in LOCALITY_CORPORA[name]:
        assert district in summary


def test_stated_document_counts_equal_the_tables(run):
    name, run_dir = run
    documents = _tables(run_dir, "documents")
    sizes = documents["group"].value_counts()
    text = _generated(run_dir, "00-corpus-overview.ipynb")
    assert f"{len(documents)} documents in {len(sizes)} groups by `district`" in text
    for group, n in sizes.items():
        assert f"{group} ({n})" in text
    small = sorted(g for g, n in sizes.items() if n < MIN_GROUP_DOCS)
    assert small == [LOCALITY_CORPORA[name][-1][2]]
    assert f"fewer than {MIN_GROUP_DOCS} documents ({small[0]})" in text


def test_stated_k_and_shares_equal_the_tables(run):
    _, run_dir = run
    text = _generated(run_dir, "01-topic-model.ipynb")
    sweep = _tables(run_dir, "k_sweep")
    chosen = int(sweep.loc[sweep["chosen"], "k"].item())
    stated = {int(k) for k in re.findall(r"K = (\d+) scored highest", text)}
    assert stated == {chosen}
    record = json.loads((run_dir / "topic_model.json").read_text(encoding="utf-8"))
    assert record["k"] == chosen
    topics = _tables(run_dir, "topics")
    assert len(topics) == chosen
    # every "topic t: G1 x%, G2 y%" names a robust topic and the table's shares of large groups
    shares = _tables(run_dir, "group_topic_shares")
    stability = _tables(run_dir, "stability").set_index("topic")
    documents = _tables(run_dir, "documents")
    large = {g for g, n in documents["group"].value_counts().items() if n >= MIN_GROUP_DOCS}
    stated_topics = re.findall(r"topic (\d+): (\S+) (\d+(?:\.\d)?%), (\S+) (\d+(?:\.\d)?%)", text)
    robust = set(stability.index[stability["robust"].astype(bool)])
    assert {int(t) for t, *_ in stated_topics} == (robust if len(large) >= 2 else set())
    for topic, hi, hi_share, lo, lo_share in stated_topics:
        assert {hi, lo} <= large
        for group, value in ((hi, hi_share), (lo, lo_share)):
            row = shares[(shares["group"] == group) & (shares["topic"] == int(topic))]
            assert interpret.share(row["share"].item()) == value
    # the comparison report uses the recorded model: same K, same coherence for each topic
    comparison = _generated(run_dir, "03-district-comparison.ipynb")
    assert f"The topic model has K = {chosen} topics, as the topic report chose and recorded" in comparison


def test_stated_reuse_equals_the_tables(run):
    _, run_dir = run
    text = _generated(run_dir, "03-district-comparison.ipynb")
    passages = _tables(run_dir, "shared_passages")
    templates = passages[(passages["kind"] == "template") & passages["doc_b"].notna()]
    match = re.search(r"(\d+) template passages? between (\d+) pairs? of documents\. The largest, shared by (\S+) "
                      r"\((\S+)\) and (\S+) \((\S+)\), is (\d+) characters; template passages cover (\d+(?:\.\d)?)% "
                      r"of (\S+)'s body", text)
    assert match, text
    n, pairs, doc_a, _, doc_b, _, n_chars, covered, _ = match.groups()
    assert int(n) == len(templates)
    assert int(pairs) == len(templates[["doc_a", "doc_b"]].drop_duplicates())
    assert int(n_chars) == templates["n_chars"].max()
    largest = templates[(templates["doc_a"] == doc_a) & (templates["doc_b"] == doc_b)]
    assert int(n_chars) in set(largest["n_chars"])
    coverage = _tables(run_dir, "reuse_coverage").set_index("doc_id")
    assert f"{coverage.loc[doc_a, 'share_template']:.0%}" == f"{covered}%"
    # the one single-document group is never compared
    small = LOCALITY_CORPORA[run[0]][-1][2]
    assert f"Not tested as localities (fewer than {MIN_GROUP_DOCS} documents): {small}" in text or "q-values" in text
