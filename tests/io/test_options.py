"""Tests for corpus_tools.io.options: ReadOptions' defaults, validation and keyword handling."""

from __future__ import annotations

import pickle

import pytest

from corpus_tools.io.options import ReadOptions, option_hint


def test_defaults_are_the_documented_ones():
    options = ReadOptions()
    assert (options.format, options.pattern, options.encoding) == (None, None, None)
    assert options.mixed_encodings == "raise"
    assert (options.text_column, options.id_column, options.docvar_columns) == (None, None, None)
    assert options.columns == () and options.column_map == {}
    assert options.map_columns is True
    assert options.min_han_chars == 50
    assert options.min_han_share == 0.5
    assert options.on_error == "raise"
    assert options.to_kwargs() == {}


def test_names_are_the_fields_in_order():
    assert ReadOptions.names() == (
        "format", "pattern", "encoding", "mixed_encodings", "text_column", "id_column", "docvar_columns",
        "columns", "map_columns", "min_han_chars", "min_han_share", "on_error",
    )


def test_columns_given_as_a_mapping_or_pairs_are_the_same_options():
    as_dict = ReadOptions(columns={"发布单位": "outlet", "栏目": "section_name"})
    as_pairs = ReadOptions(columns=[("发布单位", "outlet"), ("栏目", "section_name")])
    assert as_dict == as_pairs
    assert as_dict.columns == (("发布单位", "outlet"), ("栏目", "section_name"))
    assert as_dict.column_map == {"发布单位": "outlet", "栏目": "section_name"}
    # frozen, hashable and picklable: it can key a cache and travel to a worker process
    assert hash(as_dict) == hash(as_pairs)
    assert pickle.loads(pickle.dumps(as_dict)) == as_dict
    with pytest.raises(AttributeError):
        as_dict.text_column = "content"  # type: ignore[misc]


def test_docvar_columns_become_a_tuple_and_a_bare_string_is_refused():
    assert ReadOptions(docvar_columns=["标题", "区县"]).docvar_columns == ("标题", "区县")
    with pytest.raises(TypeError, match=r"docvar_columns must be a list of column names, e\.g\. \['标题'\]"):
        ReadOptions(docvar_columns="标题")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"on_error": "ignore"}, r"on_error must be 'raise' or 'skip', not 'ignore'"),
        ({"mixed_encodings": "guess"}, r"mixed_encodings must be 'raise' or 'by_line', not 'guess'"),
        ({"format": "pdf"}, r"format must be one of \['csv', 'docx', 'html', 'jsonl', 'md', 'parquet', 'tsv', 'txt'\]"),
        ({"min_han_share": 2}, r"min_han_share must be a share between 0 and 1 .*not 2$"),
        ({"min_han_share": -0.1}, r"min_han_share must be a share between 0 and 1"),
        ({"min_han_chars": -1}, r"min_han_chars must be a count ≥ 0 .*not -1$"),
        ({"min_han_chars": 2.5}, r"min_han_chars must be a count ≥ 0"),
        ({"encoding": "no-such-codec"}, r"encoding 'no-such-codec' is not an encoding Python knows .*encoding=None"),
        ({"columns": {"单位": "text"}}, r"columns: '单位' → 'text': name that column with read_corpus\(text_column='单位'\)"),
        ({"columns": {"编号": "doc_id"}}, r"read_corpus\(id_column='编号'\)"),
        ({"columns": {"文件": "sha256"}}, r"'sha256' is set by reading itself; choose another docvar name"),
        ({"columns": {"栏目": " "}}, r"columns: '栏目' → ' ': give the docvar a name"),
    ],
)
def test_a_bad_value_names_the_option_and_what_to_do(options, message):
    with pytest.raises(ValueError, match=message):
        ReadOptions(**options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"text_column": ""}, "text_column must be a non-empty string or None"),
        ({"id_column": 3}, "id_column must be a non-empty string or None, not 3"),
        ({"map_columns": "yes"}, "map_columns must be True or False, not 'yes'"),
        ({"columns": "发布单位=outlet"}, "columns must map table column names to docvar names"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_type_error(options, message):
    with pytest.raises(TypeError, match=message):
        ReadOptions(**options)


def test_from_kwargs_names_an_unknown_option_and_lists_the_valid_ones():
    with pytest.raises(TypeError) as info:
        ReadOptions.from_kwargs(text_colum="content")
    message = str(info.value)
    assert message.startswith("unknown reading option 'text_colum' (did you mean 'text_column'?)")
    for name in ReadOptions.names():
        assert name in message
    with pytest.raises(TypeError, match=r"unknown reading option 'n_jobs'; the reading options are: format, "):
        ReadOptions.from_kwargs(n_jobs=2)


def test_from_kwargs_layers_keywords_over_a_base():
    base = ReadOptions(text_column="content", min_han_chars=10)
    assert ReadOptions.from_kwargs(base) is base
    changed = ReadOptions.from_kwargs(base, min_han_chars=20)
    assert (changed.text_column, changed.min_han_chars) == ("content", 20)
    assert base.min_han_chars == 10  # the base is not changed
    from_mapping = ReadOptions.from_kwargs({"text_column": "content"}, on_error="skip")
    assert from_mapping == ReadOptions(text_column="content", on_error="skip")
    with pytest.raises(TypeError, match="unknown reading option 'txt_column'"):
        ReadOptions.from_kwargs({"txt_column": "content"})
    with pytest.raises(TypeError, match="must be a ReadOptions or a mapping"):
        ReadOptions.from_kwargs("content")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unknown reading option 'colums'"):
        base.replace(colums={})


def test_to_kwargs_round_trips_as_plain_literals():
    options = ReadOptions(
        format="csv", text_column="正文", docvar_columns=["标题"], columns={"媒体": "outlet"}, min_han_share=0.3,
        on_error="skip",
    )
    kwargs = options.to_kwargs()
    assert kwargs == {
        "format": "csv", "text_column": "正文", "docvar_columns": ["标题"], "columns": {"媒体": "outlet"},
        "min_han_share": 0.3, "on_error": "skip",
    }
    assert ReadOptions.from_kwargs(**kwargs) == options
    assert len(options.to_kwargs(changed_only=False)) == len(ReadOptions.names())


def test_option_hint_gives_both_spellings():
    assert option_hint("min_han_chars", 8) == "read_corpus(min_han_chars=8) or dangshi-reports --min-han-chars 8"
    assert option_hint("columns") == "read_corpus(columns={'NAME': 'DOCVAR'}) or dangshi-reports --column NAME=DOCVAR"
    assert option_hint("mixed_encodings", "by_line") == "read_corpus(mixed_encodings='by_line')"


def test_every_command_line_spelling_names_a_reading_option():
    from corpus_tools.io.options import CLI_OPTIONS, CLI_SPELLING

    assert set(CLI_SPELLING) - {"metadata"} <= set(ReadOptions.names())
    assert CLI_OPTIONS == {"text_column", "id_column", "format", "encoding", "min_han_share", "min_han_chars", "metadata"}
    assert option_hint("encoding", "gb18030") == "read_corpus(encoding='gb18030') or dangshi-reports --encoding gb18030"
