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
