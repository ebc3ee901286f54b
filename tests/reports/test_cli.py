"""Tests for corpus_tools.reports.cli: the dangshi-reports command's arguments."""

from __future__ import annotations

import subprocess
import sys

import pytest

from corpus_tools import reports
from corpus_tools.reports import cli
from corpus_tools.reports import ReportArgumentError


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7", 7),
        ("0.5", 0.5),
        ("true", True),
        ("null", None),
        ("[a, b]", ["a", "b"]),
        ("district", "district"),
        ("淮阴区", "淮阴区"),
        ("2021-06-01", "2021-06-01"),
    ],
)
def test_cli_values_are_yaml_literals(text, value):
    assert cli._parse_value(text) == value


def test_the_command_starts_without_compiling_iri_grammars_and_still_validates_notebooks():
    code = (
        "import sys; from corpus_tools.reports import cli; cli._skip_iri_grammars(); "
        "import nbformat, papermill; "
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])); "
        "print('lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_command_line_reading_options_become_read_corpus_keywords():
    from corpus_tools.io.options import ReadOptions

    args = cli._build_parser().parse_args(
        ["--text-column", "content", "--id-column", "url", "--format", "csv", "--min-han-share", "0.3"]
    )
    assert cli._cli_read_options(args) == {
        "text_column": "content", "id_column": "url", "format": "csv", "min_han_share": 0.3,
    }
    assert reports.check_read_options(cli._cli_read_options(args))  # every name read_corpus takes
    with pytest.raises(ReportArgumentError, match="NAME=DOCVAR"):
        cli._cli_read_options(cli._build_parser().parse_args(["--column", "媒体"]))
    if "columns" in ReadOptions.names():
        args = cli._build_parser().parse_args(["--column", "媒体=outlet", "--column", "发布日期=date_published"])
        assert cli._cli_read_options(args) == {"columns": {"媒体": "outlet", "发布日期": "date_published"}}


@pytest.mark.parametrize("flag", ["--n-jobs", "--jobs"])
def test_n_jobs_and_its_first_spelling_reach_run_reports(flag, monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "run_reports", lambda **kwargs: seen.update(kwargs))
    assert cli.main(["--notebook", "00", flag, "1"]) == 0
    assert seen["n_jobs"] == 1
    assert cli.main(["--notebook", "00"]) == 0
    assert seen["n_jobs"] is None  # run_reports decides


def test_the_memory_budget_reaches_run_reports_and_a_bad_one_is_named(monkeypatch, caplog):
    seen = {}
    monkeypatch.setattr(cli, "run_reports", lambda **kwargs: seen.update(kwargs))
    assert cli.main(["--notebook", "00", "--memory-budget", "3.5"]) == 0
    assert seen["memory_budget_gb"] == 3.5
    assert cli.main(["--notebook", "00"]) == 0
    assert seen["memory_budget_gb"] is None  # run_reports decides: most of the memory available
    assert cli.main(["--memory-budget", "four"]) == 2  # argparse: not a number
    assert seen["memory_budget_gb"] is None
    monkeypatch.undo()
    # Refused by run_reports before anything runs, naming the parameter.
    assert cli.main(["--notebook", "00", "--memory-budget", "-1"]) == 2
    assert "memory_budget_gb=-1.0" in caplog.text
