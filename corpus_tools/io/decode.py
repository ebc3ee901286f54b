"""Decode a file's bytes to text, detecting its encoding and recording why.

Chinese news arrives in UTF-8 (with or without a byte-order mark), in the
mainland's GB18030 family (GB2312 ⊂ GBK ⊂ GB18030) and in Big5 from Taiwan
and Hong Kong sources. The decision is made in this order, each step
recorded as the ``method``:

1. a byte-order mark (``bom``) — UTF-8, UTF-16 or UTF-32;
2. strict UTF-8 (``utf-8-strict``): UTF-8 is self-validating, so Chinese text
   that decodes strictly as UTF-8 is UTF-8;
3. an encoding the file declares about itself, such as an HTML
   ``<meta charset>`` (``hint``), when it decodes the bytes strictly;
4. strict decoding as GB18030 and as Big5 (``cp950``, Microsoft's superset of
   Big5); when only one succeeds it wins (``only-candidate``); when both do,
   charset-normalizer ranks them by how plausible the decoded text is
   (``charset-normalizer``).

Text decoded from a legacy encoding (steps 3 and 4, or ``encoding=``) is then judged by its
characters: when too few of its Han characters are common ones
(:func:`common_han_share`), it is mojibake; the other candidate is used if it reads as prose
(``character-statistics``), else :attr:`Decoded.suspect` holds a warning (also logged) that
names the file and the encodings tried.

Before step 4, the lines of the file are checked one by one: a file whose
lines are partly UTF-8 Chinese and partly a legacy encoding (two files
concatenated, a page edited in two editors) *mixes encodings*. Decoding it
as a whole would turn one part into nonsense, so by default it raises
:class:`DecodingError` naming the lines in each encoding; with
``mixed_encodings="by_line"`` each line is decoded in its own encoding (``by-line``)
and :attr:`Decoded.notes` says which lines were.

Bytes that are not text raise :class:`DecodingError` too: NUL bytes or many
control characters (``binary``, with a guess at the file type from its first
bytes), or bytes no candidate decodes (``undecodable``, with the byte offset
at which each encoding fails). Every message names the file.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from ..compat import renamed_parameters
from .options import option_hint

__all__ = ["Decoded", "DecodingError", "common_han_share", "decode_bytes", "normalize_codec", "CANDIDATE_ENCODINGS"]

#: Legacy encodings tried, in order, after UTF-8.
CANDIDATE_ENCODINGS = ("gb18030", "cp950")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Declared names that are subsets of a wider codec: a page labelled gb2312 routinely holds
# GBK-only characters (镕, 喆 …), and Big5 pages hold Microsoft's cp950 extensions.
_WIDER_CODEC = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950"}

# First bytes of common binary formats, to say what a file that is not text probably is.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (a .docx or .xlsx file has this form)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PAR1", "a Parquet table"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc or .xls)"),
    (b"{\\rtf", "an RTF document"),
)

# C0 controls other than tab, newline, vertical tab, form feed and carriage return, and DEL.
_CONTROL_RE = re.compile("[\x01-\x08\x0e-\x1f\x7f]")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

#: Share of control characters above which decoded bytes are taken for binary data.
MAX_CONTROL_SHARE = 0.05
#: A legacy-decoded text whose Han characters are less often common characters than this
#: (see :func:`common_han_share`) looks like mojibake. Chinese news is at 0.97 or more (the
#: 60 excerpts of the evaluation set: 0.975–1.0); GBK bytes read as Big5 give about 0.45.
MIN_COMMON_HAN_SHARE = 0.8
#: Fewer Han characters than this are too few to judge.
_MIN_HAN_TO_JUDGE = 20
#: Characters judged: the first this many of the text are enough for the statistic.
_JUDGE_CHARS = 100_000

logger = logging.getLogger(__name__)


class DecodingError(ValueError):
    """A file's bytes are not text in any supported encoding.

    Attributes
    ----------
    code : str
        What went wrong: ``binary``, ``undecodable``, ``mixed_encodings`` or
        ``bad_encoding`` (an ``encoding=`` Python does not know or that does
        not fit the bytes).
    """

    def __init__(self, message: str, *, code: str = "undecodable") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Decoded:
    """A decoded text and the evidence for its encoding.

    Attributes
    ----------
    text : str
        The decoded text, byte-order mark removed, otherwise untouched.
    encoding : str
        Python codec name used (``utf-8``, ``utf-8-sig``, ``gb18030``, ``cp950`` …);
        ``utf-8+gb18030`` for a file decoded line by line.
    method : str
        How the encoding was decided: ``bom``, ``utf-8-strict``, ``hint``,
        ``only-candidate``, ``charset-normalizer``, ``character-statistics`` (the
        other candidate, because the first choice read as mojibake), ``declared`` or
        ``by-line``.
    had_bom : bool
        Whether the bytes started with a byte-order mark.
    notes : tuple of str
        What decoding changed beyond the encoding itself (the lines decoded
        in another encoding, for ``by-line``), for the quality log.
    suspect : str
        Not empty when the decoded text looks like mojibake (see
        :func:`common_han_share`): the warning, naming the file and the encodings tried.
    """

    text: str
    encoding: str
    method: str
    had_bom: bool = False
    notes: tuple[str, ...] = ()
    suspect: str = ""


@lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    """The common characters: GB2312 level 1 (3,755 simplified) and Big5 level 1 (5,401 traditional)."""
    chars = set()
    for lead in range(0xB0, 0xD8):  # GB2312 rows 16-55: level 1, by frequency of use
        chars.update(bytes([lead, trail]).decode("gb2312", "ignore") for trail in range(0xA1, 0xFF))
    for lead in range(0xA4, 0xC7):  # Big5 0xA440-0xC67E: the frequently used characters
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            if (lead << 8 | trail) <= 0xC67E:
                chars.add(bytes([lead, trail]).decode("cp950", "ignore"))
    chars.discard("")
    return frozenset(chars)


def common_han_share(text: str) -> tuple[float, int]:
    """Share of a text's Han characters that are common characters, and how many were judged.

    Common: in GB2312's level 1 (the 3,755 most used simplified characters) or Big5's level 1
    (the 5,401 most used traditional ones). Real Chinese prose, simplified or traditional,
    is almost all common characters; bytes decoded in the wrong legacy encoding give rare
    characters in random order. Only the first 100,000 characters are judged.

    Returns
    -------
    (float, int)
        The share (1.0 when there is no Han character) and the number of Han characters judged.

    Examples
    --------
    >>> common_han_share("学史明理，學史增信")
    (1.0, 8)
    >>> share, n = common_han_share("学史明理学史增信学史崇德学史力行".encode("gbk").decode("cp950"))
    >>> share < MIN_COMMON_HAN_SHARE
    True
    """
    han = _HAN_RE.findall(text[:_JUDGE_CHARS])
    if not han:
        return 1.0, 0
    common = _common_han()
    return sum(ch in common for ch in han) / len(han), len(han)


def _looks_garbled(text: str) -> float | None:
    """The common-character share when it is too low to be prose, else None."""
    share, n = common_han_share(text)
    return share if n >= _MIN_HAN_TO_JUDGE and share < MIN_COMMON_HAN_SHARE else None


def _checked(decoded: Decoded, data: bytes, name: str | Path, *, tried: tuple[str, ...], may_switch: bool) -> Decoded:
    """Return ``decoded``, or a candidate that reads as prose when it does not; warn if none does.

    Charset detection ranks encodings by byte statistics, and a page's ``<meta charset>`` may
    be wrong: GBK bytes often decode strictly as Big5 (cp950), into rare characters that
    still count as Chinese. The decoded characters themselves say so.
    """
    share = _looks_garbled(decoded.text)
    if share is None:
        return decoded
    if may_switch:
        for codec in CANDIDATE_ENCODINGS:
            if codec == decoded.encoding:
                continue
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _looks_garbled(text) is None:
                note = (
                    f"decoded as {codec}: as {decoded.encoding} (by {decoded.method}) only {share:.0%} of its "
                    f"Han characters were common ones, which is mojibake"
                )
                logger.info("%s: %s", name, note)
                return Decoded(text, codec, "character-statistics", decoded.had_bom, (*decoded.notes, note))
    suspect = (
        f"{name}: the text decoded as {decoded.encoding} (encodings tried: {', '.join(tried)}) looks like mojibake: "
        f"only {share:.0%} of its Han characters are common ones (prose has 97% or more); check the file's encoding, "
        f"and pass {option_hint('encoding')} if you know it"
    )
    logger.warning("%s", suspect)
    return Decoded(decoded.text, decoded.encoding, decoded.method, decoded.had_bom, decoded.notes, suspect)


def normalize_codec(name: str) -> str | None:
    """Return the Python codec to use for an encoding name a file declares, or None.

    Labels of a narrower legacy codec map to its superset (``gb2312`` and
    ``gbk`` to ``gb18030``, ``big5`` to ``cp950``), because files so labelled
    routinely hold characters only the superset has.

    Examples
    --------
    >>> normalize_codec("GB2312"), normalize_codec("utf8"), normalize_codec("x-unknown")
    ('gb18030', 'utf-8', None)
    """
    try:
        codec = codecs.lookup(name.strip()).name
    except (LookupError, ValueError):
        return None
    return _WIDER_CODEC.get(codec, codec)


def _first_bad_offset(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start
    return -1


def _what_binary(data: bytes) -> str:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return f"; it starts like {kind}"
    return ""


def _check_not_binary(text: str, name: str | Path, data: bytes) -> None:
    controls = len(_CONTROL_RE.findall(text))
    if controls > max(8, MAX_CONTROL_SHARE * len(text)):
        raise DecodingError(
            f"{name}: {controls:,} of {len(text):,} characters are control characters{_what_binary(data)} "
            "(this looks like a binary file, not text; remove it from the corpus folder)",
            code="binary",
        )


@renamed_parameters(mixed="mixed_encodings")
def decode_bytes(
    data: bytes,
    *,
    name: str | Path = "<bytes>",
    encoding: str | None = None,
    hint: str | None = None,
    mixed_encodings: Literal["raise", "by_line"] = "raise",
) -> Decoded:
    """Decode ``data``, detecting its encoding unless ``encoding`` is given.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str or Path
        Shown in error messages so the reader knows which file failed.
    encoding : str, optional
        A codec name to use instead of detection (``method == "declared"``).
    hint : str, optional
        An encoding the file declares about itself (an HTML ``<meta
        charset>``): used when UTF-8 does not fit and the hint decodes the
        bytes strictly (``method == "hint"``); otherwise detection goes on.
    mixed_encodings : {"raise", "by_line"}
        What to do with a file whose lines mix UTF-8 and a legacy encoding:
        raise :class:`DecodingError` (``code == "mixed_encodings"``), or
        decode each line in its own encoding (``method == "by-line"``, the
        lines listed in :attr:`Decoded.notes`).

    Returns
    -------
    Decoded

    Raises
    ------
    DecodingError
        When the bytes contain NUL bytes or many control characters (binary
        content), mix encodings (unless ``mixed_encodings="by_line"``), or no candidate
        encoding decodes them strictly. The message names the file, the
        problem and what to do.

    Examples
    --------
    >>> decode_bytes("学史明理".encode("gb18030")).encoding
    'gb18030'
    >>> decode_bytes("學史明理，學史增信".encode("big5")).encoding
    'cp950'
    >>> mixed = "学史明理\\n".encode("utf-8") + "学史增信\\n".encode("gb18030")
    >>> decoded = decode_bytes(mixed, mixed_encodings="by_line")
    >>> decoded.text, decoded.encoding
    ('学史明理\\n学史增信\\n', 'utf-8+gb18030')
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec).lstrip("\ufeff")
            except UnicodeDecodeError as error:
                # error.start counts from after the BOM for UTF-8-SIG; report the file offset.
                offset = error.start + (len(bom) if codec == "utf-8-sig" else 0)
                raise DecodingError(
                    f"{name}: starts with a {codec} byte-order mark but byte {offset} is not valid {codec} "
                    "(the file is damaged or mixes encodings; re-save it in one encoding)"
                ) from error
            _check_not_binary(text, name, data)
            return Decoded(text, codec, "bom", True)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DecodingError(
            f"{name}: contains NUL bytes (first at byte {nul}){_what_binary(data)}; "
            "this looks like a binary file, not text (remove it from the corpus folder; "
            f"if it is UTF-16 text without a byte-order mark, pass {option_hint('encoding', 'utf-16-le')})",
            code="binary",
        )
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as error:
            raise DecodingError(
                f"{name}: encoding={encoding!r} is not an encoding Python knows", code="bad_encoding"
            ) from error
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as error:
            raise DecodingError(
                f"{name}: declared encoding {encoding!r} fails at byte {error.start} "
                "(leave encoding=None to detect each file's encoding)",
                code="bad_encoding",
            ) from error
        _check_not_binary(text, name, data)
        return _checked(Decoded(text, encoding, "declared"), data, name, tried=(encoding,), may_switch=False)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_not_binary(text, name, data)
        return Decoded(text, "utf-8", "utf-8-strict")

    by_line = _mixed_lines(data, name=name, mixed=mixed_encodings)
    if by_line is not None:
        return by_line
    if hint is not None:
        codec = normalize_codec(hint)
        if codec is not None:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                pass  # a wrong label is common on old pages: detect instead
            else:
                _check_not_binary(text, name, data)
                tried = ("utf-8", f"{codec} (declared by the file)")
                return _checked(Decoded(text, codec, "hint"), data, name, tried=tried, may_switch=True)
    found = _detect_legacy(data)
    if found is not None:
        text, codec, method = found
        _check_not_binary(text, name, data)
        return _checked(Decoded(text, codec, method), data, name, tried=("utf-8", *CANDIDATE_ENCODINGS), may_switch=True)
    offsets = {c: _first_bad_offset(data, c) for c in ("utf-8", *CANDIDATE_ENCODINGS)}
    tried = ", ".join(f"{c} fails at byte {o}" for c, o in offsets.items())
    raise DecodingError(
        f"{name}: not valid text in any supported encoding ({tried}); the file may be damaged, "
        f"or use an encoding that can be passed explicitly: {option_hint('encoding')}"
    )


def _detect_legacy(data: bytes) -> tuple[str, str, str] | None:
    """Decode with the legacy candidates: ``(text, codec, method)`` or None if none fits."""
    decodable = {}
    for candidate in CANDIDATE_ENCODINGS:
        try:
            decodable[candidate] = data.decode(candidate)
        except UnicodeDecodeError:
            continue
    if len(decodable) == 1:
        ((codec, text),) = decodable.items()
        return text, codec, "only-candidate"
    if decodable:
        text, codec = _rank_with_charset_normalizer(data, decodable)
        return text, codec, "charset-normalizer"
    return None


def _is_utf8_chinese(line: str) -> bool:
    """Whether a line that decoded as UTF-8 is plausibly Chinese rather than legacy bytes by chance.

    GB18030 or Big5 bytes rarely form valid UTF-8, and when a short line does, the
    characters it gives are Latin, Greek or Hebrew letters, not Han characters.
    """
    non_ascii = [ch for ch in line if ord(ch) > 127 and not "\u2000" <= ch <= "\u206f"]
    han = len(_HAN_RE.findall(line))
    return han >= 2 and han >= 0.5 * len(non_ascii)


def _line_runs(kinds: list[str]) -> list[tuple[str, int, int]]:
    """Runs of consecutive lines in one encoding, ``(kind, first, last)`` 1-based; ASCII joins its run."""
    runs: list[tuple[str, int, int]] = []
    for line_no, kind in enumerate(kinds, start=1):
        if kind == "ascii":
            if runs:
                runs[-1] = (runs[-1][0], runs[-1][1], line_no)
            continue
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1], line_no)
        else:
            runs.append((kind, line_no, line_no))
    return runs


def _mixed_lines(data: bytes, *, name: str | Path, mixed: str) -> Decoded | None:
    """Decode a file that mixes UTF-8 and a legacy encoding, or return None if it does not."""
    lines = data.split(b"\n")
    kinds = []
    for line in lines:
        if line.isascii():
            kinds.append("ascii")
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            kinds.append("legacy")
            continue
        kinds.append("utf-8" if _is_utf8_chinese(decoded) else "legacy")
    if "utf-8" not in kinds or "legacy" not in kinds:
        return None
    legacy = b"\n".join(line for line, kind in zip(lines, kinds) if kind == "legacy")
    found = _detect_legacy(legacy)
    if found is None:
        return None  # the non-UTF-8 part is not a legacy encoding either: report it as undecodable
    codec = found[1]
    runs = _line_runs(kinds)
    label = {"utf-8": "UTF-8", "legacy": codec.upper()}

    def describe(selected: list[tuple[str, int, int]]) -> str:
        shown = [
            f"line {a}" if a == b else f"lines {a}–{b}" for _, a, b in selected[:4]
        ] + (["…"] if len(selected) > 4 else [])
        return ", ".join(shown)

    if mixed != "by_line":
        parts = "; ".join(
            f"{describe([r for r in runs if r[0] == kind])} are {label[kind]}" for kind in ("utf-8", "legacy")
        )
        raise DecodingError(
            f"{name}: mixes encodings ({parts}); decoding it as one would garble part of it "
            f"(re-save the file in one encoding, or pass {option_hint('mixed_encodings', 'by_line')} to decode each line "
            "in its own encoding)",
            code="mixed_encodings",
        )
    out = []
    for line, kind in zip(lines, kinds):
        if kind == "legacy":
            try:
                out.append(line.decode(codec))
            except UnicodeDecodeError:
                out.append(line.decode("utf-8"))  # valid UTF-8 that did not look Chinese
        else:
            out.append(line.decode("utf-8"))
    text = "\n".join(out)
    _check_not_binary(text, name, data)
    note = f"{describe([r for r in runs if r[0] == 'legacy'])} decoded as {label['legacy']}, the rest as UTF-8"
    return Decoded(text, f"utf-8+{codec}", "by-line", False, (note,))


def _rank_with_charset_normalizer(data: bytes, decodable: dict[str, str]) -> tuple[str, str]:
    from charset_normalizer import from_bytes  # deferred: only needed for ambiguous files

    aliases = {"gb18030": "gb18030", "cp950": "cp950"}
    best = from_bytes(data, cp_isolation=[aliases[c] for c in decodable]).best()
    if best is not None and best.encoding in decodable:
        return decodable[best.encoding], best.encoding
    # charset-normalizer found neither plausible: prefer GB18030, the mainland default.
    codec = next(iter(decodable))
    return decodable[codec], codec
