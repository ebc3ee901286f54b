"""Tests for corpus_tools.paths: finding the project root and resolving paths against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_tools import paths
from corpus_tools.paths import PROJECT_ROOT_ENV, ProjectRootNotFound, project_root, resolve_path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _pyproject(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n', encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def _no_env_root(monkeypatch):
    monkeypatch.delenv(PROJECT_ROOT_ENV, raising=False)


def test_env_var_wins(tmp_path, monkeypatch):
    _pyproject(tmp_path / "elsewhere", "dangshi-corpus")
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(tmp_path))
    assert project_root() == tmp_path


def test_env_var_naming_no_folder_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(tmp_path / "missing"))
    with pytest.raises(ProjectRootNotFound, match=PROJECT_ROOT_ENV):
        project_root()


def test_walks_up_from_the_working_directory(tmp_path, monkeypatch):
    root = _pyproject(tmp_path / "proj", "dangshi-corpus")
    (root / "notebooks").mkdir()
    monkeypatch.chdir(root / "notebooks")
    assert project_root() == root


def test_skips_a_pyproject_of_another_project(tmp_path, monkeypatch):
    root = _pyproject(tmp_path / "proj", "dangshi-corpus")
    inner = _pyproject(root / "vendor" / "other", "some-other-project")
    (inner / "src").mkdir()
    monkeypatch.chdir(inner / "src")
    assert project_root() == root


def test_falls_back_to_the_package_location(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no pyproject.toml above tmp_path
    assert project_root() == REPO_ROOT


def test_no_root_anywhere_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    installed = tmp_path / "site-packages" / "corpus_tools" / "paths.py"  # no pyproject above
    monkeypatch.setattr(paths, "__file__", str(installed))
    with pytest.raises(ProjectRootNotFound, match=PROJECT_ROOT_ENV):
        project_root()


@pytest.mark.parametrize("cwd_below_root", ["", "notebooks", "notebooks/deeper"])
def test_relative_paths_resolve_against_the_root_from_anywhere(
    tmp_path, monkeypatch, cwd_below_root
):
    root = _pyproject(tmp_path / "proj", "dangshi-corpus")
    cwd = root / cwd_below_root
    cwd.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(cwd)
    assert resolve_path("seeds") == root / "seeds"
    assert resolve_path(Path("reports") / "latest") == root / "reports" / "latest"


def test_absolute_paths_stay(tmp_path):
    assert resolve_path(tmp_path / "x") == tmp_path / "x"
    assert resolve_path(str(tmp_path)) == tmp_path


def test_home_is_expanded(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_path("~/corpus") == tmp_path / "corpus"
