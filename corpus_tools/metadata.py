"""Document variables (docvars): the manifest, and what the text itself says.

Two sources fill a document's docvars:

* a **manifest** (``metadata.csv`` beside the texts, or a path given to
  :func:`~corpus_tools.corpus.read_corpus`): one row per file, written by a
  person who read it. It always wins.
* **inference from the blocks** that :mod:`corpus_tools.structure` found:
  title and subtitle, byline names, outlet, page date and publication date.
  Each inferred value keeps its evidence (the line it came from) in an
  ``*_evidence`` column so a reader can check it.

Locality (province, city, district) is not inferred here: it needs a
gazetteer and context, and a wrong guess is worse than a blank.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pandas as pd

__all__ = [
    "MANIFEST_COLUMNS",
    "read_manifest",
    "infer_docvars",
    "parse_date",
    "slugify",
    "group_labels",
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
    "admin_level",
    "script",
    "notes",
)

_DATE_RE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_PUBLICATION_LABEL_RE = re.compile(r"(?:发布|发表|刊发|出版)(?:日期|时间)")
_ROLE_SPLIT_RE = re.compile(r"(本报记者|记者|通讯员|实习生|特约撰稿人?|撰稿|作者|文|图|版式|摄影|编辑)\s*[/:：]?\s*")
# Roles whose names are the article's authors (版式, 摄影, 编辑 … are not).
_WRITING_ROLES = frozenset({"记者", "通讯员", "实习生", "撰稿", "作者", "特约撰稿", "特约撰稿人"})
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
        if _ROLE_SPLIT_RE.fullmatch(part):  # split() returns each captured role between the names
            role = "记者" if part == "本报记者" else part
            continue
        for name in part.split():
            name = name.strip("■ ·")
            if _NAME_RE.match(name) and role in _WRITING_ROLES:
                items.append(f"{role} {name}")
    return items


def infer_docvars(blocks: pd.DataFrame) -> dict[str, str]:
    """Infer title, subtitle, outlet, reporters and dates from one document's blocks.

    Parameters
    ----------
    blocks : pandas.DataFrame
        One document's rows of :attr:`Corpus.blocks <corpus_tools.corpus.Corpus.blocks>`
        (columns ``kind`` and ``text``).

    Returns
    -------
    dict
        Keys ``title``, ``subtitle``, ``outlet``, ``reporters``,
        ``date_published``, ``date_page`` and, for each that was found,
        ``<key>_evidence`` holding the line it came from. Missing values are
        empty strings.

    Notes
    -----
    A date labelled as a publication date (发布日期, 发表时间 …) is the
    publication date; an unlabelled date line (a page header such as
    ``2023年03月29日 星期三``) is the page date, which on scraped pages is
    often the day the page was displayed, not published.
    """
    found: dict[str, str] = {}

    def put(key: str, value: str, evidence: str) -> None:
        if value and not found.get(key):
            found[key] = value
            found[f"{key}_evidence"] = evidence

    for kind, text in zip(blocks["kind"], blocks["text"]):
        if kind == "title":
            put("title", text, text)
        elif kind == "subtitle":
            put("subtitle", text.lstrip("—-– "), text)
        elif kind == "dateline":
            date = parse_date(text)
            if date:
                put("date_published" if _PUBLICATION_LABEL_RE.search(text) else "date_page", date, text)
        elif kind == "byline":
            names = _byline_names(text)
            if names:
                put("reporters", "; ".join(names), text)
            outlet = re.split(r"(?:本报)?(?:记者|通讯员)", text)[0].strip("■ ")
            if outlet and "/" not in outlet and not outlet.startswith("文"):
                put("outlet", outlet, text)
    keys = ("title", "subtitle", "outlet", "reporters", "date_published", "date_page")
    return {k: found.get(k, "") for k in keys} | {
        f"{k}_evidence": found[f"{k}_evidence"] for k in keys if f"{k}_evidence" in found
    }


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
        whole city); otherwise an empty value becomes ``"unknown"``.

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
        labels = labels.where(~empty | (upper == ""), upper + suffix.get(fallback, ""))
    return labels.replace("", "unknown").rename(by)
