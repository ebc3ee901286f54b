"""Mobilisation meetings in dated text: which mention is whose, and which date dates it.

:func:`corpus_tools.compare.timeline.dated_events` finds the dates of a report; this module
finds its mentions of a 党史学习教育动员大会 (:data:`MEETING_RE`), decides whether each is the
central meeting, the report's own locality's or another's (the holder is read from its
clause, with the gazetteer), and gives each to the nearest date of its sentence
(:func:`attribute_meetings`). The rules are stated in the Notes of
:func:`~corpus_tools.compare.timeline.dated_events`.
"""

from __future__ import annotations

import re

import pandas as pd

from .spans import CLAUSE_END_RE

__all__ = ["MEETING_RE", "attribute_meetings"]

#: A mobilisation meeting: 党史学习教育动员大会 / 动员部署会 / 动员会, possibly with 工作 between.
MEETING_RE = re.compile(r"党史学习教育(?:工作)?(?:动员部署大会|动员部署会议|动员部署会|动员大会|动员会议|动员会|部署动员会)")
# A mention is the central meeting only when it names the centre: 中央/全党 just before it, or
# 习近平/总书记/党中央/中共中央/在北京 in its clause. Naming the centre is not enough to date it
# (学习习近平总书记在党史学习教育动员大会上的重要讲话 cites the meeting): see _fits_central.
_CENTRAL_BEFORE_RE = re.compile(r"(?:中央|全国|党中央|全党)$")
_CENTRAL_CONTEXT_RE = re.compile(r"习近平|总书记|党中央|中共中央|在北京")
_NOT_LOCAL_BEFORE_RE = re.compile(r"巡回指导$")
# Who held a meeting: a self-reference (全市, 我县, 区委) or a place name (from the gazetteer) in
# the clause before it. A department after the place (县委宣传部, 区人大常委会机关) makes it a
# unit's meeting, not the locality's.
_UNIT_LEVEL = {"自治区": "province", "省": "province", "市": "city", "州": "city", "盟": "city", "区": "county",
               "县": "county", "旗": "county", "镇": "town", "乡": "town", "街道": "town", "苏木": "town"}
_SELF_HOLDER_RE = re.compile(r"[全我本](自治区|街道|省|市|州|盟|区|县|旗|镇|乡)|(自治区|省|市|州|盟|区|县|旗|镇|乡)(?=委|党委|党工委|政府)")
_HOLDER_VERB_RE = re.compile(r"召开|举行|组织|开展|启动|举办|召集|党史学习教育")
_DEPARTMENT_RE = re.compile(r"^(?:委|党委|党工委|人民政府|政府)?[^，,。；;]*?(?:部|局|机关|党组|工委|办公室|办|法院|检察院|人大|政协|"
                            r"学校|医院|公司|中心|支部|团委|妇联|工会|协会|系统|所|站|院)")
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2, "town": 3}


def _place_level(surface: str, own: dict[str, str]) -> tuple[str, bool]:
    """Level of a gazetteer name, and whether it is another unit at a level the report names.

    A name of one of the document's own localities takes that level (天津市, both province
    and city, is the city: deepest first).
    """
    from ..corpus.gazetteer import gazetteer

    gaz = gazetteer()
    units = [u for u, _, _ in gaz.forms[surface]]
    for unit in units:
        for level, name in reversed(own.items()):
            if gaz.name[unit] == name:
                return level, False
    strong = [u for u, _, weak in gaz.forms[surface] if not weak] or units
    level = gaz.level[strong[0]]
    return level, level in own


def _holder_level(text: str, clause_start: int, meeting_start: int, own: dict[str, str]) -> tuple[str, bool]:
    """Who held the meeting mentioned at `meeting_start`: a level, ``unit`` or "" (not said).

    The holder is the first place name or self-reference of the clause (of a chain such as
    信阳市固始县, the last); a department after it (宣传部, 机关) makes the meeting a unit's.
    The flag says the holder is a place other than the report's own at that level (乙县 in a
    report on 甲县).
    """
    from ..corpus.gazetteer import gazetteer

    forms = gazetteer().forms
    lead = text[clause_start:meeting_start]
    found: list[tuple[int, int, str, bool]] = []  # (start, end, level, elsewhere)
    i = 0
    while i < len(lead):
        for length in range(min(12, len(lead) - i), 1, -1):
            surface = lead[i:i + length]
            entries = forms.get(surface)
            if entries and any(not weak for _, _, weak in entries):  # not 城区, 新区: common nouns
                found.append((i, i + length, *_place_level(surface, own)))
                i += length
                break
        else:
            i += 1
    for match in _SELF_HOLDER_RE.finditer(lead):
        unit = match.group(1) or match.group(2)
        if any(s <= match.start(1 if match.group(1) else 2) < e for s, e, _, _ in found):
            continue  # the 区 of 市中区委 belongs to the name already found
        level = next((lv for lv in ("town", "county", "city", "province") if own.get(lv, "").endswith(unit)),
                     _UNIT_LEVEL[unit])
        found.append((match.start(), match.end(), level, False))
    if not found:
        return "", False
    found.sort()
    # the subject comes first; adjacent names form a chain (信阳市固始县): its last is the holder
    _, chain_end, level, elsewhere = found[0]
    for start, end, next_level, next_elsewhere in found[1:]:
        if start > chain_end:
            break
        chain_end, level, elsewhere = end, next_level, next_elsewhere
    rest = lead[chain_end:]
    verb = _HOLDER_VERB_RE.search(rest)
    if _DEPARTMENT_RE.match(rest[:verb.start() if verb else len(rest)]):
        return "unit", elsewhere
    return level, elsewhere


def _meeting_mentions(text: str, start: int, end: int, own: dict[str, str]) -> list[tuple[int, str, str, bool]]:
    """Meeting mentions in ``text[start:end]``: (position, "local" | "central", level, elsewhere)."""
    found = []
    for match in MEETING_RE.finditer(text, start, end):
        before = text[max(start, match.start() - 4):match.start()]
        if _NOT_LOCAL_BEFORE_RE.search(before):
            continue
        clause_start = max(text.rfind(c, start, match.start()) for c in "，,；;。") + 1
        clause_start = max(clause_start, start)
        clause_stop = CLAUSE_END_RE.search(text, match.end(), end)
        clause = text[clause_start:clause_stop.start() if clause_stop else end]
        if _CENTRAL_BEFORE_RE.search(before) or _CENTRAL_CONTEXT_RE.search(clause):
            found.append((match.start(), "central", "central", False))
        else:
            found.append((match.start(), "local", *_holder_level(text, clause_start, match.start(), own)))
    return found


def _fits_central(row: dict, central: pd.Timestamp) -> bool:
    """Whether a date can be the central meeting's: same month and day (and year, when known)."""
    return (row["month"] == central.month and row["day"] in (None, central.day) and row["year"] in (None, central.year)
            and "至" not in row["text"])


def attribute_meetings(text: str, rows: list[dict], own: dict[str, str], *, central: pd.Timestamp) -> None:
    """Mark the date rows of one document that date a mobilisation meeting (in place).

    Parameters
    ----------
    text : str
        The document's body.
    rows : list of dict
        Its date rows as :func:`~corpus_tools.compare.timeline.dated_events` builds them, each
        with ``start``, ``end``, ``month``, ``day``, ``year``, ``text``, ``date_role`` and
        ``_sentence_span`` (the sentence's offsets), and ``mobilisation`` (""),
        ``meeting_level`` ("") and ``undated_local_mention`` (False) to be set.
    own : dict
        The document's own localities, level to name (``{"city": "济南市", "county": "市中区"}``).
    central : pandas.Timestamp
        The day of the central meeting.

    Notes
    -----
    A row that dates a meeting gets ``mobilisation`` ``"local"``, ``"other"`` or
    ``"central"`` and its ``meeting_level``; every row of a sentence whose own meeting no date
    dates gets ``undated_local_mention``. The rules are those of
    :func:`~corpus_tools.compare.timeline.dated_events` (Notes).
    """
    by_sentence: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        by_sentence.setdefault(row["_sentence_span"], []).append(row)
    mentions = {span: _meeting_mentions(text, *span, own) for span in by_sentence}
    own_level = max(own, key=_LEVEL_RANK.get) if own else None
    if own_level is None:
        # no locality docvars: the deepest level the document's own meetings name is its own
        levels = [lv for found in mentions.values() for _, _, lv, _ in found if lv in _LEVEL_RANK]
        own_level = max(levels, key=_LEVEL_RANK.get) if levels else None
    for span, dated in by_sentence.items():
        events = [r for r in dated if r["date_role"] == "event"]
        for position, kind, level, elsewhere in mentions[span]:
            before = [r for r in events if r["end"] <= position]
            target = before[-1] if before else next((r for r in events if r["start"] > position), None)
            if target is None:
                continue
            if kind == "central":
                if not target["mobilisation"] and _fits_central(target, central):
                    target["mobilisation"], target["meeting_level"] = "central", "central"
                continue
            is_own = level == "" or (level != "unit" and not elsewhere and (own_level is None or level == own_level))
            if target["mobilisation"]:
                if is_own and target["mobilisation"] != "local":
                    for row in dated:
                        row["undated_local_mention"] = True
                continue
            target["mobilisation"], target["meeting_level"] = ("local" if is_own else "other"), level
