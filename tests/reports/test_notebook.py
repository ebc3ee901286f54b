"""Tests for corpus_tools.reports.notebook: the one call a report notebook starts with."""

from __future__ import annotations

import sys
import sysconfig
import warnings
from pathlib import Path

import pytest

from corpus_tools.paths import PROJECT_ROOT_ENV
from corpus_tools.reports import NotebookReport, start
from corpus_tools.reports.notebook import show_warnings_tidily, warning_line

#: Two made-up reports, long enough (in Han characters) for the reader's default thresholds.
ARTICLES = {
    "jia.txt": "甲区扎实开展党史学习教育。甲区组织党员干部深入学习党的百年奋斗历程，开展我为群众办实事实践活动，"
    "推动党史学习教育走深走实，为群众解决急难愁盼问题一百余件。",
    "yi.txt": "乙县召开党史学习教育动员大会。乙县坚持学史明理、学史增信、学史崇德、学史力行，"
    "组织宣讲团深入乡村和社区，开展专题宣讲六十余场，覆盖党员群众三千余人。",
}


@pytest.fixture()
def folder(tmp_path):
    corpus = tmp_path / "articles"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "metadata.csv").write_text(
        "doc_id,file,district\njia,jia.txt,甲区\nyi,yi.txt,乙县\n", encoding="utf-8"
    )
    return corpus


def test_start_reads_the_corpus_with_its_groups_and_names_the_run_folder(folder, tmp_path):
    report = start(folder, out_dir=tmp_path / "run", group_by="district")
    assert isinstance(report, NotebookReport)
    assert report.out_dir == tmp_path / "run"
    assert report.group_by == "district"
    assert sorted(report.corpus.docvars.index) == ["jia", "yi"]
    assert report.corpus.docvars["group"].to_dict() == {"jia": "甲区", "yi": "乙县"}


def test_start_resolves_relative_folders_against_the_project_root(folder, tmp_path, monkeypatch):
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(tmp_path))
    report = start("articles", out_dir="reports/interactive")
    assert report.out_dir == tmp_path / "reports" / "interactive"
    assert "group" not in report.corpus.docvars  # no group_by, no group column
    assert len(report.corpus.docvars) == 2


def test_start_passes_reading_options_on(tmp_path):
    table = tmp_path / "articles.csv"
    rows = "".join(f'{Path(name).stem},"{text}"\n' for name, text in ARTICLES.items())
    table.write_text("id,content\n" + rows, encoding="utf-8")
    report = start(table, out_dir=tmp_path / "run", metadata=None, read_options={"text_column": "content"})
    assert sorted(report.corpus.docvars.index) == ["jia", "yi"]


@pytest.mark.parametrize("option", ["on_error", "metadata", "group_by"])
def test_start_refuses_a_parameter_hidden_in_read_options(folder, tmp_path, option):
    with pytest.raises(ValueError, match=f"read_options=.*sets {option}"):
        start(folder, out_dir=tmp_path, read_options={option: "skip"})


def test_warning_line_names_the_file_inside_its_package():
    purelib = Path(sysconfig.get_path("purelib"))
    package = Path(__file__).resolve().parents[2] / "corpus_tools" / "reports" / "notebook.py"
    assert warning_line("overflow", RuntimeWarning, str(purelib / "scipy" / "spatial" / "distance.py"), 5) == (
        "RuntimeWarning (scipy/spatial/distance.py:5): overflow\n"
    )
    assert warning_line("x", UserWarning, str(package), 3) == "UserWarning (corpus_tools/reports/notebook.py:3): x\n"
    assert warning_line("y", FutureWarning, "/somewhere/else/mod.py", 9) == "FutureWarning (mod.py:9): y\n"
    assert warning_line("z", RuntimeWarning, "<stdin>", 1) == "RuntimeWarning (<stdin>:1): z\n"
    # IPython compiles a cell to a file of its own in a temporary folder
    cell = "/tmp/ipykernel_4242/748349251.py"
    assert warning_line("old order", FutureWarning, cell, 1) == "FutureWarning (notebook cell:1): old order\n"


def _warn_twice() -> None:
    for _ in range(2):
        warnings.warn("invalid value encountered in divide", RuntimeWarning, stacklevel=1)


def test_tidy_warnings_are_shown_once_without_absolute_paths(capsys):
    with warnings.catch_warnings():
        warnings.resetwarnings()
        show_warnings_tidily()
        show_warnings_tidily()  # a second call installs nothing twice
        _warn_twice()
    line = _warn_twice.__code__.co_firstlineno + 2  # the warnings.warn call
    err = capsys.readouterr().err
    assert err == f"RuntimeWarning (tests/reports/test_notebook.py:{line}): invalid value encountered in divide\n"


# ------------------------------------------------------------------------------------------
# trim_memory_after_cells
# ------------------------------------------------------------------------------------------


def test_malloc_trim_returns_freed_heap_memory_to_the_system():
    import gc

    import psutil

    from corpus_tools import memory

    trim = memory._malloc_trim()
    if trim is None:
        pytest.skip("no glibc malloc_trim on this platform")
    process = psutil.Process()
    # 200 MB in 1 KB objects (above pymalloc's 512-byte limit, so from malloc), then 9 of every
    # 10 freed: the holes stay in the process until the heap is trimmed.
    blocks = [bytes(1000) + i.to_bytes(4, "little") for i in range(200_000)]
    kept = blocks[::10]
    del blocks
    gc.collect()
    before = process.memory_info().rss
    assert trim() in (0, 1)
    after = process.memory_info().rss
    assert before - after > 40 * 2**20, (before / 2**20, after / 2**20)
    assert len(kept) == 20_000


def test_the_trim_runs_after_every_cell_and_is_installed_once(monkeypatch):
    from IPython.core.events import EventManager, available_events

    from corpus_tools import memory
    from corpus_tools.reports import notebook

    class Shell:
        events = EventManager(None, available_events)

    calls = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda: lambda: calls.append(1) or 0)
    monkeypatch.setattr("IPython.get_ipython", lambda: Shell)
    assert notebook.trim_memory_after_cells() is True
    assert notebook.trim_memory_after_cells() is True  # again: still one hook
    assert Shell.events.callbacks["post_run_cell"].count(notebook._trim_after_cell) == 1
    Shell.events.trigger("post_run_cell", None)
    Shell.events.trigger("post_run_cell", None)
    assert len(calls) == 2
    # Arrow's pool (pandas' string columns), when Arrow is loaded, hands back its unused pages too.
    released = []

    class Pool:
        def release_unused(self):
            released.append(1)

    monkeypatch.setitem(sys.modules, "pyarrow", type("FakeArrow", (), {"default_memory_pool": staticmethod(Pool)}))
    Shell.events.trigger("post_run_cell", None)
    assert len(calls) == 3 and released == [1]
    # Outside IPython, or without glibc, nothing is installed.
    monkeypatch.setattr("IPython.get_ipython", lambda: None)
    assert notebook.trim_memory_after_cells() is False
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    monkeypatch.setattr("IPython.get_ipython", lambda: Shell)
    assert notebook.trim_memory_after_cells() is False


# ------------------------------------------------------------------------------------------
# forget_cell_results
# ------------------------------------------------------------------------------------------


def test_a_report_kernel_forgets_cell_results_and_a_lab_kernel_keeps_them(monkeypatch, tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    from corpus_tools.reports import notebook

    shell = InteractiveShell.instance()
    try:
        monkeypatch.setattr("IPython.get_ipython", lambda: shell)
        shell.run_cell("[1, 2, 3]", store_history=True)
        kept = shell.execution_count - 1
        assert shell.user_ns["Out"][kept] == [1, 2, 3]  # IPython's default: every result kept
        assert notebook.forget_cell_results() is True
        shell.run_cell("list(range(1000))", store_history=True)
        assert shell.execution_count - 1 not in shell.user_ns["Out"]
        assert shell.user_ns["_"] == [1, 2, 3]  # not replaced by the new result either
        # start() decides by the report command's progress file: set in a report run only.
        calls = []
        monkeypatch.setattr(notebook, "forget_cell_results", lambda: calls.append(1) or True)
        monkeypatch.setattr("corpus_tools.corpus.open_corpus", lambda *a, **k: None)
        monkeypatch.delenv("DANGSHI_PROGRESS_FILE", raising=False)
        notebook.start("seeds", out_dir=tmp_path, tidy_warnings=False, trim_memory=False)
        assert calls == []
        monkeypatch.setenv("DANGSHI_PROGRESS_FILE", str(tmp_path / "progress.log"))
        notebook.start("seeds", out_dir=tmp_path, tidy_warnings=False, trim_memory=False)
        assert calls == [1]
        notebook.start("seeds", out_dir=tmp_path, tidy_warnings=False, trim_memory=False, keep_results=True)
        assert calls == [1]
    finally:
        InteractiveShell.clear_instance()
