"""What a run records about itself: the manifest ``run.json``.

Hashes of the corpus, the lexicons and every output, the git state, Python, platform and the
key packages' versions (:func:`new_manifest`, :func:`finish_manifest`, :func:`write_manifest`).
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
import sys
import time
from collections.abc import Mapping
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from corpus_tools.corpus.store import combined_sha256, file_hashes, sha256_file
from corpus_tools.environment import PROGRESS_ENV, raw_value

__all__ = [
    "EXECUTION_MANIFEST_FIELDS",
    "KEY_PACKAGES",
    "MANIFEST_FILE",
    "VARYING_MANIFEST_FIELDS",
    "VARYING_NOTEBOOK_FIELDS",
    "display_path",
    "finish_manifest",
    "iso",
    "input_hashes",
    "new_manifest",
    "output_hashes",
    "utc_now",
    "write_manifest",
]


#: Distributions whose versions go into the manifest.
KEY_PACKAGES = (
    "dangshi-corpus",
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "jieba",
    "gensim",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "opencc",
    "pypinyin",
    "pyarrow",
    "mplfonts",
    "charset-normalizer",
    # the engines behind the analyses' numbers
    "rjieba",
    "scikit-learn",
    "sparse-dot-topn",
    "statsmodels",
    "tomotopy",
    "datasketch",
)


#: The fields of ``run.json`` that differ between two runs of the same inputs (see run_reports):
#: names, clock times and the memory budget (by default a share of the memory available).
VARYING_MANIFEST_FIELDS = ("run_id", "started_at", "finished_at", "wall_seconds", "waited_seconds",
                           "memory_budget_mb")

#: The fields of a notebook's record in ``run.json`` that differ between two runs of the same
#: inputs: its clock times and memory, and the plan they led to (the next run plans by them).
VARYING_NOTEBOOK_FIELDS = ("started_at", "finished_at", "wall_seconds", "waited_seconds", "peak_memory_mb",
                           "expected_peak_mb", "sharing")

#: The fields of ``run.json`` that say how a run was executed, not what it computed: the
#: notebooks run side by side (``jobs``) and the Dask scheduler the corpus reading and the
#: per-document analyses ran on (``dask_scheduler``, None for this machine), and the memory the
#: notebooks were planned to fit in (``memory_budget_mb``). Two runs of the same inputs that
#: differ only here have tables and figures that hash the same.
EXECUTION_MANIFEST_FIELDS = ("jobs", "dask_scheduler", "memory_budget_mb")


_MANIFEST_VERSION = 1


def display_path(path: Path, root: Path) -> str:
    """Path relative to the project root when inside it, so manifests compare across clones."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _git_state(root: Path) -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain")
    return {
        "commit": commit.strip() if commit else None,
        # None when git (or a repository) is missing: unknown is not the same as clean.
        "dirty": None if status is None else bool(status.strip()),
    }


def _package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _lexicon_hashes() -> tuple[Path, dict[str, str]]:
    from importlib import resources

    data_dir = Path(str(resources.files("corpus_tools") / "data"))
    return data_dir, (file_hashes(data_dir) if data_dir.is_dir() else {})


def utc_now() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """`moment` as ISO 8601 to the second."""
    return moment.isoformat(timespec="seconds")


#: The run manifest in every run folder.
MANIFEST_FILE = "run.json"


def write_manifest(run_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``run.json`` into `run_dir` (UTF-8, indented, keys in the order given)."""
    path = run_dir / MANIFEST_FILE
    text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def output_hashes(run_dir: Path) -> dict[str, str]:
    """The SHA-256 of every table and figure of a run folder, by path relative to it."""
    hashes: dict[str, str] = {}
    for kind in ("tables", "figures"):
        folder = run_dir / kind
        if folder.is_dir():
            hashes.update({f"{kind}/{k}": v for k, v in file_hashes(folder).items()})
    return hashes


def input_hashes(corpus_path: Path, metadata_path: Path | None) -> dict[str, str]:
    """The SHA-256 of every corpus file (:func:`file_hashes`) and of a metadata file outside it.

    The metadata file is keyed ``metadata:<file name>``, so the combined hash does not depend
    on where it lives.
    """
    hashes = file_hashes(corpus_path)
    if metadata_path is not None and not metadata_path.is_relative_to(corpus_path):
        hashes[f"metadata:{metadata_path.name}"] = sha256_file(metadata_path)
    return hashes


def new_manifest(
    run_id: str, root: Path, corpus_path: Path, metadata_path: Path | None, kernel_name: str,
    *, dask_scheduler: str | None = None, corpus_hashes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The manifest of a run about to start: inputs hashed, versions, git state, no notebooks yet.

    `dask_scheduler` (the cluster's address, or None) is recorded as an execution setting
    (:data:`EXECUTION_MANIFEST_FIELDS`). `corpus_hashes` are the corpus's :func:`input_hashes`
    when the caller has them already.
    """
    if corpus_hashes is None:
        corpus_hashes = input_hashes(corpus_path, metadata_path)
    data_dir, lexicon_hashes = _lexicon_hashes()
    return {
        "manifest_version": _MANIFEST_VERSION,
        "run_id": run_id,
        "status": "running",
        "started_at": iso(utc_now()),
        "finished_at": None,
        "wall_seconds": None,
        "project_root": str(root),
        "kernel": kernel_name,
        "kernel_environment": {"PYTHONHASHSEED": "0", PROGRESS_ENV: raw_value(PROGRESS_ENV, "log")},
        "dask_scheduler": dask_scheduler,
        "git": _git_state(root),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "platform": platform.platform(),
        "packages": _package_versions(),
        "corpus": {
            "corpus_dir": display_path(corpus_path, root),
            "metadata": display_path(metadata_path, root) if metadata_path else None,
            "files": corpus_hashes,
            "combined_sha256": combined_sha256(corpus_hashes),
        },
        "lexicons": {
            "folder": display_path(data_dir, root),
            "files": lexicon_hashes,
            "combined_sha256": combined_sha256(lexicon_hashes),
        },
        "notebooks": [],
        "outputs": {},
    }


def finish_manifest(manifest: dict[str, Any], run_dir: Path, t_run: float) -> None:
    """Stamp the end time and wall time and hash every table and figure of the run."""
    manifest["finished_at"] = iso(utc_now())
    manifest["wall_seconds"] = round(time.perf_counter() - t_run, 3)
    manifest["outputs"] = output_hashes(run_dir)
