"""Tests for corpus_tools.reports.reuse: a run of unchanged inputs points at ``latest`` instead of re-running."""

from __future__ import annotations

import json
import logging
import os

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from corpus_tools.paths import PROJECT_ROOT_ENV
from corpus_tools.reports import cli, run_reports
from corpus_tools.reports.provenance import input_hashes
from corpus_tools.reports.reuse import changed_parts, reusable_run, run_fingerprint

from .test_run import _notebook, _parameters_cell

COUNT_CELL = """\
import pathlib

import pandas as pd

from corpus_tools.reports import save_table

texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(corpus_dir).glob("*.txt"))}
save_table(pd.DataFrame({"file": list(texts), "chars": [len(t) for t in texts.values()]}), output_dir, "chars")
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project with one notebook, which counts the characters of each corpus file."""
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "a.txt").write_text("学党史 悟思想\n", encoding="utf-8")
    _notebook(root / "notebooks" / "01-count.ipynb", new_markdown_cell("# Count"), _parameters_cell(),
              new_code_cell(COUNT_CELL))
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(root))
    return root


def _runs(root):
    return sorted(p.name for p in (root / "reports").iterdir() if p.is_dir() and not p.is_symlink())


def _fingerprint(root, **parameters):
    notebook = root / "notebooks" / "01-count.ipynb"
    given = {"corpus_dir": "seeds", **parameters}
    return run_fingerprint([notebook], {notebook.name: given}, input_hashes(root / "seeds", None), "dangshi-corpus")


def test_an_unchanged_run_points_at_latest_and_force_or_a_change_runs_again(project, caplog):
    caplog.set_level(logging.INFO, logger="corpus_tools.reports")
    first = run_reports()
    assert _runs(project) == [first.name]

    again = run_reports()
    assert again == first
    assert _runs(project) == [first.name]  # no folder was made
    assert "nothing to run" in caplog.text and first.name in caplog.text

    caplog.clear()
    forced = run_reports(force=True)
    assert forced != first and _runs(project) == sorted([first.name, forced.name])
    assert os.readlink(project / "reports" / "latest") == forced.name
    assert (forced / "tables" / "chars.csv").read_bytes() == (first / "tables" / "chars.csv").read_bytes()

    named = run_reports(run_id="named")  # a run id asked for is a run made
    assert named.name == "named"

    # An edited notebook runs again, and the log says why.
    notebook = project / "notebooks" / "01-count.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(new_markdown_cell("A note added after the first run."))
    nbformat.write(nb, notebook)
    caplog.clear()
    edited = run_reports()
    assert edited not in (first, forced, named)
    assert "changed since named: notebook 01-count.ipynb" in caplog.text

    # So does a changed corpus file; the table shows the change.
    (project / "seeds" / "a.txt").write_text("学党史 悟思想 办实事 开新局\n", encoding="utf-8")
    caplog.clear()
    grown = run_reports()
    assert "corpus files" in caplog.text
    assert pd.read_csv(grown / "tables" / "chars.csv")["chars"].tolist() == [len("学党史 悟思想 办实事 开新局\n")]


def test_latest_is_reused_only_while_its_inputs_and_files_are_as_recorded(project):
    reports_dir = project / "reports"
    assert reusable_run(reports_dir, _fingerprint(project)) == (None, f"no earlier complete run in {reports_dir}")
    run = run_reports()
    assert reusable_run(reports_dir, _fingerprint(project)) == (run, "")

    assert reusable_run(reports_dir, _fingerprint(project, random_state=2)) == (
        None, f"changed since {run.name}: parameters of 01-count.ipynb"
    )
    (project / "seeds" / "b.txt").write_text("新文件\n", encoding="utf-8")
    assert reusable_run(reports_dir, _fingerprint(project))[1] == f"changed since {run.name}: corpus files"
    (project / "seeds" / "b.txt").unlink()

    table = run / "tables" / "chars.csv"
    table.write_text(table.read_text(encoding="utf-8") + "edited,0\n", encoding="utf-8")
    reused, reason = reusable_run(reports_dir, _fingerprint(project))
    assert reused is None and "outputs changed" in reason and "tables/chars.csv" in reason

    table.unlink()
    (run / "01-count.html").unlink()
    assert reusable_run(reports_dir, _fingerprint(project)) == (None, f"{run.name} lacks the html of 01-count.ipynb")

    # A run made before fingerprints were recorded is never taken as current.
    manifest_path = run / "run.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["fingerprint"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    reused, reason = reusable_run(reports_dir, _fingerprint(project))
    assert reused is None and "did not record" in reason


def test_a_run_of_some_notebooks_is_always_made(project):
    _notebook(project / "notebooks" / "02-other.ipynb", _parameters_cell(), new_code_cell("x = random_state"))
    complete = run_reports()
    partial = run_reports(notebooks=["01"])
    assert partial != complete and partial.name.endswith("-nb01")
    assert run_reports() == complete


def test_changed_parts_name_each_difference():
    before = {
        "notebooks": {"01-a.ipynb": "1", "02-b.ipynb": "2"},
        "parameters": {"01-a.ipynb": {"k": 1}, "02-b.ipynb": {}},
        "corpus": "c", "package": "p", "installed": "i", "python": "CPython 3.12.1", "kernel": "k",
    }
    assert changed_parts(before, json.loads(json.dumps(before))) == []
    after = json.loads(json.dumps(before))
    after["notebooks"]["02-b.ipynb"] = "3"
    after["parameters"]["01-a.ipynb"]["k"] = 2
    after["installed"] = "j"
    after["python"] = "CPython 3.13.0"
    assert changed_parts(before, after) == [
        "notebook 02-b.ipynb", "parameters of 01-a.ipynb", "installed packages", "Python",
    ]
    after = json.loads(json.dumps(before))
    del after["notebooks"]["02-b.ipynb"]  # a notebook removed
    after["engine"] = "new"  # a part a later version adds
    assert changed_parts(before, after) == ["notebook 02-b.ipynb", "engine"]


def test_force_on_the_command_line_reaches_run_reports(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "run_reports", lambda **kwargs: seen.update(kwargs))
    assert cli.main(["--notebook", "00"]) == 0
    assert seen["force"] is False
    assert cli.main(["--notebook", "00", "--force"]) == 0
    assert seen["force"] is True
