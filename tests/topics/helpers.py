"""Constructed topic corpora shared by the tests of corpus_tools.topics.

Small corpora with a known topic structure (an agriculture and an education vocabulary,
optionally a third), built as Tokens so that no segmenter is needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from corpus_tools.tokens import Tokens

PROJECT_ROOT = Path(__file__).resolve().parents[2]

AGRICULTURE = ["农业", "粮食", "种植", "农民", "耕地", "收成", "农田", "水稻"]
EDUCATION = ["教育", "学校", "学生", "老师", "课堂", "教材", "校园", "考试"]
CULTURE = ["文化", "演出", "剧团", "舞台", "观众", "非遗", "展览", "艺术"]


def tokens_of(vocabularies, *, n_units=15, length=12, seed=0, extra=()) -> Tokens:
    """`n_units` units per vocabulary, each `length` words drawn from it; one doc per vocabulary."""
    generator = np.random.default_rng(seed)
    lists, doc_ids, groups = [], [], []
    for v, vocabulary in enumerate(vocabularies):
        for _ in range(n_units):
            lists.append(list(generator.choice(vocabulary, size=length)) + list(extra))
            doc_ids.append(f"doc{v}")
            groups.append(["甲县", "乙县", "丙县"][v])
    index = pd.Index([f"doc{d[-1]}:p{i:03d}" for i, d in enumerate(doc_ids)], name="unit_id")
    docvars = pd.DataFrame({"doc_id": doc_ids, "para_no": np.arange(1, len(index) + 1), "group": groups},
                           index=index)
    return Tokens(tokens=pd.Series(lists, index=index, dtype=object), docvars=docvars, unit="paragraph")
