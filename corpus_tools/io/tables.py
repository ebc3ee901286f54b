"""Tables of articles (CSV, TSV, JSON Lines, Parquet): one document per row, columns as docvars.

:func:`read_table` reads a table row by row (a Parquet file in batches, never whole) and
decides once per table which column is the text, which the doc_id and which become docvars
(:data:`COLUMN_ALIASES`, :data:`TEXT_ALIASES`, :data:`ID_ALIASES`, :data:`URL_ALIASES`;
``text_column``, ``id_column``, ``docvar_columns``, ``columns`` and ``map_columns`` of
:class:`~corpus_tools.io.options.ReadOptions`). A row that does not fit is a problem of that
row, named with its line. :func:`csv_records` is also how a manifest is read.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .decode import DecodingError, decode_bytes
from .options import RESERVED_DOCVARS, ReadOptions, option_hint
from .records import (
    RawDocument,
    ReadProblem,
    as_docvar,
    auto_doc_id,
    check_doc_id,
    check_text,
    decoding_problem,
    docvar_name,
    long_line_entry,
    make_problem,
)

__all__ = [
    "COLUMN_ALIASES",
    "ID_ALIASES",
    "TEXT_ALIASES",
    "TableHeader",
    "URL_ALIASES",
    "csv_records",
    "read_table",
]

logger = logging.getLogger(__name__)


#: Table columns read as a docvar when the table has no column of the docvar's own name
#: (compared without case; the first in table order wins). ``source`` is among them: that
#: name is taken by reading itself (where a document was read from), so a table's
#: ``source`` column becomes ``outlet``, or, when there is an outlet column too,
#: ``table_source``, and either way the log says so.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("headline", "标题", "题目", "新闻标题"),
    "date_published": ("date", "pubdate", "pub_date", "publish_date", "published", "publication_date",
                       "日期", "发布日期", "发布时间", "发表日期", "时间"),
    "outlet": ("source", "media", "publisher", "newspaper", "媒体", "来源", "媒体名称", "报纸", "刊物", "出处"),
    "reporters": ("author", "authors", "reporter", "byline", "作者", "记者"),
    "province": ("省", "省份"),
    "city": ("市", "城市", "地市", "地级市"),
    "district": ("county", "区县", "县区", "县市区", "区", "县"),
    "town": ("township", "乡镇", "镇", "街道", "乡镇街道"),
}
#: Columns taken for the text when ``text_column`` is not given and there is no ``text`` column.
TEXT_ALIASES = ("content", "body", "article", "正文", "内容", "全文", "文章")
#: Columns taken for doc_ids when ``id_column`` is not given, in this order, if their values
#: are unique and usable as ids; a URL column's values are turned into ids (slugs).
ID_ALIASES = ("doc_id", "id", "编号", "文章编号")
URL_ALIASES = ("url", "link", "链接", "网址", "原文链接")


@dataclass(frozen=True)
class _ColumnPlan:
    """How a table's columns become a document: its text, its doc_id and its docvars."""

    text_column: str
    id_column: str | None
    id_from_url: bool
    docvars: tuple[tuple[str, str], ...]  # (table column, docvar name), in table order
    notes: tuple[str, ...]


def _find_column(names: Sequence[str], wanted: Sequence[str], taken: set[str]) -> str | None:
    lowered = {}
    for name in names:
        if name not in taken:
            lowered.setdefault(name.strip().lower(), name)
    for candidate in wanted:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def _url_doc_id(url: str) -> str:
    """A doc_id from a URL: its host and path as a slug (``www.gov.cn/a/1.htm`` → ``www-gov-cn-a-1``)."""
    rest = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", url.strip()).split("#", 1)[0]
    rest = re.sub(r"\.(?:s?html?|php|aspx?|jsp)(?=$|\?)", "", rest)
    return re.sub(r"[^\w\u4e00-\u9fff]+", "-", rest).strip("-")


def _plan_columns(
    names: Sequence[str], values: Callable[[str], list[object]], where: str, rel: str, options: ReadOptions
) -> _ColumnPlan | ReadProblem:
    """Decide the text, id and docvar columns of a table (see :data:`COLUMN_ALIASES`)."""
    names = [str(n) for n in names]
    notes: list[str] = []
    text_column = options.text_column
    if text_column is None:
        text_column = "text" if "text" in names else _find_column(names, TEXT_ALIASES, set())
        if text_column is None:
            return ReadProblem(rel, "missing_column", (
                f"{where}: no text column: none is called 'text' or {', '.join(map(repr, TEXT_ALIASES))}; the table has "
                f"{names} (name the right one: {option_hint('text_column', names[0] if names else None)})"
            ), auto_doc_id(rel))
        if text_column != "text":
            notes.append(f"text from column {text_column!r}")
    wanted = [(text_column, "text_column")]
    wanted += [(options.id_column, "id_column")] if options.id_column else []
    wanted += [(c, "docvar_columns") for c in options.docvar_columns or ()]
    wanted += [(c, "columns") for c, _ in options.columns]
    for column, parameter in wanted:
        if column not in names:
            role = {"text_column": "text", "id_column": "id"}.get(parameter, "docvar")
            return ReadProblem(rel, "missing_column", (
                f"{where}: no {role} column {column!r}; the table has {names} "
                + (f"(name the right one: {option_hint(parameter)})" if parameter != "docvar_columns"
                   else "(name the right ones: read_corpus(docvar_columns=[…]))")
            ), auto_doc_id(rel))
    id_column, id_from_url = options.id_column, False
    if id_column is None and options.map_columns:
        for candidates, from_url in ((ID_ALIASES, False), (URL_ALIASES, True)):
            column = _find_column(names, candidates, {text_column})
            if column is None:
                continue
            ids = [(_url_doc_id if from_url else str.strip)(as_docvar(v)) for v in values(column)]
            bad = [i for i in ids if check_doc_id(i)]
            repeated = len(ids) - len(set(ids))
            if bad or repeated:
                why = f"{len(bad)} blank or unusable" if bad else f"{repeated} repeated"
                notes.append(f"column {column!r} not used for doc_ids ({why} values)")
                continue
            id_column, id_from_url = column, from_url
            notes.append(f"doc_id from column {column!r}" + (" (the URL as a slug)" if from_url else ""))
            break
    used = {text_column} | ({id_column} if id_column and not id_from_url else set())
    selected = [c for c in names if c not in used] if options.docvar_columns is None else list(options.docvar_columns)
    explicit = dict(options.columns)
    targets = {explicit.get(c, c) for c in selected}
    rename: dict[str, str] = {}
    if options.map_columns:
        for docvar, aliases in COLUMN_ALIASES.items():
            if docvar in targets:
                continue
            column = _find_column(selected, (docvar, *aliases), set(explicit) | set(rename))
            if column is not None and column != docvar:
                rename[column] = docvar
                targets.add(docvar)
    rename.update(explicit)
    docvars = []
    for column in selected:
        name = rename.get(column, column)
        if column in rename:
            notes.append(f"{column!r} → {name}")
        elif name in RESERVED_DOCVARS:
            notes.append(f"{column!r} → table_{name} ({name} is set by reading; "
                         f"{option_hint('columns', {column: 'DOCVAR'})} to name it)")
        docvars.append((column, name))
    return _ColumnPlan(text_column, id_column, id_from_url, tuple(docvars), tuple(notes))


class TableHeader(tuple):
    """A table's column names, yielded by a record reader (:func:`csv_records`) before its rows."""


def read_table(
    path: Path, rel: str, fmt: str, data: bytes, base: dict, options: ReadOptions
) -> Iterator[RawDocument | ReadProblem]:
    """Yield a table's documents, one per row, and a problem for each row (or the table) that cannot be read.

    Parameters
    ----------
    path : Path
        The table file (a Parquet file is read from it in batches).
    rel : str
        Its path relative to the corpus folder: the rows' sources are ``"<rel>#<row>"``.
    fmt : {"csv", "tsv", "jsonl", "parquet"}
        The table's format.
    data : bytes
        The file's bytes (CSV, TSV and JSON Lines are decoded from them).
    base : dict
        The read information every row shares (``file``, ``format``, ``sha256`` …).
    options : ReadOptions
        Which columns are the text, the doc_id and the docvars, and the text checks.

    Yields
    ------
    RawDocument or ReadProblem
        In table order. Never raises for a problem of the table's content.
    """
    where = str(path)
    if not data.strip():
        yield ReadProblem(rel, "empty", f"{where}: the table is empty (remove it from the corpus)", auto_doc_id(rel))
        return
    info = {"encoding": "utf-8", "encoding_method": "format"}
    column_values: Callable[[str], list[object]]  # every value of a column, to judge it as doc_ids
    if fmt == "parquet":
        records: Iterator = _parquet_records(path, where, rel)
        column_values = functools.partial(_parquet_column, path)  # one column read, not the table
    else:
        try:
            decoded = decode_bytes(data, name=where, encoding=options.encoding, mixed_encodings=options.mixed_encodings)
        except DecodingError as error:
            yield decoding_problem(rel, error, auto_doc_id(rel))
            return
        info = {"encoding": decoded.encoding, "encoding_method": decoded.method}
        if fmt == "jsonl":
            items = list(_jsonl_records(decoded.text, where, rel))
        else:
            items = list(csv_records(decoded.text, "\t" if fmt == "tsv" else ",", where, rel))
        rows = [item for item in items if isinstance(item, tuple) and not isinstance(item, TableHeader)]
        if fmt == "jsonl" and rows:
            # JSON records need not share their fields: the columns are all the fields met.
            items.insert(0, TableHeader(dict.fromkeys(k for _, record in rows for k in record)))
        records = iter(items)

        def column_values(column: str) -> list[object]:
            return [record.get(column) for _, record in rows]

    plan: _ColumnPlan | None = None
    n_items = 0
    for item in records:
        if isinstance(item, TableHeader):
            found = _plan_columns(list(item), column_values, where, rel, options)
            if isinstance(found, ReadProblem):
                yield found
                return
            plan = found
            if plan.notes:
                logger.info("%s: %s", where, "; ".join(plan.notes))
            continue
        n_items += 1
        if isinstance(item, ReadProblem):
            yield item
            continue
        row, record = item
        yield _table_document(record, row, rel, where, {**base, **info}, options, plan)
    if n_items == 0:
        yield ReadProblem(rel, "empty", f"{where}: the table has no rows (remove it from the corpus)", auto_doc_id(rel))


def csv_records(text: str, sep: str, where: str, rel: str) -> Iterator[TableHeader | tuple[int, dict] | ReadProblem]:
    """The rows of a CSV/TSV table as ``(row, record)``, and a problem for each row that does not fit.

    Read with the standard library's :mod:`csv` rather than pandas: pandas takes a first data
    row with one field more than the header as a sign that the table has an index column and
    shifts every column by one, silently (the text then lands in the wrong column), and it can
    only reject the whole table for one bad row. Here a row with more (non-empty) fields than
    the header is a ``malformed_table`` problem of that row, named with its line; a row with
    fewer fields gets ``""`` for the missing ones, as pandas gives.
    """
    kind = "tab" if sep == "\t" else "comma"
    # A cell may hold a whole article; the csv module's default limit is 128 KiB per field.
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(min(len(text) + 1, 2**31 - 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=True)
    header: list[str] | None = None
    row = 0
    try:
        for fields in reader:
            if not any(field.strip() for field in fields):
                continue  # a blank line, as pandas skips it
            if header is None:
                header = _unique_names([field.strip() for field in fields])
                yield TableHeader(header)
                continue
            row += 1
            if len(fields) > len(header) and any(field.strip() for field in fields[len(header):]):
                yield make_problem(
                    f"{rel}#{row}", "malformed_table", f"{where}, row {row} (line {reader.line_num})",
                    f"the row has {len(fields)} fields but the header has {len(header)}: a {kind} inside a field "
                    "that is not quoted, probably, so its values would land in the wrong columns",
                    "put the field in double quotes, or remove the stray separator; with "
                    f"{option_hint('on_error', 'skip')} the other rows are read",
                    auto_doc_id(rel, row),
                )
                continue
            fields = fields[: len(header)] + [""] * (len(header) - len(fields))
            yield row, dict(zip(header, fields))
    except csv.Error as error:
        yield make_problem(
            rel if row == 0 else f"{rel}#{row + 1}", "malformed_table", where,
            f"malformed table at line {reader.line_num} ({error})", "check its quoting (a \" must be doubled inside a "
            "quoted field)", auto_doc_id(rel),
        )
        return
    if header is None:
        yield make_problem(rel, "empty", where, "the table has no header and no rows", "remove it from the corpus", auto_doc_id(rel))


def _unique_names(names: list[str]) -> list[str]:
    """Column names with repeats numbered (``title``, ``title.1``), as pandas names them."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen[name] = 0
            out.append(name)
    return out


def _jsonl_records(text: str, where: str, rel: str) -> Iterator[tuple[int, dict] | ReadProblem]:
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        source = f"{rel}#{line_no}"
        try:
            record = json.loads(line)  # json, never eval: a record is data
        except json.JSONDecodeError as error:
            yield make_problem(
                source, "malformed_table", where, f"line {line_no} is not valid JSON ({error.msg} at column {error.colno})",
                f"fix the line, or pass {option_hint('on_error', 'skip')}", auto_doc_id(rel, line_no),
            )
            continue
        if not isinstance(record, dict):
            yield make_problem(
                source, "malformed_table", where, f"line {line_no} is a JSON {type(record).__name__}, not an object",
                "each line must be one {…} record", auto_doc_id(rel, line_no),
            )
            continue
        yield line_no, record


def _parquet_column(path: Path, column: str) -> list[object]:
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=[column]).column(0).to_pylist()


def _parquet_records(path: Path, where: str, rel: str) -> Iterator[TableHeader | tuple[int, dict] | ReadProblem]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError, ValueError) as error:
        yield make_problem(rel, "malformed_table", where, f"not a valid Parquet file ({error})", "re-export the table", auto_doc_id(rel))
        return
    yield TableHeader(parquet.schema_arrow.names)
    row = 0
    try:
        # Row groups in batches: a large table is never held in memory at once.
        for batch in parquet.iter_batches(batch_size=512):
            for record in batch.to_pylist():
                row += 1
                yield row, record
    except (pa.ArrowException, OSError) as error:
        yield make_problem(
            rel, "malformed_table", where, f"the Parquet file is damaged after row {row} ({error})", "re-export the table",
            auto_doc_id(rel),
        )


def _table_document(
    record: dict, row: int, rel: str, where: str, info: dict, options: ReadOptions, plan: _ColumnPlan
) -> RawDocument | ReadProblem:
    source = f"{rel}#{row}"
    here = f"{where}, row {row}"
    doc_id = auto_doc_id(rel, row)
    if plan.id_column:
        if plan.id_column not in record:
            return make_problem(source, "missing_column", here, f"the record has no {plan.id_column!r} field", "every record needs one", doc_id)
        value = as_docvar(record.get(plan.id_column))
        doc_id = _url_doc_id(value) if plan.id_from_url else value.strip()
        why = check_doc_id(doc_id)
        if why:
            return make_problem(
                source, "bad_doc_id", here, f"id {doc_id!r} in column {plan.id_column!r} {why}", "give every row a unique id", doc_id
            )
    if plan.text_column not in record:
        return make_problem(source, "missing_column", here, f"the record has no {plan.text_column!r} field", "every record needs one", doc_id)
    value = record.get(plan.text_column)
    if value is not None and not isinstance(value, str):
        return make_problem(
            source, "malformed_table", here, f"the text is a {type(value).__name__}, not a string",
            f"check the text column: {option_hint('text_column', plan.text_column)}", doc_id,
        )
    text = value or ""
    problem = check_text(text, where=here, options=options)
    if problem:
        return ReadProblem(source, problem[0], problem[1], doc_id)
    docvars: dict[str, str] = {}
    origin: dict[str, str] = {}
    for column, name in plan.docvars:
        name = docvar_name(name, "table")
        docvars[name] = as_docvar(record.get(column))
        origin[name] = "table" if name == column else f"table column {column!r}"
    log = []
    long_line = long_line_entry(text, here)
    if long_line:
        log.append(long_line)
    return RawDocument(doc_id, source, text, {**info, "row": row, "source": source}, docvars, origin, tuple(log))
