"""Quantified claims: number + measure word + object, so localities can be compared on what they count.

Campaign reports prove their work with numbers: 组建12个巡回指导组, 培训市管干部2000余人,
确定实事项目292项, 累计吸引15万余人次观看. :func:`quantified_claims` finds every such claim,
parses the number (Arabic or Chinese numerals, with 万/亿 and the qualifiers 余/多/近/超/以上),
names the measure word and the thing counted, and sorts it into a coarse category;
:func:`claims_by_group` summarises what each group chose to count.

What is not a claim
-------------------
Ordinals (第一, 第二轮), enumerations (一是, 二是: no measure word follows), years (2021年),
dates (3月5日), anniversaries (建党100周年), numbers inside quotation marks (names of
activities: “百人千场”, “双50”, “万名党员进党校”), numbers inside numbered formulas and registry
expressions (七个一, 两个一百年; see :func:`corpus_tools.rhetoric.numbered_formulas`), the
numeral 一 alone (一次主题党日, 一批又一批: “one” rarely counts an achievement), and a bare
百, 千 or 万 without 余/多 (千家万户, 办百件实事: idioms and slogans). A number is a claim only when
a measure word or unit follows it (``UNITS``); % counts as a unit.

Names, codes and sessions are not counts either: a class or room (706班, 高一（2）班, 3号楼),
a session (十九届六中全会, 十三届全国人大四次会议, 十一届十三次全会), a numeral the segmenter
places inside a longer word (红十字会, 十字街) and numbers inside book titles (《一百堂党史课》).

Examples
--------
>>> from corpus_tools.corpus import corpus_from_texts
>>> corp = corpus_from_texts({"a": "全区组建12个巡回指导组，培训党员三千余名，累计吸引1.2万人次观看。"})
>>> quantified_claims(corp, by="doc_id")[["text", "number", "qualifier", "unit", "object", "category"]].values.tolist()
[['12个', 12.0, '', '个', '巡回指导组', 'organisations'], ['三千余名', 3000.0, '余', '名', '党员', 'people'], ['1.2万人次', 12000.0, '', '人次', '', 'people']]
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..compat import REMOVED_IN, renamed_parameters
from ..corpus.metadata import group_labels
from ..parallel import map_documents, n_workers
from .spans import paragraph_starts, paragraph_unit_id, sentence_bounds

if TYPE_CHECKING:
    from ..corpus import Corpus

__all__ = ["CLAIM_COLUMNS", "UNITS", "parse_numeral", "quantified_claims", "claims_by_group"]

#: Columns of :func:`quantified_claims`.
CLAIM_COLUMNS = (
    "doc_id", "group", "unit_id", "start", "end", "text", "number", "number_high", "qualifier",
    "bound", "unit", "object", "object_side", "category", "sentence",
)

#: Measure words and units that make a number a claim, with the category each implies.
#: ``个`` (and ``支``) take their category from the object (see ``_OBJECT_CATEGORIES``).
UNITS = {
    # people
    "人次": "people", "人": "people", "名": "people", "位": "people", "户": "people",
    # events and sessions
    "场次": "events", "场": "events", "次": "events", "期": "events", "批": "events", "轮": "events",
    "堂": "events", "届": "events", "节": "events", "班": "events",
    # projects, cases, tasks
    "项": "projects", "件次": "projects", "件": "projects", "宗": "projects",
    # organisations
    "支": "organisations", "家": "organisations", "所": "organisations",
    # texts and media
    "篇": "media", "条次": "media", "条": "media", "则": "media", "部": "media", "本": "media",
    "册": "media", "套": "media", "份": "media", "幅": "media", "张": "media", "首": "media", "字": "media",
    # money
    "元": "money",
    # durations
    "小时": "time", "个小时": "time", "个月": "time", "天": "time",
    # percentages
    "%": "percent", "％": "percent",
    # places, things and the generic classifier
    "个": "other", "处": "other", "座": "other", "栋": "other", "块": "other", "台": "other", "辆": "other",
    "亩": "other", "平方米": "other", "公里": "other", "米": "other", "倍": "other",
}

# What a generic classifier (个, 支 …) counts, judged by the end of the object.
_OBJECT_CATEGORIES = (
    (("项目", "实事", "工程", "任务", "事项", "举措", "问题"), "projects"),
    (("组", "团", "队", "站", "中心", "委", "部", "支部", "单位", "班子", "协会", "企业", "机构", "组织", "阵地", "基地"), "organisations"),
    (("村", "社区", "小区", "街道", "镇", "乡", "区", "县", "路"), "places"),
    (("活动", "会议", "讲座", "比赛", "竞赛", "课", "会", "展"), "events"),
    (("人", "员", "者", "党员", "干部", "群众", "户"), "people"),
    (("文章", "视频", "作品", "案例", "简报", "专栏", "信息", "节目"), "media"),
)
_GENERIC_UNITS = {"个", "支", "批", "家"}

#: Words in which a measure word is only the first character of a noun or verb (六部门, 5处理).
_GLUED_WORDS = frozenset(
    "部门 部署 部分 部队 部位 名单 名义 名称 名字 名额 名师 人员 人民 人才 人士 人大 人口 人群 人物 人心 人生 人家 人文 "
    "家庭 家乡 家门 家长 家属 家园 家风 家人 次数 场地 场所 场景 场馆 场合 场次数 期间 期待 期刊 期限 条件 条例 条线 "
    "个人 个体 个性 个别 处理 处置 处分 位置 位于 所有 所在 批示 批准 批评 户籍 户外 元素 元旦 篇章 套餐 张贴 份额 "
    "支持 支援 支出 支撑 支付 本级 本地 本人 首批 首个 首次 天天 天然 天地 天下 项目 件事 字号 班子 节日 节点 届时 "
    "台账 座谈 块状 倍增 米线".split()
)

_QUALIFIER_BOUNDS = {
    "": "exact", "余": "more_than", "多": "more_than", "超": "more_than", "超过": "more_than", "逾": "more_than",
    "以上": "at_least", "至少": "at_least", "不少于": "at_least", "近": "nearly", "将近": "nearly",
    "接近": "nearly", "约": "about", "大约": "about", "左右": "about", "不到": "less_than",
}
_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
_CN_UNIT_CHARS = set("十百千万亿")
_UNIT_PATTERN = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))

_CLAIM_RE = re.compile(
    r"(?P<pre>将近|接近|超过|不少于|不到|大约|至少|近|超|约|逾)?"
    r"(?:(?<![A-Za-z\d.])(?P<ar>\d+(?:\.\d+)?)(?P<armid>余|多)?(?P<armult>万亿|万|亿)?"
    rf"|(?<![{_CN_NUMERAL}])(?P<cn>[{_CN_NUMERAL}]+))"
    r"(?P<post>余|多)?"
    r"(?:(?P<sep>至|到|~|～|-|—|－)(?:(?P<ar2>\d+(?:\.\d+)?)(?P<armult2>万|亿)?|(?P<cn2>[" + _CN_NUMERAL + r"]+))(?P<post2>余|多)?)?"
    rf"(?P<unit>{_UNIT_PATTERN})"
    r"(?P<tail>以上|左右)?"
)
_QUOTE_OPEN, _QUOTE_CLOSE = "“‘「『《〈", "”’」』》〉"  # 《一百堂党史课》: a title is a name too
# Where an object phrase stops: punctuation, brackets, quotes, a further number.
_OBJECT_STOP_RE = re.compile(r"[，,。！？!?；;：:、（）()《》“”‘’\"「」『』…—\n\s\d%％]")
_MAX_OBJECT_CHARS = 12
_NOUN_TAGS = ("n", "vn", "j", "zg", "l", "eng", "an", "nz", "nt", "ns", "nr")
_MODIFIER_TAGS = ("a", "b")
# Verbs and particles that may stand between an object and its number (满意率为95.2%,
# 党员总数的1.6%).
# Words that end an object even though jieba tags them as nouns (领导干部全部轮训).
_OBJECT_END_WORDS = frozenset("全部 全体 等 均 都 全 各 共 累计".split())
_COPULAS = frozenset("为 达 达到 是 有 约 共 共计 累计 总计 合计 计 超 近 逾 占 的".split())
# Verbs that govern a count and that jieba's dictionary tags as nouns (办理/n 工单 71317件,
# 细化/n 89项举措); they end an object phrase on either side.
_GOVERNING_VERBS = frozenset(
    "办理 受理 细化 走访 收集 征集 解决 发放 覆盖 完成 开展 举办 组织 建成 打造 推出 制定 出台 梳理 排查 化解 "
    "帮助 慰问 救助 接待 吸引 惠及 整改 办结 培训 服务 参与 参加 涉及 实施 新建 改造 认领".split()
)
# Quantifiers over a whole unit (全区, 各村, 本镇) say where, not what: 全区800余名党员 counts 党员.
_DETERMINER_RE = re.compile(r"^(?:[全本该][省市州盟区县旗镇乡村组队]|各\w{1,2}|全体|全部|每\w?)$")
_ASPECT_PARTICLES = frozenset("了 着 过".split())
# Session ordinals are written without 第: 十九届六中全会, 十三届全国人大四次会议, 十一届十三次全会
# (but 举办三届读书节, 召开4次会议 are counts).
_SESSION_AFTER_RE = re.compile(
    r"(?:[一二三四五六七八九十\d]+[中次]|全国|中央|人大|政协|[省市州县区旗]委|党代会|委员会|全会|代表大会|常委|纪委)")
_PLENARY_AFTER_RE = re.compile(r"(?:全会|全体会议)")
_SESSION_BEFORE_RE = re.compile(r"(?:届|人大|政协|常委会|党代会|代表大会)$")
# A class or room number is a name, not a count (706班, 高一（2）班): 班 counts only small
# numbers not followed by the people in the class.
_CLASS_AFTER_RE = re.compile(r"(?:学生|同学|师生|班主任|全体|的|学员)")


def parse_numeral(text: str) -> float | None:
    """Return the value of a number written in Arabic or Chinese numerals, with 万/亿, else None.

    Parameters
    ----------
    text : str
        The number alone: ``"420"``, ``"1.2万"``, ``"四百二十"``, ``"两千"``, ``"百"``.

    Returns
    -------
    float or None
        None for strings that are not well-formed numbers, including strings of bare Chinese
        digits (一三七, 四五: codes and names, not quantities).

    Notes
    -----
    Chinese numerals are parsed with ``cn2an.cn2an(text, "normal")``; a leading 百/千/万/亿
    gets an implicit 一 (百 = 100, 千余 = 1000+). Arabic numbers may carry a 万 or 亿 suffix
    (1.2万 = 12,000; 48.5亿 = 4,850,000,000).

    Examples
    --------
    >>> parse_numeral("四百二十"), parse_numeral("两千"), parse_numeral("1.2万"), parse_numeral("百")
    (420.0, 2000.0, 12000.0, 100.0)
    >>> parse_numeral("一三七") is None, parse_numeral("第一") is None
    (True, True)
    """
    text = text.strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(万亿|万|亿)?", text)
    if match:
        value = float(match.group(1))
        for char in match.group(2) or "":
            value *= 1e4 if char == "万" else 1e8
        return value
    if any(c not in _CN_NUMERAL for c in text):
        return None
    if len(text) > 1 and not (set(text) & _CN_UNIT_CHARS):
        return None  # 一三七, 二〇二一: digit strings are codes or years
    if text[0] in "百千万亿":
        text = "一" + text
    import cn2an

    try:
        return float(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, IndexError):
        return None


def _blocked_spans(corpus) -> dict[str, list[tuple[int, int]]]:
    """Per document, the (start, end) spans of numbered formulas and registry expressions."""
    from ..rhetoric import match_registry, numbered_formulas

    spans: dict[str, list[tuple[int, int]]] = {}
    for table in (numbered_formulas(corpus), match_registry(corpus)):
        for doc_id, start, end in zip(table["doc_id"], table["start"], table["end"]):
            spans.setdefault(str(doc_id), []).append((int(start), int(end)))
    return spans


def _blocked_mask(n_chars: int, spans: list[tuple[int, int]]) -> np.ndarray:
    """A boolean mask of the characters inside any of `spans`."""
    mask = np.zeros(n_chars + 1, dtype=np.int64)
    for start, end in spans:
        mask[start] += 1
        mask[end] -= 1
    return np.cumsum(mask[:-1]) > 0


def _quote_depth(text: str) -> np.ndarray:
    """Nesting depth of quotation marks at every character (0 outside quotes)."""
    steps = np.zeros(len(text) + 1, dtype=np.int64)
    for i, char in enumerate(text):
        if char in _QUOTE_OPEN:
            steps[i + 1] += 1
        elif char in _QUOTE_CLOSE:
            steps[i] -= 1
    return np.maximum(np.cumsum(steps[:-1]), 0)


def _is_noun(tag: str) -> bool:
    return tag.startswith(_NOUN_TAGS)


def _object_after(text: str, position: int, segmenter, *, verb_head: bool = True) -> str:
    """The noun phrase the measure word at `position` counts (see :func:`quantified_claims`).

    Without `verb_head` (units of people, money, time, percentages), a verb right after the
    unit is what was done (1.2万人次观看), never the object.
    """
    if position < len(text) and text[position] in _QUOTE_OPEN:
        # 成立了6个“天天敲门组”: the name in quotes is the object
        close = next((i for i in range(position + 1, min(len(text), position + 2 + _MAX_OBJECT_CHARS))
                      if text[i] in _QUOTE_CLOSE), None)
        return text[position + 1:close] if close is not None else ""
    stop = _OBJECT_STOP_RE.search(text, position)
    window = text[position:stop.start() if stop else len(text)][:_MAX_OBJECT_CHARS]
    if not window:
        return ""
    tagged = segmenter.cut_pos(window)
    # 22项重点推进的惠民工程: a verb before 的 opens a relative clause; the head noun follows it
    # (20个村的党员 counts 村: a noun before 的 ends the phrase)
    for k in range(len(tagged) - 1, 0, -1):
        if tagged[k][0] == "的" and tagged[k - 1][1].startswith("v") and tagged[k - 1][1] != "vn":
            tagged = tagged[k + 1:]
            break
    words = []
    for k, (word, tag) in enumerate(tagged):
        following = tagged[k + 1] if k + 1 < len(tagged) else ("", "")
        if word in _OBJECT_END_WORDS or word in _GOVERNING_VERBS or following[0] in _ASPECT_PARTICLES:
            break  # 33幅图片记录了…: a word taking 了 is a verb
        if _is_noun(tag) or tag in _MODIFIER_TAGS:
            words.append((word, tag))
            continue
        # After a measure word a noun is due: a word jieba tags as a verb there is the head noun
        # (89项举措, 50件诉求) unless a noun follows it (14支代表队参加比赛: a verb and its object).
        if verb_head and tag.startswith("v") and not (following[1] and _is_noun(following[1])) and \
                all(t in _MODIFIER_TAGS for _, t in words):
            words.append((word, tag))
        break
    while words and words[-1][1] in _MODIFIER_TAGS:
        words.pop()
    return "".join(word for word, _ in words)


def _object_before(text: str, position: int, segmenter, *, floor: int = 0, people: bool = False) -> str:
    """The noun phrase ending at `position` (after an optional copula such as 为 or 达).

    Nothing before `floor` (the end of the previous claim) is read. With `people` (the unit
    counts people), a lone verbal noun is the verb that reached them (培训300余人), not the object.
    """
    start = position
    while start > floor and not _OBJECT_STOP_RE.match(text, start - 1):
        start -= 1
    window = text[max(start, position - _MAX_OBJECT_CHARS):position]
    if not window:
        return ""
    tagged = segmenter.cut_pos(window)
    while tagged and tagged[-1][0] in _COPULAS:
        tagged.pop()
    if len(tagged) >= 2 and tagged[-1][0] == "率":
        return tagged[-2][0] + "率"  # 办结率98%: jieba cuts the rate off its verb and tags 率 a verb
    words = []
    for k in range(len(tagged) - 1, -1, -1):
        word, tag = tagged[k]
        if not words and tag.startswith("v") and k > 0 and _is_noun(tagged[k - 1][1]) and \
                word not in _GOVERNING_VERBS and tagged[k - 1][0] not in _GOVERNING_VERBS:
            words.append((word, "n"))  # 群众诉求50件: a noun compound jieba ends with a verb tag
            continue
        if word in _OBJECT_END_WORDS or word in _GOVERNING_VERBS or _DETERMINER_RE.match(word) \
                or not tag.startswith(_NOUN_TAGS):
            break
        if tag == "vn" and words:
            break  # 培训党员: a verbal noun before the noun is the verb governing it
        words.append((word, tag))
    if len(words) == 1 and ((people and words[0][1] == "vn") or words[0][1].startswith("nr")):
        return ""  # 培训300余人: the verb, not what was counted; 最多达/nrt: a mis-tagged name
    found = "".join(word for word, _ in reversed(words))
    return "" if found in UNITS else found  # 33项1709件: the previous claim's unit is no object


def _is_name_not_count(text: str, match: re.Match, number_start: int, end: int, segmenter) -> bool:
    """Whether a number + measure word is part of a name, a code or an ordinal, not a count."""
    unit = match.group("unit")
    after = text[end:end + 4]
    if unit == "届" and _SESSION_AFTER_RE.match(after):
        return True  # 十九届六中全会, 十三届全国人大: a session
    if unit == "次" and (_SESSION_BEFORE_RE.search(text[max(0, number_start - 4):number_start])
                        or _PLENARY_AFTER_RE.match(after)):
        return True  # 人大四次会议, 十一届十三次全会: the ordinal of a session
    if unit == "班" and (not match.group("ar") or len(match.group("ar")) >= 3 or _CLASS_AFTER_RE.match(after)
                        or text[number_start - 1:number_start] in ("（", "(")):
        return True  # 706班, 高一（2）班, 三班学生: a class
    if match.group("cn"):
        # 红十字会, 十字街: the segmenter puts the numeral inside a longer word
        left, right = max(0, number_start - 3), min(len(text), end + 3)
        offset = left
        for word, _ in segmenter.cut_pos(text[left:right]):
            at = text.find(word, offset, right)
            if at < 0:
                break
            offset = at + len(word)
            if at < number_start < offset or at < end < offset:
                return True
    return False


def _category(unit: str, obj: str) -> str:
    base = UNITS[unit]
    if unit in _GENERIC_UNITS and obj:
        for endings, category in _OBJECT_CATEGORIES:
            if obj.endswith(endings):
                return category
    return base


def _document_claims(item: tuple[str, str, str, list[tuple[int, int]]]) -> list[dict]:
    """The claims of one document (rows of :func:`quantified_claims`), in text order.

    `item` is ``(doc_id, text, group, blocked)``: the document's body, its group label and the
    spans of its numbered formulas and registry expressions (never claims).
    """
    from ..segment import get_segmenter

    doc_id, text, group, blocked_spans = item
    segmenter = get_segmenter(hmm=False)
    blocked = _blocked_mask(len(text), blocked_spans)
    rows = []
    depth = _quote_depth(text)
    starts = paragraph_starts(text)
    previous_end = 0
    for match in _CLAIM_RE.finditer(text):
        start, end = match.span()
        number_start = match.start("ar") if match.group("ar") else match.start("cn")
        if number_start > 0 and text[number_start - 1] == "第":
            continue  # ordinal
        if depth[number_start] > 0 or blocked[start:end].any():
            continue  # a name in quotes, a numbered formula or a registry expression
        unit = match.group("unit")
        after_unit = match.end("tail") if match.group("tail") else match.end("unit")
        if text[match.start("unit"):match.start("unit") + 2] in _GLUED_WORDS or \
                text[match.start("unit"):match.start("unit") + 3] in _GLUED_WORDS:
            continue  # 六部门: the "unit" begins a noun
        if _is_name_not_count(text, match, number_start, after_unit, segmenter):
            continue
        qualifier_mid = match.group("armid") or ""
        if match.group("ar"):
            value = parse_numeral(match.group("ar") + (match.group("armult") or ""))
        else:
            numeral = match.group("cn")
            if numeral == "一":
                continue  # 一次主题党日: "one" is not a count of achievements
            if len(numeral) == 1 and numeral in "百千万亿" and not (match.group("post") or ""):
                continue  # 千家万户, 办百件实事: idioms and slogans
            value = parse_numeral(numeral)
        if value is None:
            continue
        high = None
        if match.group("sep"):
            second = (match.group("ar2") or "") + (match.group("armult2") or "") if match.group("ar2") else match.group("cn2")
            high = parse_numeral(second) if second else None
            if high is None:
                continue
        qualifier = (match.group("pre") or "") + qualifier_mid + (match.group("post") or "") + (match.group("tail") or "")
        obj = _object_after(text, after_unit, segmenter,
                            verb_head=UNITS[unit] not in ("people", "money", "time", "percent"))
        side = "after" if obj else ""
        if not obj:
            obj = _object_before(text, start, segmenter, floor=previous_end, people=UNITS[unit] == "people")
            side = "before" if obj else ""
        # 100余个党组织近600人: the words after one claim are its object, not the next one's
        previous_end = after_unit + (len(obj) if side == "after" else 0)
        first_qualifier = next((q for q in (match.group("pre"), qualifier_mid, match.group("post"), match.group("tail")) if q), "")
        rows.append({
            "doc_id": doc_id,
            "group": group,
            "unit_id": paragraph_unit_id(doc_id, starts, start),
            "start": start,
            "end": after_unit,
            "text": text[start:after_unit],
            "number": float(value),
            "number_high": np.nan if high is None else float(high),
            "qualifier": qualifier,
            "bound": _QUALIFIER_BOUNDS.get(first_qualifier, "about"),
            "unit": unit,
            "object": obj,
            "object_side": side,
            "category": _category(unit, obj),
            "sentence": text[slice(*sentence_bounds(text, start, after_unit))].strip(),
        })
    return rows


def quantified_claims(corpus: "Corpus", *, by: str = "group", n_jobs: int | None = None) -> pd.DataFrame:
    """Find every quantified claim (number + measure word + object) in every document.

    Parameters
    ----------
    corpus : Corpus
        Claims are read from the cleaned bodies, :attr:`Corpus.texts`.
    by : str, default "group"
        The docvar that labels documents (``doc_id`` labels each by itself; locality docvars
        fall back as in :func:`corpus_tools.corpus.metadata.group_labels`).
    n_jobs : int or None, default None
        Processes for reading the documents (:func:`corpus_tools.parallel.map_documents`):
        ``None`` uses every core from :data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` body
        characters on and one process below; ``-1`` every core; ``k`` that many. The table
        is the same whatever `n_jobs`.

    Returns
    -------
    pandas.DataFrame
        One row per claim, in document order: ``doc_id, group`` (the label from `by`),
        ``unit_id`` (the paragraph, ``"<doc_id>:p003"``), ``start, end`` (offsets of the
        number-and-unit span in ``corpus.texts[doc_id]``), ``text`` (that span, e.g.
        ``三千余名``), ``number`` (float: the value, 万/亿 applied; the lower end of a range),
        ``number_high`` (the upper end of a range such as 4至6则, else NaN), ``qualifier``
        (余, 多, 近, 超, 以上, 左右 …, or ""), ``bound`` (what the qualifier says: ``exact``,
        ``more_than``, ``at_least``, ``nearly``, ``about``, ``less_than``), ``unit`` (the measure
        word or unit: 个, 名, 人次, 项, 元, % …), ``object`` (the thing counted, e.g.
        巡回指导组; may be ""), ``object_side`` (``after`` the unit, ``before`` the number as in
        实事项目292项, or "" when none was found), ``category`` (``people``, ``events``,
        ``projects``, ``organisations``, ``places``, ``media``, ``money``, ``time``, ``percent``
        or ``other``) and ``sentence`` (the sentence holding the claim).

    Notes
    -----
    The object is the counted noun phrase, read from the segmenter's part-of-speech tags: the
    words after the unit, up to punctuation, a further number or the first word that is not a
    noun (组建12个巡回指导组 → 巡回指导组; 14支代表队参加比赛 → 代表队). A noun is due after a
    measure word, so a word jieba tags as a verb there is the head noun when no noun follows it
    (89项举措 → 举措; not after units of people, money, time or percentages: 1.2万人次观看);
    a verb before 的 opens a relative clause whose head follows (22项重点推进的
    惠民工程 → 惠民工程); a word followed by 了/着/过 is a verb (33幅图片记录了 → 图片). When nothing
    follows, the object is the nouns just before the number, across a copula such as 为 or 达
    (满意率为95.2% → 满意率; 走访居民43786户 → 居民), but never a quantifier over a whole unit
    (全区800余名 → "", 全区800余名党员 → 党员), a governing verb jieba tags as a noun (办理工单
    71317件 → 工单), the object of the claim just before (100余个党组织近600人 → "") nor, for
    people, the lone verbal noun that reached them (培训300余人 → "").

    A qualifier counts only next to the number (至少1场, 近800名, 300多场, 20篇以上); in
    至少放映1场 the verb in between hides it and the claim reads as exact. Money is reported in 元 (48.5亿元 → 4.85e9 元).
    ``category`` comes from the unit; the generic classifiers 个, 支, 批 and 家 take it from
    the end of the object (12个巡回指导组 → organisations, 292个项目 → projects).

    See the module docstring for what is left out.
    """
    from ..segment import get_segmenter

    n_workers(n_jobs, 0, None)  # a bad n_jobs fails before any work
    labels = group_labels(corpus.docvars, by)
    blocked = _blocked_spans(corpus)
    get_segmenter(hmm=False)  # built here once, so that forked workers start with it
    documents = [(str(doc_id), str(text or "")) for doc_id, text in corpus.texts.items()]
    items = [(doc_id, text, labels.get(doc_id, "unknown"), blocked.get(doc_id, [])) for doc_id, text in documents]
    per_document = map_documents(_document_claims, items, n_jobs=n_jobs, sizes=[len(text) for _, text in documents],
                                 desc="quantified claims")
    rows = [row for found in per_document for row in found]
    table = pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
    return table.astype({"start": "int64", "end": "int64", "number": "float64", "number_high": "float64"})


@renamed_parameters(top="n")
def claims_by_group(
    corpus: "Corpus | None",
    claims: pd.DataFrame | None = None,
    *,
    by: str = "group",
    n: int = 5,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Summarise what each group counts: claims per category, their units and top objects.

    Parameters
    ----------
    corpus : Corpus or None
        The corpus the claims come from. With a corpus, a rate per 10,000 body characters is
        added and every (group, category) pair gets a row, with zeros where a group made no
        claim; None summarises `claims` alone.
    claims : pandas.DataFrame, optional
        The table of :func:`quantified_claims` (its ``group`` column holds the labels). By
        default ``quantified_claims(corpus, by=by)``.
    by : str, default "group"
        With `corpus`: the docvar the claims were labelled by (the same `by` as in
        :func:`quantified_claims`), to size each group's body text.
    n : int, default 5
        How many units and objects to list per row (a count).
    n_jobs : int or None, default None
        Processes for :func:`quantified_claims` when `claims` is not given (``None``: by size).

    Returns
    -------
    pandas.DataFrame
        One row per (group, category), groups in order of appearance, categories by
        decreasing count within a group: ``group, category, n_claims, n_docs`` (documents of the
        group with at least one such claim), ``units`` (the most used units with their counts,
        e.g. ``名 ×3、人 ×2``), ``top_objects`` (the most counted objects, likewise),
        ``examples`` (up to three claims with their objects, 组建12个巡回指导组 → ``12个巡回指导组``),
        plus ``n_chars_body`` and ``per_10k_chars`` when `corpus` is given.

    Notes
    -----
    The corpus comes first, as in every analysis of the package. The old order
    ``claims_by_group(claims, corpus)`` still works for one release, with a
    :class:`FutureWarning`.

    Examples
    --------
    >>> import pandas as pd
    >>> claims = pd.DataFrame({"doc_id": ["a", "a", "b"], "group": ["甲区", "甲区", "乙县"],
    ...     "text": ["12个", "3000余名", "5场"], "unit": ["个", "名", "场"],
    ...     "object": ["巡回指导组", "党员", "宣讲"], "object_side": ["after"] * 3,
    ...     "category": ["organisations", "people", "events"]})
    >>> claims_by_group(None, claims)[["group", "category", "n_claims", "top_objects"]].values.tolist()
    [['甲区', 'organisations', 1, '巡回指导组'], ['甲区', 'people', 1, '党员'], ['乙县', 'events', 1, '宣讲']]
    """
    if isinstance(corpus, pd.DataFrame):
        warnings.warn(
            "claims_by_group(claims, corpus) is now claims_by_group(corpus, claims): the corpus comes first "
            f"(pass None for no corpus); the old order stops working in {REMOVED_IN}",
            FutureWarning,
            stacklevel=3,
        )
        corpus, claims = claims, corpus
    if claims is None:
        if corpus is None:
            raise TypeError("claims_by_group() needs a corpus, a claims table or both")
        claims = quantified_claims(corpus, by=by, n_jobs=n_jobs)
    missing = [c for c in ("doc_id", "group", "text", "unit", "object", "object_side", "category") if c not in claims.columns]
    if missing:
        raise KeyError(f"the claims table lacks column(s) {missing}; pass the table of quantified_claims()")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")

    def listing(values: pd.Series) -> str:
        counts = Counter(v for v in values if v)
        return "、".join(v if c == 1 else f"{v} ×{c}" for v, c in counts.most_common(n))

    rows = []
    for (group, category), part in claims.groupby(["group", "category"], sort=False):
        examples = [f"{o}{t}" if side == "before" else f"{t}{o}"
                    for t, o, side in zip(part["text"], part["object"], part["object_side"])][:3]
        rows.append({"group": group, "category": category, "n_claims": len(part), "n_docs": part["doc_id"].nunique(),
                     "units": listing(part["unit"]), "top_objects": listing(part["object"]),
                     "examples": "；".join(examples)})
    table = pd.DataFrame(rows, columns=["group", "category", "n_claims", "n_docs", "units", "top_objects", "examples"])
    if corpus is not None:
        labels = group_labels(corpus.docvars, by)
        lengths = corpus.texts.reindex(corpus.docvars.index).fillna("").str.len()
        lengths.index = lengths.index.astype(str)
        body = lengths.groupby(labels.reindex(lengths.index), sort=False).sum()
        categories = list(pd.unique(claims["category"]))
        full = pd.MultiIndex.from_product([list(pd.unique(labels)), categories], names=["group", "category"])
        table = table.set_index(["group", "category"]).reindex(full).reset_index()
        table[["n_claims", "n_docs"]] = table[["n_claims", "n_docs"]].fillna(0).astype("int64")
        table[["units", "top_objects", "examples"]] = table[["units", "top_objects", "examples"]].fillna("")
        table["n_chars_body"] = table["group"].map(body).astype("int64")
        table["per_10k_chars"] = 1e4 * table["n_claims"] / table["n_chars_body"].where(table["n_chars_body"] > 0)
    order = table.groupby("group", sort=False).ngroup()
    table = table.assign(_group_order=order).sort_values(["_group_order", "n_claims"], ascending=[True, False], kind="mergesort")
    return table.drop(columns="_group_order").reset_index(drop=True)
