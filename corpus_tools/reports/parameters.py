"""Which notebooks a run executes and which parameters and reading options they get.

Everything here is checked before a run starts, so a typo is a :class:`ReportArgumentError`
naming what is valid rather than a failed notebook.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus_tools.paths import resolve_path

from .errors import ReportArgumentError

__all__ = [
    "BASE_PARAMETERS",
    "NOTEBOOK_GLOB",
    "check_parameters",
    "check_read_options",
    "declared_parameters",
    "find_notebooks",
    "jsonable",
    "run_labels",
]


#: Parameters every run passes to each notebook that declares them.
BASE_PARAMETERS = ("corpus_dir", "metadata", "output_dir")


#: Notebooks run by default: numbered ones, so scratch notebooks in the folder are left alone.
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"


#: Reading options a run does not pass through ``read_options``: ``on_error`` is a notebook
#: parameter of its own (the corpus and the metadata are the run's own arguments, not options).
_NOT_READ_OPTIONS = frozenset({"on_error"})


def check_read_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Check options for :func:`corpus_tools.read_corpus` before a report run passes them on.

    Parameters
    ----------
    options : mapping
        Keyword arguments of ``read_corpus``, e.g. ``{"text_column": "content"}``.

    Returns
    -------
    dict
        The same options, in the order given.

    Raises
    ------
    ReportArgumentError
        For a name ``read_corpus`` does not take (or that the run sets itself), a value that
        is not a literal, or one :class:`corpus_tools.io.options.ReadOptions` refuses. The
        message lists the names it takes, or names the option and what to do.
    """
    from corpus_tools.io.options import ReadOptions

    accepted = [name for name in ReadOptions.names() if name not in _NOT_READ_OPTIONS]
    checked: dict[str, Any] = {}
    for key, value in options.items():
        if key == "on_error":
            raise ReportArgumentError("on_error is a notebook parameter: pass it as -p on_error skip")
        if key not in accepted:
            raise ReportArgumentError(
                f"unknown reading option {key!r}; read_corpus takes: {', '.join(accepted)}"
            )
        if not jsonable(value):
            raise ReportArgumentError(f"reading option {key!r} must be a literal, got {type(value).__name__}")
        checked[key] = value
    try:
        # the values are checked where every reader checks them, so a bad one stops the run here
        ReadOptions.from_kwargs(checked)
    except (TypeError, ValueError) as error:
        raise ReportArgumentError(f"reading options: {error}") from error
    return checked


def find_notebooks(
    notebooks: Sequence[str | os.PathLike[str]] | None = None,
    *,
    notebooks_dir: str | os.PathLike[str] = "notebooks",
) -> list[Path]:
    """Return the notebooks a report run executes.

    Parameters
    ----------
    notebooks : sequence of str or os.PathLike, optional
        Notebooks to run, in order. Each is a path (relative to the project root) or a name in
        `notebooks_dir`: ``"01-topic-model.ipynb"``, ``"01-topic-model"`` or just ``"01"``.
        By default every ``NN-*.ipynb`` in `notebooks_dir`, sorted by name.
    notebooks_dir : str or os.PathLike, default "notebooks"
        Folder of the numbered notebooks, relative to the project root.

    Returns
    -------
    list of pathlib.Path
        Absolute paths.

    Raises
    ------
    ReportArgumentError
        If a notebook cannot be found or matches several files, two notebooks share a file name,
        or there are no notebooks to run.
    """
    folder = resolve_path(notebooks_dir)
    if notebooks is None:
        found = sorted(folder.glob(NOTEBOOK_GLOB)) if folder.is_dir() else []
        if not found:
            raise ReportArgumentError(f"no notebooks matching {NOTEBOOK_GLOB} in {folder}")
        return found

    paths: list[Path] = []
    for item in notebooks:
        text = os.fspath(item)
        direct = resolve_path(text)
        if ("/" in text or os.sep in text) or (direct.suffix == ".ipynb" and direct.is_file()):
            candidates = [direct] if direct.is_file() else []
        else:
            candidates = [p for p in (folder / text, folder / f"{text}.ipynb") if p.is_file()]
            if not candidates:
                candidates = sorted(folder.glob(f"{text}-*.ipynb"))
        if len(candidates) != 1:
            if candidates:
                what = "matches several notebooks: " + ", ".join(p.name for p in candidates)
            else:
                what = "matches no notebook"
            raise ReportArgumentError(f"notebook {text!r} {what} (looked in {folder})")
        if candidates[0] not in paths:
            paths.append(candidates[0])
    names = [p.name for p in paths]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ReportArgumentError(
            f"notebooks share a file name and would overwrite each other's report: {duplicates}"
        )
    if not paths:
        raise ReportArgumentError("no notebooks to run")
    return paths


def declared_parameters(path: Path, kernel_name: str) -> dict[str, dict[str, Any]]:
    """The parameters a notebook's ``parameters`` cell declares, as papermill reads them."""
    import papermill

    try:
        return dict(papermill.inspect_notebook(str(path)))
    except ValueError:
        # papermill reads the kernel name from the notebook's metadata only to choose the
        # Python translator; a notebook saved without kernelspec metadata is still Python.
        import nbformat
        from papermill.translators import papermill_translators

        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        if not cells:
            return {}
        translator = papermill_translators.find_translator(kernel_name, "python")
        return {p.name: p._asdict() for p in translator.inspect(cells[0])}


def jsonable(value: Any) -> bool:
    """Whether `value` is a literal JSON can hold (what a notebook parameter can be)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


#: What :func:`literal_default` returns for a declared default that is not a Python literal.
NOT_A_LITERAL = object()


def literal_default(source: str | None) -> Any:
    """Return the value a notebook parameter's declared default stands for.

    Parameters
    ----------
    source : str or None
        The default's source text, as papermill's parameter inspection gives it
        (``'"district"'``, ``"0.2"``, ``"None"``); None when none was declared.

    Returns
    -------
    object
        The literal's value, or :data:`NOT_A_LITERAL` when the text is not a Python literal (a
        name, a call) or missing. The text is parsed, never run.

    Examples
    --------
    >>> literal_default('["全区", "全市"]'), literal_default("None")
    (['全区', '全市'], None)
    >>> literal_default("os.getcwd()") is NOT_A_LITERAL
    True
    """
    import ast

    if source is None:
        return NOT_A_LITERAL
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError):
        return NOT_A_LITERAL


def _differs_from_default(value: Any, defaults: Sequence[str | None]) -> bool:
    """Whether a passed parameter differs from every notebook's declared default (source text)."""
    return all(literal_default(default) != value for default in defaults)


def run_labels(
    notebook_paths: Sequence[Path],
    all_notebooks: Sequence[Path],
    extra: Mapping[str, Any],
    declared: Mapping[Path, Mapping[str, Any]],
) -> list[str]:
    """What a run id shows besides time and corpus: a partial run's notebooks, changed parameters."""
    labels = []
    if {p.name for p in notebook_paths} != {p.name for p in all_notebooks}:
        labels.append("-".join("nb" + p.name.split("-", 1)[0] for p in notebook_paths))
    for key, value in extra.items():
        defaults = [names[key].get("default") for names in declared.values() if key in names]
        if not _differs_from_default(value, defaults):
            continue
        if isinstance(value, Mapping):
            labels.extend(f"{k}-{v}" for k, v in value.items())
        elif isinstance(value, list | tuple):
            labels.append(f"{key}-" + "_".join(map(str, value)))
        else:
            labels.append(f"{key}-{value}")
    return labels


def check_parameters(extra: Mapping[str, Any], declared: Mapping[Path, Mapping[str, Any]]) -> None:
    """Refuse, before anything runs, parameters the run sets itself, non-literals and names no notebook declares."""
    reserved = sorted(set(extra) & set(BASE_PARAMETERS))
    if reserved:
        raise ReportArgumentError(
            f"parameter(s) {reserved} are set by the run itself; use corpus_dir=/--corpus, "
            "metadata=/--metadata (output_dir is always the run folder)"
        )
    for key, value in extra.items():
        if not jsonable(value):
            raise ReportArgumentError(
                f"parameter {key!r} must be a literal (str, number, bool, None, list or dict), "
                f"got {type(value).__name__}"
            )
        # A parameter some notebooks lack (group_by in an overview) goes to those that declare
        # it; one that no notebook declares is a typo, and papermill would only warn about it.
        if not any(key in names for names in declared.values()):
            valid = "; ".join(
                f"{path.name}: {', '.join(sorted(names)) or '(no parameters cell)'}"
                for path, names in declared.items()
            )
            raise ReportArgumentError(
                f"unknown parameter {key!r}: no notebook declares it in its parameters cell. "
                f"Valid parameters are -- {valid}"
            )
