"""Tests for corpus_tools.reports (the runner and the modules it uses): saving outputs and running notebooks into report folders.

The notebooks here are tiny throwaway ones built with nbformat, so a run takes a couple of
seconds (one kernel start per notebook) and the tests do not depend on the analysis notebooks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from corpus_tools import reports
from corpus_tools.reports import cli, failure, folders, html, kernels, parameters, provenance, schedule
from corpus_tools.paths import PROJECT_ROOT_ENV
from corpus_tools.reports import (
    NotebookFailedError,
    ReportArgumentError,
    default_run_id,
    run_reports,
    save_figure,
    save_table,
)

INPUT_MARKER = "INPUT-MARKER-4f1c"  # appears only in code, so its absence shows inputs are hidden

PARAMETERS = """\
corpus_dir = "seeds"  # corpus folder, relative to the project root
output_dir = "reports/scratch"  # run folder for tables and figures
random_state = 1  # seed
"""

TABLE_CELL = f"""\
# {INPUT_MARKER}
import os
import pathlib

import pandas as pd

from corpus_tools.reports import save_table

files = sorted(p.name for p in pathlib.Path(corpus_dir).iterdir())
save_table(pd.DataFrame({{"file": files, "share": [1 / 3] * len(files)}}), output_dir, "files")
save_table(
    pd.DataFrame(
        {{
            "cwd": [os.getcwd()],
            "root": [os.environ.get("{PROJECT_ROOT_ENV}")],
            "hashseed": [os.environ.get("PYTHONHASHSEED")],
            "random_state": [random_state],
        }}
    ),
    output_dir,
    "environment",
)
print("<b>corpus text</b>", len(files))
"""


def _notebook(path: Path, *cells) -> Path:
    nb = new_notebook(
        cells=list(cells),
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _parameters_cell(source: str = PARAMETERS):
    return new_code_cell(source, metadata={"tags": ["parameters"]})


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A throwaway project: a two-file corpus and two notebooks, one of which fails."""
    root = tmp_path_factory.mktemp("project")
    corpus = root / "seeds"
    corpus.mkdir()
    (corpus / "a.txt").write_text("学党史 悟思想\n", encoding="utf-8")
    (corpus / "b.txt").write_text("办实事 开新局\n", encoding="utf-8")
    (corpus / ".DS_Store").write_bytes(b"not an input")
    _notebook(
        root / "notebooks" / "01-table.ipynb",
        new_markdown_cell("# Files in the corpus"),
        _parameters_cell(),
        new_code_cell(TABLE_CELL),
    )
    _notebook(
        root / "notebooks" / "02-fail.ipynb",
        new_markdown_cell("A notebook that *fails*."),
        _parameters_cell(),
        new_code_cell(
            "import pandas as pd\nfrom corpus_tools.reports import save_table\n"
            'save_table(pd.DataFrame({"x": [1]}), output_dir, "partial")'
        ),
        new_code_cell("ratio = 1 / 0"),
    )
    (root / "notebooks" / "scratch.ipynb").write_text("not run: no NN- prefix")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PROJECT_ROOT_ENV, str(root))
        yield root


@pytest.fixture(scope="module")
def two_runs(project):
    """Two successful runs of the same inputs: one with a given id, one with the default id."""
    first = run_reports(notebooks=["01"], run_id="first-run")
    second = run_reports(notebooks=["01-table.ipynb"])
    return first, second


# ------------------------------------------------------------------------------------------
# save_table / save_figure
# ------------------------------------------------------------------------------------------


def test_save_table_writes_plain_utf8_with_lf(tmp_path):
    df = pd.DataFrame({"district": ["淮阴区", "清江浦区"], "rate": [1 / 3, 2.0]})
    path = save_table(df, tmp_path, "rates")
    assert path == tmp_path / "tables" / "rates.csv"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    assert raw.decode("utf-8") == "district,rate\n淮阴区,0.3333333333\n清江浦区,2\n"


def test_save_table_is_byte_identical_on_repeat(tmp_path):
    df = pd.DataFrame({"x": [0.1 + 0.2, 1e-12, 12345.678901234]})
    first = save_table(df, tmp_path / "a", "t").read_bytes()
    assert save_table(df, tmp_path / "b", "t.csv").read_bytes() == first


def test_save_table_resolves_relative_output_dir_against_project_root(tmp_path, monkeypatch):
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(tmp_path))
    path = save_table(pd.DataFrame({"x": [1]}), "reports/scratch", "t", index=True)
    assert path == tmp_path / "reports" / "scratch" / "tables" / "t.csv"
    assert path.read_text(encoding="utf-8") == ",x\n0,1\n"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_a_spreadsheet_would_evaluate_are_prefixed_and_parquet_keeps_them_raw(tmp_path, prefix):
    import csv

    cell = f"{prefix}HYPERLINK(\"http://evil.example\",\"点击\")"
    df = pd.DataFrame(
        {
            "title": [cell, "学史明理", None],
            "n": [-3, 2, 1],  # numbers stay numbers, negative ones too
            "rate": [-0.5, 1.25, 2.0],
            f"{prefix}列": ["a", "b", "c"],  # a column name from the corpus (a district, a term)
        }
    )
    path = save_table(df, tmp_path, "hostile")
    # Read back with the standard library, as a spreadsheet import sees the cells.
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["title", "n", "rate", f"'{prefix}列"]
    assert rows[1] == [f"'{cell}", "-3", "-0.5", "a"]
    assert rows[2] == ["学史明理", "2", "1.25", "b"]
    assert rows[3] == ["", "1", "2", "c"]
    assert len(rows) == 4  # a bare carriage return did not split a row
    raw = pd.read_parquet(path.with_suffix(".parquet"))
    assert list(raw.columns) == ["title", "n", "rate", f"{prefix}列"]
    assert raw["title"].iloc[0] == cell
    assert raw["n"].tolist() == [-3, 2, 1]
    assert str(raw["n"].dtype) == "int64"


def test_csv_neutralises_categories_and_index_and_the_parquet_copy_is_reproducible(tmp_path):
    df = pd.DataFrame({"group": pd.Categorical(["=1+1", "甲区"]), "x": [1, 2]}, index=["@a", "b"])
    first = save_table(df, tmp_path / "a", "t", index=True)
    assert first.read_text(encoding="utf-8") == ",group,x\n'@a,'=1+1,1\nb,甲区,2\n"
    second = save_table(df, tmp_path / "b", "t", index=True)
    assert first.with_suffix(".parquet").read_bytes() == second.with_suffix(".parquet").read_bytes()
    assert pd.read_parquet(first.with_suffix(".parquet")).index.tolist() == ["@a", "b"]


def test_a_column_parquet_cannot_type_is_kept_as_text(tmp_path):
    df = pd.DataFrame({"mixed": [1, "二", [3]], "ok": [1, 2, 3]})
    path = save_table(df, tmp_path, "mixed")
    assert pd.read_parquet(path.with_suffix(".parquet"))["mixed"].tolist() == ["1", "二", "[3]"]


def test_save_figure_is_deterministic_and_has_no_software_tag(tmp_path):
    fig = Figure(figsize=(2, 2))  # no pyplot: no global figure or backend state in tests
    fig.subplots().plot([0, 1], [1, 0])
    first = save_figure(fig, tmp_path / "a", "line", dpi=50).path
    second = save_figure(fig, tmp_path / "b", "line.png", dpi=50).path
    assert first == tmp_path / "a" / "figures" / "line.png"
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()
    assert b"Matplotlib" not in first.read_bytes()


def test_a_saved_figure_displays_as_the_file_written_with_its_title_as_alt_text(tmp_path):
    import matplotlib.image

    from corpus_tools.textplot import use_cjk_font

    use_cjk_font()
    fig = Figure(figsize=(4, 3))
    fig.subplots().set_title("各组概况")
    saved = save_figure(fig, tmp_path, "profile", dpi=50)
    data, metadata = saved._repr_png_()
    assert data == saved.path.read_bytes()  # the file itself, not a second rendering
    height_px, width_px = matplotlib.image.imread(saved.path).shape[:2]
    assert metadata == {"width": round(width_px * 100 / 50), "alt": "各组概况"}
    assert os.fspath(saved) == str(saved.path)
    assert str(tmp_path) not in repr(saved)  # notebook text output does not depend on the run folder
    untitled = save_figure(Figure(figsize=(2, 2)), tmp_path, "untitled", dpi=50)
    assert untitled._repr_png_()[1]["alt"] == "untitled"


@pytest.mark.parametrize("name", ["../evil", "..", "a/b", "a\\b", ".hidden", "", "x/../../evil"])
def test_save_table_and_figure_refuse_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(ValueError, match="name"):
        save_table(pd.DataFrame({"x": [1]}), tmp_path / "run", name)
    with pytest.raises(ValueError, match="name"):
        save_figure(None, tmp_path / "run", name)
    assert not (tmp_path / "evil.csv").exists()
    assert not (tmp_path / "run").exists()


# ------------------------------------------------------------------------------------------
# run ids and arguments
# ------------------------------------------------------------------------------------------


def test_default_run_id_is_utc_time_and_corpus_name():
    import datetime as dt

    moment = dt.datetime(2026, 11, 21, 15, 12, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert default_run_id("seeds", now=moment) == "20261121T071205Z-seeds"
    assert default_run_id("/data/党史 corpus", now=moment) == "20261121T071205Z-corpus"


def test_unknown_parameter_is_a_clear_error_before_anything_runs(project):
    with pytest.raises(ReportArgumentError) as info:
        run_reports(notebooks=["01"], parameters={"n_topicz": 5}, run_id="never")
    message = str(info.value)
    assert "'n_topicz'" in message
    assert "01-table.ipynb" in message and "random_state" in message and "corpus_dir" in message
    assert not (project / "reports" / "never").exists()
    assert not (project / "reports" / ".incomplete-never").exists()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"corpus_dir": "no-such-corpus"}, "does not exist"),
        ({"metadata": "seeds/missing.csv"}, "does not exist"),
        ({"notebooks": ["99"]}, "matches no notebook"),
        ({"parameters": {"output_dir": "/tmp"}}, "set by the run itself"),
        ({"run_id": "../escape"}, "plain folder name"),
        ({"run_id": "latest"}, "reserved"),
    ],
)
def test_bad_arguments(project, kwargs, match):
    with pytest.raises(ReportArgumentError, match=match):
        run_reports(**kwargs)


def test_cli_exit_codes_without_running_a_kernel(project, monkeypatch, caplog):
    assert reports.main(["--notebook", "01", "-p", "n_topicz", "5"]) == 2
    assert "n_topicz" in caplog.text
    assert reports.main(["--no-such-option"]) == 2

    def failing(**kwargs):
        raise NotebookFailedError(
            "boom", notebook="x", cell_index=1, ename="E", evalue="v", run_dir=project
        )

    monkeypatch.setattr(cli, "run_reports", failing)
    assert reports.main([]) == 1


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


# ------------------------------------------------------------------------------------------
# a successful run
# ------------------------------------------------------------------------------------------


def test_run_folder_layout(project, two_runs):
    _, run = two_runs
    reports_dir = project / "reports"
    # one of two notebooks: the run id says which
    assert re.fullmatch(r"\d{8}T\d{6}Z-seeds-nb01", run.name)
    assert run == reports_dir / run.name
    names = {p.relative_to(run).as_posix() for p in run.rglob("*")}
    assert names == {
        "01-table.ipynb",
        "01-table.html",
        "index.html",
        "run.json",
        "tables",
        "tables/files.csv",
        "tables/files.parquet",
        "tables/environment.csv",
        "tables/environment.parquet",
    }
    assert not any(p.name.startswith(".incomplete-") for p in reports_dir.iterdir())
    # runs of some of the notebooks never become `latest`
    assert not (reports_dir / "latest").exists()


def test_notebook_ran_with_parameters_kernel_env_and_cwd(project, two_runs):
    _, run = two_runs
    files = pd.read_csv(run / "tables" / "files.csv")
    assert files["file"].tolist() == [".DS_Store", "a.txt", "b.txt"]
    env = pd.read_csv(run / "tables" / "environment.csv").iloc[0]
    assert env["cwd"] == str(project / "notebooks")
    assert env["root"] == str(project)
    assert env["hashseed"] == 0
    assert env["random_state"] == 1  # not passed: the notebook's default


def test_manifest(project, two_runs):
    _, run = two_runs
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == run.name
    assert manifest["status"] == "succeeded"
    assert manifest["kernel"] == "dangshi-corpus"
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert manifest["python"]["version"] == platform.python_version()  # whichever supported Python runs the tests
    for name in (
        "pandas",
        "numpy",
        "scipy",
        "matplotlib",
        "jieba",
        "gensim",
        "papermill",
        "nbconvert",
        "opencc",
        "pypinyin",
        "mplfonts",
        "charset-normalizer",
    ):
        assert manifest["packages"][name], name

    corpus = manifest["corpus"]
    assert corpus["corpus_dir"] == "seeds"
    expected = {
        name: hashlib.sha256((project / "seeds" / name).read_bytes()).hexdigest()
        for name in ("a.txt", "b.txt")
    }
    assert corpus["files"] == expected  # hidden files are not inputs
    listing = "".join(f"{expected[k]}  {k}\n" for k in sorted(expected))
    assert corpus["combined_sha256"] == hashlib.sha256(listing.encode()).hexdigest()
    assert len(manifest["lexicons"]["combined_sha256"]) == 64

    (record,) = manifest["notebooks"]
    assert record["notebook"] == "01-table.ipynb"
    assert record["status"] == "succeeded"
    assert record["parameters"] == {"corpus_dir": "seeds", "output_dir": f"reports/{run.name}"}
    assert record["defaults"] == {"random_state": "1"}
    assert record["wall_seconds"] > 0
    assert set(manifest["outputs"]) == {f"tables/{n}.{x}" for n in ("files", "environment") for x in ("csv", "parquet")}


def test_only_run_id_and_timings_differ_between_identical_runs(two_runs):
    first, second = (json.loads((run / "run.json").read_text(encoding="utf-8")) for run in two_runs)

    def normalised(manifest):
        text = json.dumps(manifest).replace(manifest["run_id"], "<run-id>")
        out = json.loads(text)
        for key in reports.VARYING_MANIFEST_FIELDS:
            out.pop(key, None)
        for record in out["notebooks"]:
            for key in ("started_at", "finished_at", "wall_seconds"):
                record.pop(key)
        return out

    assert normalised(first) == normalised(second)
    for name in ("files.csv", "environment.csv"):
        a, b = (run / "tables" / name for run in two_runs)
        assert a.read_bytes() == b.read_bytes()
    first_html, second_html = (run / "01-table.html" for run in two_runs)
    assert first_html.read_bytes() == second_html.read_bytes()


def test_html_report_is_input_free_escaped_and_offline(two_runs):
    _, run = two_runs
    page = (run / "01-table.html").read_text(encoding="utf-8")
    assert "Files in the corpus" in page  # markdown narrative stays
    assert INPUT_MARKER not in page and "save_table(" not in page
    assert "&lt;b&gt;corpus text&lt;/b&gt;" in page and "<b>corpus text</b>" not in page
    assert not re.search(r"<script[^>]+src=", page)


def test_index_links_reports_tables_and_manifest(two_runs):
    _, run = two_runs
    index = (run / "index.html").read_text(encoding="utf-8")
    hrefs = ("01-table.html", "01-table.ipynb", "tables/files.csv", "tables/environment.csv")
    for href in (*hrefs, "run.json"):
        assert f'href="{href}"' in index
    assert run.name in index


# ------------------------------------------------------------------------------------------
# a failing run
# ------------------------------------------------------------------------------------------


def test_failing_notebook_keeps_latest_and_earlier_runs(project, two_runs):
    reports_dir = project / "reports"
    latest = reports_dir / "latest"
    latest_before = os.readlink(latest) if latest.is_symlink() else None
    digests_before = {run.name: _tree_digest(run) for run in two_runs}

    with pytest.raises(NotebookFailedError) as info:
        run_reports(notebooks=["01", "02"], run_id="broken")

    error = info.value
    message = str(error)
    assert "02-fail.ipynb" in message
    # the fourth cell as the author sees it; papermill's index counts its injected cell too
    assert "cell 4 " in message and "cell_index 4" in message and "ratio = 1 / 0" in message
    assert "ZeroDivisionError" in message
    assert error.notebook == "02-fail.ipynb" and error.cell_index == 4
    assert error.ename == "ZeroDivisionError"
    assert error.run_dir == reports_dir / "failed-broken"

    assert (os.readlink(latest) if latest.is_symlink() else None) == latest_before
    assert {run.name: _tree_digest(run) for run in two_runs} == digests_before
    assert not (reports_dir / "broken").exists()
    assert not (reports_dir / ".incomplete-broken").exists()

    failed = reports_dir / "failed-broken"
    assert (failed / "tables" / "partial.csv").is_file()
    assert (failed / "tables" / "files.csv").is_file()  # from the notebook that succeeded
    assert (failed / "02-fail.ipynb").is_file() and (failed / "02-fail.html").is_file()
    manifest = json.loads((failed / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert [r["status"] for r in manifest["notebooks"]] == ["succeeded", "failed"]
    assert manifest["notebooks"][1]["error"]["ename"] == "ZeroDivisionError"
    assert "failed" in (failed / "index.html").read_text(encoding="utf-8")

    with pytest.raises(ReportArgumentError, match="already used"):
        run_reports(notebooks=["01"], run_id="broken")


def test_ensure_kernel_registers_this_interpreter():
    from jupyter_client.kernelspec import KernelSpecManager

    folder = reports.ensure_kernel()
    spec = KernelSpecManager().get_kernel_spec(reports.KERNEL_NAME)
    assert Path(spec.resource_dir) == folder
    assert kernels._same_interpreter(spec.argv[0])
    assert spec.display_name == "Python (dangshi-corpus)"


def test_logger_is_the_package_logger():
    assert reports.logger.name == "corpus_tools.reports"
    assert logging.getLogger("corpus_tools") is reports.logger.parent


def test_styler_table_ids_are_made_stable_for_reports():
    df = pd.DataFrame({"标题": ["学党史", "T_abcde 办实事"], "n": [1, 2]})
    first, second = (df.style.highlight_max(subset=["n"]).to_html() for _ in range(2))
    assert first != second  # pandas draws a random id per rendering
    assert html._stable_styler_ids(first, "c1o0") == html._stable_styler_ids(second, "c1o0")
    assert "T_abcde 办实事" in html._stable_styler_ids(first, "c1o0")


# ------------------------------------------------------------------------------------------
# notebooks side by side
# ------------------------------------------------------------------------------------------


def _entries(n):
    return [{"notebook": f"{i:02d}.ipynb", "status": "pending"} for i in range(n)]


def test_execute_all_reports_the_first_failure_in_notebook_order_and_runs_nothing_after_it():
    import threading

    for jobs in (1, 2):
        entries = _entries(4)
        started = []
        lock = threading.Lock()

        def execute(index, entries=entries, started=started):
            with lock:
                started.append(index)
            entries[index]["status"] = "running"
            if index == 1:
                raise ZeroDivisionError("boom")
            entries[index]["status"] = "succeeded"

        failed_entry, exc = schedule.execute_all(execute, entries, jobs)
        assert failed_entry is entries[1] and isinstance(exc, ZeroDivisionError)
        assert entries[0]["status"] == "succeeded"
        if jobs == 1:
            # sequential: nothing starts after the failure
            assert started == [0, 1]
            assert [e["status"] for e in entries[2:]] == ["not run", "not run"]
        else:
            assert all(e["status"] in ("succeeded", "not run") for e in entries[2:])


def test_execute_all_runs_notebooks_concurrently_when_jobs_allow():
    import threading

    entries = _entries(2)
    both_running = threading.Barrier(2, timeout=10)

    def execute(index):
        both_running.wait()  # deadlocks (BrokenBarrierError after 10 s) unless both run at once
        entries[index]["status"] = "succeeded"

    assert schedule.execute_all(execute, entries, 2) is None
    assert [e["status"] for e in entries] == ["succeeded", "succeeded"]


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_bad_jobs_value_is_refused(jobs):
    with pytest.raises(ReportArgumentError, match="jobs="):
        schedule.choose_n_jobs(jobs, 3)


def test_jobs_default_is_bounded_by_cores_and_notebooks():
    assert schedule.choose_n_jobs(None, 1) == 1
    assert 1 <= schedule.choose_n_jobs(None, 10) <= (os.cpu_count() or 1)
    assert schedule.choose_n_jobs(8, 3) == 3


def test_notebooks_start_longest_first_after_a_previous_run(tmp_path):
    import threading

    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "run.json").write_text(json.dumps({"notebooks": [
        {"notebook": "00.ipynb", "wall_seconds": 5.0},
        {"notebook": "01.ipynb", "wall_seconds": 13.0},
        {"notebook": "02.ipynb", "wall_seconds": 6.0},
    ]}), encoding="utf-8")
    entries = _entries(4)  # 03 has no previous time: it may be long, so it goes first
    order = schedule.longest_first(entries, schedule.previous_durations(tmp_path))
    assert order == [3, 1, 2, 0]
    started, lock = [], threading.Lock()

    def execute(index):
        with lock:
            started.append(index)
        entries[index]["status"] = "succeeded"

    assert schedule.execute_all(execute, entries, 1, order=order) is None
    assert started == [0, 1, 2, 3]  # one at a time: notebook order, whatever the times
    started.clear()
    assert schedule.execute_all(execute, _entries(4), 2, order=order) is None
    assert sorted(started[:2]) == [1, 3]  # the two longest start first, side by side


def test_a_notebook_that_reads_another_starts_after_it_even_side_by_side():
    import threading
    import time

    names = ["00-corpus-overview", "01-topic-model", "02-rhetoric-frequency", "03-district-comparison"]
    entries = [{"notebook": f"{name}.ipynb", "status": "pending"} for name in names]
    events, lock = [], threading.Lock()

    def execute(index):
        with lock:
            events.append(("start", index))
        time.sleep(0.3 if index == 1 else 0.05)
        with lock:
            events.append(("end", index))
        entries[index]["status"] = "succeeded"

    # 03 is asked to start first, but it uses 01's recorded topic model (RUNS_AFTER).
    assert schedule.execute_all(execute, entries, 2, order=[3, 1, 2, 0]) is None
    assert events.index(("start", 3)) > events.index(("end", 1))
    assert sorted(i for kind, i in events if kind == "end") == [0, 1, 2, 3]
    # Without 01 in the run, 03 does not wait for it.
    alone = [{"notebook": "03-district-comparison.ipynb", "status": "pending"}]
    assert schedule.execute_all(lambda i: alone[i].update(status="succeeded"), alone, 2) is None


def test_an_unreadable_previous_manifest_means_notebook_order(tmp_path):
    (tmp_path / "latest").mkdir()
    (tmp_path / "latest" / "run.json").write_text("{not json", encoding="utf-8")
    assert schedule.previous_durations(tmp_path) == {}
    assert schedule.previous_durations(tmp_path / "nowhere") == {}
    assert schedule.longest_first(_entries(3), {}) == [0, 1, 2]


def test_the_command_starts_without_compiling_iri_grammars_and_still_validates_notebooks():
    code = (
        "import sys; from corpus_tools.reports import cli; cli._skip_iri_grammars(); "
        "import nbformat, papermill; "
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])); "
        "print('lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_report_html_keeps_a_figures_alt_text_escaped(tmp_path):
    import base64

    from nbformat.v4 import new_output

    png = (tmp_path / "p.png")
    fig = Figure(figsize=(1, 1))
    fig.savefig(png, format="png", dpi=20)
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    cell = new_code_cell("save_figure(fig, out, 'x')")
    cell.outputs = [
        new_output("display_data", data={"image/png": data}, metadata={"image/png": {"alt": '各组概况 "<b>"', "width": 30}}),
        new_output("display_data", data={"image/png": data}),
    ]
    ipynb = tmp_path / "n.ipynb"
    nbformat.write(new_notebook(cells=[cell]), ipynb)
    html_text = html.export_html(html.html_exporter(), ipynb, tmp_path / "n.html").read_text(encoding="utf-8")
    from bs4 import BeautifulSoup

    alts = [img["alt"] for img in BeautifulSoup(html_text, "html.parser").select("img")]
    assert alts == ['各组概况 "<b>"', "No description has been provided for this image"]
    assert "<b>" not in html_text  # the title is text in an attribute, never markup


# ------------------------------------------------------------------------------------------
# run folders: unique ids, partial runs, leftovers, what run.json hashes
# ------------------------------------------------------------------------------------------


def test_runs_started_in_the_same_second_get_their_own_folders(tmp_path):
    import threading

    ids: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def reserve():
        barrier.wait()
        try:
            ids.append(folders.reserve_run(None, tmp_path, "20261121T071205Z-seeds")[0])
        except BaseException as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=reserve) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(ids) == sorted(["20261121T071205Z-seeds"] + [f"20261121T071205Z-seeds-{k}" for k in range(2, 9)])
    assert all((tmp_path / f".incomplete-{run_id}").is_dir() for run_id in ids)
    with pytest.raises(ReportArgumentError, match="already used"):
        folders.reserve_run("20261121T071205Z-seeds", tmp_path, "ignored")


def test_folders_of_crashed_runs_are_moved_aside_and_running_ones_left_alone(tmp_path):
    import platform

    done = subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert done.returncode == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for run_id, pid in (("crashed", dead.pid), ("running", os.getpid())):
        folder = tmp_path / f".incomplete-{run_id}"
        (folder / "tables").mkdir(parents=True)
        (folder / "tables" / "t.csv").write_text("x\n1\n", encoding="utf-8")
        (folder / ".owner.json").write_text(json.dumps({"pid": pid, "host": platform.node()}), encoding="utf-8")
    os.symlink("crashed", tmp_path / ".latest-crashed.tmp")

    moved = folders.recover_leftovers(tmp_path)

    assert moved == [tmp_path / "failed-crashed"]
    assert (tmp_path / "failed-crashed" / "tables" / "t.csv").is_file()  # kept for inspection
    assert not (tmp_path / ".incomplete-crashed").exists()
    assert (tmp_path / ".incomplete-running").is_dir()
    assert not (tmp_path / ".latest-crashed.tmp").is_symlink()


def test_run_json_hashes_no_target_of_a_link_the_reader_refuses(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("学党史 悟思想", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the corpus", encoding="utf-8")
    os.symlink(secret, corpus / "link-out.txt")
    os.symlink(corpus / "a.txt", corpus / "link-in.txt")  # inside: read, so hashed
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.txt").write_text("办实事", encoding="utf-8")
    os.symlink(tmp_path / "elsewhere", corpus / "linked-folder")  # the reader does not follow it

    hashes = provenance._hash_tree(corpus)

    digest = hashlib.sha256("学党史 悟思想".encode()).hexdigest()
    assert hashes == {"a.txt": digest, "link-in.txt": digest}
    assert provenance._hash_tree(corpus / "a.txt") == {"a.txt": digest}  # a single table of articles


def test_default_run_id_names_a_partial_run_and_changed_parameters():
    import datetime as dt

    moment = dt.datetime(2026, 11, 21, 7, 12, 5)
    assert default_run_id("seeds", now=moment, labels=["nb01-nb03", "group_by-city"]) == (
        "20261121T071205Z-seeds-nb01-nb03-group_by-city"
    )
    long = default_run_id("seeds", now=moment, labels=["x" * 200])
    assert len(long) < 120 and re.fullmatch(r"20261121T071205Z-seeds-x+-[0-9a-f]{8}", long)
    nbs = [Path("01-a.ipynb"), Path("02-b.ipynb")]
    declared = {nbs[0]: {"group_by": {"default": '"district"'}, "k": {"default": "5"}}, nbs[1]: {}}
    labels = parameters.run_labels(nbs[:1], nbs, {"group_by": "district", "k": 7, "read_options": {"text_column": "content"}}, declared)
    # group_by is its default: not shown
    assert labels == ["nb01", "k-7", "text_column-content"]
    assert parameters.run_labels(nbs, nbs, {"group_by": "city"}, declared) == ["group_by-city"]


@pytest.fixture(scope="module")
def small_project(tmp_path_factory):
    """Two notebooks that succeed; one records its reading options."""
    root = tmp_path_factory.mktemp("small")
    (root / "seeds").mkdir()
    (root / "seeds" / "a.txt").write_text("学党史 悟思想\n", encoding="utf-8")
    params = PARAMETERS + "read_options = {}  # options of read_corpus\n"
    _notebook(
        root / "notebooks" / "01-options.ipynb",
        new_markdown_cell("# Options"),
        _parameters_cell(params),
        new_code_cell(
            "import pandas as pd\nfrom corpus_tools.reports import save_table\n"
            'save_table(pd.DataFrame({"key": list(read_options), "value": list(read_options.values())}), '
            'output_dir, "read_options")'
        ),
    )
    _notebook(
        root / "notebooks" / "02-other.ipynb",
        new_markdown_cell("# Other"),
        _parameters_cell(),
        new_code_cell("x = random_state + 1"),
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PROJECT_ROOT_ENV, str(root))
        yield root


def test_latest_names_the_last_run_of_every_notebook_and_reading_options_reach_them(small_project, monkeypatch, tmp_path):
    reports_dir = small_project / "reports"
    complete = run_reports()
    assert os.readlink(reports_dir / "latest") == complete.name
    manifest = json.loads((complete / "run.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True

    # From another working directory, with relative paths, as a user types them.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "b.txt").write_text("办实事 开新局\n", encoding="utf-8")
    status = reports.main(
        ["--corpus", "mine", "--reports-dir", "out", "--notebook", "01", "--text-column", "content",
         "--min-han-share", "0.3", "-p", "random_state", "7"]
    )
    assert status == 0
    (partial,) = (tmp_path / "out").iterdir()
    assert re.fullmatch(r"\d{8}T\d{6}Z-mine-nb01-random_state-7-text_column-content-min_han_share-0.3", partial.name)
    options = pd.read_csv(partial / "tables" / "read_options.csv")
    assert options.to_dict("list") == {"key": ["text_column", "min_han_share"], "value": ["content", "0.3"]}
    assert not (tmp_path / "out" / "latest").exists()  # a partial run does not become latest
    assert os.readlink(reports_dir / "latest") == complete.name
    index = (partial / "index.html").read_text(encoding="utf-8")
    assert "text_column" in index and "content" in index and "random_state" in index


def test_reading_options_are_checked_against_read_corpus(small_project):
    with pytest.raises(ReportArgumentError, match="unknown reading option 'text_colum'.*text_column"):
        run_reports(read_options={"text_colum": "content"})
    with pytest.raises(ReportArgumentError, match="-p on_error skip"):
        run_reports(read_options={"on_error": "skip"})
    with pytest.raises(ReportArgumentError, match="read_options = {}"):
        run_reports(notebooks=["02"], read_options={"text_column": "content"})
    assert reports.main(["--column", "媒体"]) == 2


def test_a_killed_kernel_is_reported_as_such_with_its_cell(small_project, tmp_path):
    _notebook(
        small_project / "notebooks" / "03-killed.ipynb",
        _parameters_cell(),
        new_code_cell("x = 1"),
        new_code_cell("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
    )
    try:
        with pytest.raises(NotebookFailedError) as info:
            run_reports(notebooks=["03"], run_id="killed", reports_dir=tmp_path)
    finally:
        (small_project / "notebooks" / "03-killed.ipynb").unlink()
    message = str(info.value)
    assert "outside any cell" not in message
    assert "SIGKILL" in message and "out of memory" in message
    assert "cell 3" in message  # the parameters cell is 1, the kill 3
    manifest = json.loads((tmp_path / "failed-killed" / "run.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"][0]["error"]["returncode"] == -9


def test_ctrl_c_stops_the_kernel_at_once_and_names_the_notebook(small_project, tmp_path):
    import signal
    import time

    pid_file = tmp_path / "kernel.pid"
    _notebook(
        small_project / "notebooks" / "04-slow.ipynb",
        _parameters_cell(),
        new_code_cell(f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))"),
        new_code_cell("time.sleep(300)"),
    )
    env = {**os.environ, PROJECT_ROOT_ENV: str(small_project), "DANGSHI_PROGRESS_SECONDS": "1"}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "corpus_tools.reports", "--notebook", "04", "--reports-dir", str(tmp_path / "r")],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
        time.sleep(3)  # long enough for a heartbeat
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        stopped_in = time.monotonic() - t0
    finally:
        (small_project / "notebooks" / "04-slow.ipynb").unlink()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert stopped_in < 15
    kernel_pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(kernel_pid, 0)
    assert "interrupted" in stderr and "04-slow.ipynb" in stderr and "cell 3 of 3" in stderr
    # the heartbeat: elapsed time and the cell running
    assert re.search(r"04-slow\.ipynb: running \d+ s, cell 3 of 3", stderr)
    assert "Kernel died" not in stderr  # the interrupt is reported once, not as a dead kernel
    # kernels talk over IPC: no warning about TCP without encryption
    assert "without encryption" not in stderr
    (failed,) = (tmp_path / "r").glob("failed-*")
    manifest = json.loads((failed / "run.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "interrupted"
    assert manifest["notebooks"][0]["status"] == "interrupted"


# ------------------------------------------------------------------------------------------
# reports as documents
# ------------------------------------------------------------------------------------------


def _executed_notebook(run_dir: Path) -> Path:
    """An executed notebook as papermill leaves it: headings, a long table, a Styler, a figure."""
    from nbformat.v4 import new_output

    big = pd.DataFrame(
        {
            "doc_id": [f"d{i:03d}" for i in range(100)],
            "title": ["<script>alert(1)</script>学史明理"] + ["甲区扎实开展党史学习教育"] * 99,
            "evidence": ["发布日期：2021年6月1日，" * 8] * 100,  # long: wraps in a bounded column
        }
    )
    save_table(big, run_dir, "documents")
    save_table(big.head(3), run_dir, "small")
    with pd.option_context("display.max_rows", 60, "display.min_rows", 10):
        truncated_html = big._repr_html_()
    styled_html = big.style.format(escape="html")._repr_html_()
    png = run_dir / "figures" / "sizes.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    png.write_bytes(b"\x89PNG\r\n\x1a\n")

    def html_output(markup):
        return new_output("display_data", data={"text/html": markup, "text/plain": "table"})

    cells = [
        new_markdown_cell("# Corpus overview: what is in the corpus\n\nIntro."),
        new_markdown_cell("## Summary\n\nA computed summary."),
        new_markdown_cell("## The documents"),
        new_code_cell('documents = big\nsave_table(documents, out, "documents")\ndocuments',
                      outputs=[html_output(truncated_html)]),
        new_code_cell('documents[documents["doc_id"] != ""].style.format(escape="html")',
                      outputs=[html_output(styled_html)]),
        new_markdown_cell("## Small things"),
        new_code_cell('small = big.head(3)\nsave_table(small, out, "small")\nsmall',
                      outputs=[html_output(big.head(3).to_html())]),
        new_code_cell('fig = plot()\nsave_figure(fig, out, "sizes")', outputs=[]),
    ]
    path = run_dir / "00-overview.ipynb"
    nbformat.write(new_notebook(cells=cells, metadata={"language_info": {"name": "python"}}), path)
    return path


def test_a_report_is_a_document_with_title_contents_and_a_way_back(tmp_path):
    ipynb = _executed_notebook(tmp_path)
    page = html.export_html(
        html.html_exporter(), ipynb, tmp_path / "00-overview.html", corpus_name="my<corpus>"
    ).read_text(encoding="utf-8")
    assert "<title>Corpus overview: what is in the corpus — my&lt;corpus&gt;</title>" in page
    assert '<a href="index.html">← All reports of this run</a>' in page
    toc = re.search(r'<nav class="report-toc">.*?</nav>', page, re.DOTALL).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ["Summary", "The-documents", "Small-things"]
    # the contents come after the summary, before the first section
    assert page.index("A computed summary") < page.index('class="report-toc"') < page.index(">The documents<")


def test_long_tables_are_shortened_with_their_size_and_a_link_to_the_csv(tmp_path):
    ipynb = _executed_notebook(tmp_path)
    page = html.export_html(html.html_exporter(), ipynb, tmp_path / "r.html").read_text(encoding="utf-8")
    notes = re.findall(r'<p class="report-rows">(.*?)</p>', page)
    link = '<a href="tables/documents.csv">tables/documents.csv</a>'
    # pandas' own cut (10 rows of 100) and the Styler's full table cut to MAX_ROWS_SHOWN, both linked
    assert notes[0] == f"showing 10 of 100 rows — full table: {link}"
    # a subset of the saved table: drawn from it, not the same rows
    assert notes[1] == f"showing {reports.MAX_ROWS_SHOWN} of 100 rows — drawn from: {link}"
    assert notes[2] == '3 rows — full table: <a href="tables/small.csv">tables/small.csv</a>'
    assert page.count("d099") == 1  # pandas' tail row; the Styler's copy stops at MAX_ROWS_SHOWN
    last_shown = reports.MAX_ROWS_SHOWN - 1
    assert f"d{last_shown:03d}" in page and f"d{last_shown + 1:03d}" not in page
    assert "max-height: 720px; overflow: auto;" in page  # tall figures scroll
    # wide tables scroll, long cells wrap in a bounded column, short ones do not squeeze
    assert page.count('<div class="table-scroll">') == 3
    assert '<div class="cell-long">' in page
    assert "table-layout: auto !important" in page and "white-space: nowrap" in page
    # every table and figure the notebook wrote is linked to its file
    assert '<a href="figures/sizes.png">figures/sizes.png</a>' in page
    assert '<a href="tables/documents.parquet">Parquet</a>' in page
    # corpus text stays escaped
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_index_groups_files_by_report_with_a_line_on_each_and_the_parameters(tmp_path):
    ipynb = _executed_notebook(tmp_path)
    manifest = {
        "run_id": "r1", "status": "succeeded", "started_at": "s", "finished_at": "f",
        "notebooks": [{"notebook": ipynb.name, "html": "00-overview.html", "ipynb": ipynb.name,
                       "status": "succeeded", "wall_seconds": 1.5, "error": None}],
        "parameters": {"group_by": {"value": "city", "default": '"district"'}},
        "git": {"commit": "abc", "dirty": False},
        "corpus": {"corpus_dir": "my/corpus", "metadata": None, "files": {}, "combined_sha256": "0"},
        "lexicons": {"combined_sha256": "0"}, "python": {"version": "3"}, "platform": "p",
        "kernel": "k", "packages": {},
    }
    index = html.write_index(tmp_path, manifest).read_text(encoding="utf-8")
    assert "<title>Reports on corpus — run r1</title>" in index
    section = re.search(r"<section><h2>Corpus overview: what is in the corpus</h2>.*?</section>", index, re.DOTALL).group(0)
    assert '<a href="tables/documents.csv">tables/documents.csv</a>' in section
    assert "table, 100 rows × 3 columns — in “The documents”" in section
    assert "table, 3 rows × 3 columns — in “Small things”" in section
    assert '<a href="figures/sizes.png">figures/sizes.png</a>' in section
    assert "<th>group_by</th><td>&quot;city&quot;</td><td>&quot;district&quot;</td>" in index


@pytest.mark.parametrize(
    ("evalue", "hint"),
    [
        ("data.csv: no column 'text'; pass text_column=… naming the column", "--text-column NAME"),
        ("a.txt: not Chinese (12 % Han); lower min_han_share=…", "--min-han-share SHARE"),
        ("b.bin: binary content (remove it from the corpus)", "-p on_error skip"),
        ("x.dat: unknown suffix; pass format=… to read it", "--format FORMAT"),
    ],
)
def test_errors_that_suggest_an_option_name_it_as_the_command_line_spells_it(evalue, hint):
    assert hint in failure._cli_hint(evalue)
    assert failure._cli_hint("ZeroDivisionError: division by zero") == ""
    # a message that already says it as typed gets no second hint
    assert failure._cli_hint("To leave it out: read_corpus(on_error='skip') or dangshi-reports -p on_error skip") == ""
    assert failure._cli_hint("pass text_column=… (--text-column on the command line)") == ""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("meta", ("metadata_origin", True)),
        ('meta.style.format(escape="html")', ("metadata_origin", True)),
        ('meta[meta["origin"] != "missing"].style.format(escape="html")', ("metadata_origin", False)),
        ('meta.pivot_table(index="field", columns="origin")', ("metadata_origin", False)),
        ("rhetoric.inventory(meta, corp).head(40)", ("metadata_origin", False)),
        ("x = meta", None),
        ("corp.quality_log", None),
    ],
)
def test_the_table_a_cell_shows_is_traced_to_the_csv_it_was_saved_as(source, expected):
    files, variables = html._saved_files('save_table(meta.reset_index(), out, "metadata_origin")')
    assert files == [("tables", "metadata_origin")] and variables == {"meta": "metadata_origin"}
    assert html._displayed_table(source, variables) == expected


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


def test_the_heartbeat_forwards_each_notebooks_progress_lines_and_says_where_it_is(tmp_path, caplog, monkeypatch):
    import threading
    import time

    monkeypatch.setenv("DANGSHI_PROGRESS_SECONDS", "1")
    watch = kernels.NotebookWatch("01-topic-model.ipynb", tmp_path / "01.log", expected_seconds=600)
    watch.started = time.perf_counter()
    watch.n_cells, watch.injected = 27, [1]
    watch.cell_start(12)  # the 13th cell of the executed copy: the 12th as the author numbers them
    watch.progress_file.write_text("K sweep running: 3/6 Ks (50%) in 74.3 s, 24.8 s/K, about 1 min 14 s left\nhalf a li", encoding="utf-8")
    entries = [{"notebook": "01-topic-model.ipynb", "status": "running"}]
    stop = threading.Event()
    with caplog.at_level(logging.INFO, logger="corpus_tools.reports"):
        beat = threading.Thread(target=kernels.heartbeat, args=([watch], entries, stop))
        beat.start()
        time.sleep(2.6)
        stop.set()
        beat.join()
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "01-topic-model.ipynb: K sweep running: 3/6 Ks (50%) in 74.3 s, 24.8 s/K, about 1 min 14 s left"
    assert not any("half a li" in line for line in lines)  # an unfinished line waits for its end
    beats = [line for line in lines if "cell 12 of 27" in line]
    assert beats and re.match(r"01-topic-model\.ipynb: running \d+ s, cell 12 of 27, \d+ s in this cell; about \d+ min \d+ s left", beats[0])
