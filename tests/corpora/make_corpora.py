"""Build the test corpora: the mixed corpus and one small corpus per bad input.

Nothing here runs at import. Tests call :func:`build_mixed` and :func:`build_bad_input`
into a temporary folder (binary formats are generated, never committed); from the
command line::

    python tests/corpora/make_corpora.py mixed /tmp/mixed        # the whole mixed corpus
    python tests/corpora/make_corpora.py bad /tmp/bad            # one folder per bad input
    python tests/corpora/make_corpora.py east /tmp/east          # made-up reports on four localities

The mixed corpus (:data:`ARTICLES_FILE`) is 34 made-up reports about nine localities in
every supported format and encoding: ``.txt`` in UTF-8 (LF, CRLF and lone CR), UTF-8 with a
byte-order mark, GB18030, Big5 and UTF-16; Markdown (one with YAML front matter); HTML pages
(UTF-8, GB2312 and Big5 declared in ``<meta>``, one with navigation and footer chrome);
Word documents (one laid out in a table); a GB18030 CSV, a JSON Lines file and a Parquet
table, each holding several articles with metadata columns. A manifest ``metadata.csv``
gives each document's doc_id (the article's ``id``) and locality; title, date, outlet and
reporters are left for inference, with the true values in :func:`truth`.
"""

from __future__ import annotations

import argparse
import codecs
import html
import io
import json
from pathlib import Path

TESTS_CORPORA = Path(__file__).resolve().parent
ARTICLES_FILE = TESTS_CORPORA / "mixed" / "articles.yaml"

#: Columns of the tables in the mixed corpus besides ``text``.
TABLE_COLUMNS = ("title", "date_published", "outlet", "province", "city", "district", "admin_level")
LOCALITY_COLUMNS = ("province", "city", "district", "admin_level")
_NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def load_articles() -> tuple[dict[str, dict[str, str]], list[dict[str, object]]]:
    """Return ``(localities, articles)`` from :data:`ARTICLES_FILE`."""
    import yaml

    data = yaml.safe_load(ARTICLES_FILE.read_text(encoding="utf-8"))
    return data["localities"], data["articles"]


def _script(text: str, article: dict) -> str:
    if article.get("script") != "traditional":
        return text
    import opencc

    return opencc.OpenCC("s2tw.json").convert(text)


def _encode(text: str, encoding: str, newline: str = "lf") -> bytes:
    text = text.replace("\n", _NEWLINES[newline])
    codec = {"big5": "cp950", "utf-16": "utf-16"}.get(encoding, encoding)
    return text.encode(codec)  # strict: a character the encoding lacks is a bug in the corpus


def article_text(article: dict) -> str:
    """The article as a text file holds it (in its script), with ``\\n`` line ends."""
    return _script(str(article["text"]).rstrip("\n") + "\n", article)


def render_txt(text: str, *, encoding: str = "utf-8", newline: str = "lf") -> bytes:
    """Bytes of a text file holding ``text``."""
    return _encode(text, encoding, newline)


def render_markdown(text: str, *, front_matter: dict[str, str] | None = None, encoding: str = "utf-8", newline: str = "lf") -> bytes:
    """Bytes of a Markdown file: ``text`` (already Markdown) after optional YAML front matter."""
    if front_matter:
        import yaml

        head = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
        text = f"---\n{head}---\n{text}"
    return _encode(text, encoding, newline)


def render_html(text: str, *, encoding: str = "utf-8", page_title: str = "", chrome: bool = False) -> bytes:
    """Bytes of an HTML page whose article is ``text``: first line ``<h1>``, the others ``<p>``.

    The page declares ``encoding`` in ``<meta charset>`` and carries a script and a style
    that must never reach the text; with ``chrome`` it also has navigation, a list of
    related links and a footer, which the reader must leave out.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    body = [f"<h1>{html.escape(lines[0])}</h1>"]
    for line in lines[1:]:
        tag = "h2" if line.startswith("——") else "p"
        body.append(f"<{tag}>{html.escape(line)}</{tag}>")
    nav = footer = related = ""
    if chrome:
        nav = '<div class="nav"><a href="/">首页</a> | <a href="/news">新闻中心</a> | <a href="/gov">政务公开</a> | <a href="/service">办事服务</a></div>'
        related = (
            '<div class="related"><h3>相关新闻</h3><ul><li><a href="/a">全县召开经济工作会议</a></li>'
            '<li><a href="/b">县领导调研秋收秋种工作</a></li><li><a href="/c">我县举办农民丰收节</a></li></ul></div>'
        )
        footer = '<div class="footer">版权所有：县融媒体中心 主办单位：县委宣传部 备案号：冀ICP备00000000号</div>'
    declared = {"big5": "big5", "gb2312": "gb2312"}.get(encoding, encoding)
    page = (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta charset="{declared}">\n<title>{html.escape(page_title or lines[0])}</title>\n'
        '<script>document.write("此段不是正文"); window.location = "http://example.invalid/";</script>\n'
        "<style>.article { font-size: 16px; }</style>\n</head>\n<body>\n"
        f'{nav}\n<div class="article">\n' + "\n".join(body) + f"\n</div>\n{related}\n{footer}\n</body>\n</html>\n"
    )
    codec = {"big5": "cp950", "gb2312": "gb2312"}.get(encoding, encoding)
    return page.encode(codec)


def render_docx(text: str, *, title: str = "", in_table: bool = False) -> bytes:
    """Bytes of a Word document: one paragraph per non-blank line of ``text``.

    With ``in_table`` the lines after the first three (title, dateline, byline) sit in a
    one-cell layout table, as documents exported from government sites often do.
    """
    from docx import Document

    document = Document()
    lines = [line for line in text.split("\n") if line.strip()]
    head, rest = (lines[:3], lines[3:]) if in_table else (lines, [])
    for line in head:
        document.add_paragraph(line)
    if rest:
        cell = document.add_table(rows=1, cols=1).cell(0, 0)
        cell.paragraphs[0].text = rest[0]
        for line in rest[1:]:
            cell.add_paragraph(line)
    if title:
        document.core_properties.title = title
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_csv(rows: list[dict[str, str]], *, encoding: str = "gb18030", sep: str = ",") -> bytes:
    """Bytes of a CSV (or TSV) table of ``rows`` with CRLF row ends, as Excel writes it."""
    import pandas as pd

    return pd.DataFrame(rows).to_csv(index=False, sep=sep, lineterminator="\r\n").encode(encoding)


def render_jsonl(rows: list[dict[str, object]]) -> bytes:
    """Bytes of a JSON Lines file of ``rows``."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def render_parquet(rows: list[dict[str, object]]) -> bytes:
    """Bytes of a Parquet table of ``rows``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buffer)
    return buffer.getvalue()


def _table_row(article: dict, localities: dict) -> dict[str, str]:
    place = localities[article["locality"]]
    values = {"title": article["title"], "date_published": article["date_published"], "outlet": article["outlet"], **place}
    return {**{c: str(values[c]) for c in TABLE_COLUMNS}, "text": article_text(article).rstrip("\n")}


def build_mixed(dest: str | Path, *, manifest: bool = True) -> Path:
    """Write the mixed corpus into ``dest`` and return it.

    Parameters
    ----------
    dest : str or Path
        Folder to write into (created; existing files with the same names are replaced).
    manifest : bool
        Write ``metadata.csv``: doc_id (the article id) and locality for every file and
        every table row (the rows by ``"<table>#<row>"``).
    """
    dest = Path(dest)
    localities, articles = load_articles()
    tables: dict[str, list[dict]] = {}
    manifest_rows = []
    for article in articles:
        fmt, path = article["format"], str(article["path"])
        text = article_text(article)
        place = localities[article["locality"]]
        if fmt in {"csv", "jsonl", "parquet"}:
            rows = tables.setdefault(path, [])
            rows.append(_table_row(article, localities))
            if fmt == "jsonl" and len(rows) == 2:
                del rows[-1]["outlet"]  # JSON records need not all have the same fields
            manifest_rows.append({"doc_id": article["id"], "file": f"{path}#{len(rows)}", **dict.fromkeys(LOCALITY_COLUMNS, ""), "town": ""})
            continue
        encoding = str(article.get("encoding", "utf-8"))
        newline = str(article.get("newline", "lf"))
        if fmt == "txt":
            data = render_txt(text, encoding=encoding, newline=newline)
        elif fmt == "md":
            front = {"title": article["title"], "date": article["date_published"]} if article.get("front_matter") else None
            data = render_markdown(text, front_matter=front, encoding=encoding, newline=newline)
        elif fmt == "html":
            data = render_html(text, encoding=encoding, page_title=f"{_script(article['title'], article)}_{_script(article['outlet'], article)}", chrome=bool(article.get("chrome")))
        elif fmt == "docx":
            data = render_docx(text, title=str(article["title"]), in_table=bool(article.get("docx_table")))
        else:
            raise ValueError(f"{article['id']}: unknown format {fmt!r}")
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        manifest_rows.append({"doc_id": article["id"], "file": path, **{c: place[c] for c in LOCALITY_COLUMNS}, "town": article.get("town", "")})
    for path, rows in tables.items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith(".csv"):
            target.write_bytes(render_csv(rows))
        elif path.endswith(".jsonl"):
            target.write_bytes(render_jsonl(rows))
        else:
            target.write_bytes(render_parquet(rows))
    if manifest:
        import pandas as pd

        pd.DataFrame(manifest_rows).to_csv(dest / "metadata.csv", index=False, lineterminator="\n")
    return dest


def truth():
    """The planted answers, one row per article: a DataFrame indexed by ``doc_id``.

    Columns ``format, path, encoding, newline, script, title, subtitle, date_published,
    outlet, reporters, province, city, district, admin_level, town``; values in simplified
    script, "" where an article has none.
    """
    import pandas as pd

    localities, articles = load_articles()
    rows = []
    for a in articles:
        rows.append(
            {
                "doc_id": a["id"],
                "format": a["format"],
                "path": a["path"],
                "encoding": a.get("encoding", ""),
                "newline": a.get("newline", ""),
                "script": a.get("script", "simplified"),
                **{k: str(a.get(k, "")) for k in ("title", "subtitle", "date_published", "outlet", "reporters")},
                **localities[a["locality"]],
                "town": a.get("town", ""),
            }
        )
    return pd.DataFrame(rows).set_index("doc_id")


# ---------------------------------------------------------------------------
# One corpus per bad input
# ---------------------------------------------------------------------------

#: Two short, good articles every bad-input corpus holds besides its bad item.
GOOD = {
    "good-a.txt": (
        "甲区开展党史学习教育\n\n发布日期：2021-04-01\n\n记者 张三\n\n"
        "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，组织党员干部深入学习党的百年奋斗历史。\n\n"
        "甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。\n"
    ),
    "good-b.txt": (
        "乙县党史宣讲进万家\n\n发布日期：2021-05-01\n\n记者 李四\n\n"
        "乙县组建百姓宣讲团，走进村组、社区和学校，用群众听得懂的语言讲述党的故事，推动党史学习教育走深走实。\n\n"
        "截至目前，宣讲团已开展宣讲一百余场，受众一万余人次。\n"
    ),
}
_BODY = GOOD["good-a.txt"]
#: The sentence the enormous line repeats (to about 5 MB) after a title and a blank line.
LONG_LINE_SENTENCE = "党史学习教育开展以来，各级党组织坚持学史明理、学史增信、学史崇德、学史力行，推动学习教育走深走实。"

#: Bad input -> (file holding it, the problem code reading reports, or None when the input is
#: read and only logged, and the rule it is logged under).
BAD_INPUT_CASES: dict[str, tuple[str, str | None, str]] = {
    "empty": ("empty.txt", "empty", "skipped_empty"),
    "whitespace_only": ("blank.txt", "whitespace_only", "skipped_whitespace_only"),
    "binary": ("scan.txt", "binary", "skipped_binary"),
    "nul_bytes": ("nul.txt", "binary", "skipped_binary"),
    "undecodable": ("broken.txt", "undecodable", "skipped_undecodable"),
    "mixed_encodings": ("mixed.txt", "mixed_encodings", "skipped_mixed_encodings"),
    "bom": ("bom.txt", None, "bom_removed"),
    "crlf": ("crlf.txt", None, "line_endings"),
    "lone_cr": ("cr.txt", None, "line_endings"),
    "enormous_line": ("oneline.txt", None, "long_line"),
    "duplicate_doc_id": ("good/a.txt", "duplicate_doc_id", "skipped_duplicate_doc_id"),
    "manifest_row_without_file": ("metadata.csv", "manifest_row_without_file", "skipped_manifest_row_without_file"),
    "file_without_manifest_row": ("extra.txt", "file_without_manifest_row", "file_without_manifest_row"),
    "malformed_table": ("table.csv", "malformed_table", "skipped_malformed_table"),
    "missing_text_column": ("table.csv", "missing_column", "skipped_missing_column"),
    "not_chinese": ("english.txt", "not_chinese", "skipped_not_chinese"),
    "too_short": ("short.txt", "too_short", "skipped_too_short"),
    "manifest_path_outside": ("metadata.csv", "outside_corpus", "skipped_outside_corpus"),
    "symlink_outside": ("link.txt", "outside_corpus", "skipped_outside_corpus"),
    "manifest_doc_id_path": ("metadata.csv", "bad_doc_id", "skipped_bad_doc_id"),
}


def build_bad_input(case: str, dest: str | Path) -> Path:
    """Write the corpus for one bad input (see :data:`BAD_INPUT_CASES`) into ``dest/corpus``.

    The corpus holds the two :data:`GOOD` articles and the bad item. For the symbolic-link
    case a file outside the corpus (``dest/outside.txt``) is written too.
    """
    dest = Path(dest)
    folder = dest / "corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in GOOD.items():
        (folder / name).write_bytes(text.encode("utf-8"))
    name = BAD_INPUT_CASES[case][0]
    path = folder / name
    utf8_part = _BODY.encode("utf-8")
    gb_part = GOOD["good-b.txt"].encode("gb18030")
    if case == "empty":
        path.write_bytes(b"")
    elif case == "whitespace_only":
        path.write_bytes(" \n\u3000\n\t\r\n".encode("utf-8"))
    elif case == "binary":
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    elif case == "nul_bytes":
        path.write_bytes(utf8_part + b"\x00\x00" + utf8_part)
    elif case == "undecodable":
        path.write_bytes(utf8_part + b"\xff\xfe\xff" + utf8_part)
    elif case == "mixed_encodings":
        path.write_bytes(utf8_part + gb_part)
    elif case == "bom":
        path.write_bytes(codecs.BOM_UTF8 + utf8_part)
    elif case == "crlf":
        path.write_bytes(_BODY.replace("\n", "\r\n").encode("utf-8"))
    elif case == "lone_cr":
        path.write_bytes(_BODY.replace("\n", "\r").encode("utf-8"))
    elif case == "enormous_line":
        repeats = 5_000_000 // len(LONG_LINE_SENTENCE.encode("utf-8"))
        path.write_bytes(("一行很长的文字\n\n" + LONG_LINE_SENTENCE * repeats).encode("utf-8"))
    elif case == "duplicate_doc_id":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(utf8_part)  # "good/a.txt" and "good-a.txt" both give the doc_id "good-a"
    elif case == "manifest_row_without_file":
        path.write_text("doc_id,file\na,good-a.txt\nb,good-b.txt\nlost,missing.txt\n", encoding="utf-8")
    elif case == "file_without_manifest_row":
        path.write_bytes(utf8_part)
        (folder / "metadata.csv").write_text("doc_id,file\na,good-a.txt\nb,good-b.txt\n", encoding="utf-8")
    elif case == "malformed_table":
        path.write_text('title,text\n"标题甲","正文，内容"\n"标题乙","正文","多余的一列"\n', encoding="utf-8")
    elif case == "missing_text_column":
        path.write_text("title,body\n标题甲," + _BODY.replace("\n", " ") + "\n", encoding="utf-8")
    elif case == "not_chinese":
        path.write_text(
            "Party history education\n\nThe campaign began in February 2021. Officials attended lectures, visited "
            "memorial sites and reported on practical deeds done for residents, such as repairing roads.\n",
            encoding="utf-8",
        )
    elif case == "too_short":
        path.write_text("学史明理\n\n学史力行践初心。\n", encoding="utf-8")
    elif case == "manifest_path_outside":
        (dest / "outside.txt").write_bytes(utf8_part)
        path.write_text("doc_id,file\na,good-a.txt\nb,good-b.txt\nevil,../outside.txt\n", encoding="utf-8")
    elif case == "symlink_outside":
        (dest / "outside.txt").write_bytes(utf8_part)
        path.symlink_to(dest / "outside.txt")
    elif case == "manifest_doc_id_path":
        path.write_text("doc_id,file\n../../evil,good-a.txt\nb,good-b.txt\n", encoding="utf-8")
    else:
        raise KeyError(f"unknown bad input {case!r}; known: {sorted(BAD_INPUT_CASES)}")
    return folder


# --------------------------------------------------------------------------------------------
# Locality corpora: made-up reports about given localities, for the report tests
# --------------------------------------------------------------------------------------------

#: Two corpora with no locality in common; the last locality of each has one document only.
LOCALITY_CORPORA = {
    "east": [("浙江省", "杭州市", "西湖区", 4), ("四川省", "成都市", "武侯区", 4), ("江西省", "赣州市", "瑞金市", 4),
             ("陕西省", "延安市", "宝塔区", 1)],
    "south": [("广东省", "广州市", "越秀区", 4), ("福建省", "龙岩市", "上杭县", 4), ("河北省", "石家庄市", "平山县", 4),
              ("贵州省", "遵义市", "红花岗区", 1)],
}

# Themes of made-up campaign reporting; {p} is the locality's name. Each paragraph takes its
# sentences from one theme, so a topic model has themes to find.
_THEMES = {
    "service": [
        "{p}把我为群众办实事实践活动作为重要抓手，梳理群众急难愁盼问题清单。",
        "{p}组织党员干部走进社区，帮助居民解决停车难、就医难、加装电梯等民生难题。",
        "各级机关单位深入企业开展服务，协调解决融资、用工、审批等实际困难。",
        "{p}建立办实事项目台账，逐项明确责任单位和完成时限，推动项目落地见效。",
        "社区网格员上门走访老年人和困难家庭，把服务送到群众家门口。",
        "{p}开通民生服务热线，群众反映的问题件件有回音、事事有着落。",
    ],
    "red": [
        "{p}深入挖掘本地红色资源，修缮革命旧址，布展红色教育基地。",
        "党员干部走进革命纪念馆，重温入党誓词，聆听革命先辈的英雄故事。",
        "{p}编印红色故事读本，讲好革命文物背后的故事，传承红色基因。",
        "青少年在红色教育基地开展研学活动，追寻革命先辈的足迹。",
        "{p}组织老党员讲述亲身经历，把革命精神讲给年轻一代听。",
        "红色资源成为生动课堂，革命精神在新时代焕发新的光彩。",
    ],
    "lecture": [
        "{p}组建党史宣讲团，深入机关、农村、学校、企业开展宣讲。",
        "宣讲员用群众听得懂的语言讲党史，把理论宣讲送到田间地头。",
        "{p}利用融媒体平台开设党史专栏，推出系列短视频和线上微课。",
        "百姓宣讲员结合身边变化讲述发展成就，现场群众反响热烈。",
        "{p}举办党史知识竞赛和主题演讲比赛，吸引广大青年积极参与。",
        "专题宣讲覆盖各个乡镇街道，形成线上线下联动的宣讲格局。",
    ],
    "study": [
        "{p}委理论学习中心组开展专题学习，围绕党的百年奋斗历程进行研讨交流。",
        "各级党组织通过三会一课、主题党日等形式组织党员集中学习。",
        "{p}举办党史学习教育专题读书班，领导干部带头学、带头讲。",
        "党员干部认真研读指定学习材料，撰写心得体会，交流学习收获。",
        "{p}成立党史学习教育领导小组，下设办公室，统筹推进各项工作。",
        "巡回指导组深入基层单位督促指导，推动学习教育走深走实。",
    ],
}
# A passage two localities of one corpus copy from a common draft (a template), planted once each.
_TEMPLATE = "经研究决定，成立由主要负责同志任组长的党史学习教育工作专班，每周调度工作进展并形成书面报告报送上级"


def locality_texts(localities, *, seed: int = 2021) -> list[dict[str, str]]:
    """Made-up reports about `localities` (``(province, city, district, n_docs)`` tuples).

    Every document names its own locality only; each has a dated mobilisation meeting, counted
    activities and six paragraphs from the themes above. The first two localities share the
    planted template passage. Deterministic for a given `seed`.
    """
    import random

    rng = random.Random(seed)
    rows = []
    for li, (province, city, district, n_docs) in enumerate(localities):
        for d in range(n_docs):
            paragraphs = [
                f"3月{li * 3 + d + 2}日，{district}召开党史学习教育动员大会，对全区党史学习教育作出部署。",
                f"{district}共组织宣讲{(li + 2) * (d + 3)}场，覆盖党员群众{(li + 1) * 1000 + d * 10}人次。",
            ]
            for theme in rng.sample(sorted(_THEMES), 4) + rng.sample(sorted(_THEMES), 2):
                picked = rng.sample(_THEMES[theme], 3)
                paragraphs.append("".join(s.format(p=district) for s in picked))
            if li < 2 and d == 0:
                paragraphs.insert(3, _TEMPLATE + "。")
            title = f"{district}扎实推进党史学习教育（{d + 1}）"
            rows.append({
                "doc_id": f"{city}-{district}-{d + 1}", "file": f"{li:02d}-{d}.txt", "title": title,
                "text": title + "\n\n" + "\n\n".join(paragraphs) + "\n", "province": province, "city": city,
                "district": district, "admin_level": "county" if district.endswith(("县", "市")) else "district",
                "date_published": "2021-06-30", "outlet": f"{city}日报",
            })
    return rows


def build_localities(name: str, dest: str | Path) -> Path:
    """Write the locality corpus `name` (a key of :data:`LOCALITY_CORPORA`) with a manifest; return the folder."""
    import csv

    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    rows = locality_texts(LOCALITY_CORPORA[name])
    for row in rows:
        (folder / row["file"]).write_text(row["text"], encoding="utf-8")
    columns = [c for c in rows[0] if c != "text"]
    with (folder / "metadata.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("which", choices=["mixed", "bad", *LOCALITY_CORPORA])
    parser.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    if args.which == "mixed":
        print(build_mixed(args.dest))
    elif args.which in LOCALITY_CORPORA:
        print(build_localities(args.which, args.dest))
    else:
        for case in BAD_INPUT_CASES:
            print(build_bad_input(case, args.dest / case))


if __name__ == "__main__":
    main()
