"""Shared fixtures: the real seeds and a tiny toy corpus with known content."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_tools.corpus import Corpus, corpus_from_texts, read_corpus

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "seeds"

#: Three short made-up reports: two districts, one in traditional script with
#: pinyin readings, one with a page break inside a word and a caption.
TOY_TEXTS = {
    "toy-a": (
        "学史明理办实事\n\n本报记者 张三\n\n"
        "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，"
        "推动党史学习教育走深走实，为群众解决急难愁盼问题。\n\n\n\n甲区召开动员大会。"
    ),
    "toy-b": (
        "乙县扎实开展党史学习教育\n\n"
        "乙县组织党员干部学党史、悟思想、办实事、开新局，开展“我为群众办实事”实践活动，"
        "推动党史宣讲向社\n\n区、向群众延伸。"
    ),
    "toy-c": "學(xué)史力行踐初心\n\n發布日期:2021-10-22\n\n丙市堅持學(xué)史明理,推動黨史學(xué)習(xí)教育。",
}


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """Keep token and result caches of the test run out of the user's cache folder.

    Every test session starts cold, as on a fresh machine; the kernels of notebook tests
    inherit the variable.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DANGSHI_CACHE_DIR", str(tmp_path_factory.mktemp("dangshi-cache")))
        patch.delenv("DANGSHI_CACHE", raising=False)  # caching on, whatever the shell says
        yield


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS_DIR


@pytest.fixture(scope="session")
def seeds() -> Corpus:
    """The five real seed reports, read with their manifest."""
    return read_corpus(SEEDS_DIR)


@pytest.fixture(scope="session")
def toy() -> Corpus:
    """Three made-up reports with known structure (see TOY_TEXTS)."""
    return corpus_from_texts(TOY_TEXTS)
