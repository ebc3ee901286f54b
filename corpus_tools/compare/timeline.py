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
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._groups import document_groups

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..corpus import Corpus

__all__ = ["EVENT_COLUMNS", "LAG_COLUMNS", "CENTRAL_MOBILISATION_DATE", "dated_events", "mobilisation_lag", "plot_timeline"]

#: The central mobilisation meeting of the campaign (党史学习教育动员大会), Beijing.
CENTRAL_MOBILISATION_DATE = "2021-02-20"

#: Columns of :func:`dated_events`.
EVENT_COLUMNS = (
    "doc_id", "group", "unit_id", "start", "end", "text", "date", "date_start", "date_end",
    "date_precision", "year", "month", "day", "year_source", "relation", "event", "mobilisation",
    "is_mobilisation", "undated_local_mention", "sentence",
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

# Mobilisation meetings: 党史学习教育动员大会 / 动员部署会 / 动员会, possibly with 工作 between.
_MEETING_RE = re.compile(r"党史学习教育(?:工作)?(?:动员部署大会|动员部署会|动员大会|动员会|部署动员会)")
# A mention is the central meeting when 中央 or 全国 stands just before it, when 习近平 speaks at it, or
# when it is said to be held in Beijing.
_CENTRAL_BEFORE_RE = re.compile(r"(?:中央|全国|党中央)$")
_CENTRAL_CONTEXT_RE = re.compile(r"习近平|总书记|在北京")
_NOT_LOCAL_BEFORE_RE = re.compile(r"巡回指导$")
_CLAUSE_END_RE = re.compile(r"[，,。！？!?；;：:\n]")
_SENTENCE_ENDS = "。！？!?\n"
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


def _publication(corpus, doc_id) -> pd.Timestamp | None:
    for column in ("date_published", "date_page"):
        if column in corpus.docvars.columns:
            value = corpus.docvars.at[doc_id, column]
            if isinstance(value, str) and value.strip():
                stamp = pd.to_datetime(value.strip(), errors="coerce")
                if not pd.isna(stamp):
                    return stamp
    return None


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(c, 0, start) for c in _SENTENCE_ENDS) + 1
    rights = [i for i in (text.find(c, end) for c in _SENTENCE_ENDS) if i >= 0]
    return left, (min(rights) + 1 if rights else len(text))


def _event_label(text: str, end: int, sentence_end: int) -> str:
    """The clause after the date: skip a comma and a time of day; if empty, the next clause."""
    position = end
    for _ in range(3):
        while position < sentence_end and _CLAUSE_END_RE.match(text, position):
            position += 1
        rest = text[position:sentence_end]
        skip = _TIME_OF_DAY_RE.match(rest)
        if skip:
            position += skip.end()
            rest = rest[skip.end():]
        stop = _CLAUSE_END_RE.search(rest)
        clause = rest[:stop.start() if stop else len(rest)].strip()
        if len(re.findall(r"[\u4e00-\u9fff]", clause)) >= 2:
            return clause[:_MAX_EVENT_CHARS]
        position += len(clause)
        if position >= sentence_end:
            break
    return ""


def _meeting_mentions(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Mobilisation-meeting mentions in ``text[start:end]``: (position, "local" | "central")."""
    found = []
    for match in _MEETING_RE.finditer(text, start, end):
        before = text[max(start, match.start() - 4):match.start()]
        if _NOT_LOCAL_BEFORE_RE.search(before):
            continue
        clause_start = max(text.rfind(c, start, match.start()) for c in "，,；;。") + 1
        clause_start = max(clause_start, start)
        clause_stop = _CLAUSE_END_RE.search(text, match.end(), end)
        clause = text[clause_start:clause_stop.start() if clause_stop else end]
        central = bool(_CENTRAL_BEFORE_RE.search(before) or _CENTRAL_CONTEXT_RE.search(clause))
        found.append((match.start(), "central" if central else "local"))
    return found


def dated_events(
    corpus: "Corpus",
    *,
    by: str = "group",
    default_year: int | None = None,
) -> pd.DataFrame:
    """Find every dated event (a 月日 expression) and resolve its year.

    Parameters
    ----------
    corpus : Corpus
        Dates are read from the cleaned bodies, :attr:`Corpus.texts`; publication dates from the
        docvars ``date_published`` (or, failing that, ``date_page``).
    by : str, default "group"
        The docvar that labels documents (``doc_id`` labels each by itself; locality docvars
        fall back as in :func:`corpus_tools.group_labels`).
    default_year : int, optional
        The year of dates nothing else resolves (``year_source == "default"``), e.g. 2021 for a
        corpus of 2021 campaign reports without publication dates. None leaves such dates
        without a year (``date`` holds ``--MM-DD``, ``date_start`` is NaT).

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
        local meeting that none of its dates dates) and ``sentence``.

    Notes
    -----
    The year of a date is resolved by the first rule that applies:

    ``explicit``
        The expression names it: 2021年3月5日.
    ``relative``
        今年/去年/明年 before the month: the publication year (else the ``context`` year, else
        `default_year`), plus or minus one.
    ``context``
        The year of the nearest earlier date in the same document that names its year
        (2021年2月20日 … 3月5日 → 2021), or 当年/同年. Years standing alone (1921年成立) are
        not used: in a report they are mostly history.
    ``publication``
        The publication year; a month after the publication month means the previous year (a
        report of 22 October mentioning 11月 speaks of last November).
    ``default``
        `default_year`.

    Recurring dates (每月15日) and ordinals are skipped; a day without a month (20日) is not
    read, since its month would be a guess.

    A mobilisation meeting is a 党史学习教育动员大会 (or 动员部署会, 动员会) mention. It is the
    central one when 中央/全国 stands just before it or its clause names 习近平, 总书记 or 在北京;
    otherwise it is local (巡回指导动员会 is neither). Each mention is attributed to the nearest
    date before it in the same sentence (else the first after). A date attributed to the central
    meeting stays ``central`` even if the sentence then mentions a local meeting
    (2月20日，中央……在北京召开，济南市中区委迅速召开全区党史学习教育动员会): the local one is
    then recorded in ``undated_local_mention``.
    """
    labels = document_groups(corpus, by)
    rows = []
    for doc_id, text in corpus.texts.items():
        doc_id, text = str(doc_id), str(text or "")
        published = _publication(corpus, doc_id)
        paragraph_starts = np.array([0, *(m.start() + 1 for m in re.finditer("\n", text))])
        context_year: int | None = None
        doc_rows = []
        for match in _DATE_RE.finditer(text):
            month = _number(match.group("month"))
            day = _number(match.group("day"))
            if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            month0 = _number(match.group("month0"))
            if month0 is not None and not 1 <= month0 <= 12:
                continue
            start_month = month0 if month0 is not None else month
            rel = match.group("rel") or ""
            year = year_source = None
            if match.group("year"):
                year, year_source = _number(match.group("year")), "explicit"
                context_year = year
            elif rel in ("今年", "去年", "明年"):
                base = published.year if published is not None else (context_year or default_year)
                if base is not None:
                    year, year_source = base + {"今年": 0, "去年": -1, "明年": 1}[rel], "relative"
            elif rel in ("当年", "同年") and context_year is not None:
                year, year_source = context_year, "context"
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
            sentence_start, sentence_end = _sentence_bounds(text, start, end)
            doc_rows.append({
                "doc_id": doc_id,
                "group": labels.get(doc_id, "unknown"),
                "unit_id": f"{doc_id}:p{int(np.searchsorted(paragraph_starts, start, side='right')):03d}",
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
                "_sentence_span": (sentence_start, sentence_end),
            })
        _attribute_meetings(text, doc_rows)
        rows += doc_rows
    table = pd.DataFrame(rows, columns=[*EVENT_COLUMNS, "_sentence_span"]).drop(columns="_sentence_span")
    table["is_mobilisation"] = table["mobilisation"] == "local"
    return table.astype({"start": "int64", "end": "int64", "year": "Int64", "month": "Int64", "day": "Int64",
                         "date_start": "datetime64[ns]", "date_end": "datetime64[ns]", "undated_local_mention": bool})


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


def _attribute_meetings(text: str, rows: list[dict]) -> None:
    """Mark the date rows that date a local or the central mobilisation meeting (in place)."""
    by_sentence: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        by_sentence.setdefault(row["_sentence_span"], []).append(row)
    for (start, end), dated in by_sentence.items():
        for position, kind in _meeting_mentions(text, start, end):
            before = [r for r in dated if r["end"] <= position]
            target = before[-1] if before else next((r for r in dated if r["start"] > position), None)
            if target is None:
                continue
            if kind == "central":
                target["mobilisation"] = "central"
            elif target["mobilisation"] == "central":
                for row in dated:
                    row["undated_local_mention"] = True
            else:
                target["mobilisation"] = "local"


def mobilisation_lag(
    events: pd.DataFrame,
    *,
    central_date: str = CENTRAL_MOBILISATION_DATE,
    groups: list | None = None,
) -> pd.DataFrame:
    """Give, per group, the date of its own mobilisation meeting and its lag after the central one.

    Parameters
    ----------
    events : pandas.DataFrame
        The table of :func:`dated_events`.
    central_date : str, default "2021-02-20"
        The central mobilisation meeting (ISO date).
    groups : list, optional
        Every group to report, in this order; groups with no date mention at all get a row with
        ``status == "none"``. By default, the groups of `events` in order of appearance.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group``, ``status`` (``dated``: a local meeting with a date;
        ``undated``: the report mentions its meeting but gives no date for it; ``no_year``: a
        date without a resolvable year (pass ``default_year`` to :func:`dated_events`);
        ``none``: no local meeting found), ``local_date`` (ISO, the earliest local meeting),
        ``lag_days`` (days after `central_date`; nullable int), ``date_precision``, ``doc_id``
        and ``evidence`` (the sentence).

    Notes
    -----
    For a month-precision date (3月上旬召开动员大会) the lag runs to the first day of the period,
    so it is a lower bound.
    """
    central = pd.Timestamp(central_date)
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
        if len(dated):
            first = dated.iloc[0]
            rows.append((group, "dated", first["date"], int((first["date_start"] - central).days),
                         first["date_precision"], first["doc_id"], first["sentence"]))
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
    central_date: str = CENTRAL_MOBILISATION_DATE,
    order: str = "lag",
    max_groups: int = 60,
    title: str | None = None,
    label_events: bool | None = None,
) -> "Figure":
    """Draw the dated events of each group on one time axis, mobilisation meetings highlighted.

    Parameters
    ----------
    events : pandas.DataFrame
        The table of :func:`dated_events`; rows without a year (``date_start`` NaT) are left
        out and counted in the title.
    central_date : str, default "2021-02-20"
        Drawn as a dashed vertical line (the central mobilisation meeting).
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

    from ..textplot import _new_figure, use_cjk_font

    use_cjk_font()
    if order not in ("lag", "first", "given"):
        raise ValueError(f"order must be 'lag', 'first' or 'given', not {order!r}")
    if max_groups < 1:
        raise ValueError(f"max_groups must be at least 1, got {max_groups}")
    central = pd.Timestamp(central_date)
    drawn = events[events["date_start"].notna()]
    n_undrawn = len(events) - len(drawn)
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

    fig, axes = _new_figure(figsize=(10.0, max(2.8, 1.4 + 0.3 * len(groups))))
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
    ax.set_yticks(range(len(groups)), [str(g) for g in groups], fontsize=9 if len(groups) <= 30 else 7)
    ax.set_ylim(len(groups) - 0.5, -0.7)
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
    full_title = "\n".join([t for t in [title, "; ".join(notes)] if t])
    if full_title:
        ax.set_title(full_title)
    return fig
