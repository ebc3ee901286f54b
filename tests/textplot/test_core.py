"""Tests for corpus_tools.textplot.core: Chinese renders with the bundled font, and nothing
leaks into pyplot or rcParams."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from corpus_tools import textplot
from corpus_tools.textplot import core

from .helpers import CHINESE, NOTO_FILE, build_all, draw_chinese, render


def test_use_cjk_font_returns_family_and_sets_rcparams():
    family = textplot.use_cjk_font()
    assert family == "Noto Sans CJK SC"
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_use_cjk_font_is_idempotent():
    textplot.use_cjk_font()
    n_fonts = len(font_manager.fontManager.ttflist)
    sans = list(matplotlib.rcParams["font.sans-serif"])
    textplot.use_cjk_font()
    assert len(font_manager.fontManager.ttflist) == n_fonts
    assert matplotlib.rcParams["font.sans-serif"] == sans


def test_use_cjk_font_reapplies_after_rcparams_are_reset():
    family = textplot.use_cjk_font()
    matplotlib.rcdefaults()
    textplot.use_cjk_font()
    assert matplotlib.rcParams["font.sans-serif"][0] == family


def test_cjk_glyphs_resolve_to_bundled_noto_file():
    family = textplot.use_cjk_font()
    for props in (font_manager.FontProperties(family=family),
                  font_manager.FontProperties(family=["sans-serif"])):
        path = font_manager.findfont(props, fallback_to_default=False)
        assert Path(path).name == NOTO_FILE
        assert "mplfonts" in Path(path).parts
        assert font_manager.get_font(path).get_char_index(ord("槐")) != 0


def test_chinese_renders_without_missing_glyph_warnings():
    textplot.use_cjk_font()
    assert render(draw_chinese()) == []


def test_control_dejavu_only_does_warn_about_missing_glyphs():
    # Without this the test above could pass for a reason unrelated to the font (say, the
    # warning being renamed or silenced); DejaVu Sans has no CJK glyphs.
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        missing = render(draw_chinese())
    assert any("槐" in message or "69D0" in message for message in missing), missing


def test_control_figure_function_output_warns_under_dejavu():
    # Font lookup happens at draw time, so forcing DejaVu before saving must break a figure
    # that rendered cleanly with the CJK font.
    fig = textplot.barh(pd.DataFrame({"d": CHINESE, "n": range(5)}), y="d", x="n")
    with matplotlib.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        assert render(fig) != []


@pytest.mark.parametrize("name", ["barh", "grouped_barh", "heatmap", "top_terms_grid"])
def test_figure_functions_render_chinese_without_warnings(name):
    fig = build_all()[name]
    assert isinstance(fig, Figure)
    assert render(fig) == []


@pytest.mark.parametrize(
    ("attribute", "missing", "error", "message"),
    [
        ("_FONT_FILE", "NoSuchFont.otf", FileNotFoundError, "mplfonts"),
        ("_FONT_PACKAGE", "no_such_font_package", ModuleNotFoundError, "pip install no_such_font_package"),
    ],
    ids=["font_file", "font_package"],
)
def test_missing_font_raises_clear_error(monkeypatch, attribute, missing, error, message):
    monkeypatch.setattr(core, attribute, missing)
    core._register_cjk_font.cache_clear()
    try:
        with pytest.raises(error, match=message):
            textplot.use_cjk_font()
    finally:
        core._register_cjk_font.cache_clear()


def test_import_does_no_work():
    code = (
        "import sys, corpus_tools.textplot\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at import time'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_functions_leave_no_pyplot_figures_open():
    before = plt.get_fignums()
    figures = build_all()
    assert plt.get_fignums() == before
    # Closing must not break saving: the figures are still usable objects.
    for fig in figures.values():
        fig.savefig(BytesIO(), format="png")
    assert plt.get_fignums() == before


# --------------------------------------------------------------------------------------------
# Primitives shared by every figure
# --------------------------------------------------------------------------------------------


def test_new_figure_and_empty_figure_are_constrained_and_not_kept_by_pyplot():
    before = plt.get_fignums()
    fig, axes = core.new_figure(figsize=(4.0, 3.0), nrows=2, ncols=3, sharex=True)
    empty = core.empty_figure(figsize=(2.0, 2.0))
    assert plt.get_fignums() == before
    assert axes.shape == (2, 3)
    assert list(fig.get_size_inches()) == [4.0, 3.0]
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    assert empty.axes == [] and empty.get_layout_engine() is not None


@pytest.mark.parametrize(("n", "expected"), [(1, 10.0), (5, 10.0), (15, 9.0), (30, 7.5), (35, 7.0),
                                             (50, 7.0), (500, 7.0)])
def test_label_fontsize_shrinks_to_a_seven_point_floor(n, expected):
    # 10.5 pt minus 0.1 pt per label, between 7 and 10 pt, computed by hand.
    assert core.label_fontsize(n) == pytest.approx(expected)


def test_figure_height_grows_with_rows():
    assert core.figure_height(1) == 2.5  # the floor
    assert core.figure_height(50) == pytest.approx(1.2 + 0.28 * 50)
    assert core.figure_height(100, extra=1.8) == pytest.approx(1.8 + 28.0)


def test_short_label_and_short_labels():
    assert core.short_label("学史明理", max_chars=4) == "学史明理"
    assert core.short_label("学史明理增信", max_chars=4) == "学史明…"
    assert core.short_label(float("nan")) == ""
    with pytest.raises(ValueError, match="max_chars"):
        core.short_label("学史", max_chars=1)
    labels = core.short_labels(["学史明理增信", "学史明理崇德", "学史明理增信", "办实事"], max_chars=5)
    # The two different long labels cut alike are numbered; the same value keeps its number.
    assert labels == ["学史明理…(1)", "学史明理…(2)", "学史明理…(1)", "办实事"]


def test_textplot_exports_the_primitives():
    for name in ("new_figure", "empty_figure", "figure_height", "label", "label_fontsize", "short_label"):
        assert getattr(textplot, name) is getattr(core, name)
