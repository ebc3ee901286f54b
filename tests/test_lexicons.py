"""Tests for corpus_tools.lexicons: package data loading, stopwords and provenance hashes."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pandas as pd
import pytest

from corpus_tools.lexicons import (
    lexicon_hashes,
    read_user_dictionary,
    stopwords,
    user_dictionary,
    user_dictionary_path,
)

CAMPAIGN_SLOGANS = [
    "学史明理", "学史增信", "学史崇德", "学史力行", "学党史", "悟思想", "办实事", "开新局",
    "我为群众办实事", "急难愁盼", "走深走实", "入脑入心", "感党恩", "听党话", "跟党走",
    "守正创新", "初心使命", "红色基因", "两个一百年", "七个一", "双报到", "规定动作", "自选动作", "四不两直",
]  # fmt: skip
#: Programme names only the seeds use: the opt-in seed layer, never the general one.
SEED_PROGRAMMES = ["三个七", "七进", "七个结合", "四学四比", "三问于民", "一链办理", "天天敲门组"]
CONTENT_WORDS = ["党史", "学习", "教育", "群众", "实事", "红色", "初心", "使命", "人民", "发展", "宣讲", "全区"]
FILLER_WORDS = ["进一步", "积极", "深入", "开展", "推动", "工作", "相关", "等", "各级", "的", "了"]


def test_user_dictionary_path_is_the_package_file():
    path = user_dictionary_path()
    assert path.is_file()
    assert path.name == "userdict.txt"
    assert path.parent.name == "data" and path.parent.parent.name == "corpus_tools"


def test_user_dictionary_table():
    table = user_dictionary()
    assert list(table.columns) == ["word", "freq", "pos", "category", "layer"]
    assert set(table["layer"]) == {"general"}
    assert table["word"].is_unique
    assert table["freq"].notna().all() and (table["freq"] > 0).all()
    assert table["pos"].notna().all()
    assert set(table["category"]) == {
        "core", "slogan", "formula", "activity", "institution", "title", "person", "locality",
        "red_site", "general", "override",
    }  # fmt: skip
    assert not table["word"].str.contains(r"\s").any()


def test_user_dictionary_holds_the_campaign_formulas():
    table = user_dictionary().set_index("word")
    missing = [word for word in CAMPAIGN_SLOGANS if word not in table.index]
    assert missing == []
    assert set(table.loc[CAMPAIGN_SLOGANS, "category"]) <= {"slogan", "formula"}


def test_seed_programmes_are_only_in_the_opt_in_seed_layer():
    general = user_dictionary()
    both = user_dictionary(seed_layer=True)
    assert not general["word"].isin(SEED_PROGRAMMES).any()
    seeds = both.set_index("word").loc[SEED_PROGRAMMES]
    assert set(seeds["layer"]) == {"seeds"} and set(seeds["category"]) <= {"formula", "activity"}
    # the general layer comes first and unchanged; no word is in both layers
    assert both.iloc[: len(general)].drop(columns="layer").equals(general.drop(columns="layer"))
    assert both["word"].is_unique
    assert user_dictionary_path("seeds").name == "userdict-seeds.txt"
    with pytest.raises(ValueError, match="layer"):
        user_dictionary_path("local")


def test_user_dictionary_returns_a_copy():
    table = user_dictionary()
    table.loc[0, "word"] = "changed"
    assert user_dictionary().loc[0, "word"] != "changed"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("学史明理 30000 l\n", [("学史明理", 30000, "l", "")]),
        ("# note\n\n# @category slogan\n学党史 300 l\n", [("学党史", 300, "l", "slogan")]),
        ("新词\n", [("新词", None, None, "")]),
        ("新词 12\n", [("新词", 12, None, "")]),
        ("新词 n\n", [("新词", None, "n", "")]),
        ("\ufeff新词 5 n\n", [("新词", 5, "n", "")]),  # a BOM is not part of the first word
    ],
)
def test_read_user_dictionary_lines(tmp_path, lines, expected):
    path = tmp_path / "dict.txt"
    path.write_text(lines, encoding="utf-8")
    table = read_user_dictionary(path)
    rows = [
        (word, None if pd.isna(freq) else int(freq), None if pd.isna(pos) else pos, category)
        for word, freq, pos, category in table.itertuples(index=False, name=None)
    ]
    assert rows == expected


def test_read_user_dictionary_refuses_duplicates(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("党史 5 n\n党史 7 n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="党史"):
        read_user_dictionary(path)


def test_stopwords_are_a_frozenset_with_filler_and_without_content():
    words = stopwords("zh-official")
    assert isinstance(words, frozenset)
    assert set(FILLER_WORDS) <= words
    assert words.isdisjoint(CONTENT_WORDS)
    assert not any(word.startswith("#") or word != word.strip() or not word for word in words)


def test_stopwords_never_remove_a_dictionary_entry():
    assert stopwords().isdisjoint(user_dictionary()["word"])


def test_stopwords_default_and_cache():
    assert stopwords() is stopwords("zh-official")


def test_unknown_stopword_list_is_refused():
    with pytest.raises(ValueError, match="zh-official"):
        stopwords("en")


def test_lexicon_hashes_are_sha256_of_each_data_file():
    hashes = lexicon_hashes()
    assert {"userdict.txt", "stopwords-zh-official.txt"} <= set(hashes)
    assert list(hashes) == sorted(hashes)
    data_dir = user_dictionary_path().parent
    for name, digest in hashes.items():
        assert digest == hashlib.sha256((data_dir / name).read_bytes()).hexdigest()


def test_lexicon_hashes_return_a_fresh_dict():
    lexicon_hashes()["userdict.txt"] = "tampered"
    assert lexicon_hashes()["userdict.txt"] != "tampered"


def test_importing_reads_no_file():
    code = (
        "import corpus_tools.lexicons as lx; "
        "print(lx._read_word_list.cache_info().currsize, lx.user_dictionary_path.cache_info().currsize, "
        "lx._package_user_dictionary.cache_info().currsize, lx._lexicon_hashes.cache_info().currsize)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["0", "0", "0", "0"]
