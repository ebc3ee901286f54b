"""The processed corpus kept on disk: a corpus is read and cleaned once, and loaded after that.

:func:`corpus_tools.corpus.open_corpus` (what every report notebook calls) asks
:func:`stored_corpus` for its :class:`~corpus_tools.corpus.Corpus`. The first call reads and
cleans the corpus and stores the result; a later call with the same inputs loads it (seconds
instead of minutes for a large corpus); any change to an input builds and stores it afresh.

This module owns that store: its key (:func:`corpus_key`), its layout (:func:`save_corpus`,
:func:`load_corpus`) and the content hash of a corpus folder (:func:`file_hashes`,
:func:`combined_sha256`).

Key
    A SHA-256 over everything the Corpus depends on: the bytes (so the sizes) of every file in
    the corpus folder, by path (hidden files left out, as the reader leaves them out); the
    manifest (inside the folder it is one of those files; elsewhere its path and bytes); the
    folder's absolute path (it is in the corpus's history and problem messages); every reading
    option (:class:`corpus_tools.io.ReadOptions`); the package version and a hash of the
    package files that read and clean (:func:`package_fingerprint`: its reading and cleaning
    code, gazetteer and lexicons; an edited cleaning rule is a new corpus, whatever the
    version says). Options that do not change the result (``n_jobs``,
    ``progress``) are not part of it.
Where
    ``corpora/<key>/`` in the project cache folder (:func:`corpus_tools.resultcache.cache_root`:
    ``DANGSHI_CACHE_DIR`` when set). Delete ``corpora/`` to empty it.
Off
    ``open_corpus(..., cache=False)``, or ``DANGSHI_CACHE=off``.
Layout
    Data formats only, never pickles, so a store loads without running anything it holds:
    ``corpus.json`` (format version, the key and what it was made of, the history, the dtypes
    of every table, the SHA-256 of every other file), ``docvars.parquet``, ``texts.parquet``
    (``raw_text`` and ``text`` by ``doc_id``), ``blocks.parquet``, ``quality_log.parquet`` and
    ``problems.parquet``, each readable with ``pandas.read_parquet``. The folder is checked as
    the result cache checks its own (:func:`corpus_tools.resultcache.open_cache_folder`): one
    other users can write to is not used.
Atomic
    A store is written into a hidden staging folder, loaded back and compared with the corpus
    it holds, and only then renamed into place: a killed run leaves no half store, and a
    corpus whose tables Parquet cannot hold exactly is not stored at all (it is rebuilt on
    every call, with a warning). A store that fails its checks when loaded (a file missing or
    changed) is removed and rebuilt. The staging folder of a run killed while storing is never
    loaded, and is removed by a later store once it is :data:`STALE_STAGING_SECONDS` old.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..environment import cache_enabled
from ..io import ReadOptions
from .core import Corpus

__all__ = [
    "MANIFEST_FILE",
    "STORE_FOLDER",
    "STORE_FORMAT",
    "STALE_STAGING_SECONDS",
    "STORE_FORMAT_VERSION",
    "FINGERPRINT_PARTS",
    "WHOLE_PACKAGE",
    "TABLE_FILES",
    "assert_same_corpus",
    "combined_sha256",
    "corpus_key",
    "file_hashes",
    "load_corpus",
    "package_fingerprint",
    "save_corpus",
    "sha256_file",
    "store_folder",
    "stored_corpus",
    "stored_folder",
]

logger = logging.getLogger(__name__)

#: ``format`` field of ``corpus.json``.
STORE_FORMAT = "corpus_tools.Corpus"
#: Version of the layout (and of what the key covers); part of every key, so a new layout
#: never reads an old store.
STORE_FORMAT_VERSION = 1
#: The stores' folder inside the project cache folder.
STORE_FOLDER = "corpora"
#: The manifest of one store.
MANIFEST_FILE = "corpus.json"
#: Each table of a stored corpus and its file.
TABLE_FILES: dict[str, str] = {
    "docvars": "docvars.parquet",
    "texts": "texts.parquet",
    "blocks": "blocks.parquet",
    "quality_log": "quality_log.parquet",
    "problems": "problems.parquet",
}


class _StoreError(ValueError):
    """A store that cannot be loaded (missing, damaged or of another format)."""


# ------------------------------------------------------------------------------ hashing


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of one file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_hashes(path: str | os.PathLike[str]) -> dict[str, str]:
    """Return the SHA-256 of every file of a corpus folder, by its path relative to the folder.

    Parameters
    ----------
    path : str or os.PathLike
        A folder, searched recursively, or one file (a table of articles), hashed under its
        own name.

    Returns
    -------
    dict
        POSIX path relative to ``path`` → hex SHA-256 of the file's bytes, sorted by path.
        Hidden files and folders (``.DS_Store``, ``.ipynb_checkpoints``) and ``__pycache__``
        are left out, and so is a link leading out of the folder: the reader does not read
        them, and hashing them would make identical corpora look different.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_bytes(b"abc")
    >>> file_hashes(folder)
    {'a.txt': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'}
    """
    folder = Path(path)
    if folder.is_file():
        return {folder.name: sha256_file(folder)}
    hashes: dict[str, str] = {}
    root = folder.resolve()
    # os.walk does not descend into symlinked folders, as the corpus reader does not.
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if name.startswith("."):
                continue
            file = Path(current) / name
            if file.is_symlink() and not file.resolve().is_relative_to(root):
                continue
            if file.is_file():
                hashes[file.relative_to(folder).as_posix()] = sha256_file(file)
    return dict(sorted(hashes.items()))


def combined_sha256(hashes: Mapping[str, str]) -> str:
    """Return one SHA-256 for a listing of file hashes (as :func:`file_hashes` returns it).

    It is the hash of the listing ``sha256sum`` prints (``<hash>  <path>`` per line, sorted by
    path), so it can be checked by hand: ``sha256sum $(find . -type f | sort) | sha256sum``
    in the folder, hidden files aside.

    Examples
    --------
    >>> combined_sha256({"a.txt": "ba78"}) == hashlib.sha256(b"ba78  a.txt\\n").hexdigest()
    True
    """
    listing = "".join(f"{hashes[key]}  {key}\n" for key in sorted(hashes))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


#: What of the package a stored corpus depends on, relative to the package folder: the code
#: that reads and cleans (the ``io`` and ``corpus`` subpackages, the top-level modules they build
#: on, the Parquet helpers of ``dtm/store.py``) and the package data (gazetteer, lexicons).
#: Analyses (topics, rhetoric, reports …) are left out: editing them changes no stored corpus.
FINGERPRINT_PARTS = ("io", "corpus", "data", "dtm/store.py", "*.py")


#: Every module and data file of the package: what a report's tables depend on.
WHOLE_PACKAGE = ("**/*.py", "data")


@functools.lru_cache(maxsize=4)
def package_fingerprint(parts: tuple[str, ...] = FINGERPRINT_PARTS) -> str:
    """Return the SHA-256 of the package files a result depends on.

    A stored corpus is only as current as the code that cleaned it; in a development checkout
    the version number stays the same while the cleaning rules change, so that code is part of
    a store's key. Computed once per process and `parts` (about 1 MB to hash).

    Parameters
    ----------
    parts : tuple of str, default FINGERPRINT_PARTS
        Glob patterns relative to the package folder; a folder matched is hashed whole. The
        default is what a stored corpus depends on (:data:`FINGERPRINT_PARTS`);
        :data:`WHOLE_PACKAGE` is every module and data file (what a report depends on).
    """
    package = Path(__file__).resolve().parents[1]
    hashes: dict[str, str] = {}
    for part in parts:
        for path in sorted(package.glob(part)):
            if path.is_dir():
                hashes.update({f"{part}/{name}": digest for name, digest in file_hashes(path).items()})
            elif path.is_file():
                hashes[path.relative_to(package).as_posix()] = sha256_file(path)
    return combined_sha256(hashes)


def _package_version() -> str:
    from ..dtm.store import package_version

    return package_version()


def corpus_key(
    path: str | os.PathLike[str],
    *,
    metadata: str | os.PathLike[str] | None | Literal[False] = None,
    options: ReadOptions | None = None,
) -> tuple[str, dict[str, Any]]:
    """Return the key of a corpus's store and what it was made of.

    Parameters
    ----------
    path : str or os.PathLike
        The corpus folder (or one file), as given to :func:`corpus_tools.read_corpus`.
    metadata : str, os.PathLike, None or False
        The manifest argument of :func:`corpus_tools.read_corpus`.
    options : ReadOptions, optional
        The reading options; by default the defaults.

    Returns
    -------
    key : str
        32 hex digits of a SHA-256 over ``inputs``: the store's folder name.
    inputs : dict
        ``format_version``, ``package_version``, ``package_sha256`` (:func:`package_fingerprint`),
        ``corpus`` (the absolute path), ``corpus_sha256`` (:func:`combined_sha256` of its files),
        ``n_files``, ``metadata`` (``None``, ``False`` or the absolute path of a manifest outside
        the folder with its ``sha256``) and ``options`` (every reading option).

    Raises
    ------
    OSError
        When a file cannot be read (the caller then reads the corpus without a store, and the
        reader names the problem).
    """
    target = Path(path).resolve()
    hashes = file_hashes(target)
    manifest: Any = metadata
    if metadata is not None and metadata is not False:
        manifest_path = Path(metadata).resolve()
        manifest = {"path": str(manifest_path), "sha256": sha256_file(manifest_path)}
    inputs = {
        "format_version": STORE_FORMAT_VERSION,
        "package_version": _package_version(),
        "package_sha256": package_fingerprint(),
        "corpus": str(target),
        "corpus_sha256": combined_sha256(hashes),
        "n_files": len(hashes),
        "metadata": manifest,
        "options": (options or ReadOptions()).to_kwargs(changed_only=False),
    }
    text = json.dumps(inputs, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32], inputs


# ------------------------------------------------------------------------------ layout


def _tables(corpus: Corpus) -> dict[str, pd.DataFrame]:
    texts = pd.DataFrame({"raw_text": corpus.raw_texts, "text": corpus.texts})
    return {
        "docvars": corpus.docvars,
        "texts": texts,
        "blocks": corpus.blocks,
        "quality_log": corpus.quality_log,
        "problems": corpus.problems,
    }


def save_corpus(corpus: Corpus, folder: str | os.PathLike[str], *, inputs: Mapping[str, Any] | None = None) -> Path:
    """Write a corpus's tables into an empty or new folder (the layout of a store).

    Parameters
    ----------
    corpus : Corpus
        The corpus to write.
    folder : str or os.PathLike
        Where; created if missing. Its files are overwritten.
    inputs : mapping, optional
        What the corpus was built from (:func:`corpus_key`'s ``inputs``), recorded in
        ``corpus.json``.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    TypeError
        When a table holds values Parquet cannot store (a docvar mixing numbers and strings).
    """
    import pyarrow as pa

    from ..dtm.store import dtype_record

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    dtypes: dict[str, dict[str, str]] = {}
    files: dict[str, str] = {}
    for name, table in _tables(corpus).items():
        path = target / TABLE_FILES[name]
        try:
            table.to_parquet(path, index=True)
        except (pa.ArrowException, TypeError, ValueError) as error:
            raise TypeError(f"the corpus's {name} cannot be stored in Parquet ({error})") from error
        dtypes[name] = dtype_record(table)
        files[TABLE_FILES[name]] = sha256_file(path)
    manifest = {
        "format": STORE_FORMAT,
        "format_version": STORE_FORMAT_VERSION,
        "n_documents": len(corpus),
        "history": list(corpus.history),
        "dtypes": dtypes,
        "files": files,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "inputs": dict(inputs or {}),
    }
    (target / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def load_corpus(folder: str | os.PathLike[str]) -> Corpus:
    """Load a corpus written by :func:`save_corpus`.

    Parameters
    ----------
    folder : str or os.PathLike
        A store's folder.

    Returns
    -------
    Corpus
        Equal to the one saved: the same tables with the same dtypes, the same history.

    Raises
    ------
    ValueError
        When the folder is not a store of this format version, or a file is missing or not
        the one written (its SHA-256 differs from ``corpus.json``'s).
    """
    from ..dtm.store import restore_dtypes

    source = Path(folder)
    path = source / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _StoreError(f"{path}: cannot be read ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
        raise _StoreError(f"{path}: not a stored corpus (format is not {STORE_FORMAT!r})")
    if manifest.get("format_version") != STORE_FORMAT_VERSION:
        raise _StoreError(f"{path}: format_version {manifest.get('format_version')!r}, not {STORE_FORMAT_VERSION}")
    tables: dict[str, pd.DataFrame] = {}
    for name, file in TABLE_FILES.items():
        table_path = source / file
        expected = manifest.get("files", {}).get(file)
        try:
            actual = sha256_file(table_path)
        except OSError as error:
            raise _StoreError(f"{table_path}: cannot be read ({error})") from error
        if actual != expected:
            raise _StoreError(f"{table_path}: not the file that was stored (its SHA-256 differs)")
        tables[name] = restore_dtypes(pd.read_parquet(table_path), manifest["dtypes"][name])
    texts = tables["texts"]
    return Corpus(
        docvars=tables["docvars"],
        raw_texts=texts["raw_text"],
        texts=texts["text"],
        blocks=tables["blocks"],
        quality_log=tables["quality_log"],
        history=tuple(manifest["history"]),
        problems=tables["problems"],
    )


def assert_same_corpus(built: Corpus, loaded: Corpus) -> None:
    """Raise AssertionError unless two corpora hold the same tables, dtypes included, and history.

    Parameters
    ----------
    built, loaded : Corpus
        The corpora to compare (e.g. one read and the same one loaded from its store).

    Raises
    ------
    AssertionError
        Naming the first table that differs (``pandas.testing`` says where).
    """
    for name in ("docvars", "blocks", "quality_log", "problems"):
        pd.testing.assert_frame_equal(getattr(built, name), getattr(loaded, name), check_exact=True, obj=name)
    for name in ("raw_texts", "texts"):
        pd.testing.assert_series_equal(getattr(built, name), getattr(loaded, name), check_exact=True, obj=name)
    assert built.history == loaded.history, "history"


# ------------------------------------------------------------------------------ the store


def store_folder(cache: bool | str | os.PathLike[str] = True) -> Path | None:
    """Return the folder holding the stored corpora, or None when the store is off or unusable.

    Parameters
    ----------
    cache : bool or path
        ``True``: ``corpora/`` in the project cache folder, unless ``DANGSHI_CACHE=off``; a
        path: that folder; ``False``: no store.

    Returns
    -------
    pathlib.Path or None
        None (with a warning) also when the folder cannot be created or written, or other users
        could write to it.

    Raises
    ------
    TypeError
        When ``cache`` is neither a bool nor a path.
    """
    from ..resultcache import cache_root, open_cache_folder

    if cache is False:
        return None
    if cache is True:
        if not cache_enabled():
            return None
        location = cache_root() / STORE_FOLDER
    elif isinstance(cache, str | os.PathLike):
        location = Path(cache)
    else:
        raise TypeError(f"cache must be True, False or a folder path, not {cache!r}")
    try:
        open_cache_folder(location)
    except OSError as error:
        warnings.warn(f"corpus store {location}: cannot be used ({error}); reading without it", RuntimeWarning, stacklevel=3)
        return None
    return location


#: A staging folder older than this (seconds) belongs to a run that was killed while storing.
STALE_STAGING_SECONDS = 6 * 3600


def _remove_stale_staging(root: Path) -> None:
    # A killed run cannot clean up after itself; its staging folder is never loaded, only in the way.
    now = time.time()
    for leftover in root.glob(".*.partial-*"):
        try:
            if now - leftover.stat().st_mtime > STALE_STAGING_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


def _put(corpus: Corpus, root: Path, key: str, inputs: Mapping[str, Any]) -> bool:
    """Store ``corpus`` as ``root/key`` through a staging folder; False (with a warning) if not stored."""
    _remove_stale_staging(root)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.partial-", dir=root))
    try:
        save_corpus(corpus, staging, inputs=inputs)
        # What a later call loads must be what this call returns: checked before it counts.
        try:
            assert_same_corpus(corpus, load_corpus(staging))
        except AssertionError as error:
            raise TypeError(f"a table does not come back from Parquet unchanged: {str(error).splitlines()[0]}") from error
        try:
            staging.rename(root / key)
        except OSError:
            if not (root / key / MANIFEST_FILE).is_file():
                raise
            # Another process stored the same corpus meanwhile: its store is as good as this one.
        return True
    except (OSError, TypeError, _StoreError) as error:
        warnings.warn(f"the corpus was not stored in {root} ({error}); it is read again on every call",
                      RuntimeWarning, stacklevel=4)
        return False
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def stored_folder(
    path: str | os.PathLike[str],
    *,
    metadata: str | os.PathLike[str] | None | Literal[False] = None,
    options: ReadOptions | None = None,
    cache: bool | str | os.PathLike[str] = True,
) -> Path | None:
    """The store folder that holds the corpus for these inputs, or None (not stored, store off or unreadable inputs).

    Checks without loading: :func:`stored_corpus` with the same arguments would reuse this
    folder (unless it turns out damaged, when it reads the corpus again).
    """
    root = store_folder(cache)
    if root is None:
        return None
    try:
        key, _ = corpus_key(path, metadata=metadata, options=options)
    except OSError:
        return None
    folder = root / key
    return folder if (folder / MANIFEST_FILE).is_file() else None


def stored_corpus(
    path: str | os.PathLike[str],
    build: Callable[[], Corpus],
    *,
    metadata: str | os.PathLike[str] | None | Literal[False] = None,
    options: ReadOptions | None = None,
    cache: bool | str | os.PathLike[str] = True,
) -> Corpus:
    """Return the stored corpus for these inputs, or build it with ``build`` and store it.

    Parameters
    ----------
    path : str or os.PathLike
        The corpus folder (or file), which ``build`` reads.
    build : callable
        Reads and cleans the corpus (``read_corpus`` with the same ``path``, ``metadata`` and
        ``options``); called when no store matches.
    metadata : str, os.PathLike, None or False
        The manifest argument ``build`` uses.
    options : ReadOptions, optional
        The reading options ``build`` uses.
    cache : bool or path, default True
        See :func:`store_folder`.

    Returns
    -------
    Corpus
        Equal to what ``build()`` returns.

    Notes
    -----
    Logs one line at INFO: ``reused the stored corpus (hash …)`` or ``stored the corpus (hash
    …)``. A corpus with skipped inputs logs the same warning when reused as when read.
    """
    root = store_folder(cache)
    if root is None:
        return build()
    try:
        key, inputs = corpus_key(path, metadata=metadata, options=options)
    except OSError:
        # A missing folder or manifest, an unreadable file: the reader says which, and how to fix it.
        return build()
    folder = root / key
    if (folder / MANIFEST_FILE).is_file():
        started = time.perf_counter()
        try:
            corpus = load_corpus(folder)
        except (_StoreError, OSError, ValueError, KeyError) as error:
            logger.warning("the stored corpus %s cannot be used (%s); reading the corpus again", folder, error)
            shutil.rmtree(folder, ignore_errors=True)
        else:
            logger.info("reused the stored corpus (hash %s, %d documents, %.1f s) from %s",
                        key, len(corpus), time.perf_counter() - started, folder)
            skipped = corpus.problems[corpus.problems["action"] == "skipped"]
            if len(skipped):
                logger.warning("%s: %d input(s) skipped when the corpus was read (see corpus.problems)",
                               path, len(skipped))
            return corpus
    corpus = build()
    started = time.perf_counter()
    if _put(corpus, root, key, inputs):
        logger.info("stored the corpus (hash %s, %d documents, %.1f s) in %s",
                    key, len(corpus), time.perf_counter() - started, folder)
    return corpus
