"""Separate an article's body from what surrounds it, and find its paragraphs.

Scraped news arrives as lines with blank lines between them. This module
turns a cleaned text (see :mod:`corpus_tools.corpus.clean`) into *blocks*: the
article's title and subtitle, page dates, bylines, photo captions and
credits, section headings, body paragraphs, editor lines and site chrome.
Nothing is deleted: every line ends up in exactly one block, so what is not
body stays inspectable.

The rules use general evidence, never a particular source's layout:

* **blank-line gaps.** A caption is set off by more blank lines than the
  document's usual paragraph gap (image placeholders leave extra blank lines);
* **shape.** Headings are short and end without sentence-final punctuation;
  bylines are short, unpunctuated and name a role (记者, 通讯员, 文/, 版式/);
* **page breaks.** A line that ends mid-sentence — on a comma, with an
  unclosed quote or bracket, or as a long line without a sentence end — is
  re-joined with the line that continues it.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .clean import HAN

__all__ = [
    "BLOCK_KINDS",
    "Line",
    "split_lines",
    "join_page_breaks",
    "split_glued_credits",
    "classify_blocks",
    "split_sentences",
    "block_pairs",
    "is_page_furniture",
    "is_photo_credit",
    "is_source_line",
    "is_site_name",
    "bare_role",
    "HEADING_MAX_CHARS",
]

#: Block kinds, in the order a reader meets them in a typical article.
BLOCK_KINDS = (
    "dateline",
    "title",
    "subtitle",
    "byline",
    "caption",
    "photo_credit",
    "heading",
    "body",
    "editor",
    "chrome",
)

#: Longest line (in characters) still treated as a section heading. Headings
#: in Chinese news are short slogans (≈10–30 characters); a longer line that
#: lacks a sentence end is prose cut by a page break.
HEADING_MAX_CHARS = 30
#: Longest line treated as a title line in the front matter (titles run longer
#: than section headings: "扎实开展…实践活动，推动…走深走实 市中区迈向…").
TITLE_MAX_CHARS = 60
#: Longest line treated as a caption or byline.
CAPTION_MAX_CHARS = 40

_HAN_RE = re.compile(f"[{HAN}]")
_SENTENCE_FINAL = "。！？!?…"
_CLOSERS = "”’」』）)】》"
_CONTINUATION_END = "，、：；（“‘《—-–(,;:"
_BRACKET_PAIRS = (("“", "”"), ("（", "）"), ("《", "》"), ("‘", "’"), ("「", "」"), ("【", "】"))
_LEAD_MARKS_RE = re.compile(r"^[■□●○◆◇▲△▼▽★☆※·•\-—\s]+")


@dataclass(frozen=True)
class Line:
    """A non-empty line of a cleaned text.

    Attributes
    ----------
    text : str
        The line without its newline.
    gap_before : int
        Number of blank lines before it (for the first line: leading blank lines).
    line_no : int
        1-based number of the line in the cleaned text (its first line, if joined).
    """

    text: str
    gap_before: int
    line_no: int


def split_lines(text: str) -> list[Line]:
    """Split a cleaned text into non-empty lines, remembering the blank lines before each.

    Examples
    --------
    >>> [(l.text, l.gap_before) for l in split_lines("\\n标题\\n\\n\\n\\n图说。\\n\\n正文。")]
    [('标题', 1), ('图说。', 3), ('正文。', 1)]
    """
    lines: list[Line] = []
    gap = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            gap += 1
            continue
        lines.append(Line(stripped, gap, number))
        gap = 0
    return lines


def _typical_gap(lines: list[Line]) -> int:
    gaps = [line.gap_before for line in lines[1:]]
    return int(statistics.median(gaps)) if gaps else 0


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _SENTENCE_FINAL


def _unbalanced(text: str) -> bool:
    return any(text.count(opener) > text.count(closer) for opener, closer in _BRACKET_PAIRS)


# ----------------------------------------------------------------------------
# Line shapes
# ----------------------------------------------------------------------------

_DATE = r"\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?"
_DATELINE_RE = re.compile(
    rf"^(?:(?:发布|发表|更新|刊发|出版)?(?:日期|时间)\s*[:：]?\s*)?{_DATE}"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:星期[一二三四五六日天]|周[一二三四五六日天])?"
    r"(?:\s*第?[\dA-Za-z]{1,3}版)?$"
)
# A date with a clock time, or a labelled date / source / author on one line, anywhere in a short
# line: "2021年08月28日 09:28 来源：天山网", "《小康》 ● 中国小康网 2021-04-20 10:18:13",
# "作者： 乐清之窗 时间： 2021-4-25 16:18", "发表于：2021-05-25 21:43:20|来源：…". Such a line is
# the page's statement of when and where the article appeared, never prose.
_CLOCK_DATE_RE = re.compile(
    rf"(?:{_DATE}|(?<!\d)\d{{2}}-\d{{1,2}}-\d{{1,2}})\s*(?:[上下]午)?\s*\d{{1,2}}[:：]\d{{2}}(?:[:：]\d{{2}})?"
)
_META_LABEL_RE = re.compile(
    r"(?:来源|稿源|发布时间|发布日期|发表时间|发表日期|发表于|更新时间|出版日期|刊发日期|作者|浏览量|点击数|浏览次数|阅读量)\s*[:：]"
)
#: Longest line that may be a source/date line ("2021-05-07 15:53:45来源：…编辑：…责编：…").
SOURCE_LINE_MAX_CHARS = 100
_EDITOR_RE = re.compile(
    r"^[（(【\[]?(?:责任编辑|值班编辑|编辑|责编|编审|审核|校对|初审|复审|终审|审校|监制)\s*(?:[:：/]"
    rf"|[{HAN}·]{{2,4}}(?:\s|$))"  # "编辑孙蕙 编审付松": a role glued to its name
)
_BYLINE_ROLE_RE = re.compile(
    r"(?:记者|通讯员|实习生|特约撰稿人?|撰稿|作者\s*[:：]|^文\s*[/:：]|\s文\s*[/:：]|^图\s*[/:：]|版式\s*[/:：]"
    r"|摄影\s*[/:：]|来源\s*[:：]|融媒体中心\s*[:：/])"
)
_PHOTO_CREDIT_RE = re.compile(r"(?:图片由.{1,30}提供|供图|^图片来源|摄影\s*[:：]|^图\s*[/:：])")
# A credit that ends a line: "…活动现场。 毕方佳摄", "新华社记者 宋晨 摄", "（钟小丰 摄）",
# "本文图片均为陈洋摄". The name is 2–4 characters (or a role and names); 摄 is the last word.
_CREDIT_END_RE = re.compile(
    rf"(?:^|[\s。！？）)]|记者|通讯员)[{HAN}·]{{2,4}}\s*(?<!拍)摄[）)]?$|(?:记者|通讯员)(?:\s*[{HAN}·]{{2,4}})+\s*(?<!拍)摄[）)]?$"
    r"|^(?:本文)?图片均为.{2,20}摄[）)]?$|^图[说为][:：]?"
)
_CHROME_RE = re.compile(
    r"^(?:友情链接|返回顶部|打印本页|关闭窗口|分享到|扫一扫|微信扫一扫|版权所有|上一篇|下一篇|"
    r"网站地图|联系我们|【打印】|【关闭】|【字体|点击量|浏览次数|阅读次数|字号[:：]|相关阅读$|推荐阅读$)"
)


# ----------------------------------------------------------------------------
# Page furniture
# ----------------------------------------------------------------------------

# Breadcrumbs: "首页 > 要闻 > 正文", "您当前的位置：每日甘肃网 > 甘肃", "当前位置：首页".
_BREADCRUMB_LEAD_RE = re.compile(r"^[•·\s]*(?:您(?:当前|现在)?的?位置|当前位置|所在位置|现在位置)\s*[:：]?")
_BREADCRUMB_SEP_RE = re.compile(r"\s*(?:>>?|＞|›|»|→)\s*")
# Site actions, page-edition controls and logos: never part of an article.
_SITE_ACTION_RE = re.compile(
    r"设为首页|加入收藏|收藏本站|网站首页|首页$|^首页|[Ll][Oo][Gg][Oo]|[大中小]字号|字体[:：]|【字体|分享到|扫一扫|手机版|"
    r"无障碍|站内(?:高级)?搜索|语音播报|^关键[字词]\s*[:：]|上一[期版篇]|下一[期版篇]|打印本页|关闭窗口|返回首页|"
    r"^\[?打印\]?$|^\[?关闭\]?$|^(?:登录|注册)$|^(?:参与|发表|我要|网友)评论|^所有评论|^相关新闻$|^新闻推荐$"
)
# A whole line that is a column tag: 【开栏语】, 【沈阳人大新闻】, [打印本页].
_COLUMN_TAG_RE = re.compile(r"^[【\[][^】\]]{1,20}[】\]]$")
# A column name on its own: "党史学习教育动态", "今日要闻".
_COLUMN_NAME_RE = re.compile(rf"^[{HAN}]{{0,8}}(?:动态|专栏|快讯|要闻|资讯|头条|新闻中心)$")
# A site's name on its own line at the top of a page: "乐清上班族网", "云南网".
_SITE_NAME_RE = re.compile(rf"^[{HAN}A-Za-z]{{1,10}}(?:网|网站|官网|在线|论坛|客户端|新闻网)$")
_MENU_SPLIT_RE = re.compile(r"\s*[|｜丨]\s*|\s+")
#: Longest item of a navigation menu ("老外在龙江", "名企品牌"); headlines' halves are longer.
MENU_ITEM_MAX_CHARS = 6


def is_page_furniture(text: str) -> bool:
    """Tell whether a line is page furniture: navigation, breadcrumbs, site actions or a column tag.

    Page furniture is what a scraper copies from around an article: breadcrumbs
    (``首页 > 要闻 > 正文``, ``您当前的位置：…``), menus of short items (section names or
    place names separated by ``|`` or spaces), site actions (``设为首页``, ``加入收藏``,
    ``人民网首页``, ``…Logo``, ``小字号``, share bars, edition controls such as ``上一版``),
    column tags standing alone (``【开栏语】``), a column name (``党史学习教育动态``) and a site
    name alone on its line (``乐清上班族网``). It is never a title and never body text.

    Examples
    --------
    >>> [is_page_furniture(t) for t in ("首页 > 要闻 > 正文", "当前位置：首页", "新闻 | 图片 | 视频 | 专题",
    ...                                  "• 设为首页", "【开栏语】", "学史力行践初心 砥砺奋进开新局")]
    [True, True, True, True, True, False]
    """
    core = _LEAD_MARKS_RE.sub("", text).strip()
    if not core:
        return True
    if _BREADCRUMB_LEAD_RE.match(core):
        return True
    if re.match(r"(?:原?标题|题目)\s*[:：]", core):
        return False  # "标题：… [打印本页]" is the headline with a label
    if re.search(r"[。！？；]", core):
        return False
    parts = [p for p in _BREADCRUMB_SEP_RE.split(core) if p]
    if len(parts) >= 2 and _BREADCRUMB_SEP_RE.search(core) and all(len(p) <= 12 for p in parts):
        return True
    if len(core) <= 30 and (_SITE_ACTION_RE.search(core) or _COLUMN_TAG_RE.match(core)
                            or _COLUMN_NAME_RE.match(core) or is_site_name(core)):
        return True
    items = [p for p in _MENU_SPLIT_RE.split(core) if p]
    # A menu: short items, none a sentence, at least three between bars or five between spaces
    # (a four-part slogan such as "学党史 悟思想 办实事 开新局" is not one); a byline's list of
    # names is not one either.
    piped = bool(re.search(r"[|｜丨]", core))
    return (
        len(items) >= (3 if piped else 5)
        and all(len(p) <= MENU_ITEM_MAX_CHARS for p in items)
        and not _BYLINE_ROLE_RE.search(core)
        and not re.search("[，、：:]", core)
    )


def is_photo_credit(text: str) -> bool:
    """Tell whether a line is, or ends with, a photo credit (``…摄``, ``供图``, ``图片来源``, ``图说：``).

    Examples
    --------
    >>> [is_photo_credit(t) for t in ("活动现场。 李明摄", "新华社记者 宋晨 摄", "图为党员参观展馆。",
    ...                               "琼结县 供图", "他拍摄了照片。")]
    [True, True, True, True, False]
    """
    core = text.strip()
    return bool(_CREDIT_END_RE.search(core) or (len(core) <= CAPTION_MAX_CHARS and _PHOTO_CREDIT_RE.search(core))
                or (len(core) <= 2 * CAPTION_MAX_CHARS and re.search(r"供图[）)]?$", core)))


def is_source_line(text: str) -> bool:
    """Tell whether a line states when or where the article appeared (date with time, 来源：, 作者：…).

    Examples
    --------
    >>> [is_source_line(t) for t in ("2021年08月28日 09:28 来源：天山网", "作者： 乐清之窗 时间： 2021-4-25 16:18",
    ...                              "来源：岳阳日报 发布时间：2021年10月22日", "6月3日，全区召开会议。")]
    [True, True, True, False]
    """
    core = _LEAD_MARKS_RE.sub("", text)
    if len(core) > SOURCE_LINE_MAX_CHARS or re.search("[。！？]", core):
        return False
    clock = _CLOCK_DATE_RE.search(core)
    # "4月25日上午9:30，全镇召开…" is prose dating an event, not the page's date line
    clock_line = bool(clock) and not re.match(r"\s*[，,]", core[clock.end():])
    return clock_line or bool(_META_LABEL_RE.search(core))


# A news lead alone on its line: "井冈山讯", "石家庄日报讯（记者 张三 通讯员 李四）", "新华社北京6月30日电".
_LEAD_LINE_RE = re.compile(
    rf"^[·•■\s]*[{HAN}·]{{2,16}}?(?:\d{{1,2}}月\d{{1,2}}日)?(?:讯|电)\s*(?:[（(][^（）()]{{2,60}}[）)])?$"
)


def _is_byline_shape(text: str) -> bool:
    core = _LEAD_MARKS_RE.sub("", text)
    # names may be separated by ， ("通讯员 张三，李四"); a sentence has longer clauses
    listing = all(len(part) <= 8 for part in re.split(r"[，,、\s]+", core))
    return (
        len(core) <= CAPTION_MAX_CHARS
        and not re.search("[。！？；]", core)
        and ("，" not in core or listing)
        and bool(_BYLINE_ROLE_RE.search(core))
    )


def _is_outlet_shape(text: str) -> bool:
    # "齐鲁晚报·齐鲁壹点" on its own line right above "记者 于悦": short, no punctuation but "·",
    # and named like an outlet (a headline above a byline is not one)
    return (
        len(text) <= 20
        and not re.search("[，。！？；：、“”]", text)
        and bool(re.search(r"报|网|台|社|新闻|在线|客户端|融媒|频道|·", text))
    )


# A byline that ends with its role, the names on the next line: "本报记者" / "王一 李二".
_BARE_ROLE_END_RE = re.compile(r"(本报记者|记者|通讯员|作者|文)\s*[:：/]?\s*$")


def bare_role(text: str) -> str:
    """Return the role a byline ends with when its names are on the next line, else ``""``.

    Examples
    --------
    >>> bare_role("本报记者"), bare_role("作者："), bare_role("记者 王一")
    ('本报记者', '作者', '')
    """
    match = _BARE_ROLE_END_RE.search(_LEAD_MARKS_RE.sub("", text))
    return match.group(1) if match else ""


def is_site_name(text: str) -> bool:
    """Tell whether a line is only a website's name (``乐清上班族网``, ``某某新闻网``).

    Examples
    --------
    >>> is_site_name("某某上班族网"), is_site_name("西河镇开展党史宣讲活动")
    (True, False)
    """
    return bool(_SITE_NAME_RE.match(_LEAD_MARKS_RE.sub("", text).strip()))
_NAMES_LINE_RE = re.compile(rf"^[{HAN}·]{{2,4}}(?:[\s、，,]+[{HAN}·]{{2,4}}){{0,7}}$")


def _is_heading_shape(text: str, *, max_chars: int = HEADING_MAX_CHARS) -> bool:
    core = _LEAD_MARKS_RE.sub("", text)
    return (
        0 < len(core) <= max_chars
        and bool(_HAN_RE.search(core))
        and not _ends_sentence(core)
        and core[-1] not in _CONTINUATION_END
        and not _unbalanced(core)
    )


def _is_caption_shape(text: str) -> bool:
    # One short sentence: a photo caption ("党史宣讲进楼院。").
    body = text.rstrip(_CLOSERS)
    return (
        len(text) <= CAPTION_MAX_CHARS
        and _ends_sentence(text)
        and not re.search(f"[{_SENTENCE_FINAL}]", body[:-1])
        and "，" not in text
    )


def _is_chrome(text: str) -> bool:
    return not re.search(f"[{HAN}0-9A-Za-z]", text) or bool(_CHROME_RE.match(text))


#: A headline the page repeats under a label ("原标题：…"): a line of its own, never prose.
_TITLE_REPEAT_RE = re.compile(r"^\s*(?:原标题|原题)\s*[:：]")


def _is_meta(text: str) -> bool:
    """Lines that are never body, whatever their neighbours."""
    return bool(
        _TITLE_REPEAT_RE.match(text)
        or _DATELINE_RE.match(text)
        or _EDITOR_RE.match(text)
        or _is_chrome(text)
        or _is_byline_shape(text)
        or is_page_furniture(text)
        or is_source_line(text)
        or (len(text) <= 2 * CAPTION_MAX_CHARS and is_photo_credit(text))
    )


# ----------------------------------------------------------------------------
# Page breaks
# ----------------------------------------------------------------------------


def _front_matter_end(lines: list[Line]) -> int:
    """Index of the first line after the title block and byline (0 if none found).

    Title lines often lack sentence ends and may be long; they must never be
    mistaken for prose cut by a page break.
    """
    for index, line in enumerate(lines[:12]):
        if _is_byline_shape(line.text):
            return index + 1
    for index, line in enumerate(lines[:8]):
        if len(line.text) > TITLE_MAX_CHARS or _ends_sentence(line.text) and len(line.text) > CAPTION_MAX_CHARS:
            return index
    return 0


# A sentence closed by a parenthesis ends its paragraph: "…投入使用。（记者 范陈春）", "（图）".
_CLOSING_PARENTHESIS_RE = re.compile(rf"[{_SENTENCE_FINAL}][{_CLOSERS}]*[（(][^（）()]{{1,60}}[）)]$")


def _is_unfinished(text: str) -> bool:
    if _ends_sentence(text) or _CLOSING_PARENTHESIS_RE.search(text):
        return False
    if text[-1] in _CONTINUATION_END or _unbalanced(text):
        return True
    return len(text) > HEADING_MAX_CHARS


# A photo credit glued inside a line, after a sentence end: "…读书会。杨洁摄突出…",
# "…图说：活动现场。 本文图片均为陈洋摄一起学党史…", "…作品。 本报通讯员 白凌燕摄 “大爷…".
_INLINE_CREDIT_RE = re.compile(
    rf"(?P<end>[{_SENTENCE_FINAL}][{_CLOSERS}]?)\s*(?P<credit>"
    rf"(?:本文|本版)?图片均为[^{_SENTENCE_FINAL}]{{1,20}}?(?<!拍)摄"
    rf"|(?:(?:本报|本台|本网)?(?:记者|通讯员)\s*)?(?![他她我你大市游群]{{1}}[们家民客众])[{HAN}·]{{2,4}}"
    rf"(?:\s*(?:记者|通讯员)?\s*[{HAN}·]{{2,4}}){{0,3}}?\s*(?<![拍])摄(?![影像制于入取录下])"
    rf"|[^\s{_SENTENCE_FINAL}，]{{2,20}}\s?供图)[）)]?"
)
# Where a caption starts inside a line: "…。图说：…", "…。图为…".
_INLINE_CAPTION_START_RE = re.compile(rf"[{_SENTENCE_FINAL}][{_CLOSERS}]?\s*(?=图[说为][:：]?)")


def split_glued_credits(lines: list[Line]) -> list[Line]:
    """Cut photo captions and credits out of the lines they were glued into.

    Scraped pages often lose the line break around a photo: the caption and its credit end up
    inside a paragraph (``…读书会。杨洁摄突出现场效果…``). A credit (``…摄``, ``本文图片均为…摄``,
    ``…供图``) after a sentence end is cut out together with its caption: the sentence right
    before it, or from ``图说：`` / ``图为`` when one opens the caption. What follows becomes a
    line of its own. The pieces keep the line number of the line they came from.

    Examples
    --------
    >>> [l.text for l in split_glued_credits(split_lines("党员参加活动。图说：活动现场。 本文图片均为王明摄一起学党史。"))]
    ['党员参加活动。', '图说：活动现场。 本文图片均为王明摄', '一起学党史。']
    >>> [l.text for l in split_glued_credits(split_lines("前面的话。举办读书会。杨洁摄突出现场效果。"))]
    ['前面的话。', '举办读书会。杨洁摄', '突出现场效果。']
    """
    out: list[Line] = []
    for line in lines:
        text = line.text
        if "摄" not in text and "供图" not in text:
            out.append(line)  # no credit: the common case, decided without the credit pattern
            continue
        pieces: list[str] = []
        start = 0
        for credit in _INLINE_CREDIT_RE.finditer(text):
            segment = text[start:credit.end("end")]
            # the caption: from 图说/图为 if one opens it, else the last sentence before the credit
            opens = [m.end() for m in _INLINE_CAPTION_START_RE.finditer(segment)]
            if opens:
                cut = opens[-1]
            else:
                ends = [m.end() for m in re.finditer(f"[{_SENTENCE_FINAL}][{_CLOSERS}]?", segment[:-1])]
                cut = ends[-1] if ends else 0
            if segment[:cut].strip():
                pieces.append(segment[:cut].strip())
            pieces.append((segment[cut:] + text[credit.end("end"):credit.end()]).strip())
            start = credit.end()
        if not pieces or (len(pieces) == 1 and not text[start:].strip()):
            out.append(line)  # the whole line is a caption with its credit: nothing to cut
            continue
        if text[start:].strip():
            pieces.append(text[start:].strip())
        out.extend(Line(piece, line.gap_before if n == 0 else 0, line.line_no) for n, piece in enumerate(pieces))
    return out


def join_page_breaks(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """Re-join lines that a page break split across a blank line.

    A line is *unfinished* when it ends on a comma-like mark, leaves a quote
    or bracket open, or is longer than :data:`HEADING_MAX_CHARS` without a
    sentence end. It is joined with the next line when that line is within
    the document's usual paragraph gap and is not a byline, date, caption
    credit, editor line or chrome. Lines in the front matter (title block and
    byline) are never joined.

    Returns
    -------
    lines : list of Line
        The lines after joining.
    joins : list of str
        One ``"…前半|后半…"`` description per join, for the quality log.

    Examples
    --------
    >>> text = "全区各级党组织通过“党史青年说”“干部上讲台”等活动，推动党史宣讲向社\\n\\n区、向群众延伸。\\n\\n下一段。"
    >>> [l.text for l in join_page_breaks(split_lines(text))[0]]
    ['全区各级党组织通过“党史青年说”“干部上讲台”等活动，推动党史宣讲向社区、向群众延伸。', '下一段。']

    A short line ending without punctuation is a heading, not a split:

    >>> [l.text for l in join_page_breaks(split_lines("深入挖掘党史资源\\n\\n党史学习教育中，要传承红色基因。"))[0]]
    ['深入挖掘党史资源', '党史学习教育中，要传承红色基因。']
    """
    if not lines:
        return [], []
    max_gap = max(_typical_gap(lines), 1)
    protected = _front_matter_end(lines)
    out: list[Line] = []
    joins: list[str] = []
    for index, line in enumerate(lines):
        if (
            out
            and index > protected
            and len(out) > protected
            and _is_unfinished(out[-1].text)
            and not _is_meta(out[-1].text)
            and line.gap_before <= max_gap
            and not _is_meta(line.text)
        ):
            previous = out.pop()
            joins.append(f"{previous.text[-8:]}|{line.text[:8]}")
            out.append(Line(previous.text + line.text, previous.gap_before, previous.line_no))
        else:
            out.append(line)
    return split_glued_credits(out), joins


# ----------------------------------------------------------------------------
# Classification
# ----------------------------------------------------------------------------


def classify_blocks(lines: list[Line]) -> list[tuple[str, Line]]:
    """Give every line a block kind from :data:`BLOCK_KINDS`.

    Parameters
    ----------
    lines : list of Line
        Lines after :func:`join_page_breaks`.

    Returns
    -------
    list of (kind, Line)
        In document order.

    Notes
    -----
    The front matter (before the first body paragraph) holds the title block:
    consecutive heading-shaped lines, where one starting with a dash
    (``——…综述``) is a subtitle. A short single sentence set off by more blank
    lines than the document's usual paragraph gap is a photo caption. After
    an editor line, the trailing short lines are site chrome.

    Examples
    --------
    >>> text = "标题\\n\\n——副标题\\n\\n本报记者 张三\\n\\n第一段正文，很长。\\n\\n\\n\\n图片说明。"
    >>> [kind for kind, _ in classify_blocks(split_lines(text))]
    ['title', 'subtitle', 'byline', 'body', 'caption']
    """
    typical = _typical_gap(lines)
    kinds: list[str] = []
    seen_body = False
    seen_editor = False
    for index, line in enumerate(lines):
        text = line.text
        following = lines[index + 1] if index + 1 < len(lines) else None
        gap_after = following.gap_before if following else typical + 1
        if seen_editor and len(text) <= 20:
            kind = "chrome"
        elif _is_chrome(text):
            kind = "chrome"
        elif _DATELINE_RE.match(text):
            kind = "dateline"
        elif _EDITOR_RE.match(text):
            kind = "editor"
            seen_editor = True
        elif is_page_furniture(text) and not _is_byline_shape(text):
            kind = "chrome"
        elif (len(text) <= 2 * CAPTION_MAX_CHARS and is_photo_credit(text)
              and not re.search(r"撰稿|作者|(?:^|\s)文\s*[/:：]", text)):  # "撰稿：王一 摄影：李二" is a byline
            # before bylines: "图片来源：网络", "摄影：李四" and "新华社记者 宋晨 摄" credit photos;
            # a caption sentence with its credit ("活动现场。 李明摄") is a caption
            kind = "caption" if re.search(f"[{_SENTENCE_FINAL}]", text) or text.startswith(("图为", "图说")) else "photo_credit"
        elif kinds and kinds[-1] == "byline" and bare_role(lines[index - 1].text) and _NAMES_LINE_RE.match(text):
            kind = "byline"  # the names under a bare byline
        elif _LEAD_LINE_RE.match(text):
            # "井冈山讯" or "漯河日报讯（记者 张三）" on a line of its own: the lead of the story,
            # whose name is an outlet or a dateline's place, never a subtitle
            kind = "byline"
        elif is_source_line(text):
            # "2021-04-16 10:20:22来源：黑龙江日报": a date line when it dates the page
            kind = "dateline" if _CLOCK_DATE_RE.search(text) or re.search(_DATE, text) else "byline"
        elif _is_byline_shape(text):
            kind = "byline"
        elif (
            _is_outlet_shape(text)
            and following is not None
            and following.gap_before == 0
            and _is_byline_shape(following.text)
            and re.match(r"^\s*(?:本报)?(?:记者|通讯员|实习生)", _LEAD_MARKS_RE.sub("", following.text))
        ):
            # "齐鲁晚报·齐鲁壹点" right above "记者 于悦": the outlet's half of the byline
            kind = "byline"
        elif _is_caption_shape(text) and (
            line.gap_before > typical or (index == 0 and line.gap_before > 0)
        ):
            kind = "caption"
        elif not seen_body and _is_heading_shape(text, max_chars=TITLE_MAX_CHARS):
            kind = "subtitle" if text.startswith(("——", "—", "--")) or "title" in kinds else "title"
        elif _is_heading_shape(text) and gap_after <= max(typical, 1) + 1:
            kind = "heading"
        else:
            kind = "body"
            seen_body = True
        if kind == "title" and "title" in kinds:
            kind = "subtitle"
        kinds.append(kind)
    return list(zip(kinds, lines))


# ----------------------------------------------------------------------------
# Sentences
# ----------------------------------------------------------------------------

_SENTENCE_RE = re.compile(f"[^{_SENTENCE_FINAL}]*(?:[{_SENTENCE_FINAL}]+[{_CLOSERS}]*|$)")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences at 。！？… (closing quotes stay with their sentence).

    Semicolons do not end a sentence: in official prose they separate the
    items of one enumeration.

    Examples
    --------
    >>> split_sentences("“江山就是人民。”槐荫区开展活动！这是什么？")
    ['“江山就是人民。”', '槐荫区开展活动！', '这是什么？']
    """
    return [s.strip() for s in _SENTENCE_RE.findall(paragraph) if s.strip()]


def block_pairs(blocks: Any | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return one document's blocks as ``(kind, text)`` pairs, in order.

    Parameters
    ----------
    blocks : pandas.DataFrame or iterable of (kind, text)
        Rows of :attr:`Corpus.blocks <corpus_tools.corpus.Corpus.blocks>` (columns ``kind``
        and ``text``; other columns are ignored), or pairs already.

    Returns
    -------
    list of (str, str)
        A text that is not a string (a missing value in a frame) becomes ``""``.

    Raises
    ------
    ValueError
        If a frame lacks ``kind`` or ``text``.
    """
    columns = getattr(blocks, "columns", None)
    if columns is not None:  # a DataFrame; duck-typed so that this module needs no pandas
        missing = {"kind", "text"} - set(columns)
        if missing:
            raise ValueError(f"blocks need the columns 'kind' and 'text'; missing {sorted(missing)}")
        blocks = zip(blocks["kind"], blocks["text"])
    return [(kind, text if isinstance(text, str) else "") for kind, text in blocks]
