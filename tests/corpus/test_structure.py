"""Tests for corpus_tools.corpus.structure: lines, page breaks, block kinds and sentences."""

from __future__ import annotations

import pytest

from corpus_tools.corpus.structure import (
    BLOCK_KINDS,
    Line,
    classify_blocks,
    is_page_furniture,
    is_photo_credit,
    is_source_line,
    join_page_breaks,
    split_lines,
    split_sentences,
)

#: A body paragraph long enough (> 60 characters, ends a sentence) to end any title block.
BODY = "党史学习教育开展以来，全区各级党组织坚持学史明理、学史增信、学史崇德、学史力行，推动党史学习教育走深走实。"


def _kinds(text: str) -> list[tuple[str, str]]:
    lines, _ = join_page_breaks(split_lines(text))
    return [(kind, line.text) for kind, line in classify_blocks(lines)]


def _joined(text: str) -> tuple[list[str], int]:
    lines, joins = join_page_breaks(split_lines(text))
    return [line.text for line in lines], len(joins)


# --------------------------------------------------------------------------- split_lines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\n标题\n\n\n\n图说。\n\n正文。", [("标题", 1, 2), ("图说。", 3, 6), ("正文。", 1, 8)]),
        ("标题\n正文。", [("标题", 0, 1), ("正文。", 0, 2)]),
        ("\n\n\n\n标题", [("标题", 4, 5)]),
        ("  标题  \n \n\u3000\n正文。", [("标题", 0, 1), ("正文。", 2, 4)]),  # whitespace-only lines are blank
        ("正文。\n\n", [("正文。", 0, 1)]),
        ("", []),
        ("\n \n", []),
    ],
    ids=["gaps", "no-gaps", "leading", "whitespace-lines", "trailing", "empty", "blank-only"],
)
def test_split_lines(text, expected):
    assert [(line.text, line.gap_before, line.line_no) for line in split_lines(text)] == expected


# --------------------------------------------------------------------------- join_page_breaks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ends on a comma
        (
            BODY + "\n\n同时，全区成立22个巡回指导组，赴街道巡回指导组16个，\n\n赴区直部门巡回指导组6个。",
            "同时，全区成立22个巡回指导组，赴街道巡回指导组16个，赴区直部门巡回指导组6个。",
        ),
        # a quote is still open (the line is short: only the quote says it is unfinished)
        (
            BODY + "\n\n“紧紧围绕我区‘125510’目\n\n标思路，一步一个脚印。”",
            "“紧紧围绕我区‘125510’目标思路，一步一个脚印。”",
        ),
        (
            BODY + "\n\n举办“选择济南\n\n赢在市中”济南新机遇云推广市中专场活动举行。",
            "举办“选择济南赢在市中”济南新机遇云推广市中专场活动举行。",
        ),
        # a bracket is still open
        (
            BODY + "\n\n开展“开门问计”活动。102个乡镇（街\n\n道）部门全面开展行动。",
            "开展“开门问计”活动。102个乡镇（街道）部门全面开展行动。",
        ),
        # long line without a sentence end
        (
            BODY + "\n\n区委网信办坚持在学习中行动，密切关注新浪微博等网络平台上老百姓反映的民生\n\n问题，并及时反馈。",
            "区委网信办坚持在学习中行动，密切关注新浪微博等网络平台上老百姓反映的民生问题，并及时反馈。",
        ),
        (
            BODY + "\n\n全区各级党组织通过“党史青年说”“干部上讲台”等活动，推动党史宣讲向社\n\n区、向群众延伸。",
            "全区各级党组织通过“党史青年说”“干部上讲台”等活动，推动党史宣讲向社区、向群众延伸。",
        ),
    ],
    ids=["comma", "open-single-quote", "open-double-quote", "open-bracket", "long-line", "mid-word"],
)
def test_page_breaks_are_joined(text, expected):
    lines, n_joins = _joined(text)
    assert lines == [BODY, expected]
    assert n_joins == 1


def test_joins_are_described_for_the_log():
    text = BODY + "\n\n全区各级党组织通过“党史青年说”“干部上讲台”等活动，推动党史宣讲向社\n\n区、向群众延伸。"
    _, joins = join_page_breaks(split_lines(text))
    assert joins == ["推动党史宣讲向社|区、向群众延伸。"]


def test_a_joined_line_keeps_the_first_line_number_and_gap():
    text = BODY + "\n\n\n全区各级党组织通过“党史青年说”“干部上讲台”等活动，推动党史宣讲向社\n\n区、向群众延伸。"
    lines, _ = join_page_breaks(split_lines(text))
    assert (lines[1].line_no, lines[1].gap_before) == (4, 2)


def test_a_split_over_two_page_breaks_is_joined_twice():
    # each piece is longer than a heading (30 characters) and lacks a sentence end
    text = (
        BODY + "\n\n区委网信办坚持在学习中行动，坚决走好网上群众路线，密切关注新浪微博等\n\n"
        "网络平台上老百姓反映的民生问题并及时反馈至相关部门督促其按时限办结\n\n答复。"
    )
    lines, n_joins = _joined(text)
    assert lines[1] == (
        "区委网信办坚持在学习中行动，坚决走好网上群众路线，密切关注新浪微博等"
        "网络平台上老百姓反映的民生问题并及时反馈至相关部门督促其按时限办结答复。"
    )
    assert n_joins == 2


UNFINISHED = "全区各级党组织通过活动，推动党史宣讲向社区、向群众延伸，持续深化拓展"  # > 30 chars, no end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a short heading is not a split
        (
            BODY + "\n\n深入挖掘党史资源 传承红色基因\n\n党史学习教育中，要传承红色基因。",
            [BODY, "深入挖掘党史资源 传承红色基因", "党史学习教育中，要传承红色基因。"],
        ),
        (
            BODY + "\n\n以“问题清单”为导向\n\n为群众办实事。",
            [BODY, "以“问题清单”为导向", "为群众办实事。"],
        ),
        # what follows an unfinished line is not prose
        (BODY + f"\n\n{UNFINISHED}\n\n记者 于悦", [BODY, UNFINISHED, "记者 于悦"]),
        (BODY + f"\n\n{UNFINISHED}\n\n本版图片由召陵区委宣传部提供", [BODY, UNFINISHED, "本版图片由召陵区委宣传部提供"]),
        (BODY + f"\n\n{UNFINISHED}\n\n编辑：姚立松", [BODY, UNFINISHED, "编辑：姚立松"]),
        (BODY + f"\n\n{UNFINISHED}\n\n2023年03月29日 星期三", [BODY, UNFINISHED, "2023年03月29日 星期三"]),
        (BODY + f"\n\n{UNFINISHED}\n\n友情链接", [BODY, UNFINISHED, "友情链接"]),
        # a caption set off by more blank lines than the paragraph gap
        (BODY + f"\n\n{UNFINISHED}\n\n\n\n党史宣讲进楼院。", [BODY, UNFINISHED, "党史宣讲进楼院。"]),
        # a byline is never continued
        (BODY + "\n\n■文/本报记者 齐国霞 版式/李树森\n\n这仅仅是一个缩影。", [BODY, "■文/本报记者 齐国霞 版式/李树森", "这仅仅是一个缩影。"]),
    ],
    ids=[
        "heading", "heading-with-quote", "byline-after", "photo-credit-after", "editor-after",
        "dateline-after", "chrome-after", "caption-after-extra-blank-lines", "byline-before",
    ],
)
def test_lines_that_are_not_split(text, expected):
    assert _joined(text) == (expected, 0)


@pytest.mark.parametrize(
    "text",
    [
        # a kicker ending on a comma, then the main title, then a byline
        "践行使命办实事，\n\n槐荫区推进党史学习教育走深走实\n\n本报记者 张三\n\n" + BODY,
        # the same without a byline: the title block ends at the first long sentence
        "践行使命办实事，\n\n槐荫区推进党史学习教育走深走实\n\n" + BODY,
        # a one-line headline longer than a section heading, without a sentence end
        "扎实开展“我为群众办实事”实践活动，推动党史学习教育入脑入心、走深走实 市中区迈向高质量发展新征程\n\n" + BODY,
        # the title lines of a real seed (jinan-shizhong), byline on two lines
        "市中区奋力建设新时代现代化强省会高品质城区。\n\n"
        "扎实开展“我为群众办实事”实践活动，推动党史学习教育入脑入心、走深走实 市中区迈向高质量发展新征程\n\n"
        + BODY + "\n\n齐鲁晚报·齐鲁壹点\n记者 于悦 通讯员 李猛 裴梦雪",
    ],
    ids=["kicker-with-byline", "kicker-without-byline", "long-headline", "shizhong-front-matter"],
)
def test_title_block_lines_are_never_joined(text):
    lines, n_joins = _joined(text)
    assert n_joins == 0
    assert lines == [line.text for line in split_lines(text)]


def test_join_page_breaks_on_nothing():
    assert join_page_breaks([]) == ([], [])


# --------------------------------------------------------------------------- classify_blocks


def test_every_line_gets_exactly_one_known_kind():
    text = (
        "2023年03月29日 星期三\n\n标题\n\n——副标题\n\n本报记者 张三\n\n" + BODY
        + "\n\n\n\n图片说明。\n\n小标题\n\n" + BODY + "\n\n编辑：李四\n\n友情链接"
    )
    lines = split_lines(text)
    blocks = classify_blocks(lines)
    assert [line for _, line in blocks] == lines
    assert {kind for kind, _ in blocks} <= set(BLOCK_KINDS)


def test_jinan_city_shape():
    # Page date, title, dash subtitle, labelled publication date, body, editor, chrome.
    text = (
        "2023年03月29日 星期三\n\n学史力行践初心 砥砺奋进开新局\n\n——济南市扎实开展党史学习教育综述\n\n"
        "发布日期：2021-10-22\n\n"
        "习近平总书记指出，在全党集中开展党史学习教育，正当其时，十分必要。\n"
        "铸就坚定信仰——高标准高质量推动党史学习教育落实落细\n"
        "习近平总书记在党史学习教育动员大会上的重要讲话，犹如出征的号令。\n"
        "编辑：姚立松\n?\n友情链接"
    )
    assert _kinds(text) == [
        ("dateline", "2023年03月29日 星期三"),
        ("title", "学史力行践初心 砥砺奋进开新局"),
        ("subtitle", "——济南市扎实开展党史学习教育综述"),
        ("dateline", "发布日期：2021-10-22"),
        ("body", "习近平总书记指出，在全党集中开展党史学习教育，正当其时，十分必要。"),
        ("heading", "铸就坚定信仰——高标准高质量推动党史学习教育落实落细"),
        ("body", "习近平总书记在党史学习教育动员大会上的重要讲话，犹如出征的号令。"),
        ("editor", "编辑：姚立松"),
        ("chrome", "?"),
        ("chrome", "友情链接"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "2023年03月29日 星期三",
        "发布日期：2021-10-22",
        "发布时间：2021-06-30 10:15",
        "2021-06-30",
        "2021年6月30日",
        "2021年06月30日 第A3版",
    ],
)
def test_datelines(line):
    assert _kinds(f"{line}\n\n标题\n\n{BODY}")[0] == ("dateline", line)


@pytest.mark.parametrize(
    "byline",
    [
        "本报记者 张再行",
        "■文/本报记者 齐国霞 版式/李树森",
        "齐鲁晚报·齐鲁壹点记者 于悦",
        "记者 于悦 通讯员 李猛 裴梦雪",
        "通讯员 王五",
    ],
)
def test_bylines(byline):
    kinds = _kinds(f"标题\n\n——副标题\n\n{byline}\n\n{BODY}")
    assert kinds == [("title", "标题"), ("subtitle", "——副标题"), ("byline", byline), ("body", BODY)]


def test_two_line_byline_outlet_above_reporters():
    kinds = _kinds(f"市中区迈向高质量发展新征程\n\n{BODY}\n\n齐鲁晚报·齐鲁壹点\n记者 于悦 通讯员 李猛 裴梦雪\n\n{BODY}")
    assert kinds == [
        ("title", "市中区迈向高质量发展新征程"),
        ("body", BODY),
        ("byline", "齐鲁晚报·齐鲁壹点"),
        ("byline", "记者 于悦 通讯员 李猛 裴梦雪"),
        ("body", BODY),
    ]


def test_outlet_line_alone_is_not_a_byline():
    # Without a reporter line directly below, a short line is no byline.
    kinds = _kinds(f"标题\n\n{BODY}\n\n齐鲁晚报·齐鲁壹点\n\n{BODY}")
    assert ("byline", "齐鲁晚报·齐鲁壹点") not in kinds


def test_caption_is_set_off_by_extra_blank_lines():
    text = f"标题\n\n本报记者 张再行\n\n{BODY}\n\n\n\n交响音乐会。\n\n{BODY}"
    assert ("caption", "交响音乐会。") in _kinds(text)


def test_the_same_short_sentence_with_a_normal_gap_is_body():
    text = f"标题\n\n本报记者 张再行\n\n{BODY}\n\n交响音乐会。\n\n{BODY}"
    assert ("body", "交响音乐会。") in _kinds(text)


def test_caption_opening_the_file():
    # Scraped pages start with the lead photo's caption after the image's blank lines.
    text = f"\n\n\n\n槐荫区将在奋力开启新时代现代化强省会建设新征程上当好“排头兵”。\n\n标题\n\n{BODY}"
    assert _kinds(text)[0] == ("caption", "槐荫区将在奋力开启新时代现代化强省会建设新征程上当好“排头兵”。")


def test_a_long_or_commaed_sentence_is_never_a_caption():
    long_sentence = "天桥街道利用“四点半课堂”开展的“时空档案馆”特色活动，取得较好成效。"
    text = f"标题\n\n本报记者 张三\n\n{BODY}\n\n\n\n{long_sentence}"
    assert _kinds(text)[-1] == ("body", long_sentence)


@pytest.mark.parametrize("credit", ["本版图片由召陵区委宣传部提供", "图片由区委宣传部提供", "供图：区融媒体中心"])
def test_photo_credits(credit):
    assert ("photo_credit", credit) in _kinds(f"标题\n\n{BODY}\n\n{credit}\n\n\n\n召陵党史主题广场揭牌。")


def test_image_source_line_is_a_photo_credit():
    assert ("photo_credit", "图片来源：网络") in _kinds(f"标题\n\n{BODY}\n\n图片来源：网络")


@pytest.mark.parametrize(
    "heading",
    [
        "党史学习教育掀热潮 成立22个巡回指导组",
        "突出学习感悟，做好“七个一”，让党员干部动起来",
        "创新学习载体——力行深学细悟“讲活”济南红色故事",
    ],
)
def test_headings(heading):
    text = f"标题\n\n本报记者 张三\n\n{BODY}\n\n{heading}\n\n{BODY}"
    assert _kinds(text)[3] == ("heading", heading)


def test_a_sentence_is_never_a_heading():
    text = f"标题\n\n本报记者 张三\n\n{BODY}\n\n——聚焦“一条主线”，精心组织强推动。\n\n{BODY}"
    assert _kinds(text)[3] == ("body", "——聚焦“一条主线”，精心组织强推动。")


@pytest.mark.parametrize("editor", ["编辑：姚立松", "责任编辑：王五", "审核：李四"])
def test_editor_then_chrome(editor):
    kinds = _kinds(f"标题\n\n{BODY}\n\n{editor}\n\n?\n\n友情链接\n\n返回顶部")
    assert kinds[-4:] == [("editor", editor), ("chrome", "?"), ("chrome", "友情链接"), ("chrome", "返回顶部")]


@pytest.mark.parametrize("chrome", ["友情链接", "打印本页", "上一篇", "?", "■■■", "|"])
def test_chrome_anywhere(chrome):
    assert ("chrome", chrome) in _kinds(f"标题\n\n{BODY}\n\n{chrome}\n\n{BODY}")


def test_title_and_dash_subtitle():
    kinds = _kinds(f"学史力行办实事 为民解难谋福祉\n\n——我区开展党史学习教育成效综述\n\n本报记者 张再行\n\n{BODY}")
    assert kinds[:2] == [("title", "学史力行办实事 为民解难谋福祉"), ("subtitle", "——我区开展党史学习教育成效综述")]


def test_only_one_title():
    kinds = _kinds(f"第一行标题\n\n第二行标题\n\n第三行标题\n\n{BODY}")
    assert [kind for kind, _ in kinds] == ["title", "subtitle", "subtitle", "body"]


def test_classify_nothing():
    assert classify_blocks([]) == []


def test_classify_accepts_hand_made_lines():
    lines = [Line("标题", 0, 1), Line(BODY, 1, 3)]
    assert [kind for kind, _ in classify_blocks(lines)] == ["title", "body"]


# --------------------------------------------------------------------------- split_sentences


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("“江山就是人民。”槐荫区开展活动！这是什么？", ["“江山就是人民。”", "槐荫区开展活动！", "这是什么？"]),
        ("他说：“好！”“很好。”然后走了。", ["他说：“好！”", "“很好。”", "然后走了。"]),
        ("举办学习班6期；围绕讲话，举办读书班5期。", ["举办学习班6期；围绕讲话，举办读书班5期。"]),
        ("画卷正在徐徐展开……新的征程开始了。", ["画卷正在徐徐展开……", "新的征程开始了。"]),
        ("正在泉城大地徐徐展开……", ["正在泉城大地徐徐展开……"]),
        ("学习材料提出明确要求", ["学习材料提出明确要求"]),  # no end mark: one sentence
        ("学史明理。学史增信", ["学史明理。", "学史增信"]),
        ("真的吗?!是的。", ["真的吗?!", "是的。"]),
        ("共收集1.5万人次。", ["共收集1.5万人次。"]),  # a decimal point is not a sentence end
        ("", []),
    ],
    ids=[
        "closing-quote", "two-quotes", "semicolon", "ellipsis-inside", "ellipsis-end", "no-end",
        "unfinished-tail", "half-width", "decimal", "empty",
    ],
)
def test_split_sentences(paragraph, expected):
    assert split_sentences(paragraph) == expected


@pytest.mark.parametrize(
    "paragraph",
    [
        "“红色江山来之不易，红色基因代代相传。”党史学习教育开展以来，槐荫区提高政治站位。",
        "如何讲好党的百年史、讲好武陵的党史故事？怎样宣讲才能让不同阶段不同群体更好地学习感悟党史力量？",
        "党史如明灯，照亮前行之路；党史如号角，激发奋进之力。",
    ],
)
def test_sentences_reassemble_to_the_paragraph(paragraph):
    assert "".join(split_sentences(paragraph)) == paragraph


# --------------------------------------------------------------------------- page furniture


@pytest.mark.parametrize(
    "line",
    [
        "首页 > 要闻 > 正文",
        "您当前的位置：陇原在线网 > 新闻中心",
        "当前位置：首页",
        "• 您的位置：某某文明网首页 > 人文",
        "您的位置首页 山水风光 特产",
        "新闻 | 图片 | 视频 | 专题 | 评论",
        "东城 西城 南湖 北山 滨江 高新",  # a menu of place names
        "第03版 上一期 下一期 上一版 下一版",
        "• 设为首页",
        "加入收藏",
        "某某新闻网首页",
        "澎湃Logo",
        "小字号",
        "【开栏语】",
        "【某市人大新闻】",
        "党史学习教育动态",
        "某某上班族网",
        "关键字：征程，启航",
        "参与评论",
    ],
)
def test_page_furniture(line):
    assert is_page_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "学史力行践初心 砥砺奋进开新局",
        "某镇深入开展“我为群众办实事”实践活动",
        "记者 王一 李二 张三 赵四",  # a byline's names are not a menu
        "西河镇：“沉浸式”学党史 “走心式”办实事",
        "党史学习教育开展以来，全镇上下掀起学习热潮。",
    ],
)
def test_not_page_furniture(line):
    assert not is_page_furniture(line)


def test_furniture_is_chrome_and_the_headline_stays_a_title():
    text = f"设为首页 | 加入收藏\n首页 > 要闻 > 正文\n西河镇开展党史宣讲活动\n2021-05-06 10:20 来源：某某日报\n\n{BODY}"
    assert _kinds(text) == [
        ("chrome", "设为首页 | 加入收藏"),
        ("chrome", "首页 > 要闻 > 正文"),
        ("title", "西河镇开展党史宣讲活动"),
        ("dateline", "2021-05-06 10:20 来源：某某日报"),
        ("body", BODY),
    ]


def test_furniture_lines_are_never_joined_as_a_page_break():
    # each line is long or unfinished; the furniture between them stops any join
    text = "某某报社主办的报纸今日第二版刊登的头条文章标题是这样的一句话 没有标点\n第02版 上一期 下一期 上一版 下一版\n" + BODY
    lines, joins = join_page_breaks(split_lines(text))
    assert joins == [] and len(lines) == 3


_HEADLINE = "西河镇开展党史宣讲活动\n"


# A source and date line under the headline, a caption or photo credit above the body: each is
# recognised by its own test and classified as its own kind, never as a title or body.
@pytest.mark.parametrize(
    ("before", "line", "kind", "recognised"),
    [
        (_HEADLINE, "2021年08月28日 09:28 来源：某某网", "dateline", is_source_line),
        (_HEADLINE, "2021-04-16 10:20:22来源：某某日报编辑：王一责编：李二", "dateline", is_source_line),
        (_HEADLINE, "《某刊》 ● 某某网 2021-04-20 10:18:13", "dateline", is_source_line),
        (_HEADLINE, "作者： 某某之窗 时间： 2021-4-25 16:18", "dateline", is_source_line),
        (_HEADLINE, "来源：某某日报 发布时间：2021年10月22日 【字体： 】 点击数：", "dateline", is_source_line),
        (_HEADLINE, "稿件来源： 某某网 编辑： 王一", "byline", is_source_line),
        ("", "党员群众参观红色展馆。 王小明摄", "caption", is_photo_credit),
        ("", "党员在纪念馆重温入党誓词。某某日报记者 王一 通讯员 李二 摄", "caption", is_photo_credit),
        ("", "某某社记者 王一 摄", "photo_credit", is_photo_credit),
        ("", "图为党员志愿者入户宣讲。", "caption", is_photo_credit),
        ("", "西河镇 供图", "photo_credit", is_photo_credit),
    ],
)
def test_source_date_and_credit_lines_are_their_own_kind(before, line, kind, recognised):
    assert recognised(line)
    assert _kinds(f"{before}{line}\n{BODY}")[before.count("\n")] == (kind, line)


def test_a_short_line_above_a_source_line_is_a_title_not_an_outlet():
    # only a line above a reporter's byline ("记者 …") is the outlet half of that byline
    kinds = _kinds(f"西河镇红色展馆开馆\n稿件来源： 某某网 发布时间： 2021-07-07\n{BODY}")
    assert kinds[0] == ("title", "西河镇红色展馆开馆")


def test_a_closing_byline_in_brackets_ends_its_paragraph():
    text = BODY + "各项工作有序推进。（记者 王一 通讯员 李二）\n参与评论\n网友的观点仅代表其本人。"
    lines, joins = join_page_breaks(split_lines(text))
    assert joins == [] and lines[0].text.endswith("（记者 王一 通讯员 李二）")


def test_an_editor_glued_to_the_name_is_an_editor_line():
    assert ("editor", "编辑王一 编审李二") in _kinds(f"{BODY}\n编辑王一 编审李二")


# --------------------------------------------------------------------------- captions glued into paragraphs


@pytest.mark.parametrize(
    ("text", "caption"),
    [
        (f"{BODY}图说：活动现场。 本文图片均为王明摄一起学党史，共同话初心。", "图说：活动现场。 本文图片均为王明摄"),
        (f"{BODY}西河镇举办党史读书会。杨小洁摄突出现场效果，增强学习实效。", "西河镇举办党史读书会。杨小洁摄"),
        (f"{BODY}图为党员参观展馆。 本报通讯员 白小燕摄 “大爷，您看这样行吗？”", "图为党员参观展馆。 本报通讯员 白小燕摄"),
        (f"{BODY}党员重温入党誓词。西河镇 供图 会后，大家纷纷表示要学以致用。", "党员重温入党誓词。西河镇 供图"),
    ],
    ids=["tushuo-and-all-photos", "name-credit", "role-credit", "supplied"],
)
def test_captions_and_credits_are_never_joined_to_body(text, caption):
    kinds = _kinds(text)
    assert ("caption", caption) in kinds
    assert all(caption not in t for k, t in kinds if k == "body")
    assert kinds[0] == ("body", BODY)


@pytest.mark.parametrize(
    "text",
    [
        f"{BODY}该片摄于1950年，记录了当年的场景。",
        f"{BODY}市民摄影爱好者纷纷拿起相机。",
        f"{BODY}他们拍摄了许多照片。",
    ],
)
def test_prose_about_photography_is_not_cut(text):
    lines, _ = join_page_breaks(split_lines(text))
    assert [line.text for line in lines] == [text]


def test_prose_with_a_clock_time_is_not_a_source_line():
    assert not is_source_line("2021年4月25日上午9:30，西河镇召开党史学习教育动员会")


def test_a_repeated_headline_is_never_joined_to_the_paragraph_after_it():
    # 33 characters without a sentence end would read as prose cut by a page break
    repeat = "原标题：“把党史学习融入我们的血液里”——云南开展党史学习教育见闻"
    quote = "“1935年，艾思奇把书修改后出版，旋即引起轰动。”讲解员说。"
    text = f"标题\n\n{BODY}\n\n{repeat}\n\n{quote}"
    assert [line.text for line in join_page_breaks(split_lines(text))[0]] == ["标题", BODY, repeat, quote]
