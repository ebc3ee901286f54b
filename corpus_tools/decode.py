"""Decode a file's bytes to text, detecting its encoding and recording why.

Chinese news arrives in UTF-8 (with or without a byte-order mark), in the
mainland's GB18030 family (GB2312 ⊂ GBK ⊂ GB18030) and in Big5 from Taiwan
and Hong Kong sources. The decision is made in this order, each step
recorded as the ``method``:

1. a byte-order mark (``bom``) — UTF-8, UTF-16 or UTF-32;
2. strict UTF-8 (``utf-8-strict``): UTF-8 is self-validating, so Chinese text
   that decodes strictly as UTF-8 is UTF-8;
3. strict decoding as GB18030 and as Big5 (``cp950``, Microsoft's superset of
   Big5); when only one succeeds it wins (``only-candidate``); when both do,
   charset-normalizer ranks them by how plausible the decoded text is
   (``charset-normalizer``).

A file that no candidate decodes strictly raises :class:`DecodingError`,
which names the file, the byte offset and the encodings tried.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Decoded", "DecodingError", "decode_bytes", "CANDIDATE_ENCODINGS"]

#: Legacy encodings tried, in order, after UTF-8.
CANDIDATE_ENCODINGS = ("gb18030", "cp950")

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodingError(ValueError):
    """A file's bytes are not text in any supported encoding."""


@dataclass(frozen=True)
class Decoded:
    """A decoded text and the evidence for its encoding.

    Attributes
    ----------
    text : str
        The decoded text, byte-order mark removed, otherwise untouched.
    encoding : str
        Python codec name used (``utf-8``, ``utf-8-sig``, ``gb18030``, ``cp950`` …).
    method : str
        How the encoding was decided: ``bom``, ``utf-8-strict``,
        ``only-candidate``, ``charset-normalizer`` or ``declared``.
    had_bom : bool
        Whether the bytes started with a byte-order mark.
    """

    text: str
    encoding: str
    method: str
    had_bom: bool = False


def _first_bad_offset(data: bytes, encoding: str) -> int:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return error.start
    return -1


def decode_bytes(data: bytes, *, name: str | Path = "<bytes>", encoding: str | None = None) -> Decoded:
    """Decode ``data``, detecting its encoding unless ``encoding`` is given.

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str or Path
        Shown in error messages so the reader knows which file failed.
    encoding : str, optional
        A codec name to use instead of detection (``method == "declared"``).

    Returns
    -------
    Decoded

    Raises
    ------
    DecodingError
        When the bytes contain NUL bytes (binary content) or no candidate
        encoding decodes them strictly.

    Examples
    --------
    >>> decode_bytes("学史明理".encode("gb18030")).encoding
    'gb18030'
    >>> decode_bytes("學史明理，學史增信".encode("big5")).encoding
    'cp950'
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec).lstrip("\ufeff"), codec, "bom", True)
            except UnicodeDecodeError as error:
                # error.start counts from after the BOM for UTF-8-SIG; report the file offset.
                offset = error.start + (len(bom) if codec == "utf-8-sig" else 0)
                raise DecodingError(
                    f"{name}: starts with a {codec} byte-order mark but byte {offset} is not valid {codec}"
                ) from error
    nul = data.find(b"\x00")
    if nul >= 0:
        raise DecodingError(
            f"{name}: contains NUL bytes (first at byte {nul}); "
            "this looks like a binary file, not text"
        )
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as error:
            raise DecodingError(f"{name}: encoding={encoding!r} is not an encoding Python knows") from error
        try:
            return Decoded(data.decode(encoding), encoding, "declared")
        except UnicodeDecodeError as error:
            raise DecodingError(
                f"{name}: declared encoding {encoding!r} fails at byte {error.start}"
            ) from error
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8-strict")
    except UnicodeDecodeError:
        pass
    decodable = {}
    for candidate in CANDIDATE_ENCODINGS:
        try:
            decodable[candidate] = data.decode(candidate)
        except UnicodeDecodeError:
            continue
    if len(decodable) == 1:
        (codec, text), = decodable.items()
        return Decoded(text, codec, "only-candidate")
    if decodable:
        return Decoded(*_rank_with_charset_normalizer(data, decodable), "charset-normalizer")
    offsets = {c: _first_bad_offset(data, c) for c in ("utf-8", *CANDIDATE_ENCODINGS)}
    tried = ", ".join(f"{c} fails at byte {o}" for c, o in offsets.items())
    raise DecodingError(
        f"{name}: not valid text in any supported encoding ({tried}); the file may be damaged, "
        "mix several encodings, or use an encoding that can be passed explicitly with encoding=…"
    )


def _rank_with_charset_normalizer(data: bytes, decodable: dict[str, str]) -> tuple[str, str]:
    from charset_normalizer import from_bytes  # deferred: only needed for ambiguous files

    aliases = {"gb18030": "gb18030", "cp950": "cp950"}
    best = from_bytes(data, cp_isolation=[aliases[c] for c in decodable]).best()
    if best is not None and best.encoding in decodable:
        return decodable[best.encoding], best.encoding
    # charset-normalizer found neither plausible: prefer GB18030, the mainland default.
    codec = next(iter(decodable))
    return decodable[codec], codec
