"""Separate an article's body from what surrounds it, and find its paragraphs.

Scraped news arrives as lines with blank lines between them. This module
turns a cleaned text (see :mod:`corpus_tools.clean`) into *blocks*: the
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

__all__ = [
    "BLOCK_KINDS",
    "Line",
    "split_lines",
    "join_page_breaks",
    "classify_blocks",
    "split_sentences",
    "block_pairs",
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

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
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
_EDITOR_RE = re.compile(r"^(?:责任编辑|值班编辑|编辑|责编|审核|校对|初审|复审|终审|审校|监制)\s*[:：/]")
_BYLINE_ROLE_RE = re.compile(
    r"(?:记者|通讯员|实习生|特约撰稿人?|撰稿|作者\s*[:：]|^文\s*[/:：]|\s文\s*[/:：]|^图\s*[/:：]|版式\s*[/:：]"
    r"|摄影\s*[/:：]|来源\s*[:：]|融媒体中心\s*[:：/])"
)
_PHOTO_CREDIT_RE = re.compile(r"(?:图片由.{1,30}提供|供图|^图片来源|摄影\s*[:：]|^图\s*[/:：])")
_CHROME_RE = re.compile(
    r"^(?:友情链接|返回顶部|打印本页|关闭窗口|分享到|扫一扫|微信扫一扫|版权所有|上一篇|下一篇|"
    r"网站地图|联系我们|【打印】|【关闭】|【字体|点击量|浏览次数|阅读次数|字号[:：]|相关阅读$|推荐阅读$)"
)


def _is_byline_shape(text: str) -> bool:
    core = _LEAD_MARKS_RE.sub("", text)
    return (
        len(core) <= CAPTION_MAX_CHARS
        and not re.search("[，。！？；]", core)
        and bool(_BYLINE_ROLE_RE.search(core))
    )


def _is_outlet_shape(text: str) -> bool:
    # "齐鲁晚报·齐鲁壹点" on its own line right above "记者 于悦": short, no punctuation but "·".
    return len(text) <= 20 and not re.search("[，。！？；：、“”]", text)


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
    return not re.search(f"[{_HAN}0-9A-Za-z]", text) or bool(_CHROME_RE.match(text))


def _is_meta(text: str) -> bool:
    """Lines that are never body, whatever their neighbours."""
    return bool(
        _DATELINE_RE.match(text)
        or _EDITOR_RE.match(text)
        or _is_chrome(text)
        or _is_byline_shape(text)
        or (len(text) <= CAPTION_MAX_CHARS and _PHOTO_CREDIT_RE.search(text))
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


def _is_unfinished(text: str) -> bool:
    if _ends_sentence(text):
        return False
    if text[-1] in _CONTINUATION_END or _unbalanced(text):
        return True
    return len(text) > HEADING_MAX_CHARS


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
    return out, joins


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
        elif len(text) <= CAPTION_MAX_CHARS and _PHOTO_CREDIT_RE.search(text):
            # before bylines: "图片来源：网络" and "摄影：李四" credit photos, not the article
            kind = "photo_credit"
        elif _is_byline_shape(text):
            kind = "byline"
        elif (
            _is_outlet_shape(text)
            and following is not None
            and following.gap_before == 0
            and _is_byline_shape(following.text)
        ):
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
