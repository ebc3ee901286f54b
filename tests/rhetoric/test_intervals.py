"""Tests for corpus_tools.rhetoric.intervals: the settings object of the intervals.

The intervals themselves are tested through the tables that report them, in test_stats.py
(reference values from scipy.stats.bootstrap on the per-document counts).
"""

from __future__ import annotations

import dataclasses

import pytest

from corpus_tools.rhetoric import intervals
from corpus_tools.rhetoric.intervals import IntervalSettings


def test_interval_settings_defaults_and_validation_name_the_field():
    settings = IntervalSettings()
    assert (settings.n_boot, settings.ci, settings.random_state, settings.resample,
            settings.min_docs_for_interval, settings.small_groups) == (1000, 0.95, 0, "document", 10, "own_rate")
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.n_boot = 5
    bad = [({"n_boot": -1}, "n_boot"), ({"n_boot": 2.5}, "n_boot"), ({"ci": 1.0}, "ci"), ({"ci": 0}, "ci"),
           ({"resample": "unit"}, "resample"), ({"small_groups": "drop"}, "small_groups"),
           ({"min_docs_for_interval": 2}, "min_docs_for_interval"), ({"random_state": 1.5}, "random_state"),
           ({"n_boot": "many"}, "n_boot"), ({"n_boot": True}, "n_boot"), ({"ci": "95%"}, "ci"),
           ({"random_state": None}, "random_state")]
    for options, field in bad:
        with pytest.raises(ValueError, match=field):
            IntervalSettings(**options)
    with pytest.raises(TypeError, match="n_boots"):
        IntervalSettings.from_kwargs(n_boots=10)
    assert IntervalSettings.from_kwargs(settings) is settings
    assert IntervalSettings(n_boot=5).replace(ci=0.9) == IntervalSettings(n_boot=5, ci=0.9)


def test_the_old_home_still_has_the_names():
    from corpus_tools.rhetoric import stats

    for name in ("CI_DOCUMENT", "CI_DOCUMENT_BCA", "CI_OWN_RATE", "MIN_DOCS_FOR_INTERVAL", "IntervalSettings",
                 "rate_intervals"):
        assert getattr(stats, name) is getattr(intervals, name)
