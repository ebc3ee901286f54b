"""Tests for corpus_tools.reports.run: running notebooks into report folders (the command line's exits too).

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
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from corpus_tools import reports
from corpus_tools.reports import cli
from corpus_tools.paths import PROJECT_ROOT_ENV
from corpus_tools.reports import NotebookFailedError, ReportArgumentError, run_reports
from corpus_tools.reports.schedule import previous_peaks

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
            "blas_threads": [os.environ.get("OPENBLAS_NUM_THREADS")],
            "cores": [os.environ.get("DANGSHI_CORES")],
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


# ------------------------------------------------------------------------------------------
# run ids and arguments
# ------------------------------------------------------------------------------------------


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
    # One notebook ran: its kernel's BLAS may use every core (unless the user set a count).
    assert str(env["blas_threads"]) == (os.environ.get("OPENBLAS_NUM_THREADS") or str(len(os.sched_getaffinity(0))))
    # and its worker processes too (DANGSHI_CORES: the kernel's share of the cores).
    assert str(env["cores"]) == (os.environ.get("DANGSHI_CORES") or str(len(os.sched_getaffinity(0))))


def test_manifest(project, two_runs):
    _, run = two_runs
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == run.name
    assert manifest["status"] == "succeeded"
    assert manifest["kernel"] == "dangshi-corpus"
    assert set(manifest["git"]) == {"commit", "dirty"}
    assert manifest["python"]["version"] == platform.python_version()  # whichever supported Python runs the tests
    for name in "pandas numpy scipy matplotlib jieba gensim papermill nbconvert opencc pypinyin mplfonts charset-normalizer".split():
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
            for key in reports.VARYING_NOTEBOOK_FIELDS:
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


def test_logger_is_the_package_logger():
    assert reports.logger.name == "corpus_tools.reports"
    assert logging.getLogger("corpus_tools") is reports.logger.parent


# ------------------------------------------------------------------------------------------
# notebooks side by side
# ------------------------------------------------------------------------------------------


# ------------------------------------------------------------------------------------------
# run folders: unique ids, partial runs, leftovers, what run.json hashes
# ------------------------------------------------------------------------------------------


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
        new_code_cell("print('written before the kill')"),
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
    # The executed copy keeps the outputs of the cells before the kill (saved when execution ended,
    # not only every SAVE_EVERY_SECONDS), and the failed run's HTML shows them.
    executed = (tmp_path / "failed-killed" / "03-killed.ipynb").read_text(encoding="utf-8")
    assert "written before the kill" in executed
    assert "written before the kill" in (tmp_path / "failed-killed" / "03-killed.html").read_text(encoding="utf-8")


def test_a_finished_kernel_leaves_no_process_behind(small_project, tmp_path):
    # The kernel is stopped at once after its last cell (no graceful teardown of its heap); the
    # kill reaches its whole process group, so a child it started is gone too, not left running.
    import time

    pid_file = tmp_path / "child.pid"
    _notebook(
        small_project / "notebooks" / "03-child.ipynb",
        _parameters_cell(),
        new_code_cell("import subprocess\n"
                      f"child = subprocess.Popen(['sleep', '300'])\nopen({str(pid_file)!r}, 'w').write(str(child.pid))"),
    )
    try:
        run_reports(notebooks=["03"], run_id="child", reports_dir=tmp_path / "r")
    finally:
        (small_project / "notebooks" / "03-child.ipynb").unlink()
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 1
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(pid)


def _running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


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
            # A shell without job control starts background commands with SIGINT ignored, and
            # the runner would inherit that (as a user's `nohup ... &` intends): the test is
            # about what Ctrl-C does, so the runner starts with the default disposition.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
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




def test_the_old_jobs_keyword_still_works_with_a_warning(project):
    with pytest.warns(FutureWarning, match="'jobs' is renamed 'n_jobs'"):
        with pytest.raises(ReportArgumentError, match="does not exist"):
            run_reports(corpus_dir="no-such-corpus", jobs=1)
    with pytest.raises(TypeError, match="pass only 'n_jobs'"):
        run_reports(corpus_dir="no-such-corpus", jobs=1, n_jobs=1)


# ------------------------------------------------------------------------------------------
# ingest once
# ------------------------------------------------------------------------------------------

ARTICLE = (
    "甲区召开党史学习教育动员大会\n\n"
    "会议强调，要认真学习党的历史，深刻领会党的创新理论，把学习成果转化为推动发展的实际行动。"
    "全区各级党组织要精心组织，确保学习教育取得实效。\n"
)


@pytest.fixture
def readable(tmp_path, monkeypatch) -> Path:
    """A one-article corpus, an empty file beside it, and a cache folder of this test's own."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    monkeypatch.setenv("DANGSHI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DANGSHI_CACHE", raising=False)
    return folder


def _stored(readable: Path) -> list[Path]:
    root = readable.parent / "cache" / "corpora"
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []


def test_the_runner_stores_the_corpus_the_notebooks_will_open(readable, caplog):
    from corpus_tools.reports.run import ingest_once

    # on_error is not given: the notebooks' declared default ("skip" here) decides
    declared = {Path("00.ipynb"): {"on_error": {"default": '"skip"'}, "corpus_dir": {"default": '"seeds"'}}}
    assert ingest_once(readable, None, {}, declared) is True
    assert len(_stored(readable)) == 1
    with caplog.at_level(logging.INFO, logger="corpus_tools"):
        reports.start(readable, out_dir=readable.parent / "out", on_error="skip", tidy_warnings=False)
    assert any("reused the stored corpus" in r.getMessage() for r in caplog.records)
    assert len(_stored(readable)) == 1


def test_a_corpus_the_runner_cannot_read_is_left_to_the_notebooks(readable, caplog):
    from corpus_tools.reports.run import ingest_once

    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        assert ingest_once(readable, None, {"on_error": "raise"}, {}) is False
    assert any("empty.txt" in r.getMessage() and "each notebook reads it itself" in r.getMessage()
               for r in caplog.records)
    assert _stored(readable) == []


def test_with_the_store_off_the_runner_reads_nothing(readable, monkeypatch):
    from corpus_tools.corpus import build
    from corpus_tools.reports.run import ingest_once

    monkeypatch.setenv("DANGSHI_CACHE", "off")
    monkeypatch.setattr(build, "read_corpus", lambda *a, **k: pytest.fail("read with the store off"))
    assert ingest_once(readable, None, {"on_error": "skip"}, {}) is False
    assert _stored(readable) == []


def test_a_notebook_reading_another_runs_beside_it_and_waits_for_its_output(tmp_path, monkeypatch):
    # 03 reads what 01 writes (RUNS_AFTER): side by side it starts while 01 still works, does
    # its own cells, and waits at report.wait_for until 01 has finished.
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "a.txt").write_text("学党史 悟思想\n", encoding="utf-8")
    _notebook(
        root / "notebooks" / "01-topic-model.ipynb",
        _parameters_cell(),
        new_code_cell("import pathlib, time\ntime.sleep(6)\n"
                      'pathlib.Path(output_dir, "from01.txt").write_text("chosen", encoding="utf-8")'),
    )
    _notebook(
        root / "notebooks" / "03-district-comparison.ipynb",
        _parameters_cell(),
        new_code_cell(
            "import pathlib\nimport pandas as pd\nfrom corpus_tools.reports import save_table\n"
            "from corpus_tools.reports.notebook import NotebookReport\n"
            "seen_before = pathlib.Path(output_dir, 'from01.txt').exists()\n"
            "waited = NotebookReport(corpus=None, out_dir=pathlib.Path(output_dir)).wait_for('01-topic-model', "
            "poll_seconds=0.2)\n"
            "text = pathlib.Path(output_dir, 'from01.txt').read_text(encoding='utf-8')\n"
            "import os\n"
            "save_table(pd.DataFrame({'seen_before': [seen_before], 'waited': [waited], 'text': [text], "
            "'cores': [os.environ.get('DANGSHI_CORES')]}), output_dir, 'waited')"
        ),
    )
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(root))
    run = run_reports(n_jobs=2, run_id="side-by-side")
    row = pd.read_csv(run / "tables" / "waited.csv").iloc[0]
    assert row["text"] == "chosen" and not row["seen_before"] and row["waited"] > 0.5
    # Two kernels side by side: each spreads its own work over half the cores (at least one).
    assert str(row["cores"]) == (os.environ.get("DANGSHI_CORES") or str(max(1, len(os.sched_getaffinity(0)) // 2)))
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    times = {entry["notebook"]: entry for entry in manifest["notebooks"]}
    assert times["03-district-comparison.ipynb"]["started_at"] < times["01-topic-model.ipynb"]["finished_at"]
    assert not list(run.glob(".pending-*"))
    # The wait is recorded, so that the next run orders by the time 03 worked, not waited.
    assert times["03-district-comparison.ipynb"]["waited_seconds"] == pytest.approx(row["waited"], abs=0.01)
    assert times["01-topic-model.ipynb"]["waited_seconds"] == 0.0


def _read_recording_pid(corpus_path, metadata_path, reading):
    """The runner's reading step, noting which process ran it (module level: a spawned child imports it)."""
    from corpus_tools.corpus import open_corpus

    Path(os.environ["DANGSHI_TEST_PID_FILE"]).write_text(str(os.getpid()), encoding="utf-8")
    open_corpus(corpus_path, metadata=metadata_path, **reading)


def _read_recording_cores(corpus_path, metadata_path, reading):
    """The runner's reading step, noting the cores it may use (module level: a spawned child imports it)."""
    Path(os.environ["DANGSHI_TEST_CORES_FILE"]).write_text(os.environ.get("DANGSHI_CORES", ""), encoding="utf-8")


def test_the_reading_before_the_notebooks_gets_every_core(readable, monkeypatch, tmp_path):
    from corpus_tools.reports import run

    root = tmp_path / "project"
    for name in ("01-a", "02-b"):
        _notebook(root / "notebooks" / f"{name}.ipynb", _parameters_cell(), new_code_cell("x = 1"))
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(root))
    monkeypatch.delenv("DANGSHI_CORES", raising=False)
    monkeypatch.setenv("DANGSHI_TEST_CORES_FILE", str(tmp_path / "cores"))
    monkeypatch.setattr(run, "_read_into_store", _read_recording_cores)
    run_reports(corpus_dir=str(readable), n_jobs=2, run_id="cores")
    # The two kernels get half the cores each; the reading, before them, all of them.
    assert (tmp_path / "cores").read_text(encoding="utf-8") == str(len(os.sched_getaffinity(0)))


def test_the_runner_reads_in_a_child_process_and_never_loads_a_stored_corpus(readable, monkeypatch, tmp_path):
    from corpus_tools.corpus import store
    from corpus_tools.reports import run

    # The reading runs in a child process, whose memory goes when it ends.
    monkeypatch.setenv("DANGSHI_TEST_PID_FILE", str(tmp_path / "pid"))
    monkeypatch.setattr(run, "_read_into_store", _read_recording_pid)
    assert run.ingest_once(readable, None, {"on_error": "skip"}, {}) is True
    assert int((tmp_path / "pid").read_text(encoding="utf-8")) != os.getpid()
    assert len(_stored(readable)) == 1
    # Stored already: neither loaded here nor read again in a child.
    monkeypatch.setattr(store, "load_corpus", lambda *a, **k: pytest.fail("loaded by the runner"))
    monkeypatch.setattr(run, "_in_child_process", lambda *a, **k: pytest.fail("read again"))
    assert run.ingest_once(readable, None, {"on_error": "skip"}, {}) is True


def test_under_a_memory_budget_notebooks_run_alone_with_every_core_and_their_peaks_are_recorded(tmp_path, monkeypatch):
    # A budget smaller than any notebook (a few MB) leaves room for one at a time: the plan runs
    # each alone, so each kernel gets every core; the runner records each one's peak memory.
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "a.txt").write_text("学党史 悟思想\n", encoding="utf-8")
    for name in ("01-big", "02-small"):
        _notebook(
            root / "notebooks" / f"{name}.ipynb",
            _parameters_cell(),
            new_code_cell(
                "import os, time\nimport pandas as pd\nfrom corpus_tools.reports import save_table\n"
                # 300 MB written to (so resident), held for 3 s of the runner's 0.5 s samples.
                "held = bytearray(300 * 2**20)\nfor i in range(0, len(held), 4096):\n    held[i] = 1\n"
                "time.sleep(3)\n"
                "save_table(pd.DataFrame({'cores': [os.environ.get('DANGSHI_CORES')], "
                "'blas': [os.environ.get('OPENBLAS_NUM_THREADS')]}), output_dir, "
                f"'{name}')"
            ),
        )
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(root))
    monkeypatch.delenv("DANGSHI_CORES", raising=False)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    run = run_reports(n_jobs=2, run_id="one-at-a-time", memory_budget_gb=0.001)
    every_core = str(len(os.sched_getaffinity(0)))
    for name in ("01-big", "02-small"):
        row = pd.read_csv(run / "tables" / f"{name}.csv", dtype=str).iloc[0]
        assert row["cores"] == every_core and row["blas"] == every_core
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    first, second = manifest["notebooks"]
    assert min(first["finished_at"], second["finished_at"]) <= max(first["started_at"], second["started_at"])
    for record in (first, second):
        assert record["sharing"] == 1
        assert 300 < record["peak_memory_mb"] < 2000  # the bytearray, with the interpreter and pandas
    assert manifest["memory_budget_mb"] == 0  # 1 MB, which the runner alone fills
    # The next run plans by these peaks.
    assert previous_peaks(root / "reports") == {r["notebook"]: r["peak_memory_mb"] for r in (first, second)}
