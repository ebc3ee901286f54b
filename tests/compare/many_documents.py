"""A constructed corpus of many short reports, for checking that n_jobs does not change a table.

:func:`pool_calls` (a fixture) records the worker pools started, to see that n_jobs=2 did.

Each report is put together from constructed sentences with its own numbers, dates and places,
so every document yields claims, dated events, officials and places of its own.
"""

from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.corpus import Corpus, corpus_from_texts

_DISTRICTS = ("甲区", "乙县", "丙市")
_SENTENCES = (
    "{year}年{month}月{day}日，{district}召开党史学习教育动员大会。",
    "{month2}月{day}日，{district}举办专题读书班，培训党员{people}余名。",
    "全{unit}组建{groups}个宣讲小分队，开展宣讲{talks}场，累计吸引{viewers}万人次观看。",
    "区委书记王建国到{district}调研，为群众解决{issues}项难题。",
    "截至{month2}月底，共收集意见建议{ideas}条，办结率为9{digit}.5%。",
    "{month}月下旬至{month2}月上旬，各村开展“学党史、办实事”活动{talks}次。",
)


def many_documents(n_docs: int = 24) -> Corpus:
    """`n_docs` reports with a ``district`` and ``date_published`` docvar each."""
    texts, districts, published = {}, [], []
    for k in range(n_docs):
        values = {
            "year": 2021, "month": 2 + k % 3, "month2": 5 + k % 4, "day": 1 + k % 27,
            "district": _DISTRICTS[k % 3], "unit": "区" if k % 2 else "县", "people": 100 + 7 * k,
            "groups": 3 + k, "talks": 20 + 3 * k, "viewers": 1 + k % 5, "issues": 10 + k,
            "ideas": 200 + 11 * k, "digit": k % 9,
        }
        picked = [s for j, s in enumerate(_SENTENCES) if (j + k) % 4 != 3]  # documents differ in shape
        paragraphs = ["".join(picked[:2]), "".join(picked[2:])]
        texts[f"r{k:02d}"] = "\n".join(p.format(**values) for p in paragraphs)
        districts.append(_DISTRICTS[k % 3])
        published.append(f"2021-{7 + k % 3:02d}-15")
    docvars = pd.DataFrame({"district": districts, "date_published": published}, index=list(texts))
    return corpus_from_texts(texts, docvars=docvars)


@pytest.fixture
def pool_calls(monkeypatch):
    import corpus_tools.parallel as parallel

    calls = []
    original = parallel.worker_pool

    def counting_pool(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(parallel, "worker_pool", counting_pool)
    return calls
