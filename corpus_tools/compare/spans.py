"""Where a match sits in a document body: the sentence around it and the paragraph that holds it.

Claims (:mod:`corpus_tools.compare.claims`) and dated events
(:mod:`corpus_tools.compare.timeline`) are found by regular expressions over
``Corpus.texts[doc_id]``, whose paragraphs are separated by ``"\\n"``. Every row they report
names the sentence around the match and the paragraph's unit id; this module is the one place
that finds both.
"""

from __future__ import annotations

import re

import numpy as np

from ..units import unit_id

__all__ = ["CLAUSE_END_RE", "SENTENCE_ENDS", "paragraph_starts", "paragraph_unit_id", "sentence_bounds"]

#: Characters that end a sentence of a body (a paragraph break ends one too).
SENTENCE_ENDS = "。！？!?\n"
#: One character that ends a clause: a sentence end, a comma, a semicolon or a colon.
CLAUSE_END_RE = re.compile(r"[，,。！？!?；;：:\n]")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span of the sentence that holds ``text[start:end]``.

    Parameters
    ----------
    text : str
        A document body.
    start, end : int
        Offsets of a match in `text`.

    Returns
    -------
    (int, int)
        The offset just after the last sentence end before `start` (0 when none), and the
        offset just after the first sentence end at or after `end` (``len(text)`` when none):
        the sentence with its final punctuation.

    Examples
    --------
    >>> text = "开展宣讲。培训党员300名！其余从略"
    >>> left, right = sentence_bounds(text, 7, 13)
    >>> text[left:right]
    '培训党员300名！'
    """
    left = max(text.rfind(c, 0, start) for c in SENTENCE_ENDS) + 1
    rights = [i for i in (text.find(c, end) for c in SENTENCE_ENDS) if i >= 0]
    return left, (min(rights) + 1 if rights else len(text))


def paragraph_starts(text: str) -> np.ndarray:
    """Return the offset at which each paragraph of `text` starts (paragraphs split at ``"\\n"``).

    Examples
    --------
    >>> paragraph_starts("第一段。\\n第二段。").tolist()
    [0, 5]
    """
    return np.array([0, *(m.start() + 1 for m in re.finditer("\n", text))], dtype=np.int64)


def paragraph_unit_id(doc_id: str, starts: np.ndarray, offset: int) -> str:
    """Return the unit id of the paragraph holding `offset`, given the document's `starts`.

    Parameters
    ----------
    doc_id : str
    starts : numpy.ndarray
        :func:`paragraph_starts` of the document's body.
    offset : int
        An offset into the body.

    Returns
    -------
    str
        The paragraph's id as :func:`corpus_tools.units.unit_id` writes it (``"a:p002"``),
        paragraphs numbered from 1 as in :meth:`Corpus.paragraphs`.

    Examples
    --------
    >>> text = "第一段。\\n第二段。"
    >>> paragraph_unit_id("a", paragraph_starts(text), text.index("二"))
    'a:p002'
    """
    para_no = int(np.searchsorted(starts, offset, side="right"))
    return unit_id(doc_id, para_no)
