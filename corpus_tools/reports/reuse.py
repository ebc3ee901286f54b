"""Whether the reports of ``latest`` are still current: a run's fingerprint and its comparison.

A report run is a function of its inputs: the notebooks, the parameters they get, the corpus
(and metadata) files, the package's code and data, the installed packages, Python and the
kernel. Each run records them in ``run.json`` as its ``fingerprint``; a new complete run with
the default run id whose fingerprint equals that of ``latest`` -- and whose tables, figures and
reports are still as that run wrote them -- would recompute the same tables (see
:func:`~corpus_tools.reports.run_reports`: reruns hash the same), so the runner points at it
instead (as ``make`` does with an up-to-date target, or Quarto's ``freeze``). ``--force``
runs the notebooks anyway.

What is not in the fingerprint, because it does not change what a run computes: the run id
and timings, how many notebooks run side by side, the Dask scheduler, progress and cache
settings, and the folder the project lives in.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from corpus_tools.corpus.store import WHOLE_PACKAGE, combined_sha256, package_fingerprint, sha256_file

from .provenance import MANIFEST_FILE, output_hashes

__all__ = ["FINGERPRINT_FIELD", "changed_parts", "reusable_run", "run_fingerprint"]

#: The field of ``run.json`` holding a run's fingerprint.
FINGERPRINT_FIELD = "fingerprint"


def _installed_packages_sha256() -> str:
    # Every installed distribution, not only the key packages the manifest lists: a numerical
    # dependency of a dependency can change a table too.
    listing = sorted(
        {f"{dist.metadata['Name']}=={dist.version}" for dist in importlib_metadata.distributions()}
    )
    return combined_sha256({name: "" for name in listing})


def run_fingerprint(
    notebooks: Sequence[Path],
    parameters: Mapping[str, Mapping[str, Any]],
    corpus_hashes: Mapping[str, str],
    kernel_name: str,
) -> dict[str, Any]:
    """What a run's tables depend on, hashed.

    Parameters
    ----------
    notebooks : sequence of pathlib.Path
        The notebooks the run executes.
    parameters : mapping
        Notebook file name → the parameters it is given, as the manifest records them (paths
        relative to the project root), without ``output_dir``, which names the run itself.
    corpus_hashes : mapping
        The corpus's :func:`~corpus_tools.reports.provenance.input_hashes`.
    kernel_name : str
        The Jupyter kernel the notebooks run on.

    Returns
    -------
    dict
        ``notebooks`` (file name → SHA-256 of the file), ``parameters`` (as given), ``corpus``
        (combined SHA-256 of the corpus and metadata files), ``package`` (SHA-256 of every module
        and data file of ``corpus_tools``), ``installed`` (SHA-256 of the sorted ``name==version``
        list of every installed distribution), ``python`` (version and implementation) and
        ``kernel``; JSON values only, so that it compares equal to itself read back from
        ``run.json``.
    """
    fingerprint = {
        "notebooks": {path.name: sha256_file(path) for path in notebooks},
        "parameters": {name: dict(values) for name, values in parameters.items()},
        "corpus": combined_sha256(corpus_hashes),
        "package": package_fingerprint(WHOLE_PACKAGE),
        "installed": _installed_packages_sha256(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "kernel": kernel_name,
    }
    return json.loads(json.dumps(fingerprint, ensure_ascii=False))


def changed_parts(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What differs between two fingerprints, in words (``"notebook 01-topics.ipynb"``, ``"corpus"``).

    Notebooks and parameters are named one by one; an empty list means equal fingerprints.
    """
    changes: list[str] = []
    for part in ("notebooks", "parameters"):
        old, new = before.get(part) or {}, now.get(part) or {}
        for name in sorted(set(old) | set(new)):
            if old.get(name) != new.get(name):
                changes.append(f"{part[:-1]} {name}" if part == "notebooks" else f"parameters of {name}")
    described = {"corpus": "corpus files", "package": "corpus_tools code or data",
                 "installed": "installed packages", "python": "Python", "kernel": "kernel"}
    changes.extend(words for part, words in described.items() if before.get(part) != now.get(part))
    known = {"notebooks", "parameters", *described}
    changes.extend(sorted(part for part in set(before) | set(now) if part not in known and before.get(part) != now.get(part)))
    return changes


def reusable_run(reports_dir: Path, fingerprint: Mapping[str, Any]) -> tuple[Path | None, str]:
    """The run ``latest`` points at, if it was made from these inputs and is intact.

    Parameters
    ----------
    reports_dir : pathlib.Path
        The reports folder holding ``latest``.
    fingerprint : mapping
        The :func:`run_fingerprint` of the run about to start.

    Returns
    -------
    run : pathlib.Path or None
        The run folder to reuse, or None when the notebooks must run.
    reason : str
        Why not (for the log): no earlier run, what changed, which file of the earlier run is
        missing or was edited; empty when `run` is given.
    """
    latest = reports_dir / "latest"
    if not latest.is_symlink():
        return None, f"no earlier complete run in {reports_dir}"
    run_dir = latest.resolve()
    try:
        manifest = json.loads((run_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, f"{run_dir / MANIFEST_FILE} is missing or unreadable"
    previous = manifest.get(FINGERPRINT_FIELD)
    if manifest.get("status") != "succeeded" or not manifest.get("complete"):
        return None, f"{run_dir.name} is not a complete successful run"
    if not isinstance(previous, dict):
        return None, f"{run_dir.name} was made by a version that did not record its inputs' fingerprint"
    changes = changed_parts(previous, fingerprint)
    if changes:
        return None, f"changed since {run_dir.name}: " + ", ".join(changes)
    for entry in manifest.get("notebooks", []):
        for kind in ("ipynb", "html"):
            if not entry.get(kind) or not (run_dir / entry[kind]).is_file():
                return None, f"{run_dir.name} lacks the {kind} of {entry.get('notebook')}"
    now = output_hashes(run_dir)
    recorded = manifest.get("outputs") or {}
    edited = sorted(name for name in set(now) | set(recorded) if now.get(name) != recorded.get(name))
    if edited:
        return None, f"{run_dir.name}'s outputs changed since it was written: " + ", ".join(edited[:5])
    return run_dir, ""
