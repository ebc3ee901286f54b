"""Fast checks on the committed notebooks: one literal `parameters` cell and no stored outputs.

papermill injects parameters after the cell tagged ``parameters``; a value computed there would
not follow a passed parameter, and a missing comment leaves ``papermill --help-notebook`` mute.
Stored outputs put stale results (and corpus text) into git and make diffs unreadable.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def _params(notebooks):
    if not notebooks:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no notebooks yet"), id="none")]
    return [pytest.param(p, id=p.name) for p in notebooks]


def _parameter_cells(nb):
    return [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]


def _literal_assignment_problems(source: str) -> list[str]:
    """Say what in a parameters cell is not ``name = <literal>  # comment``, one per line."""
    problems = []
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"syntax error: {exc}"]
    comment_lines = {
        tok.start[0]
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }
    for stmt in tree.body:
        where = f"line {stmt.lineno}"
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            problems.append(f"{where}: only assignments belong in the parameters cell")
            continue
        if len(targets) != 1 or not isinstance(targets[0], ast.Name):
            problems.append(f"{where}: assign to one plain name")
        try:
            ast.literal_eval(value)
        except ValueError:
            problems.append(f"{where}: {ast.unparse(value)!r} is not a literal")
        if not comment_lines & set(range(stmt.lineno, stmt.end_lineno + 1)):
            problems.append(f"{where}: add a comment saying what the parameter means")
    return problems


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_exactly_one_parameters_cell_of_commented_literals(path):
    nb = nbformat.read(path, as_version=4)
    cells = _parameter_cells(nb)
    assert len(cells) == 1, f"{path.name} has {len(cells)} cells tagged 'parameters', not 1"
    assert cells[0].cell_type == "code"
    assert _literal_assignment_problems(cells[0].source) == []


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_no_stored_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert dirty == [], f"{path.name}: cells {dirty} hold outputs or execution counts; clear them"


@pytest.mark.parametrize(
    ("source", "n_problems"),
    [
        ('corpus_dir = "seeds"  # corpus folder\nrandom_state = 42  # seed\n', 0),
        ("group_by: str = 'district'  # docvar to compare\n", 0),
        ("# a heading comment\n\nn_topics = -1  # negative means auto\n", 0),
        ('stopwords = [\n    "的",\n    "了",\n]  # extra stopwords\n', 0),
        ('corpus_dir = "seeds"\n', 1),  # no comment
        ("n = 2 * 3  # derived\n", 1),  # not a literal
        ("import os  # no\n", 1),
        ('a = b = "x"  # chained\n', 1),
    ],
)
def test_the_parameters_cell_checker(source, n_problems):
    assert len(_literal_assignment_problems(source)) == n_problems


def _parameter_values(path: Path) -> dict[str, object]:
    cell = _parameter_cells(nbformat.read(path, as_version=4))[0]
    return {
        stmt.targets[0].id if isinstance(stmt, ast.Assign) else stmt.target.id: ast.literal_eval(stmt.value)
        for stmt in ast.parse(cell.source).body
    }


def test_topic_notebook_defaults_are_the_shared_topic_settings():
    """Notebook 01's topic parameters default to corpus_tools.topics.settings, which notebook 03 uses."""
    import dataclasses

    from corpus_tools.topics import TopicSettings

    values = _parameter_values(NOTEBOOK_DIR / "01-topic-model.ipynb")
    defaults = TopicSettings()
    for field in dataclasses.fields(TopicSettings):
        expected = getattr(defaults, field.name)
        given = values[field.name]
        assert (tuple(given) if isinstance(given, list) else given) == expected, field.name
    comparison = _parameter_values(NOTEBOOK_DIR / "03-district-comparison.ipynb")
    assert "n_topics" not in comparison and "k" not in comparison  # K comes from notebook 01 or its rule


#: Names only the shipped seeds have: prose about them belongs in docs/seeds-reading.md.
SEED_WORDS = ("槐荫", "召陵", "武隆", "市中区", "Jinan", "Zhaoling", "Wulong", "Huaiyin", "Shizhong", "Luohe",
              "on the seeds", "On the shipped seeds")


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_no_prose_about_the_seeds(path):
    nb = nbformat.read(path, as_version=4)
    found = [(i, w) for i, cell in enumerate(nb.cells) for w in SEED_WORDS if w in cell.source]
    assert found == [], f"{path.name}: seed-specific text in cells {found}; generate it with corpus_tools.reports.interpret"


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_every_reading_is_generated(path):
    """Each 'Reading the result' heading is followed by a cell that computes the reading."""
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and "## Reading the result" in cell.source:
            assert nb.cells[i + 1].cell_type == "code" and "interpret." in nb.cells[i + 1].source
    assert any("interpret.summary_slot()" in c.source for c in nb.cells)
    assert any(".fill(" in c.source for c in nb.cells)


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_every_notebook_starts_with_the_one_library_call(path):
    """The shared preamble (corpus, reading options, group, run folder) is reports.start, once."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    starts = [i for i, source in enumerate(code) if "start(corpus_dir, out_dir=output_dir" in source]
    assert starts == [0], f"{path.name}: reports.start is called in code cells {starts}, not once in the first"
    assert not any("open_corpus(" in source or "resolve_path(output_dir)" in source for source in code)
