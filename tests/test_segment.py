"""Tests for corpus_tools.segment: the private jieba tokenizer and the project dictionary."""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from corpus_tools import lexicons
from corpus_tools.segment import EXTRA_WORD_FREQ, Segmenter, get_segmenter

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# Seed 002 is traditional script with inline pinyin; the dictionary is simplified only.
SIMPLIFIED_SEEDS = ["000", "001", "003", "004"]


@pytest.fixture(scope="module")
def seg() -> Segmenter:
    return Segmenter()


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
        Segmenter(engine="rjieba")


def test_repr_names_settings(seg):
    assert repr(seg) == "Segmenter(engine='jieba', hmm=False, userdict='package', extra_words=0)"

