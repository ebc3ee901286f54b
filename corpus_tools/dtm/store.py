"""The on-disk format of a document-term matrix: one folder, readable without this package.

:func:`write_dtm` (behind :meth:`DocTermMatrix.save <corpus_tools.dtm.DocTermMatrix.save>`) writes,
and :func:`read_dtm` (behind ``DocTermMatrix.load``) reads, one folder:

=================== ==========================================================================
``dtm.json``        format name and version, shape, number of stored counts, the history, the
                    docvars' dtypes, when and by which ``corpus_tools`` version it was written,
                    and free-form ``provenance`` (the streaming path records its source and
                    options there)
``matrix.npz``      the CSR counts in scipy's format (``scipy.sparse.load_npz`` reads it)
``terms.parquet``   one column ``term``; row ``j`` labels matrix column ``j``
``docvars.parquet`` the docvars, index included (``pandas.read_parquet`` restores it)
=================== ==========================================================================

Each file is readable without this package (``scipy.sparse.load_npz``, ``pandas.read_parquet``).
The streaming path (:func:`corpus_tools.streaming.stream_dtm`) writes the same layout through the
same functions (:func:`output_folder`, :func:`write_npz`, :func:`write_sidecars`), plus
``tokens.parquet``; it holds the CSR arrays only on disk, so :func:`write_npz` takes them block by
block.

This module owns that format; :mod:`corpus_tools.dtm.matrix` holds the matrix in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..compat import renamed_parameters

__all__ = [
    "DOCVARS_FILE",
    "DTM_FORMAT",
    "DTM_FORMAT_VERSION",
    "MANIFEST_FILE",
    "MATRIX_FILE",
    "TERMS_FILE",
    "check_output_folder",
    "dtype_record",
    "output_folder",
    "package_version",
    "read_dtm",
    "read_manifest",
    "restore_dtypes",
    "write_dtm",
    "write_npz",
    "write_sidecars",
]

#: ``format`` field of ``dtm.json``.
DTM_FORMAT = "corpus_tools.DocTermMatrix"
#: Version of the folder layout; :meth:`DocTermMatrix.load` refuses a newer one.
DTM_FORMAT_VERSION = 1
MANIFEST_FILE = "dtm.json"
MATRIX_FILE = "matrix.npz"
TERMS_FILE = "terms.parquet"
DOCVARS_FILE = "docvars.parquet"


def package_version() -> str:
    """Return the installed ``dangshi-corpus`` version, recorded in every ``dtm.json``.

    Read from the installed distribution's metadata rather than from ``corpus_tools.__version__``,
    so this module never imports the package above it; ``"unknown"`` when the source is used
    without being installed.
    """
    from importlib import metadata

    try:
        return metadata.version("dangshi-corpus")
    except metadata.PackageNotFoundError:
        return "unknown"


def write_dtm(
    out_dir: str | os.PathLike[str],
    *,
    matrix: sp.csr_matrix,
    terms: Iterable[str],
    docvars: pd.DataFrame,
    history: Iterable[str],
    overwrite: bool = False,
    provenance: Mapping[str, Any] | None = None,
) -> Path:
    """Write an in-memory matrix with its terms, docvars and history to a folder.

    See :meth:`DocTermMatrix.save <corpus_tools.dtm.DocTermMatrix.save>`, which calls it, for the
    parameters and errors.

    Returns
    -------
    pathlib.Path
        ``out_dir``.
    """
    with output_folder(out_dir, overwrite=overwrite) as staging:
        sp.save_npz(staging / MATRIX_FILE, matrix, compressed=True)
        write_sidecars(
            staging,
            terms=terms,
            docvars=docvars,
            history=history,
            shape=matrix.shape,
            nnz=int(matrix.nnz),
            provenance=provenance,
        )
    return Path(out_dir)


def read_dtm(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a folder written by :func:`write_dtm` or the streaming path.

    Parameters
    ----------
    path : str or Path
        The folder.

    Returns
    -------
    dict
        ``matrix`` (scipy CSR), ``terms`` (tuple of str), ``docvars`` (DataFrame with the saved
        index and dtypes), ``history`` (tuple of str): the keyword arguments of
        :class:`~corpus_tools.dtm.DocTermMatrix`.

    Raises
    ------
    FileNotFoundError
        When the folder or one of its files is missing (the message names it).
    ValueError
        When ``dtm.json`` is not a DocTermMatrix manifest, has a newer format version than
        this package reads, or disagrees with the files beside it.
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    for name in (MATRIX_FILE, TERMS_FILE, DOCVARS_FILE):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name}: missing; {folder} is not a complete saved DocTermMatrix")
    import pyarrow.parquet as pq

    matrix = sp.load_npz(folder / MATRIX_FILE)
    terms = tuple(pq.read_table(folder / TERMS_FILE).column("term").to_pylist())
    docvars = restore_dtypes(pd.read_parquet(folder / DOCVARS_FILE), manifest.get("docvars_dtypes", {}))
    if tuple(matrix.shape) != tuple(manifest["shape"]) or len(terms) != manifest["shape"][1]:
        raise ValueError(
            f"{folder}: {MANIFEST_FILE} says shape {tuple(manifest['shape'])} but the files hold "
            f"a {matrix.shape} matrix and {len(terms)} terms"
        )
    return {
        "matrix": sp.csr_matrix(matrix),
        "terms": terms,
        "docvars": docvars,
        "history": tuple(manifest.get("history", ())),
    }


def check_output_folder(target: Path, *, overwrite: bool) -> None:
    """Refuse an output folder that is a file, or a non-empty folder not to be replaced.

    Raises
    ------
    FileExistsError
        When ``target`` is a file; holds files and ``overwrite`` is false; or holds files but
        no ``dtm.json`` (a folder that is not a saved matrix is never replaced).
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise FileExistsError(f"{target}: exists and is not a folder; choose another output folder")
    if not any(target.iterdir()):
        return
    if not overwrite:
        raise FileExistsError(f"{target}: folder exists and is not empty; pass overwrite=True to replace it")
    if not (target / MANIFEST_FILE).is_file():
        raise FileExistsError(
            f"{target}: not a saved DocTermMatrix folder (no {MANIFEST_FILE}); refusing to replace "
            "it even with overwrite=True. Choose an empty or new folder."
        )


@renamed_parameters(path="out_dir")
@contextlib.contextmanager
def output_folder(out_dir: str | os.PathLike[str], *, overwrite: bool) -> Iterator[Path]:
    """Yield a hidden staging folder beside ``out_dir`` that replaces ``out_dir`` when the block ends.

    The checks run before the work (to fail fast) and again before the swap. On any error the
    staging folder is removed and ``out_dir`` is left as it was.
    """
    target = Path(out_dir)
    check_output_folder(target, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield staging
        check_output_folder(target, overwrite=overwrite)
        if target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        if target.exists():
            retired = staging.with_name(staging.name.replace(".partial-", ".replaced-"))
            target.rename(retired)
            try:
                staging.rename(target)
            except BaseException:
                retired.rename(target)  # put the previous good output back
                raise
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def dtype_record(frame: pd.DataFrame) -> dict[str, str]:
    """Return each column's dtype (and the index's, under ``"__index__"``) as strings for ``dtm.json``."""
    record = {str(column): str(dtype) for column, dtype in frame.dtypes.items()}
    record["__index__"] = str(frame.index.dtype)
    return record


def restore_dtypes(frame: pd.DataFrame, record: Mapping[str, str]) -> pd.DataFrame:
    """Give columns read back from Parquet the ``object`` dtype :func:`dtype_record` recorded."""
    # Parquet has one string type; pandas has two (object and str). Put back what was saved so
    # that a loaded matrix equals the saved one dtype for dtype.
    for column in frame.columns:
        if record.get(str(column)) == "object" and frame[column].dtype != object:
            frame[column] = frame[column].astype(object)
    if record.get("__index__") == "object" and frame.index.dtype != object:
        frame.index = frame.index.astype(object)
    return frame


@renamed_parameters(folder="out_dir")
def write_sidecars(
    out_dir: Path,
    *,
    terms: Iterable[str],
    docvars: pd.DataFrame,
    history: Iterable[str],
    shape: tuple[int, int],
    nnz: int,
    provenance: Mapping[str, Any] | None,
) -> None:
    """Write ``terms.parquet``, ``docvars.parquet`` and ``dtm.json`` (the matrix is the caller's)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"term": pa.array(list(terms), type=pa.string())}), out_dir / TERMS_FILE)
    try:
        docvars.to_parquet(out_dir / DOCVARS_FILE, index=True)
    except (pa.ArrowException, TypeError, ValueError) as error:
        raise TypeError(f"docvars cannot be stored in Parquet ({error}); convert the offending column first") from error
    manifest = {
        "format": DTM_FORMAT,
        "format_version": DTM_FORMAT_VERSION,
        "shape": [int(shape[0]), int(shape[1])],
        "nnz": int(nnz),
        "files": {"matrix": MATRIX_FILE, "terms": TERMS_FILE, "docvars": DOCVARS_FILE},
        "docvars_dtypes": dtype_record(docvars),
        "history": list(history),
        "written_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "corpus_tools_version": package_version(),
        "provenance": dict(provenance or {}),
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    """Read and check a folder's ``dtm.json``.

    Raises
    ------
    FileNotFoundError
        When the folder or its ``dtm.json`` is missing.
    ValueError
        When ``dtm.json`` is not JSON, not a DocTermMatrix manifest, or of a newer format version.
    """
    path = folder / MANIFEST_FILE
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    if not path.is_file():
        raise FileNotFoundError(f"{path}: missing; {folder} is not a saved DocTermMatrix folder")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != DTM_FORMAT:
        raise ValueError(f"{path}: not a DocTermMatrix manifest (format is not {DTM_FORMAT!r})")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > DTM_FORMAT_VERSION:
        raise ValueError(
            f"{path}: format_version {version!r}; this corpus_tools reads versions up to "
            f"{DTM_FORMAT_VERSION}. Upgrade corpus_tools to load it."
        )
    return manifest


def write_npz(
    path: Path,
    entries: Mapping[str, np.ndarray | tuple[Any, int, Callable[[], Iterable[np.ndarray]]]],
) -> None:
    """Write an uncompressed ``.npz`` whose 1-D arrays may arrive block by block.

    ``np.savez`` needs every array in memory; the streaming path holds the CSR arrays of a large
    corpus only on disk, so an entry may instead be ``(dtype, length, blocks)`` where
    ``blocks()`` yields consecutive pieces adding up to ``length`` elements. The result is what
    ``np.savez`` writes, readable by ``np.load`` and ``scipy.sparse.load_npz``.
    """
    from numpy.lib import format as npy_format

    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, entry in entries.items():
            with archive.open(f"{name}.npy", mode="w", force_zip64=True) as handle:
                if isinstance(entry, np.ndarray):
                    npy_format.write_array(handle, np.ascontiguousarray(entry), allow_pickle=False)
                    continue
                dtype, length, blocks = entry
                dtype = np.dtype(dtype)
                header = {"descr": npy_format.dtype_to_descr(dtype), "fortran_order": False, "shape": (int(length),)}
                npy_format.write_array_header_1_0(handle, header)
                written = 0
                for block in blocks():
                    block = np.ascontiguousarray(block, dtype=dtype)
                    handle.write(block.data)
                    written += block.size
                if written != length:
                    raise RuntimeError(f"{path}: {name} was declared with {length} elements but {written} were written")
