"""Place-name mentions in a document and the weight of their context.

The first half of locality inference: :func:`text_segments` cuts a document into zones
(title, lead, body, captions, byline, outlet), :func:`find_mentions` finds every gazetteer
name in one Aho–Corasick pass, :func:`weigh_context` weighs each mention by its zone and its
context (institutional ×2, study trips and red sites down to ×0.1, outlet and street names),
:func:`drop_people_in_lists` drops short forms that are people's names in a list, and
:func:`self_references` counts 我区/全县/区委书记 … by type. :mod:`corpus_tools.corpus.locality`
scores the units these mentions may refer to and decides.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .gazetteer import Gazetteer, automaton, gazetteer
from .structure import block_pairs

__all__ = [
    "Mention",
    "RED_SITES",
    "drop_people_in_lists",
    "find_mentions",
    "self_references",
    "text_segments",
    "weigh_context",
]

_FORM_WEIGHT = {"full": 1.0, "alias": 1.0, "compound": 1.2, "short": 0.6, "former": 0.5, "renamed": 1.0}
_ZONE_WEIGHT = {"title": 3.0, "heading": 1.5, "lead": 1.5, "body": 1.0, "caption": 0.7, "byline": 0.5, "outlet": 0.3}

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

# --------------------------------------------------------------------------- segments


# "原标题：…", "标题：…": a label in front of a headline the page repeats
_TITLE_LABEL_RE = re.compile(r"^\s*(?:原?标题|原题)\s*[:：]\s*")


def _headline_key(text: str) -> str:
    """A headline without its label and spacing, to recognise it when the page repeats it."""
    return re.sub(r"\s+", "", _TITLE_LABEL_RE.sub("", text))


_BLOCK_ZONES = {"title": "title", "subtitle": "title", "heading": "heading", "body": "body", "caption": "caption",
                "photo_credit": "caption", "byline": "byline", "dateline": "byline"}


def text_segments(
    text_or_blocks: str | pd.DataFrame | Sequence[tuple[str, str]], title: str | None, outlet: str | None
) -> list[tuple[str, str]]:
    """Cut a document into ``(zone, text)`` segments, the zone deciding a mention's weight.

    Zones are ``title``, ``lead`` (the first body paragraph), ``body``, ``heading``,
    ``caption``, ``byline`` and ``outlet``; editor lines and site chrome are left out, and a
    headline the page repeats (``原标题：…``) is kept once.

    Examples
    --------
    >>> text_segments([("title", "标题"), ("body", "第一段。"), ("body", "第二段。")], None, "某日报")
    [('title', '标题'), ('lead', '第一段。'), ('body', '第二段。'), ('outlet', '某日报')]
    """
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
class Mention:
    """One occurrence of a gazetteer form in a segment, with the weight its context gives it.

    ``entries`` are the form's ``(unit, kind, weak)`` readings (:attr:`Gazetteer.forms
    <corpus_tools.corpus.gazetteer.Gazetteer.forms>`); ``candidates`` the units it may still
    mean after neighbouring names qualified it; ``reasons`` the contexts that weighed it.
    """

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


def find_mentions(segments: list[tuple[str, str]]) -> list[Mention]:
    """Find every gazetteer form in the segments, leftmost-longest, in one pass per segment."""
    matcher, surfaces = automaton()
    forms = gazetteer().forms
    mentions: list[Mention] = []
    for number, (zone, text) in enumerate(segments):
        # leftmost-longest, non-overlapping: 天桥街道 hides the 天桥 inside it
        for index, start, end in matcher.find_matches_as_indexes(text):
            surface = surfaces[index]
            mentions.append(Mention(surface, zone, number, start, end, forms[surface]))
    return mentions


def weigh_context(mention: Mention, text: str, gaz: Gazetteer) -> None:
    """Set the mention's ``weight``, ``reasons`` and ``anchored`` from its form, zone and context."""
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


def drop_people_in_lists(mentions: list[Mention], segments: list[tuple[str, str]]) -> None:
    """Drop short forms that are items of a list of people (杨红兵、刘宏、强巴次仁、尼玛).

    A bare short form (尼玛 for 尼玛县, also a common Tibetan given name) standing in a 、-list
    whose neighbouring items name no place is a person; a list of places (共和、贵德等县) has
    places beside it. Only the neighbours are looked at, so this is linear in the text.
    """
    by_segment: dict[int, list[Mention]] = defaultdict(list)
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


def self_references(
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
