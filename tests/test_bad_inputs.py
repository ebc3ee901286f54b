"""Every bad input the corpus reader can meet: a clear message by default, skip-and-report on request.

Each case is a small corpus built by ``tests/corpora/make_corpora.py`` (``build_bad_input``):
two good articles and the bad item. For each, the default must raise a
:class:`CorpusReadError` whose message names the file and the problem, and
``on_error="skip"`` must read the good articles and record the bad item, with its reason,
in :attr:`Corpus.problems`, the quality log and the overview's problems table, so that every
file in the folder is accounted for. Inputs that are repaired rather than refused (a
byte-order mark, CRLF or CR line ends, one enormous line) must be read and logged.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from tests.corpora.make_corpora import BAD_INPUT_CASES, GOOD, LONG_LINE_SENTENCE, build_bad_input
from corpus_tools.reports import overview
from corpus_tools.corpus import CorpusReadError, corpus_from_texts, read_corpus

GOOD_IDS = ["good-a", "good-b"]
#: Lines of GOOD["good-a.txt"], the UTF-8 part of the mixed-encodings file (its GB18030 part
#: starts on the next line, and its last, empty line closes that part).
UTF8_LINES = GOOD["good-a.txt"].count("\n")

#: What the default error must say, besides the file: written from the case, not from the code.
MESSAGES = {
    "empty": r"empty\.txt: the file is empty \(0 bytes\)",
    "whitespace_only": r"blank\.txt: the text holds only whitespace",
    "binary": r"scan\.txt: contains NUL bytes \(first at byte 8\); it starts like a PNG image; this looks like a binary file",
    "nul_bytes": rf"nul\.txt: contains NUL bytes \(first at byte {len(GOOD['good-a.txt'].encode())}\)",
    "undecodable": r"broken\.txt: not valid text in any supported encoding \(utf-8 fails at byte \d+",
    "mixed_encodings": rf"mixed\.txt: mixes encodings \(lines 1–{UTF8_LINES} are UTF-8; lines {UTF8_LINES + 1}–{2 * UTF8_LINES + 1} are GB18030\)",
    "duplicate_doc_id": r"good/a\.txt: doc_id 'good-a' is already given to good-a\.txt",
    "manifest_row_without_file": r"metadata\.csv, row 3: file 'missing\.txt' is not in .*corpus",
    "file_without_manifest_row": r"extra\.txt: has no row in the manifest .*metadata\.csv",
    "malformed_table": r"table\.csv, row 1 \(line 2\): the row has 3 fields but the header has 2: a comma inside a field",
    "missing_text_column": r"table\.csv: no text column: none is called 'text' or .*; the table has \['title', 'abstract'\]",
    "not_chinese": r"english\.txt: the text is not Chinese \(0% Han characters",
    "too_short": r"short\.txt: the text is too short to analyse \(11 Han characters, fewer than min_han_chars=50",
    "manifest_path_outside": r"metadata\.csv, row 3: file '\.\./outside\.txt' points outside the corpus folder",
    "symlink_outside": r"link\.txt: is a symbolic link to .*outside\.txt, outside the corpus folder",
    "manifest_doc_id_path": r"metadata\.csv, row 1: doc_id '\.\./\.\./evil' contains a path separator",
}
#: Problems that follow from the case's own. None: a manifest row refused for its doc_id leaves
#: its file without a row, which the row's own problem says (not a second, misleading one).
FOLLOWING: dict[str, list[str]] = {}
REFUSED = [case for case, (_, code, _) in BAD_INPUT_CASES.items() if code is not None]
REPAIRED = [case for case, (_, code, _) in BAD_INPUT_CASES.items() if code is None]


def _build(case: str, tmp_path: Path) -> Path:
    """The case's corpus; two tables rewritten so that each holds only its one problem.

    ``make_corpora`` writes the malformed table with a too-short first row, which is now read
    (and refused) row by row, and names the missing text column ``body``, which is now taken
    for the text (``corpus_tools.io.TEXT_ALIASES``).
    """
    folder = build_bad_input(case, tmp_path)
    body = GOOD["good-b.txt"].replace("\n", " ").replace('"', '""')
    if case == "malformed_table":
        (folder / "table.csv").write_text(f'title,text\n"标题乙","{body}","多余的一列"\n', encoding="utf-8")
    elif case == "missing_text_column":
        (folder / "table.csv").write_text(f'title,abstract\n标题甲,"{body}"\n', encoding="utf-8")
    return folder


def _expected_ids(case: str) -> list[str]:
    if case in {"manifest_row_without_file", "manifest_path_outside"}:
        return ["a", "b"]
    if case == "file_without_manifest_row":
        return ["a", "b", "extra"]  # kept, with docvars inferred
    if case == "manifest_doc_id_path":
        return ["b", "good-a"]  # good-a.txt lost its row: kept, docvars inferred
    return GOOD_IDS


def test_every_refused_case_has_a_message():
    assert set(MESSAGES) == set(REFUSED)


@pytest.mark.parametrize("case", REFUSED)
def test_the_default_names_the_file_and_the_problem(tmp_path, case):
    folder = _build(case, tmp_path)
    with pytest.raises(CorpusReadError, match=MESSAGES[case]) as info:
        read_corpus(folder)
    code = BAD_INPUT_CASES[case][1]
    assert [p.code for p in info.value.problems] == [code] + FOLLOWING.get(case, [])


@pytest.mark.parametrize("case", REFUSED)
def test_skipping_reads_the_rest_and_loses_nothing(tmp_path, case, caplog):
    folder = _build(case, tmp_path)
    _, code, rule = BAD_INPUT_CASES[case]
    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        corpus = read_corpus(folder, on_error="skip")
    assert corpus.doc_ids == _expected_ids(case)
    # the good articles read as they would alone
    alone = corpus_from_texts({"good-a": GOOD["good-a.txt"], "good-b": GOOD["good-b.txt"]})
    copies = {"good-a": "good-a", "good-b": "good-b", "a": "good-a", "b": "good-b"}
    for doc_id in corpus.doc_ids:
        if doc_id in copies:
            assert corpus.texts[doc_id] == alone.texts[copies[doc_id]]
    # the bad item: in the problems, with its reason ...
    problem, *following = corpus.problems.itertuples(index=False)
    assert [p.code for p in following] == FOLLOWING.get(case, [])
    assert problem.code == code
    assert problem.action == ("kept" if case == "file_without_manifest_row" else "skipped")
    assert BAD_INPUT_CASES[case][0] in problem.message or "metadata.csv" in problem.message
    # ... in the quality log under its rule ...
    logged = corpus.quality_log[corpus.quality_log["rule"] == rule]
    assert logged["detail"].tolist() == [problem.message]
    # ... first in the overview's problems table ...
    table = overview.problems_table(corpus)
    assert table.iloc[0][["source", "rule", "detail"]].tolist() == [problem.source, rule, problem.message]
    # ... and said out loud
    if problem.action == "skipped":
        assert "skipped" in caplog.text and problem.message in caplog.text
    # every file in the folder is a document or a problem (or the manifest)
    accounted = set(corpus.docvars["source"]) | set(corpus.problems["source"].str.replace(r"#\d+$", "", regex=True))
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()}
    assert files - accounted <= {"metadata.csv"}


@pytest.mark.parametrize("case", [case for case in REPAIRED if case != "enormous_line"])
def test_repaired_inputs_are_read_and_logged(tmp_path, case):
    folder = build_bad_input(case, tmp_path)
    name, _, rule = BAD_INPUT_CASES[case]
    doc_id = Path(name).stem
    corpus = read_corpus(folder)
    assert corpus.problems.empty
    assert corpus.doc_ids == sorted(GOOD_IDS + [doc_id])
    log = corpus.quality_log.set_index(["doc_id", "rule"])
    # the same text as the good article it copies: the damage is gone, and logged
    assert corpus.texts[doc_id] == corpus.texts["good-a"]
    expected = {"bom": 1, "crlf": UTF8_LINES, "lone_cr": UTF8_LINES}[case]
    assert log.loc[(doc_id, rule), "count"] == expected
    if case == "bom":
        assert corpus.raw_texts[doc_id] == GOOD["good-a.txt"]  # the mark is not text
        assert overview.problems_table(corpus)[["doc_id", "action", "rule"]].values.tolist() == [[doc_id, "altered", "bom_removed"]]


@pytest.mark.slow
def test_a_five_megabyte_line_is_read_in_reasonable_time_and_flagged(tmp_path):
    folder = build_bad_input("enormous_line", tmp_path)
    assert (folder / "oneline.txt").stat().st_size > 4_900_000
    start = time.perf_counter()
    corpus = read_corpus(folder)
    elapsed = time.perf_counter() - start
    # measured at about 3 s on the development machine; linear work, no quadratic blow-up
    assert elapsed < 60
    assert corpus.doc_ids == ["good-a", "good-b", "oneline"]
    # line 1 is a short title, line 2 blank, line 3 the sentence repeated to about 5 MB
    n_chars = (5_000_000 // len(LONG_LINE_SENTENCE.encode("utf-8"))) * len(LONG_LINE_SENTENCE)
    assert corpus.docvars.loc["oneline", "n_paragraphs"] == 1
    assert corpus.docvars.loc["oneline", "n_chars_body"] == n_chars
    entry = corpus.quality_log.set_index(["doc_id", "rule"]).loc[("oneline", "long_line")]
    assert entry["count"] == 1
    assert f"oneline.txt: line 3 has {n_chars:,} characters without a line break" in entry["detail"]
    assert overview.problems_table(corpus)[["action", "rule"]].values.tolist() == [["flagged", "long_line"]]


def test_mixed_encodings_can_be_decoded_line_by_line(tmp_path):
    folder = build_bad_input("mixed_encodings", tmp_path)
    corpus = read_corpus(folder, mixed_encodings="by_line")
    assert corpus.raw_texts["mixed"] == GOOD["good-a.txt"] + GOOD["good-b.txt"]
    assert corpus.docvars.loc["mixed", ["encoding", "encoding_method"]].tolist() == ["utf-8+gb18030", "by-line"]
    entry = corpus.quality_log.set_index(["doc_id", "rule"]).loc[("mixed", "encoding_by_line")]
    assert entry["detail"] == f"lines {UTF8_LINES + 1}–{2 * UTF8_LINES + 1} decoded as GB18030, the rest as UTF-8"


def test_lower_thresholds_let_short_and_foreign_texts_in(tmp_path):
    folder = build_bad_input("too_short", tmp_path)
    assert "short" in read_corpus(folder, min_han_chars=5).doc_ids
    folder = build_bad_input("not_chinese", tmp_path / "en")
    assert "english" in read_corpus(folder, min_han_share=0, min_han_chars=0).doc_ids


# --------------------------------------------------------------------------- corpus text is data


def test_corpus_text_is_data_never_code(tmp_path):
    marker = tmp_path / "pwned"
    hostile = (
        "$(touch {m})；`touch {m}`；{{{{7*7}}}}；__import__('os').system('touch {m}')；"
        "<script>alert(1)</script>；'; DROP TABLE docs; --"
    ).format(m=marker)
    text = GOOD["good-a.txt"] + hostile + "\n"
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "$(touch x).txt").write_text(text, encoding="utf-8")
    (corpus_dir / "t.csv").write_text(
        'id,district,text\n"$(touch y)",{{7*7}},"' + text.replace('"', '""') + '"\n', encoding="utf-8"
    )
    corpus = read_corpus(corpus_dir, on_error="skip")
    assert not marker.exists()
    # ids from file names are path-free slugs; the table's hostile values are plain strings
    # (its unique `id` column gives the doc_id, as a string)
    assert corpus.doc_ids == ["touch-x", "$(touch y)"]
    assert corpus.docvars.loc["$(touch y)", "district"] == "{{7*7}}"
    for doc_id in corpus.doc_ids:
        for word in ("import", "os", "system", "touch", "DROP TABLE", "<script>", "7*7"):
            assert word in corpus.texts[doc_id], (doc_id, word)


def test_doc_ids_never_hold_a_path(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a..b.txt").write_text(GOOD["good-a.txt"], encoding="utf-8")
    (folder / "t.csv").write_text('id,text\n"..\\evil","' + GOOD["good-b.txt"] + '"\n', encoding="utf-8")
    corpus = read_corpus(folder, id_column="id", on_error="skip")
    assert corpus.doc_ids == ["sub-a-b"]
    assert corpus.problems["code"].tolist() == ["bad_doc_id"]
    for doc_id in corpus.doc_ids:
        assert "/" not in doc_id and "\\" not in doc_id and ".." not in doc_id
