"""Tests for corpus_tools.reports.parameters: the run's id from its notebooks and parameters; reading options."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corpus_tools.reports import default_run_id, parameters


def test_default_run_id_names_a_partial_run_and_changed_parameters():
    import datetime as dt

    moment = dt.datetime(2026, 11, 21, 7, 12, 5)
    assert default_run_id("seeds", now=moment, labels=["nb01-nb03", "group_by-city"]) == (
        "20261121T071205Z-seeds-nb01-nb03-group_by-city"
    )
    long = default_run_id("seeds", now=moment, labels=["x" * 200])
    assert len(long) < 120 and re.fullmatch(r"20261121T071205Z-seeds-x+-[0-9a-f]{8}", long)
    nbs = [Path("01-a.ipynb"), Path("02-b.ipynb")]
    declared = {nbs[0]: {"group_by": {"default": '"district"'}, "k": {"default": "5"}}, nbs[1]: {}}
    labels = parameters.run_labels(nbs[:1], nbs, {"group_by": "district", "k": 7, "read_options": {"text_column": "content"}}, declared)
    # group_by is its default: not shown
    assert labels == ["nb01", "k-7", "text_column-content"]
    assert parameters.run_labels(nbs, nbs, {"group_by": "city"}, declared) == ["group_by-city"]


def test_reading_option_values_are_checked_before_a_run():
    from corpus_tools.reports import ReportArgumentError, check_read_options

    assert check_read_options({"text_column": "content", "columns": {"媒体": "outlet"}}) == {
        "text_column": "content", "columns": {"媒体": "outlet"},
    }
    with pytest.raises(ReportArgumentError, match="min_han_share"):
        check_read_options({"min_han_share": 2})
    with pytest.raises(ReportArgumentError, match="format"):
        check_read_options({"format": "pdf"})
