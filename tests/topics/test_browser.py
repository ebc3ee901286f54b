"""Tests for corpus_tools.topics.browser: the self-contained topic browser."""

from __future__ import annotations

import numpy as np
import pandas as pd

from corpus_tools import topics
from corpus_tools.tokens import Tokens
from corpus_tools.units import unit_id

from .helpers import AGRICULTURE, CULTURE, EDUCATION, tokens_of


# --------------------------------------------------------------------------------------------
# Topic browser
# --------------------------------------------------------------------------------------------


def test_topic_browser_is_escaped_and_offline(tmp_path):
    toks = tokens_of([AGRICULTURE, EDUCATION, CULTURE])
    texts = pd.Series(" ".join(words) for words in toks.tokens)
    texts.iloc[0] = "<script>alert(1)</script> " + texts.iloc[0]
    tc = topics.topic_corpus(toks, stopwords=None, min_chars=1)
    tc = topics.TopicCorpus(dtm=tc.dtm, tokens=tc.tokens, texts=pd.Series(texts.to_numpy(), index=tc.texts.index),
                            unit=tc.unit, steps=tc.steps)
    model = topics.fit_lda(tc, k=3, random_state=2, passes=20)
    path = topics.write_topic_browser(model, tmp_path / "run", n_units=30)
    assert path == tmp_path / "run" / topics.BROWSER_FILENAME
    page = path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'src="http' not in page and "href=\"http" not in page.split("<body>")[0]
    assert "new LDAvis(" in page  # the intertopic map, with its scripts inlined
    assert all(f'id="topic-{i}"' in page for i in (1, 2, 3))


def _skewedtokens_of(seed=11, *, sizes=(20, 20, 20), length=15, shared=("工作", "推进", "开展"), zipf=1.2) -> Tokens:
    """Three vocabularies with Zipf-like word frequencies and a few shared words, so that rare
    terms (where the choice of p(w) matters most) exist; `sizes` units per vocabulary."""
    generator = np.random.default_rng(seed)
    lists, doc_ids = [], []
    for v, (vocabulary, n_units) in enumerate(zip([AGRICULTURE, EDUCATION, CULTURE], sizes, strict=True)):
        words = vocabulary + list(shared)
        weights = 1.0 / np.arange(1, len(words) + 1) ** zipf
        for u in range(n_units):
            lists.append(list(generator.choice(words, size=length, p=weights / weights.sum())))
            doc_ids.append(f"doc{v}")
    index = pd.Index([unit_id(d, i) for i, d in enumerate(doc_ids)], name="unit_id")
    return Tokens(tokens=pd.Series(lists, index=index, dtype=object),
                  docvars=pd.DataFrame({"doc_id": doc_ids}, index=index), unit="paragraph")


def test_topic_browser_and_tables_rank_terms_with_one_p_w(tmp_path):
    import json
    import re

    tc = topics.topic_corpus(_skewedtokens_of(), stopwords=None, min_chars=1)
    model = topics.fit_lda(tc, k=3, random_state=4, passes=30)
    # Reference p(w): the model's expected share of each term, from theta, unit lengths and phi.
    lengths = np.asarray(tc.dtm.matrix.sum(axis=1)).ravel()
    expected = (model.theta * lengths[:, None]).sum(axis=0) @ model.phi
    assert np.allclose(model.term_prob, expected / expected.sum(), rtol=1e-12)

    page = topics.write_topic_browser(model, tmp_path, n=8).read_text(encoding="utf-8")
    found = re.search(r'new LDAvis\("#ldavis_topics", (\{.*?\})\);</script>', page, re.S)
    tinfo = pd.DataFrame(json.loads(found.group(1))["tinfo"])
    terms = list(tc.dtm.terms)
    for lam in (0.2, 0.6):
        table = model.terms(8, lambda_=lam)
        for topic in (1, 2, 3):
            rows = tinfo[tinfo["Category"] == f"Topic{topic}"].copy()
            # the browser's lift is the table's lift: one p(w) (pyLDAvis keeps 4 decimals)
            phi = model.phi[topic - 1, [terms.index(t) for t in rows["Term"]]]
            assert np.allclose(rows["loglift"], np.log(phi / model.term_prob[[terms.index(t) for t in rows["Term"]]]),
                               atol=6e-5)
            rows["relevance"] = lam * rows["logprob"] + (1 - lam) * rows["loglift"]
            browser = rows.sort_values("relevance", ascending=False, kind="mergesort")["Term"].head(8).tolist()
            ours = table.loc[table["topic"] == topic, "term"].tolist()
            assert browser == ours, (lam, topic)


def test_topic_browser_without_the_interactive_map(tmp_path, two_topic_model):
    page = topics.write_topic_browser(two_topic_model, tmp_path, interactive=False).read_text(encoding="utf-8")
    assert "LDAvis" not in page
    assert "λ = 0.6" in page


# --------------------------------------------------------------------------------------------
# The intertopic map: every circle inside the drawing area
# --------------------------------------------------------------------------------------------

#: LDAvis 3's map (ldavis.v3.0.0.js): a square of 530 px whose circles cover a quarter of its area.
MAP_SIZE, CIRCLE_PROP = 530, 0.25


def _ldavis_circles(x, y, freq, pad):
    """Circle centres and radii in pixels as LDAvis's script places them (its xScale, yScale and r)."""
    x, y, freq = (np.asarray(v, dtype=float) for v in (x, y, freq))
    xdiff, ydiff = x.max() - x.min(), y.max() - y.min()
    if xdiff > ydiff:
        xdomain = (x.min() - pad * xdiff, x.max() + pad * xdiff)
        ydomain = (y.min() - 0.5 * (xdiff - ydiff) - pad * xdiff, y.max() + 0.5 * (xdiff - ydiff) + pad * xdiff)
    else:
        xdomain = (x.min() - 0.5 * (ydiff - xdiff) - pad * ydiff, x.max() + 0.5 * (ydiff - xdiff) + pad * ydiff)
        ydomain = (y.min() - pad * ydiff, y.max() + pad * ydiff)
    cx = (x - xdomain[0]) / (xdomain[1] - xdomain[0]) * MAP_SIZE
    cy = MAP_SIZE - (y - ydomain[0]) / (ydomain[1] - ydomain[0]) * MAP_SIZE  # range [height, 0]
    r = np.sqrt(freq / 100 * MAP_SIZE * MAP_SIZE * CIRCLE_PROP / np.pi)
    return cx, cy, r


def _inside(cx, cy, r, *, outline=0.5):
    edge = r + outline  # the 1 px stroke reaches half a pixel beyond the radius
    return bool(((cx - edge >= 0) & (cx + edge <= MAP_SIZE) & (cy - edge >= 0) & (cy + edge <= MAP_SIZE)).all())


def test_every_topic_circle_lies_inside_the_map(tmp_path):
    import json
    import re

    # 40 units of farming, 8 of schooling and 8 of culture: one large topic, two small ones
    tokens = _skewedtokens_of(3, sizes=(40, 8, 8), length=14, shared=(), zipf=0.0)
    tc = topics.topic_corpus(tokens, stopwords=None, min_chars=1)
    model = topics.fit_lda(tc, k=3, random_state=5, passes=30)
    page = topics.write_topic_browser(model, tmp_path).read_text(encoding="utf-8")
    # the inlined LDAvis script is the one whose layout the reference above copies, reading the page's padding
    assert "mdswidth = 530" in page and "circle_prop = 0.25" in page
    assert page.count("(data['plot.opts'].pad || 0.05)") == 2
    found = re.search(r'new LDAvis\("#ldavis_topics", (\{.*?\})\);</script>', page, re.S)
    data = json.loads(found.group(1))
    mds, pad = data["mdsDat"], data["plot.opts"]["pad"]
    assert max(mds["Freq"]) > 50  # the farming topic dominates
    assert _inside(*_ldavis_circles(mds["x"], mds["y"], mds["Freq"], pad))
    # LDAvis's own padding would cut the large circle at the page's edge
    assert not _inside(*_ldavis_circles(mds["x"], mds["y"], mds["Freq"], 0.05))


def test_map_pad_keeps_any_layout_inside_and_pads_no_more_than_needed():
    generator = np.random.default_rng(0)
    for trial in range(300):
        k = int(generator.integers(3, 25))
        x, y = generator.normal(size=k) * generator.uniform(0.01, 5), generator.normal(size=k)
        freq = generator.dirichlet(np.full(k, generator.uniform(0.1, 3))) * 100
        pad = topics.browser.map_pad(x, y, freq)
        assert pad >= 0.05
        assert _inside(*_ldavis_circles(x, y, freq, pad)), trial
        if pad > 0.05:  # the smallest padding: a little less lets a circle's outline cross the edge
            assert not _inside(*_ldavis_circles(x, y, freq, pad - 0.002), outline=1.5), trial
