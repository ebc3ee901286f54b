"""Tests for corpus_tools.corpus.clean: the text normalisers and the cleaning pipeline."""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest

from corpus_tools.corpus.clean import (
    LOST_CHARACTER,
    TEXT_RULES,
    clean_text,
    flag_lost_characters,
    join_letterspaced_words,
    normalize_line_endings,
    normalize_punctuation,
    normalize_whitespace,
    normalize_width,
    remove_invisible_characters,
    remove_markdown_emphasis,
    remove_pinyin_readings,
    script_from_counts,
    script_of,
    to_simplified,
)

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS_DIR.glob("*.txt"))
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _han(text: str) -> set[str]:
    return set(re.findall(f"[{HAN}]", text))


# --------------------------------------------------------------------------- line endings


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("党史\r\n学习", "党史\n学习", 1),
        ("党史\r学习", "党史\n学习", 1),
        ("党史\r\n\r\n学习\r教育", "党史\n\n学习\n教育", 3),
        ("党史\u2028学习\u2029教育", "党史\n学习\n教育", 2),
        ("党史\n学习", "党史\n学习", 0),
    ],
    ids=["crlf", "lone-cr", "mixed", "unicode-separators", "lf-untouched"],
)
def test_normalize_line_endings(text, expected, count):
    result = normalize_line_endings(text)
    assert (result.text, result.count) == (expected, count)


# --------------------------------------------------------------------------- invisible characters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ufeff学史明理", "学史明理"),
        ("学史\ufeff明理", "学史明理"),
        ("学史\u200b明理", "学史明理"),
        ("学史\u200c\u200d明理", "学史明理"),
        ("学史\u2060明理", "学史明理"),
        ("学史\u00ad明理", "学史明理"),
        ("\u202a学史明理\u202c", "学史明理"),
        ("学史\x07明理\x1b", "学史明理"),
        ("学史\x7f明理", "学史明理"),
        ("学史\t明理", "学史 明理"),
        ("学史\n\n明理", "学史\n\n明理"),
    ],
    ids=[
        "bom-start", "bom-inside", "zwsp", "zwnj-zwj", "word-joiner", "soft-hyphen", "bidi",
        "c0-controls", "del", "tab-to-space", "newlines-kept",
    ],
)
def test_remove_invisible_characters(text, expected):
    assert remove_invisible_characters(text).text == expected


def test_remove_invisible_characters_counts_each_removal():
    assert remove_invisible_characters("\ufeff学\u200b史\x07明\t理").count == 4


# --------------------------------------------------------------------------- width


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("２０２１年", "2021年"),
        ("济南ＢＩＭ产业", "济南BIM产业"),
        ("ｈ５海报", "h5海报"),
        ("学史明理\u3000学史增信", "学史明理 学史增信"),
        ("\u3000\u3000习近平总书记指出", "  习近平总书记指出"),
        ("学史\u00a0明理", "学史 明理"),
        ("学史，明理：（一）“好”！", "学史，明理：（一）“好”！"),  # full-width punctuation is the norm
        ("xue\u0301", "xu\u00e9"),  # combining tone mark composed (NFC)
    ],
    ids=["digits", "capitals", "lowercase", "ideographic-space", "indent", "nbsp", "punct-kept", "nfc"],
)
def test_normalize_width(text, expected):
    assert normalize_width(text).text == expected


# --------------------------------------------------------------------------- pinyin readings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("學(xué)史力行", "學史力行"),
        ("學(xué)史(shǐ)", "學史"),
        ("學（xué）史", "學史"),  # full-width parentheses
        ("学(xue)史", "学史"),  # tone marks dropped by the page: still a reading
        ("綠(lǜ)色", "綠色"),
        ("長(zhǎng)大", "長大"),  # a heteronym's second reading
        ("沿著(zhe)", "沿著"),  # neutral tone
        # only the inner reading goes; the outer parentheses are ordinary text
        ("中央黨校(國(guó)家行政學院)", "中央黨校(國家行政學院)"),
    ],
    ids=["xue", "two", "fullwidth-parens", "toneless", "u-umlaut", "heteronym", "neutral", "nested"],
)
def test_pinyin_readings_removed(text, expected):
    assert remove_pinyin_readings(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "中共漯河市召陵区党史大事记(1919—2004)",
        "(1919—2004)",
        "中央党校(国家行政学院)",
        "(国家行政学院)",
        "制作推出图文、视频(H5)",
        "(H5)",
        "济南(BIM)产业",
        "(BIM)",
        "特色活动(若干年后)",
        "(若干年后)",
        "国(xué)家",  # xué is not a reading of 国
        "学(XUÉ)史",  # capitals are not how readings are written
        "(wù)开头",  # no character before it
    ],
)
def test_ordinary_parentheses_survive(text):
    result = remove_pinyin_readings(text)
    assert (result.text, result.count) == (text, 0)


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        # the lost character is left as U+FFFD for flag_lost_characters to mark and count
        ("第一要?(wù),各", "第一要\ufffd,各", 1),
        ("第一要？(wù)", "第一要\ufffd", 1),
        ("第一要\ufffd(wù)", "第一要\ufffd", 1),
        # the opening parentheses were lost too: neither jiǎng nor wù is a reading of 要
        ("第一要?jiǎng)?wù),各", "第一要\ufffd\ufffd,各", 2),
        # only the parenthesis was lost: the reading fits the character before it
        ("學?xué)史", "學史", 1),
    ],
    ids=["qm-reading", "fullwidth-qm", "fffd-reading", "orphans", "lost-paren-only"],
)
def test_lost_characters_under_readings_are_flagged_never_guessed(text, expected, count):
    result = remove_pinyin_readings(text)
    assert (result.text, result.count) == (expected, count)
    # 务 (wù) must not be reconstructed: no character appears that was not there.
    assert _han(result.text) <= _han(text)


# --------------------------------------------------------------------------- lost characters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("宣讲工作如何开展?为让干部读懂", "宣讲工作如何开展?为让干部读懂"),
        ("在党史学习教育中学到了什么?办了多少实事", "在党史学习教育中学到了什么?办了多少实事"),
        ("作为当前第一要?各基层党支部", f"作为当前第一要{LOST_CHARACTER}各基层党支部"),
        # the question word is in the previous sentence, not this one
        ("这是什么。第一要?各基层", f"这是什么。第一要{LOST_CHARACTER}各基层"),
        ("党史\ufffd学习", f"党史{LOST_CHARACTER}学习"),
        ("党史学习\ufffd", f"党史学习{LOST_CHARACTER}"),
        ("\ufffd", LOST_CHARACTER),
        ("?", "?"),  # not between Han characters: left for the punctuation rule
        ("版本1?2", "版本1?2"),
        ("取得成效?)大讨论", "取得成效?)大讨论"),
    ],
    ids=[
        "question-ruhe", "question-shenme", "lost", "question-word-elsewhere", "fffd", "fffd-end",
        "fffd-alone", "lone-qm", "digit-neighbour", "before-paren",
    ],
)
def test_flag_lost_characters(text, expected):
    assert flag_lost_characters(text).text == expected


def test_flag_lost_characters_counts_flags():
    assert flag_lost_characters("第一要?各基层，党史\ufffd学习").count == 2


# --------------------------------------------------------------------------- script


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("學史力行踐初心", "学史力行践初心", 2),
        ("濟南市扎實開展黨史學習教育綜述", "济南市扎实开展党史学习教育综述", 7),
        ("学史力行践初心", "学史力行践初心", 0),
        ("乾淨", "干净", 2),  # phrase conversion ...
        ("乾坤", "乾坤", 0),  # ... leaves 乾 where it is not 干
        ("H5 2021", "H5 2021", 0),
    ],
)
def test_to_simplified(text, expected, count):
    result = to_simplified(text)
    assert (result.text, result.count) == (expected, count)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("學史明理", "traditional"),
        ("學(xué)史力行踐初心", "traditional"),
        ("学史明理", "simplified"),
        ("学史明理學", "traditional"),  # 1 of 5 Han characters is far above 1 %
        ("学史明理" * 50 + "學", "mixed"),  # 1 of 201 is below 1 %
        ("version 1.2, H5", "unknown"),
        ("", "unknown"),
    ],
)
def test_script_of(text, expected):
    assert script_of(text) == expected


def test_script_of_threshold_is_a_share_of_han_characters():
    text = "学史明理" * 50 + "學"
    assert script_of(text, min_changed_prop=0.001) == "traditional"


def test_script_of_old_threshold_name_still_works_with_a_warning():
    text = "学史明理" * 50 + "學"  # 1 of 201 Han characters changes: 0.5 %
    with pytest.warns(FutureWarning, match="'threshold' is renamed 'min_changed_prop'"):
        assert script_of(text, threshold=0.001) == "traditional"
    with pytest.warns(FutureWarning, match="'threshold' is renamed 'min_changed_prop'"):
        assert script_from_counts(1, 201, threshold=0.01) == "mixed"


# --------------------------------------------------------------------------- punctuation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("习近平总书记指出,在庆祝", "习近平总书记指出，在庆祝"),
        ("举办学习班6期;围绕", "举办学习班6期；围绕"),
        ("发布日期:2021-10-22", "发布日期：2021-10-22"),
        ("编辑:姚立松", "编辑：姚立松"),
        ("释放出来?为让", "释放出来？为让"),
        ("做到了什么?", "做到了什么？"),
        ("好!", "好！"),
        ("“七个一”,让", "“七个一”，让"),  # after a Chinese quote
        ("同比增长10.8%;1-5月份", "同比增长10.8%；1-5月份"),
        ("同比增长19.6%,全市排名第三", "同比增长19.6%，全市排名第三"),
        ("中央党校(国家行政学院)", "中央党校（国家行政学院）"),
        ("大事记(1919—2004)", "大事记（1919—2004）"),  # Han neighbour on the left
        ("(若干年后,将记录)", "（若干年后，将记录）"),
    ],
)
def test_punctuation_in_chinese_text_becomes_full_width(text, expected):
    assert normalize_punctuation(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "1,000",
        "共1,000人次",
        "共1,000,000元",
        "10:30",
        "version 1.2, H5",
        "H5 (beta)",
        "(1919—2004)",
        "http://example.com/a?b=1,2",
        "?",
        "学史明理，学史增信；学史崇德：学史力行？",  # already full width
    ],
)
def test_punctuation_left_alone(text):
    result = normalize_punctuation(text)
    assert (result.text, result.count) == (text, 0)


def test_punctuation_count():
    assert normalize_punctuation("指出,在庆祝(国家行政学院)时刻:好?").count == 4


def test_time_in_chinese_text_is_left_alone():
    assert normalize_punctuation("会议于上午10:30召开").text == "会议于上午10:30召开"


def test_nested_parentheses_in_one_pass():
    text = "党史大事记(第一卷(1919—2004))"
    assert normalize_punctuation(text).text == "党史大事记（第一卷（1919—2004））"


# --------------------------------------------------------------------------- markdown emphasis


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("——**专家解读学**。举办", "——专家解读学。举办", 1),
        ("——**“比学赶超”学**。全区", "——“比学赶超”学。全区", 1),
        ("**一**和**二**", "一和二", 2),
        ("__强调__", "强调", 1),
        ("## 小标题\n正文", "小标题\n正文", 1),
        ("2**3", "2**3", 0),
        ("*单星*", "*单星*", 0),
        ("** 空格 **", "** 空格 **", 0),
        ("#话题#", "#话题#", 0),
    ],
)
def test_remove_markdown_emphasis(text, expected, count):
    result = remove_markdown_emphasis(text)
    assert (result.text, result.count) == (expected, count)


# --------------------------------------------------------------------------- letter-spacing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("百姓宣讲進基 層 活動。", "百姓宣讲進基層活動。"),
        ("百姓宣讲进基 层 活动", "百姓宣讲进基层活动"),
        ("学 党 史", "学党史"),
    ],
)
def test_letterspaced_words_are_joined(text, expected):
    assert join_letterspaced_words(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "深入挖掘党史资源 传承红色基因",
        "掀热潮 成立22个巡回指导组",
        "党史学习教育掀热潮 成立22个巡回指导组",
        "2023年03月29日 星期三",
        "记者 于悦 通讯员 李猛 裴梦雪",
        "本报记者 张再行",
        "“承诺有声 践诺有行”",
        "version 1.2 H5 海报",
    ],
)
def test_spaces_between_phrases_are_kept(text):
    result = join_letterspaced_words(text)
    assert (result.text, result.count) == (text, 0)


# --------------------------------------------------------------------------- whitespace


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  习近平总书记指出  \n学史  明理", "习近平总书记指出\n学史 明理"),
        ("标题\n\n\n\n图说。", "标题\n\n\n\n图说。"),  # blank lines are evidence: kept
        (" \n正文", "\n正文"),
    ],
)
def test_normalize_whitespace(text, expected):
    assert normalize_whitespace(text).text == expected


# --------------------------------------------------------------------------- the pipeline


def test_clean_text_applies_every_rule_and_logs_them():
    cleaned, log = clean_text("學(xué)史明理,學(xué)史增信")
    assert cleaned == "学史明理，学史增信"
    assert [(row["step"], row["rule"], row["count"]) for row in log] == [
        ("pinyin", "pinyin_readings", 2),
        ("script", "traditional_to_simplified", 2),
        ("punctuation", "punctuation", 1),
    ]
    assert "'學(xué)' → '學'" in log[0]["detail"]


@pytest.mark.parametrize("byline", ["新华社记者 宋晨 摄", "记者 王一 李二 张三", "通讯员 李 二"])
def test_letterspacing_never_joins_a_bylines_names(byline):
    assert join_letterspaced_words(byline).text == byline


def test_clean_text_logs_nothing_for_a_clean_text():
    assert clean_text("学史明理，学史增信。\n\n学史崇德。") == ("学史明理，学史增信。\n\n学史崇德。", [])


def test_clean_text_full_example():
    raw = "\ufeff\u3000\u3000學(xué)史力行\r\n\r\n第一要?jiǎng)?wù),各**基層**進基 層 活動。"
    cleaned, log = clean_text(raw)
    assert cleaned == f"学史力行\n\n第一要{LOST_CHARACTER}{LOST_CHARACTER}，各基层进基层活动。"
    assert {row["rule"] for row in log} == {
        "line_endings", "invisible_characters", "width", "line_whitespace", "pinyin_readings",
        "lost_characters", "traditional_to_simplified", "punctuation", "markdown_emphasis", "letterspacing",
    }
    assert all(row["count"] > 0 for row in log)


@pytest.mark.parametrize(
    "raw",
    [
        "作为当前第一要?jiǎng)?wù),各基层党支部。",  # two readings, two lost characters
        "作为当前第一要?(wù)，各基层?党支部，党史\ufffd学习。",
        "学(xué)史?力行。",
    ],
)
def test_the_log_counts_every_lost_character_the_text_shows(raw):
    cleaned, log = clean_text(raw)
    logged = sum(row["count"] for row in log if row["rule"] == "lost_characters")
    assert logged == cleaned.count(LOST_CHARACTER) > 0
    assert "\ufffd" not in cleaned


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("这次庆?;颙樱覀兺怀鏊枷胄?,旋律更响亮。", ["?;颙樱覀兺怀鏊枷胄?"]),
        ("为大家□硪粓鳑e开生面的党史课。", ["□硪粓鳑e"]),
        ("也充分利用当□刎S富的红色资源。", ["□刎S"]),
        ("真信笃行步铿锵，淮北市濉溪县百善镇。", []),  # rare characters alone are words
        ("做X光检查，开展5G建设。", []),
        ("宣讲如何开展?为让干部读懂。", []),
    ],
)
def test_mojibake_is_found(text, fragments):
    from corpus_tools.corpus.clean import find_mojibake

    assert [text[a:b] for a, b in find_mojibake(text)] == fragments


def test_mojibake_is_flagged_and_left_visible_with_its_question_marks():
    raw = "龙晶晶介绍，这次建党100周年庆?;颙樱覀兺怀鏊枷胄?,旋律更响亮。"
    cleaned, log = clean_text(raw)
    assert "?；颙樱覀兺怀鏊枷胄?，" in cleaned  # the ? stay half-width: debris, not questions
    assert "？" not in cleaned
    (row,) = [row for row in log if row["rule"] == "mojibake"]
    assert row["count"] == 1 and "颙樱覀兺" in row["detail"]


def test_clean_text_skip_keeps_the_script():
    cleaned, log = clean_text("學(xué)史明理,學(xué)史增信", skip={"traditional_to_simplified"})
    assert cleaned == "學史明理，學史增信"
    assert "traditional_to_simplified" not in {row["rule"] for row in log}


def test_clean_text_skip_unknown_rule():
    with pytest.raises(ValueError) as info:
        clean_text("学史明理", skip=["pinyin", "punctuation"])
    message = str(info.value)
    assert "'pinyin'" in message
    for name in ("pinyin_readings", "punctuation", "traditional_to_simplified", "letterspacing"):
        assert name in message


def test_rule_names_are_unique():
    names = [name for _, name, _ in TEXT_RULES]
    assert len(names) == len(set(names))


# --------------------------------------------------------------------------- properties on the seeds


@pytest.fixture(scope="module")
def cleaned_seeds() -> dict[str, tuple[str, str]]:
    out = {}
    for file in SEED_FILES:
        raw = (SEEDS_DIR / file).read_text(encoding="utf-8")
        out[file] = (raw, clean_text(raw)[0])
    return out


@pytest.mark.parametrize("file", SEED_FILES)
def test_pipeline_is_idempotent_on_the_seeds(cleaned_seeds, file):
    _, cleaned = cleaned_seeds[file]
    assert clean_text(cleaned) == (cleaned, [])


@pytest.mark.parametrize("rule", TEXT_RULES, ids=[name for _, name, _ in TEXT_RULES])
@pytest.mark.parametrize("file", SEED_FILES)
def test_every_rule_is_idempotent_on_the_cleaned_seeds(cleaned_seeds, file, rule):
    _, _, function = rule
    _, cleaned = cleaned_seeds[file]
    result = function(cleaned)
    assert (result.text, result.count) == (cleaned, 0)


@pytest.mark.parametrize("file", SEED_FILES)
def test_cleaning_keeps_the_line_structure(cleaned_seeds, file):
    raw, cleaned = cleaned_seeds[file]
    # The seeds use "\n" only, so every line (blank ones too) must survive.
    assert "\r" not in raw
    assert cleaned.count("\n") == raw.count("\n")


@pytest.mark.parametrize("file", SEED_FILES)
def test_cleaned_seeds_are_simplified_with_no_readings(cleaned_seeds, file):
    _, cleaned = cleaned_seeds[file]
    assert opencc.OpenCC("t2s.json").convert(cleaned) == cleaned
    assert not re.search(f"[{HAN}][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]", cleaned)
    assert not re.search(f"[{HAN}][,;:?!]|[,;:?!][{HAN}]", cleaned)
    assert "**" not in cleaned


def test_a_question_mark_inside_mojibake_is_neither_lost_nor_a_question():
    raw = "這次慶祝活動?顒樱覀兺怀鏊枷胄,旋律更響亮。"
    cleaned, log = clean_text(raw)
    assert "?颙樱覀兺怀鏊枷胄" in cleaned and LOST_CHARACTER not in cleaned
    assert "lost_characters" not in {row["rule"] for row in log}
    assert "mojibake" in {row["rule"] for row in log}
