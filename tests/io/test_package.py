"""Tests for corpus_tools.io as a package: the old module names keep working for one release."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import corpus_tools.io as io_package

#: The public names of corpus_tools.readers and corpus_tools.decode before they became corpus_tools.io.
OLD_READERS_ALL = [
    "COLUMN_ALIASES", "CorpusReadError", "Format", "PROBLEM_CODES", "RawDocument", "ID_ALIASES",
    "MAX_DOCX_UNZIPPED_BYTES", "ReadProblem", "SUPPORTED_SUFFIXES", "TABLE_FORMATS", "TEXT_ALIASES",
    "URL_ALIASES", "docx_to_text", "html_to_text", "iter_documents", "markdown_to_text", "option_hint",
    "read_file",
    # imported from readers by other modules though not in its __all__
    "READ_INFO_COLUMNS", "han_share", "declared_html_charset", "LONG_LINE_CHARS",
]
OLD_DECODE_ALL = ["Decoded", "DecodingError", "common_han_share", "decode_bytes", "normalize_codec", "CANDIDATE_ENCODINGS"]


def test_every_old_public_name_is_in_the_package():
    for name in OLD_READERS_ALL + OLD_DECODE_ALL:
        assert hasattr(io_package, name), name
    assert set(io_package.__all__) <= set(dir(io_package))


def test_the_old_module_names_are_the_new_modules():
    with warnings.catch_warnings():
        # warned only on the first import in this process, which another test may have made
        warnings.simplefilter("ignore", FutureWarning)
        readers = importlib.import_module("corpus_tools.readers")
        decode = importlib.import_module("corpus_tools.decode")
    assert readers is io_package
    assert decode is importlib.import_module("corpus_tools.io.decode")
    for name in OLD_DECODE_ALL:
        assert hasattr(decode, name), name


def test_an_old_name_warns_a_caller_outside_the_package():
    code = (
        "import warnings; warnings.simplefilter('error', FutureWarning)\n"
        "import corpus_tools\n"
        "try:\n"
        "    import corpus_tools.decode\n"
        "except FutureWarning as warning:\n"
        "    print(warning)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "corpus_tools.decode has moved to corpus_tools.io.decode" in out
