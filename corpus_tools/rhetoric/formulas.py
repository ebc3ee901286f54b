"""Discover numbered formulas (七个一, 三个七, 四学四比, 一三七, “125510”, 双报到) and their expansions.

Campaign reports package programmes as numbers: “七个一” (seven "one X" activities), “三个七”
(three sevens: 七个一, 七进, 七个结合), “四学四比”, the code “一三七”, doubled forms such as
双报到 or 双招双引. The detector knows no particular formula: it looks for the *shapes* such
names take and for the *evidence* that a string is used as a name (quotation marks, or a list
of items that spells it out). See :func:`numbered_formulas` for the rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

import numpy as np
import pandas as pd

from .text import CN_DIGITS, HAN, cn_number, iter_docs, numeral_values, trie_regex

__all__ = ["numbered_formulas", "FORMULA_COLUMNS", "FORMULA_KINDS", "formula_shape", "split_items"]

#: Columns of :func:`numbered_formulas`.
FORMULA_COLUMNS = (
    "doc_id", "unit_id", "formula", "kind", "numerals", "n_expected", "quoted",
    "expansion", "n_items", "expansion_source", "start", "end", "expansion_start", "expansion_end",
)
#: Shapes of numbered formulas, in the order they are tried.
FORMULA_KINDS = ("plus", "graded", "multi", "doubled", "code", "count_of", "n_ge", "n_da", "paired", "numbered")

_N = "一二三四五六七八九十两"  # numerals that count items
_NB = _N + "百千万"
_H = f"[{HAN}]"
_H_WORD = f"(?![{_NB}双]){_H}"  # a character that is not itself a numeral

# Shapes, tried in FORMULA_KINDS order on a candidate string (a quoted item or a free match).
_SHAPES = {
    "plus": re.compile(r"(?:\d{1,2}|[一二三四五六七八九十])(?:\+(?:\d{1,2}|[NnXx]|[一二三四五六七八九十])){1,3}"),
    "graded": re.compile("十百千万?|百千万"),
    "multi": re.compile(rf"(?:[{_N}]{_H_WORD}{{1,2}}){{3,4}}"),
    "doubled": re.compile(rf"双(?:{_H}{{1,3}}|\d+)(?:双{_H}{{1,2}})?"),
    "code": re.compile(r"[〇零一二三四五六七八九十]{3,}|\d{3,}"),
    "count_of": re.compile(rf"[{_N}]+个[{_NB}]+[批年]?"),
    "n_ge": re.compile(rf"[{_N}]+个{_H}{{1,4}}"),
    "n_da": re.compile(rf"[{_N}]+大{_H}{{1,5}}"),
    "paired": re.compile(rf"([{_NB}双])({_H_WORD})([{_NB}双])({_H_WORD})"),
    "numbered": re.compile(rf"[{_NB}]{{1,2}}{_H}{{1,6}}|{_H}{{1,3}}[二三四五六七八九十两]{_H}"),
}
# A numeral followed by one of these is a date, a time, an age or a quantity, not a formula.
_NOT_AFTER_NUMERAL = set("月日号点时分秒年岁周%％个名人位场次件项条余多亿万千百")
# Words that begin with 一 without counting anything.
_YI_WORDS = {"一线", "一起", "一体", "一致", "一定", "一切", "一直", "一般", "一样", "一些", "一流",
             "一代", "一批", "一道", "一同", "一心", "一面", "一方", "一如", "一贯", "一再", "一举",
             "一度", "一手", "一旦", "一律", "一向", "一时", "一系", "一连", "一齐", "一点"}
_YEAR_RE = re.compile(r"[一二][〇零九][〇零一二三四五六七八九]{2}|(?:19|20)\d\d")
_APPROX_RE = re.compile(r"[一二三四五六七八九]{2}[十百千万]")  # 三四十: "thirty or forty"
_PHONE_AFTER_RE = re.compile(r"[”’\"']?(?:热线|电话|便民服务热线|服务热线|政务服务)")
# A numeral followed by one of these classifiers counts objects (两幅标语, 三份证书, 一股绳):
# a count, not a formula, unless a second numeral makes it a pattern (一户一策).
_OBJECT_CLASSIFIERS = set("幅份张本篇块座所间台辆把根颗棵株头匹只套盏枚首部册封顶架艘面股支连")
# Numerals written as codes before these are group, house or road numbers (雷家桥村二三四组).
_NOT_AFTER_CODE_RE = re.compile(r"[”’\"']?\s?(?:组|号|队|班|栋|楼|层|室|床|路|线|国道|省道|快速通道|公交)")
# A battle or an event named after a place (六甲之战), not a list of items
_EVENT_END_RE = re.compile("(?:之战|战役|大捷|会师|起义|暴动|会议)$")
# Words a plus shape is the name of when written without quotes (“1+8”体系, 1+6+N 模式)
_PLUS_NAME_AFTER_RE = re.compile(r"[”’]?(?:模式|体系|机制|制度|工作法|工作机制|格局|套餐|行动|工程|服务|清单|计划|架构|矩阵)")
# Lead numerals that also begin ordinary words (百姓, 千万, 万一, 十分, 一生, 一盘棋)
_LEXICAL_LEADS = set("一十百千万")
_COMMON_WORD_TAGS = {"n", "ns", "nr", "nt", "a", "ad", "an", "d", "v", "vn", "i", "l"}

# Unquoted candidates. Groups: always-formula shapes, then shapes that need an expansion.
_BASE_SHAPES = (
    rf"(?P<count_of>[二三四五六七八九十两]+个[{_NB}]+[批年]?)"
    rf"|(?P<doubled>双{_H}{{1,2}}双{_H}{{1,2}}(?=[^{HAN}]|$)|双{_H}双{_H}|双{_H}{{2}}(?:[、，]双{_H}{{2}})+)"
    rf"|(?P<code>[〇零一二三四五六七八九十]{{3,}})"
    rf"|(?P<named>[{_N}]+[个大]{_H}{{1,4}}?(?=[（(：:，。；、]))"
    rf"|(?P<paired>[{_NB}]{_H_WORD}[{_NB}]{_H_WORD})"
    # right after a quoted list: “专家讲理论、群众讲变化、院落讲变化”三讲活动 (needs the list)
    rf"|(?P<after_list>(?<=”)[二三四五六七八九十两](?:个{_H_WORD}{{2}}|{_H_WORD}))"
)
# Every shape starts with a digit, a numeral or 双: the lookahead skips other positions fast.
_FREE_RE = re.compile(
    rf"(?=[\d〇零{_NB}双])(?:"
    r"(?P<plus>(?<![\d.+])(?:\d{1,2}|[一二三四五六七八九十])(?:\+(?:\d{1,2}|[NnXx]|[一二三四五六七八九十])){1,3}(?![\d.%+]))"
    rf"|(?P<graded>(?<![{_NB}])(?:十百千万?|百千万)(?![{_NB}]))"
    rf"|(?P<multi>(?<![{_NB}])(?:[{_N}]{_H_WORD}{{1,2}}?){{2,3}}[{_N}]{_H_WORD}{{1,2}})"
    rf"|{_BASE_SHAPES})"
)
# the older shapes alone, for a position where a multi-part match turned out to be no name
_BASE_FREE_RE = re.compile(_BASE_SHAPES)
_QUOTED_RES = (re.compile("“([^“”\n]{1,80})”"), re.compile("‘([^‘’\n]{1,80})’"))
_MAX_ITEM_CHARS = 8
#: Longest list (in characters) read back from a formula as its expansion.
_MAX_LIST_CHARS = 600

_OPEN_TO_CLOSE = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "「": "」", "『": "』", "【": "】"}
_CLOSERS = set(_OPEN_TO_CLOSE.values())
_CLAUSE_START = set("。！？!?；;：:，,\n")
_TRAILING_LINK_RE = re.compile(r"(?:等等|等|的|和|及|与|这|共|之)+$")
_LEADING_LINK_RE = re.compile(r"^(?:即|就是|包括|是)")
_QUOTED_TAIL_RE = re.compile("(?:“[^“”]+”[和与及、]?)+$")


def formula_shape(item: str, *, max_chars: int = _MAX_ITEM_CHARS) -> str | None:
    """Return the kind of numbered formula `item` is shaped like, or None.

    Parameters
    ----------
    item : str
        A short string, typically the content of a pair of quotation marks.
    max_chars : int, default 8
        Longer strings (a count of characters) are names or phrases, not numbered formulas.

    Returns
    -------
    str or None
        One of :data:`FORMULA_KINDS`.

    Examples
    --------
    >>> [formula_shape(s) for s in ["七个一", "三个七", "四学四比", "一三七", "125510", "双报到",
    ...                             "七进", "扪心三问", "七一", "四点半课堂", "统一战线", "第一议题"]]
    ['count_of', 'count_of', 'paired', 'code', 'code', 'doubled', 'numbered', 'numbered', None, None, None, None]
    """
    if not item or len(item) > max_chars or item.startswith("第"):
        return None
    for kind in FORMULA_KINDS:
        if not _SHAPES[kind].fullmatch(item):
            continue
        if kind == "code" and not _is_code(item):
            continue
        if kind == "multi" and not _is_multi(item):
            continue
        if kind == "plus" and not re.search(r"\d|[NnXx]", item) and item.count("+") < 2:
            continue  # 一+一: arithmetic in words, not a named structure
        if kind in {"count_of", "n_ge", "n_da"} and item[0] == "一":
            continue  # 一个脚印, 一大早: not a count of items
        if kind == "numbered" and not _is_numbered(item):
            continue
        return kind
    return None


def _is_multi(item: str) -> bool:
    """三讲四赛五坚持, not 一军第三师在三块石: parts of one length (the last may be longer), none a
    count, a date or an ordinal."""
    parts = re.findall(f"[{_N}][^{_N}]+", item)
    if "第" in item or any(p[1] in _NOT_AFTER_NUMERAL or p[1] in _OBJECT_CLASSIFIERS for p in parts):
        return False
    lengths = [len(p) for p in parts[:-1]]
    return len(set(lengths)) == 1 and len(parts[-1]) >= lengths[0]


def _is_code(text: str) -> bool:
    if _YEAR_RE.fullmatch(text) or _APPROX_RE.search(text):
        return False
    if text.isdigit():
        return True
    if any(a == b for a, b in zip(text, text[1:])):
        return False  # 三三两两: reduplication, an idiom
    return cn_number(text) is None


def _is_numbered(item: str) -> bool:
    run = re.match(f"[{_NB}]+", item)
    if run:
        numerals = run.group()
        rest = item[len(numerals):]
        if len(numerals) == 2 and all(c in CN_DIGITS for c in numerals):
            return False  # 七一, 四五, 五四: date names
        if rest[:1] in {"项", "件", "条"} and len(rest) >= 3 and numerals != "一":
            return True  # “六项专题行动”: a named set of actions (“一条主线” is one thing, not a set)
        if not rest or rest[0] in _NOT_AFTER_NUMERAL or item[:2] in _YI_WORDS:
            return False
        return True
    # a numeral inside: 扪心三问, 学四史 (but 一 inside a word is lexical: 统一, 唯一)
    return any(c in "二三四五六七八九十两" for c in item)


def _has_second_numeral(item: str) -> bool:
    run = re.match(f"[{_NB}双]+", item)
    rest = item[run.end():] if run else item
    return bool(re.search(f"[{_NB}双]", rest))


@lru_cache(maxsize=1)
def _place_surfaces() -> frozenset[str]:
    """Gazetteer names of two or more characters that are not also everyday words."""
    from ..corpus.gazetteer import gazetteer

    return frozenset(surface for surface, entries in gazetteer().forms.items()
                     if len(surface) >= 2 and not all(weak for _, _, weak in entries))


def _cut_pos(item: str) -> list[tuple[str, str]]:
    from ..segment import get_segmenter  # loaded only when a candidate needs its words tagged

    return get_segmenter(hmm=False).cut_pos(item)


def _not_a_name(item: str, kind: str, after: str) -> str | None:
    """Why a string shaped like a formula is a place, an event, a count or a word; None if not.

    ``after`` is the text that follows the string (a few characters are enough).
    """
    if kind in {"code", "plus"}:
        return "address" if kind == "code" and _NOT_AFTER_CODE_RE.match(after) else None
    if kind == "graded":
        return None
    return _lexical_reason(item, kind)


@lru_cache(maxsize=4096)
def _lexical_reason(item: str, kind: str) -> str | None:
    """The part of :func:`_not_a_name` that depends on the string alone (cached: names repeat)."""
    places = _place_surfaces()
    if any(item[i:j] in places for i in range(len(item)) for j in range(i + 2, len(item) + 1)):
        return "place name"  # 三明实践, 五峰山精神, 九打吉安: a place and what happened there
    if _EVENT_END_RE.search(item):
        return "event"
    second = _has_second_numeral(item)
    run = re.match(f"[{_NB}]+", item)
    if run and not second and item[run.end():run.end() + 1] in _OBJECT_CLASSIFIERS:
        return "count"  # 两幅标语, 三份证书, 一股绳
    if item[0] == "一" and not second and len(item) > 4 and kind == "numbered":
        return "phrase"  # 一生奋斗鞍未卸: a line of verse, not a name
    if item[0] in _LEXICAL_LEADS and not second and kind == "numbered":
        words = _cut_pos(item)
        first, tag = words[0] if words else ("", "")
        # 一 begins many words that still count one thing (一网通办): only a whole-item word is
        # lexical there (一盘棋); 百, 千, 万, 十 rarely so (百姓书记, 千万, 十分)
        if (len(first) >= 2 and first[0] == item[0] and tag in _COMMON_WORD_TAGS
                and (item[0] != "一" or first == item)):
            return "word"  # 百姓书记, 一盘棋: the numeral is part of an ordinary word
    if "一" in item and kind in {"paired", "numbered"}:
        words = _cut_pos(item)
        if len(words) == 1 and words[0][1] == "i":
            return "idiom"  # 一心一意
    return None


def _head_is_noun(formula: str) -> bool:
    """Whether the word after 个 in N个X is a noun (两个展厅: a count) rather than a verb (五个坚持)."""
    head = formula[formula.index("个") + 1:]
    words = _cut_pos(head)
    return bool(words) and words[0][1].startswith("n")


def _numerals(formula: str, kind: str) -> tuple[str, int | None]:
    """The numeral values as text ("7,1") and how many items an expansion should list."""
    if kind == "code" and formula.isdigit():
        return formula, None
    if kind == "plus":
        parts = formula.split("+")
        return ",".join(str(numeral_values(p)[0]) if p and p[0] in _NB else p for p in parts), None
    if kind == "graded":
        return ",".join(str(v) for v in numeral_values(formula)), None
    if kind == "doubled":
        digits = re.findall(r"\d+", formula)
        return ",".join(["2", *digits]), None
    runs = re.findall(f"[{_NB}]+", formula)
    values = [v for run in runs for v in numeral_values(run)]
    text = ",".join(str(v) for v in values)
    if not values:
        return text, None
    if kind == "code":
        return text, len(values)
    if kind == "paired":
        return text, values[0] if len(values) == 2 and values[0] == values[1] >= 2 else None
    if kind == "multi":
        return text, None  # 三讲四赛五坚持 names three groups, not a number of items
    # 七个一, 七进, 扪心三问: the first numeral counts the items; "one X" lists nothing
    return text, values[0] if values[0] >= 2 else None


# ------------------------------------------------------------------------------- expansions


def split_items(text: str) -> list[tuple[int, int]]:
    """Split a list into its items; return ``(start, end)`` offsets into `text`.

    The strongest separator present outside quotes and brackets decides: ？；; first (items
    that are whole questions or clauses), then 、, then ，. A list of quoted names with nothing
    between them (“七个一”“七进”“七个结合”) is split at the quotes.

    Examples
    --------
    >>> s = "进企业、进村（社区）、“双承诺、双报到”活动"
    >>> [s[a:b] for a, b in split_items(s)]
    ['进企业', '进村（社区）', '“双承诺、双报到”活动']
    >>> s = "“七个一”“七进”“七个结合”"
    >>> [s[a:b] for a, b in split_items(s)]
    ['七个一', '七进', '七个结合']
    """
    depth_zero: dict[str, list[int]] = {}
    stack: list[str] = []
    for i, char in enumerate(text):
        if stack and char == stack[-1]:
            stack.pop()
        elif char in _OPEN_TO_CLOSE and not (char in "“‘" and stack and stack[-1] == char):
            stack.append(_OPEN_TO_CLOSE[char])
        elif not stack and char in "？?；;、，,":
            depth_zero.setdefault(char, []).append(i)
    for group in ("？?；;", "、", "，,"):
        cuts = sorted(i for c in group for i in depth_zero.get(c, []))
        if cuts:
            bounds = [-1, *cuts, len(text)]
            items = [(a + 1, b) for a, b in zip(bounds, bounds[1:])]
            return [(a, b) for a, b in (_strip(text, a, b) for a, b in items) if a < b]
    quoted = list(re.finditer("“([^“”]+)”", text))
    if len(quoted) >= 2 and not re.sub("“[^“”]+”|[和与及]", "", text).strip():
        return [m.span(1) for m in quoted]
    a, b = _strip(text, 0, len(text))
    return [(a, b)] if a < b else []


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \u3000":
        a += 1
    while b > a and text[b - 1] in " \u3000。":
        b -= 1
    return a, b


def _matching_close(text: str, open_at: int, limit: int) -> int | None:
    """Offset of the bracket closing the one at `open_at`, within `limit` characters."""
    opener = text[open_at]
    closer = _OPEN_TO_CLOSE[opener]
    depth = 0
    for i in range(open_at, min(len(text), open_at + limit)):
        if text[i] == "\n":
            return None
        if text[i] == opener:
            depth += 1
        elif text[i] == closer:
            depth -= 1
            if depth == 0:
                return i
    return None


def _forward_expansion(text: str, end: int, para_end: int) -> tuple[int, int, str] | None:
    """A parenthesis right after the formula, or a colon and the rest of the sentence."""
    pos = end
    if pos < para_end and text[pos] in "”’":
        pos += 1
    if pos >= para_end:
        return None
    if text[pos] in "（(":
        close = _matching_close(text, pos, 400)
        if close is not None and close > pos + 1:
            return pos + 1, close, "parenthesis"
    if text[pos] in "：:":
        limit = min(para_end, pos + 1 + _MAX_LIST_CHARS)
        stop = re.compile("[。！？!?\n]").search(text, pos + 1, limit)
        stop_at = stop.start() if stop else limit
        if stop_at > pos + 1:
            return pos + 1, stop_at, "colon"
    return None


def _backward_expansion(text: str, start: int, para_start: int) -> tuple[int, int, str] | None:
    """A list ending right before the formula (…、…等“七个一”), from the clause start."""
    pos = start
    if pos > para_start and text[pos - 1] in "“‘":
        pos -= 1
    # a list is read back at most _MAX_LIST_CHARS: the whole paragraph before every formula made
    # one long paragraph (a page without line breaks) quadratic
    para_start = max(para_start, pos - _MAX_LIST_CHARS)
    head = text[para_start:pos]
    trailing = _TRAILING_LINK_RE.search(head)
    list_end = para_start + (trailing.start() if trailing else len(head))
    # walk back to the clause start, skipping what sits inside quotes or brackets
    depth, i = 0, list_end - 1
    while i >= para_start:
        char = text[i]
        if char in _CLOSERS:
            depth += 1
        elif char in _OPEN_TO_CLOSE:
            if depth == 0:
                break  # the formula sits inside this bracket: the list cannot reach past it
            depth -= 1
        elif depth == 0 and char in _CLAUSE_START:
            break
        i -= 1
    list_start = i + 1
    if list_end <= list_start or text[list_end - 1] in "、，,；;":
        return None
    return list_start, list_end, "preceding list"


def _items(text: str, a: int, b: int, *, trim_lead: bool) -> list[tuple[int, int]]:
    """Items of the list ``text[a:b]`` as absolute offsets; optionally trim a lead-in."""
    segment = text[a:b]
    items = [(a + s, a + e) for s, e in split_items(segment)]
    if len(items) == 1 and segment.endswith("”"):
        # a lead-in, then quoted names: 通过“回望来时路”“岁月显峥嵘”…
        tail = _QUOTED_TAIL_RE.search(segment)
        groups = [(a + m.start(1), a + m.end(1)) for m in re.finditer("“([^“”]+)”", tail.group())] if tail else []
        if len(groups) >= 2:
            return [(s + tail.start(), e + tail.start()) for s, e in groups]
        # or one quoted list: 推出“红色诵读、红色电影……”
        open_at = segment.rfind("“")
        inner = [(a + open_at + 1 + s, a + open_at + 1 + e) for s, e in split_items(segment[open_at + 1:-1])]
        if len(inner) >= 2:
            return inner
    if trim_lead and len(items) >= 3:
        # 通过一次主题党日、一次现场教育…: the items share 一次; cut the lead-in 通过 before it
        others = [text[s:e] for s, e in items[1:]]
        prefix = _common_prefix(others)
        s0, e0 = items[0]
        if prefix:
            found = text.rfind(prefix, s0, e0)
            if found > s0:
                items[0] = (found, e0)
    items = [(s, e) for s, e in items if _LEADING_LINK_RE.sub("", text[s:e]).strip("“”‘’")]
    return items


def _common_prefix(strings: list[str]) -> str:
    if not strings:
        return ""
    first, last = min(strings), max(strings)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _clean_item(item: str) -> str:
    item = item.strip(" \u3000")
    # drop a pair of quotes around the whole item, never one half of a pair
    for left, right in ("“”", "‘’"):
        if item.startswith(left) and item.endswith(right) and item.count(left) == 1 == item.count(right):
            return item[1:-1]
    return item


# ------------------------------------------------------------------------------ the detector


def numbered_formulas(corpus, *, max_item_chars: int = 8) -> pd.DataFrame:
    """Find numbered formulas, with the list that spells each one out when the text gives it.

    Parameters
    ----------
    corpus : Corpus
    max_item_chars : int, default 8
        Longest quoted item (in characters) considered as a formula name.

    Returns
    -------
    pandas.DataFrame
        One row per occurrence, in document order: ``doc_id, unit_id, formula`` (without
        quotation marks), ``kind`` (see Notes), ``numerals`` (the numbers it is made of, e.g.
        ``"7,1"`` for 七个一, ``"1,3,7"`` for 一三七), ``n_expected`` (how many items an
        expansion should list, when the shape says: 7 for 七个一, 3 for 三个七 and 一三七;
        missing for 双报到 or 125510), ``quoted`` (written in quotation marks here),
        ``expansion`` (the items, joined with ``" | "``; empty when the text gives none),
        ``n_items``, ``expansion_source`` (``parenthesis``, ``colon``, ``preceding list``,
        ``explained`` or ``""``), ``start, end`` (the formula's offsets in
        ``corpus.texts[doc_id]``) and ``expansion_start, expansion_end`` (-1 when none).

    Notes
    -----
    *Shapes* (``kind``), for a candidate string:

    - ``plus``: numbers joined by + (1+6+N, 1+10+N, 1+1+1, 5+N, 1+8); unquoted only with an N
      or X, three or more parts, or a following 模式/体系/机制/… (1+1 alone is arithmetic);
    - ``graded``: a ladder of magnitudes (十百千, 百千万, 十百千万);
    - ``multi``: three or four numbered parts (三讲四赛五坚持, 三抓三学三融合), specific enough
      to stand without quotes;
    - ``doubled``: 双 + 1–3 characters or digits, optionally doubled again (双报到, 双招双引,
      双50);
    - ``code``: three or more numerals that do not form a number (一三七, 十四五) or three or
      more digits (125510). Years, approximations (三四十), reduplications (三三两两) and
      digits followed by 热线/电话 (the 12345 hotline) are left out;
    - ``count_of``: numeral + 个 + numeral (七个一, 三个七, 七个一批, 两个一百年);
    - ``n_ge`` / ``n_da``: numeral + 个 / 大 + up to four / five characters (七个结合,
      五大主战场);
    - ``paired``: numeral, character, numeral, character (四学四比, 四不两直, 百人千场);
    - ``numbered``: any other short name led by a numeral (七进, 五兴, 三问于民), or with a
      numeral other than 一 inside (扪心三问). A numeral followed by a unit of time, age or
      quantity (四点半, 五月, 万名) does not count, nor two bare digits (七一, 四五: dates),
      nor ordinals (第一议题), nor common words that begin with 一 (一线, 一流).

    *Not formulas*, whatever the shape or the quotes: strings holding a place name from the
    gazetteer (三明实践, 五峰山精神, 九打吉安: a place and what happened there) or ending as an
    event (六甲之战, …会议); a numeral with an object classifier and no second numeral (两幅标语,
    三份证书, 一股绳, 六连冠: counts); codes followed by 组/号/路/快速通道 … (house, group and road
    numbers); a single-numeral name led by 一/十/百/千/万 whose first word is an ordinary word
    (百姓书记, 一盘棋) or that runs past four characters (a line of verse); idioms with 一
    (一心一意).

    *Evidence* that a shaped string is a formula name:

    1. it stands in quotation marks (“…” or ‘…’), alone or as an item of a quoted list
       (“双承诺、双报到、双结对”), at most ``max_item_chars`` characters long;
    2. unquoted, the shapes ``count_of`` (except 一个…), ``code`` (Chinese numerals only) and
       ``doubled`` (双招双引, or a list of 双 items) are specific enough on their own;
       ``n_ge``, ``n_da`` and ``paired`` need an expansion (a parenthesis or colon right after
       them, or a preceding list of quoted names with as many items as the numeral says:
       “回望来时路”…“展望谱新篇”五大篇章). Idioms such as 千家万户 or 一心一意 have the
       ``paired`` shape and no expansion, so they are left out;
    3. a string accepted by (1) or (2) somewhere in the corpus, three or more characters long,
       is also found where it is written without quotes (not as part of a longer number or a
       quantity: 203 in 203场次).

    In a quoted list of counted names (一个主题、四个伟大成就、九个必须) 一个X counts as a name
    too. Right after a quoted list, a bare numeral name (“…讲理论、…讲变化、…讲变化”三讲) or
    N个 + a verb (…”五个坚持) is a formula when the list has as many items as its numeral;
    N个 + a noun after a list of quoted names (“抚顺印象”“雷锋事迹”两个展厅) is a count.

    *Nesting*: an unquoted occurrence inside an item of another formula's expansion is part of
    that item and is not reported (四史 inside 学四史比思想, an item of 四学四比); a formula
    that is a whole item (“七个一” in the list of 三个七) or quoted inside one (“双报到”) is.

    *Expansions*, tried in order: a parenthesis right after the formula (七个一（每月举办一场
    党史讲座、…）); a colon and the rest of the sentence; for codes, quoted digits explained in
    turn (“一”是…，“三”是…，“七”是…); a list ending right before the formula, back to the start
    of its clause (通过一次主题党日、…、一次群众性红色文化活动等“七个一”), accepted only when
    it has exactly ``n_expected`` items. Items are split at the strongest separator outside
    quotes and brackets (see :func:`split_items`); a lead-in before the first item (通过) is
    cut when the other items share a beginning (一次).

    One pass of one regex per document for free candidates, one for quotes, one for the
    repeated forms: time is linear in the corpus length.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "做好“七个一”（读一本书、看一部电影、听一堂党课、写一篇心得、"
    ...     "访一户群众、办一件实事、开一次会）。推行“一三七”模式。“一”是一条主线，“三”是三项机制，“七”是七个结合。"})
    >>> found = numbered_formulas(corp)
    >>> found[["formula", "kind", "n_expected", "n_items", "expansion_source"]].values.tolist()
    [['七个一', 'count_of', 7, 7, 'parenthesis'], ['一三七', 'code', 3, 3, 'explained']]

    The unquoted 七个结合 at the end is not reported: nothing marks it as a name or spells it
    out.
    """
    rows: list[dict] = []
    docs = list(iter_docs(corpus))
    accepted_strings: set[str] = set()
    per_doc: list[tuple[object, list[dict]]] = []
    for doc in docs:
        found = _scan_document(doc, max_item_chars)
        per_doc.append((doc, found))
        accepted_strings.update(r["formula"] for r in found if len(r["formula"]) >= 3)
    repeat_re = re.compile(trie_regex(sorted(accepted_strings))) if accepted_strings else None
    for doc, found in per_doc:
        if repeat_re is not None:
            taken = np.zeros(len(doc.text) + 1, dtype=bool)
            for r in found:
                taken[r["start"]:r["end"]] = True
            for match in repeat_re.finditer(doc.text):
                s, e = match.span()
                if taken[s:e].any() or _inside_a_number(doc.text, s, e):
                    continue
                kind = formula_shape(match.group()) or _free_kind(match.group())
                if _not_a_name(match.group(), kind, doc.text[e:e + 6]):
                    continue
                found.append(_row(doc, match.group(), kind, s, e, quoted=False))
        found.sort(key=lambda r: r["start"])
        for r in found:
            _attach_expansion(doc, r)
        rows.extend(_outside_expansions(doc.text, found))
    table = pd.DataFrame(rows, columns=list(FORMULA_COLUMNS))
    for column in ("n_expected", "n_items"):
        table[column] = table[column].astype("Int64")
    for column in ("start", "end", "expansion_start", "expansion_end"):
        table[column] = table[column].astype("int64")
    table["quoted"] = table["quoted"].astype(bool)
    return table


def _inside_a_number(text: str, start: int, end: int) -> bool:
    """Whether a repeated string is part of a longer number or a quantity (203 in 1203, 203场次)."""
    before = text[start - 1:start]
    after = text[end:end + 1]
    numeral_chars = "0123456789." + _NB
    return bool(before and before in numeral_chars) or bool(after and (after in numeral_chars or after in _NOT_AFTER_NUMERAL))


def _outside_expansions(text: str, found: list[dict]) -> list[dict]:
    """Drop unquoted occurrences that sit inside an item of another formula's expansion.

    四史 in 学四史比思想, an item of 四学四比, is part of that item, not a formula used again; a
    formula that is a whole item (“七个一” in 三个七's list) or is quoted inside one (“双报到”) is
    counted. Found in one pass over the sorted items of the document.
    """
    items = sorted((s, e) for r in found for s, e in r.pop("_items", ()))
    if not items:
        return found
    starts = [s for s, _ in items]
    ends_max = np.maximum.accumulate(np.array([e for _, e in items]))
    kept = []
    for r in found:
        k = bisect_right(starts, r["start"]) - 1
        inside = k >= 0 and ends_max[k] >= r["end"] and not r["quoted"]
        if inside:
            holders = [(s, e) for s, e in items[max(0, k - 8):k + 1] if s <= r["start"] and r["end"] <= e]
            inside = any(_clean_item(text[s:e]) != r["formula"] for s, e in holders)
        if not inside:
            kept.append(r)
    return kept


def _free_kind(formula: str) -> str:
    for kind in FORMULA_KINDS:
        if _SHAPES[kind].fullmatch(formula):
            return kind
    return "numbered"


def _row(doc, formula: str, kind: str, start: int, end: int, *, quoted: bool) -> dict:
    numerals, n_expected = _numerals(formula, kind)
    return {"doc_id": doc.doc_id, "unit_id": doc.unit_ids([start])[0], "formula": formula, "kind": kind,
            "numerals": numerals, "n_expected": n_expected, "quoted": quoted, "expansion": "",
            "n_items": None, "expansion_source": "", "start": start, "end": end,
            "expansion_start": -1, "expansion_end": -1}


def _scan_document(doc, max_item_chars: int) -> list[dict]:
    text = doc.text
    found: list[dict] = []
    taken = np.zeros(len(text) + 1, dtype=bool)
    # 1. quoted items
    for quote_re in _QUOTED_RES:
        for match in quote_re.finditer(text):
            content_start = match.start(1)
            content = match.group(1)
            parts = split_items(content) if "、" in content or "，" in content else [(0, len(content))]
            kinds = [formula_shape(content[a:b], max_chars=max_item_chars) for a, b in parts]
            # in a list of counted names (一个主题、四个伟大成就、九个必须…) 一个X is a name too
            counted_list = sum(k in {"n_ge", "count_of"} for k in kinds) >= 2
            for (a, b), kind in zip(parts, kinds):
                item = content[a:b]
                start, end = content_start + a, content_start + b
                if len(item) > max_item_chars:
                    continue
                if kind is None and counted_list and item.startswith("一个") and _SHAPES["n_ge"].fullmatch(item):
                    kind = "n_ge"
                if kind is None or taken[start:end].any():
                    continue
                if kind == "code" and item.isdigit() and _PHONE_AFTER_RE.match(text, match.end()):
                    continue
                if _not_a_name(item, kind, text[match.end():match.end() + 6] if b == len(content) else ""):
                    continue
                found.append(_row(doc, item, kind, start, end, quoted=True))
                taken[start:end] = True
    # 2. unquoted shapes
    for match in _free_matches(text):
        start, end = match.span()
        if taken[start:end].any() or _inside_quotes(text, start, end):
            continue
        group = match.lastgroup
        formula = match.group()
        if group == "doubled" and ("、" in formula or "，" in formula):
            offset = start
            for item in re.split("[、，]", formula):
                found.append(_row(doc, item, "doubled", offset, offset + len(item), quoted=False))
                offset += len(item) + 1
            taken[start:end] = True
            continue
        if group == "code" and not _is_code(formula):
            continue
        if group == "plus" and not (re.search("[NnXx]", formula) or formula.count("+") >= 2
                                    or _PLUS_NAME_AFTER_RE.match(text, end)):
            continue  # 1+1: arithmetic unless it names a structure (1+8 体系, 5+N)
        kind = {"named": "n_ge" if "个" in formula[:3] else "n_da",
                "after_list": "n_ge" if "个" in formula else "numbered"}.get(group, group)
        if kind in {"n_ge", "n_da"} and formula[0] == "一":
            continue
        if _not_a_name(formula, kind, text[end:end + 6]):
            continue
        row = _row(doc, formula, kind, start, end, quoted=False)
        if group in {"named", "paired", "after_list"}:
            _attach_expansion(doc, row, quoted_items_only=True)
            if not row["expansion"]:
                continue
            if kind == "n_ge" and row["expansion_source"] == "preceding list" and _head_is_noun(formula):
                continue  # “抚顺印象”“雷锋事迹”两个展厅: two exhibition halls, counted
        found.append(row)
        taken[start:end] = True
    return found


def _free_matches(text: str):
    """Unquoted candidates left to right; where a multi-part match is no name (一军第三师在三块石),
    the other shapes are tried at that position and the scan goes on from there."""
    pos = 0
    while True:
        match = _FREE_RE.search(text, pos)
        if match is None:
            return
        if match.lastgroup == "multi" and not _is_multi(match.group()):
            fallback = _BASE_FREE_RE.match(text, match.start())
            if fallback is None:
                pos = match.start() + 1
                continue
            match = fallback
        yield match
        pos = match.end()


def _inside_quotes(text: str, start: int, end: int) -> bool:
    return start > 0 and text[start - 1] in "“‘" and end < len(text) and text[end] in "”’"


def _attach_expansion(doc, row: dict, *, quoted_items_only: bool = False) -> None:
    """Fill the expansion columns of `row` in place (unless already filled)."""
    if row["expansion"]:
        return
    text = doc.text
    para = int(np.searchsorted(doc.para_starts, row["start"], side="right")) - 1
    para_start = int(doc.para_starts[para])
    para_end = int(doc.para_starts[para + 1]) - 1 if para + 1 < len(doc.para_starts) else len(text)
    n_expected = row["n_expected"]
    candidates = []
    forward = _forward_expansion(text, row["end"], para_end)
    if forward:
        candidates.append((forward, False))
    if row["kind"] == "code" and not row["formula"].isdigit():
        explained = _explained(text, row, para_end)
        if explained:
            candidates.append((explained, False))
    backward = _backward_expansion(text, row["start"], para_start)
    if backward:
        candidates.append((backward, True))
    for (a, b, source), must_count in candidates:
        items = _explained_items(text, a, b) if source == "explained" else _items(text, a, b, trim_lead=True)
        if len(items) < 2 or any(len(_clean_item(text[s:e])) < 2 for s, e in items):
            continue  # a list of single characters is a sentence torn apart, not a list
        if quoted_items_only and source == "preceding list" and not (
            all(text[s - 1:s] == "“" and text[e:e + 1] == "”" for s, e in items)
            or (text[items[0][0] - 1:items[0][0]] == "“" and text[items[-1][1]:items[-1][1] + 1] == "”"
                and "”" not in text[items[0][0]:items[-1][1]])
        ):
            continue
        if (must_count or quoted_items_only and source != "parenthesis") and len(items) != n_expected:
            continue
        row["_items"] = items
        row.update(
            expansion=" | ".join(_clean_item(text[s:e]) for s, e in items),
            n_items=len(items),
            expansion_source=source,
            expansion_start=items[0][0],
            expansion_end=items[-1][1],
        )
        return


@lru_cache(maxsize=64)
def _explanation_marker(digit: str) -> re.Pattern:
    return re.compile(f"[“‘]{re.escape(digit)}[”’](?:是|即|指|为)")


def _explained(text: str, row: dict, para_end: int) -> tuple[int, int, str] | None:
    """For a code such as 一三七: “一”是…，“三”是…，“七”是… within the next 400 characters."""
    digits = list(row["formula"])
    pos = row["end"]
    limit = min(para_end, row["end"] + 400)
    first = None
    for digit in digits:
        match = _explanation_marker(digit).search(text, pos, limit)
        if match is None:
            return None
        first = match.start() if first is None else first
        pos = match.end()
    stop = re.compile("[。！？\n]").search(text, pos, limit)
    return first, stop.start() if stop else limit, "explained"


def _explained_items(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Each “X”是… explanation, from its digit to the first clause break outside quotes."""
    items = []
    for marker in re.finditer("[“‘]([^“”‘’]{1,3})[”’](?:是|即|指|为)", text[a:b]):
        start = a + marker.start()
        depth, end = 0, a + marker.end()
        while end < b:
            char = text[end]
            if char in "“‘（(":
                depth += 1
            elif char in "”’）)":
                depth -= 1
            elif depth == 0 and char in "，,；;。":
                break
            end += 1
        items.append((start, end))
    return items
