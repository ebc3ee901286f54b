"""Tests for corpus_tools.textplot.compare (formerly corpus_tools.compare.plots): figures have the promised parts and stay bounded and
ordered with 5 and with 50 groups; summarise_top folds the rest correctly; a constructed
50-group corpus runs through profile, keyness, similarity and every figure."""

from __future__ import annotations

import importlib
import sys
import warnings
from io import BytesIO

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import corpus_tools as ct
from corpus_tools.compare.keyness import keyness, keyness_summary
from corpus_tools.compare.profile import group_profile
from corpus_tools.compare.similarity import cluster_order, group_similarity
from corpus_tools.textplot import compare as plots

N_GROUPS = 50


@pytest.fixture(autouse=True)
def _restore_rcparams():
    # The figure functions set the CJK font in rcParams on purpose; put matplotlib back after.
    with matplotlib.rc_context():
        yield


def _render_warnings(fig: Figure) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(BytesIO(), format="png", dpi=40)
    return [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]


def _similarity(n: int) -> pd.DataFrame:
    # Two families: similarity 0.8 within, 0.2 across, with a little deterministic jitter.
    rng = np.random.default_rng(n)
    family = np.arange(n) % 2
    values = np.where(family[:, None] == family[None, :], 0.8, 0.2) + rng.uniform(-0.05, 0.05, (n, n))
    values = (values + values.T) / 2
    np.fill_diagonal(values, 1.0)
    labels = pd.Index([f"第{i:02d}区" for i in range(n)], name="group")
    frame = pd.DataFrame(values, index=labels, columns=labels)
    frame.attrs["kind"] = "similarity"
    return frame


@pytest.mark.parametrize("n", [5, N_GROUPS])
def test_similarity_heatmap_orders_by_clustering_and_stays_bounded(n):
    sim = _similarity(n)
    clustering = cluster_order(sim)
    fig = plots.plot_similarity(sim, clustering=clustering, title="相似度")
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.get_yticklabels()]
    assert shown == clustering.order  # 50 labels are still under the default max_labels of 60
    width, height = fig.get_size_inches()
    assert width <= 16 and height <= 16
    # Families come out as two blocks: the first half of the order is one family.
    first_half = {int(label[1:3]) % 2 for label in clustering.order[: n // 2]}
    assert len(first_half) == 1
    image = ax.images[0].get_array()
    assert image.shape == (n, n)
    np.testing.assert_allclose(np.asarray(image), sim.loc[clustering.order, clustering.order].to_numpy())
    assert len(fig.axes) == 3  # heatmap, colour bar, dendrogram
    font = ax.get_yticklabels()[0].get_fontsize()
    # 10.5 pt less 0.1 pt per label, with the 7 pt floor of issue 18 (was 5.5 pt at 50 labels).
    assert font == pytest.approx(10.0 if n == 5 else 7.0)
    assert not _render_warnings(fig)


def test_heatmap_thins_labels_beyond_max_labels():
    fig = plots.plot_similarity(_similarity(N_GROUPS), max_labels=20, dendrogram=False)
    assert len(fig.axes[0].get_yticks()) == 17  # every 3rd of 50 labels
    assert len(fig.axes) == 2


def test_dendrogram_plot_lists_every_leaf_in_order():
    sim = _similarity(N_GROUPS)
    clustering = cluster_order(sim)
    fig = plots.plot_dendrogram(clustering)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == clustering.order
    assert fig.get_size_inches()[1] <= 16


def _keyness_table(n_groups: int, n_terms: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for g in range(n_groups):
        z = rng.normal(0, 1, n_terms)
        z[g % n_terms] = 5.0 + g / 100  # each group has one clear term of its own
        for t in range(n_terms):
            rows.append({"group": f"第{g:02d}区", "term": f"词{t:02d}", "count_group": 3, "log_odds_z": z[t]})
    return pd.DataFrame(rows)


def test_keyness_panels_cap_the_number_of_panels():
    table = _keyness_table(N_GROUPS)
    fig = plots.plot_keyness_panels(table, n=5, max_groups=12)
    assert len(fig.axes) == 12
    assert "12 of 50" in fig.get_suptitle()
    assert [ax.get_title() for ax in fig.axes] == [f"第{g:02d}区" for g in range(12)]
    chosen = plots.plot_keyness_panels(table, n=3, groups=["第07区", "第03区"])
    assert [ax.get_title() for ax in chosen.axes] == ["第07区", "第03区"]
    with pytest.raises(KeyError, match="第99区"):
        plots.plot_keyness_panels(table, groups=["第99区"])


def test_keyness_heatmap_rows_follow_the_given_order_and_terms_are_capped():
    table = _keyness_table(N_GROUPS)
    order = [f"第{g:02d}区" for g in reversed(range(N_GROUPS))]
    fig = plots.plot_keyness_heatmap(table, n=2, order=order, max_terms=25)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == order
    n_rows, n_cols = ax.images[0].get_array().shape
    assert n_rows == N_GROUPS and n_cols <= 25
    width, height = fig.get_size_inches()
    assert width <= 16 and height <= 14


def test_profile_dotplot_panels_and_order():
    profile = pd.DataFrame(
        {"group": ["甲区", "乙区", "丙县"], "mattr": [0.7, 0.9, 0.8], "formulaic_share": [0.1, 0.3, 0.2]}
    )
    fig = plots.plot_profile(profile, measures=["mattr", "formulaic_share"])
    assert [ax.get_title() for ax in fig.axes] == ["mattr", "formulaic_share"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["乙区", "丙县", "甲区"]  # by mattr
    fig = plots.plot_profile(profile, measures=["mattr"], order=["丙县", "甲区", "乙区"])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["丙县", "甲区", "乙区"]
    with pytest.raises(KeyError, match="n_chars"):
        plots.plot_profile(profile, measures=["n_chars"])


def test_summarise_top_folds_the_rest():
    table = pd.DataFrame({"group": list("ABCDE"), "n_docs": [1, 9, 4, 2, 3], "share": [0.1, 0.2, 0.3, 0.4, 0.5]})
    out = plots.summarise_top(table, n=2, value="n_docs")
    assert out["group"].tolist() == ["B", "C", "其余 3 个"]
    assert out["n_docs"].tolist() == [9, 4, 1 + 2 + 3]
    assert out["n_groups"].tolist() == [1, 1, 3]
    assert out["share"].iloc[-1] == pytest.approx(0.1 + 0.4 + 0.5)
    means = plots.summarise_top(table, n=2, value="n_docs", agg="mean", label="other ({k} groups)")
    assert means["group"].iloc[-1] == "other (3 groups)"
    assert means["share"].iloc[-1] == pytest.approx((0.1 + 0.4 + 0.5) / 3)
    assert plots.summarise_top(table, n=5, value="n_docs")["group"].tolist() == ["B", "C", "E", "D", "A"]
    # Long table: one folded row per topic.
    long = pd.DataFrame({"group": list("AABBCC"), "topic": [1, 2] * 3, "n_tokens": [5, 5, 1, 1, 2, 2]})
    folded = plots.summarise_top(long, n=1, value="n_tokens", keys=["topic"])
    assert folded["group"].tolist() == ["A", "A", "其余 2 个", "其余 2 个"]
    assert folded["n_tokens"].tolist() == [5, 5, 3, 3]
    with pytest.raises(ValueError, match="keys"):
        plots.summarise_top(long, n=1, value="n_tokens")


# --------------------------------------------------------------------------------------------
# The move from compare/plots.py and the old names (issue 12)
# --------------------------------------------------------------------------------------------


def test_old_module_is_the_new_module(monkeypatch):
    # Imported afresh (not from the module cache), so that its warning is raised here and checked.
    monkeypatch.delitem(sys.modules, "corpus_tools.compare.plots", raising=False)
    with pytest.warns(FutureWarning, match="corpus_tools.compare.plots has moved to corpus_tools.textplot.compare"):
        old = importlib.import_module("corpus_tools.compare.plots")

    assert old is plots


@pytest.mark.parametrize(("old", "new"), [("similarity_heatmap", "plot_similarity"),
                                          ("dendrogram_plot", "plot_dendrogram"),
                                          ("keyness_panels", "plot_keyness_panels"),
                                          ("keyness_heatmap", "plot_keyness_heatmap"),
                                          ("profile_dotplot", "plot_profile")])
def test_old_figure_names_warn_and_draw_the_same(old, new):
    sim = _similarity(5)
    table = _keyness_table(4)
    profile = pd.DataFrame({"group": ["甲区", "乙区"], **{m: [0.5, 0.6] for m in plots.DEFAULT_PROFILE_MEASURES}})
    argument = {"similarity_heatmap": sim, "dendrogram_plot": sim, "keyness_panels": table,
                "keyness_heatmap": table, "profile_dotplot": profile}[old]
    with pytest.warns(FutureWarning, match=f"{old}\\(\\) is renamed {new}"):
        fig = getattr(plots, old)(argument)
    expected = getattr(plots, new)(argument)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        t.get_text() for t in expected.axes[0].get_yticklabels()
    ]


def test_compare_package_still_exports_the_old_names():
    from corpus_tools import compare

    assert compare.similarity_heatmap is plots.similarity_heatmap


# --------------------------------------------------------------------------------------------
# Legibility with many groups (issue 18)
# --------------------------------------------------------------------------------------------


def test_many_groups_keep_labels_at_seven_points_or_more():
    n = 200
    sim = _similarity(n)
    table = _keyness_table(n)
    profile = pd.DataFrame({"group": sim.index, "mattr": np.linspace(0.5, 0.9, n)})
    figures = {
        "similarity": plots.plot_similarity(sim, dendrogram=False),
        "keyness_heatmap": plots.plot_keyness_heatmap(table, n=1, max_terms=30),
        "profile": plots.plot_profile(profile, measures=["mattr"]),
    }
    for name, fig in figures.items():
        ax = fig.axes[0]
        labels = ax.get_yticklabels()
        assert min(t.get_fontsize() for t in labels) >= 7, name
        # Labels thinned to what fits: each label has at least 1.25 x its size of axis height
        # (measured after the constrained layout has placed the axes).
        fig.draw_without_rendering()
        height_pt = ax.get_position().height * fig.get_size_inches()[1] * 72
        assert len(labels) * 7 * 1.25 <= height_pt * 1.05, name
        assert len(labels) < n, name


def test_long_group_labels_are_cut():
    labels = pd.Index([f"第{i}组：济南市槐荫区人民政府办公室学史明理专题" for i in range(4)], name="group")
    sim = pd.DataFrame(np.eye(4) * 0.5 + 0.5, index=labels, columns=labels)
    fig = plots.plot_similarity(sim)
    shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert all(len(text) <= 20 and text.endswith("…") for text in shown)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.savefig(BytesIO(), format="png", dpi=40)


# A constructed corpus of 50 districts in two families (red heritage vs rural revival), each
# district with two short reports that mention its own landmark and officials.
_RED = "参观革命纪念馆，缅怀革命先烈，传承红色基因，讲好红色故事。"
_RURAL = "推进乡村振兴，发展特色产业，壮大集体经济，带动群众增收。"
_SHARED = "党史学习教育开展以来，全区党员干部学党史、悟思想、办实事、开新局。"
_LANDMARKS = ["纪念碑", "博物馆", "烈士陵园", "广场", "公园"]


def _fifty_group_corpus():
    texts, districts = {}, []
    for g in range(N_GROUPS):
        district = f"第{g:02d}区"
        family = _RED if g % 2 == 0 else _RURAL
        for k in range(2):
            texts[f"d{g:02d}-{k}"] = (
                f"{district}扎实开展党史学习教育\n\n"
                f"{_SHARED}{family}{family if k else ''}"
                f"区委书记王建国到{_LANDMARKS[g % 5]}调研，开展宣讲{10 + g}场，覆盖群众{100 * (g + 1)}人次。"
            )
            districts.append(district)
    corp = ct.corpus_from_texts(texts, docvars=pd.DataFrame({"district": districts}, index=list(texts)))
    return corp.assign_docvars(group=ct.group_labels(corp.docvars, "district"))


def test_fifty_groups_run_end_to_end():
    corp = _fifty_group_corpus()
    profile = group_profile(corp)
    assert len(profile) == N_GROUPS
    assert (profile["quantified_share"] > 0).all()
    assert (profile["officials"] == "王建国").all()
    m = ct.dtm(ct.tokenize(corp).remove(ct.stopwords("zh-official"), min_chars=2))
    table = keyness(m)
    assert table["group"].nunique() == N_GROUPS
    summary = keyness_summary(table, 3)
    assert len(summary) == N_GROUPS
    sim = group_similarity(m)
    clustering = cluster_order(sim)
    families = clustering.clusters(2)
    even = [f"第{g:02d}区" for g in range(0, N_GROUPS, 2)]
    assert families[even].nunique() == 1 and families.nunique() == 2
    figures = [
        plots.plot_similarity(sim, clustering=clustering),
        plots.plot_dendrogram(clustering),
        plots.plot_keyness_heatmap(table, n=1, order=clustering.order),
        plots.plot_keyness_panels(table, n=5),
        plots.plot_profile(profile, order=clustering.order),
    ]
    for fig in figures:
        width, height = fig.get_size_inches()
        assert width <= 18 and height <= 16
    folded = plots.summarise_top(profile, n=10, value="n_chars", agg="mean")
    assert len(folded) == 11 and folded["n_groups"].sum() == N_GROUPS


def test_similarity_and_dendrogram_draw_a_chained_tree_of_thousands_of_groups():
    # A chained tree (each merge adds one leaf) is as deep as it has leaves: scipy's recursive
    # drawing then goes 1,500 levels deep, past Python's default limit of 1,000 frames.
    from corpus_tools.compare.similarity import Clustering
    from corpus_tools.textplot.compare import plot_dendrogram, plot_similarity

    n = 1500
    labels = [f"县{i:04d}" for i in range(n)]
    chain = np.array([[0, 1, 1.0, 2]] + [[n + i - 1, i + 1, 1.0 + i, i + 2] for i in range(1, n - 1)], dtype=float)
    clustering = Clustering(labels=labels, order=labels, linkage=chain, method="single")
    index = pd.Index(labels, name="group")
    similarity = pd.DataFrame(np.eye(n), index=index, columns=index)
    limit = sys.getrecursionlimit()
    fig = plot_similarity(similarity, clustering=clustering, kind="similarity")
    assert len(fig.axes) == 3 and fig.axes[0].images[0].get_array().shape == (375, 375)  # 4 x 4 block means
    assert len(plot_dendrogram(clustering).axes[0].collections[0].get_segments()) == n - 1
    assert sys.getrecursionlimit() == limit  # raised for the drawing only


def test_cluster_order_is_optimal_up_to_its_limit_and_the_tree_order_beyond(monkeypatch):
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    import corpus_tools.compare.similarity as similarity

    generator = np.random.default_rng(3)
    points = generator.random((40, 3))
    distance = np.sqrt(((points[:, None] - points[None]) ** 2).sum(axis=-1))
    index = pd.Index([f"g{i}" for i in range(40)], name="group")
    matrix = pd.DataFrame(distance, index=index, columns=index)
    condensed = squareform(distance, checks=False)
    optimal = [index[i] for i in leaves_list(linkage(condensed, method="average", optimal_ordering=True))]
    plain = [index[i] for i in leaves_list(linkage(condensed, method="average"))]
    assert optimal != plain
    assert similarity.cluster_order(matrix, kind="distance").order == optimal
    monkeypatch.setattr(similarity, "OPTIMAL_ORDER_MAX_LABELS", 39)
    assert similarity.cluster_order(matrix, kind="distance").order == plain
    assert similarity.cluster_order(matrix, kind="distance", optimal_ordering=True).order == optimal


def test_heatmaps_of_many_groups_draw_block_means_over_the_cells_they_average():
    from corpus_tools.compare.reuse import plot_reuse_matrix
    from corpus_tools.textplot.compare import plot_similarity

    generator = np.random.default_rng(5)
    n = 900  # k = 3 blocks of 3 x 3 cells per side
    values = generator.random((n, n))
    values = (values + values.T) / 2
    np.fill_diagonal(values, 1.0)
    index = pd.Index([f"县{i:03d}" for i in range(n)], name="group")
    matrix = pd.DataFrame(values, index=index, columns=index)
    order = list(index)  # keep the table's order, so blocks can be computed by hand
    from corpus_tools.compare.similarity import Clustering

    fig = plot_similarity(matrix, clustering=Clustering(labels=order, order=order, linkage=np.empty((0, 4)),
                                                        method="average"), kind="similarity")
    image = fig.axes[0].images[0]
    drawn = image.get_array()
    assert drawn.shape == (300, 300)
    assert drawn[0, 1] == pytest.approx(values[0:3, 3:6].mean())
    assert drawn[0, 0] == pytest.approx(values[0:3, 0:3][~np.eye(3, dtype=bool)].mean())  # diagonal left out
    assert image.get_extent() == [-0.5, n - 0.5, n - 0.5, -0.5]  # blocks sit over their cells
    assert "mean of 3 × 3 cells" in fig.axes[1].get_ylabel()
    reuse = matrix.where(~np.eye(n, dtype=bool))
    reuse_fig = plot_reuse_matrix(reuse, order="given")
    block = reuse_fig.axes[0].images[0].get_array()
    assert block.shape == (300, 300)
    assert block[0, 0] == pytest.approx(np.nanmean(reuse.to_numpy()[0:3, 0:3]))  # the missing diagonal left out
