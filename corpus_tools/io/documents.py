"""A folder (or one file) of articles as documents, one at a time, in corpus order.

:func:`iter_documents` is the one reading loop: it lists the files
(:func:`~corpus_tools.io.manifest.list_files`), matches them with the manifest
(:func:`~corpus_tools.io.manifest.load_manifest`), orders them (the manifest's order, then
by path), reads each (:func:`~corpus_tools.io.files.read_file`), applies the manifest's
values, refuses duplicate doc_ids, and raises or yields each problem as ``on_error`` says.
:func:`corpus_tools.read_corpus`, the streaming and the Dask paths all read through it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Literal

from .files import read_file
from .manifest import ManifestRow, apply_manifest, list_files, load_manifest
from .options import SUPPORTED_SUFFIXES, TABLE_FORMATS, ReadOptions, option_hint
from .records import CorpusReadError, RawDocument, ReadProblem, auto_doc_id, make_problem

__all__ = ["iter_documents"]

logger = logging.getLogger(__name__)


def _raise_all(problems: Sequence[ReadProblem], where: Path) -> None:
    if len(problems) == 1:
        raise problems[0].error()
    lines = "\n".join(f"  {p.message}" for p in problems)
    raise CorpusReadError(
        f"{where}: {len(problems)} problems (to read the rest and list them, pass {option_hint('on_error', 'skip')}):"
        f"\n{lines}", problems
    )


def iter_documents(
    path: str | Path,
    *,
    metadata: str | Path | None | Literal[False] = None,
    options: ReadOptions | Mapping[str, object] | None = None,
    **read_options: object,
) -> Iterator[RawDocument | ReadProblem]:
    """Yield the documents of a folder (or one file) one at a time, in corpus order.

    Parameters
    ----------
    path : str or Path
        A folder (searched recursively; hidden files and folders are left
        out) or a single file.
    metadata : str, Path, None or False
        A manifest CSV: a ``file`` column (a path relative to the folder, or
        ``"<table>#<row>"`` for a table row), optionally ``doc_id``, and any
        docvars. Its values override what a table or the text states.
        ``None`` uses ``<path>/metadata.csv`` when it exists; ``False`` uses
        none. The manifest itself is never read as a table of articles.
    options : ReadOptions or mapping, optional
        How to read: the format, the encoding, the table's columns, the
        thresholds, what to do on a problem (see
        :class:`~corpus_tools.io.ReadOptions` for each option and its default).
    **read_options
        Any reading option as a keyword (``text_column="content"``,
        ``on_error="skip"`` …), replacing that of ``options``. What was mapped
        by ``map_columns`` is logged (logger ``corpus_tools.io``, level
        INFO) and is the docvar's origin (``table column 'date'``), which the
        corpus shows in its ``*_evidence`` columns (``locality_evidence`` …).

    Returns
    -------
    iterator of RawDocument or ReadProblem
        Documents in order: files the manifest lists in its order (a table at
        its first row's place, its rows in table order), then the others by
        path. A :class:`ReadProblem` for every item skipped (with
        ``on_error="skip"``), kept despite a problem (a file without a
        manifest row, with ``on_error="skip"``) or ignored (an unsupported
        file).

    Raises
    ------
    TypeError, ValueError
        At once, for an unknown reading option or a bad value (the message names it).
    CorpusReadError
        While iterating: with ``on_error="raise"``, at the first problem
        (problems found while listing the folder and matching the manifest
        together); in any case when ``path`` does not exist or the manifest
        itself cannot be read.

    Notes
    -----
    A file the manifest does not list is a problem (the manifest is meant to
    describe the corpus): raised by default; with ``on_error="skip"`` the file
    is *kept* with docvars inferred from its text, because its text is fine.
    Table rows need no manifest row: a table describes its own rows.
    """
    return _iter_documents(Path(path), metadata, ReadOptions.from_kwargs(options, **read_options))


def _iter_documents(
    target: Path, metadata: str | Path | None | Literal[False], options: ReadOptions
) -> Iterator[RawDocument | ReadProblem]:
    """:func:`iter_documents` with its options checked."""
    pattern, format, on_error = options.pattern, options.format, options.on_error
    if target.is_dir():
        root = target
    elif target.is_file():
        root = target.parent
    else:
        raise CorpusReadError(f"{target}: not a folder or a file (read_corpus needs a folder of articles or one file)")
    manifest_path: Path | None = None
    if metadata is None:
        if target.is_dir() and (root / "metadata.csv").is_file():
            manifest_path = root / "metadata.csv"
    elif metadata is not False:
        manifest_path = Path(metadata)
        if not manifest_path.is_file():
            raise CorpusReadError(
                f"{manifest_path}: the manifest does not exist (pass read_corpus(metadata=False) to infer docvars)"
            )
    if target.is_dir():
        # The default manifest is never an article table, even with metadata=False.
        exclude = {root / "metadata.csv"} | ({manifest_path} if manifest_path else set())
        files, listing = list_files(root, pattern, format, exclude)
    else:
        fmt = format or SUPPORTED_SUFFIXES.get(target.suffix.lower())
        files, listing = ([(target.name, target, fmt)], []) if fmt else ([], [
            make_problem(
                target.name, "unsupported_format", target, f"{target.suffix or 'no suffix'} is not a supported format",
                f"pass {option_hint('format')}", action="ignored",
            )
        ])
    ignored = [p for p in listing if p.action == "ignored"]
    errors = [p for p in listing if p.action != "ignored"]
    if ignored:
        kinds = sorted({PurePosixPath(p.source).suffix or "(no suffix)" for p in ignored})
        logger.warning(
            "%s: %d file(s) not read, unsupported format (%s): %s",
            root, len(ignored), ", ".join(kinds), [p.source for p in ignored][:10],
        )

    by_rel = {rel: (p, fmt) for rel, p, fmt in files}
    manifest_rows: list[ManifestRow] = []
    refused_rows: dict[str, int] = {}
    if manifest_path is not None:
        manifest_rows, manifest_problems, refused_rows = load_manifest(manifest_path, root)
        errors += manifest_problems
    by_source: dict[str, ManifestRow] = {}
    table_rows_expected: dict[str, list[ManifestRow]] = {}
    for entry in manifest_rows:
        rel, _, row = entry.source.partition("#")
        here = f"{manifest_path}, row {entry.row}"
        row_source = f"{manifest_path.name}#{entry.row}"
        where = f"not in {root}" + (f" (or does not match pattern={pattern!r})" if pattern else "")
        if rel not in by_rel:
            errors.append(make_problem(
                row_source, "manifest_row_without_file", here, f"file {entry.source!r} is {where}",
                "fix the file name, or remove the row", entry.doc_id,
            ))
            continue
        is_table = by_rel[rel][1] in TABLE_FORMATS
        if is_table and not row:
            errors.append(make_problem(
                row_source, "manifest_row_without_file", here, f"{rel!r} is a table; name one of its rows as '{rel}#<row>'",
                "or put the docvars in the table's columns", entry.doc_id,
            ))
            continue
        if row and not is_table:
            errors.append(make_problem(
                row_source, "manifest_row_without_file", here, f"{entry.source!r} names a row, but {rel!r} is not a table",
                "name the file alone", entry.doc_id,
            ))
            continue
        by_source[entry.source] = entry
        if row:
            table_rows_expected.setdefault(rel, []).append(entry)

    # Order: the manifest's order (a table at its first row's place), then the rest by path.
    order: list[str] = []
    for entry in manifest_rows:
        rel = entry.source.partition("#")[0]
        if entry.source in by_source and rel not in order:
            order.append(rel)
    order += [rel for rel, _, _ in files if rel not in order]

    kept: list[ReadProblem] = []
    known_ids: dict[str, str] = {}
    skip_files: set[str] = set()
    for rel in order:
        fmt = by_rel[rel][1]
        if fmt in TABLE_FORMATS:
            continue
        entry = by_source.get(rel)
        doc_id = entry.doc_id if entry else auto_doc_id(rel)
        if manifest_path is not None and entry is None and rel not in refused_rows:
            kept.append(make_problem(
                rel, "file_without_manifest_row", by_rel[rel][0], f"has no row in the manifest {manifest_path}",
                f"add a row; with {option_hint('on_error', 'skip')} it is read with docvars inferred from its text", doc_id,
                action="kept",
            ))
        if doc_id in known_ids:
            errors.append(make_problem(
                rel, "duplicate_doc_id", by_rel[rel][0], f"doc_id {doc_id!r} is already given to {known_ids[doc_id]}",
                "rename one of the files, or give unique doc_ids in a manifest", doc_id,
            ))
            skip_files.add(rel)
            continue
        known_ids[doc_id] = rel

    if on_error == "raise" and (errors or kept):
        _raise_all(errors + kept, root)
    yield from ignored
    yield from errors
    yield from kept

    def fail(problem: ReadProblem) -> ReadProblem:
        if on_error == "raise":
            raise problem.error()
        return problem

    seen: dict[str, str] = {}
    met: set[str] = set()  # every source a document or a problem came from
    for rel in order:
        if rel in skip_files:
            continue
        file = by_rel[rel][0]
        # The listing chose each file's format as read_file does: options.format, else the suffix.
        documents = read_file(file, root=root, options=options)
        for item in documents:
            met.add(item.source)
            entry = by_source.get(item.source)
            if isinstance(item, ReadProblem):
                if entry is not None and item.doc_id != entry.doc_id:
                    item = ReadProblem(item.source, item.code, item.message, entry.doc_id, item.action)
                yield fail(item) if item.action == "skipped" else item
                continue
            if entry is not None:
                item = apply_manifest(item, entry)
            if item.doc_id in seen or (item.doc_id in known_ids and known_ids[item.doc_id] != item.source):
                first = seen.get(item.doc_id) or known_ids[item.doc_id]
                file_part, _, row_part = item.source.partition("#")
                where = f"{root / file_part}" + (f", row {row_part}" if row_part else "")
                yield fail(make_problem(
                    item.source, "duplicate_doc_id", where, f"doc_id {item.doc_id!r} is already given to {first}",
                    f"doc_ids must be unique: {option_hint('id_column')}, or give doc_ids in a manifest", item.doc_id,
                ))
                continue
            seen[item.doc_id] = item.source
            yield item
    # Manifest rows naming table rows the tables do not have.
    for rel, entries in table_rows_expected.items():
        if rel in met:  # the whole table was reported already (malformed, no text column …)
            continue
        for entry in entries:
            if entry.source not in met:
                yield fail(make_problem(
                    f"{manifest_path.name}#{entry.row}", "manifest_row_without_file", f"{manifest_path}, row {entry.row}",
                    f"{entry.source!r} is not a row read from the table", "fix the row number, or remove the manifest row",
                    entry.doc_id,
                ))
