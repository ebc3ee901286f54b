"""Tests for corpus_tools.io.decode: detecting a file's encoding and saying why."""

from __future__ import annotations

import codecs
import dataclasses
from pathlib import Path

import opencc
import pytest

from corpus_tools.io.decode import Decoded, DecodingError, decode_bytes, normalize_codec

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

#: The four seeds written in simplified characters (jinan-city, 002, is traditional).
SIMPLIFIED_SEED_FILES = (
    "000_bb6f8de1c4a960c6.txt",
    "001_2708217661cee57b.txt",
    "003_2e2e8a5ccda84c7c.txt",
    "004_482eecf055e9753a.txt",
)


def _seed_text(file: str) -> str:
    return (SEEDS_DIR / file).read_text(encoding="utf-8")


def _big5_encodable(text: str) -> str:
    """Drop the characters that cp950 cannot hold (there are none in the seeds, but be safe)."""
    return "".join(ch for ch in text if ch.encode("cp950", errors="ignore"))


# --------------------------------------------------------------------------- Unicode


@pytest.mark.parametrize(
    ("data", "encoding", "method", "had_bom"),
    [
        ("学史明理，学史增信".encode("utf-8"), "utf-8", "utf-8-strict", False),
        (codecs.BOM_UTF8 + "学史明理，学史增信".encode("utf-8"), "utf-8-sig", "bom", True),
        (codecs.BOM_UTF16_LE + "学史明理，学史增信".encode("utf-16-le"), "utf-16", "bom", True),
        (codecs.BOM_UTF16_BE + "学史明理，学史增信".encode("utf-16-be"), "utf-16", "bom", True),
        (codecs.BOM_UTF32_LE + "学史明理，学史增信".encode("utf-32-le"), "utf-32", "bom", True),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf32-le-bom"],
)
def test_unicode_encodings(data, encoding, method, had_bom):
    decoded = decode_bytes(data)
    assert decoded == Decoded("学史明理，学史增信", encoding, method, had_bom)


def test_bom_is_removed_and_nothing_else_changes():
    text = "\n\n学史明理\r\n\u3000学史增信\n"
    decoded = decode_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    assert decoded.text == text


def test_utf16_with_ascii_is_not_mistaken_for_binary():
    # UTF-16 stores ASCII with NUL bytes; the byte-order mark must be checked first.
    data = "H5 产品 2021".encode("utf-16")
    assert b"\x00" in data
    assert decode_bytes(data).text == "H5 产品 2021"


def test_plain_ascii_is_utf8():
    assert decode_bytes(b"version 1.2, H5").encoding == "utf-8"


@pytest.mark.parametrize("file", SIMPLIFIED_SEED_FILES + ("002_13c419424a7d791f.txt",))
def test_seed_files_are_utf8(file):
    data = (SEEDS_DIR / file).read_bytes()
    decoded = decode_bytes(data)
    assert (decoded.encoding, decoded.method, decoded.had_bom) == ("utf-8", "utf-8-strict", False)
    assert decoded.text == data.decode("utf-8")


# --------------------------------------------------------------------------- legacy encodings


@pytest.mark.parametrize("codec", ["gb18030", "gbk"])
@pytest.mark.parametrize("file", SIMPLIFIED_SEED_FILES)
def test_gb_family_bytes_of_a_simplified_seed(file, codec):
    text = _seed_text(file)
    decoded = decode_bytes(text.encode(codec))
    assert decoded.text == text
    # GBK is a subset of GB18030, so GB18030 is the right codec for both; simplified
    # characters (学, 党 …) are not in Big5, so GB18030 is the only candidate.
    assert (decoded.encoding, decoded.method) == ("gb18030", "only-candidate")


@pytest.mark.parametrize("doc_id", ["jinan-city", "luohe-zhaoling", "chongqing-wulong"])
def test_big5_bytes_of_a_traditional_text(seeds, doc_id):
    traditional = _big5_encodable(opencc.OpenCC("s2tw.json").convert(seeds.texts[doc_id]))
    assert "黨史學習教育" in traditional  # really traditional
    decoded = decode_bytes(traditional.encode("cp950"))
    assert decoded.text == traditional
    # Big5 bytes of Chinese text usually decode as GB18030 too (to nonsense), so the
    # two candidates are ranked.
    assert (decoded.encoding, decoded.method) == ("cp950", "charset-normalizer")


def test_gb18030_bytes_of_traditional_text_stay_gb18030():
    text = "學史明理，學史增信，學史崇德，學史力行。"
    decoded = decode_bytes(text.encode("gb18030"))
    assert (decoded.text, decoded.encoding) == (text, "gb18030")


def test_declared_encoding_is_used_and_recorded():
    decoded = decode_bytes("学史明理".encode("gbk"), encoding="gbk")
    assert decoded == Decoded("学史明理", "gbk", "declared", False)


def test_decoded_is_immutable():
    decoded = decode_bytes(b"abc")
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoded.text = "x"  # type: ignore[misc]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("data", "first_nul"),
    [
        (b"\x00\x01\x02PNG", 0),
        ("学史明理".encode("gb18030") + b"\x00\x00", 8),
        (b"ab\x00", 2),
    ],
)
def test_nul_bytes_mean_binary(data, first_nul):
    with pytest.raises(DecodingError) as info:
        decode_bytes(data, name="scan.txt")
    message = str(info.value)
    assert "scan.txt" in message
    assert "binary" in message
    assert f"byte {first_nul}" in message


def test_nul_bytes_are_refused_even_with_a_declared_encoding():
    with pytest.raises(DecodingError, match="binary"):
        decode_bytes(b"ab\x00cd", name="x.txt", encoding="latin-1")


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        # 0xFF can start a character in none of UTF-8, GB18030 or Big5.
        (b"\xff", 0),
        (b"ab\xff", 2),
        ("学史".encode("utf-8") + b"\xff\xff", 6),
    ],
)
def test_bytes_valid_in_no_candidate(data, offset):
    with pytest.raises(DecodingError) as info:
        decode_bytes(data, name=Path("folder/broken.txt"))
    message = str(info.value)
    assert "broken.txt" in message
    for codec in ("utf-8", "gb18030", "cp950"):
        assert codec in message
    assert f"byte {offset}" in message
    assert "encoding=" in message  # tells the reader how to override detection


def test_error_without_a_name_still_says_bytes():
    with pytest.raises(DecodingError, match="<bytes>"):
        decode_bytes(b"\xff")


def test_declared_encoding_that_does_not_fit():
    data = "abc學史".encode("cp950")  # 學 is 0xBE 0xC7: not UTF-8 at byte 3
    with pytest.raises(DecodingError) as info:
        decode_bytes(data, name="big5.txt", encoding="utf-8")
    message = str(info.value)
    assert "big5.txt" in message
    assert "declared encoding 'utf-8'" in message
    assert "byte 3" in message


def test_declared_encoding_error_is_a_value_error():
    # Callers that catch ValueError (e.g. CLI code) catch decoding failures too.
    with pytest.raises(ValueError):
        decode_bytes(b"\xff", encoding="utf-8")


def test_broken_utf16_after_its_bom():
    data = codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate at byte 6
    with pytest.raises(DecodingError) as info:
        decode_bytes(data, name="u16.txt")
    assert "u16.txt" in str(info.value)
    assert "utf-16" in str(info.value)
    assert "byte 6" in str(info.value)


def test_broken_utf8_after_its_bom_reports_the_file_offset():
    data = codecs.BOM_UTF8 + b"ab\xff"  # the bad byte is byte 5 of the file
    with pytest.raises(DecodingError) as info:
        decode_bytes(data, name="bom.txt")
    assert "byte 5" in str(info.value)


# --------------------------------------------------------------------------- what a file declares


def test_a_declared_charset_settles_an_ambiguous_file():
    traditional = "學史明理，學史增信，學史崇德，學史力行。"
    data = traditional.encode("cp950")
    assert data.decode("gb18030")  # Big5 bytes are valid GB18030 too: the hint decides
    decoded = decode_bytes(data, hint="big5")
    assert (decoded.text, decoded.encoding, decoded.method) == (traditional, "cp950", "hint")


def test_utf8_beats_a_stale_charset_declaration():
    # pages re-saved as UTF-8 often keep their old <meta charset="gb2312">
    decoded = decode_bytes("学史明理".encode("utf-8"), hint="gb2312")
    assert (decoded.encoding, decoded.method) == ("utf-8", "utf-8-strict")


def test_a_wrong_declaration_falls_back_to_detection():
    # 喆 in GB18030 is 0x86 0xB4: 0x86 starts no Big5 character, so the "big5" label cannot be right
    decoded = decode_bytes("学史明理，王喆".encode("gb18030"), hint="big5")
    assert (decoded.text, decoded.encoding, decoded.method) == ("学史明理，王喆", "gb18030", "only-candidate")
    assert decode_bytes("学史明理".encode("gb18030"), hint="no-such-codec").encoding == "gb18030"


@pytest.mark.parametrize(
    ("label", "codec"),
    [("gb2312", "gb18030"), ("GBK", "gb18030"), ("gb18030", "gb18030"), ("big5", "cp950"), ("UTF8", "utf-8"),
     ("euc-cn", "gb18030"), ("x-nonsense", None)],
)
def test_normalize_codec(label, codec):
    assert normalize_codec(label) == codec


# --------------------------------------------------------------------------- mixed encodings

UTF8_PART = "学史明理，学史增信。\n\n学史崇德，学史力行。\n"
GB_PART = "党史学习教育走深走实。\n\n为群众办实事。\n"


def test_mixed_encodings_are_refused_by_default_with_the_lines():
    data = UTF8_PART.encode("utf-8") + GB_PART.encode("gb18030")
    with pytest.raises(DecodingError) as info:
        decode_bytes(data, name="mixed.txt")
    # by hand: the UTF-8 part is lines 1-3, the GB18030 part lines 4-7 (the last one empty)
    assert str(info.value).startswith("mixed.txt: mixes encodings (lines 1–3 are UTF-8; lines 4–7 are GB18030)")
    assert "mixed_encodings='by_line'" in str(info.value)
    assert info.value.code == "mixed_encodings"


def test_mixed_encodings_decoded_line_by_line():
    data = GB_PART.encode("gb18030") + UTF8_PART.encode("utf-8") + GB_PART.encode("gb18030")
    decoded = decode_bytes(data, mixed_encodings="by_line")
    assert decoded.text == GB_PART + UTF8_PART + GB_PART
    assert (decoded.encoding, decoded.method) == ("utf-8+gb18030", "by-line")
    assert decoded.notes == ("lines 1–3, lines 7–10 decoded as GB18030, the rest as UTF-8",)


def test_mixed_with_big5():
    traditional = "黨史學習教育走深走實。\n\n為群眾辦實事。\n"
    decoded = decode_bytes(UTF8_PART.encode("utf-8") + traditional.encode("cp950"), mixed_encodings="by_line")
    assert decoded.text == UTF8_PART + traditional
    assert decoded.encoding in {"utf-8+cp950", "utf-8+gb18030"}
    assert decoded.encoding == "utf-8+cp950"


def test_crlf_lines_mixing_encodings():
    data = UTF8_PART.replace("\n", "\r\n").encode("utf-8") + GB_PART.replace("\n", "\r\n").encode("gb18030")
    assert decode_bytes(data, mixed_encodings="by_line").text == (UTF8_PART + GB_PART).replace("\n", "\r\n")


def test_a_legacy_file_is_not_taken_for_mixed():
    for file in SIMPLIFIED_SEED_FILES:
        text = _seed_text(file)
        assert decode_bytes(text.encode("gb18030")).method == "only-candidate"


# --------------------------------------------------------------------------- not text


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.4\n\x00\x01", "a PDF document"),
        (b"PK\x03\x04\x14\x00", "a ZIP archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an old Microsoft Office file"),
    ],
)
def test_binary_files_say_what_they_look_like(data, kind):
    with pytest.raises(DecodingError, match=f"doc.txt: contains NUL bytes.*starts like {kind}") as info:
        decode_bytes(data, name="doc.txt")
    assert info.value.code == "binary"


def test_control_characters_mean_binary_even_without_nul():
    data = bytes(range(1, 9)) * 20 + "学史明理".encode()
    with pytest.raises(DecodingError, match=r"x.txt: 160 of 164 characters are control characters") as info:
        decode_bytes(data, name="x.txt")
    assert info.value.code == "binary"


def test_a_few_control_characters_are_cleaning_s_business():
    # scraped pages carry the odd \x07; clean.py removes and logs it
    assert decode_bytes("学史\x07明理".encode()).text == "学史\x07明理"


def test_error_codes():
    with pytest.raises(DecodingError) as info:
        decode_bytes(b"\xff")
    assert info.value.code == "undecodable"
    with pytest.raises(DecodingError) as info:
        decode_bytes(b"abc", encoding="no-such")
    assert info.value.code == "bad_encoding"


def test_the_old_name_mixed_still_works_with_a_warning():
    data = "学史明理\n".encode("utf-8") + "学史增信\n".encode("gb18030")
    with pytest.warns(FutureWarning, match="'mixed' is renamed 'mixed_encodings'"):
        decoded = decode_bytes(data, mixed="by_line")
    assert (decoded.text, decoded.encoding) == ("学史明理\n学史增信\n", "utf-8+gb18030")
