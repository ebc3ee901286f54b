"""One constructed report in its forms, shared by the tests of corpus_tools.io (not a test module).

``REPORT`` is a made-up district report (title, dateline, byline, two body paragraphs);
``REPORT_BODY`` is the body cleaning should leave of it, written by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

TITLE = "甲区召开党史学习教育动员大会"
REPORT = (
    f"{TITLE}\n\n发布日期：2021-03-05\n\n记者 张三\n\n"
    "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，组织党员干部深入学习。\n\n"
    "甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。\n"
)
REPORT_BODY = (
    "党史学习教育开展以来，甲区坚持学史明理、学史增信、学史崇德、学史力行，组织党员干部深入学习。\n"
    "甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。"
)
REPORT_MD = (
    f"# {TITLE}\n\n发布日期：2021-03-05\n\n**记者 张三**\n\n"
    "党史学习教育开展以来，甲区坚持[学史明理](https://example.org/a)、学史增信、学史崇德、学史力行，组织党员干部深入学习。\n\n"
    "![会场](photo.jpg)\n\n"
    "> 甲区还开展“我为群众办实事”实践活动，为群众解决了一批急难愁盼问题。\n"
)


def write_csv(folder: Path, text: str, name: str = "t.csv") -> Path:
    """Write ``text`` as the table ``name`` in ``folder``, and return the folder."""
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def table_text(rows: list[dict[str, str]]) -> str:
    """Rows as the text of a CSV table (pandas writes it, independently of the reader)."""
    return pd.DataFrame(rows).to_csv(index=False)
