"""Tables and figures shared by the textplot tests: Chinese labels and a render that records
missing-glyph warnings."""

from __future__ import annotations

import warnings
from io import BytesIO

import pandas as pd
from matplotlib.figure import Figure

from corpus_tools import textplot

NOTO_FILE = "NotoSansCJKsc-Regular.otf"
CHINESE = ["槐荫区", "学史明理", "我为群众办实事", "历下区", "学史增信"]


def render(fig: Figure) -> list[str]:
    """Render `fig` to PNG and return the text of every missing-glyph warning raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(BytesIO(), format="png")
    return [
        str(w.message)
        for w in caught
        if "missing from" in str(w.message) or "Glyph" in str(w.message)
    ]


def draw_chinese() -> Figure:
    """A hand-made figure with Chinese in the title, tick labels, annotation and legend."""
    fig = Figure(figsize=(5, 3))
    ax = fig.subplots()
    ax.bar(range(3), [3, -1, 2], label="提及次数")
    ax.set_xticks(range(3), CHINESE[:3])
    ax.set_title("槐荫区：学史明理、学史增信")
    ax.annotate("我为群众办实事", xy=(2, 2))
    ax.legend()
    return fig


def terms_by_district(n_groups: int, n_terms: int) -> pd.DataFrame:
    rows = [
        {"district": f"区{g:02d}", "term": f"{CHINESE[t % len(CHINESE)]}{t}", "count": g + t}
        for g in range(n_groups)
        for t in range(n_terms)
    ]
    return pd.DataFrame(rows)


def build_all() -> dict[str, Figure]:
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
            terms_by_district(3, 4), x="district", y="term", value="count", title="词频"
        ),
        "top_terms_grid": textplot.top_terms_grid(
            terms_by_district(4, 6), group="district", term="term", value="count", n=3,
            title="各区高频词",
        ),
    }
