"""Find the project root and resolve paths against it.

A notebook opened in JupyterLab runs with ``notebooks/`` as its working directory, one executed
by papermill may run anywhere, and the command line can be called from any folder. If relative
paths meant "relative to the working directory", ``corpus_dir="seeds"`` would name a different
folder in each case. This module makes every relative path mean "relative to the project root".
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from .environment import PROJECT_ROOT_ENV, project_root_setting

__all__ = [
    "PROJECT_NAME",
    "PROJECT_ROOT_ENV",
    "ProjectRootNotFound",
    "project_root",
    "resolve_path",
]

#: The ``[project].name`` in ``pyproject.toml`` that marks the project root.
PROJECT_NAME = "dangshi-corpus"


class ProjectRootNotFound(RuntimeError):
    """Raised when no project root can be found."""


def _is_project_root(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        with pyproject.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        # An unreadable or foreign pyproject.toml is simply not ours; keep walking up.
        return False
    return data.get("project", {}).get("name") == PROJECT_NAME


def _search_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if _is_project_root(folder):
            return folder
    return None


def project_root() -> Path:
    """Return the root folder of the dangshi-corpus project.

    The root is looked for in this order:

    1. the folder named by the environment variable ``DANGSHI_PROJECT_ROOT``, if set;
    2. the current working directory or the nearest of its parents holding a ``pyproject.toml``
       whose ``[project].name`` is ``dangshi-corpus``;
    3. the same search upwards from the installed ``corpus_tools`` package (this finds the
       checkout of an editable install wherever the working directory is).

    Returns
    -------
    pathlib.Path
        The absolute path of the project root.

    Raises
    ------
    ProjectRootNotFound
        If ``DANGSHI_PROJECT_ROOT`` names no folder, or no search finds the project.

    Notes
    -----
    Nothing is cached: the working directory and the environment may change between calls
    (tests do both), and the search reads at most a handful of small files.

    Examples
    --------
    >>> import os
    >>> from corpus_tools.paths import project_root
    >>> (project_root() / "pyproject.toml").is_file()  # doctest: +SKIP
    True
    """
    root = project_root_setting()
    if root is not None:
        if not root.is_dir():
            raise ProjectRootNotFound(f"{PROJECT_ROOT_ENV}={str(root)!r} does not name an existing folder")
        return root.absolute()

    cwd = Path.cwd()
    found = _search_upwards(cwd)
    if found is None:
        package_dir = Path(__file__).resolve().parent
        found = _search_upwards(package_dir)
    if found is None:
        raise ProjectRootNotFound(
            f"cannot find the {PROJECT_NAME} project root: no pyproject.toml naming "
            f"{PROJECT_NAME!r} above the working directory ({cwd}) or the installed package "
            f"({Path(__file__).resolve().parent}); set {PROJECT_ROOT_ENV} to the project folder"
        )
    return found


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """Resolve `path` against the project root.

    Parameters
    ----------
    path : str or os.PathLike
        An absolute path (returned as it is, after expanding ``~``) or a path relative to the
        project root, such as ``"seeds"`` or ``"reports/latest"``.

    Returns
    -------
    pathlib.Path
        An absolute path. Symlinks are not resolved and the path need not exist.

    Examples
    --------
    >>> from corpus_tools.paths import resolve_path
    >>> resolve_path("/tmp/corpus")
    PosixPath('/tmp/corpus')
    >>> resolve_path("seeds").name
    'seeds'
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    return project_root() / p
