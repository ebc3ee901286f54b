"""Tests for corpus_tools.corpus.build and .document: reading, cleaning, docvars, the cleaning workers.

The facts about the real seeds pinned here were checked by reading the raw files
(``seeds/*.txt``); line numbers in comments refer to the raw files.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import shutil

import opencc
import pandas as pd
import pytest

from corpus_tools.corpus.clean import LOST_CHARACTER
from corpus_tools.corpus import Corpus, CorpusReadError, corpus_from_texts, read_corpus
from corpus_tools.corpus.structure import BLOCK_KINDS
# REPORT: a made-up report long enough to pass the input checks (≥ 50 Han characters)
from tests.io.articles import REPORT, REPORT_BODY

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
PINYIN_READING_RE = re.compile(f"[{HAN}?？□][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]+[)）]")
HALF_PUNCT_BY_HAN_RE = re.compile(f"[{HAN}][,;:?!]|[,;:?!][{HAN}]")

#: doc_id -> file, as written in seeds/metadata.csv.
SEED_FILES = {
    "jinan-huaiyin": "000_bb6f8de1c4a960c6.txt",
    "jinan-shizhong": "001_2708217661cee57b.txt",
    "jinan-city": "002_13c419424a7d791f.txt",
    "luohe-zhaoling": "003_2e2e8a5ccda84c7c.txt",
    "chongqing-wulong": "004_482eecf055e9753a.txt",
}
DOC_IDS = list(SEED_FILES)
#: Page breaks inside a sentence, counted by hand in the raw files.
PAGE_BREAK_JOINS = {"jinan-huaiyin": 4, "jinan-shizhong": 4, "jinan-city": 0, "luohe-zhaoling": 2, "chongqing-wulong": 3}


@pytest.fixture(scope="module")
def raw(seeds_dir) -> dict[str, str]:
    """The seed files as text, read without corpus_tools."""
    return {doc_id: (seeds_dir / file).read_bytes().decode("utf-8") for doc_id, file in SEED_FILES.items()}


def _paragraphs(corpus: Corpus, doc_id: str) -> list[str]:
    return corpus.texts[doc_id].split("\n")


def _block_kinds(corpus: Corpus, doc_id: str, text: str) -> list[str]:
    blocks = corpus.blocks[corpus.blocks["doc_id"] == doc_id]
    return blocks.loc[blocks["text"] == text, "kind"].tolist()


# =========================================================================== the real seeds


def test_seeds_in_manifest_order(seeds):
    assert seeds.doc_ids == DOC_IDS
    assert len(seeds) == 5
    for table in (seeds.raw_texts, seeds.texts):
        assert list(table.index) == DOC_IDS


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_raw_texts_are_the_files_untouched(seeds, raw, seeds_dir, doc_id):
    assert seeds.raw_texts[doc_id] == raw[doc_id]
    data = (seeds_dir / SEED_FILES[doc_id]).read_bytes()
    row = seeds.docvars.loc[doc_id]
    assert row["file"] == SEED_FILES[doc_id]
    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    assert row["n_chars_raw"] == len(raw[doc_id])
    assert (row["encoding"], row["encoding_method"]) == ("utf-8", "utf-8-strict")


@pytest.mark.parametrize(
    ("doc_id", "province", "city", "district", "admin_level", "script", "reporters", "date_published", "date_page"),
    [
        ("jinan-huaiyin", "山东省", "济南市", "槐荫区", "district", "simplified", "记者 于悦", "", ""),
        ("jinan-shizhong", "山东省", "济南市", "市中区", "district", "simplified", "记者 于悦; 通讯员 李猛; 通讯员 裴梦雪", "", ""),
        ("jinan-city", "山东省", "济南市", "", "city", "traditional", "", "2021-10-22", "2023-03-29"),
        ("luohe-zhaoling", "河南省", "漯河市", "召陵区", "district", "simplified", "记者 齐国霞", "", ""),
        ("chongqing-wulong", "重庆市", "重庆市", "武隆区", "district", "simplified", "记者 张再行", "", ""),
    ],
)
def test_docvars_from_the_manifest(
    seeds, doc_id, province, city, district, admin_level, script, reporters, date_published, date_page
):
    row = seeds.docvars.loc[doc_id]
    assert (row["province"], row["city"], row["district"], row["admin_level"], row["script"]) == (
        province, city, district, admin_level, script
    )
    assert (row["reporters"], row["date_published"], row["date_page"]) == (reporters, date_published, date_page)


@pytest.mark.parametrize(
    ("doc_id", "title", "subtitle", "outlet"),
    [
        ("jinan-huaiyin", "槐荫区推进党史学习教育走深走实", "践行使命办实事，凝聚力量开新局", "齐鲁晚报·齐鲁壹点"),
        ("jinan-city", "学史力行践初心 砥砺奋进开新局", "济南市扎实开展党史学习教育综述", ""),
        ("chongqing-wulong", "学史力行办实事 为民解难谋福祉", "我区开展党史学习教育成效综述", ""),
    ],
)
def test_manifest_titles_and_their_evidence(seeds, doc_id, title, subtitle, outlet):
    row = seeds.docvars.loc[doc_id]
    assert (row["title"], row["subtitle"], row["outlet"]) == (title, subtitle, outlet)
    assert row["title_evidence"] == "manifest"  # the manifest stated it; no inferred line is shown


def test_docvars_columns(seeds):
    for column in ("file", "title", "subtitle", "outlet", "reporters", "date_published", "date_page",
                   "province", "city", "district", "admin_level", "script", "notes",
                   "encoding", "encoding_method", "sha256", "n_chars_raw", "n_chars_body", "n_paragraphs"):
        assert column in seeds.docvars.columns
    assert seeds.docvars.index.name == "doc_id"


# --------------------------------------------------------------------------- what cleaning removed


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_texts_hold_no_pinyin_readings(seeds, doc_id):
    assert not PINYIN_READING_RE.search(seeds.texts[doc_id])
    doc_blocks = seeds.blocks.loc[seeds.blocks["doc_id"] == doc_id, "text"]
    assert not any(PINYIN_READING_RE.search(text) for text in doc_blocks)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_texts_hold_no_traditional_characters(seeds, doc_id):
    text = seeds.texts[doc_id]
    assert opencc.OpenCC("t2s.json").convert(text) == text


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_texts_hold_no_half_width_punctuation_next_to_han(seeds, doc_id):
    assert HALF_PUNCT_BY_HAN_RE.findall(seeds.texts[doc_id]) == []


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_texts_hold_no_markdown(seeds, doc_id):
    assert "**" not in seeds.texts[doc_id]


def test_the_seeds_really_had_that_damage(raw):
    # Guard the four tests above: the damage they check for is in the raw files.
    assert PINYIN_READING_RE.search(raw["jinan-city"])
    assert opencc.OpenCC("t2s.json").convert(raw["jinan-city"]) != raw["jinan-city"]
    assert HALF_PUNCT_BY_HAN_RE.search(raw["luohe-zhaoling"])
    assert "**" in raw["luohe-zhaoling"]


@pytest.mark.parametrize(
    ("doc_id", "line", "kind"),
    [
        ("jinan-huaiyin", "齐鲁晚报·齐鲁壹点记者 于悦", "byline"),
        ("jinan-huaiyin", "槐荫区将在奋力开启新时代现代化强省会建设新征程上当好“排头兵”。", "caption"),  # line 5
        ("jinan-huaiyin", "槐荫区举行庆祝中国共产党成立100周年群众文艺晚会。", "caption"),  # line 75
        ("jinan-shizhong", "齐鲁晚报·齐鲁壹点", "byline"),
        ("jinan-shizhong", "记者 于悦 通讯员 李猛 裴梦雪", "byline"),
        ("jinan-shizhong", "市中区奋力建设新时代现代化强省会高品质城区。", "caption"),  # line 5
        ("jinan-shizhong", "市中区全力全速推进高质量跨越式发展。", "caption"),  # line 68
        ("jinan-city", "2023年03月29日 星期三", "dateline"),
        ("jinan-city", "发布日期：2021-10-22", "dateline"),
        ("jinan-city", "——济南市扎实开展党史学习教育综述", "subtitle"),
        ("jinan-city", "编辑：姚立松", "editor"),
        ("jinan-city", "?", "chrome"),
        ("jinan-city", "友情链接", "chrome"),
        ("luohe-zhaoling", "■文/本报记者 齐国霞 版式/李树森", "byline"),
        ("luohe-zhaoling", "——召陵区扎实推进党史学习教育纪实", "subtitle"),
        ("luohe-zhaoling", "党史学习教育动员部署大会。", "caption"),  # line 13, after the byline
        ("luohe-zhaoling", "本版图片由召陵区委宣传部提供", "photo_credit"),
        ("luohe-zhaoling", "党史宣讲进楼院。", "caption"),
        ("luohe-zhaoling", "“筑梦新时代 翰墨颂党恩”书法美术摄影作品展。", "caption"),  # after a line holding one space
        ("luohe-zhaoling", "“把歌声献给党”合唱比赛。", "caption"),
        ("chongqing-wulong", "本报记者 张再行", "byline"),
        ("chongqing-wulong", "——我区开展党史学习教育成效综述", "subtitle"),
        ("chongqing-wulong", "交响音乐会。", "caption"),
        ("chongqing-wulong", "陈朝禄收集党史。", "caption"),
        ("chongqing-wulong", "党史学习教育形式多样。", "caption"),
    ],
)
def test_non_body_lines_are_blocks_not_text(seeds, doc_id, line, kind):
    assert line not in seeds.texts[doc_id]
    assert _block_kinds(seeds, doc_id, line) == [kind]


@pytest.mark.parametrize(
    ("doc_id", "lines"),
    [
        ("jinan-huaiyin", ["践行使命办实事，凝聚力量开新局", "槐荫区推进党史学习教育走深走实"]),
        ("jinan-shizhong", ["扎实开展“我为群众办实事”实践活动，推动党史学习教育入脑入心、走深走实 市中区迈向高质量发展新征程"]),
        ("jinan-city", ["学史力行践初心 砥砺奋进开新局"]),
        ("luohe-zhaoling", ["汲取奋进力量 强化使命担当"]),
        ("chongqing-wulong", ["学史力行办实事 为民解难谋福祉"]),
    ],
)
def test_title_lines_are_title_blocks(seeds, doc_id, lines):
    for line in lines:
        assert line not in _paragraphs(seeds, doc_id)
        assert _block_kinds(seeds, doc_id, line)[0] in {"title", "subtitle"}


@pytest.mark.parametrize(
    ("doc_id", "joined"),
    [
        ("jinan-huaiyin", "赴街道巡回指导组16个，赴区直部门"),  # lines 25/27
        ("jinan-huaiyin", "向社区、向群众延伸"),  # lines 39/41
        ("jinan-huaiyin", "‘125510’目标思路"),  # lines 53/55
        ("jinan-huaiyin", "在加快建设"),  # lines 63/65
        ("jinan-shizhong", "红色基因的继承者"),  # lines 28/30
        ("jinan-shizhong", "讲党课模式，邀请退役军人"),  # lines 34/36
        ("jinan-shizhong", "率先推动“双50”主题式"),  # lines 42/44
        ("jinan-shizhong", "“选择济南赢在市中”"),  # lines 58/60
        ("luohe-zhaoling", "发挥烈士陵园"),  # lines 25/27
        ("luohe-zhaoling", "深入人心。完成编写"),  # lines 45/47
        ("chongqing-wulong", "反映的民生问题"),  # lines 37/39
        ("chongqing-wulong", "24年时间里，共收集"),  # lines 57/59
        ("chongqing-wulong", "102个乡镇（街道）部门"),  # lines 83/85
    ],
)
def test_words_split_by_page_breaks_are_whole(seeds, raw, doc_id, joined):
    assert joined not in raw[doc_id].replace(",", "，")  # really split in the file
    assert joined in seeds.texts[doc_id]


def test_letterspaced_word_is_whole(seeds, raw):
    assert "百姓宣講進(jìn)基 層 活動" in raw["jinan-city"]
    assert "进基层活动" in seeds.texts["jinan-city"]


def test_the_lost_character_is_flagged_not_guessed(seeds, raw):
    # Raw line 14: "第一要?jiǎng)?wù)," -- one character and two "(" were lost to "?".
    assert "第一要?jiǎng)?wù)" in raw["jinan-city"]
    assert f"第一要{LOST_CHARACTER}{LOST_CHARACTER}，各基层" in seeds.texts["jinan-city"]
    assert seeds.texts["jinan-city"].count(LOST_CHARACTER) == 2
    assert "第一要务" not in seeds.texts["jinan-city"]


@pytest.mark.parametrize("doc_id", [d for d in DOC_IDS if d != "jinan-city"])
def test_no_lost_characters_elsewhere(seeds, doc_id):
    # luohe-zhaoling's three "?" are question marks (什么 / 哪些 / 如何 …).
    assert LOST_CHARACTER not in seeds.texts[doc_id]


def test_question_marks_stay_question_marks(seeds):
    assert "释放出来？为让" in seeds.texts["jinan-city"]
    assert "做到了什么？办了多少实事" in seeds.texts["luohe-zhaoling"]
    assert "还有哪些不足？如何" in seeds.texts["luohe-zhaoling"]


# --------------------------------------------------------------------------- the quality log


def _logged(corpus: Corpus, doc_id: str, rule: str) -> int:
    log = corpus.quality_log
    return int(log.loc[(log["doc_id"] == doc_id) & (log["rule"] == rule), "count"].sum())


def _captions_in_raw(text: str) -> int:
    """Lines ending in 。 after three or more blank (or whitespace-only) lines."""
    count, blank = 0, 0
    for line in text.split("\n"):
        if not line.strip():
            blank += 1
            continue
        if blank >= 3 and line.strip().endswith("。"):
            count += 1
        blank = 0
    return count


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_page_break_joins_logged(seeds, doc_id):
    # Counted by hand in the raw files (the line pairs are in test_words_split_by_page_breaks_are_whole).
    assert _logged(seeds, doc_id, "page_break_joins") == PAGE_BREAK_JOINS[doc_id]


@pytest.mark.parametrize(
    ("doc_id", "captions"),
    [("jinan-huaiyin", 2), ("jinan-shizhong", 2), ("jinan-city", 0), ("luohe-zhaoling", 12), ("chongqing-wulong", 4)],
)
def test_captions_logged(seeds, raw, doc_id, captions):
    # By hand: luohe-zhaoling lines 13, 77, 81, 85, 89, 93, 98, 102, 106, 110, 114, 118.
    assert _captions_in_raw(raw[doc_id]) == captions
    assert _logged(seeds, doc_id, "separated_caption") == captions
    doc_blocks = seeds.blocks[seeds.blocks["doc_id"] == doc_id]
    assert (doc_blocks["kind"] == "caption").sum() == captions


def test_markdown_emphasis_logged(seeds, raw):
    pairs = raw["luohe-zhaoling"].count("**") // 2
    assert pairs == 9
    assert _logged(seeds, "luohe-zhaoling", "markdown_emphasis") == pairs


def test_pinyin_readings_logged(seeds, raw):
    letters = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
    with_parens = len(re.findall(f"[(（][{letters}]+[)）]", raw["jinan-city"]))
    orphans = len(re.findall(f"\\?[{letters}]+\\)", raw["jinan-city"]))  # "(" lost to "?"
    assert (with_parens, orphans) == (372, 2)
    assert _logged(seeds, "jinan-city", "pinyin_readings") == with_parens + orphans
    for doc_id in DOC_IDS:
        if doc_id != "jinan-city":
            assert _logged(seeds, doc_id, "pinyin_readings") == 0


def test_punctuation_logged(seeds, raw):
    # luohe-zhaoling writes all its punctuation half width, all of it in Chinese text:
    # every , ; ? is converted, and every (...) pair counts once.
    text = raw["luohe-zhaoling"]
    expected = sum(text.count(mark) for mark in ",;:?!") + text.count("(")
    assert expected == 174
    assert _logged(seeds, "luohe-zhaoling", "punctuation") == expected


@pytest.mark.parametrize(
    ("doc_id", "rule", "count"),
    [
        ("jinan-city", "line_whitespace", 22),  # raw lines 9-30 are indented with two spaces
        ("luohe-zhaoling", "line_whitespace", 1),  # raw line 97 holds one space
        ("jinan-city", "letterspacing", 1),
        ("jinan-city", "separated_dateline", 2),
        ("jinan-city", "separated_editor", 1),
        ("jinan-city", "separated_chrome", 2),
        ("luohe-zhaoling", "separated_photo_credit", 1),
        ("jinan-shizhong", "separated_byline", 2),
        ("jinan-huaiyin", "traditional_to_simplified", 0),
    ],
)
def test_other_log_counts(seeds, doc_id, rule, count):
    assert _logged(seeds, doc_id, rule) == count


def test_quality_log_shape(seeds):
    log = seeds.quality_log
    assert list(log.columns) == ["doc_id", "step", "rule", "count", "detail"]
    assert set(log["doc_id"]) == set(DOC_IDS)
    assert (log["count"] > 0).all()
    assert not log.duplicated(["doc_id", "rule"]).any()


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize(
    ("doc_id", "headings"),
    [
        ("jinan-huaiyin", [
            "党史学习教育掀热潮 成立22个巡回指导组",
            "深入挖掘党史资源 传承红色基因",
            "以“问题清单”为导向 为群众办实事解难题",
            "以党史激发奋进之力 开启发展新征程",
        ]),
        ("jinan-shizhong", [
            "高位部署强推动 党史学习教育掀热潮",
            "线上线下齐发力 党史学习教育“活”起来",
            "“七个一”学习教育实践 为群众办实事解民忧",
            "锻造高质量发展“红色引擎” 建设强省会高品质城区",
        ]),
        ("jinan-city", [
            "铸就坚定信仰——高标准高质量推动党史学习教育落实落细",
            "创新学习载体——力行深学细悟“讲活”济南红色故事",
            "学史力行践初心——把学习成果转化为切实行动",
        ]),
        ("luohe-zhaoling", [
            "突出学习感悟，做好“七个一”，让党员干部动起来",
            "突出宣传宣讲，做到“七进”，让党史学习教育活起来",
            "突出学史力行，抓好“七个结合”，让成果转化实起来",
        ]),
        ("chongqing-wulong", [
            "创新学习 强化自愿升华感悟",
            "以史为鉴 用好活用红色阵地",
            "观序交流 让红色基因入脑入心",
            "转化成果 把实事办到群众心坎上",
        ]),
    ],
)
def test_section_headings(seeds, doc_id, headings):
    for heading in headings:
        assert _block_kinds(seeds, doc_id, heading) == ["heading"]
        assert heading not in _paragraphs(seeds, doc_id)


@pytest.mark.parametrize(
    ("doc_id", "starts", "section"),
    [
        ("jinan-huaiyin", "“红色江山来之不易", ""),  # the lead, before any heading
        ("jinan-huaiyin", "今年2月20日", "党史学习教育掀热潮 成立22个巡回指导组"),
        ("jinan-huaiyin", "以党史淬炼坚定信仰", "以党史激发奋进之力 开启发展新征程"),
        ("jinan-shizhong", "市中区努力把党史学习教育成效", "锻造高质量发展“红色引擎” 建设强省会高品质城区"),
        ("jinan-city", "习近平总书记指出", ""),
        ("jinan-city", "——把学习习近平总书记", "铸就坚定信仰——高标准高质量推动党史学习教育落实落细"),
        ("luohe-zhaoling", "——专家解读学。", "突出学习感悟，做好“七个一”，让党员干部动起来"),
        ("luohe-zhaoling", "通过党史学习教育的扎实开展", "突出学史力行，抓好“七个结合”，让成果转化实起来"),
        ("chongqing-wulong", "区委办以机关党委", "创新学习 强化自愿升华感悟"),
        ("chongqing-wulong", "全区各级各部门就是这样", "转化成果 把实事办到群众心坎上"),
    ],
)
def test_paragraphs_carry_their_section(seeds, doc_id, starts, section):
    paragraphs = seeds.paragraphs()
    rows = paragraphs[(paragraphs["doc_id"] == doc_id) & paragraphs["text"].str.startswith(starts)]
    assert rows["section"].tolist() == [section]


@pytest.mark.parametrize(
    ("doc_id", "n_paragraphs"),
    # Counted by hand: body lines of the raw file, a page-break pair counting once.
    [("jinan-huaiyin", 22), ("jinan-shizhong", 18), ("jinan-city", 19), ("luohe-zhaoling", 24), ("chongqing-wulong", 33)],
)
def test_paragraph_counts(seeds, doc_id, n_paragraphs):
    assert len(_paragraphs(seeds, doc_id)) == n_paragraphs
    assert seeds.docvars.loc[doc_id, "n_paragraphs"] == n_paragraphs
    assert seeds.docvars.loc[doc_id, "n_chars_body"] == sum(len(p) for p in _paragraphs(seeds, doc_id))


def test_blocks_table(seeds):
    blocks = seeds.blocks
    assert {"doc_id", "block_no", "kind", "text", "section"} <= set(blocks.columns)
    assert set(blocks["kind"]) <= set(BLOCK_KINDS)
    for doc_id, group in blocks.groupby("doc_id", sort=False):
        assert group["block_no"].tolist() == list(range(1, len(group) + 1))
        assert group["line_no"].is_monotonic_increasing
    # texts are the body blocks, in order
    for doc_id in DOC_IDS:
        body = blocks[(blocks["doc_id"] == doc_id) & (blocks["kind"] == "body")]
        assert body["text"].tolist() == _paragraphs(seeds, doc_id)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_raw_line_is_in_some_block(seeds, raw, doc_id):
    # Nothing is deleted: every non-blank raw line starts a block, or is the second
    # half of one of the page-break pairs counted by hand.
    blocks = seeds.blocks[seeds.blocks["doc_id"] == doc_id]
    nonblank = [n for n, line in enumerate(raw[doc_id].split("\n"), start=1) if line.strip()]
    assert set(blocks["line_no"]) <= set(nonblank)
    assert len(nonblank) == len(blocks) + PAGE_BREAK_JOINS[doc_id]


# =========================================================================== reading a folder


@pytest.fixture(scope="module")
def traditional_luohe(seeds) -> str:
    """A traditional-script version of a cleaned seed (lines and blank lines kept), Big5-safe."""
    from corpus_tools.corpus.clean import clean_text

    cleaned, _ = clean_text(seeds.raw_texts["luohe-zhaoling"])
    traditional = opencc.OpenCC("s2tw.json").convert(cleaned)
    return "".join(ch for ch in traditional if ch.encode("cp950", errors="ignore"))


def test_files_in_different_encodings_read_the_same(tmp_path, traditional_luohe, seeds):
    text = traditional_luohe
    (tmp_path / "a_utf8.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "b_utf8_bom.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (tmp_path / "c_gb18030.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "d_big5.txt").write_bytes(text.encode("cp950"))
    (tmp_path / "e_crlf.txt").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "f_utf16.txt").write_bytes(text.encode("utf-16"))
    corpus = read_corpus(tmp_path)
    assert corpus.doc_ids == ["a_utf8", "b_utf8_bom", "c_gb18030", "d_big5", "e_crlf", "f_utf16"]
    assert corpus.docvars["encoding"].tolist() == ["utf-8", "utf-8-sig", "gb18030", "cp950", "utf-8", "utf-16"]
    for doc_id in corpus.doc_ids:
        assert corpus.texts[doc_id] == corpus.texts["a_utf8"]
        assert corpus.paragraphs().query("doc_id == @doc_id")["text"].tolist() == _paragraphs(corpus, "a_utf8")
    # the raw texts keep what the file had (CRLF included), minus the byte-order mark
    assert corpus.raw_texts["e_crlf"] == text.replace("\n", "\r\n")
    assert corpus.raw_texts["b_utf8_bom"] == text
    # hand-checked facts hold whatever the encoding: page break joined, credit and captions out
    assert "发挥烈士陵园" in corpus.texts["d_big5"]
    assert "本版图片由召陵区委宣传部提供" not in corpus.texts["d_big5"]
    assert (corpus.blocks.query("doc_id == 'd_big5'")["kind"] == "caption").sum() == 12
    # this seed survives simplified -> traditional -> simplified unchanged
    assert corpus.texts["a_utf8"] == seeds.texts["luohe-zhaoling"]
    assert (corpus.docvars["script"] == "traditional").all()


def test_declared_encoding_for_every_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(REPORT.encode("gbk"))
    corpus = read_corpus(tmp_path, encoding="gbk")
    assert (corpus.docvars.loc["a", "encoding"], corpus.docvars.loc["a", "encoding_method"]) == ("gbk", "declared")
    assert corpus.texts["a"] == REPORT_BODY


def test_pattern_and_subfolders(tmp_path):
    (tmp_path / "2021").mkdir()
    (tmp_path / "2021" / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.md").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text(REPORT, encoding="utf-8")
    assert read_corpus(tmp_path).doc_ids == ["2021-a", "b"]  # every supported format, hidden folders left out
    assert read_corpus(tmp_path, pattern="*.txt").doc_ids == ["2021-a"]
    assert read_corpus(tmp_path, pattern="*.md").doc_ids == ["b"]
    assert read_corpus(tmp_path, format="md").doc_ids == ["b"]


def test_a_single_file_is_a_corpus(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(REPORT, encoding="utf-8")
    corpus = read_corpus(tmp_path / "a.txt")
    assert corpus.doc_ids == ["a"]
    assert corpus.texts["a"] == REPORT_BODY


def test_without_a_manifest_docvars_are_inferred_with_evidence(seeds_dir):
    corpus = read_corpus(seeds_dir, metadata=False)
    # metadata.csv is the manifest by name: never read as a table of articles, even unused
    assert corpus.doc_ids == [file.removesuffix(".txt") for file in SEED_FILES.values()]
    assert corpus.problems.empty
    docvars = corpus.docvars
    city = docvars.loc["002_13c419424a7d791f"]
    assert (city["title"], city["subtitle"]) == ("学史力行践初心 砥砺奋进开新局", "济南市扎实开展党史学习教育综述")
    assert (city["date_published"], city["date_published_evidence"]) == ("2021-10-22", "发布日期：2021-10-22")
    assert (city["date_page"], city["date_page_evidence"]) == ("2023-03-29", "2023年03月29日 星期三")
    assert city["script"] == "traditional"
    wulong = docvars.loc["004_482eecf055e9753a"]
    assert (wulong["title"], wulong["title_evidence"]) == ("学史力行办实事 为民解难谋福祉", "学史力行办实事 为民解难谋福祉")
    assert (wulong["reporters"], wulong["reporters_evidence"]) == ("记者 张再行", "本报记者 张再行")
    shizhong = docvars.loc["001_2708217661cee57b"]
    assert shizhong["outlet"] == "齐鲁晚报·齐鲁壹点"
    assert shizhong["reporters"] == "记者 于悦; 通讯员 李猛; 通讯员 裴梦雪"
    luohe = docvars.loc["003_2e2e8a5ccda84c7c"]
    assert (luohe["reporters"], luohe["outlet"]) == ("记者 齐国霞", "")
    assert "metadata=inferred" in corpus.history[0]
    # the texts do not depend on where the docvars came from
    assert corpus.texts.tolist() == read_corpus(seeds_dir).texts.tolist()


def test_read_info_docvars(seeds, seeds_dir):
    docvars = seeds.docvars
    assert docvars["source"].tolist() == list(SEED_FILES.values())
    assert (docvars["format"] == "txt").all()
    assert docvars["row"].isna().all()  # not table rows


def test_an_explicit_manifest_path(tmp_path, seeds_dir):
    for file in SEED_FILES.values():
        shutil.copy(seeds_dir / file, tmp_path / file)
    manifest = tmp_path / "elsewhere.csv"
    manifest.write_text("doc_id,file,district\nwulong,004_482eecf055e9753a.txt,武隆区\n", encoding="utf-8")
    # four files have no manifest row: an error by default ...
    with pytest.raises(CorpusReadError, match=r"(?s)4 problems.*000_bb6f8de1c4a960c6\.txt: has no row in the manifest"):
        read_corpus(tmp_path, metadata=manifest)
    # ... read with inferred docvars, and recorded as kept, when skipping
    corpus = read_corpus(tmp_path, metadata=manifest, on_error="skip")
    assert corpus.doc_ids[0] == "wulong"
    assert corpus.docvars.loc["wulong", "district"] == "武隆区"
    assert len(corpus) == 5
    assert corpus.problems["code"].tolist() == ["file_without_manifest_row"] * 4
    assert set(corpus.problems["action"]) == {"kept"}


def test_files_missing_from_the_manifest_are_kept_when_skipping(tmp_path, caplog):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(REPORT.replace("甲区", "乙县"), encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file\nfirst,b.txt\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"a\.txt: has no row in the manifest"):
        read_corpus(tmp_path)
    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        corpus = read_corpus(tmp_path, on_error="skip")
    assert corpus.doc_ids == ["first", "a"]  # manifest order, then the others
    log = corpus.quality_log
    row = log[log["rule"] == "file_without_manifest_row"]
    assert row["doc_id"].tolist() == ["a"] and "a.txt" in row["detail"].iloc[0]


def _folder_with(tmp_path, files: dict[str, bytes]):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no files of a supported format"),
        ({"a.pdf": b"%PDF-1.4"}, "no files of a supported format"),
        ({"a.txt": REPORT.encode(), "empty.txt": b""}, r"empty\.txt: the file is empty"),
        ({"blank.txt": " \n\u3000\n\t".encode()}, r"blank\.txt: the text holds only whitespace"),
        ({"bom.txt": codecs.BOM_UTF8 + b"\n"}, r"bom\.txt: the text holds only whitespace"),
        ({"scan.txt": b"\x89PNG\x00\x00"}, r"scan\.txt: contains NUL bytes.*PNG image.*binary"),
        ({"broken.txt": b"ab\xff"}, r"broken\.txt: not valid text in any supported encoding"),
        (
            {"a.txt": REPORT.encode(), "metadata.csv": b"doc_id,file\na,a.txt\nb,missing.txt\n"},
            r"metadata\.csv, row 2: file 'missing.txt' is not in",
        ),
        ({"a.txt": REPORT.encode(), "metadata.csv": b"doc_id,title\na,x\n"}, "needs a 'file' column"),
        ({"a.txt": REPORT.encode(), "metadata.csv": b"doc_id,file\na,../a.txt\n"}, r"row 1: file '\.\./a\.txt' points outside"),
        ({"a.txt": REPORT.encode(), "metadata.csv": b"doc_id,file\na,/etc/passwd\n"}, "points outside"),
        ({"a.txt": REPORT.encode(), "a.text": b"y"}, None),  # .text is not a supported suffix: ignored
    ],
    ids=[
        "no-files", "no-supported-files", "empty-file", "whitespace-only", "bom-only", "binary", "undecodable",
        "manifest-missing-file", "manifest-no-file-column", "manifest-outside", "manifest-absolute",
        "other-extension",
    ],
)
def test_read_errors_name_the_file(tmp_path, files, message):
    folder = _folder_with(tmp_path, files)
    if message is None:
        corpus = read_corpus(folder)
        assert corpus.doc_ids == ["a"]
        assert corpus.problems[["source", "code", "action"]].values.tolist() == [["a.text", "unsupported_format", "ignored"]]
        return
    with pytest.raises(CorpusReadError, match=message):
        read_corpus(folder)


def test_not_a_folder_or_file(tmp_path):
    with pytest.raises(CorpusReadError, match="missing: not a folder or a file"):
        read_corpus(tmp_path / "missing")


def test_a_missing_explicit_manifest(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    with pytest.raises(CorpusReadError, match="nope.csv: the manifest does not exist"):
        read_corpus(tmp_path, metadata=tmp_path / "nope.csv")


def test_file_names_giving_the_same_doc_id(tmp_path):
    (tmp_path / "a b.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "a-b.txt").write_text(REPORT, encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"a-b\.txt: doc_id 'a-b' is already given to a b\.txt"):
        read_corpus(tmp_path)
    corpus = read_corpus(tmp_path, on_error="skip")
    assert corpus.doc_ids == ["a-b"]
    assert corpus.docvars.loc["a-b", "source"] == "a b.txt"  # the first by path is kept
    assert corpus.problems[["source", "code"]].values.tolist() == [["a-b.txt", "duplicate_doc_id"]]
    # the skipped file is logged under its path, not counted against the document that has the id
    assert corpus.quality_log.set_index("rule").loc["skipped_duplicate_doc_id", "doc_id"] == "a-b.txt"
    assert "skipped_duplicate_doc_id" not in corpus.quality_summary().columns


def test_bad_options_name_the_parameter(tmp_path):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    for options, name in (({"on_error": "ignore"}, "on_error"), ({"mixed_encodings": "guess"}, "mixed_encodings"),
                          ({"format": "pdf"}, "format"), ({"min_han_share": 2}, "min_han_share")):
        with pytest.raises(ValueError, match=name):
            read_corpus(tmp_path, **options)


def test_reading_options_as_an_object_a_mapping_or_keywords_read_the_same(tmp_path):
    from corpus_tools.io import ReadOptions

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text("学史明理。", encoding="utf-8")  # too short: skipped
    by_keyword = read_corpus(tmp_path, metadata=False, on_error="skip", progress=False)
    by_object = read_corpus(tmp_path, metadata=False, options=ReadOptions(on_error="skip"), progress=False)
    by_mapping = read_corpus(tmp_path, metadata=False, options={"on_error": "skip"}, progress=False)
    for corpus in (by_object, by_mapping):
        assert corpus.doc_ids == by_keyword.doc_ids == ["a"]
        pd.testing.assert_frame_equal(corpus.problems, by_keyword.problems)
        assert corpus.history == by_keyword.history
    # a keyword replaces the same option of `options`
    with pytest.raises(CorpusReadError, match="b.txt"):
        read_corpus(tmp_path, metadata=False, options=ReadOptions(on_error="skip"), on_error="raise", progress=False)


def test_an_unknown_reading_option_is_named_before_anything_is_read(tmp_path):
    with pytest.raises(TypeError, match="unknown reading option 'text_colum' \\(did you mean 'text_column'\\?\\)"):
        read_corpus(tmp_path / "does-not-exist", text_colum="content")


def test_corpus_read_error_is_a_value_error():
    assert issubclass(CorpusReadError, ValueError)


def test_skipped_inputs_are_problems_and_logged(tmp_path, caplog):
    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        corpus = read_corpus(tmp_path, on_error="skip")
    assert corpus.doc_ids == ["a"]
    problems = corpus.problems.set_index("source")
    assert problems.loc["empty.txt", ["doc_id", "code", "action"]].tolist() == ["empty", "empty", "skipped"]
    assert problems.loc["notes.pdf", ["code", "action"]].tolist() == ["unsupported_format", "ignored"]
    log = corpus.quality_log.set_index("rule")
    assert log.loc["skipped_empty", "doc_id"] == "empty"
    assert "empty.txt: the file is empty" in log.loc["skipped_empty", "detail"]
    assert log.loc["ignored_unsupported_format", "doc_id"] == "notes.pdf"
    assert "1 input(s) skipped" in caplog.text and "empty.txt" in caplog.text
    assert "notes.pdf" in caplog.text
    assert "1 skipped" in corpus.history[0]
    # the quality summary is about documents: a skipped file is not one
    assert list(corpus.quality_summary().index) == ["a"]
    assert "skipped_empty" not in corpus.quality_summary().columns


def test_a_corpus_where_nothing_could_be_read(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(CorpusReadError, match=r"(?s)no document could be read; 1 problem.*empty\.txt: the file is empty"):
        read_corpus(tmp_path, on_error="skip")


def test_open_corpus_passes_options(tmp_path):
    from corpus_tools.corpus import open_corpus

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "b.txt").write_text("学史明理。", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file,district\nx,a.txt,甲区\n", encoding="utf-8")
    corpus = open_corpus(tmp_path, metadata=False, on_error="skip", by="district")
    assert corpus.doc_ids == ["a"]  # b is too short; the manifest is ignored
    assert corpus.problems["code"].tolist() == ["too_short"]
    assert corpus.docvars.loc["a", "group"] == "unknown"


def test_open_corpus_old_group_by_still_groups_with_a_warning(tmp_path):
    from corpus_tools.corpus import open_corpus

    (tmp_path / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file,district,city,admin_level\nx,a.txt,,济南市,city\n", encoding="utf-8")
    with pytest.warns(FutureWarning, match="'group_by' is renamed 'by'"):
        corpus = open_corpus(tmp_path, group_by="district")
    assert corpus.docvars.loc["x", "group"] == "济南市（全市）"
    with pytest.raises(TypeError, match="only 'by'"):
        open_corpus(tmp_path, group_by="district", by="district")


# =========================================================================== corpus_from_texts


def test_corpus_from_texts_with_docvars():
    docvars = pd.DataFrame(
        {"district": ["甲区", "乙县"], "title": ["给定标题", ""], "group": ["city", "county"]},
        index=["a", "b"],
    )
    corpus = corpus_from_texts(
        {"a": "学史明理办实事\n\n本报记者 张三\n\n甲区坚持学史明理。", "b": "乙县扎实开展党史学习教育\n\n乙县组织学习。"},
        docvars=docvars,
    )
    assert corpus.doc_ids == ["a", "b"]
    assert corpus.docvars["district"].tolist() == ["甲区", "乙县"]
    assert corpus.docvars["group"].tolist() == ["city", "county"]  # extra columns kept
    # a stated value wins; a blank one is filled from the text, with evidence
    assert corpus.docvars.loc["a", "title"] == "给定标题"
    assert corpus.docvars.loc["a", "title_evidence"] == "manifest"
    assert (corpus.docvars.loc["b", "title"], corpus.docvars.loc["b", "title_evidence"]) == (
        "乙县扎实开展党史学习教育", "乙县扎实开展党史学习教育"
    )
    assert corpus.docvars.loc["a", "reporters"] == "记者 张三"
    assert corpus.docvars.loc["a", "encoding_method"] == "in-memory"
    assert corpus.texts.tolist() == ["甲区坚持学史明理。", "乙县组织学习。"]


def test_corpus_from_a_series():
    corpus = corpus_from_texts(pd.Series({"x": "學(xué)史明理,學(xué)史增信。"}))
    assert corpus.texts["x"] == "学史明理，学史增信。"
    assert corpus.raw_texts["x"] == "學(xué)史明理,學(xué)史增信。"
    assert corpus.docvars.loc["x", "script"] == "traditional"


def test_toy_corpus(toy):
    assert toy.doc_ids == ["toy-a", "toy-b", "toy-c"]
    assert toy.texts["toy-b"].endswith("推动党史宣讲向社区、向群众延伸。")
    assert _block_kinds(toy, "toy-a", "甲区召开动员大会。") == ["caption"]
    assert _block_kinds(toy, "toy-a", "本报记者 张三") == ["byline"]
    assert toy.docvars.loc["toy-a", "reporters"] == "记者 张三"
    assert toy.texts["toy-c"] == "丙市坚持学史明理，推动党史学习教育。"
    assert toy.docvars.loc["toy-c", "date_published"] == "2021-10-22"
    assert toy.docvars.loc["toy-c", "title"] == "学史力行践初心"
    assert toy.docvars.loc["toy-c", "script"] == "traditional"


def test_a_document_without_body_is_kept_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="corpus_tools.corpus"):
        corpus = corpus_from_texts({"only-title": "学史力行践初心", "ok": "学史明理。"})
    assert corpus.texts["only-title"] == ""
    assert corpus.docvars.loc["only-title", "n_paragraphs"] == 0
    assert "only-title" in caplog.text


def test_stated_values_keep_inferred_extras():
    # whatever inference adds (evidence, confidence …) is kept; a stated value is marked as stated
    docvars = pd.DataFrame({"title": ["给定标题"]}, index=["a"])
    corpus = corpus_from_texts({"a": "学史明理办实事\n\n本报记者 张三\n\n甲区坚持学史明理。"}, docvars=docvars)
    assert corpus.docvars.loc["a", "title_evidence"] == "manifest"
    assert corpus.docvars.loc["a", "reporters_evidence"] == "本报记者 张三"


def test_a_stated_locality_is_taken_whole_and_not_completed_by_inference(seeds_dir, tmp_path):
    import shutil

    # A city-level manifest row (city given, district blank) for the Huaiyin district report:
    # inference would find 槐荫区 in the text, but the manifest speaks for the whole locality.
    shutil.copy(seeds_dir / "000_bb6f8de1c4a960c6.txt", tmp_path / "a.txt")
    (tmp_path / "metadata.csv").write_text("doc_id,file,city,admin_level\nhy,a.txt,济南市,city\n", encoding="utf-8")
    stated = read_corpus(tmp_path).docvars.loc["hy"]
    assert (stated["city"], stated["district"], stated["admin_level"]) == ("济南市", "", "city")
    assert stated["locality_evidence"] == "manifest" and stated["locality_confidence"] == 1.0

    inferred = read_corpus(tmp_path, metadata=False).docvars.iloc[0]
    assert (inferred["province"], inferred["city"], inferred["district"]) == ("山东省", "济南市", "槐荫区")
    assert inferred["locality_evidence"] not in ("", "manifest") and inferred["locality_confidence"] < 1.0


# -- cleaning on several cores ---------------------------------------------------------------------


def _same_corpus(a: Corpus, b: Corpus) -> None:
    pd.testing.assert_series_equal(a.texts, b.texts)
    pd.testing.assert_series_equal(a.raw_texts, b.raw_texts)
    pd.testing.assert_frame_equal(a.docvars, b.docvars)
    pd.testing.assert_frame_equal(a.blocks, b.blocks)
    pd.testing.assert_frame_equal(a.quality_log, b.quality_log)


@pytest.fixture
def cleaning_pools(monkeypatch):
    """Record every process pool that read_corpus starts to clean texts (all come from parallel.worker_pool)."""
    import corpus_tools.parallel as parallel_module

    started: list[int] = []
    original = parallel_module.ProcessPoolExecutor

    class Recording(original):
        def __init__(self, *args, **kwargs):
            started.append(kwargs["max_workers"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel_module, "ProcessPoolExecutor", Recording)
    return started


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_cleaning_on_two_cores_gives_the_same_corpus(seeds_dir, seeds, cleaning_pools, monkeypatch, start_method):
    import multiprocessing

    import corpus_tools.corpus.build as corpus_module

    monkeypatch.setattr(corpus_module, "mp_context", lambda: multiprocessing.get_context(start_method))
    monkeypatch.setattr(corpus_module, "_CLEAN_BATCH_CHARS", 3_000)  # several batches from five reports
    parallel = read_corpus(seeds_dir, n_jobs=2, progress=False)
    assert cleaning_pools == [2]
    _same_corpus(parallel, seeds)


def test_mixed_corpus_cleans_the_same_on_two_cores(tmp_path, cleaning_pools, monkeypatch):
    # traditional script, pinyin readings, a GB18030 file and bylines: every cleaning rule and
    # the inferred docvars must come back from the workers exactly as computed in one process
    import corpus_tools.corpus.build as corpus_module

    monkeypatch.setattr(corpus_module, "_CLEAN_BATCH_CHARS", 100)
    body = "全區黨員幹部深入學(xué)習黨史，召開動員大會，部署開展黨史學習教育各項工作。"
    for n in range(12):
        text = f"槐蔭區第{n}次推進黨史學習教育\n記者 王{n}\n{body * (n + 2)}\n"
        encoding = "gb18030" if n % 3 == 0 else "utf-8"
        (tmp_path / f"{n:02d}.txt").write_bytes(opencc.OpenCC("t2s.json").convert(text).encode(encoding)
                                                if n % 2 else text.encode("utf-8"))
    one = read_corpus(tmp_path, n_jobs=1, metadata=False, progress=False)
    two = read_corpus(tmp_path, n_jobs=2, metadata=False, progress=False)
    assert cleaning_pools == [2]
    assert len(one.texts) == 12 and one.quality_log["rule"].eq("pinyin_readings").any()
    _same_corpus(two, one)


def test_small_corpora_are_cleaned_in_one_process(seeds_dir, cleaning_pools):
    read_corpus(seeds_dir, progress=False)
    assert cleaning_pools == []


def test_large_corpora_are_cleaned_on_every_core(seeds_dir, seeds, cleaning_pools, monkeypatch):
    import corpus_tools.corpus.build as corpus_module
    import corpus_tools.parallel as parallel_module

    monkeypatch.setattr(corpus_module, "CLEAN_PARALLEL_MIN_CHARS", {"fork": 0, "spawn": 0})
    monkeypatch.setattr(corpus_module, "_CLEAN_BATCH_CHARS", 3_000)
    monkeypatch.setattr(parallel_module, "available_cores", lambda: 2)
    _same_corpus(read_corpus(seeds_dir, progress=False), seeds)
    assert cleaning_pools == [2]


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_a_bad_n_jobs_is_named(seeds_dir, bad):
    with pytest.raises((TypeError, ValueError), match="n_jobs"):
        read_corpus(seeds_dir, n_jobs=bad)


def test_a_bad_file_read_while_workers_clean_still_fails_cleanly(seeds_dir, tmp_path, cleaning_pools, monkeypatch):
    import gc

    import corpus_tools.corpus.build as corpus_module

    monkeypatch.setattr(corpus_module, "_CLEAN_BATCH_CHARS", 1_000)
    for name in SEED_FILES.values():
        shutil.copyfile(seeds_dir / name, tmp_path / name)
    (tmp_path / "zz-empty.txt").write_bytes(b"")  # read last, after workers have started
    with pytest.raises(CorpusReadError, match="zz-empty.txt"):
        read_corpus(tmp_path, metadata=False, n_jobs=2, progress=False)
    assert cleaning_pools == [2]  # workers were cleaning when the error came
    assert gc.get_freeze_count() == 0  # and everything they needed was let go
