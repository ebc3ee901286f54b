"""The README's examples run as written, so they cannot drift from the code.

Every ```python block runs, in order, in one namespace, in a scratch folder holding a copy of the
seeds (the README's relative paths are relative to the working directory, as for a user). Every
``make`` target and every ``--option`` of ``dangshi-reports`` / ``dangshi`` in a ```bash block must
exist.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_tools.cli import cli as dangshi_cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def _blocks(language: str) -> list[tuple[int, str]]:
    """Return ``(line number, code)`` for every fenced block in ``language``."""
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(2))
        for match in _FENCE.finditer(text)
        if match.group(1) == language
    ]


def test_readme_has_python_examples():
    assert len(_blocks("python")) >= 2


def test_python_examples_run_as_written(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    for line, code in _blocks("python"):
        try:
            exec(compile(code, f"README.md, block at line {line}", "exec"), namespace)  # noqa: S102
        except Exception as error:  # say which block broke, with the error
            pytest.fail(f"README.md block at line {line} failed: {type(error).__name__}: {error}")


def _make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))


def test_make_commands_name_real_targets():
    targets = _make_targets()
    used = {
        match
        for _, code in _blocks("bash")
        for match in re.findall(r"^\s*make\s+([a-z][a-z-]*)", code, re.M)
    }
    assert used, "the README shows no make command"
    assert used <= targets, f"README uses make targets that do not exist: {sorted(used - targets)}"


def _report_options() -> str:
    result = subprocess.run(
        [sys.executable, "-m", "corpus_tools.reports", "--help"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    return result.stdout


def test_command_options_in_the_readme_exist():
    report_help = _report_options()
    for _, code in _blocks("bash"):
        for line in code.splitlines():
            command = line.split("#", 1)[0]
            options = re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", command)
            if "dangshi-reports" in command or "REPORT_ARGS" in command:
                for option in options:
                    assert option in report_help, f"dangshi-reports has no {option} (README: {line.strip()})"
            elif re.search(r"\bdangshi\s+\w", command):
                sub = re.search(r"\bdangshi\s+(\w+)", command).group(1)
                assert sub in dangshi_cli.commands, f"dangshi has no command {sub!r} (README: {line.strip()})"
                params = {opt for p in dangshi_cli.commands[sub].params for opt in getattr(p, "opts", [])}
                params |= {"--help"}
                for option in options:
                    assert option in params, f"dangshi {sub} has no {option} (README: {line.strip()})"
