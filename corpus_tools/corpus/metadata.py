"""Document variables (docvars): the manifest, and what the text itself says.

Two sources fill a document's docvars:

* a **manifest** (``metadata.csv`` beside the texts, or a path given to
  :func:`~corpus_tools.corpus.read_corpus`): one row per file, written by a
  person who read it. It always wins.
* **inference from the blocks** that :mod:`corpus_tools.corpus.structure` found:
  title and subtitle (a kicker above the main title is told apart), byline
  names, outlet, page date and publication date, and the locality
  (province, city, district, town, admin level) from a gazetteer of
  administrative divisions (:mod:`corpus_tools.corpus.locality`). Each inferred
  value keeps its evidence (the line or phrases it came from) in an
  ``*_evidence`` column so a reader can check it; the locality also has a
  ``locality_confidence`` in [0, 1].

A wrong locality is worse than a blank: inference says "unknown" (empty
strings, ``admin_level`` ``""``) below the deepest level it is sure of.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .locality import infer_locality  # cheap: the gazetteer is loaded on first use
from .structure import bare_role, block_pairs, is_site_name

__all__ = [
    "MANIFEST_COLUMNS",
    "read_manifest",
    "infer_docvars",
    "parse_date",
    "slugify",
    "group_labels",
    "LOCALITY_COLUMNS",
    "LOCALITY_FALLBACK",
    "UNKNOWN_GROUP",
]

#: Columns of a manifest, in order. Only ``file`` is required; ``doc_id``
#: defaults to a slug of the file name.
MANIFEST_COLUMNS = (
    "doc_id",
    "file",
    "title",
    "subtitle",
    "outlet",
    "reporters",
    "date_published",
    "date_page",
    "province",
    "city",
    "district",
    "town",
    "admin_level",
    "script",
    "notes",
)

#: The docvars that say where a document is from. They belong together: a source that states
#: any of them states the document's locality (a blank ``district`` beside a stated ``city``
#: means a city-level text, not a district to infer).
LOCALITY_COLUMNS = ("province", "city", "district", "town", "admin_level")

_DATE_RE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
# 文 and 图 are roles only when a slash or colon follows (文/图 张三, 图：李四): as bare
# characters they occur inside names (陆文杰).
_ROLE_SPLIT_RE = re.compile(
    r"((?:本报记者|记者|通讯员|实习生|特约撰稿人?|撰稿|作者|版式|摄影|编辑)|文/图|图/文|(?:文|图)(?=\s*[/:：]))\s*[/:：]?\s*"
)
_ROLES = {"本报记者", "记者", "通讯员", "实习生", "特约撰稿", "特约撰稿人", "撰稿", "作者", "版式", "摄影", "编辑", "文", "图", "文/图", "图/文"}
# Roles whose names are the article's authors (版式, 摄影, 编辑 … are not).
_WRITING_ROLES = frozenset({"记者", "通讯员", "实习生", "撰稿", "作者", "特约撰稿", "特约撰稿人", "文", "文/图", "图/文"})
_NAME_RE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


def slugify(name: str) -> str:
    """Make a readable, filesystem-safe document id from a file name.

    Examples
    --------
    >>> slugify("000_bb6f8de1c4a960c6.txt")
    '000_bb6f8de1c4a960c6'
    >>> slugify("新闻/槐荫 区.TXT")
    '新闻-槐荫-区'
    """
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", str(name))
    slug = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", stem).strip("-")
    return slug or "doc"


def parse_date(text: str) -> str | None:
    """Return the first ``YYYY-MM-DD`` date written in ``text``, or None.

    Examples
    --------
    >>> parse_date("發布日期:2021-10-22"), parse_date("2023年03月29日 星期三"), parse_date("无")
    ('2021-10-22', '2023-03-29', None)
    """
    match = _DATE_RE.search(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:  # 2021-02-30 is a typo or not a date, not a date to report
        return None


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read a manifest CSV into a DataFrame indexed by ``doc_id``.

    Parameters
    ----------
    path : str or Path
        A UTF-8 CSV with a ``file`` column and any of :data:`MANIFEST_COLUMNS`
        (other columns are kept as extra docvars).

    Returns
    -------
    pandas.DataFrame
        Index ``doc_id``; every value a string (empty where the manifest is
        blank), so nothing is silently turned into a number or a date.

    Raises
    ------
    ValueError
        When ``file`` is missing, a ``doc_id`` or ``file`` repeats, or a file
        path points outside the corpus folder.
    """
    path = Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if "file" not in table.columns:
        raise ValueError(f"{path}: the manifest needs a 'file' column; it has {list(table.columns)}")
    given = table["doc_id"] if "doc_id" in table.columns else pd.Series("", index=table.index)
    table["doc_id"] = given.where(given != "", table["file"].map(slugify))
    for column in ("doc_id", "file"):
        repeated = table[column][table[column].duplicated()].tolist()
        if repeated:
            raise ValueError(f"{path}: {column} values must be unique; repeated: {repeated}")
    for file in table["file"]:
        if Path(file).is_absolute() or ".." in Path(file).parts:
            raise ValueError(
                f"{path}: file {file!r} points outside the corpus folder; "
                "manifest paths must be relative to it"
            )
    ordered = [c for c in MANIFEST_COLUMNS if c in table.columns]
    extra = [c for c in table.columns if c not in MANIFEST_COLUMNS]
    return table[ordered + extra].set_index("doc_id")


# Words that stand where a name would and are not one ("作者： 来源：…", "… 报道").
_NOT_NAMES = frozenset({
    "来源", "报道", "摄影", "编辑", "责编", "审核", "通讯", "记者", "供图", "图片", "文字", "整理", "实习",
    "综合", "本报", "本台", "本网", "融媒体", "时间", "发布", "日期", "视频", "制作", "出品", "监制", "通讯员",
    "摄像", "见习", "特约", "原创", "发表", "浏览", "点击",
})
# A "name" ending like an organisation or a place is not a person ("菏泽台", "乐清之窗").
_ORG_END_RE = re.compile(r"(?:台|网|报|社|站|窗|中心|局|办|委|县|市|区|镇|乡|村|部|院|馆)$")
# Outlet words: a byline prefix containing one names an outlet ("齐鲁晚报·齐鲁壹点记者 于悦");
# an outlet in a news lead ends with one ("新华社北京6月30日电" -> 新华社).
_OUTLET_WORD = r"(?:日报|晚报|早报|报社|报|网|电视台|广播电台|台|社|新闻|在线|客户端|频道|融媒体中心|传媒|之声|周刊|杂志)"
_OUTLET_WORD_RE = re.compile(_OUTLET_WORD)
# "本报" and friends name the page's own outlet without saying which it is.
_NO_OUTLET = frozenset({"本报", "本站", "网络", "本网", "本台", "本刊", "原创", "融媒体", "综合"})


_NEXT_LABEL_RE = re.compile(r"(?:来源|稿源|发布|发表|时间|日期|编辑|责编|浏览|点击|阅读|审核|字号)")


def _person_name(token: str) -> str:
    """Return ``token`` as a person's name (a trailing 摄 of a credit removed), or ``""``."""
    token = token.strip("■ ·•（）()【】[]")
    if len(token) >= 3 and token.endswith("摄"):
        token = token[:-1]
    if not _NAME_RE.match(token) or token in _NOT_NAMES or _ORG_END_RE.search(token):
        return ""
    return token


def _byline_names(byline: str) -> list[str]:
    """Split a byline into ``role name`` items ("记者 于悦; 通讯员 李猛").

    Every name after a writing role counts, whether names are separated by spaces, 、 or ，
    ("通讯员 李猛 裴梦雪", "记者：郑伟 通讯员：胡建峰、丁恒羽"), or glued to the role
    ("记者金朝晖 通讯员梁长海"); a credit's trailing 摄 is not part of the name.
    """
    parts = _ROLE_SPLIT_RE.split(byline)
    items: list[str] = []
    role = ""
    for part in parts:
        if part in _ROLES:  # split() returns each captured role between the names
            role = "记者" if part == "本报记者" else part
            continue
        # the names end where the next label starts: "作者：王一 李二 来源：… 发布时间：…"
        part = _NEXT_LABEL_RE.split(part, maxsplit=1)[0]
        for token in re.split(r"[\s、，,;；:：|]+", part):
            name = _person_name(token)
            if name and role in _WRITING_ROLES:
                items.append(f"{role} {name}")
    return items


def _outlet_in(text: str, *, whole: bool = False) -> str:
    """Return the outlet named by ``text`` (a byline prefix or a lead's head), or ``""``.

    With ``whole`` the text must contain an outlet word (齐鲁晚报·齐鲁壹点); otherwise the outlet is
    the longest prefix ending with one (新华社北京 -> 新华社, 国际在线河南频道), so a dateline's place
    (成都讯, 井冈山讯) names no outlet.
    """
    text = text.strip("■●•·《》 \t【】[]（）()")
    if not text or text in _NO_OUTLET or text.startswith(("本报", "本台", "本网")):
        return ""
    if whole:
        return text if _OUTLET_WORD_RE.search(text) and len(text) <= 20 else ""
    ends = [m.end() for m in _OUTLET_WORD_RE.finditer(text)]
    return text[: ends[-1]] if ends else ""


_SOURCE_RE = re.compile(r"(?:来源|稿源|出处|稿件来源)\s*[:：]\s*([^\s:：|丨【】\[\]]{2,30})")
# Where a source label's value ends when the page glued the next label to it
# ("来源：黑龙江日报编辑：于灵爽").
_SOURCE_TAIL_RE = re.compile(r"(?:责任编辑|编辑|责编|作者|发布|时间|日期|浏览|点击|审核|记者|字号|【|\[).*$")
_AUTHOR_RE = re.compile(r"作者\s*[:：]\s*([\u4e00-\u9fff·]{2,4}(?:[\s、，,]+[\u4e00-\u9fff·]{2,4})*)")
_LABELLED_DATE_RE = re.compile(
    r"(?:(?:发布|发表|刊发|出版|更新)(?:日期|时间)|发表于|时间)\s*[:：]?\s*(\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2})"
)
_CLOCK_RE = re.compile(r"^\s*日?\s*(?:[上下]午)?\s*\d{1,2}[:：]\d{2}")
_SHORT_YEAR_DATE_RE = re.compile(r"(?<![\d\-/.])(\d{2})-(\d{1,2})-(\d{1,2})\s+\d{1,2}:\d{2}")
_WEEKDAY_RE = re.compile(r"星期[一二三四五六日天]|周[一二三四五六日天](?![年月])")
# News leads: 漯河日报讯（记者 张三）/ 本报讯（记者 张三）/ 新华社北京6月30日电（记者 张三）/
# 台海网6月18日讯 / 中国小康网讯 记者金朝晖 / 国际在线河南频道消息： / 国际在线湖北报道：
_LEAD_RE = re.compile(
    r"^[·•■\s]*(?P<head>[^，。；！？“”\s]{2,60}?)(?:\d{1,2}月\d{1,2}日)?"
    r"(?:讯(?![员息号])|电(?=[\s（(]|$)|消息(?=\s*[:：（(])\s*[:：]?|报道\s*[:：])"
    r"\s*(?:[（(](?P<roles>[^）)]{2,60})[）)]|(?P<bare>(?:本报)?(?:记者|通讯员)[^，。：:；]{2,40}))?"
)
_LEAD_ITEM_SPLIT_RE = re.compile(r"、")
_URL_IN_BRACKETS_RE = re.compile(r"[（(]\s*[A-Za-z0-9][A-Za-z0-9.\-/:]*\.[A-Za-z]{2,}[A-Za-z0-9.\-/]*\s*[）)]")
# A byline in brackets closing a paragraph: "…投入使用。（记者 范陈春 通讯员 吴通华）"
_BRACKET_BYLINE_RE = re.compile(
    r"^[（(]\s*((?:本报|特约)?(?:记者|通讯员|实习生)[^（）()]{2,50})[）)]"
    r"|[（(]\s*((?:本报|特约)?(?:记者|通讯员|实习生)[^（）()]{2,50})[）)]\s*$"
)
# A byline glued to the end of a line: "…学习强国、 贵州日报天眼新闻记者华姝"
_TRAILING_BYLINE_RE = re.compile(
    r"(?:^|[\s，、。])(?P<outlet>[\u4e00-\u9fff·]{2,16}?)(?P<roles>(?:记者|通讯员)\s*[\u4e00-\u9fff·]{2,4}"
    r"(?:[\s、]+(?:(?:记者|通讯员)\s*)?[\u4e00-\u9fff·]{2,4})*)$"
)
# A photo credit with a role: "新华社记者 宋晨 摄", "本报通讯员 白凌燕摄", "青海日报记者陆广涛通讯员曲组摄"
_ROLE_CREDIT_RE = re.compile(
    r"(?P<before>[^\s。！？，；“”（(]{0,16}?)(?P<roles>(?:本报)?(?:记者|通讯员)[^。！？，；“”]{2,30}?)\s*(?<!拍)摄(?![影像制])"
)
_KICKER_PUNCT_RE = re.compile("[，、；！]")
# Labels and furniture around a headline: "标题：…[打印本页]", "【“飞阅”中国】…", "原标题：…".
_TITLE_LABEL_RE = re.compile(r"^(?:原?标题|题目)\s*[:：]\s*")
_TITLE_TAG_RE = re.compile(r"^【[^】]{1,20}】\s*|\s*[\[【](?:打印本页|打印|关闭|收藏)[\]】]\s*$")
# A site name appended to a headline, as page titles carry it: "…_某某网", "… | 某某新闻", "… - 某某网".
_TITLE_SITE_SUFFIX_RE = re.compile(
    r"\s*(?:_|\s[|｜\-]\s|[|｜])\s*[^\s_|｜]{2,20}?(?:网|网站|频道|在线|新闻|客户端|日报|晚报|门户|政府)$"
)
#: A run of this many heading-shaped lines before the body is prose set line by line, not a title.
MAX_TITLE_LINES = 3
#: How far into a first paragraph a flattened page's date-and-time line is looked for.
FLATTENED_HEAD_CHARS = 150
#: Longest section name printed above a headline ("时政", "要闻", "本地新闻").
SECTION_NAME_MAX_CHARS = 4


def _split_headline(title: str) -> tuple[str, str] | None:
    """Split "kicker main-title" printed on one line into (main title, kicker), or None.

    A kicker (引题) is a clause with inner punctuation; the main title after the last space
    has none. "学史力行践初心 砥砺奋进开新局" is one title of two halves and is not split.
    """
    head, sep, tail = title.rpartition(" ")
    if not sep or len(tail) < 6 or _KICKER_PUNCT_RE.search(tail) or not _KICKER_PUNCT_RE.search(head):
        return None
    return tail.strip(), head.strip()


def _clean_title(text: str) -> str:
    text = _TITLE_LABEL_RE.sub("", text.strip())
    text = _TITLE_SITE_SUFFIX_RE.sub("", text)
    return _TITLE_TAG_RE.sub("", text).strip()


def _title_block(kinds: list[str], texts: list[str] | None = None) -> list[int]:
    """Indices of the headline's lines: the last run of title lines before the body.

    Navigation, breadcrumbs and section names above the headline are classified as chrome by
    :func:`corpus_tools.corpus.structure.is_page_furniture`; what is left before the first body paragraph
    may still hold several runs of heading-shaped lines (a section name, then the headline, then
    a date line). The headline is the run closest to the body; a run longer than
    :data:`MAX_TITLE_LINES` is prose printed line by line and gives no title. A first line of at
    most :data:`SECTION_NAME_MAX_CHARS` characters above a much longer one is a section name.
    """
    first_body = next((i for i, k in enumerate(kinds) if k == "body"), len(kinds))
    runs: list[list[int]] = []
    for i, kind in enumerate(kinds[:first_body]):
        if kind in {"title", "subtitle"}:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    if not runs or len(runs[-1]) > MAX_TITLE_LINES:
        return []
    run = runs[-1]
    if texts is not None and len(run) > 1:
        first, second = _clean_title(texts[run[0]]), _clean_title(texts[run[1]])
        if len(first) <= SECTION_NAME_MAX_CHARS and len(second) >= max(8, 2 * len(first)) and not second.startswith("—"):
            run = run[1:]  # a section name ("时政") right above the headline
    return run


def _dates(kinds: list[str], texts: list[str], title_at: int | None) -> tuple[tuple[str, str], tuple[str, str]]:
    """Find the publication date and the page date in the front matter.

    Returns ``((date_published, evidence), (date_page, evidence))``, empty strings when none.
    See :func:`infer_docvars` (Notes) for the rules.
    """
    first_body = next((i for i, k in enumerate(kinds) if k == "body"), len(kinds))
    candidates: list[tuple[int, int, str, str]] = []  # (-strength, position, date, line)
    page: list[tuple[int, str, str]] = []
    for i, (kind, text) in enumerate(zip(kinds, texts)):
        front = kind in {"dateline", "byline", "title", "subtitle", "editor", "photo_credit", "chrome"} or (
            i == first_body and len(text) <= 50
        )
        if i == first_body and not front:
            # a page flattened onto one line: "…标题 2021-04-25 10:20 来源：某某网 正文…"; only a date
            # with its clock time and a source label right after it counts, never an event date
            # of the prose ("2021年4月23日上午9:30，…召开")
            match = _DATE_RE.search(text[:FLATTENED_HEAD_CHARS])
            clock = _CLOCK_RE.match(text[match.end():]) if match else None
            if clock and _SOURCE_RE.search(text[match.end() + clock.end():][:40]) and parse_date(match.group(0)):
                candidates.append((-2, i, parse_date(match.group(0)), text[:FLATTENED_HEAD_CHARS]))
            continue
        if not front or (kind == "chrome" and i > first_body):
            continue
        labelled = _LABELLED_DATE_RE.search(text)
        if labelled and parse_date(labelled.group(1)):
            candidates.append((-3, i, parse_date(labelled.group(1)), text))
            continue
        match = _DATE_RE.search(text)
        date = parse_date(text) if match else None
        if date is None:
            short = _SHORT_YEAR_DATE_RE.search(text)
            if short and kind != "body":
                date = parse_date(f"20{short.group(1)}-{short.group(2)}-{short.group(3)}")
                if date:
                    candidates.append((-2, i, date, text))
            continue
        after = text[match.end():]
        sourced = bool(_SOURCE_RE.search(text) or re.search(r"作者\s*[:：]", text))
        # in prose a clock time dates an event ("4月23日上午9:30，…召开"): a body line needs a label
        stated = sourced or (kind != "body" and bool(_CLOCK_RE.match(after)))
        if (_WEEKDAY_RE.search(text) and not sourced) or (kind in {"body", "title", "subtitle"} and not stated):
            # a date with its weekday is the page's today-widget; a date in a headline is an event
            if kind == "dateline":
                page.append((i, date, text))
            continue
        if stated:
            candidates.append((-2, i, date, text))  # "2021年08月28日 09:28 来源：天山网"
        elif kind == "dateline" and title_at is not None and i > title_at:
            candidates.append((-1, i, date, text))  # an unlabelled date line under the headline
        elif kind == "dateline":
            page.append((i, date, text))
    published = min(candidates)[2:] if candidates else ("", "")
    # a date line the publication date did not come from is the page date
    page += [(i, d, t) for _, i, d, t in candidates if (d, t) != published and _ == -1]
    page.sort()
    return published, (page[0][1:] if page else ("", ""))


def infer_docvars(blocks: pd.DataFrame | Sequence[tuple[str, str]]) -> dict[str, object]:
    """Infer title, subtitle, outlet, reporters, dates and locality from one document's blocks.

    Parameters
    ----------
    blocks : pandas.DataFrame or sequence of (kind, text)
        One document's rows of :attr:`Corpus.blocks <corpus_tools.corpus.Corpus.blocks>`
        (columns ``kind`` and ``text``), or the same as ``(kind, text)`` pairs in order.

    Returns
    -------
    dict
        Keys ``title``, ``subtitle``, ``outlet``, ``reporters``, ``date_published``,
        ``date_page`` and, for each that was found, ``<key>_evidence`` holding the line it
        came from; then the locality keys of
        :data:`corpus_tools.corpus.locality.LOCALITY_KEYS`: ``province``, ``city``, ``district``,
        ``town``, ``admin_level``, ``locality_confidence`` (float in [0, 1]) and
        ``locality_evidence`` (always present; ``"no decisive mention"`` when unknown).
        Missing values are empty strings.

    Notes
    -----
    * **Dates.** ``date_published`` is the date the page says the article appeared; it is what
      tables of documents show. In order of strength: a labelled date (发布日期, 发布时间,
      发表于, 本期出版日期, 时间： …) anywhere in the front matter; a date with a clock time or with
      来源/作者 on the same line (``2021年08月28日 09:28 来源：天山网``, a forum post time); an
      unlabelled date line right under the headline. ``date_page`` is any other date printed in
      the page frame that is not the publication date: a header with its weekday
      (``2023年03月29日 星期三``, the day the page was displayed), an unlabelled date line above the
      headline, or an unlabelled date a stronger one overrode. Dates in the body (events) and in
      headlines are never either.
    * **Outlet.** An explicit ``来源：`` label wins (cut where the page glued the next label to it,
      without 《》); then the name before a byline role (``齐鲁晚报·齐鲁壹点记者 于悦``); then a news
      lead (``漯河日报讯（记者 …）``, ``台海网6月18日讯``, ``国际在线河南频道消息：``; of several outlets
      in one lead the one given with its web address); then an outlet named in a closing byline
      or a photo credit with a role (``青海日报记者 陆广涛 摄``); then a site's name alone at the top
      of the page. ``本报`` names no outlet, and a lead whose name ends in no outlet word (报, 网,
      台, 社, 新闻, 在线, 频道 …) is a dateline (``成都讯``: a place), not an outlet.
    * **Reporters.** Every name after 记者, 通讯员, 实习生, 作者, 文/ … (spaces, 、 and ， separate
      names); from the bylines, else the news lead, and from closing bylines in brackets
      (``（记者 张三 通讯员 李四）``), bylines glued to a paragraph's end and photo credits that carry
      a role (``本报通讯员 白凌燕摄``). Photographers without a role (``毕方佳摄``) and editors are
      not reporters.
    * **Title.** Page furniture (breadcrumbs, menus, site actions, column tags) is never a title
      (see :func:`corpus_tools.corpus.structure.is_page_furniture`); the headline is the run of title lines
      closest to the body (:func:`_title_block`), without a ``标题：`` label or a leading column tag
      (【“飞阅”中国】). Two headline lines without a dash are kicker (引题, with inner punctuation)
      and main title; the main title is ``title`` and the kicker ``subtitle``, as the seed
      manifest records them.
    * **Locality.** See :func:`corpus_tools.corpus.locality.infer_locality`; the outlet found here is
      passed as weak evidence.
    """
    found: dict[str, str] = {}

    def put(key: str, value: str, evidence: str, *, override: bool = False) -> None:
        if value and (override or not found.get(key)):
            found[key] = value
            found[f"{key}_evidence"] = evidence

    pairs = block_pairs(blocks)
    kinds = [kind for kind, _ in pairs]
    texts = [text for _, text in pairs]
    first_body = next((i for i, k in enumerate(kinds) if k == "body"), None)

    # ---- title and subtitle: the run of title lines closest to the body
    title_rows = _title_block(kinds, texts)
    for n, i in enumerate(title_rows):
        text = _clean_title(texts[i])
        if not text or (found.get("title") == text):
            continue  # a headline printed twice
        if n == 0:
            split = _split_headline(text)
            if split:
                put("title", split[0], texts[i])
                put("subtitle", split[1], texts[i])
            put("title", text, texts[i])
            continue
        dashed = text.startswith(("——", "—", "--", "–"))
        if not dashed and n == 1 and _KICKER_PUNCT_RE.search(found.get("title", "")) and not found.get("subtitle"):
            # the line above was a kicker (引题): this one is the main title
            kicker, kicker_line = found["title"], found["title_evidence"]
            put("title", text, texts[i], override=True)
            put("subtitle", kicker, kicker_line, override=True)
        else:
            put("subtitle", text.lstrip("—-– "), texts[i])

    # ---- dates
    (published, published_line), (page, page_line) = _dates(kinds, texts, title_rows[0] if title_rows else None)
    put("date_published", published, published_line)
    put("date_page", page, page_line)

    # ---- outlet and reporters, by strength
    outlets: list[tuple[int, int, str, str]] = []  # (-strength, position, outlet, evidence)
    reporter_tiers: dict[int, list[tuple[str, str]]] = {1: [], 2: [], 3: []}  # tier -> (item, evidence)
    for i, (kind, text) in enumerate(zip(kinds, texts)):
        meta = kind in {"dateline", "byline", "title", "subtitle", "editor", "photo_credit"} or (
            i == first_body and len(text) <= 50
        )
        if meta:
            source = _SOURCE_RE.search(text)
            if source:
                value = _SOURCE_TAIL_RE.sub("", source.group(1)).strip("《》〈〉 ")
                if len(value) >= 2 and value not in _NO_OUTLET and not value.startswith(("本报", "本站", "本网", "本台", "本刊")):
                    outlets.append((-5, i, value, text))
        if kind == "byline" or (kind == "dateline" and _AUTHOR_RE.search(text)):
            names = _byline_names(text)
            author = _AUTHOR_RE.search(text)
            if author and not names:
                names = [f"作者 {n}" for n in re.split(r"[\s、，,]+", author.group(1)) if _person_name(n)]
            bare = bare_role(text)
            if not names and bare and i + 1 < len(texts):
                # a bare byline ("本报记者") with the names on the line below it
                tokens = re.split(r"[\s、，,]+", texts[i + 1].strip())
                if 0 < len(tokens) <= 8 and all(_person_name(t) for t in tokens):
                    role = "记者" if bare == "本报记者" else bare
                    names = [f"{role} {_person_name(t)}" for t in tokens]
                    text = f"{text} {texts[i + 1]}"
            reporter_tiers[1] += [(n, text) for n in names]
            if not _SOURCE_RE.search(text) and not _LEAD_RE.match(text):
                prefix = re.split(r"(?:本报)?(?:记者|通讯员)", text)[0]
                if "/" not in prefix and not prefix.strip("■ ").startswith(("文", "作者", "发布")) and not parse_date(prefix):
                    outlet = _outlet_in(prefix, whole=True)
                    if outlet:
                        outlets.append((-4, i, outlet, text))
        if (kind == "body" and i == first_body) or (kind == "byline" and _LEAD_RE.match(text)):
            lead = _LEAD_RE.match(text)
            if lead:
                roles = lead.group("roles") or lead.group("bare") or ""
                reporter_tiers[2] += [(n, lead.group(0)) for n in _byline_names(roles)]
                heads = _LEAD_ITEM_SPLIT_RE.split(lead.group("head"))
                named = [(bool(_URL_IN_BRACKETS_RE.search(h)), _outlet_in(_URL_IN_BRACKETS_RE.sub("", h))) for h in heads]
                named = [(url, o) for url, o in named if o]
                if named:
                    # of several outlets in one lead, the one given with its web address
                    best = next((o for url, o in named if url), named[0][1])
                    outlets.append((-3, i, best, lead.group(0)))
        if kind in {"body", "caption", "photo_credit", "heading", "byline"} and ("记者" in text or "通讯员" in text
                                                                                or "实习生" in text):
            # (a paragraph naming no reporter's role is skipped: the patterns below are costly)
            bracket = _BRACKET_BYLINE_RE.search(text)
            if bracket:
                roles = bracket.group(1) or bracket.group(2)
                reporter_tiers[3] += [(n, bracket.group(0)) for n in _byline_names(roles)]
            trailing = _TRAILING_BYLINE_RE.search(text) if not bracket and kind != "byline" else None
            if trailing:
                outlet = _outlet_in(trailing.group("outlet"))
                if outlet and outlet == trailing.group("outlet").strip("·"):
                    reporter_tiers[3] += [(n, trailing.group(0).strip()) for n in _byline_names(trailing.group("roles"))]
                    outlets.append((-2, i, outlet, trailing.group(0).strip()))
            for credit in _ROLE_CREDIT_RE.finditer(text) if "摄" in text else ():
                reporter_tiers[3] += [(n, credit.group(0).strip()) for n in _byline_names(credit.group("roles"))]
                outlet = _outlet_in(credit.group("before"))
                if outlet and outlet == credit.group("before").strip("·"):
                    outlets.append((-2, i, outlet, credit.group(0).strip()))
        if kind == "chrome" and (first_body is None or i < first_body) and is_site_name(text):
            outlets.append((-1, i, text.strip(), text))
    if outlets:
        _, _, outlet, evidence = min(outlets)
        put("outlet", outlet, evidence)
    # the byline wins over the news lead; closing brackets and credits with a role add to either
    items = (reporter_tiers[1] or reporter_tiers[2]) + reporter_tiers[3]
    if items:
        names: dict[str, str] = {}
        for item, _ in items:  # one entry per person, in order, with the first role found
            names.setdefault(item.split(" ", 1)[1], item)
        put("reporters", "; ".join(names.values()), " | ".join(dict.fromkeys(e for _, e in items)))
    keys = ("title", "subtitle", "outlet", "reporters", "date_published", "date_page")
    out: dict[str, object] = {k: found.get(k, "") for k in keys}
    out |= {f"{k}_evidence": found[f"{k}_evidence"] for k in keys if f"{k}_evidence" in found}
    out |= infer_locality(pairs, outlet=out["outlet"] or None).as_docvars()
    return out


#: For locality docvars, where to look when a document has no value: a
#: city-level report has no district, so it is labelled by its city.
LOCALITY_FALLBACK = {"district": ("district", "city", "province"), "city": ("city", "province")}

#: The label of a document that has no value for the grouping docvar (and no fallback).
UNKNOWN_GROUP = "unknown"

# what a fallback label says about the upper level: the whole of it, or somewhere in it
_WHOLE_SUFFIX = {"city": "（全市）", "province": "（全省）"}
_UNDECIDED_SUFFIX = "（未定）"


def group_labels(docvars: pd.DataFrame, by: str) -> pd.Series:
    """Label each document by the docvar ``by``: the one grouping rule of the package.

    Every ``by=`` of the analyses, :meth:`DocTermMatrix.group
    <corpus_tools.dtm.DocTermMatrix.group>` and ``open_corpus(by=...)`` label documents
    with this function, so that a document is in the same group everywhere.

    Parameters
    ----------
    docvars : pandas.DataFrame
        One row per document (or unit), indexed by ``doc_id`` (or ``unit_id``).
    by : str
        A docvar column, or the name of the index (``"doc_id"``): each document its own group.

    Returns
    -------
    pandas.Series
        One label per row, index as ``docvars``'s, named ``by``. Labels are strings, except
        that a categorical docvar stays categorical: its categories, in their order, are the
        groups' order, and labels it lacks (a fallback, :data:`UNKNOWN_GROUP`) are added after
        them.

    Raises
    ------
    KeyError
        When ``by`` is neither a docvar nor the index's name; the message lists the docvars
        there are (and, for ``group``, how to get one).

    Notes
    -----
    The rule, in order:

    1. A document's own value of ``by`` is its label (converted to ``str``).
    2. For ``district`` and ``city`` (:data:`LOCALITY_FALLBACK`), a document without a value
       is labelled by the next level up that it has, with a ``（全市）`` or ``（全省）`` suffix:
       a city-level summary is not "unknown", it is the whole city. Where an ``admin_level``
       docvar says the text is *not* about that upper level as a whole (inference knew the
       city but not the district), the suffix is ``（未定）`` instead.
    3. Any other missing, empty or blank value is :data:`UNKNOWN_GROUP` (``"unknown"``).

    Examples
    --------
    >>> dv = pd.DataFrame({"district": ["槐荫区", ""], "city": ["济南市", "济南市"],
    ...                    "province": ["山东省", "山东省"]}, index=["a", "b"])
    >>> group_labels(dv, "district").tolist()
    ['槐荫区', '济南市（全市）']
    >>> dv["admin_level"] = ["district", ""]  # 我区 in 济南, but which district is unknown
    >>> group_labels(dv, "district").tolist()
    ['槐荫区', '济南市（未定）']
    >>> group_labels(dv.rename_axis("doc_id"), "doc_id").tolist()
    ['a', 'b']
    """
    if by not in docvars.columns:
        if by is not None and by == docvars.index.name:
            return pd.Series(docvars.index.astype(str), index=docvars.index, name=by)
        hint = " (open the corpus with open_corpus(..., by=...) to get a 'group' docvar)" if by == "group" else ""
        raise KeyError(f"by={by!r}: no docvar {by!r}{hint}; docvars are {list(docvars.columns)}")
    values = docvars[by]
    labels = values.astype(object).where(values.notna(), "").astype(str)
    # the Corpus writes "" for what it could not find; a blank is no label either
    labels = labels.where(labels.str.strip() != "", "")
    for fallback in LOCALITY_FALLBACK.get(by, (by,))[1:]:
        if fallback not in docvars.columns:
            continue
        empty = labels == ""
        upper = docvars[fallback].fillna("").astype(str)
        ending = pd.Series(_WHOLE_SUFFIX.get(fallback, ""), index=docvars.index)
        if "admin_level" in docvars.columns and fallback in _WHOLE_SUFFIX:
            whole = docvars["admin_level"].fillna("").astype(str) == fallback
            ending = ending.where(whole, _UNDECIDED_SUFFIX)
        labels = labels.where(~empty | (upper == ""), upper + ending)
    labels = labels.replace("", UNKNOWN_GROUP).rename(by)
    if isinstance(values.dtype, pd.CategoricalDtype):
        # the categories' order is the analyst's order of the groups: keep it
        categories = [str(c) for c in values.cat.categories]
        known = set(categories)  # built once: a set inside the condition is rebuilt for every label
        extra = [label for label in pd.unique(labels) if label not in known]
        labels = labels.astype(pd.CategoricalDtype([*categories, *extra], ordered=values.cat.ordered))
    return labels
