"""The topic browser: one self-contained HTML page per model, beside the report.

pyLDAvis's intertopic distance map and relevance slider (its scripts inlined, so the page works
offline), then each topic's top terms at several λ and its most representative units in full.
Every corpus string is escaped. The map is padded so that every topic circle lies inside its
drawing area, wherever the principal coordinates put it (:func:`map_pad`).
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..compat import renamed_parameters

if TYPE_CHECKING:
    from .model import TopicModel

__all__ = ["BROWSER_FILENAME", "map_pad", "write_topic_browser"]

logger = logging.getLogger(__name__)

#: File written by :func:`write_topic_browser` into the output folder.
BROWSER_FILENAME = "topic_browser.html"



#: LDAvis's layout of the intertopic map, used when its script does not state them: the map's
#: side in pixels (``mdswidth``, ``mdsheight``), the share of the map's area that all circles
#: cover together (``circle_prop``) and its padding, a share of the coordinates' range (``xpad``).
LDAVIS_MAP_SIZE = 530
LDAVIS_CIRCLE_PROP = 0.25
LDAVIS_PAD = 0.05
# LDAvis's own padding, replaced by the page's value (stored in the data as plot.opts.pad).
_PAD_SOURCE = {"xpad = 0.05": "xpad = (data['plot.opts'].pad || 0.05)",
               "ypad = 0.05": "ypad = (data['plot.opts'].pad || 0.05)"}


def map_pad(
    x: Sequence[float],
    y: Sequence[float],
    freq: Sequence[float],
    *,
    size: float = LDAVIS_MAP_SIZE,
    circle_prop: float = LDAVIS_CIRCLE_PROP,
    stroke: float = 1.5,
    minimum: float = LDAVIS_PAD,
) -> float:
    """The padding of LDAvis's intertopic map that keeps every topic circle inside the map.

    LDAvis scales the principal coordinates linearly onto a square of `size` pixels, with the
    larger of the two ranges (``d``) padded by ``pad * d`` on both sides and the smaller range
    centred, and draws topic ``i`` as a circle of radius
    ``sqrt(freq_i / 100 * size**2 * circle_prop / pi)`` pixels. With its fixed padding (0.05)
    a large topic at the edge of the coordinates is cut off; this returns the smallest padding
    (at least `minimum`) for which no circle, `stroke` pixels included, crosses the square.

    Parameters
    ----------
    x, y : sequence of float
        The topics' coordinates (pyLDAvis's ``mdsDat``).
    freq : sequence of float
        The topics' prevalence in percent (``mdsDat.Freq``).
    size : float, default 530
        The map's side in pixels (LDAvis's ``mdswidth`` and ``mdsheight``).
    circle_prop : float, default 0.25
        The share of the map's area that the circles of all topics cover together.
    stroke : float, default 1.5
        Pixels added to each radius for the circle's outline.
    minimum : float, default 0.05
        LDAvis's own padding: never less.

    Returns
    -------
    float
        The padding, a share of the larger coordinate range.

    Examples
    --------
    Two small topics far apart keep LDAvis's padding; a large topic at the edge needs more:

    >>> map_pad([0.0, 1.0, 0.5], [0.0, 0.0, 0.5], [1.0, 1.0, 1.0])
    0.05
    >>> round(map_pad([0.0, 1.0, 0.5], [0.0, 0.0, 0.5], [60.0, 20.0, 20.0]), 3)
    0.397
    """
    x, y, freq = (np.asarray(values, dtype=float) for values in (x, y, freq))
    radius = np.sqrt(freq / 100 * size * size * circle_prop / np.pi) + stroke
    dx, dy = np.ptp(x), np.ptp(y)
    d = max(dx, dy)
    if not d > 0:  # all topics at one point: LDAvis's scale is degenerate, padding changes nothing
        return minimum
    needed = [minimum]
    for values, diff in ((x, dx), (y, dy)):
        centre = 0.5 * (d - diff)  # the smaller range sits in the middle of the larger one
        for distance in (values - values.min() + centre, values.max() - values + centre):
            # A circle's edge stays inside when (distance + pad*d) / (d*(1 + 2*pad)) * size >= radius;
            # solved for pad (size > 2*radius: the largest possible circle is 0.28 * size wide).
            needed.append(float(np.max((radius * d - distance * size) / (d * (size - 2 * radius)))))
    return max(needed)


def _padded_map(vis_json: str, ldavis_js: str) -> tuple[str, str]:
    """pyLDAvis's data and script with the map's padding from :func:`map_pad`."""
    patched = ldavis_js
    for old, new in _PAD_SOURCE.items():
        if patched.count(old) != 1:
            logger.warning("this pyLDAvis's script has no %r; topic circles may be cut at the map's edge", old)
            return vis_json, ldavis_js
        patched = patched.replace(old, new)
    constants = {}
    for name, default in (("mdswidth", LDAVIS_MAP_SIZE), ("circle_prop", LDAVIS_CIRCLE_PROP)):
        found = re.search(rf"\b{name}\s*=\s*([0-9.]+)", ldavis_js)
        constants[name] = float(found.group(1)) if found else default
    data = json.loads(vis_json)
    mds = data["mdsDat"]
    data["plot.opts"]["pad"] = map_pad(mds["x"], mds["y"], mds["Freq"], size=constants["mdswidth"],
                                       circle_prop=constants["circle_prop"])
    return json.dumps(data, ensure_ascii=False), patched


def _ldavis_parts(model: TopicModel, *, n: int) -> tuple[str, str, str, str] | None:
    """pyLDAvis's JSON and its bundled d3, LDAvis JS and CSS, or None if unavailable."""
    try:
        import pyLDAvis
        from pyLDAvis import urls
    except ImportError:
        logger.warning("pyLDAvis is not installed; the topic browser has no intertopic map")
        return None
    if model.k < 3:
        # The map's two principal coordinates need at least three topics.
        return None
    prepared = pyLDAvis.prepare(
        topic_term_dists=model.phi,
        doc_topic_dists=model.theta,
        doc_lengths=model.unit_tokens,
        vocab=list(model.corpus.dtm.terms),
        # pyLDAvis recomputes the term frequencies from phi, theta and the unit lengths whatever
        # it is given (its "red bar" fix); passing the same values keeps one p(w) in sight:
        # TopicModel.term_prob, which the tables' relevance uses too.
        term_frequency=model.term_prob * model.unit_tokens.sum(),
        R=n,
        sort_topics=False,
        start_index=1,
        n_jobs=1,
    )
    d3_js, ldavis_js, ldavis_css = (Path(path).read_text(encoding="utf-8")
                                    for path in (urls.D3_LOCAL, urls.LDAVIS_LOCAL, urls.LDAVIS_CSS_LOCAL))
    vis_json, ldavis_js = _padded_map(prepared.to_json(), ldavis_js)
    return vis_json, d3_js, ldavis_js, ldavis_css


def _script_safe(text: str) -> str:
    # "</" would end the <script> element early; "<\/" means the same inside JS strings.
    return text.replace("</", "<\\/")


_BROWSER_CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 1.5em auto; max-width: 1250px; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
section.topic { margin: 1.5em 0 2.5em; }
table.terms { border-collapse: collapse; font-size: 0.92em; }
table.terms th, table.terms td { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: left; }
ol.units li { margin-bottom: 0.8em; }
.meta { color: #666; font-size: 0.88em; }
nav a { margin-right: 0.8em; }
"""


@renamed_parameters(output_dir="out_dir", n_terms="n")
def write_topic_browser(
    model: TopicModel,
    out_dir: str | os.PathLike[str],
    *,
    lambdas: Sequence[float] = (1.0, 0.6, 0.2),
    n: int = 15,
    n_units: int = 5,
    min_tokens: int = 5,
    by: str = "group",
    interactive: bool = True,
) -> Path:
    """Write a self-contained HTML page to browse the topics, beside the report.

    Parameters
    ----------
    model : TopicModel
    out_dir : str or path
        The run folder; a relative path resolves against the project root. The page is
        ``<out_dir>/topic_browser.html`` (:data:`BROWSER_FILENAME`).
    lambdas : sequence of float, default (1.0, 0.6, 0.2)
        λ values for which each topic's top terms are listed side by side (see
        :func:`~corpus_tools.topics.relevance`).
    n : int, default 15
        Terms per topic in the lists (and in the interactive view's bar chart).
    n_units : int, default 5
        Representative units per topic, shown in full.
    min_tokens : int, default 5
        As in :meth:`TopicModel.representative <corpus_tools.topics.TopicModel.representative>`.
    by : str, default "group"
        Docvar shown with each unit.
    interactive : bool, default True
        Put pyLDAvis's intertopic distance map and relevance slider at the top (Sievert &
        Shirley 2014). Its d3 and LDAvis scripts are copied into the page from the installed
        pyLDAvis, so the page works offline; without pyLDAvis, or with fewer than three
        topics, the page has the static lists only.

    Returns
    -------
    pathlib.Path
        The written file.

    Notes
    -----
    Every corpus string is escaped with :func:`html.escape`; the page loads nothing from the
    network.
    """
    from ..paths import resolve_path

    folder = resolve_path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / BROWSER_FILENAME
    esc = html.escape
    labels = model.labels
    prevalence = model.prevalence
    term_tables = {lam: model.terms(n, lambda_=lam) for lam in lambdas}
    docvars = [by] if by in model.corpus.dtm.docvars.columns else []
    units = model.representative(n_units, min_tokens=min_tokens, excerpt_chars=None, docvars=docvars)

    parts = None
    if interactive:
        try:
            parts = _ldavis_parts(model, n=n)
        except Exception as error:  # an unmaintained package: its failure must not lose the page
            logger.warning("pyLDAvis failed (%s: %s); the topic browser has no intertopic map",
                           type(error).__name__, error)

    tc = model.corpus
    settings = ", ".join(f"{key}={value!r}" for key, value in model.settings.items())
    head = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans"><head><meta charset="utf-8">',
        f"<title>{esc(f'Topic browser: K={model.k}')}</title>",
        f"<style>{_BROWSER_CSS}</style>",
    ]
    body = [
        "<body>",
        f"<h1>Topic browser · 主题浏览 (K={model.k})</h1>",
        f'<p class="meta">{esc(f"{tc.n_units} {tc.unit_plural}, {tc.n_terms} terms, random_state={model.random_state}, {settings}")}</p>',
    ]
    if parts is not None:
        vis_json, d3_js, ldavis_js, ldavis_css = parts
        head += [f"<style>{ldavis_css}</style>", f"<script>{_script_safe(d3_js)}</script>",
                 f"<script>{_script_safe(ldavis_js)}</script>"]
        body += [
            "<h2>Intertopic distance map</h2>",
            "<p>Circles are topics (area: prevalence; distance: Jensen–Shannon distance, scaled "
            "by principal coordinates). Select a topic to see its most relevant terms; the slider "
            "sets λ (1: probability in the topic, 0: lift).</p>",
            '<div id="ldavis_topics" style="background-color:white;"></div>',
            f'<script>new LDAvis("#ldavis_topics", {_script_safe(vis_json)});</script>',
        ]
    body.append("<h2>Topics</h2><nav>" + "".join(
        f'<a href="#topic-{i}">{esc(labels.iloc[i - 1])}</a>' for i in range(1, model.k + 1)) + "</nav>")
    for i in range(1, model.k + 1):
        body.append(f'<section class="topic" id="topic-{i}">')
        body.append(f"<h3>{esc(labels.iloc[i - 1])} <span class=\"meta\">prevalence {prevalence[i - 1]:.1%}</span></h3>")
        header = "".join(f"<th>λ = {lam:g}</th>" for lam in lambdas)
        rows = []
        for rank in range(1, n + 1):
            cells = []
            for lam in lambdas:
                table = term_tables[lam]
                hit = table[(table["topic"] == i) & (table["rank"] == rank)]
                cells.append(f"<td>{esc(str(hit['term'].iloc[0]))}</td>" if len(hit) else "<td></td>")
            rows.append(f"<tr><td>{rank}</td>{''.join(cells)}</tr>")
        body.append(f'<table class="terms"><tr><th>rank</th>{header}</tr>{"".join(rows)}</table>')
        body.append(f"<h4>Representative {esc(tc.unit_plural)}</h4><ol class=\"units\">")
        for _, unit in units[units["topic"] == i].iterrows():
            where = f"{unit['unit_id']}" + (f" · {unit[by]}" if by in unit else "")
            body.append(
                f'<li><span class="meta">{esc(where)} · share {unit["share"]:.0%} · '
                f'{int(unit["n_model_tokens"])} tokens</span><br>{esc(str(unit["excerpt"]))}</li>'
            )
        body.append("</ol></section>")
    body.append("</body></html>")
    path.write_text("\n".join(head + ["</head>"] + body) + "\n", encoding="utf-8")
    logger.debug("wrote topic browser %s", path)
    return path
