"""Tests for corpus_tools.compare.meetings: which date of a sentence dates which meeting.

The rows are built by hand, as dated_events builds them; the expected marks follow the rules in
dated_events' Notes (the table-level behaviour is tested through dated_events in test_timeline).
"""

from __future__ import annotations

import pandas as pd

from corpus_tools.compare.meetings import MEETING_RE, attribute_meetings

CENTRAL = pd.Timestamp("2021-02-20")


def _row(text: str, date: str, *, year: int | None, month: int, day: int | None) -> dict:
    start = text.index(date)
    return {"start": start, "end": start + len(date), "text": date, "year": year, "month": month, "day": day,
            "date_role": "event", "_sentence_span": (0, len(text)), "mobilisation": "", "meeting_level": "",
            "undated_local_mention": False}


def test_meeting_forms():
    assert [m.group() for m in MEETING_RE.finditer("召开党史学习教育动员大会，党史学习教育工作动员部署会，读书会")] == [
        "党史学习教育动员大会", "党史学习教育工作动员部署会"]


def test_own_meeting_takes_the_date_before_it():
    text = "3月11日，甲区召开党史学习教育动员大会。"
    rows = [_row(text, "3月11日", year=2021, month=3, day=11)]
    attribute_meetings(text, rows, {}, central=CENTRAL)
    assert (rows[0]["mobilisation"], rows[0]["undated_local_mention"]) == ("local", False)


def test_central_date_goes_to_the_centre_and_the_local_meeting_stays_undated():
    text = "2月20日，中央党史学习教育动员大会在北京召开，全区随后召开党史学习教育动员大会。"
    rows = [_row(text, "2月20日", year=2021, month=2, day=20)]
    attribute_meetings(text, rows, {}, central=CENTRAL)
    assert (rows[0]["mobilisation"], rows[0]["meeting_level"]) == ("central", "central")
    assert rows[0]["undated_local_mention"] is True


def test_a_department_meeting_is_not_the_localitys():
    text = "4月2日，县委宣传部召开党史学习教育动员部署会。"
    rows = [_row(text, "4月2日", year=2021, month=4, day=2)]
    attribute_meetings(text, rows, {"county": "甲县"}, central=CENTRAL)
    assert (rows[0]["mobilisation"], rows[0]["meeting_level"]) == ("other", "unit")
