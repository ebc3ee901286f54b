"""Tests for corpus_tools.streaming.sources: one document record, chunks, and reading options."""

from __future__ import annotations

import pytest

from corpus_tools.io.records import RawDocument
from corpus_tools.streaming.sources import IN_MEMORY_READ_INFO, SourceDocument, chunked, read_source


def test_source_document_is_the_readers_record():
    document = SourceDocument("甲", text="学史明理。", docvars={"district": "乙区"}, origin={"district": "manifest"})
    assert isinstance(document, RawDocument)
    assert document.raw_text == "学史明理。"
    assert dict(document.read_info) == dict(IN_MEMORY_READ_INFO)
    assert dict(document.docvars) == {"district": "乙区"}
    assert dict(document.docvar_origin) == {"district": "manifest"}


def test_texts_become_documents_in_order_and_records_pass_through():
    record = SourceDocument("丙", text="学史增信。")
    source = read_source([("甲", "学史明理。"), record], metadata=None, pattern=None, encoding=None, read_options={})
    documents = list(source.documents)
    assert [d.doc_id for d in documents] == ["甲", "丙"]
    assert documents[1] is record
    assert source.total is None
    mapping = read_source({"甲": "一", "乙": "二"}, metadata=None, pattern=None, encoding=None, read_options={})
    assert mapping.total == 2 and mapping.label == "<2 texts>"


def test_a_text_that_is_not_a_string_is_refused():
    source = read_source([("甲", 3)], metadata=None, pattern=None, encoding=None, read_options={})
    with pytest.raises(TypeError, match="document '甲': text must be a str"):
        list(source.documents)


def test_reading_options_with_texts_are_refused():
    with pytest.raises(ValueError, match="apply to a folder"):
        read_source({"甲": "一"}, metadata=None, pattern="*.txt", encoding=None, read_options={})


def test_chunked_cuts_in_order_and_refuses_a_repeated_id():
    documents = [SourceDocument(doc_id, text="学史明理。") for doc_id in ["a", "b", "c", "d", "e"]]
    assert [[d.doc_id for d in chunk] for chunk in chunked(documents, 2)] == [["a", "b"], ["c", "d"], ["e"]]
    repeated = documents[:2] + [SourceDocument("a", text="学史增信。")]
    with pytest.raises(ValueError, match="duplicate doc_id 'a'"):
        list(chunked(repeated, 2))


def test_an_unknown_reading_option_fails_before_anything_is_read(tmp_path):
    with pytest.raises(TypeError, match="unknown reading option 'text_colum'"):
        read_source(tmp_path / "missing", metadata=None, pattern=None, encoding=None,
                    read_options={"text_colum": "content"})
