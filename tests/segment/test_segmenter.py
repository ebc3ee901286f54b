"""Tests for corpus_tools.segment.segmenter: the private jieba tokenizer, the project dictionary, and rjieba's
identity with jieba."""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from corpus_tools import lexicons
from corpus_tools.segment import EXTRA_WORD_FREQ, Segmenter, get_segmenter

from .dictionary import jieba_main_dictionary

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
# Seed 002 is traditional script with inline pinyin; the dictionary is simplified only.
SIMPLIFIED_SEEDS = ["000", "001", "003", "004"]


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    """The default segmenter: engine "auto", which is rjieba with hmm=False."""
    return Segmenter()


@pytest.fixture(scope="module")
def ref() -> Segmenter:
    """The reference: jieba itself, same dictionaries."""
    return Segmenter(engine="jieba")


def _seed_text(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# (slogan, a sentence from the seeds that contains it, seed)
SLOGANS_IN_SEED_SENTENCES = [
    ("学史明理", "引导广大党员干部学史明理、学史增信、学史崇德、学史力行，在加", "000"),
    ("学史增信", "引导广大党员干部学史明理、学史增信、学史崇德、学史力行，在加", "000"),
    ("学史崇德", "坚持学史明理、学史增信、学史崇德、学史力行，把党史学习教育与各项工作紧密结合起来", "001"),
    ("学史力行", "注重实践成效,学史力行,抓好“七个结合”", "003"),
    ("学史力行", "学史力行办实事 为民解难谋福祉", "004"),
    ("我为群众办实事", "把开展“我为群众办实事”实践活动作为重要内容", "000"),
    ("我为群众办实事", "扎实开展“我为群众办实事”实践活动，推动党史学习教育入脑入心、走深走实", "001"),
    ("急难愁盼", "收集整理群众反映集中的急难愁盼问题，明确责任单位", "000"),
    ("急难愁盼", "为破解群众“急难愁盼”问题", "001"),
    ("走深走实", "槐荫区推进党史学习教育走深走实", "000"),
    ("走深走实", "奋力推动党史学习教育走深走实。", "004"),
    ("学党史", "全区上下学党史、悟思想、办实事、开新局，奋力推动党史学习教育走深走实", "004"),
    ("学党史", "让更多人能更便利地学党史。", "004"),
    ("学党史", "凝心聚力学党史、砥砺前行强党性。", "001"),
    ("悟思想", "迅速掀起学党史、悟思想、办实事、开新局的热潮。", "004"),
    ("办实事", "践行使命办实事，凝聚力量开新局", "000"),
    ("办实事", "为群众办实事解难题", "000"),
    ("办实事", "实现了为青少年群体多解难题、多办实事、多给助力。", "001"),
    ("开新局", "践行使命办实事，凝聚力量开新局", "000"),
    ("开新局", "将学习教育成果转化办实事、开新局的强大动力。", "000"),
    ("入脑入心", "推动党史学习教育入脑入心、走深走实。", "001"),
    ("入脑入心", "观序交流 让红色基因入脑入心", "004"),
    ("七个一", "以“三个七”(“七个一”“七进”“七个结合”)为抓手", "003"),
    ("七个一", "丰富学习形式,做好“七个一”(每月举办一场党史讲座", "003"),
    ("七个一", "一次群众性红色文化活动等“七个一”党史学习教育实践", "001"),
]


@pytest.mark.parametrize(("slogan", "sentence", "seed"), SLOGANS_IN_SEED_SENTENCES)
def test_slogan_is_one_token_in_seed_sentence(seg, slogan, sentence, seed):
    assert sentence in _seed_text(seed), "test sentence must be quoted verbatim from the seed"
    assert slogan in seg.cut(sentence)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Three-character slogans must not steal a character from a real word before them.
        ("第一时间自学党史", ["第一", "时间", "自学", "党史"]),
        ("更便利地学党史", ["更", "便利", "地", "学党史"]),
        ("全区上下学党史", ["全区", "上下", "学党史"]),
        ("学党史、悟思想、办实事、开新局", ["学党史", "、", "悟思想", "、", "办实事", "、", "开新局"]),
        ("永远跟党走我为群众办实事", ["永远跟党走", "我为群众办实事"]),
        ("济南市中区委迅速召开", ["济南", "市中区委", "迅速", "召开"]),
        ("区委书记李国强出席会议并讲话", ["区委书记", "李国强", "出席会议", "并", "讲话"]),
        ("矗立在槐荫广场的“四五烈士纪念碑”", ["矗立", "在", "槐荫广场", "的", "“", "四五烈士纪念碑", "”"]),
        ("平桥镇对和平中学旧址进行修缮管理", ["平桥镇", "对", "和平中学旧址", "进行", "修缮", "管理"]),
    ],
)
def test_cut_segments_as_expected(seg, text, expected):
    assert seg.cut(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("增长1.6%", ["增长", "1.6", "%"]),  # dictionary-only jieba would give 1 . 6
        ("满意率为95.2%", ["满意率", "为", "95.2", "%"]),
        ("第3.", ["第", "3", "."]),
        ("2021年", ["2021", "年"]),
        ("党史 学习\n教育\u3000活动", ["党史", "学习", "教育", "活动"]),  # whitespace dropped
        ("", []),
    ],
)
def test_cut_repairs_numbers_and_whitespace(seg, text, expected):
    assert seg.cut(text) == expected


def test_every_dictionary_entry_is_one_token_on_its_own(seg):
    entries = lexicons.user_dictionary()
    words = entries.loc[entries["category"] != "override", "word"]
    split = [word for word in words if seg.cut(word) != [word]]
    assert split == []


def test_override_entries_are_split(seg):
    # Override entries demote jieba words that would swallow a formula.
    assert seg.cut("多办实事") == ["多", "办实事"]


def test_private_tokenizer_leaves_jieba_globals_untouched():
    import jieba
    import jieba.posseg

    def snapshot():
        return (jieba.dt.initialized, jieba.dt.total, len(jieba.dt.FREQ), len(jieba.posseg.dt.word_tag_tab))

    before = snapshot()
    segmenter = Segmenter()
    segmenter.cut("引导广大党员干部学史明理")
    segmenter.cut_pos("引导广大党员干部学史明理")
    assert segmenter.tokenizer is not jieba.dt
    assert snapshot() == before
    assert "学史明理" not in jieba.dt.FREQ
    assert "学史明理" not in jieba.posseg.dt.word_tag_tab


def test_segmenters_start_from_one_load_of_jiebas_dictionary_and_keep_their_own_words(tmp_path):
    import jieba
    import jieba.posseg

    # What jieba itself loads, for reference.
    plain = jieba.Tokenizer()
    plain.tmp_dir = str(tmp_path / "plain")
    plain.initialize()
    plain_tags = jieba.posseg.POSTokenizer(plain).word_tag_tab
    first = Segmenter(cache_dir=tmp_path / "shared", extra_words=["甲乙丙丁词"])
    second = Segmenter(cache_dir=tmp_path / "shared", hmm=True)
    for segmenter in (first, second):
        freq = segmenter.tokenizer.FREQ
        assert segmenter.tokenizer.total >= plain.total and set(plain.FREQ) <= set(freq)
        assert all(freq[word] == count for word, count in list(plain.FREQ.items())[::997])
    tags = [s._get_pos_tokenizer().word_tag_tab for s in (first, second)]
    assert all(table[word] == tag for table in tags for word, tag in list(plain_tags.items())[::997])
    # One segmenter's words are its own: the dictionaries are copies, not one shared object.
    assert first.tokenizer.FREQ is not second.tokenizer.FREQ and tags[0] is not tags[1]
    assert "甲乙丙丁词" in first.tokenizer.FREQ and "甲乙丙丁词" not in second.tokenizer.FREQ
    assert first.cut("甲乙丙丁词") == ["甲乙丙丁词"] and second.cut("甲乙丙丁词") != ["甲乙丙丁词"]
    assert tags[0]["甲乙丙丁词"] == "nz" and "甲乙丙丁词" not in tags[1]


def test_cache_goes_to_cache_dir_not_temp_dir(tmp_path):
    temp_dir = Path(tempfile.gettempdir())
    before = set(temp_dir.glob("jieba*.cache"))
    segmenter = Segmenter(cache_dir=tmp_path / "cache")
    assert segmenter.cut("学史明理") == ["学史明理"]
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [f"jieba-{_jieba_version()}.cache"]
    assert set(temp_dir.glob("jieba*.cache")) == before


def _jieba_version() -> str:
    import jieba

    return jieba.__version__


def test_building_is_silent_and_restores_jieba_log_level(tmp_path, capfd):
    jieba_logger = logging.getLogger("jieba")
    previous = jieba_logger.level
    jieba_logger.setLevel(logging.DEBUG)
    try:
        Segmenter(cache_dir=tmp_path).cut_pos("党史")  # cold cache: the noisiest path
        assert jieba_logger.level == logging.DEBUG
    finally:
        jieba_logger.setLevel(previous)
    captured = capfd.readouterr()
    assert "prefix dict" not in captured.err
    assert captured.out == ""


def test_importing_segment_does_not_import_jieba():
    code = "import sys, corpus_tools.segment; print('jieba' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "name", "dictionary_only"),
    [
        ("区委书记刘晓燕出席会议", "刘晓燕", ["区委书记", "刘", "晓", "燕", "出席会议"]),
        ("通讯员韩冬梅报道", "韩冬梅", ["通讯员", "韩", "冬", "梅", "报道"]),
    ],
)
def test_hmm_joins_out_of_vocabulary_names(seg, text, name, dictionary_only):
    assert seg.cut(text) == dictionary_only
    assert name in get_segmenter(hmm=True).cut(text)


def test_cut_pos_tags(seg):
    pairs = seg.cut_pos("区委书记李国强在槐荫区引导党员干部学史明理，增长1.6%")
    tags = dict(pairs)
    assert tags["李国强"] == "nr"
    assert tags["槐荫区"] == "ns"
    assert tags["学史明理"] == "l"
    assert tags["1.6"] == "m"
    assert tags["，"] == "x"
    assert all(isinstance(tag, str) and tag for _, tag in pairs)


@pytest.mark.parametrize("seed", SIMPLIFIED_SEEDS)
def test_cut_pos_words_equal_cut_words(seg, seed):
    text = _seed_text(seed)
    assert [word for word, _ in seg.cut_pos(text)] == seg.cut(text)


def test_segmentation_is_deterministic(seg, tmp_path):
    other = Segmenter(cache_dir=tmp_path)
    for seed in SIMPLIFIED_SEEDS:
        text = _seed_text(seed)
        assert other.cut(text) == seg.cut(text)


def test_extra_words_are_kept_whole():
    segmenter = Segmenter(extra_words=["刘晓燕"])
    assert segmenter.cut("区委书记刘晓燕出席会议") == ["区委书记", "刘晓燕", "出席会议"]
    assert ("刘晓燕", "nz") in segmenter.cut_pos("区委书记刘晓燕出席会议")
    assert segmenter.tokenizer.FREQ["刘晓燕"] == EXTRA_WORD_FREQ


def test_userdict_replaces_package_dictionary(tmp_path):
    userdict = tmp_path / "mine.txt"
    userdict.write_text("# my words\n# @category test\n晓燕书记 500 n\n", encoding="utf-8")
    segmenter = Segmenter(userdict=userdict)
    assert segmenter.cut("晓燕书记讲话") == ["晓燕书记", "讲话"]
    assert segmenter.cut("学史明理") != ["学史明理"]  # the package dictionary is not loaded
    assert "# my words" not in segmenter.tokenizer.FREQ  # comments are not words


def test_the_seed_layer_is_opt_in(tmp_path):
    text = "成立了天天敲门组，推行一链办理"
    general = Segmenter(engine="jieba", cache_dir=tmp_path)
    seeded = Segmenter(engine="jieba", cache_dir=tmp_path, seed_layer=True)
    assert "天天敲门组" not in general.cut(text) and "一链办理" not in general.cut(text)
    assert seeded.cut(text) == ["成立", "了", "天天敲门组", "，", "推行", "一链办理"]
    assert (general.seed_layer, seeded.seed_layer) == (False, True)
    assert "seed_layer=True" in repr(seeded) and "seed_layer" not in repr(general)
    # a worker process rebuilds the same layers
    import pickle

    assert pickle.loads(pickle.dumps(seeded)).cut(text) == seeded.cut(text)
    assert get_segmenter(seed_layer=True) is get_segmenter(seed_layer=True) is not get_segmenter()


def test_userdict_frequency_zero_is_refused(tmp_path):
    # jieba's add_word(word, 0) edits finalseg's module-global force-split set.
    userdict = tmp_path / "zero.txt"
    userdict.write_text("多办实事 0 l\n", encoding="utf-8")
    with pytest.raises(ValueError, match="frequency 0"):
        Segmenter(userdict=userdict)


def test_get_segmenter_is_cached_per_setting():
    assert get_segmenter() is get_segmenter(hmm=False)
    assert get_segmenter(hmm=True) is not get_segmenter()
    assert get_segmenter(hmm=True).hmm is True


def test_settings_are_read_only(seg):
    with pytest.raises(AttributeError):
        seg.hmm = True


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        Segmenter(engine="spacy")


def test_repr_names_settings(seg, ref):
    assert repr(seg) == "Segmenter(engine='rjieba', hmm=False, userdict='package', extra_words=0)"
    assert repr(ref) == "Segmenter(engine='jieba', hmm=False, userdict='package', extra_words=0)"



def test_default_cache_dir_follows_environment(monkeypatch, tmp_path):
    from corpus_tools.segment import default_cache_dir

    monkeypatch.setenv("DANGSHI_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("DANGSHI_CACHE_DIR")
    assert default_cache_dir().name == "dangshi-corpus"


# -- rjieba: the same tokens and tags as jieba ---------------------------------------------------
#
# jieba (engine="jieba") is the reference throughout: every expected answer below is what jieba
# itself gives, an implementation independent of rjieba.


def _assert_same(fast: Segmenter, ref: Segmenter, text: str) -> None:
    assert fast.cut(text) == ref.cut(text), text
    assert fast.cut_pos(text) == ref.cut_pos(text), text


def test_default_engine_is_rjieba_and_says_why(seg):
    assert seg.engine == "rjieba"
    assert "hmm=False" in seg.engine_reason


def test_engines_identical_on_every_seed(seeds, seg, ref):
    texts = [*seeds.texts, *seeds.paragraphs()["text"], *seeds.sentences()["text"], *seeds.raw_texts]
    assert len(seeds.raw_texts) == 5
    for text in texts:
        _assert_same(seg, ref, text)


def test_engines_identical_on_random_seed_substrings(seeds, seg, ref):
    import random

    rng = random.Random(20210701)
    source = "\n".join([*seeds.texts, *seeds.raw_texts])
    for _ in range(1500):
        start = rng.randrange(len(source))
        _assert_same(seg, ref, source[start:start + rng.randrange(1, 120)])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t\u3000\xa0\r\n",
        "学史明理学史增信学史崇德学史力行我为群众办实事",  # user words run together
        "全区上下学党史、悟思想、办实事、开新局，多办实事",  # including an override entry
        "2021年GDP增长1.6%，满意率为95.2%，第3. 1.2.3节",
        "3 . 5 与 3.5 与 3。5 与 .5 与 5.",
        "10-20%的e-mail、C++与AT&T、c#的_下划线_和a1b2c3",
        "ＡＢＣ１２３．５％——全角字符（ｘ）",
        "學(xué)習黨史、踐初心，推動黨史學習教育",  # traditional script with pinyin
        "㐀中国鿖鿿豈\U00020000人民\U0002f800党史",  # ideographs jieba leaves out of its blocks
        "γ射线与α粒子",
        "区委书记刘晓燕出席会议\r\n\r\n通讯员韩冬梅报道",
    ],
)
def test_engines_identical_on_constructed_texts(seg, ref, text):
    _assert_same(seg, ref, text)


@pytest.fixture(scope="module")
def unusual_userdict(tmp_path_factory) -> Path:
    """A user dictionary with everything that is hard to reproduce."""
    path = tmp_path_factory.mktemp("userdict") / "unusual.txt"
    path.write_text(
        "# words without a frequency, or a tag, or either: jieba suggests the frequency\n"
        "党史学习\n百分之 \n中国共产党人精神谱系 l\nABC\n"
        "# ASCII words: posseg's tag then depends on how the route reached them\n"
        "5G 3000 n\nab12 50\nWTO 800 nt\n"
        "# words with characters that start a new block in one engine or the other\n"
        "新冠-19 500 n\n10%以上 40 m\n\U00020000字 300 n\n㐀中 300 n\n"
        "# re-weighting jieba words\n的 1 uj\n中国 5 ns\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.slow
def test_engines_identical_on_random_texts_with_unusual_user_words(unusual_userdict):
    import random

    extra = ["刘晓燕", "x光", "区委书记"]
    fast = Segmenter(userdict=unusual_userdict, extra_words=extra, engine="rjieba")
    reference = Segmenter(userdict=unusual_userdict, extra_words=extra, engine="jieba")
    words = [*lexicons.read_user_dictionary(unusual_userdict)["word"], *extra, "党史", "人民", "共产党"]
    alphabet = list(
        "abcXYZ0123456789.+#&_%-，。、 \t\n\r\u3000\xa0１２ＡＢ．％－㐀鿖鿿豈\U00020000γ學習黨中国人民党史学习教育的了是在"
    )
    rng = random.Random(7)
    for _ in range(3000):
        parts = [
            rng.choice(words) if rng.random() < 0.4 else "".join(rng.choices(alphabet, k=rng.randrange(1, 6)))
            for _ in range(rng.randrange(1, 10))
        ]
        _assert_same(fast, reference, "".join(parts))
    assert fast.engine == "rjieba"  # no fallback was needed


def test_extra_words_identical_across_engines():
    extra = ["刘晓燕", "韩冬梅", "党史学习教育走深走实"]
    fast = Segmenter(extra_words=extra, engine="rjieba")
    reference = Segmenter(extra_words=extra, engine="jieba")
    text = "区委书记刘晓燕出席会议，通讯员韩冬梅报道：党史学习教育走深走实。"
    assert reference.cut(text) == ["区委书记", "刘晓燕", "出席会议", "，", "通讯员", "韩冬梅", "报道", "：",
                                   "党史学习教育走深走实", "。"]  # fmt: skip
    _assert_same(fast, reference, text)


def _near_threshold_words(freq: dict[str, int], fixed_total: int) -> tuple[dict[str, int], int]:
    """Two-character words AB, each with the smallest frequency at which jieba joins it.

    jieba joins the text "AB" when log(F) - log(T) > log(fA) + log(fB) - 2 log(T), i.e. when
    F * T > fA * fB, where T is the final total: ``fixed_total`` plus the new words' own
    frequencies. Returns ``{word: F}`` and T.
    """
    chars = "了是在和有他不我人也为就这上"
    pairs = [a + b for a in chars for b in chars if a != b and a + b not in freq][:8]
    total = fixed_total
    for _ in range(50):
        chosen = {w: freq[w[0]] * freq[w[1]] // total + 1 for w in pairs}
        new_total = fixed_total + sum(chosen.values())
        if new_total == total:
            return chosen, total
        total = new_total
    raise AssertionError("frequencies did not settle")


@pytest.mark.slow
def test_rjieba_divides_by_jiebas_total(tmp_path):
    # jieba's total keeps frequencies that were overwritten (here the 的 that the user
    # dictionary re-weights to 1); a segmenter that used rjieba's own total would be off by
    # freq(的) and would split words that sit just above jieba's threshold.
    freq, main_total = jieba_main_dictionary()
    words, total = _near_threshold_words(freq, main_total + 1)
    userdict = tmp_path / "near.txt"
    userdict.write_text("的 1 uj\n" + "".join(f"{w} {f} n\n" for w, f in words.items()), encoding="utf-8")
    fast = Segmenter(userdict=userdict, engine="rjieba")
    reference = Segmenter(userdict=userdict, engine="jieba")
    assert reference.tokenizer.total == total
    for word, f in words.items():
        fa, fb = freq[word[0]], freq[word[1]]
        assert f * total > fa * fb >= f * (total - freq["的"])  # the two totals disagree here
        assert reference.cut(word) == [word]
        assert fast.cut(word) == [word]
    text = "，".join(words) + "".join(words)
    _assert_same(fast, reference, text)


@pytest.mark.slow
def test_rjieba_blocks_are_jiebas_plus_the_characters_split_off():
    # Which characters does rjieba put into dictionary blocks? A word "一" + c is found in
    # the text "一" + c exactly when c is. Compared with jieba's and posseg's own patterns.
    import jieba
    import jieba.posseg
    import rjieba

    from corpus_tools.segment.segmenter import _CUT_SEPARATORS, _POS_SEPARATORS

    engine = rjieba.Jieba.empty()
    code_points = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    for cp in code_points:
        engine.add_word("\u4e00" + chr(cp), 1000, None)
    in_blocks = set()
    for start in range(0, len(code_points), 5000):
        chunk = code_points[start:start + 5000]
        found = {w[1] for w in engine.cut("，".join("\u4e00" + chr(cp) for cp in chunk), False) if len(w) == 2}
        in_blocks.update(cp for cp in chunk if chr(cp) in found)
    for pattern, separators in ((jieba.re_han_default, _CUT_SEPARATORS),
                                (jieba.posseg.re_han_internal, _POS_SEPARATORS)):
        reference = {cp for cp in in_blocks | {ord("%"), ord("-")} if pattern.match(chr(cp))}
        assert reference <= in_blocks
        extra = in_blocks - reference
        assert extra, "rjieba's blocks are larger than jieba's: there is something to split off"
        assert all(separators.fullmatch(chr(cp)) for cp in extra)
        assert not any(pattern.match(ch) for ch in "".join(chr(cp) for cp in extra))


def test_hmm_stays_on_jieba():
    assert get_segmenter(hmm=True).engine == "jieba"
    assert "hmm=True" in Segmenter(hmm=True).engine_reason
    with pytest.raises(ValueError, match="hmm"):
        Segmenter(hmm=True, engine="rjieba")


def test_rjieba_hmm_really_differs_from_jiebas():
    # Why hmm=True stays on jieba: jieba-rs's HMM joins what jieba's splits.
    import rjieba

    reference = get_segmenter(hmm=True)
    fast = rjieba.Jieba()
    assert reference.tokenizer.lcut("第1-5名", HMM=True) != fast.cut("第1-5名", True)


def test_auto_falls_back_to_jieba_when_the_probe_differs(monkeypatch):
    import rjieba

    # rjieba with its own built-in dictionary lacks the project's words: the probe sees it.
    monkeypatch.setattr(Segmenter, "_build_rjieba", lambda self: rjieba.Jieba())
    with pytest.warns(RuntimeWarning, match="rjieba differs from jieba"):
        segmenter = Segmenter()
    assert segmenter.engine == "jieba"
    assert segmenter.engine_reason.startswith("fell back to jieba")
    assert segmenter.cut("引导党员干部学史明理") == ["引导", "党员干部", "学史明理"]
    with pytest.raises(RuntimeError, match="does not reproduce jieba"):
        Segmenter(engine="rjieba")


def test_without_rjieba_auto_uses_jieba(monkeypatch):
    import corpus_tools.segment.segmenter as segment

    monkeypatch.setattr(segment, "_rjieba_available", lambda: False)
    segmenter = Segmenter()
    assert segmenter.engine == "jieba"
    assert "not installed" in segmenter.engine_reason
    with pytest.raises(ImportError, match="rjieba"):
        Segmenter(engine="rjieba")


def test_get_segmenter_keeps_one_per_engine():
    assert get_segmenter(engine="auto") is get_segmenter()
    assert get_segmenter(engine="jieba").engine == "jieba"
    assert get_segmenter(engine="jieba") is get_segmenter(engine="jieba")
    assert get_segmenter(engine="jieba") is not get_segmenter()
    assert get_segmenter(hmm=True, engine="auto") is get_segmenter(hmm=True, engine="jieba")


def test_segmenter_pickles_as_its_settings(tmp_path):
    import pickle

    original = Segmenter(extra_words=["刘晓燕"], cache_dir=tmp_path)
    payload = pickle.dumps(original)
    assert len(payload) < 2_000  # settings, not dictionaries
    copy = pickle.loads(payload)
    assert repr(copy) == repr(original)
    assert copy.cache_dir == tmp_path
    assert copy.cut("区委书记刘晓燕出席会议") == original.cut("区委书记刘晓燕出席会议")


def test_whitespace_shortcut_sees_every_character_jieba_drops():
    # rjieba's cut skips the whitespace filter for texts the pattern finds nothing in; that is
    # exact only if the pattern matches every character str.isspace() accepts.
    from corpus_tools.segment.segmenter import _WHITESPACE

    spaces = {chr(cp) for cp in range(0x110000) if chr(cp).isspace()}
    assert {ch for ch in spaces if _WHITESPACE.match(ch)} == spaces


def test_remembered_hmm_tagging_gives_posseg_pairs_exactly(seeds):
    # The segmenter's POS tokenizer remembers the HMM's tagging of each run of unknown characters;
    # a fresh jieba.posseg tokenizer on the same dictionary, without it, is the reference.
    import jieba.posseg

    tagger = get_segmenter(hmm=True)
    remembered = tagger._get_pos_tokenizer()
    reference = jieba.posseg.POSTokenizer(tagger._tokenizer)
    reference.makesure_userdict_loaded()
    reference.word_tag_tab = dict(remembered.word_tag_tab)  # with the segmenter's own tags (lexicon words)
    texts = [*seeds.paragraphs()["text"], "区委书记刘晓燕出席会议，通讯员韩冬梅报道。", "2021年3月5日，GDP增长1.6%，5G基站"]
    for _ in range(2):  # the second round is answered from memory
        for text in texts:
            got = [(pair.word, pair.flag) for pair in remembered.cut(text, HMM=True)]
            assert got == [(pair.word, pair.flag) for pair in reference.cut(text, HMM=True)], text
    # the memory is in use: the second round found every run it had seen
    assert "_POSTokenizer__cut_detail" in vars(remembered)
    assert "_POSTokenizer__cut_detail" not in vars(reference)
