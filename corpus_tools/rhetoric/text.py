"""Text helpers shared by the rhetoric detectors: document layout, squeezed views, clauses, numerals.

Every detector walks :attr:`Corpus.texts` once, document by document (:func:`iter_docs`), and
reports spans as character offsets into that text together with the paragraph (``unit_id``)
they fall in. The paragraph ids are those of :meth:`Corpus.paragraphs`, written by
:func:`corpus_tools.units.unit_id` (``"<doc_id>:p003"``): the body text is the body paragraphs
joined by ``"\\n"``, so paragraph starts follow from the line breaks.

The registry matcher, the formula and pattern detectors, KWIC and the statistics share these
helpers (formerly the private module ``rhetoric._text``): the layout of a document
(:class:`DocView`), the view without quotation marks and spaces (:func:`squeeze`), clause items
(:func:`clauses`), Chinese numerals (:func:`cn_number`, :func:`numeral_values`) and one regex
for many literals (:func:`trie_regex`, :func:`literal_units`, :func:`literal_key`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..units import unit_id

__all__ = [
    "CLAUSE_DELIMITERS",
    "CN_DIGITS",
    "CN_UNITS",
    "HAN",
    "HAN_RE",
    "ITEM_SEPARATORS",
    "NUMERAL_CHARS",
    "QUOTE_CHARS",
    "SENTENCE_ENDS",
    "SEP",
    "SEP_PATTERN",
    "SPACE_CHARS",
    "CHUNK_CHARS",
    "DocView",
    "Texts",
    "clauses",
    "cn_number",
    "detect_in_chunks",
    "iter_docs",
    "literal_key",
    "literal_units",
    "numeral_values",
    "squeeze",
    "trie_regex",
]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN}]")

#: Quotation marks: dropped from the squeezed view, so “七个一” and 七个一 match alike.
QUOTE_CHARS = "“”‘’\"'「」『』"
#: Spaces: dropped from the squeezed view (学党史 悟思想 matches 学党史、悟思想).
SPACE_CHARS = " \t\u3000\u00a0\u2002\u2003"
#: Separators between the items of an enumeration.
ITEM_SEPARATORS = "、，,；;"
#: Sentence ends: nothing matches across them.
SENTENCE_ENDS = "。！？!?\n"

#: Everything that ends a clause item (for parallelism and four-character items). Brackets are
#: left out: 进村（社区） is one item; a parenthesis opening a list is stripped separately.
CLAUSE_DELIMITERS = "、，,；;。！？!?：:…—“”‘’\"「」『』《》\n" + SPACE_CHARS
_CLAUSE_RE = re.compile(f"[^{re.escape(CLAUSE_DELIMITERS)}]+")

_CLOSER_OF = {"）": "（", ")": "(", "】": "【", "]": "["}
_OPENERS = "".join(_CLOSER_OF.values())

_SQUEEZE_TABLE = str.maketrans("", "", QUOTE_CHARS + SPACE_CHARS)
_DROP_CODES = np.array(sorted(ord(c) for c in QUOTE_CHARS + SPACE_CHARS), dtype=np.uint32)


@dataclass(frozen=True)
class DocView:
    """One document's body text and where its paragraphs start."""

    doc_id: str
    text: str
    para_starts: np.ndarray

    def unit_ids(self, positions) -> list[str]:
        """Paragraph ids of the paragraphs holding character offsets `positions`."""
        numbers = np.searchsorted(self.para_starts, np.asarray(positions, dtype=np.int64), side="right")
        return [unit_id(self.doc_id, int(n)) for n in numbers]

    def paragraphs(self) -> Iterator[tuple[str, int, str]]:
        """Yield ``(unit_id, start offset, paragraph text)`` in order."""
        start = 0
        for number, paragraph in enumerate(self.text.split("\n"), start=1):
            yield unit_id(self.doc_id, number), start, paragraph
            start += len(paragraph) + 1


@dataclass(frozen=True)
class Texts:
    """What a per-document detector reads of a corpus: ``texts``, body text by doc_id (a Series).

    A chunk of a corpus handed to a worker process: the texts alone, not the docvars and tables.
    """

    texts: pd.Series


#: Body characters of one chunk of documents that :func:`detect_in_chunks` hands to a detector:
#: large enough that a chunk's table costs little to build and join, small enough to share the
#: work of a few MB among cores.
CHUNK_CHARS = 200_000


def detect_in_chunks(detector: Callable[..., pd.DataFrame], corpus, *, n_jobs: int | None = None,
                     desc: str = "detecting", progress: bool = False) -> pd.DataFrame:
    """Run a per-document detector over consecutive chunks of documents, in worker processes when large.

    Parameters
    ----------
    detector : callable
        ``detector(corpus)`` returns a table with one row per finding, in corpus order, that
        depends on each document's text alone (what :func:`iter_docs` yields) and reads nothing of
        `corpus` but ``texts``. It is called with :class:`Texts` of about :data:`CHUNK_CHARS`
        characters each. With several processes it must be picklable (a module-level function or
        a :func:`functools.partial` of one).
    corpus : Corpus
        Anything with ``texts``.
    n_jobs : int or None, default None
        As in :func:`corpus_tools.parallel.map_documents` (``None``: every core from
        :data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` characters on).
    desc : str
        What is detected, for the progress report and the log.
    progress : bool, default False
        Report progress per batch of chunks.

    Returns
    -------
    pandas.DataFrame
        The chunks' tables one after another (index 0 … n-1): the detector's table on the whole
        corpus, whatever `n_jobs`.
    """
    from ..parallel import batches_by_size, map_documents

    texts = corpus.texts
    lengths = [0 if text is None else len(str(text)) for text in texts]
    batches = batches_by_size(range(len(texts)), lengths, CHUNK_CHARS)
    if len(batches) <= 1:
        return detector(corpus)
    chunks = [Texts(texts.iloc[batch[0]:batch[-1] + 1]) for batch in batches]
    sizes = [sum(lengths[position] for position in batch) for batch in batches]
    tables = map_documents(detector, chunks, n_jobs=n_jobs, sizes=sizes, desc=desc, progress=progress)
    # A chunk without findings has columns of no inferred type (object where others hold strings):
    # joined in, it would change the table's dtypes.
    found = [table for table in tables if len(table)]
    return pd.concat(found, ignore_index=True) if found else tables[0]


def iter_docs(corpus) -> Iterator[DocView]:
    """Yield a :class:`DocView` per document of `corpus`, in corpus order."""
    for doc_id, text in corpus.texts.items():
        text = "" if text is None else str(text)
        breaks = [m.start() + 1 for m in re.finditer("\n", text)]
        yield DocView(str(doc_id), text, np.array([0, *breaks], dtype=np.int64))


def squeeze(text: str) -> tuple[str, np.ndarray]:
    """Drop quotation marks and spaces; return the squeezed text and its offset map.

    ``index[i]`` is the offset in `text` of the squeezed text's character ``i``, so a squeezed
    span ``[s, e)`` is ``[index[s], index[e - 1] + 1)`` in the original.

    Examples
    --------
    >>> squeezed, index = squeeze("做好“七个一” 活动")
    >>> squeezed, index.tolist()
    ('做好七个一活动', [0, 1, 3, 4, 5, 8, 9])
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    index = np.flatnonzero(~np.isin(codes, _DROP_CODES))
    return text.translate(_SQUEEZE_TABLE), index


def clauses(paragraph: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """Split a paragraph into clause items: ``(start, end, text)`` with offsets shifted by `offset`.

    Items are the stretches between punctuation marks, quotation marks and spaces. A bracket
    that opens or closes an item is stripped from it (the list inside ``七个一（A、B）``), one
    inside an item is kept (``进村（社区）``).

    Examples
    --------
    >>> [t for _, _, t in clauses("做到“七进”（进企业、进村（社区）），深入人心。")]
    ['做到', '七进', '进企业', '进村（社区）', '深入人心']
    """
    items = []
    for match in _CLAUSE_RE.finditer(paragraph):
        start, end = match.span()
        while start < end and paragraph[start] in _OPENERS:
            start += 1
        # a closing bracket ends the item only when the item did not open it
        while end > start and paragraph[end - 1] in _CLOSER_OF:
            closer = paragraph[end - 1]
            if paragraph.count(closer, start, end) <= paragraph.count(_CLOSER_OF[closer], start, end):
                break
            end -= 1
        if start < end and HAN_RE.search(paragraph, start, end):
            items.append((offset + start, offset + end, paragraph[start:end]))
    return items


# ----------------------------------------------------------------------------------- numerals

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
#: Characters that count things in numbered formulas (双 "double" included).
NUMERAL_CHARS = "一二三四五六七八九十两百千万双"


def cn_number(text: str) -> int | None:
    """Return the value of a well-formed Chinese numeral (一百二十, 十四, 百), else None.

    A string of bare digits (一三七, 十四五) is not a well-formed numeral: it is a code.

    Examples
    --------
    >>> cn_number("十四"), cn_number("一百二十"), cn_number("百"), cn_number("一三七")
    (14, 120, 100, None)
    """
    if not text or any(c not in CN_DIGITS and c not in CN_UNITS for c in text):
        return None
    total, section, digit, last_unit = 0, 0, None, None
    for char in text:
        if char in CN_DIGITS:
            if digit is not None and not (digit == 0 or CN_DIGITS[char] == 0):
                return None  # two digits in a row: 一三
            digit = CN_DIGITS[char]
        else:
            unit = CN_UNITS[char]
            if unit == 10000:
                section = (section + (digit if digit is not None else (0 if section else 1))) * unit
                total, section, digit, last_unit = total + section, 0, None, None
                continue
            if last_unit is not None and unit >= last_unit:
                return None  # 十百: units must fall
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None and last_unit is not None and last_unit > 10 and digit != 0:
        # 一百二 is colloquial for 120 but in a formula it is a code; refuse the ambiguity
        return None
    return total + section + (digit or 0)


def numeral_values(text: str) -> list[int]:
    """Split a run of numerals into the longest well-formed numbers, left to right.

    Examples
    --------
    >>> numeral_values("十四五"), numeral_values("一三七"), numeral_values("两")
    ([14, 5], [1, 3, 7], [2])
    """
    values, i = [], 0
    while i < len(text):
        for j in range(len(text), i, -1):
            value = 2 if text[i:j] == "双" else cn_number(text[i:j])
            if value is not None:
                values.append(value)
                i = j
                break
        else:
            i += 1
    return values


# ------------------------------------------------------------------------- regex from a trie

SEP = None  # marks "one optional item separator" inside a literal sequence
SEP_PATTERN = f"[{re.escape(ITEM_SEPARATORS)}]?"


def trie_regex(sequences) -> str:
    """Build one regex matching any of `sequences`, preferring the longest at each position.

    Each sequence is a string or a tuple of characters with :data:`SEP` for an optional
    separator. The trie factors out common prefixes, so a scan costs about one step per
    character whatever the number of literals (one big alternation would try each in turn).

    Examples
    --------
    >>> import re
    >>> pattern = re.compile(trie_regex(["学史明理", "学史", "学党史"]))
    >>> [m.group() for m in pattern.finditer("学史明理和学党史学史")]
    ['学史明理', '学党史', '学史']
    """
    trie: dict = {}
    for sequence in sequences:
        node = trie
        for unit in sequence:
            node = node.setdefault(unit, {})
        node[""] = {}
    if not trie:
        return r"(?!x)x"

    def emit(node: dict) -> str:
        branches = []
        for unit, child in node.items():
            if unit == "":
                continue
            head = SEP_PATTERN if unit is SEP else re.escape(unit)
            branches.append(head + emit(child))
        # characters first, the optional separator last, so that a literal char wins
        branches.sort(key=lambda b: b.startswith(SEP_PATTERN))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def literal_units(literal: str) -> tuple:
    """Turn a literal into trie units: its characters, with :data:`SEP` for separators/spaces."""
    units: list = []
    for char in literal:
        if char in ITEM_SEPARATORS or char in SPACE_CHARS or char in QUOTE_CHARS:
            if units and units[-1] is not SEP:
                units.append(SEP)
        else:
            units.append(char)
    while units and units[-1] is SEP:
        units.pop()
    return tuple(units)


def literal_key(literal: str) -> str:
    """The lookup key of a literal or of a matched string: separators, spaces, quotes removed."""
    return "".join(u for u in literal_units(literal) if u is not SEP)
