"""Document variables (docvars): the manifest, and what the text itself says.

Two sources fill a document's docvars:

* a **manifest** (``metadata.csv`` beside the texts, or a path given to
  :func:`~corpus_tools.corpus.read_corpus`): one row per file, written by a
  person who read it. It always wins.
* **inference from the blocks** that :mod:`corpus_tools.structure` found:
  title and subtitle (a kicker above the main title is told apart), byline
  names, outlet, page date and publication date, and the locality
  (province, city, district, town, admin level) from a gazetteer of
  administrative divisions (:mod:`corpus_tools.locality`). Each inferred
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
from .structure import block_pairs

__all__ = [
    "MANIFEST_COLUMNS",
    "read_manifest",
    "infer_docvars",
    "parse_date",
    "slugify",
    "group_labels",
    "LOCALITY_COLUMNS",
    "LOCALITY_FALLBACK",
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
_PUBLICATION_LABEL_RE = re.compile(r"(?:发布|发表|刊发|出版)(?:日期|时间)")
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


def _byline_names(byline: str) -> list[str]:
    """Split a byline into ``role name`` items ("记者 于悦; 通讯员 李猛")."""
    parts = _ROLE_SPLIT_RE.split(byline)
    items: list[str] = []
    role = ""
    for part in parts:
        if part in _ROLES:  # split() returns each captured role between the names
            role = "记者" if part == "本报记者" else part
            continue
        for name in part.split():
            name = name.strip("■ ·")
            if _NAME_RE.match(name) and role in _WRITING_ROLES:
                items.append(f"{role} {name}")
    return items


_SOURCE_RE = re.compile(r"(?:来源|稿源|出处)\s*[:：]\s*([^\s:：|丨]{2,20})")
_AUTHOR_RE = re.compile(r"作者\s*[:：]\s*([\u4e00-\u9fff·]{2,4}(?:[\s、，,]+[\u4e00-\u9fff·]{2,4})*)")
_LABELLED_DATE_RE = re.compile(
    r"(?:发布|发表|刊发|出版)(?:日期|时间)\s*[:：]?\s*(\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2})"
)
# 漯河日报讯（记者 张三 通讯员 李四）/ 本报讯（记者 张三）/ 新华社北京6月30日电（记者 张三）
_NEWS_LEAD_RE = re.compile(
    r"^(?:(?P<wire>[\u4e00-\u9fff]{1,8}?(?:社|网|台|报))[\u4e00-\u9fff]{0,8}?\d{1,2}月\d{1,2}日电"
    r"|(?P<outlet>[\u4e00-\u9fff·]{2,12}?)讯)\s*[（(](?P<roles>[^）)]{2,60})[）)]"
)
_KICKER_PUNCT_RE = re.compile("[，、；！]")


def _split_headline(title: str) -> tuple[str, str] | None:
    """Split "kicker main-title" printed on one line into (main title, kicker), or None.

    A kicker (引题) is a clause with inner punctuation; the main title after the last space
    has none. "学史力行践初心 砥砺奋进开新局" is one title of two halves and is not split.
    """
    head, sep, tail = title.rpartition(" ")
    if not sep or len(tail) < 6 or _KICKER_PUNCT_RE.search(tail) or not _KICKER_PUNCT_RE.search(head):
        return None
    return tail.strip(), head.strip()


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
        :data:`corpus_tools.locality.LOCALITY_KEYS`: ``province``, ``city``, ``district``,
        ``town``, ``admin_level``, ``locality_confidence`` (float in [0, 1]) and
        ``locality_evidence`` (always present; ``"no decisive mention"`` when unknown).
        Missing values are empty strings.

    Notes
    -----
    * Dates: a date labelled as a publication date (发布日期, 发表时间 …) anywhere in the
      front matter or bylines is the publication date and wins over any other; an unlabelled
      date line (a page header such as ``2023年03月29日 星期三``) is the page date, which on
      scraped pages is often the day the page was displayed, not published.
    * Outlet: an explicit ``来源：`` label wins over the name before a byline role
      (``齐鲁晚报·齐鲁壹点记者 于悦``), which wins over a news lead (``漯河日报讯（记者 …）``);
      ``本报`` names no outlet.
    * Title: two headline lines without a dash are kicker (引题, with inner punctuation) and
      main title; the main title is ``title`` and the kicker ``subtitle``, as the seed
      manifest records them.
    * Locality: see :func:`corpus_tools.locality.infer_locality`; the outlet found here is
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
    title_rows = [i for i, k in enumerate(kinds) if k in {"title", "subtitle"}]
    first_body = next((i for i, k in enumerate(kinds) if k == "body"), None)
    for i, (kind, text) in enumerate(zip(kinds, texts)):
        if kind == "title":
            split = _split_headline(text)
            if split and not found.get("title"):
                put("title", split[0], text)
                put("subtitle", split[1], text)
            put("title", text, text)
        elif kind == "subtitle":
            dashed = text.startswith(("——", "—", "--", "–"))
            earlier = [j for j in title_rows if j < i]
            if (not dashed and earlier and kinds[earlier[-1]] == "title"
                    and found.get("title") == texts[earlier[-1]] and _KICKER_PUNCT_RE.search(found["title"])):
                # the line above was a kicker (引题): this one is the main title
                kicker = found["title"]
                put("title", text, text, override=True)
                put("subtitle", kicker, kicker, override=True)
            else:
                put("subtitle", text.lstrip("—-– "), text)
        # labelled lines: in the front matter and bylines, or a short first "body" line that is
        # really a source line (a long paragraph's "资金来源：" is not one)
        if kind in {"dateline", "byline", "title", "subtitle", "editor", "photo_credit"} or (
            i == first_body and len(text) <= 50
        ):
            labelled = _LABELLED_DATE_RE.search(text)
            if labelled and parse_date(labelled.group(1)):
                put("date_published", parse_date(labelled.group(1)), text)
            source = _SOURCE_RE.search(text)
            if source and source.group(1) not in {"本报", "本站", "网络"}:
                put("outlet", source.group(1), text, override=True)
        if kind == "dateline":
            date = parse_date(text)
            if date and not _PUBLICATION_LABEL_RE.search(text):
                put("date_page", date, text)
        elif kind == "byline":
            names = _byline_names(text)
            author = _AUTHOR_RE.search(text)
            if author and not names:
                names = [f"作者 {n}" for n in re.split(r"[\s、，,]+", author.group(1)) if _NAME_RE.match(n)]
            if names:
                put("reporters", "; ".join(names), text)
            if not _SOURCE_RE.search(text):
                outlet = re.split(r"(?:本报)?(?:记者|通讯员)", text)[0].strip("■ ")
                if outlet and "/" not in outlet and not outlet.startswith(("文", "作者", "发布")) and not parse_date(outlet):
                    put("outlet", outlet, text)
        elif i == first_body:
            lead = _NEWS_LEAD_RE.match(text)
            if lead:
                names = _byline_names(lead.group("roles"))
                if names:
                    put("reporters", "; ".join(names), lead.group(0))
                outlet = lead.group("wire") or lead.group("outlet")
                if not outlet.startswith("本"):
                    put("outlet", outlet, lead.group(0))
    keys = ("title", "subtitle", "outlet", "reporters", "date_published", "date_page")
    out: dict[str, object] = {k: found.get(k, "") for k in keys}
    out |= {f"{k}_evidence": found[f"{k}_evidence"] for k in keys if f"{k}_evidence" in found}
    out |= infer_locality(pairs, outlet=out["outlet"] or None).as_docvars()
    return out


#: For locality docvars, where to look when a document has no value: a
#: city-level report has no district, so it is labelled by its city.
LOCALITY_FALLBACK = {"district": ("district", "city", "province"), "city": ("city", "province")}


def group_labels(docvars: pd.DataFrame, by: str) -> pd.Series:
    """Label each document by the docvar ``by``, for grouping.

    Parameters
    ----------
    docvars : pandas.DataFrame
        Indexed by ``doc_id``.
    by : str
        A docvar column. For ``district`` and ``city``, a document without
        a value is labelled by the next level up with a ``（全市）`` or
        ``（全省）`` suffix (a city-level summary is not "unknown", it is the
        whole city); otherwise an empty value becomes ``"unknown"``. Where an
        ``admin_level`` docvar says the text is *not* about that upper level
        as a whole (inference knew the province but not the district), the
        suffix is ``（未定）`` instead.

    Returns
    -------
    pandas.Series
        One label per document, index ``doc_id``, named ``by``.

    Raises
    ------
    KeyError
        When ``by`` is not a docvar; the message lists the docvars there are.

    Examples
    --------
    >>> dv = pd.DataFrame({"district": ["槐荫区", ""], "city": ["济南市", "济南市"],
    ...                    "province": ["山东省", "山东省"]}, index=["a", "b"])
    >>> group_labels(dv, "district").tolist()
    ['槐荫区', '济南市（全市）']
    >>> dv["admin_level"] = ["district", ""]  # 我区 in 济南, but which district is unknown
    >>> group_labels(dv, "district").tolist()
    ['槐荫区', '济南市（未定）']
    """
    if by not in docvars.columns:
        raise KeyError(f"group_by={by!r} is not a docvar; available: {list(docvars.columns)}")
    labels = docvars[by].fillna("").astype(str)
    suffix = {"city": "（全市）", "province": "（全省）"}
    for fallback in LOCALITY_FALLBACK.get(by, (by,))[1:]:
        if fallback not in docvars.columns:
            continue
        empty = labels == ""
        upper = docvars[fallback].fillna("").astype(str)
        ending = pd.Series(suffix.get(fallback, ""), index=docvars.index)
        if "admin_level" in docvars.columns and fallback in suffix:
            whole = docvars["admin_level"].fillna("").astype(str) == fallback
            ending = ending.where(whole, "（未定）")
        labels = labels.where(~empty | (upper == ""), upper + ending)
    return labels.replace("", "unknown").rename(by)
