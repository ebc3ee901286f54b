"""Tests for corpus_tools.environment: every variable the library reads, read in one place."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import corpus_tools
from corpus_tools import environment as env


def test_every_variable_is_in_the_docstring_table():
    for name in env.VARIABLES:
        assert f"``{name}``" in env.__doc__
    assert len(set(env.VARIABLES)) == 12


def test_no_other_module_reads_the_environment():
    # The package may set variables for a kernel it starts; reading them is this module's job.
    package = Path(corpus_tools.__file__).parent
    readers = []
    for path in package.rglob("*.py"):
        if path.name == "environment.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ\.get\(|os\.getenv\(", text):
            readers.append(path.relative_to(package).as_posix())
    # Modules of other owners that still read directly are listed in the round's report.
    assert not [r for r in readers if not r.startswith(("reports/", "rhetoric/"))], readers


@pytest.mark.parametrize(
    ("value", "expected"),
    [("off", False), ("OFF ", False), ("0", False), ("no", False), ("false", False),
     ("on", True), ("", True), ("1", True), ("yes", True), ("True", True)],
)
def test_cache_switch(monkeypatch, value, expected):
    monkeypatch.setenv(env.CACHE_ENV, value)
    assert env.cache_enabled() is expected


def test_cache_switch_unset_is_on_and_nonsense_is_named(monkeypatch):
    monkeypatch.delenv(env.CACHE_ENV, raising=False)
    assert env.cache_enabled() is True
    monkeypatch.setenv(env.CACHE_ENV, "sometimes")
    with pytest.raises(ValueError, match=r"DANGSHI_CACHE='sometimes': expected on or off"):
        env.cache_enabled()


def test_folders_expand_the_home_and_blank_means_unset(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(env.CACHE_DIR_ENV, "~/cache")
    assert env.cache_dir_setting() == tmp_path / "cache"
    monkeypatch.setenv(env.CACHE_DIR_ENV, "  ")
    assert env.cache_dir_setting() is None
    monkeypatch.setenv(env.PROJECT_ROOT_ENV, "~/project")
    assert env.project_root_setting() == tmp_path / "project"
    monkeypatch.delenv(env.PROJECT_ROOT_ENV)
    assert env.project_root_setting() is None


def test_progress_settings(monkeypatch):
    monkeypatch.delenv(env.PROGRESS_ENV, raising=False)
    monkeypatch.delenv(env.PROGRESS_SECONDS_ENV, raising=False)
    monkeypatch.delenv(env.PROGRESS_FILE_ENV, raising=False)
    assert (env.progress_setting(), env.progress_seconds(), env.progress_file()) == ("auto", 10.0, None)
    monkeypatch.setenv(env.PROGRESS_ENV, " Log ")
    monkeypatch.setenv(env.PROGRESS_SECONDS_ENV, "-3")
    monkeypatch.setenv(env.PROGRESS_FILE_ENV, "/tmp/p.log")
    assert (env.progress_setting(), env.progress_seconds(), env.progress_file()) == ("log", 0.0, "/tmp/p.log")
    monkeypatch.setenv(env.PROGRESS_ENV, "loud")
    with pytest.raises(ValueError, match="DANGSHI_PROGRESS='loud'"):
        env.progress_setting()


def test_cores_cap_the_workers_of_n_jobs_none(monkeypatch):
    from corpus_tools.parallel import available_cores, n_workers

    monkeypatch.delenv(env.CORES_ENV, raising=False)
    every = available_cores()
    assert env.cores_setting() is None
    monkeypatch.setenv(env.CORES_ENV, "1")
    assert env.cores_setting() == 1 and available_cores() == 1
    assert n_workers(None, 10**9, 1) == 1 and n_workers(-1, 0, None) == 1
    assert n_workers(3, 0, None) == 3  # a number asked for outright is kept
    monkeypatch.setenv(env.CORES_ENV, "999")
    assert available_cores() == every  # never more than the process may run on
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(env.CORES_ENV, bad)
        with pytest.raises(ValueError, match=f"DANGSHI_CORES='{bad}': expected a whole number"):
            env.cores_setting()


def test_old_modules_keep_their_constants():
    from corpus_tools import paths, progress, resultcache, segment
    from corpus_tools.segment import cache as tokencache

    assert paths.PROJECT_ROOT_ENV == env.PROJECT_ROOT_ENV == "DANGSHI_PROJECT_ROOT"
    assert (progress.PROGRESS_ENV, progress.PROGRESS_FILE_ENV, progress.PROGRESS_SECONDS_ENV) == (
        "DANGSHI_PROGRESS", "DANGSHI_PROGRESS_FILE", "DANGSHI_PROGRESS_SECONDS",
    )
    assert resultcache.CACHE_ENV == tokencache.CACHE_ENV == "DANGSHI_CACHE"
    assert resultcache.CACHE_DIR_ENV == segment.CACHE_DIR_ENV == "DANGSHI_CACHE_DIR"


def test_importing_reads_nothing():
    code = (
        "import os; os.environ['DANGSHI_PROGRESS'] = 'loud'; os.environ['DANGSHI_CACHE'] = 'sometimes'\n"
        "import corpus_tools.environment, corpus_tools.progress, corpus_tools.resultcache; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "ok"


def test_raw_value_passes_a_setting_on_unchecked(monkeypatch):
    monkeypatch.delenv(env.PROGRESS_ENV, raising=False)
    assert env.raw_value(env.PROGRESS_ENV, "log") == "log"
    monkeypatch.setenv(env.PROGRESS_ENV, " Bar ")
    assert env.raw_value(env.PROGRESS_ENV, "log") == " Bar "
    with pytest.raises(KeyError, match="HOME is not a variable corpus_tools reads"):
        env.raw_value("HOME")
