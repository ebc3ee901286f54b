"""A corpus folder's files and its manifest: which files are read, and what the manifest states.

:func:`list_files` lists the files to read (hidden files and folders left out, symbolic links
out of the folder refused); :func:`load_manifest` reads a manifest CSV into
:class:`ManifestRow` records and the problems of single rows; :func:`apply_manifest` lets a
row's doc_id and stated values override what the source states.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .decode import DecodingError, decode_bytes
from .options import SUPPORTED_SUFFIXES, option_hint
from .records import CorpusReadError, RawDocument, ReadProblem, auto_doc_id, check_doc_id, docvar_name, make_problem
from .tables import TableHeader, csv_records

__all__ = ["ManifestRow", "apply_manifest", "is_outside", "list_corpus_files", "list_files", "load_manifest"]




@dataclass(frozen=True)
class ManifestRow:
    """One usable row of a manifest.

    Attributes
    ----------
    row : int
        The row's number in the manifest (1-based, the header not counted).
    doc_id : str
        The doc_id it gives (or a slug of its file name when its ``doc_id`` is blank).
    source : str
        The file it describes, relative to the corpus folder; ``"<table>#<row>"`` for a table row.
    values : dict of str
        Its other columns (``""``: not stated).
    """

    row: int
    doc_id: str
    source: str
    values: dict[str, str]


def is_outside(root: Path, target: Path) -> bool:
    """Whether ``target``, links resolved, lies outside the folder ``root``."""
    try:
        target.resolve().relative_to(root.resolve())
    except ValueError:
        return True
    return False


def list_corpus_files(root: str | Path) -> Iterator[Path]:
    """Yield every file of a corpus folder that could be an input, in a stable order.

    Hidden files and folders (``.git``, ``.ipynb_checkpoints``, ``.DS_Store``) and
    ``__pycache__`` are left out; symbolic links to folders are not followed (a link to a
    file is yielded: whether it may be read is the caller's check, see :func:`is_outside`).
    Folders are walked top-down, names sorted in each, so that the same folder always gives
    the same order. This is the walk reading does, and the one a report hashes its inputs by.

    Parameters
    ----------
    root : str or Path
        The corpus folder.

    Yields
    ------
    Path
        ``root / <relative path>`` of each candidate file.
    """
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if not name.startswith("."):
                yield Path(folder) / name


def list_files(
    root: Path, pattern: str | None, fmt: str | None, exclude: set[Path]
) -> tuple[list[tuple[str, Path, str]], list[ReadProblem]]:
    """List the files to read as ``(rel, path, format)``, sorted by path, and the problems found listing them.

    ``pattern`` and ``fmt`` are the options of :class:`~corpus_tools.io.options.ReadOptions`;
    ``exclude`` holds the manifest, which is never an article table. A link out of the folder
    is an ``outside_corpus`` problem, a file of no supported format an ignored one.
    """
    files: list[tuple[str, Path, str]] = []
    problems: list[ReadProblem] = []
    resolved_exclude = {p.resolve() for p in exclude}
    for path in list_corpus_files(root):
        rel = path.relative_to(root).as_posix()
        if path.resolve() in resolved_exclude:
            continue
        if pattern is not None and not PurePosixPath(rel).match(pattern):
            continue
        suffix_format = SUPPORTED_SUFFIXES.get(path.suffix.lower())
        if pattern is None and fmt is not None and suffix_format != fmt:
            continue
        if path.is_symlink() and is_outside(root, path):
            problems.append(make_problem(
                rel, "outside_corpus", path, f"is a symbolic link to {os.readlink(path)}, outside the corpus folder {root}",
                "copy the file into the folder instead", auto_doc_id(rel),
            ))
            continue
        if not path.is_file():
            continue
        file_format = fmt or suffix_format
        if file_format is None:
            problems.append(make_problem(
                rel, "unsupported_format", path, f"not read: {path.suffix or 'no suffix'} is not a supported format",
                f"convert it to .txt or .docx, or pass {option_hint('format')}", action="ignored",
            ))
            continue
        files.append((rel, path, file_format))
    files.sort(key=lambda item: item[0])
    return files, problems


def load_manifest(path: Path, root: Path) -> tuple[list[ManifestRow], list[ReadProblem], dict[str, int]]:
    """Read a manifest CSV: its rows, the problems of single rows, and the files whose row was refused.

    Returns
    -------
    rows : list of ManifestRow
        The usable rows, in manifest order.
    problems : list of ReadProblem
        One per row that cannot be used (no file, a path outside the folder, a bad or
        repeated doc_id, a repeated file, a row that does not fit the header).
    refused : dict of str to int
        The files whose row was refused for its doc_id (file → row number): they are read
        as files without a row, and not reported a second time.

    Raises
    ------
    CorpusReadError
        When the manifest as a whole cannot be used: unreadable, undecodable, badly quoted,
        empty, or without a ``file`` column.
    """
    refused: dict[str, int] = {}
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorpusReadError(f"{path}: the manifest cannot be read ({error.strerror or error})") from error
    try:
        text = decode_bytes(data, name=path).text
    except DecodingError as error:
        raise CorpusReadError(f"{path}: the manifest is not a readable CSV ({' '.join(str(error).split())})") from error
    name = path.name
    rows: list[ManifestRow] = []
    problems: list[ReadProblem] = []
    header: list[str] = []
    records: list[tuple[int, dict]] = []
    # The csv module, row by row, as for article tables: a row with a stray comma is that row's
    # problem (pandas would shift every column of the manifest by one).
    for item in csv_records(text, ",", str(path), name):
        if isinstance(item, TableHeader):
            header = list(item)
        elif isinstance(item, ReadProblem):
            if item.source == name:  # the file as a whole (quoting): nothing to match files with
                raise CorpusReadError(f"{path}: the manifest is not a readable CSV ({item.message})")
            problems.append(item)
        else:
            records.append(item)
    if not header:
        raise CorpusReadError(f"{path}: the manifest is empty (give a header with a 'file' column, or pass metadata=False)")
    if "file" not in header:
        raise CorpusReadError(f"{path}: the manifest needs a 'file' column; it has {header}")
    seen_ids: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    value_columns = [c for c in header if c not in {"doc_id", "file"}]
    rows_by_id: dict[str, str] = {}
    for row, record in records:
        here = f"{path}, row {row}"
        source = f"{name}#{row}"
        raw_file = str(record["file"]).strip()
        file = raw_file.replace("\\", "/").removeprefix("./")
        doc_id = str(record.get("doc_id", "")).strip()
        if not file:
            problems.append(make_problem(
                source, "manifest_row_without_file", here, "the row names no file", "fill in its 'file' or remove the row", doc_id
            ))
            continue
        rel_file = file.split("#", 1)[0]
        if (
            PurePosixPath(rel_file).is_absolute()
            or re.match(r"^[A-Za-z]:", rel_file)
            or ".." in PurePosixPath(rel_file).parts
            or is_outside(root, root / rel_file)
        ):
            problems.append(make_problem(
                source, "outside_corpus", here, f"file {raw_file!r} points outside the corpus folder {root}",
                "manifest paths must be relative to it", doc_id,
            ))
            continue
        if not doc_id:
            row_part = file.partition("#")[2]
            doc_id = auto_doc_id(rel_file, int(row_part) if row_part.isdigit() else None)
        # A refused row leaves its file without one: say so here, where the cause is, so that
        # the file is not reported again as one "the manifest does not list".
        unlisted = f"until then {rel_file!r} is read as a file without a row, its docvars inferred"
        why = check_doc_id(doc_id)
        if why:
            problems.append(ReadProblem(
                source, "bad_doc_id", f"{here}: doc_id {doc_id!r} {why} (give a plain id; {unlisted})", doc_id
            ))
            refused[file] = row
            continue
        if file in seen_files:
            problems.append(make_problem(
                source, "duplicate_manifest_row", here, f"file {file!r} already has row {seen_files[file]}",
                "keep one row per file", doc_id,
            ))
            continue
        if doc_id in seen_ids:
            problems.append(make_problem(
                source, "duplicate_doc_id", here,
                f"doc_id {doc_id!r} of file {file!r} already belongs to row {seen_ids[doc_id]} ({rows_by_id[doc_id]})",
                f"doc_ids must be unique; {unlisted}", doc_id,
            ))
            refused[file] = row
            continue
        rows_by_id[doc_id] = file
        seen_files[file] = row
        seen_ids[doc_id] = row
        rows.append(ManifestRow(row, doc_id, file, {c: str(record[c]) for c in value_columns}))
    return rows, problems, refused


def apply_manifest(document: RawDocument, entry: ManifestRow) -> RawDocument:
    """Return the document with the manifest row's doc_id, and its stated values over the source's.

    A blank manifest value leaves a value the source states; each value taken has origin
    ``manifest``.
    """
    docvars = dict(document.docvars)
    origin = dict(document.docvar_origin)
    for column, value in entry.values.items():
        # A manifest column named like a docvar reading sets is kept under a prefixed name
        # (doc_id and file are the row's keys, never values).
        name = docvar_name(column, "manifest")
        if value != "" or name not in docvars:
            docvars[name] = value
            if value != "":
                origin[name] = "manifest"
    return RawDocument(entry.doc_id, document.source, document.raw_text, document.read_info, docvars, origin, document.log)
