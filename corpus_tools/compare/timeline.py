"""Timeline: dated events per group, years resolved from context, and the mobilisation lag.

Reports date what they did in 月日 form (3月11日, 4月以来, 6月下旬至7月上旬) and rarely name the
year. :func:`dated_events` finds every date mention, resolves its year (stated, from an earlier
full date in the same report, from 今年 and the publication date, or from a year you supply),
labels the event with the clause that follows and flags the locality's own mobilisation meeting
(党史学习教育动员大会). :func:`mobilisation_lag` measures how long after the central meeting
(Beijing, 20 February 2021) each locality held its own; :func:`plot_timeline` draws it all.

Examples
--------
>>> from corpus_tools.corpus import corpus_from_texts
>>> corp = corpus_from_texts({"a": "2021年3月11日，甲区召开党史学习教育动员大会。4月2日，甲区举办专题读书班。"})
>>> events = dated_events(corp, by="doc_id")
>>> events[["date", "year_source", "event", "is_mobilisation"]].values.tolist()
[['2021-03-11', 'explicit', '甲区召开党史学习教育动员大会', True], ['2021-04-02', 'context', '甲区举办专题读书班', False]]
>>> mobilisation_lag(events)[["group", "local_date", "lag_days"]].values.tolist()
[['a', '2021-03-11', 19]]
"""

from __future__ import annotations

import calendar
import functools
import re
from typing import TYPE_CHECKING, Literal

import pandas as pd

from ..corpus.metadata import group_labels
from ..parallel import map_documents, n_workers
from .meetings import MEETING_RE, attribute_meetings
from .spans import CLAUSE_END_RE, paragraph_starts, paragraph_unit_id, sentence_bounds

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..corpus import Corpus

__all__ = ["EVENT_COLUMNS", "LAG_COLUMNS", "CAMPAIGN_WINDOW", "CENTRAL_MOBILISATION_DATE", "dated_events",
           "mobilisation_lag", "plot_timeline"]

#: The central mobilisation meeting of the campaign (党史学习教育动员大会), Beijing.
CENTRAL_MOBILISATION_DATE = "2021-02-20"
#: First and last day of the 2021 campaign (ISO): the year 2021, plus January 2022, when
#: localities held their summing-up meetings. Dates outside it are flagged, not dropped.
CAMPAIGN_WINDOW = ("2021-01-01", "2022-01-31")

#: Columns of :func:`dated_events`.
EVENT_COLUMNS = (
    "doc_id", "group", "unit_id", "start", "end", "text", "date", "date_start", "date_end",
    "date_precision", "year", "month", "day", "year_source", "relation", "event", "mobilisation",
    "is_mobilisation", "undated_local_mention", "sentence", "date_role", "out_of_window", "meeting_level",
)
#: Columns of :func:`mobilisation_lag`.
LAG_COLUMNS = ("group", "status", "local_date", "lag_days", "date_precision", "doc_id", "evidence")

_CN = "〇零一二三四五六七八九十"
_YEAR = r"(?:19|20)\d{2}|[一二][〇零一二三四五六七八九]{3}"
_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
_PART = r"上旬|中旬|下旬|初|底|末"
_DATE_RE = re.compile(
    rf"(?<![\d{_CN}每第])"
    rf"(?:(?P<rel>今年|去年|明年|当年|同年)|(?P<year>{_YEAR})年)?"
    rf"(?:(?P<month0>{_MONTH})(?:月(?:份)?)?(?:-|—|－|~|～|至|到))?"
    rf"(?P<month>{_MONTH})月(?:份)?"
    rf"(?:(?P<day>{_DAY})[日号])?"
    rf"(?P<part>{_PART})?"
    rf"(?:(?:至|到|—|－|-|~|～)(?:(?P<year2>{_YEAR})年)?(?:(?P<month2>{_MONTH})月)?(?:(?P<day2>{_DAY})[日号])?(?P<part2>{_PART})?)?"
    r"(?P<after>以来|之前|以前|前|之后|以后|后|起)?"
)
_RELATION = {"以来": "since", "起": "since", "前": "before", "之前": "before", "以前": "before",
             "后": "after", "之后": "after", "以后": "after"}
_PART_DAYS = {"上旬": (1, 10), "初": (1, 10), "中旬": (11, 20), "下旬": (21, None), "底": (21, None), "末": (21, None)}

# A date that closes a period or cuts off a count is not an event: 截至6月底 (``as_of``),
# 到8月底结束, 6月底前完成 (``deadline``).
_AS_OF_BEFORE_RE = re.compile(r"(?:截至|截止|截止到|截止至)$")
_DEADLINE_BEFORE_RE = re.compile(r"(?:到|至|直到|直至)$")
_DEADLINE_AFTER_RE = re.compile(r"(?:结束|为止|截止|止[，,。；;])")
# A month in Chinese numerals followed by one of these is a name (十月村, 五月花, 六月雪); not 里
# or 天 (六月里, 三月天 are times) nor 花开 (五月花开: flowers in May).
_NAME_AFTER_RE = re.compile(r"(?:村|镇|乡|街|路|巷|社区|小区|花(?!开|香|盛|绽|正)|园|广场|公园|大道|屯|庄|寨|湾|桥|坪|楼|"
                            r"大厦|酒店|宾馆|剧场|小学|中学|学校|雪)")
_TIME_OF_DAY_RE = re.compile(r"^(?:上午|下午|中午|晚上|晚|早上|一大早|凌晨|期间|当天|当日)")
_MAX_EVENT_CHARS = 40


def _number(text: str | None) -> int | None:
    """Value of a month, day or year written in Arabic or Chinese numerals."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
    if "十" in text:
        tens, _, units = text.partition("十")
        return (digits[tens] if tens else 1) * 10 + (digits[units] if units else 0)
    return int("".join(str(digits[c]) for c in text))


def _publication(value) -> pd.Timestamp | None:
    """The publication date a ``date_published`` docvar gives, or None."""
    # Only the date the article appeared lends a year to its event dates: ``date_page`` is another
    # date of the page frame (a weekday header, a crawl date years later), not the article's.
    if isinstance(value, str) and value.strip():
        return _parse_day(value.strip())
    return None


@functools.lru_cache(maxsize=4096)
def _parse_day(value: str) -> pd.Timestamp | None:
    # Parsing one date string costs about 0.4 ms and a corpus repeats few of them.
    stamp = pd.to_datetime(value, errors="coerce")
    return None if pd.isna(stamp) else stamp


def _event_label(text: str, end: int, sentence_end: int) -> str:
    """The clause after the date: skip a comma and a time of day; if empty, the next clause."""
    position = end
    for _ in range(3):
        while position < sentence_end and CLAUSE_END_RE.match(text, position):
            position += 1
        rest = text[position:sentence_end]
        skip = _TIME_OF_DAY_RE.match(rest)
        if skip:
            position += skip.end()
            rest = rest[skip.end():]
        stop = CLAUSE_END_RE.search(rest)
        clause = rest[:stop.start() if stop else len(rest)].strip()
        if len(re.findall(r"[\u4e00-\u9fff]", clause)) >= 2:
            return clause[:_MAX_EVENT_CHARS]
        position += len(clause)
        if position >= sentence_end:
            break
    return ""


#: Locality levels and the docvars that name them, widest first.
_LOCALITY_DOCVARS = (("province", "province"), ("city", "city"), ("county", "district"), ("town", "town"))


def _own_localities(docvars: dict, by: str) -> dict[str, str]:
    """The document's own province/city/county/town names from its docvars (empty ones left out).

    `docvars` maps docvar names to the document's values. Grouped by a locality docvar, levels
    below it are left out too: grouped by district, a town's report speaks for its county.
    """
    own = {}
    depth = next((k for k, (_, column) in enumerate(_LOCALITY_DOCVARS) if column == by), len(_LOCALITY_DOCVARS) - 1)
    for level, column in _LOCALITY_DOCVARS[:depth + 1]:
        value = docvars.get(column)
        if isinstance(value, str) and value.strip():
            own[level] = value.strip()
    return own


def _day(value, name: str) -> pd.Timestamp:
    """`value` as a day, or an error that names the parameter."""
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an ISO date such as '2021-02-20', got {value!r}") from error
    if pd.isna(day):
        raise ValueError(f"{name} must be an ISO date such as '2021-02-20', got {value!r}")
    return day


def _window(window, name: str = "window") -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day of `window`, checked."""
    if isinstance(window, str) or len(window) != 2:
        raise ValueError(f"{name} must be (first day, last day), got {window!r}")
    first_day, last_day = _day(window[0], f"{name}[0]"), _day(window[1], f"{name}[1]")
    if last_day < first_day:
        raise ValueError(f"{name} must be (first day, last day), got {window!r}")
    return first_day, last_day


def _document_events(
    item: tuple[str, str, str, dict],
    *,
    by: str,
    default_year: int | None,
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    central: pd.Timestamp,
) -> list[dict]:
    """The date mentions of one document (rows of :func:`dated_events` with ``_sentence_span``).

    `item` is ``(doc_id, text, group, docvars)``: the body, its group label and its
    ``date_published`` and locality docvars (name to value).
    """
    doc_id, text, group, docvars = item
    published = _publication(docvars.get("date_published"))
    own = _own_localities(docvars, by)
    current_years = (range(published.year - 1, published.year + 1) if published is not None
                     else range(first_day.year - 1, last_day.year + 1))
    starts = paragraph_starts(text)
    context_year: int | None = None
    last_year: int | None = None  # the last explicit year, history included: 同年 refers to it
    doc_rows = []
    for match in _DATE_RE.finditer(text):
        month = _number(match.group("month"))
        day = _number(match.group("day"))
        if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
            continue
        if (not match.group("day") and not match.group("part") and not match.group("year")
                and not match.group("rel") and not match.group("after") and not match.group("month").isdigit()
                and _NAME_AFTER_RE.match(text, match.end())):
            continue  # 十月村, 五月花: a name
        month0 = _number(match.group("month0"))
        if month0 is not None and not 1 <= month0 <= 12:
            continue
        start_month = month0 if month0 is not None else month
        rel = match.group("rel") or ""
        year = year_source = None
        if match.group("year"):
            year, year_source = _number(match.group("year")), "explicit"
            last_year = year
            if year in current_years:
                context_year = year  # history (1928年5月) lends no year to later dates
        elif rel in ("今年", "去年", "明年"):
            base = published.year if published is not None else (context_year or default_year)
            if base is not None:
                year, year_source = base + {"今年": 0, "去年": -1, "明年": 1}[rel], "relative"
        elif rel in ("当年", "同年") and (last_year or context_year) is not None:
            year, year_source = last_year or context_year, "context"
        elif context_year is not None:
            year, year_source = context_year, "context"
        elif published is not None:
            year = published.year - (1 if start_month > published.month else 0)
            year_source = "publication"
        elif default_year is not None:
            year, year_source = default_year, "default"

        part = match.group("part")
        precision = "day" if day is not None else "month"
        end_year = _number(match.group("year2")) or year
        month2 = _number(match.group("month2"))
        day2 = _number(match.group("day2"))
        part2 = match.group("part2")
        has_range = bool(month2 or day2 or part2)
        single_start = month0 is None  # 1-5月份 is a range of whole months
        bounds = _bounds(year, start_month, day if single_start else None, part if single_start else None,
                         end_year, (month2 or month) if has_range else month,
                         day2 if has_range else (day if single_start else None),
                         part2 if has_range else part,
                         wraps=not match.group("year2"))
        if year is None:
            iso = f"--{start_month:02d}" + (f"-{day:02d}" if precision == "day" and month0 is None else "")
        else:
            iso = f"{year:04d}-{start_month:02d}" + (f"-{day:02d}" if precision == "day" and month0 is None else "")
        start, end = match.span()
        sentence_start, sentence_end = sentence_bounds(text, start, end)
        preceding = text[max(0, start - 4):start]
        if _AS_OF_BEFORE_RE.search(preceding):
            role = "as_of"
        elif (_DEADLINE_BEFORE_RE.search(preceding) or _DEADLINE_AFTER_RE.match(text, end)
              or (match.group("after") in ("前", "之前", "以前") and text[end:end + 1] != "夕")):  # 7月1日前夕: an eve
            role = "deadline"
        else:
            role = "event"
        outside = bool(not pd.isna(bounds[0]) and (bounds[1] < first_day or bounds[0] > last_day))
        doc_rows.append({
            "doc_id": doc_id,
            "group": group,
            "unit_id": paragraph_unit_id(doc_id, starts, start),
            "start": start,
            "end": end,
            "text": match.group(),
            "date": iso,
            "date_start": bounds[0],
            "date_end": bounds[1],
            "date_precision": precision if month0 is None else "month",
            "year": year,
            "month": start_month,
            "day": day if month0 is None else None,
            "year_source": year_source or "",
            "relation": _RELATION.get(match.group("after") or "", ""),
            "event": _event_label(text, end, sentence_end),
            "mobilisation": "",
            "undated_local_mention": False,
            "sentence": text[sentence_start:sentence_end].strip(),
            "date_role": role,
            "out_of_window": outside,
            "meeting_level": "",
            "_sentence_span": (sentence_start, sentence_end),
        })
    attribute_meetings(text, doc_rows, own, central=central)
    return doc_rows


def dated_events(
    corpus: "Corpus",
    *,
    by: str = "group",
    default_year: int | None = None,
    window: tuple[str, str] = CAMPAIGN_WINDOW,
    central_date: str = CENTRAL_MOBILISATION_DATE,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Find every dated event (a 月日 expression) and resolve its year.

    Parameters
    ----------
    corpus : Corpus
        Dates are read from the cleaned bodies, :attr:`Corpus.texts`; publication dates from the
        docvars ``date_published`` (or, failing that, ``date_page``).
    by : str, default "group"
        The docvar that labels documents (``doc_id`` labels each by itself; locality docvars
        fall back as in :func:`corpus_tools.corpus.metadata.group_labels`).
    default_year : int, optional
        The year of dates nothing else resolves (``year_source == "default"``), e.g. 2021 for a
        corpus of 2021 campaign reports without publication dates. None leaves such dates
        without a year (``date`` holds ``--MM-DD``, ``date_start`` is NaT).
    window : (str, str), default :data:`CAMPAIGN_WINDOW`
        First and last day (ISO) of the campaign; dates wholly outside it are flagged in
        ``out_of_window``. Explicit years outside it (and the year before it) are history: they
        are never lent to later dates.
    central_date : str, default "2021-02-20"
        The central mobilisation meeting (ISO); only a date on that day (or in that month, for a
        month-precision date) can date a mention of the central meeting.

        The table remembers `window` and `central_date` (``attrs``): :func:`mobilisation_lag`
        and :func:`plot_timeline` use them unless told otherwise, so the campaign's dates are
        given once.
    n_jobs : int or None, default None
        Processes for reading the documents (:func:`corpus_tools.parallel.map_documents`):
        ``None`` uses every core from :data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` body
        characters on and one process below; ``-1`` every core; ``k`` that many. The table
        is the same whatever `n_jobs`: each document's years are resolved from that document
        alone.

    Returns
    -------
    pandas.DataFrame
        One row per date mention, in document order: ``doc_id, group``, ``unit_id`` (the
        paragraph), ``start, end`` (offsets of the date expression in ``corpus.texts[doc_id]``),
        ``text`` (the expression, e.g. ``今年2月20日``, ``6月下旬至7月上旬``, ``4月以来``),
        ``date`` (ISO ``YYYY-MM-DD`` or ``YYYY-MM`` by precision; ``--MM-DD``/``--MM`` when the
        year is unknown), ``date_start, date_end`` (Timestamps bounding the period: one day, a
        旬 or month part, a whole month, or a range), ``date_precision`` (``day`` or ``month``;
        上旬/下旬/底 are ``month`` with narrowed bounds), ``year, month, day`` (nullable ints),
        ``year_source`` (see Notes), ``relation`` (``since`` for 以来/起, ``before`` for 前,
        ``after`` for 后, else ""), ``event`` (the clause after the date: a short label),
        ``mobilisation`` (``local``: the date of this locality's own mobilisation meeting;
        ``central``: the date of the central meeting; else ""), ``is_mobilisation``
        (``mobilisation == "local"``), ``undated_local_mention`` (the sentence also mentions a
        local meeting that none of its dates dates), ``sentence``, ``date_role`` (``event``;
        ``deadline``: the date closes a period or sets a target, 到8月底结束, 6月底前完成;
        ``as_of``: a cut-off for a count, 截至6月底), ``out_of_window`` (True when the period
        lies wholly outside `window`; False when inside or without a year) and
        ``meeting_level`` (who held the mobilisation meeting the date dates: ``central``,
        ``province``, ``city``, ``county``, ``town``, ``unit`` for a department such as
        县委宣传部, or "" when no holder is named or the date dates no meeting).

    Notes
    -----
    The year of a date is resolved by the first rule that applies:

    ``explicit``
        The expression names it: 2021年3月5日.
    ``relative``
        今年/去年/明年 before the month: the publication year (else the ``context`` year, else
        `default_year`), plus or minus one.
    ``context``
        The year of the nearest earlier date in the same document that names a current year
        (2021年2月20日 … 3月5日 → 2021); for 当年/同年, the last year named, history included
        (1935年1月……同年10月 → 1935). A current year is the publication year
        or the one before it; without a publication date, a year of `window` or the year before
        it. Historical dates (1928年5月建成 … 3月31日修缮开放) lend no year, and neither do years
        standing alone (1921年成立).
    ``publication``
        The publication year; a month after the publication month means the previous year (a
        report of 22 October mentioning 11月 speaks of last November).
    ``default``
        `default_year`.

    Recurring dates (每月15日) and ordinals are skipped; a day without a month (20日) is not
    read, since its month would be a guess. A month in Chinese numerals followed by 村, 镇, 街,
    路, 社区, 花 … is a name (十月村, 五月花) and is not read either.

    A mobilisation meeting is a 党史学习教育动员大会 (or 动员部署会, 动员会) mention. It is the
    central one only when it names the centre: 中央/全党 just before it, or 习近平, 总书记, 党中央
    or 在北京 in its clause; and only a date on `central_date` can date it (学习习近平总书记在党史
    学习教育动员大会上的重要讲话 cites the central meeting, it does not date it). Any other
    mention is held by the first place name (gazetteer) or self-reference (全市, 我县, 区委) of its
    clause; it is ``local`` when that holder is the document's own locality (its deepest
    ``province``/``city``/``district``/``town`` docvar, no deeper than `by` when `by` is one of
    them; without those, the deepest level any of its meetings names) or is not named, and
    ``other`` when it is another level's (a province's meeting in a city report, a county's in
    a province report), another place's at the same level (乙县 in a report on 甲县) or a
    department's (县委宣传部召开…动员部署会). 巡回指导动员会 is none of these.

    Each mention is attributed to the nearest event date before it in the same sentence (else
    the first after); deadlines and cut-offs date no meeting. A date already attributed to one
    meeting is not given to another: in 3月5日，全省党史学习教育动员大会召开后，我市迅速召开全市
    党史学习教育动员大会 (or 2月20日，中央……在北京召开，济南市中区委迅速召开全区党史学习教育动员会)
    the date is the province's (the centre's), and the local meeting is recorded in
    ``undated_local_mention``.
    """
    n_workers(n_jobs, 0, None)  # a bad n_jobs fails before any work
    labels = group_labels(corpus.docvars, by)
    first_day, last_day = _window(window)
    central = _day(central_date, "central_date")
    documents = [(str(doc_id), str(text or "")) for doc_id, text in corpus.texts.items()]
    used = ["date_published", *(column for _, column in _LOCALITY_DOCVARS)]
    docvars = corpus.docvars[[c for c in used if c in corpus.docvars.columns]]
    rows_of = dict(zip(docvars.index.astype(str), docvars.to_dict("records")))
    items = [(doc_id, text, labels.get(doc_id, "unknown"), rows_of.get(doc_id, {})) for doc_id, text in documents]
    if any(MEETING_RE.search(text) for _, text in documents):
        from ..corpus.gazetteer import gazetteer

        gazetteer()  # who held a meeting is looked up there: loaded once, before workers fork
    find = functools.partial(_document_events, by=by, default_year=default_year, first_day=first_day, last_day=last_day,
                             central=central)
    per_document = map_documents(find, items, n_jobs=n_jobs, sizes=[len(text) for _, text in documents],
                                 desc="dated events")
    rows = [row for found in per_document for row in found]
    table = pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "_sentence_span"]).drop(columns="_sentence_span")
    table["is_mobilisation"] = table["mobilisation"] == "local"
    table = table.astype({"start": "int64", "end": "int64", "year": "Int64", "month": "Int64", "day": "Int64",
                         "date_start": "datetime64[ns]", "date_end": "datetime64[ns]", "undated_local_mention": bool,
                         "out_of_window": bool})
    table.attrs.update(by=by, central_date=str(central_date), window=tuple(str(w) for w in window))
    return table


def _bounds(year, month, day, part, end_year, end_month, end_day, end_part, *, wraps: bool) -> tuple:
    """First and last day of the period a date expression names (NaT without a year).

    With `wraps`, an end before the start moves to the next year (12月至1月).
    """
    if year is None or end_year is None:
        return pd.NaT, pd.NaT
    try:
        if day is not None:
            first = pd.Timestamp(year, month, day)
        elif part:
            first = pd.Timestamp(year, month, _PART_DAYS[part][0])
        else:
            first = pd.Timestamp(year, month, 1)
        month_days = calendar.monthrange(end_year, end_month)[1]
        if end_day is not None:
            last = pd.Timestamp(end_year, end_month, end_day)
        elif end_part:
            last_day = _PART_DAYS[end_part][1] or month_days
            last = pd.Timestamp(end_year, end_month, last_day)
        else:
            last = pd.Timestamp(end_year, end_month, month_days)
        if last < first and wraps:
            last = last.replace(year=last.year + 1)
    except ValueError:  # 2月30日: no such day
        return pd.NaT, pd.NaT
    return first, max(first, last)


def _remembered(events: pd.DataFrame, name: str, given):
    """`given`, else what :func:`dated_events` recorded in ``events.attrs``, else the default."""
    if given is not None:
        return given
    default = {"central_date": CENTRAL_MOBILISATION_DATE, "window": CAMPAIGN_WINDOW}[name]
    return events.attrs.get(name, default)


def mobilisation_lag(
    events: pd.DataFrame,
    *,
    central_date: str | None = None,
    groups: list | None = None,
) -> pd.DataFrame:
    """Give, per group, the date of its own mobilisation meeting and its lag after the central one.

    Parameters
    ----------
    events : pandas.DataFrame
        The table of :func:`dated_events`.
    central_date : str, optional
        The central mobilisation meeting (ISO date). By default the one `events` was found
        with (``events.attrs["central_date"]``, set by :func:`dated_events`), else
        :data:`CENTRAL_MOBILISATION_DATE`.
    groups : list, optional
        Every group to report, in this order; groups with no date mention at all get a row with
        ``status == "none"``. By default, the groups of `events` in order of appearance.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group``, ``status`` (``dated``: a local meeting with a date;
        ``undated``: the report mentions its meeting but gives no date for it; ``no_year``: a
        date without a resolvable year (pass ``default_year`` to :func:`dated_events`);
        ``out_of_window``: only dates outside the campaign window, a misread year more likely
        than a meeting, so no lag is given; ``none``: no local meeting found),
        ``local_date`` (ISO, the earliest local meeting in the window),
        ``lag_days`` (days after `central_date`; nullable int), ``date_precision``, ``doc_id``
        and ``evidence`` (the sentence).

    Notes
    -----
    For a month-precision date (3月上旬召开动员大会) the lag runs to the first day of the period,
    so it is a lower bound. Only ``mobilisation == "local"`` rows count: a province's meeting in
    a city's report, a department's meeting or the central one are not the group's own (see
    :func:`dated_events`).
    """
    central = _day(_remembered(events, "central_date", central_date), "central_date")
    missing = [c for c in ("group", "mobilisation", "undated_local_mention", "date_start", "date", "sentence", "doc_id")
               if c not in events.columns]
    if missing:
        raise KeyError(f"the events table lacks column(s) {missing}; pass the table of dated_events()")
    order = list(groups) if groups is not None else list(pd.unique(events["group"]))
    rows = []
    for group in order:
        part = events[events["group"] == group]
        local = part[part["mobilisation"] == "local"]
        dated = local[local["date_start"].notna()].sort_values("date_start", kind="mergesort")
        outside = dated[dated["out_of_window"]] if "out_of_window" in dated.columns else dated.iloc[:0]
        dated = dated.drop(outside.index)
        if len(dated):
            first = dated.iloc[0]
            rows.append((group, "dated", first["date"], int((first["date_start"] - central).days),
                         first["date_precision"], first["doc_id"], first["sentence"]))
        elif len(outside):
            first = outside.iloc[0]
            rows.append((group, "out_of_window", first["date"], pd.NA, first["date_precision"], first["doc_id"],
                         first["sentence"]))
        elif len(local):
            first = local.iloc[0]
            rows.append((group, "no_year", first["date"], pd.NA, first["date_precision"], first["doc_id"], first["sentence"]))
        elif part["undated_local_mention"].any():
            first = part[part["undated_local_mention"]].iloc[0]
            rows.append((group, "undated", "", pd.NA, "", first["doc_id"], first["sentence"]))
        else:
            rows.append((group, "none", "", pd.NA, "", "", ""))
    table = pd.DataFrame(rows, columns=list(LAG_COLUMNS))
    table["lag_days"] = table["lag_days"].astype("Int64")
    return table


def plot_timeline(
    events: pd.DataFrame,
    *,
    central_date: str | None = None,
    order: str = "lag",
    max_groups: int = 60,
    title: str | None = None,
    label_events: bool | None = None,
    window: tuple[str, str] | None | Literal["events"] = "events",
) -> "Figure":
    """Draw the dated events of each group on one time axis, mobilisation meetings highlighted.

    Parameters
    ----------
    events : pandas.DataFrame
        The table of :func:`dated_events`; rows without a year (``date_start`` NaT) are left
        out and counted in the title.
    central_date : str, optional
        Drawn as a dashed vertical line (the central mobilisation meeting). By default the one
        `events` was found with, as in :func:`mobilisation_lag`.
    order : {"lag", "first", "given"}, default "lag"
        Group order, top to bottom: by the date of the local mobilisation meeting (groups
        without one last, by their first event), by the first event, or as in `events`.
    max_groups : int, default 60
        At most this many groups (a count); the title says how many were left out.
    title : str, optional
        Figure title.
    label_events : bool, optional
        Write each event's label next to its point. By default only when at most 12 events
        are drawn: beyond that labels overlap (read them in the table instead).
    window : (str, str), None or "events", default "events"
        The axis spans this period (first day, last day). Events outside it (history such as
        1921 or 1949, and misread years) are not drawn, so one old date cannot stretch the
        axis over a century; the title counts them, and a report lists them in a table
        (``out_of_window``). ``"events"``: the window `events` was found with
        (``events.attrs["window"]``, set by :func:`dated_events`), else
        :data:`CAMPAIGN_WINDOW`. None: the axis spans every event.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: grey dots for day-precision events, grey bars for month-precision periods,
        red diamonds (annotated with their lag in days) for local mobilisation meetings, and
        the dashed central line.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({"group": ["甲区", "甲区", "乙县"], "date_start": pd.to_datetime(["2021-03-11", "2021-04-02", "2021-03-01"]),
    ...     "date_end": pd.to_datetime(["2021-03-11", "2021-04-02", "2021-03-31"]), "date_precision": ["day", "day", "month"],
    ...     "is_mobilisation": [True, False, False], "event": ["动员大会召开", "读书班", "剪纸作品展"]})
    >>> [t.get_text() for t in plot_timeline(events).axes[0].get_yticklabels()]
    ['甲区', '乙县']
    """
    import matplotlib.dates as mdates

    from ..textplot.core import label_fontsize, new_figure, use_cjk_font

    use_cjk_font()
    if order not in ("lag", "first", "given"):
        raise ValueError(f"order must be 'lag', 'first' or 'given', not {order!r}")
    if max_groups < 1:
        raise ValueError(f"max_groups must be at least 1, got {max_groups}")
    central = _day(_remembered(events, "central_date", central_date), "central_date")
    if isinstance(window, str):
        if window != "events":
            raise ValueError(f"window must be (first day, last day), None or 'events', not {window!r}")
        window = _remembered(events, "window", None)
    drawn = events[events["date_start"].notna()]
    n_undrawn = len(events) - len(drawn)
    n_outside = 0
    if window is not None:
        first_day, last_day = _window(window)
        ends = drawn["date_end"].fillna(drawn["date_start"]) if "date_end" in drawn else drawn["date_start"]
        inside = (ends >= first_day) & (drawn["date_start"] <= last_day)
        n_outside = int((~inside).sum())
        drawn = drawn[inside]
    groups = list(pd.unique(events["group"]))
    if order != "given":
        first = drawn.groupby("group")["date_start"].min()
        meeting = drawn[drawn["is_mobilisation"]].groupby("group")["date_start"].min()
        far = pd.Timestamp.max
        if order == "lag":
            key = {g: (meeting.get(g, far), first.get(g, far)) for g in groups}
        else:
            key = {g: (first.get(g, far),) for g in groups}
        groups = sorted(groups, key=lambda g: key[g])
    n_groups_total = len(groups)
    groups = groups[:max_groups]
    position = {g: i for i, g in enumerate(groups)}
    drawn = drawn[drawn["group"].isin(position)]
    if label_events is None:
        label_events = len(drawn) <= 12

    fig, axes = new_figure(figsize=(10.0, max(2.8, 1.4 + 0.3 * len(groups))))
    ax = axes[0, 0]
    ax.axvline(central, color="#c0392b", linestyle="--", linewidth=1.2, label=f"中央动员大会 {central:%Y-%m-%d}")
    periods = drawn[(drawn["date_precision"] != "day") | (drawn["date_end"] > drawn["date_start"])]
    days = drawn.drop(periods.index)
    for k, row in enumerate(periods.itertuples()):
        ax.plot([row.date_start, row.date_end], [position[row.group]] * 2, color="#7f8c8d", linewidth=4,
                alpha=0.45, solid_capstyle="butt", label="dated period (month, 旬, range)" if k == 0 else None)
    ordinary = days[~days["is_mobilisation"]]
    ax.scatter(ordinary["date_start"], ordinary["group"].map(position), s=18, color="#555555", zorder=3, label="dated event")
    meetings = drawn[drawn["is_mobilisation"]]
    ax.scatter(meetings["date_start"], meetings["group"].map(position), s=70, marker="D", color="#c0392b",
               zorder=4, label="local mobilisation meeting")
    for row in meetings.itertuples():
        ax.annotate(f"+{(row.date_start - central).days}天", (row.date_start, position[row.group]),
                    xytext=(6, 5), textcoords="offset points", fontsize=8, color="#c0392b")
    if label_events:
        for row in drawn[~drawn["is_mobilisation"]].itertuples():
            ax.annotate(str(row.event)[:14], (row.date_start, position[row.group]), xytext=(4, -11),
                        textcoords="offset points", fontsize=7, color="#333333")
    ax.set_yticks(range(len(groups)), [str(g) for g in groups], fontsize=label_fontsize(len(groups)))
    ax.set_ylim(len(groups) - 0.5, -0.7)
    if window is not None:
        ax.set_xlim(first_day, last_day)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.tick_params(axis="x", labelrotation=45)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    notes = []
    if n_groups_total > len(groups):
        notes.append(f"first {len(groups)} of {n_groups_total} groups shown")
    if n_undrawn:
        notes.append(f"{n_undrawn} date mention(s) without a year not drawn")
    if n_outside:
        notes.append(f"{n_outside} event(s) outside {window[0]}–{window[1]} not drawn (listed in the table)")
    full_title = "\n".join([t for t in [title, "; ".join(notes)] if t])
    if full_title:
        ax.set_title(full_title)
    return fig
