"""The textplot tests change matplotlib's global rcParams on purpose (use_cjk_font)."""

from __future__ import annotations

import matplotlib
import pytest


@pytest.fixture(autouse=True)
def _restore_rcparams():
    # use_cjk_font() changes the global rcParams on purpose; rc_context puts them back so other
    # test modules see matplotlib's defaults.
    with matplotlib.rc_context():
        yield
