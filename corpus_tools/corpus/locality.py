"""Locality of a document — province, city, county-level unit, town — from a gazetteer.

A local campaign report rarely says plainly where it is from. It calls itself 我区 or 全县,
names its own district in the title and a dozen times in the body, qualifies it once with its
city (漯河市召陵区), and also mentions places that are *not* its locality: the red sites its
cadres visited (赴延安学习), the history it tells (遵义会议), the outlet that printed it
(漯河日报), other districts it learned from. Names repeat across provinces (市中区 in four
cities, 鼓楼区 in four, 朝阳 in Beijing, Changchun and Liaoning), and short forms are often
everyday words (和平, 振兴, 比如 are counties).

So the first place name in a text decides nothing. :func:`infer_locality` instead

1. finds every mention of a gazetteer name (full names, official short forms, generated
   aliases such as 大理州 or 沿河自治县, former names such as 襄樊市) in one Aho–Corasick pass,
   keeping the leftmost-longest match (天桥街道, not 天桥);
2. weighs each mention by where it stands (title ×3, lead paragraph ×1.5, photo captions
   ×0.7, the outlet line ×0.3) and by its context: institutional (中共X县委, X区委书记) ×2,
   study trips and red sites (赴…参观, X精神, X会议, 纪念馆, 延安, 井冈山 …) down to ×0.1,
   outlet names (X日报) ×0.3, street and school names (X路, X大学) ×0.2;
3. resolves names shared by several units through the other mentions of the same text: a
   candidate is kept in proportion to the evidence for its own ancestors and descendants
   (市中区 next to 济南 is Jinan's; 平桥镇 next to 沧沟乡 is Wulong's), and through the kind of
   unit the text calls itself when only one reading fits it (我区: the 金城镇 that lies in a 区).
   Weak forms — two-character names, short forms that are everyday words, generic unit names
   such as 老城区 or 城区 — count only when so supported; a short form among the names of a
   list of people (…、尼玛) is a person;
4. adds the evidence up the tree (a town supports its county, city and province), with
   diminishing returns for a name repeated many times, and descends from the province as long
   as one child clearly dominates its siblings *and* the text is about that child rather than
   its parent as a whole (compared with the self-references 我市/全区/县委书记… of each type);
5. stops and says "unknown" below the deepest level that is certain. A town is the subject only
   when the text speaks of it at least as much as of its county (:data:`TOWN_SUBJECT_RATIO`);
   functional zones (经济开发区, 管理区) are never reported as the district.

The gazetteer is package data loaded by :mod:`corpus_tools.corpus.gazetteer`; finding the
mentions and weighing their context (steps 1 and 2) is :mod:`corpus_tools.corpus.mentions`;
this module scores and decides (steps 3 to 5). Nothing is loaded at import time.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .gazetteer import ADMIN_LEVELS, GENERIC_FULL, Gazetteer, gazetteer
from .mentions import (  # RED_SITES was defined here: still importable from this module
    RED_SITES,
    Mention,
    drop_people_in_lists,
    find_mentions,
    self_references,
    text_segments,
    weigh_context,
)

__all__ = [
    "ADMIN_LEVELS",
    "LOCALITY_KEYS",
    "LocalityResult",
    "Gazetteer",
    "gazetteer",
    "infer_locality",
    "locality_candidates",
]

#: The docvars :func:`infer_locality` fills, in order.
LOCALITY_KEYS = ("province", "city", "district", "town", "admin_level", "locality_confidence", "locality_evidence")
UNKNOWN_EVIDENCE = "no decisive mention"

# --------------------------------------------------------------------------- weights

#: one child must hold this share of its siblings' evidence to be chosen
MIN_SHARE = 0.65
#: and at least this much evidence (one full-name body mention is 1.0)
MIN_MASS = 1.0
#: a child is the subject rather than an example if its subject score is at least this share of its parent's
SUBJECT_RATIO = 0.5
#: the same for a town or street under its county: a county's report names its towns as the
#: places where things happened (在横车镇…), so a town is the subject only when the text speaks of
#: it at least as much as of the county (a town's report names its county once, as a qualifier)
TOWN_SUBJECT_RATIO = 1.0
# an unresolved name with more homonyms than this says nothing (城关镇 is in hundreds of counties)
_MAX_SPLIT = 3
# a weak form counts only with at least this much support from co-mentioned related units
_MIN_SUPPORT = 0.5

#: Functional zones (经济开发区, 高新技术产业开发区, 管理区, 示范区 …) that the gazetteer lists among
#: county-level units. They are not 区/县/县级市/旗, so they are never reported as the district:
#: the answer stops at the city (a town under one is still reported, with district empty).
_FUNCTIONAL_ZONE_RE = re.compile(r"(?:开发区|工业园区|产业园区|创意园区|产业园|管委会|管理区|示范区|实验区|白沟新城)$")


# Which self-reference words fit a unit of a given admin_type.
_TYPE_SELF = {
    "省": {"省"}, "自治区": {"自治区"}, "直辖市": {"市"}, "特别行政区": {"区"},
    "地级市": {"市"}, "自治州": {"州"}, "盟": {"盟"}, "地区": {"地区"},
    "区": {"区"}, "县": {"县"}, "自治县": {"县"}, "县级市": {"市"}, "旗": {"旗"}, "自治旗": {"旗"},
    "林区": {"区"}, "特区": {"区"}, "其他": set(),
    "镇": {"镇"}, "乡": {"乡"}, "苏木": {"乡"}, "街道": {"街道"},
}
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "town": 3}
_SELF_RANK = {"自治区": 0, "省": 0, "市": 1, "州": 1, "盟": 1, "区": 2, "县": 2, "旗": 2, "镇": 3, "乡": 3, "街道": 3}


# --------------------------------------------------------------------------- gazetteer
# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class LocalityResult:
    """Where a document is from, with how sure the inference is and why.

    Attributes
    ----------
    province, city, district, town : str
        Full official names; ``district`` is the county-level unit (区, 县, 县级市, 旗 …);
        ``""`` where unknown or where the document is about a higher level.
    admin_level : str
        One of :data:`ADMIN_LEVELS`, or ``""`` when the level the text is about is not certain
        (e.g. it says 我区 but the district cannot be told).
    confidence : float
        In [0, 1]: the smallest share of evidence the chosen unit held among its siblings at
        any level, times a saturation in the amount of evidence (``1 - exp(-mass/2)``). See
        ``benchmarks/locality_accuracy.py`` for its calibration on the labelled set.
    evidence : str
        The phrases that decided it, e.g. ``"标题:召陵区; 召陵区×9; 全区×6"``.
    unit_id : str
        Code of the deepest unit chosen (official 6-digit code; towns have project ids).
    """

    province: str = ""
    city: str = ""
    district: str = ""
    town: str = ""
    admin_level: str = ""
    confidence: float = 0.0
    evidence: str = UNKNOWN_EVIDENCE
    unit_id: str = ""

    def as_docvars(self) -> dict[str, object]:
        """The docvars of :data:`LOCALITY_KEYS` (confidence rounded to two decimals)."""
        return {
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "town": self.town,
            "admin_level": self.admin_level,
            "locality_confidence": round(self.confidence, 2),
            "locality_evidence": self.evidence,
        }


# --------------------------------------------------------------------------- scoring


def _fits_county_selfref(gaz: Gazetteer, selfref: dict[str, float], units: set[int]) -> set[int]:
    """Units whose county-level ancestor is of the one kind the text calls itself (我区 -> a 区).

    Only when the text uses one county-level self-reference (区, 县 or 旗) at least twice and no
    other: 全区 next to 全县 says nothing.
    """
    kinds = {k for k, v in selfref.items() if _SELF_RANK.get(k) == 2 and v > 0}
    if len(kinds) != 1:
        return set()
    kind = kinds.pop()
    if selfref[kind] < 2:
        return set()
    return {u for u in units if gaz.county[u] >= 0 and kind in _TYPE_SELF.get(gaz.admin_type[gaz.county[u]], set())}


def _diminishing(weights: list[float]) -> float:
    """Sum with diminishing returns: the k-th strongest mention of one name counts 1/k."""
    return sum(w / k for k, w in enumerate(sorted(weights, reverse=True), start=1))


@dataclass
class _Analysis:
    gaz: Gazetteer
    mentions: list[Mention]
    probs: list[dict[int, float]]
    own: dict[int, float]
    subject: dict[int, float]
    mass: dict[int, float]
    selfref: dict[str, float]
    children: dict[int, list[int]]


def _analyse(text_or_blocks, title, outlet) -> _Analysis:
    gaz = gazetteer()
    segments = text_segments(text_or_blocks, title, outlet)
    mentions = find_mentions(segments)
    spans: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for m in mentions:
        weigh_context(m, segments[m.segment][1], gaz)
        spans[m.segment].append((m.start, m.end, m.surface))
        m.candidates = tuple(u for u, _, _ in m.entries)

    # adjacent names in a chain (山东省济南市 / 南京市鼓楼区) qualify each other
    for first, second in zip(mentions, mentions[1:]):
        if first.segment != second.segment or first.end != second.start:
            continue
        pairs = [(a, b) for a in first.candidates for b in second.candidates if a in gaz.ancestors(b)[1:]]
        if pairs:
            first.candidates = tuple(dict.fromkeys(a for a, _ in pairs))
            second.candidates = tuple(dict.fromkeys(b for _, b in pairs))
            first.qualifier = True

    drop_people_in_lists(mentions, segments)

    # Weak: every reading is weak (a common word, a shared two-character short form, a name of
    # one or two characters), or it is an unanchored two-character short form. A generic name
    # (老城区, 城区) is weak unless the text names its institutions twice.
    institutional: dict[str, int] = defaultdict(int)
    for m in mentions:
        institutional[m.surface] += "institution" in m.reasons
    weak = []
    for m in mentions:
        kinds = {k for _, k, _ in m.entries}
        if len(m.surface) <= 2 and not m.anchored and kinds <= {"short", "full"}:
            weak.append(True)
        elif m.surface in GENERIC_FULL:
            weak.append(institutional[m.surface] < 2)
        elif all(w for _, _, w in m.entries):
            weak.append(not (m.anchored and kinds == {"full"}))
        else:
            weak.append(False)
    # mentions of one surface with one candidate set are one piece of evidence
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        groups[(m.surface, m.candidates, weak[i])].append(i)
    group_keys = list(groups)
    group_weight = {k: _diminishing([mentions[i].weight for i in groups[k]]) for k in group_keys}
    probs: dict[tuple, dict[int, float]] = {k: {u: 1 / len(k[1]) for u in k[1]} for k in group_keys}
    selfref = self_references(segments, spans)
    fits_selfref = _fits_county_selfref(gaz, selfref, {u for k in group_keys if len(k[1]) > 1 for u in k[1]})

    def group_mass(key: tuple, p: dict[int, float]) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for u, pu in p.items():
            for a in gaz.ancestors(u):
                out[a] += group_weight[key] * pu
        return out

    for _ in range(3):
        contributions = {k: group_mass(k, probs[k]) for k in group_keys}
        total: dict[int, float] = defaultdict(float)
        # names with the same set of readings (鼓楼区, 鼓楼) cannot vouch for one another
        same_readings: dict[frozenset, dict[int, float]] = defaultdict(lambda: defaultdict(float))
        for key, contribution in contributions.items():
            for node, value in contribution.items():
                total[node] += value
                same_readings[frozenset(key[1])][node] += value
        new_probs = {}
        for key in group_keys:
            surface, candidates, is_weak = key
            if len(candidates) == 1 and not is_weak:
                new_probs[key] = probs[key]
                continue
            own_contribution = same_readings[frozenset(candidates)]
            support = {}
            for u in candidates:
                chain = gaz.ancestors(u)
                score = 0.0
                for depth, node in enumerate(chain):
                    # the unit itself and its parent count fully, the province by half (not at
                    # all for a weak form: a province has a hundred counties to share a word)
                    factor = (0.0 if is_weak else 0.5) if gaz.level[node] == "province" and depth > 0 else 1.0
                    score += factor * max(0.0, total.get(node, 0.0) - own_contribution.get(node, 0.0))
                support[u] = score
            fitting = [u for u in candidates if u in fits_selfref]
            if not is_weak and len(fitting) == 1:
                # 金城镇 is in four counties; a text that calls itself 我区 means the one in a 区
                support[fitting[0]] += _MIN_SUPPORT
            best = max(support.values())
            if best < _MIN_SUPPORT:
                # unsupported: a weak form says nothing; a strong name shared by units of one
                # province still tells the province (and is split below it); otherwise nothing
                provinces = {gaz.province[u] for u in candidates}
                if is_weak or len(candidates) > _MAX_SPLIT or (len(provinces) > 1 and len(candidates) > 1):
                    new_probs[key] = {}
                else:
                    new_probs[key] = {u: 1 / len(candidates) for u in candidates}
                continue
            sharpened = {u: (s + 0.05) ** 2 for u, s in support.items()}
            norm = sum(sharpened.values())
            new_probs[key] = {u: v / norm for u, v in sharpened.items() if v / norm >= 0.05}
            rescale = sum(new_probs[key].values())
            new_probs[key] = {u: v / rescale for u, v in new_probs[key].items()}
        probs = new_probs

    # repeated mentions of one unit, in whatever form, add up with diminishing returns
    weights_of: dict[int, list[float]] = defaultdict(list)
    subject_weights_of: dict[int, list[float]] = defaultdict(list)
    for key in group_keys:
        for i in groups[key]:
            m = mentions[i]
            for u, pu in probs[key].items():
                weights_of[u].append(m.weight * pu)
                subject_weights_of[u].append(m.weight * pu * (0.3 if m.qualifier else 1.0))
    own = {u: _diminishing(ws) for u, ws in weights_of.items()}
    subject = {u: _diminishing(ws) for u, ws in subject_weights_of.items()}
    mass: dict[int, float] = defaultdict(float)
    for u, value in own.items():
        for a in gaz.ancestors(u):
            mass[a] += value
    children: dict[int, list[int]] = defaultdict(list)
    for node in mass:
        children[gaz.parent[node]].append(node)
    mention_probs = [probs[(m.surface, m.candidates, weak[i])] for i, m in enumerate(mentions)]
    return _Analysis(gaz, mentions, mention_probs, own, subject, dict(mass),
                     selfref, dict(children))


def _selfref_for(analysis: _Analysis, unit: int, *, exclude: frozenset[str] = frozenset()) -> float:
    kinds = _TYPE_SELF.get(analysis.gaz.admin_type[unit], set()) - exclude
    return sum(analysis.selfref.get(k, 0.0) for k in kinds)


def _deeper_selfref(analysis: _Analysis, unit: int) -> float:
    rank = _LEVEL_RANK[analysis.gaz.level[unit]]
    if analysis.gaz.admin_type[unit] == "直辖市":
        rank = 1
    own_kinds = _TYPE_SELF.get(analysis.gaz.admin_type[unit], set())
    return sum(v for k, v in analysis.selfref.items() if _SELF_RANK[k] > rank and k not in own_kinds)


def _subject_score(analysis: _Analysis, unit: int, *, exclude: frozenset[str] = frozenset()) -> float:
    return analysis.subject.get(unit, 0.0) + _selfref_for(analysis, unit, exclude=exclude)


def _subject_within(analysis: _Analysis, unit: int, parent: int) -> float:
    """The strongest subject score of the unit or any unit below it with evidence.

    Self-references that fit the parent too (我市 fits 朝阳市 and its 北票市) are the parent's:
    the text names the level it is about, and the shallower reading is the usual one.
    """
    shared = frozenset(_TYPE_SELF.get(analysis.gaz.admin_type[parent], set())) if parent >= 0 else frozenset()
    best = _subject_score(analysis, unit, exclude=shared)
    for child in analysis.children.get(unit, []):
        best = max(best, _subject_within(analysis, child, parent))
    return best


def _ratio(gaz: Gazetteer, parent: int) -> float:
    return TOWN_SUBJECT_RATIO if gaz.level[parent] == "county" else SUBJECT_RATIO


@dataclass
class _Step:
    unit: int
    share: float
    mass: float


def _decide(analysis: _Analysis) -> tuple[list[_Step], str, str]:
    """Walk down the tree; return the chosen path, the admin level ('' if undecided) and a note."""
    mass, gaz = analysis.mass, analysis.gaz
    path: list[_Step] = []
    parent = -1
    while True:
        kids = [c for c in analysis.children.get(parent, []) if mass.get(c, 0.0) > 0]
        total = sum(mass[c] for c in kids)
        if not kids:
            if parent < 0:
                return path, "", UNKNOWN_EVIDENCE
            break
        best = max(kids, key=lambda c: mass[c])
        share = mass[best] / total
        if share < MIN_SHARE or mass[best] < MIN_MASS:
            rivals = sorted(kids, key=lambda c: -mass[c])[:3]
            note = "undecided: " + " / ".join(f"{gaz.name[c]}({mass[c]:.1f})" for c in rivals)
            if parent < 0:
                # name the rivals only when there was something to weigh
                return path, "", f"{UNKNOWN_EVIDENCE} ({note})" if mass[best] >= 0.5 else UNKNOWN_EVIDENCE
            # no child dominates: a text about one of them would name it more than the others,
            # so when the parent is spoken of more than any of them they are its examples, unless
            # the text calls itself by a lower level (全区 in a text naming two 新华区)
            ratio = 1.0 if _deeper_selfref(analysis, parent) == 0 else _ratio(gaz, parent)
            if all(_subject_within(analysis, c, parent) < ratio * _subject_score(analysis, parent) for c in rivals):
                break  # the children are examples in a text about the parent: no matter which
            return path, "", note
        if parent >= 0 and not (gaz.level[parent] == "province" and gaz.admin_type[parent] == "直辖市"):
            # a dominant child may still be only an example in a text about its parent as a whole
            if _subject_within(analysis, best, parent) < _ratio(gaz, parent) * _subject_score(analysis, parent):
                break
        path.append(_Step(best, share, mass[best]))
        parent = best
    # stopped at `parent` because no child is the subject: is the text about `parent` itself?
    if _subject_score(analysis, parent) >= _deeper_selfref(analysis, parent):
        return path, gaz.admin_level(parent), ""
    return path, "", "self-references point below " + gaz.name[parent]


def _evidence(analysis: _Analysis, path: list[_Step], note: str) -> str:
    gaz = analysis.gaz
    if not path:
        return note or UNKNOWN_EVIDENCE
    chosen = {step.unit for step in path}
    deepest = path[-1].unit
    parts: list[str] = []
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for m, p in zip(analysis.mentions, analysis.probs):
        hit = [u for u in p if p[u] >= 0.5 and (u in chosen or set(gaz.ancestors(u)) & {deepest})]
        if hit:
            label = m.surface if m.zone != "title" else f"标题:{m.surface}"
            counts[(label, ",".join(r for r in m.reasons if r in {"institution", "subject"}))] += 1
    ranked = sorted(counts.items(), key=lambda kv: (not kv[0][0].startswith("标题"), -kv[1]))
    for (label, reason), n in ranked[:4]:
        parts.append(label + (f"×{n}" if n > 1 else "") + (f"({reason})" if reason else ""))
    kinds = _TYPE_SELF.get(gaz.admin_type[deepest], set())
    selfs = [f"{k}:{analysis.selfref[k]:.0f}" for k in sorted(kinds) if analysis.selfref.get(k)]
    if selfs:
        parts.append("自指 " + ",".join(selfs))
    discounted = sorted(
        {m.surface for m, p in zip(analysis.mentions, analysis.probs)
         if m.reasons and not set(m.reasons) & {"institution", "subject"} and p and not set(p) & chosen},
    )[:3]
    if discounted:
        parts.append("discounted: " + ",".join(discounted))
    if note:
        parts.append(note)
    return "; ".join(parts)


def infer_locality(
    text_or_blocks: str | pd.DataFrame | Sequence[tuple[str, str]],
    *,
    title: str | None = None,
    outlet: str | None = None,
) -> LocalityResult:
    """Infer the province, city, county-level unit and town a document is about.

    Parameters
    ----------
    text_or_blocks : str, pandas.DataFrame or sequence of (kind, text)
        The body text (paragraphs separated by newlines; the first is the lead), or one
        document's rows of :attr:`Corpus.blocks <corpus_tools.corpus.Corpus.blocks>` (columns
        ``kind`` and ``text``, or the same as ``(kind, text)`` pairs: titles, headings,
        captions and bylines are weighed by kind; editor lines and site chrome are ignored).
    title : str, optional
        The headline (and subtitle), when not in the blocks.
    outlet : str, optional
        The outlet's name (漯河日报): a place in it is weak evidence.

    Returns
    -------
    LocalityResult
        Empty strings below the deepest certain level; ``admin_level`` ``""`` when the level
        the text is about is itself uncertain; evidence ``"no decisive mention"`` when nothing
        is certain.

    Notes
    -----
    Names in study-trip, red-site, history, outlet and street contexts are discounted, not
    dropped: a text about 延安 itself still names its own institutions (延安市委). Thresholds are
    module constants (:data:`MIN_SHARE`, :data:`MIN_MASS`, :data:`SUBJECT_RATIO`,
    :data:`TOWN_SUBJECT_RATIO`).

    Examples
    --------
    >>> r = infer_locality("召陵区召开党史学习教育动员大会。全区党员干部赴延安参观学习。",
    ...                    title="召陵区扎实推进党史学习教育")
    >>> r.province, r.city, r.district, r.admin_level
    ('河南省', '漯河市', '召陵区', 'district')
    >>> infer_locality("我区组织党员赴井冈山参观学习。").evidence
    'no decisive mention'
    """
    analysis = _analyse(text_or_blocks, title, outlet)
    path, admin_level, note = _decide(analysis)
    if not path:
        return LocalityResult(evidence=_evidence(analysis, path, note))
    gaz = analysis.gaz
    deepest = path[-1].unit
    names = {"province": "", "city": "", "county": "", "town": ""}
    for step in path:
        names[gaz.level[step.unit]] = gaz.name[step.unit]
    county = next((step.unit for step in path if gaz.level[step.unit] == "county"), -1)
    if county >= 0:
        # a county the text calls a district (湟中区) is reported under the name the text uses
        renamed = gaz.name[county][:-1] + "区"
        if any(m.surface == renamed and county in p for m, p in zip(analysis.mentions, analysis.probs)):
            names["county"] = renamed
            if deepest == county:
                admin_level = "district"
    if names["county"] and _FUNCTIONAL_ZONE_RE.search(names["county"]):
        names["county"] = ""
        if deepest == county:
            admin_level = ""  # the text is about a zone, which no admin_level describes
    if gaz.admin_type[path[0].unit] == "直辖市" and len(path) == 1:
        names["city"] = gaz.name[path[0].unit]
    saturation = 1.0 - math.exp(-path[-1].mass / 2.0)
    confidence = min(step.share for step in path) * saturation
    if not admin_level:
        confidence *= 0.8  # the place is certain down to here, the level of the text is not
    return LocalityResult(
        province=names["province"],
        city=names["city"],
        district=names["county"],
        town=names["town"],
        admin_level=admin_level,
        confidence=round(confidence, 3),
        evidence=_evidence(analysis, path, note),
        unit_id=gaz.unit_id[deepest],
    )


def locality_candidates(
    text_or_blocks: str | pd.DataFrame,
    *,
    title: str | None = None,
    outlet: str | None = None,
) -> pd.DataFrame:
    """Every unit the text gave evidence for, with its scores: the table behind :func:`infer_locality`.

    Returns
    -------
    pandas.DataFrame
        One row per candidate unit, sorted by ``level`` then ``mass`` descending:
        ``name, unit_id, level, admin_type, parents`` (the ancestor chain, ``"山东省>济南市"``),
        ``n_mentions`` (mentions that may refer to it), ``own_score`` (their weighted evidence
        after disambiguation), ``mass`` (own plus every descendant's), ``share`` (of
        ``mass`` among the siblings with evidence), ``subject_score`` (own mentions plus
        self-references of its type), ``chosen`` (on the inferred path) and ``reasons`` (the
        surfaces and contexts, e.g. ``"遵义市[study trip]×1"``).

    Examples
    --------
    >>> table = locality_candidates("南京市鼓楼区召开党史学习教育动员会。")
    >>> table.loc[table["level"] == "county", ["name", "parents"]].values.tolist()
    [['鼓楼区', '江苏省>南京市']]
    """
    analysis = _analyse(text_or_blocks, title, outlet)
    path, _, _ = _decide(analysis)
    gaz = analysis.gaz
    chosen = {step.unit for step in path}
    mentions_of: dict[int, int] = defaultdict(int)
    reasons: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for m, p in zip(analysis.mentions, analysis.probs):
        for u in m.candidates:
            mentions_of[u] += 1
            tag = m.surface + (f"[{','.join(m.reasons)}]" if m.reasons else "") + ("" if u in p else "[dropped]")
            reasons[u][tag] += 1
    units = set(analysis.mass) | set(mentions_of)
    sibling_total: dict[int, float] = defaultdict(float)
    for u in units:
        sibling_total[gaz.parent[u]] += analysis.mass.get(u, 0.0)
    rows = []
    for u in units:
        chain = gaz.ancestors(u)[1:][::-1]
        rows.append(
            {
                "name": gaz.name[u],
                "unit_id": gaz.unit_id[u],
                "level": gaz.level[u],
                "admin_type": gaz.admin_type[u],
                "parents": ">".join(gaz.name[a] for a in chain),
                "n_mentions": mentions_of.get(u, 0),
                "own_score": round(analysis.own.get(u, 0.0), 3),
                "mass": round(analysis.mass.get(u, 0.0), 3),
                "share": round(analysis.mass.get(u, 0.0) / sibling_total[gaz.parent[u]], 3)
                if sibling_total[gaz.parent[u]] else 0.0,
                "subject_score": round(_subject_score(analysis, u), 3),
                "chosen": u in chosen,
                "reasons": "; ".join(f"{t}×{n}" for t, n in reasons[u].items()),
            }
        )
    columns = ["name", "unit_id", "level", "admin_type", "parents", "n_mentions", "own_score", "mass", "share",
               "subject_score", "chosen", "reasons"]
    table = pd.DataFrame(rows, columns=columns)
    table["_rank"] = table["level"].map(_LEVEL_RANK)
    return table.sort_values(["_rank", "mass"], ascending=[True, False]).drop(columns="_rank").reset_index(drop=True)
