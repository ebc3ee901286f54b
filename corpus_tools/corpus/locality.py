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

The gazetteer is package data loaded by :mod:`corpus_tools.corpus.gazetteer`; nothing is loaded
at import time.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .gazetteer import ADMIN_LEVELS, GENERIC_FULL, Gazetteer, automaton, gazetteer
from .structure import block_pairs

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

_FORM_WEIGHT = {"full": 1.0, "alias": 1.0, "compound": 1.2, "short": 0.6, "former": 0.5, "renamed": 1.0}
_ZONE_WEIGHT = {"title": 3.0, "heading": 1.5, "lead": 1.5, "body": 1.0, "caption": 0.7, "byline": 0.5, "outlet": 0.3}
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

#: Units whose names in a campaign report are mostly red-tourism destinations or history (赴延安,
#: 井冈山精神), not the reporting locality: a mention counts ×0.4 unless it is institutional or
#: the subject of its clause (宝塔区委…, 井冈山市推出…), which is how a text about the place itself
#: names it.
RED_SITES = frozenset(
    {
        "延安市", "井冈山市", "遵义市", "瑞金市", "韶山市", "古田县", "嘉兴市", "南湖区", "于都县", "兴国县",
        "红安县", "金寨县", "兰考县", "百色市", "宁都县", "长汀县", "上杭县", "西柏坡镇", "平山县", "临沂市",
        "湘潭县", "茶陵县", "永新县", "汝城县", "通道侗族自治县", "会宁县", "吴起县", "安源区",
        "南昌市", "宝塔区", "林州市", "沙家浜镇", "凤阳县",
    }
)

_SENT_END = "。！？；!?;\n"
_AWAY_BEFORE_RE = re.compile(r"(?:赴|前往|奔赴|远赴|来到|到访|走进|踏上|去往|到达|抵达|赶赴)[^" + _SENT_END + r"]{0,8}$")
_TO_BEFORE_RE = re.compile(r"(?:到|在|去|至)$")
_AWAY_AFTER_RE = re.compile(
    r"^[^" + _SENT_END + r"]{0,24}?(?:参观|学习考察|考察学习|考察|研学|现场教学|接受[^" + _SENT_END + r"]{0,8}教育|瞻仰|寻访|"
    r"重温入党誓词|追寻|红色教育|学习培训|培训班|取经|开展[^" + _SENT_END + r"]{0,6}教学|寻根|朝圣|打卡)"
)
_HISTORY_AFTER_RE = re.compile(
    r"^(?:精神|会议|时期|起义|战役|根据地|苏区|会址|旧址|纪念馆|纪念碑|纪念园|烈士陵园|"
    r"革命|红军|会师|保卫战|暴动|战斗|道路|会战|大捷|整风|窑洞|红色教育基地|干部学院)"
)
_OUTLET_AFTER_RE = re.compile(r"^(?:日报|晚报|晨报|都市报|商报|广播电视台|电视台|广电|融媒体中心|新闻网|新闻|报社|发布|之声|在线|手机报|网)")
_NAMED_THING_AFTER_RE = re.compile(r"^(?:路|街|大街|大道|巷|胡同|大桥|大学|学院|职业|中学|小学|一中|二中|实验|籍|话|菜|人民广播)")
_INSTITUTION_AFTER_RE = re.compile(
    r"^(?:[区县市州旗盟省镇乡]|街道)?(?:委|党委|党工委|人民政府|政府|人大|政协|纪委|监委|委员会|宣传部|组织部|党校|机关|党史学习教育领导小组)"
)
_FEATURE_AFTER_RE = re.compile(r"^[山河江湖岭峰洞湾岛村寨庄屯寺庙塔园溪泉坝渠]")
# a travel verb after a name starts a new destination: "宁化县组织党员赴上杭县参观" visits 上杭县
_TRAVEL_RE = re.compile(r"赴|前往|奔赴|远赴|来到|走进|到|组织|带领|率")
_ANCHOR_WORDS = ("中共", "中国共产党", "在", "到", "赴", "从", "与", "和", "及", "同", "对", "向", "为", "是", "自", "于",
                 "省会", "来自", "位于", "地处", "全省", "我省", "全市", "我市")
_ANCHOR_BEFORE = set("，。、；：:;,“”‘’\"'（(《 \t—-")
_VENUE_RE = re.compile(r"^[^" + _SENT_END + r"]{0,12}?(?:召开|举行|开幕|闭幕)")
_INSTITUTION_BEFORE_RE = re.compile(r"(?:中共|中国共产党)$")
_SUBJECT_AFTER_RE = re.compile(
    r"^(?:[区县市州旗盟省镇乡]|街道)?(?:扎实|深入|认真|全面|迅速|精心|持续|积极|坚持|先后|召开|举行|举办|开展|推进|推动|印发|"
    r"出台|党史学习教育|按照|立足|聚焦|以|把|将|在党史|组织|成立|建成|推出|打造|组建|启动|部署|围绕|结合|充分|高度|始终|还)"
)

_SELF_RE = re.compile(r"(我|本|全)(省|市|州|盟|区|县|旗|镇|乡|街道)(?![域场份级内外长])")
_OFFICE_RE = re.compile(r"(自治区|省|市|州|盟|区|县|旗|镇|乡|街道)(委书记|长|委|党委|党工委|人民政府|政府|人大|政协|纪委)")

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


# --------------------------------------------------------------------------- segments


# "原标题：…", "标题：…": a label in front of a headline the page repeats
_TITLE_LABEL_RE = re.compile(r"^\s*(?:原?标题|原题)\s*[:：]\s*")


def _headline_key(text: str) -> str:
    """A headline without its label and spacing, to recognise it when the page repeats it."""
    return re.sub(r"\s+", "", _TITLE_LABEL_RE.sub("", text))


_BLOCK_ZONES = {"title": "title", "subtitle": "title", "heading": "heading", "body": "body", "caption": "caption",
                "photo_credit": "caption", "byline": "byline", "dateline": "byline"}


def _segments(text_or_blocks: str | pd.DataFrame | Sequence[tuple[str, str]], title: str | None, outlet: str | None) -> list[tuple[str, str]]:
    segments: list[tuple[str, str]] = []
    headlines: set[str] = set()
    if title:
        segments.append(("title", title))
        headlines.add(_headline_key(title))
    if isinstance(text_or_blocks, str):
        for number, paragraph in enumerate(p for p in text_or_blocks.split("\n") if p.strip()):
            segments.append(("lead" if number == 0 else "body", paragraph))
    elif isinstance(text_or_blocks, (pd.DataFrame, Sequence)):
        seen_body = False
        for kind, text in block_pairs(text_or_blocks):
            zone = _BLOCK_ZONES.get(kind)  # editor lines and site chrome say nothing about the place
            if zone is None or not text:
                continue
            if zone == "title" or _TITLE_LABEL_RE.match(text):
                # a headline the page prints twice (its title and "原标题：…") is one piece of
                # evidence, not two: counted again it outweighs the body it heads
                key = _headline_key(text)
                if key in headlines:
                    continue
                headlines.add(key)
            if zone == "body" and not seen_body:
                zone, seen_body = "lead", True
            segments.append((zone, text))
    else:
        raise TypeError(
            f"infer_locality needs a text (str), a blocks DataFrame or (kind, text) pairs, not {type(text_or_blocks).__name__}"
        )
    if outlet:
        segments.append(("outlet", outlet))
    return segments


# --------------------------------------------------------------------------- mentions


@dataclass
class _Mention:
    surface: str
    zone: str
    segment: int
    start: int
    end: int
    entries: tuple[tuple[int, str, bool], ...]
    weight: float = 1.0
    reasons: tuple[str, ...] = ()
    qualifier: bool = False
    anchored: bool = False
    candidates: tuple[int, ...] = ()


def _find_mentions(segments: list[tuple[str, str]]) -> list[_Mention]:
    matcher, surfaces = automaton()
    forms = gazetteer().forms
    mentions: list[_Mention] = []
    for number, (zone, text) in enumerate(segments):
        # leftmost-longest, non-overlapping: 天桥街道 hides the 天桥 inside it
        for index, start, end in matcher.find_matches_as_indexes(text):
            surface = surfaces[index]
            mentions.append(_Mention(surface, zone, number, start, end, forms[surface]))
    return mentions


def _context(mention: _Mention, text: str, gaz: Gazetteer) -> None:
    before = text[max(0, mention.start - 14) : mention.start]
    cut = max(before.rfind(c) for c in _SENT_END)
    before = before[cut + 1 :]
    after = text[mention.end : mention.end + 30]
    factor, reasons = 1.0, []
    names = {gaz.name[u] for u, _, _ in mention.entries}
    if mention.surface.endswith("市") and after.startswith("场"):
        factor, reasons = 0.0, ["X市场"]
    elif mention.surface.endswith("乡") and after.startswith("镇"):
        factor, reasons = 0.0, ["乡镇"]  # 各苏木乡镇 is not 苏木乡
    elif _OUTLET_AFTER_RE.match(after):
        factor, reasons = 0.3, ["outlet name"]
    elif _NAMED_THING_AFTER_RE.match(after):
        factor, reasons = 0.2, ["street/school name"]
    elif all(kind == "short" for _, kind, _ in mention.entries) and _FEATURE_AFTER_RE.match(after):
        factor, reasons = 0.2, ["feature name"]  # 桐梓山, 武陵山: a mountain or river, not the unit
    elif before.endswith("在") and _VENUE_RE.match(after):
        factor, reasons = 0.5, ["venue"]  # 中央…动员大会在北京召开; 全省推进会在南宁召开
    elif _INSTITUTION_AFTER_RE.match(after) or _INSTITUTION_BEFORE_RE.search(before):
        factor, reasons = 2.0, ["institution"]
    elif _SUBJECT_AFTER_RE.match(after) and not _AWAY_BEFORE_RE.search(before):
        factor, reasons = 1.3, ["subject"]
    else:
        away_before = bool(_AWAY_BEFORE_RE.search(before))
        to_before = bool(_TO_BEFORE_RE.search(before))
        travel = _TRAVEL_RE.search(after)
        away_after = bool(_AWAY_AFTER_RE.match(after[: travel.start()] if travel else after))
        if _HISTORY_AFTER_RE.match(after):
            factor, reasons = 0.2, ["history/red site"]
        elif away_before and away_after:
            factor, reasons = 0.1, ["study trip"]
        elif away_before or (to_before and away_after):
            factor, reasons = 0.25, ["trip"]
        elif away_after:
            factor, reasons = 0.5, ["visit"]
        if names & RED_SITES or mention.surface in RED_SITES:
            factor, reasons = factor * 0.4, [*reasons, "red-site name"]
    if mention.zone == "outlet" and "outlet name" not in reasons:
        reasons.append("outlet")
    kinds = {kind for _, kind, _ in mention.entries}
    form = max(_FORM_WEIGHT[k] for k in kinds)
    if all(gaz.level[u] == "town" for u, _, _ in mention.entries):
        form *= 0.8  # a town names its county only indirectly
    # 沛县 or 济南 at the head of a clause or after a preposition is a name; 高县 inside 提高县级,
    # 上党 inside 讲好上党课 or 周至 inside 每周至少 are not
    mention.anchored = not before or before[-1] in _ANCHOR_BEFORE or before.endswith(_ANCHOR_WORDS)
    mention.weight = form * _ZONE_WEIGHT[mention.zone] * factor
    mention.reasons = tuple(reasons)


_LIST_SEP = "、"
_ITEM_BOUNDARY = set("、，,；;：:。！？!?（）()“”\"' \t\n")


def _list_item(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the enumeration item around ``text[start:end]`` (at most 8 characters each way)."""
    a = start
    while a > 0 and start - a < 8 and text[a - 1] not in _ITEM_BOUNDARY:
        a -= 1
    b = end
    while b < len(text) and b - end < 8 and text[b] not in _ITEM_BOUNDARY:
        b += 1
    return a, b


def _people_in_lists(mentions: list[_Mention], segments: list[tuple[str, str]]) -> None:
    """Drop short forms that are items of a list of people (杨红兵、刘宏、强巴次仁、尼玛).

    A bare short form (尼玛 for 尼玛县, also a common Tibetan given name) standing in a 、-list
    whose neighbouring items name no place is a person; a list of places (共和、贵德等县) has
    places beside it. Only the neighbours are looked at, so this is linear in the text.
    """
    by_segment: dict[int, list[_Mention]] = defaultdict(list)
    for m in mentions:
        by_segment[m.segment].append(m)
    for number, seg_mentions in by_segment.items():
        text = segments[number][1]
        starts = [m.start for m in seg_mentions]

        def names_a_place(a: int, b: int, surface: str) -> bool:
            k = bisect_right(starts, a - 1)
            while k < len(seg_mentions) and seg_mentions[k].start < b:
                other = seg_mentions[k]
                kinds = {kind for _, kind, _ in other.entries}
                if kinds - {"short"} or (other.surface != surface and text[a:b] == other.surface):
                    return True
                k += 1
            return False

        for m in seg_mentions:
            if any(kind != "short" for _, kind, _ in m.entries) or m.weight == 0:
                continue
            a, b = _list_item(text, m.start, m.end)
            if b - a > 5:
                continue
            left = text[a - 1] if a > 0 else ""
            right = text[b] if b < len(text) else ""
            if _LIST_SEP not in (left, right):
                continue
            neighbours = []
            if left == _LIST_SEP:
                neighbours.append(_list_item(text, a - 1, a - 1))
            if right == _LIST_SEP:
                neighbours.append(_list_item(text, b + 1, b + 1))
            if not any(names_a_place(na, nb, m.surface) for na, nb in neighbours):
                m.weight = 0.0
                m.reasons = (*m.reasons, "person in a list")


def _self_references(
    segments: list[tuple[str, str]], spans: dict[int, list[tuple[int, int, str]]]
) -> dict[str, float]:
    """Weight of each self-reference type: 我区/本县 2, 全市 1, 区委书记/县长 1, 区委/县政府 0.5.

    Words inside a place name (槐荫区委) are not self-references, except where the "name" is
    the self-reference itself: 全州 is also the short form of 全州县.
    """
    counts: dict[str, float] = defaultdict(float)
    for number, (zone, text) in enumerate(segments):
        if zone in {"outlet", "byline"}:
            continue
        # Place spans are leftmost-longest matches, so they never overlap: the one span that can
        # hold a position is the last one starting at or before it, found by bisection. (A scan
        # of every span per self-reference made single-line megabyte documents quadratic.)
        covered = sorted(spans.get(number, []))
        starts = [s for s, _, _ in covered]

        def inside(pos: int, same: str = "", covered=covered, starts=starts) -> bool:
            k = bisect_right(starts, pos) - 1
            return k >= 0 and pos < covered[k][1] and covered[k][2] != same

        zone_factor = 1.5 if zone == "title" else 1.0
        for match in _SELF_RE.finditer(text):
            if inside(match.start(), match.group(0)) or inside(match.end() - 1, match.group(0)):
                continue
            counts[match.group(2)] += (2.0 if match.group(1) in "我本" else 1.0) * zone_factor
        for match in _OFFICE_RE.finditer(text):
            if inside(match.start()) or (match.start() > 0 and inside(match.start() - 1)):
                continue  # 槐荫区委: the name's own 区, counted as an institutional mention
            office = match.group(2)
            counts[match.group(1)] += 1.0 if office in {"委书记", "长"} else 0.5
    return counts


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
    mentions: list[_Mention]
    probs: list[dict[int, float]]
    own: dict[int, float]
    subject: dict[int, float]
    mass: dict[int, float]
    selfref: dict[str, float]
    children: dict[int, list[int]]


def _analyse(text_or_blocks, title, outlet) -> _Analysis:
    gaz = gazetteer()
    segments = _segments(text_or_blocks, title, outlet)
    mentions = _find_mentions(segments)
    spans: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for m in mentions:
        _context(m, segments[m.segment][1], gaz)
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

    _people_in_lists(mentions, segments)

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
    selfref = _self_references(segments, spans)
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
