"""Notebook 03 (district comparison) on a constructed corpus of 50 groups, through the report runner.

The seeds have five groups; a researcher's corpus may have fifty. The corpus below is made of
seed paragraphs redistributed over 50 made-up districts, two reports each, every district with
its own dated mobilisation meeting and two districts with a planted shared passage, so the
report has something to find in every section.
"""

from __future__ import annotations

import csv
import random

import pandas as pd
import pytest

from corpus_tools.corpus import read_corpus
from corpus_tools.reports import run_reports

N_GROUPS = 50
#: One product per district, written three times into each of its reports: what keyness must find.
PRODUCTS = (
    "苹果 香蕉 茶叶 大米 小麦 玉米 棉花 花生 蔬菜 葡萄 柑橘 草莓 西瓜 蜂蜜 木耳 香菇 核桃 板栗 红枣 枸杞 "
    "人参 药材 丝绸 陶瓷 钢铁 煤炭 水泥 玻璃 纺织 服装 家具 皮革 造纸 印刷 汽车 电池 芯片 软件 物流 温泉 "
    "民宿 竹子 石材 海带 牡丹 桑蚕 奶牛 生猪 渔业 林业"
).split()
PLANTED = "经区委常委会研究决定，在全区范围内开展红色基因传承千村万户大走访行动，由区委组织部牵头抓总并每月通报进展"


@pytest.fixture(scope="module")
def fifty_groups(tmp_path_factory, seeds_dir):
    paragraphs = [p for p in read_corpus(seeds_dir).paragraphs()["text"] if len(p) >= 40]
    rng = random.Random(20210220)
    folder = tmp_path_factory.mktemp("fifty")
    rows = []
    for g in range(N_GROUPS):
        district = f"测试{g + 1:02d}区"
        for d in range(2):
            body = rng.sample(paragraphs, 4)
            product = PRODUCTS[g]
            body.append(f"本区特色产业是{product}，{product}产业带动群众就业，{product}品牌远近闻名。")
            body.insert(1, f"3月{(g % 27) + 1}日，{district}召开党史学习教育动员大会，区委书记出席会议并讲话，共组织宣讲{g + 3}场。")
            if g in (7, 31) and d == 0:
                body.insert(2, PLANTED + "。")
            name = f"{g:02d}-{d}.txt"
            title = f"{district}扎实推进党史学习教育（{d + 1}）"
            (folder / name).write_text(title + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
            rows.append({"doc_id": f"g{g:02d}-{d}", "file": name, "title": title, "district": district,
                         "city": "测试市", "province": "测试省", "admin_level": "district",
                         "date_published": "2021-06-30"})
    with (folder / "metadata.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


@pytest.mark.slow
def test_comparison_notebook_runs_unchanged_on_fifty_groups(fifty_groups, tmp_path):
    run = run_reports(corpus_dir=fifty_groups, reports_dir=tmp_path / "reports", notebooks=["03"], run_id="fifty")
    tables = run / "tables"
    profile = pd.read_csv(tables / "group_profile.csv")
    assert len(profile) == N_GROUPS and (profile["n_docs"] == 2).all()
    summary = pd.read_csv(tables / "keyness_summary.csv")
    assert len(summary) == N_GROUPS
    # each district's own product is among the three terms that set it apart most
    top3 = summary.set_index("group")["top_terms"].str.split("、").str[:3]
    found = [PRODUCTS[g] in top3[f"测试{g + 1:02d}区"] for g in range(N_GROUPS)]
    assert sum(found) >= 45, [PRODUCTS[g] for g, ok in enumerate(found) if not ok]
    similarity = pd.read_csv(tables / "group_similarity_tfidf.csv")
    assert similarity[["a", "b"]].stack().nunique() == N_GROUPS
    passages = pd.read_csv(tables / "shared_passages.csv")
    planted = passages[passages["text_a"].str.contains("千村万户大走访", na=False)]
    assert {frozenset((a, b)) for a, b in zip(planted["group_a"], planted["group_b"])} == {
        frozenset(("测试08区", "测试32区"))
    }
    assert set(planted["kind"]) == {"template"}
    lag = pd.read_csv(tables / "mobilisation_lag.csv").set_index("group")
    assert len(lag) == N_GROUPS
    assert lag.loc["测试01区", "local_date"] == "2021-03-01" and lag.loc["测试01区", "lag_days"] == 9
    assert lag.loc["测试28区", "local_date"] == "2021-03-01"  # (27 % 27) + 1
    claims = pd.read_csv(tables / "quantified_claims.csv")
    assert claims.groupby("group").size().reindex(profile["group"]).notna().all()
    for figure in ("keyness_panels", "keyness_grid", "group_profile", "group_similarity_tfidf", "reuse_matrix",
                   "timeline", "claims_by_group"):
        assert (run / "figures" / f"{figure}.png").stat().st_size > 10_000, figure
