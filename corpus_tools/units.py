"""Text units: their kinds, their ids and the docvars of a table of units.

A *unit* is what one row of a :class:`~corpus_tools.tokens.Tokens` or
:class:`~corpus_tools.dtm.DocTermMatrix` stands for: a whole document, one of its body
paragraphs or one sentence of a paragraph (topic models add windows of sentences). This module
is the one place that knows

- which kinds there are (:data:`UNITS`, the :data:`Unit` literal, :func:`check_unit`) and which
  columns each kind adds to the docvars (:func:`unit_columns`);
- how a unit id is written and read back (:func:`unit_id`, :func:`parse_unit_id`):
  ``"huaiyin-2021"`` (document), ``"huaiyin-2021:p003"`` (paragraph 3),
  ``"huaiyin-2021:p003:s02"`` (sentence 2 of it), ``"huaiyin-2021:p003:w02"`` /
  ``"huaiyin-2021:w001"`` (topic windows within a paragraph / a document);
- how the units of one document are numbered from its body paragraphs (:func:`iter_units`);
- how a table of units gets its docvars (:func:`unit_docvars`);
- which rows a condition selects (:func:`select_units`), the rule of ``Tokens.subset`` and
  ``DocTermMatrix.subset``.

The in-memory path (``Corpus.units``, :func:`~corpus_tools.tokens.tokenize`), the streaming and
Dask paths and every analysis that reports a paragraph call these functions, so a paragraph has
the same id wherever it appears.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "UNITS",
    "Unit",
    "UnitId",
    "Where",
    "check_unit",
    "iter_units",
    "parse_unit_id",
    "select_units",
    "unit_columns",
    "unit_docvars",
    "unit_id",
]

#: The unit kinds a corpus is cut into, coarsest first.
Unit = Literal["document", "paragraph", "sentence"]
UNITS: tuple[str, ...] = ("document", "paragraph", "sentence")

# The docvars columns each kind of unit adds to its document's docvars, in this order.
_UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "document": (),
    "paragraph": ("para_no", "section"),
    "sentence": ("para_no", "sent_no", "section"),
}

_UNIT_ID = re.compile(
    r"^(?P<doc_id>.+?)(?::p(?P<para_no>\d{3,})(?::s(?P<sent_no>\d{2,})|:w(?P<para_window>\d{2,}))?"
    r"|:w(?P<doc_window>\d{3,}))?$",
    re.DOTALL,
)


class UnitId(NamedTuple):
    """The parts of a unit id (see :func:`parse_unit_id`); a part the id lacks is None."""

    doc_id: str
    para_no: int | None = None
    sent_no: int | None = None
    window_no: int | None = None


def check_unit(unit: str, *, allowed: Iterable[str] = UNITS, name: str = "unit") -> str:
    """Return ``unit`` if it is one of ``allowed``, else raise a ValueError that lists them.

    Parameters
    ----------
    unit : str
        The value to check.
    allowed : iterable of str, default :data:`UNITS`
        The kinds the caller supports (topic models add ``"window"``).
    name : str, default "unit"
        The parameter's name, for the message.

    Returns
    -------
    str
        ``unit``.

    Examples
    --------
    >>> check_unit("paragraph")
    'paragraph'
    >>> check_unit("page")
    Traceback (most recent call last):
    ...
    ValueError: unit must be one of ('document', 'paragraph', 'sentence'), got 'page'
    """
    allowed = tuple(allowed)
    if unit not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {unit!r}")
    return unit


def unit_columns(unit: str) -> tuple[str, ...]:
    """Return the docvars columns a kind of unit adds to its document's: its place in the document.

    Parameters
    ----------
    unit : {"document", "paragraph", "sentence"}

    Returns
    -------
    tuple of str
        ``()`` for documents; ``("para_no", "section")`` for paragraphs;
        ``("para_no", "sent_no", "section")`` for sentences. ``para_no`` and ``sent_no`` are
        1-based; ``section`` is the heading the paragraph sits under, or ``""``.

    Examples
    --------
    >>> unit_columns("sentence")
    ('para_no', 'sent_no', 'section')
    """
    return _UNIT_COLUMNS[check_unit(unit)]


def unit_id(doc_id: str, para_no: int | None = None, *, sent_no: int | None = None,
            window_no: int | None = None) -> str:
    """Write the id of a unit: the one format of paragraph, sentence and window ids.

    Parameters
    ----------
    doc_id : str
        The document's id (alone, it is the id of the whole document).
    para_no : int, optional
        1-based number of the body paragraph; written with at least three digits (``p003``).
    sent_no : int, optional
        1-based number of the sentence within the paragraph (needs ``para_no``); at least two
        digits (``s02``).
    window_no : int, optional
        1-based number of a topic-model window of sentences: within the paragraph when
        ``para_no`` is given (``p003:w02``), else within the document (``w001``).

    Returns
    -------
    str

    Examples
    --------
    >>> unit_id("huaiyin-2021", 3)
    'huaiyin-2021:p003'
    >>> unit_id("huaiyin-2021", 3, sent_no=2)
    'huaiyin-2021:p003:s02'
    >>> unit_id("huaiyin-2021", 3, window_no=2), unit_id("huaiyin-2021", window_no=1)
    ('huaiyin-2021:p003:w02', 'huaiyin-2021:w001')
    """
    if sent_no is not None and window_no is not None:
        raise ValueError("a unit id has a sentence number or a window number, not both")
    if para_no is None:
        if sent_no is not None:
            raise ValueError("sent_no needs para_no: a sentence id names its paragraph")
        return f"{doc_id}:w{int(window_no):03d}" if window_no is not None else str(doc_id)
    paragraph = f"{doc_id}:p{int(para_no):03d}"
    if sent_no is not None:
        return f"{paragraph}:s{int(sent_no):02d}"
    if window_no is not None:
        return f"{paragraph}:w{int(window_no):02d}"
    return paragraph


def parse_unit_id(value: str) -> UnitId:
    """Split a unit id written by :func:`unit_id` into its parts.

    Parameters
    ----------
    value : str
        A unit id.

    Returns
    -------
    UnitId
        ``(doc_id, para_no, sent_no, window_no)``; the parts the id does not have are None, so a
        document id parses to ``UnitId(doc_id)``.

    Notes
    -----
    The suffixes are read from the end of the id; a document id that itself ends like a
    paragraph id (``"a:p001"``) cannot be told apart from one.

    Examples
    --------
    >>> parse_unit_id("huaiyin-2021:p003:s02")
    UnitId(doc_id='huaiyin-2021', para_no=3, sent_no=2, window_no=None)
    >>> parse_unit_id("huaiyin-2021")
    UnitId(doc_id='huaiyin-2021', para_no=None, sent_no=None, window_no=None)
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"a unit id is a non-empty string, got {value!r}")
    match = _UNIT_ID.match(value)
    assert match is not None  # the pattern accepts every non-empty string

    def number(group: str) -> int | None:
        text = match.group(group)
        return None if text is None else int(text)

    window = match.group("para_window") or match.group("doc_window")
    return UnitId(
        doc_id=match.group("doc_id"),
        para_no=number("para_no"),
        sent_no=number("sent_no"),
        window_no=None if window is None else int(window),
    )


def iter_units(
    doc_id: str,
    paragraphs: Iterable[tuple[str, str]],
    unit: str,
    *,
    document_text: str | None = None,
    split_sentences: Callable[[str], Iterable[str]] | None = None,
) -> Iterator[tuple[str, tuple[Any, ...], str]]:
    """Number the units of one document: the rule ``Corpus.units`` and the streaming path share.

    Parameters
    ----------
    doc_id : str
    paragraphs : iterable of (str, str)
        The document's body paragraphs in order, each as ``(section, text)``.
    unit : {"document", "paragraph", "sentence"}
    document_text : str, optional
        The text of the whole document (needed for ``unit="document"``).
    split_sentences : callable, optional
        ``str -> iterable of str``; defaults to
        :func:`corpus_tools.corpus.structure.split_sentences`.

    Yields
    ------
    (str, tuple, str)
        ``(unit_id, values, text)`` where ``values`` are the unit's columns in the order of
        :func:`unit_columns`.

    Examples
    --------
    >>> paragraphs = [("", "学史明理。学史增信。"), ("", "学史崇德。")]
    >>> [(uid, values) for uid, values, _ in iter_units("a", paragraphs, "sentence")]
    [('a:p001:s01', (1, 1, '')), ('a:p001:s02', (1, 2, '')), ('a:p002:s01', (2, 1, ''))]
    """
    check_unit(unit)
    if unit == "document":
        if document_text is None:
            raise ValueError("iter_units(unit='document') needs document_text")
        yield str(doc_id), (), document_text
        return
    if unit == "sentence" and split_sentences is None:
        from .corpus.structure import split_sentences as default_split  # the package's sentence rule

        split_sentences = default_split
    for para_no, (section, text) in enumerate(paragraphs, start=1):
        paragraph = unit_id(doc_id, para_no)
        if unit == "paragraph":
            yield paragraph, (para_no, section), text
            continue
        for sent_no, sentence in enumerate(split_sentences(text), start=1):
            yield unit_id(doc_id, para_no, sent_no=sent_no), (para_no, sent_no, section), sentence


def unit_docvars(units: pd.DataFrame, doc_docvars: pd.DataFrame) -> pd.DataFrame:
    """Join each unit's own columns with its document's docvars.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit, indexed by ``unit_id``, with ``doc_id`` and the unit's own columns
        (``para_no``, ``sent_no``, ``section``); a ``text`` column is left out.
    doc_docvars : pandas.DataFrame
        One row per document, indexed by ``doc_id``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``unit_id``, in the order of ``units``: the unit's columns, then every
        document column the unit does not have itself (the unit's own columns win: they are more
        specific).

    Examples
    --------
    >>> units = pd.DataFrame({"doc_id": ["a", "a"], "para_no": [1, 2], "text": ["甲", "乙"]},
    ...                      index=pd.Index(["a:p001", "a:p002"], name="unit_id"))
    >>> docs = pd.DataFrame({"district": ["槐荫区"]}, index=pd.Index(["a"], name="doc_id"))
    >>> unit_docvars(units, docs).reset_index().to_dict("records")[1]
    {'unit_id': 'a:p002', 'doc_id': 'a', 'para_no': 2, 'district': '槐荫区'}
    """
    if "doc_id" not in units.columns:
        raise ValueError("units need a doc_id column to be joined with their documents' docvars")
    own = [column for column in units.columns if column != "text"]
    doc_columns = [column for column in doc_docvars.columns if column not in own]
    docvars = units[own].join(doc_docvars[doc_columns], on="doc_id")
    docvars.index.name = "unit_id"
    return docvars


#: What ``where`` may be in :func:`select_units` (and so in ``Tokens.subset``/``DocTermMatrix.subset``).
Where = pd.Series | Sequence[bool] | Sequence[str] | np.ndarray | Callable[[pd.DataFrame], Any]


def select_units(
    docvars: pd.DataFrame,
    where: Where | None = None,
    *,
    doc_ids: Iterable[str] | None = None,
    what: str = "unit",
) -> tuple[np.ndarray, str]:
    """Decide which rows of a stage object a condition keeps.

    Parameters
    ----------
    docvars : pandas.DataFrame
        The stage object's docvars (one row per unit or group, indexed by its id).
    where : boolean Series, boolean sequence, sequence of ids, or callable, optional
        A boolean Series indexed like ``docvars`` (e.g. ``docvars["district"] == "槐荫区"``); a
        boolean sequence in row order; a sequence of row ids (index values) to keep; or a
        function taking ``docvars`` and returning one of these. A missing value in a nullable
        boolean Series means "not selected".
    doc_ids : iterable of str, optional
        Keep only rows whose ``doc_id`` docvar is one of these.
    what : str, default "unit"
        What a row is, for error messages.

    Returns
    -------
    mask : numpy.ndarray of bool
        One value per row of ``docvars``: kept or not. Rows keep their order whatever the order
        of the ids given.
    description : str
        The condition as recorded in a history step, e.g. ``"where=<mask>, doc_ids=['a']"``.

    Raises
    ------
    ValueError
        When ``where`` is neither one boolean per row nor row ids.
    KeyError
        When a row id or doc_id given is not there (the message lists them).

    Examples
    --------
    >>> docvars = pd.DataFrame({"doc_id": ["a", "a", "b"], "district": ["甲区", "甲区", "乙县"]},
    ...                        index=pd.Index(["a:p001", "a:p002", "b:p001"], name="unit_id"))
    >>> select_units(docvars, lambda d: d["district"] == "甲区")[0].tolist()
    [True, True, False]
    >>> select_units(docvars, ["b:p001", "a:p001"])[0].tolist()
    [True, False, True]
    """
    n_rows = len(docvars)
    keep = np.ones(n_rows, dtype=bool)
    described: list[str] = []
    if where is not None:
        mask = where(docvars) if callable(where) else where
        if isinstance(mask, pd.Series):
            if not pd.api.types.is_bool_dtype(mask.dtype):
                raise ValueError("where must be boolean")
            if not mask.index.equals(docvars.index):
                if set(mask.index) != set(docvars.index):
                    raise ValueError(
                        f"a boolean Series for where must be indexed by {docvars.index.name or 'the row ids'}"
                    )
                mask = mask.reindex(docvars.index)
            mask = mask.to_numpy(dtype=bool, na_value=False)
            described.append("where=<mask>")
        elif isinstance(mask, str) or (
            not isinstance(mask, np.ndarray) and len(mask) and not isinstance(next(iter(mask)), (bool, np.bool_))
        ):
            # Row ids rather than booleans (quanteda's dfm_subset by docnames).
            wanted = [mask] if isinstance(mask, str) else list(mask)
            unknown = sorted({str(value) for value in wanted} - {str(value) for value in docvars.index})
            if unknown:
                raise KeyError(f"unknown {what} ids in where: {unknown}")
            mask = docvars.index.isin(wanted)
            described.append(f"where={len(set(wanted))} ids")
        else:
            described.append("where=<mask>")
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.shape != (n_rows,):
            raise ValueError(f"where must give one boolean per {what} ({n_rows})")
        keep &= mask
    if doc_ids is not None:
        if "doc_id" not in docvars.columns:
            raise KeyError("doc_ids needs a doc_id docvar; these rows have none (grouped?)")
        wanted = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids)
        unknown = sorted(set(wanted) - set(docvars["doc_id"]))
        if unknown:
            raise KeyError(f"unknown doc_ids: {unknown}")
        keep &= docvars["doc_id"].isin(wanted).to_numpy()
        described.append(f"doc_ids={sorted(set(wanted))!r}")
    return keep, ", ".join(described)
