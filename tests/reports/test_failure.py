"""Tests for corpus_tools.reports.failure: what a failed run's message suggests."""

from __future__ import annotations

import pytest

from corpus_tools.reports import failure


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


def _fail(tmp_path, exc, name="01-x.ipynb"):
    work_dir, failed_dir = tmp_path / "run", tmp_path / "failed-run"
    work_dir.mkdir()
    current = {"notebook": name, "status": "running"}
    manifest = {"notebooks": [current]}
    message = failure.record_failure(exc, current, manifest, work_dir, failed_dir, exporter=None, t_run=0.0)
    return message, manifest, current


def test_an_error_outside_any_cell_is_recorded_with_every_key_and_no_cell(tmp_path):
    message, manifest, current = _fail(tmp_path, ValueError("数据表缺少 text 列"))
    assert current["error"] == {"cell_number": None, "cell_index": None, "execution_count": None,
                                "ename": "ValueError", "evalue": "数据表缺少 text 列"}
    assert list(current["error"]) == ["cell_number", "cell_index", "execution_count", "ename", "evalue"]
    assert current["status"] == "failed" and manifest["status"] == "failed"
    assert "failed in outside any cell: ValueError: 数据表缺少 text 列" in message
    assert (tmp_path / "failed-run").is_dir() and not (tmp_path / "run").exists()


def test_a_dead_kernel_is_recorded_with_its_cell_index_and_return_code(tmp_path):
    from corpus_tools.reports.errors import KernelDiedError

    # no executed notebook to count cells in: the cell number stays unknown
    exc = KernelDiedError("kernel died", cell_index=4, returncode=-9)
    message, _, current = _fail(tmp_path, exc)
    assert current["error"] == {"cell_number": None, "cell_index": 4, "execution_count": None,
                                "ename": "KernelDied", "evalue": "kernel died", "returncode": -9}
    assert list(current["error"])[-1] == "returncode"
    assert "failed in the kernel: KernelDied: kernel died" in message
