"""Tests for corpus_tools.textplot: Chinese renders with the bundled font, figures have the
expected parts, and nothing leaks into pyplot or rcParams."""

from __future__ import annotations

import subprocess
import sys
import warnings
from io import BytesIO
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from corpus_tools import textplot

NOTO_FILE = "NotoSansCJKsc-Regular.otf"
CHINESE = ["槐荫区", "学史明理", "我为群众办实事", "历下区", "学史增信"]


@pytest.fixture(autouse=True)
def _restore_rcparams():
    # use_cjk_font() changes the global rcParams on purpose; rc_context puts them back so other
    # test modules see matplotlib's defaults.
    with matplotlib.rc_context():
        yield


def _render(fig: Figure) -> list[str]:
    """Render `fig` to PNG and return the text of every missing-glyph warning raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(BytesIO(), format="png")
    return [
        str(w.message)
        for w in caught
        if "missing from" in str(w.message) or "Glyph" in str(w.message)
    ]


def _draw_chinese() -> Figure:
    """A hand-made figure with Chinese in the title, tick labels, annotation and legend."""
    fig = Figure(figsize=(5, 3))
    ax = fig.subplots()
    ax.bar(range(3), [3, -1, 2], label="提及次数")
    ax.set_xticks(range(3), CHINESE[:3])
    ax.set_title("槐荫区：学史明理、学史增信")
    ax.annotate("我为群众办实事", xy=(2, 2))
    ax.legend()
    return fig


def _terms_by_district(n_groups: int, n_terms: int) -> pd.DataFrame:
    rows = [
        {"district": f"区{g:02d}", "term": f"{CHINESE[t % len(CHINESE)]}{t}", "count": g + t}
        for g in range(n_groups)
        for t in range(n_terms)
    ]
    return pd.DataFrame(rows)


def _build_all() -> dict[str, Figure]:
    bars = pd.DataFrame({"district": CHINESE, "count": [5, 3, 8, 1, 2]})
    parts = pd.DataFrame(
        {
            "doc_id": ["槐荫区-2021"] * 2 + ["历下区-2021"] * 2,
            "kind": ["正文", "删除的块"] * 2,
            "n_chars": [2400, 310, 1800, -95],
        }
    )
    return {
        "barh": textplot.barh(bars, y="district", x="count", title="学史明理提及次数"),
        "grouped_barh": textplot.grouped_barh(
            parts, y="doc_id", x="n_chars", hue="kind", title="正文与删除的块"
        ),
        "heatmap": textplot.heatmap(
            _terms_by_district(3, 4), x="district", y="term", value="count", title="词频"
        ),
        "top_terms_grid": textplot.top_terms_grid(
            _terms_by_district(4, 6), group="district", term="term", value="count", n=3,
            title="各区高频词",
        ),
    }


# --------------------------------------------------------------------------------------------
# Font
# --------------------------------------------------------------------------------------------


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
    assert _render(_draw_chinese()) == []


def test_control_dejavu_only_does_warn_about_missing_glyphs():
    # Without this the test above could pass for a reason unrelated to the font (say, the
    # warning being renamed or silenced); DejaVu Sans has no CJK glyphs.
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        missing = _render(_draw_chinese())
    assert any("槐" in message or "69D0" in message for message in missing), missing


def test_control_figure_function_output_warns_under_dejavu():
    # Font lookup happens at draw time, so forcing DejaVu before saving must break a figure
    # that rendered cleanly with the CJK font.
    fig = textplot.barh(pd.DataFrame({"d": CHINESE, "n": range(5)}), y="d", x="n")
    with matplotlib.rc_context({"font.family": ["sans-serif"], "font.sans-serif": ["DejaVu Sans"]}):
        assert _render(fig) != []


@pytest.mark.parametrize("name", ["barh", "grouped_barh", "heatmap", "top_terms_grid"])
def test_figure_functions_render_chinese_without_warnings(name):
    fig = _build_all()[name]
    assert isinstance(fig, Figure)
    assert _render(fig) == []


def test_missing_font_file_raises_clear_error(monkeypatch):
    monkeypatch.setattr(textplot, "_FONT_FILE", "NoSuchFont.otf")
    textplot._register_cjk_font.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="mplfonts"):
            textplot.use_cjk_font()
    finally:
        textplot._register_cjk_font.cache_clear()


def test_missing_font_package_raises_clear_error(monkeypatch):
    monkeypatch.setattr(textplot, "_FONT_PACKAGE", "no_such_font_package")
    textplot._register_cjk_font.cache_clear()
    try:
        with pytest.raises(ModuleNotFoundError, match="pip install no_such_font_package"):
            textplot.use_cjk_font()
    finally:
        textplot._register_cjk_font.cache_clear()


def test_import_does_no_work():
    code = (
        "import sys, corpus_tools.textplot\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at import time'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------------------------
# Figure contents
# --------------------------------------------------------------------------------------------


def test_barh_sorts_largest_first():
    table = pd.DataFrame({"district": CHINESE, "count": [5, 3, 8, 1, 2]})
    ax = textplot.barh(table, y="district", x="count").axes[0]
    assert len(ax.patches) == 5
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["我为群众办实事", "槐荫区", "学史明理", "学史增信", "历下区"]
    assert ax.get_xlabel() == "count"


def test_barh_keeps_table_order_when_not_sorted():
    table = pd.DataFrame({"district": CHINESE, "count": [5, 3, 8, 1, 2]})
    ax = textplot.barh(table, y="district", x="count", sort=False).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == CHINESE


def test_barh_truncates_fifty_groups_with_note():
    table = pd.DataFrame({"district": [f"区{i:02d}" for i in range(50)], "count": range(50)})
    ax = textplot.barh(table, y="district", x="count", title="各区", max_bars=40).axes[0]
    assert len(ax.patches) == 40
    title = ax.get_title()
    assert title.startswith("各区") and "40 of 50" in title and "10 left out" in title
    # The ten smallest were dropped.
    assert "区09" not in [t.get_text() for t in ax.get_yticklabels()]


def test_barh_rejects_repeated_labels():
    table = pd.DataFrame({"district": ["槐荫区", "槐荫区"], "count": [1, 2]})
    with pytest.raises(ValueError, match="aggregate"):
        textplot.barh(table, y="district", x="count")


def test_barh_names_missing_column():
    with pytest.raises(KeyError, match="nope"):
        textplot.barh(pd.DataFrame({"a": [1]}), y="nope", x="a")


@pytest.mark.parametrize("stacked", [False, True])
def test_grouped_barh_bar_count_and_legend(stacked):
    table = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "b", "c"],  # ("c", "删除的块") is missing: drawn as 0
            "kind": ["正文", "删除的块", "正文", "删除的块", "正文"],
            "n_chars": [10, 2, 30, 1, 5],
        }
    )
    ax = textplot.grouped_barh(table, y="doc_id", x="n_chars", hue="kind", stacked=stacked).axes[0]
    assert len(ax.containers) == 2
    assert len(ax.patches) == 3 * 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["正文", "删除的块"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a", "c"]
    if stacked:
        # The second part starts where the first ends.
        first, second = ax.containers
        assert second.patches[0].get_x() == pytest.approx(first.patches[0].get_width())


def test_grouped_barh_truncates_fifty_groups():
    table = pd.DataFrame(
        {
            "doc_id": [f"doc{i:02d}" for i in range(50) for _ in range(2)],
            "kind": ["正文", "删除的块"] * 50,
            "n_chars": [i for i in range(50) for _ in range(2)],
        }
    )
    ax = textplot.grouped_barh(table, y="doc_id", x="n_chars", hue="kind", max_bars=40).axes[0]
    assert len(ax.patches) == 40 * 2
    assert "10 left out" in ax.get_title()


def test_heatmap_small_grid_is_annotated():
    table = _terms_by_district(3, 4).iloc[:-1]  # one missing cell stays blank
    fig = textplot.heatmap(table, x="district", y="term", value="count")
    ax = fig.axes[0]
    assert ax.images[0].get_array().shape == (4, 3)
    assert len(ax.texts) == 11
    assert len(fig.axes) == 2  # heatmap and colour bar
    assert [t.get_text() for t in ax.get_xticklabels()] == ["区00", "区01", "区02"]


def test_heatmap_many_rows_truncated_without_annotations():
    table = _terms_by_district(3, 50)
    ax = textplot.heatmap(table, x="district", y="term", value="count", max_rows=40).axes[0]
    assert ax.images[0].get_array().shape == (40, 3)
    assert len(ax.texts) == 0
    assert "40 of 50" in ax.get_title()


def test_heatmap_rejects_duplicate_pairs():
    table = pd.DataFrame({"x": ["a", "a"], "y": ["b", "b"], "v": [1, 2]})
    with pytest.raises(ValueError, match="duplicate"):
        textplot.heatmap(table, x="x", y="y", value="v")


def test_top_terms_grid_panels_and_bars():
    table = _terms_by_district(7, 5)
    fig = textplot.top_terms_grid(table, group="district", term="term", value="count", n=3, ncols=3)
    assert len(fig.axes) == 7  # two unused cells of the 3 x 3 grid are removed
    assert fig.axes[0].get_subplotspec().get_geometry()[:2] == (3, 3)
    assert [ax.get_title() for ax in fig.axes] == [f"区{g:02d}" for g in range(7)]
    assert all(len(ax.patches) == 3 for ax in fig.axes)
    # Largest value at the top: term index 4 has the highest count in every group.
    assert fig.axes[0].get_yticklabels()[0].get_text() == "学史增信4"


def test_top_terms_grid_group_with_fewer_terms_than_n():
    table = pd.DataFrame({"g": ["甲", "甲", "乙"], "term": ["学史", "明理", "增信"], "v": [2, 1, 4]})
    fig = textplot.top_terms_grid(table, group="g", term="term", value="v", n=5)
    assert [len(ax.patches) for ax in fig.axes] == [2, 1]


def test_functions_leave_no_pyplot_figures_open():
    before = plt.get_fignums()
    figures = _build_all()
    assert plt.get_fignums() == before
    # Closing must not break saving: the figures are still usable objects.
    for fig in figures.values():
        fig.savefig(BytesIO(), format="png")
    assert plt.get_fignums() == before


# --------------------------------------------------------------------------------------------
# line_panels (model diagnostics: scores against K, convergence against the pass)
# --------------------------------------------------------------------------------------------


def test_line_panels_one_panel_per_column_with_marked_x():
    scores = pd.DataFrame({"k": [5, 3, 4], "c_v": [0.44, 0.41, 0.46], "c_npmi": [-0.08, -0.1, -0.05],
                           "困惑度": [290.0, 250.0, 280.0]})
    fig = textplot.line_panels(scores, x="k", ys=["c_v", "c_npmi", "困惑度"], mark_x=4,
                               mark_label="K = 4（选定）", title="主题数的选择")
    assert [ax.get_title() for ax in fig.axes] == ["c_v", "c_npmi", "困惑度"]
    line = fig.axes[0].lines[0]
    assert line.get_xdata().tolist() == [3, 4, 5]  # drawn in x order, not table order
    assert list(fig.axes[0].lines[-1].get_xdata()) == [4, 4]  # the marked K
    assert fig.legends[0].get_texts()[0].get_text() == "K = 4（选定）"
    assert _render(fig) == []


def test_line_panels_hue_and_log_scale_with_zeros():
    table = pd.DataFrame({"pass": [1, 2, 3] * 2, "k": [3] * 3 + [4] * 3,
                          "topic_diff": [1.0, 0.1, 0.0, 2.0, 0.2, 0.02]})
    fig = textplot.line_panels(table, x="pass", ys=["topic_diff"], hue="k", log_y=["topic_diff"], ncols=2)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 2
    assert pd.isna(ax.lines[0].get_ydata()[-1])  # a zero leaves a gap on a log axis
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["k = 3", "k = 4"]


def test_line_panels_errors():
    table = pd.DataFrame({"k": [3, 4], "c_v": [0.4, 0.5]})
    with pytest.raises(KeyError, match="c_npmi"):
        textplot.line_panels(table, x="k", ys=["c_npmi"])
    with pytest.raises(ValueError, match="at least one"):
        textplot.line_panels(table, x="k", ys=[])
    with pytest.raises(KeyError, match="log_y"):
        textplot.line_panels(table, x="k", ys=["c_v"], log_y=["k"])


def test_top_terms_grid_draws_at_most_max_groups_and_says_so():
    import pandas as pd

    from corpus_tools.textplot import top_terms_grid

    table = pd.DataFrame({"group": [f"第{i}组" for i in range(30)], "term": "学史明理", "count": 1})
    fig = top_terms_grid(table, group="group", term="term", value="count", max_groups=12, title="词")
    assert len(fig.axes) == 12
    assert "另有 18 组" in fig._suptitle.get_text()
