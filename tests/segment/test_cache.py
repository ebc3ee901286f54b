"""Tests for corpus_tools.segment.cache: keys, values, the SQLite store and what invalidates what."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest

from corpus_tools.segment import Segmenter, get_segmenter
from corpus_tools.segment.cache import TokenCache, decode, encode, open_cache, unit_keys
from corpus_tools.tokens import segment_texts

from .dictionary import jieba_main_dictionary


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return get_segmenter()


# -- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "tags"),
    [
        ([], None),
        ([], []),
        (["学史明理"], None),
        (["学史明理", "，", "1.6", "%"], ["l", "x", "m", "x"]),
        (["a\ud800b", "😀"], None),  # a lone surrogate survives
    ],
)
def test_encode_decode_round_trip(words, tags):
    assert decode(encode(words, tags), pos=tags is not None) == (words, tags)


@pytest.mark.parametrize("words", [["a\x1fb"], ["a", "b\x1e"], [""], ["a", ""]])
def test_encode_refuses_what_it_could_not_restore(words):
    assert encode(words) is None


@pytest.mark.parametrize(
    ("value", "pos"),
    [("a\x1eb", False), ("a\x1fb", True), ("a\x1fb\x1en", True), ("a\x1en\x1ex", True)],
)
def test_decode_rejects_malformed_values(value, pos):
    with pytest.raises(ValueError):
        decode(value, pos=pos)


# -- where the cache lives --------------------------------------------------------------------


def test_open_cache_options(monkeypatch, tmp_path):
    monkeypatch.setenv("DANGSHI_CACHE_DIR", str(tmp_path / "project-cache"))
    assert open_cache(False) is None
    assert open_cache(None) is None
    default = open_cache(True)
    assert default.directory == tmp_path / "project-cache" / "tokens"
    assert open_cache(tmp_path / "mine").directory == tmp_path / "mine"
    assert open_cache(str(tmp_path / "mine")).directory == tmp_path / "mine"
    assert open_cache(default) is default
    monkeypatch.setenv("DANGSHI_CACHE", "off")
    assert open_cache(True) is None
    assert open_cache(tmp_path / "mine") is not None  # an explicit folder is a request
    monkeypatch.setenv("DANGSHI_CACHE", "sometimes")
    with pytest.raises(ValueError, match="DANGSHI_CACHE"):
        open_cache(True)
    with pytest.raises(TypeError):
        open_cache(3)


def test_store_round_trip_and_gitignore(tmp_path):
    cache = TokenCache(tmp_path / "c")
    assert len(cache) == 0 and not cache.directory.exists()  # nothing created by reading
    assert cache.get_many([b"k" * 32]) == {}
    assert cache.put_many([(b"k" * 32, encode(["党史"])), (b"n" * 32, None)]) == 1
    assert cache.get_many([b"k" * 32, b"x" * 32]) == {b"k" * 32: "党史"}
    assert (cache.directory / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    cache.put_many([(b"k" * 32, encode(["学", "党史"]))])
    assert cache.get_many([b"k" * 32]) == {b"k" * 32: "学\x1f党史"}
    assert len(cache) == 1
    cache.clear()
    assert len(cache) == 0


def test_damaged_entry_is_recomputed(tmp_path, seg):
    cache = TokenCache(tmp_path)
    texts = ["引导党员干部学史明理", "推动党史学习教育走深走实"]
    expected, _ = segment_texts(texts, segmenter=seg, cache=False)
    segment_texts(texts, segmenter=seg, cache=cache)
    (key,) = unit_keys(texts[:1], seg, pos=False)
    with sqlite3.connect(cache.path) as connection:
        connection.execute("UPDATE tokens SET value = ? WHERE key = ?", ("引导\x1f党员".encode(), key))
    connection.close()
    assert key not in cache.get_many([key])  # the digest no longer matches
    words, _ = segment_texts(texts, segmenter=seg, cache=cache)
    assert words == expected
    assert decode(cache.get_many([key])[key], pos=False)[0] == expected[0]  # rewritten


def test_unreadable_database_is_set_aside(tmp_path, seg):
    cache = TokenCache(tmp_path)
    tmp_path.mkdir(exist_ok=True)
    cache.path.write_bytes(b"this is not a database" * 100)
    with pytest.warns(RuntimeWarning, match="unreadable"):
        words, _ = segment_texts(["学党史、悟思想"], segmenter=seg, cache=cache)
    assert words == [["学党史", "、", "悟思想"]]
    assert len(list(tmp_path.glob("*.corrupt"))) == 1
    assert len(cache) == 1


def _write_and_die(path: str) -> None:
    # Start a transaction, write, and end the process without committing.
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany("INSERT INTO tokens (key, value, digest) VALUES (?, ?, ?)",
                           [(bytes([i]) * 32, b"x", b"y") for i in range(100)])
    os._exit(1)


def _writer(directory: str, offset: int) -> None:
    cache = TokenCache(directory)
    for round_no in range(20):
        items = [(bytes([(offset + round_no + i) % 256]) * 32, encode([f"词{i}", str(offset)])) for i in range(50)]
        assert cache.put_many(items) == 50


def test_interrupted_and_concurrent_writers_leave_intact_entries(tmp_path):
    cache = TokenCache(tmp_path)
    cache.put_many([(b"a" * 32, encode(["学史明理"]))])
    context = multiprocessing.get_context("fork")
    dying = context.Process(target=_write_and_die, args=(os.fspath(cache.path),))
    dying.start()
    dying.join()
    assert dying.exitcode == 1
    assert len(cache) == 1  # nothing of the uncommitted transaction
    writers = [context.Process(target=_writer, args=(os.fspath(tmp_path), offset)) for offset in (0, 7, 13)]
    for process in writers:
        process.start()
    for process in writers:
        process.join()
    assert [process.exitcode for process in writers] == [0, 0, 0]
    with sqlite3.connect(cache.path) as connection:
        keys = [row[0] for row in connection.execute("SELECT key FROM tokens")]
    connection.close()
    found = cache.get_many(keys)
    assert len(found) == len(keys) > 50  # every entry passes its digest check
    assert all(decode(value, pos=False)[0][0].startswith(("词", "学")) for value in found.values())


# -- keys ---------------------------------------------------------------------------------------


def test_keys_cover_text_and_settings_but_not_engine(seg):
    texts = ["学党史、悟思想", "学党史、悟思想", "学党史，悟思想"]
    keys = unit_keys(texts, seg, pos=False)
    assert keys[0] == keys[1] != keys[2]
    assert all(len(key) == 32 for key in keys)
    assert unit_keys(texts, seg, pos=True)[0] != keys[0]
    jieba_engine = get_segmenter(engine="jieba")
    assert unit_keys(texts, jieba_engine, pos=False) == keys
    hmm = get_segmenter(hmm=True)
    assert unit_keys(texts, hmm, pos=False)[0] != keys[0]


def test_user_entries_in_reports_jiebas_own_frequencies(tmp_path):
    userdict = tmp_path / "ud.txt"
    userdict.write_text("学史明理 30000 l\n党史学习\n", encoding="utf-8")
    segmenter = Segmenter(userdict=userdict, extra_words=["走深走实"], engine="jieba")
    suggested = segmenter.tokenizer.FREQ["党史学习"]  # what jieba's suggest_freq chose
    assert segmenter.cut("党史学习") == ["党史学习"]  # ... so that the word is kept whole
    assert segmenter.user_entries_in("推动党史学习教育走深走实", pos=False) == [("党史学习", suggested), ("走深走实", 30000)]
    assert segmenter.user_entries_in("学史明理", pos=True) == [("学史明理", 30000, "l")]
    assert segmenter.user_entries_in("", pos=False) == []


# What a change of the user dictionary invalidates. The near-threshold words: two characters
# that jieba joins only while the total frequency T is large enough (F * T > fA * fB, see
# test_segmenter.test_rjieba_divides_by_jiebas_total); a text that contains none of the changed
# words changes with T all the same.

_FILLER = "龘靐齉"  # an unrelated user word whose frequency moves T


@pytest.fixture(scope="module")
def dictionaries(tmp_path_factory):
    """Four user dictionaries: a base, a retagged word, a reformatted copy, a lighter filler."""
    freq, main_total = jieba_main_dictionary()
    filler_freq = 5_000_000
    chars = "了是在和有他不我人也"
    pairs = [a + b for a in chars for b in chars if a != b and a + b not in freq][:6]
    total = main_total + filler_freq
    for _ in range(50):  # the words' own frequencies are part of T
        chosen = {w: freq[w[0]] * freq[w[1]] // total + 1 for w in pairs}
        new_total = main_total + filler_freq + sum(chosen.values())
        if new_total == total:
            break
        total = new_total
    lighter_total = total - filler_freq + 1
    for w, f in chosen.items():
        assert f * total > freq[w[0]] * freq[w[1]] >= f * lighter_total  # joined, then split

    def write(name: str, lines: list[str]) -> Path:
        path = tmp_path_factory.mktemp("ud") / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    words = [f"{w} {f} n" for w, f in chosen.items()]
    first = next(iter(chosen))
    return {
        "pairs": list(chosen),
        "base": write("base.txt", ["学史明理 30000 l", f"{_FILLER} {filler_freq} n", *words]),
        "retagged": write("retagged.txt", ["学史明理 30000 n", f"{_FILLER} {filler_freq} n", *words]),
        "reformatted": write("reformatted.txt", ["# the same entries", *reversed(words), "# @category x",
                                                 f"{_FILLER} {filler_freq} n", "学史明理 30000 l"]),
        "lighter": write("lighter.txt", ["学史明理 30000 l", f"{_FILLER} 1 n", *words]),
        "first": first,
    }


@pytest.mark.slow
def test_frequency_change_elsewhere_changes_results_and_keys(dictionaries, tmp_path):
    base = Segmenter(userdict=dictionaries["base"])
    lighter = Segmenter(userdict=dictionaries["lighter"])
    texts = [f"他说{w}。" for w in dictionaries["pairs"]] + ["学史明理"]
    assert not any(_FILLER in text for text in texts)
    cache = TokenCache(tmp_path)
    before, _ = segment_texts(texts, segmenter=base, cache=cache)
    after, _ = segment_texts(texts, segmenter=lighter, cache=cache)
    # jieba itself, with no cache, is the reference for both dictionaries.
    assert before == [Segmenter(userdict=dictionaries["base"], engine="jieba").cut(t) for t in texts]
    assert after == [lighter.tokenizer.lcut(t, HMM=False) for t in texts]
    first = dictionaries["pairs"][0]
    assert first in before[0] and first not in after[0]  # a text without the filler changed
    assert set(unit_keys(texts, base, pos=False)).isdisjoint(unit_keys(texts, lighter, pos=False))
    assert len(cache) == 2 * len(texts)


def test_tag_change_invalidates_only_tagged_texts_with_the_word(dictionaries):
    base = Segmenter(userdict=dictionaries["base"], engine="jieba")
    retagged = Segmenter(userdict=dictionaries["retagged"], engine="jieba")
    with_word, without_word = "坚持学史明理", f"他说{dictionaries['first']}"
    old, new = (unit_keys([with_word, without_word], s, pos=True) for s in (base, retagged))
    assert old[0] != new[0] and old[1] == new[1]
    assert unit_keys([with_word, without_word], base, pos=False) == unit_keys(
        [with_word, without_word], retagged, pos=False
    )
    assert ("学史明理", "l") in base.cut_pos(with_word) and ("学史明理", "n") in retagged.cut_pos(with_word)


def test_reformatting_the_user_dictionary_invalidates_nothing(dictionaries):
    base = Segmenter(userdict=dictionaries["base"], engine="jieba")
    reformatted = Segmenter(userdict=dictionaries["reformatted"], engine="jieba")
    texts = ["坚持学史明理", f"他说{dictionaries['first']}", "党史学习教育"]
    for pos in (False, True):
        assert unit_keys(texts, base, pos=pos) == unit_keys(texts, reformatted, pos=pos)
