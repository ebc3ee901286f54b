"""How articles are read: :class:`ReadOptions`, the one place of the reading options.

Every function that reads articles (:func:`corpus_tools.read_corpus`,
:func:`corpus_tools.corpus.open_corpus`, :func:`corpus_tools.io.iter_documents`,
:func:`corpus_tools.io.read_file`, the streaming and Dask paths, the ``dangshi`` command and
``dangshi-reports``) takes the same options: which column of a table holds the text, how to
decode, which texts are too short or not Chinese, what to do with a problem. They are the
fields of one frozen :class:`ReadOptions`, with their defaults and their validation here and
nowhere else. Functions keep accepting the options as keywords
(``read_corpus(path, text_column="content")``) and turn them into a :class:`ReadOptions` with
:meth:`ReadOptions.from_kwargs`, which names an unknown option and lists the valid ones.

The module also owns what an option's value may be (:data:`SUPPORTED_SUFFIXES`, the formats),
the docvar names reading reserves for itself (:data:`READ_INFO_COLUMNS`), and
:func:`option_hint`, the way every error message tells the user how to set an option.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CLI_OPTIONS",
    "CLI_SPELLING",
    "Format",
    "MixedEncodings",
    "OnError",
    "READ_INFO_COLUMNS",
    "RESERVED_DOCVARS",
    "ReadOptions",
    "SUPPORTED_SUFFIXES",
    "TABLE_FORMATS",
    "option_hint",
]

Format = Literal["txt", "md", "html", "docx", "csv", "tsv", "jsonl", "parquet"]
OnError = Literal["raise", "skip"]
MixedEncodings = Literal["raise", "by_line"]

#: File suffix (lower case) to format.
SUPPORTED_SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".docx": "docx",
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
#: Formats holding one document per row.
TABLE_FORMATS = frozenset({"csv", "tsv", "jsonl", "parquet"})
_FORMATS = sorted(set(SUPPORTED_SUFFIXES.values()))

#: Docvars that reading itself sets; a table column or front-matter key of the
#: same name is kept under a prefixed name (``table_file``, ``front_matter_source``).
READ_INFO_COLUMNS = ("file", "format", "source", "row", "encoding", "encoding_method", "sha256")
#: Docvar names no source may set: what reading records, the id, and the sizes cleaning counts.
RESERVED_DOCVARS = frozenset(READ_INFO_COLUMNS) | {"doc_id", "n_chars_raw", "n_chars_body", "n_paragraphs"}

#: How the report command (``dangshi-reports``) spells the reading options it takes: the flag
#: and the placeholder of its value. ``on_error`` is a notebook parameter (``-p on_error skip``).
CLI_SPELLING: dict[str, tuple[str, str]] = {
    "text_column": ("--text-column", "NAME"),
    "id_column": ("--id-column", "NAME"),
    "format": ("--format", "FORMAT"),
    "encoding": ("--encoding", "CODEC"),
    "min_han_share": ("--min-han-share", "SHARE"),
    "min_han_chars": ("--min-han-chars", "N"),
    "metadata": ("--metadata", "PATH"),
    "columns": ("--column", "NAME=DOCVAR"),
    "on_error": ("-p on_error", "skip"),
}
#: Reading options the report command takes as ``--<name-with-dashes> VALUE``.
CLI_OPTIONS = frozenset(name for name, (flag, _) in CLI_SPELLING.items() if flag == "--" + name.replace("_", "-"))


def option_hint(name: str, value: object = None) -> str:
    """How to set a reading option, in the two forms a user can type.

    Parameters
    ----------
    name : str
        The option (a field of :class:`ReadOptions`, or ``metadata``).
    value : object, optional
        The value to suggest; ``…`` when not given.

    Returns
    -------
    str
        The call of :func:`corpus_tools.read_corpus` and, for the options the report command
        takes, its command-line spelling.

    Examples
    --------
    >>> option_hint("text_column", "content")
    "read_corpus(text_column='content') or dangshi-reports --text-column content"
    >>> option_hint("on_error", "skip")
    "read_corpus(on_error='skip') or dangshi-reports -p on_error skip"
    """
    shown = "…" if value is None else value
    python = f"{name}={shown!r}" if isinstance(value, str) else f"{name}={shown}"
    if name not in CLI_SPELLING:
        return f"read_corpus({python})"
    flag, placeholder = CLI_SPELLING[name]
    if name == "columns":  # a mapping in Python, one NAME=DOCVAR pair per flag on the command line
        python = "columns={'NAME': 'DOCVAR'}" if value is None else f"columns={value!r}"
        shown = placeholder
    return f"read_corpus({python}) or dangshi-reports {flag} {shown}"


@dataclass(frozen=True)
class ReadOptions:
    """How to read a folder of articles: every option of :func:`corpus_tools.read_corpus` but the paths.

    Build it with keywords (``ReadOptions(text_column="content")``) or from a mapping of
    them (:meth:`from_kwargs`); every reading function also takes the same keywords
    directly. A bad value raises when the object is made, naming the option and what to
    do, before any file is read.

    Attributes
    ----------
    format : str, optional
        Read every file as this format (``txt``, ``md``, ``html``, ``docx``, ``csv``,
        ``tsv``, ``jsonl``, ``parquet``) instead of going by its suffix. Without
        ``pattern``, only files with that format's suffixes are read.
    pattern : str, optional
        Glob pattern for the files to read (matched against the path relative to the
        folder, from the right, e.g. ``"*.txt"``). By default every file with a supported
        suffix (:data:`SUPPORTED_SUFFIXES`); other files are reported as
        ``unsupported_format`` and ignored.
    encoding : str, optional
        Decode every text file with this codec instead of detecting it (see
        :func:`corpus_tools.io.decode_bytes`).
    mixed_encodings : {"raise", "by_line"}
        A file mixing UTF-8 and GB18030/Big5 lines is a ``mixed_encodings`` problem by
        default; ``by_line`` decodes each line in its own encoding and logs it.
    text_column : str, optional
        The column (or JSON field) holding each table row's article. By default ``text``,
        or else the first of :data:`corpus_tools.io.TEXT_ALIASES` (``content``, ``body``,
        ``正文`` …) the table has.
    id_column : str, optional
        A column of doc_ids for table rows. By default the first of
        :data:`corpus_tools.io.ID_ALIASES` (``doc_id``, ``id`` …), or else of
        :data:`corpus_tools.io.URL_ALIASES` (``url`` …, made into slugs), whose values are
        all usable and unique (with ``map_columns``); else ``<table>-<row>``.
    docvar_columns : tuple of str, optional
        The table columns that become docvars; by default (``None``) every other column.
    columns : tuple of (str, str)
        Table column → docvar name pairs, e.g. ``(("发布单位", "outlet"),)``: read that
        column as that docvar (it then overrides any automatic mapping). A mapping is
        accepted and stored as pairs in its order (:attr:`column_map` gives it back as a
        dict).
    map_columns : bool
        Read common column names as the docvars they mean (see
        :data:`corpus_tools.io.COLUMN_ALIASES`: ``date`` → ``date_published``, ``source``
        or ``媒体`` → ``outlet``, ``标题`` → ``title`` …) and pick the doc_id column as
        above. What was mapped is logged and is the docvar's origin.
    min_han_chars : int
        A text with fewer Han characters is too short to analyse (``too_short``). The
        default, 50, is about two sentences: less is a headline or a fragment, which
        paragraph-level statistics cannot use.
    min_han_share : float
        A text whose share of Han characters (see :func:`corpus_tools.io.han_share`) is
        lower is not Chinese (``not_chinese``). A proportion between 0 and 1.
    on_error : {"raise", "skip"}
        ``raise``: raise :class:`corpus_tools.io.CorpusReadError` at the first problem.
        ``skip``: report each problem as a :class:`corpus_tools.io.ReadProblem` and go on
        with the rest.

    Notes
    -----
    The manifest (``metadata=``) is not a reading option but an input, like the folder:
    its default depends on the folder (``<folder>/metadata.csv``), and a report resolves it
    against the project root.

    Examples
    --------
    >>> options = ReadOptions.from_kwargs(text_column="content", columns={"发布单位": "outlet"})
    >>> options.text_column, options.column_map
    ('content', {'发布单位': 'outlet'})
    >>> options.to_kwargs()
    {'text_column': 'content', 'columns': {'发布单位': 'outlet'}}
    >>> ReadOptions(min_han_share=2)
    Traceback (most recent call last):
    ...
    ValueError: min_han_share must be a share between 0 and 1 (0.5: half of the text's letters are Han characters), not 2
    """

    format: Format | None = None
    pattern: str | None = None
    encoding: str | None = None
    mixed_encodings: MixedEncodings = "raise"
    text_column: str | None = None
    id_column: str | None = None
    docvar_columns: tuple[str, ...] | None = None
    columns: tuple[tuple[str, str], ...] = field(default=())
    map_columns: bool = True
    min_han_chars: int = 50
    min_han_share: float = 0.5
    on_error: OnError = "raise"

    def __post_init__(self) -> None:
        # Normalise the containers first, so that the object is hashable, picklable and
        # compares equal however the columns were given.
        object.__setattr__(self, "columns", _column_pairs(self.columns))
        if self.docvar_columns is not None:
            object.__setattr__(self, "docvar_columns", _names("docvar_columns", self.docvar_columns))
        _check_choice("on_error", self.on_error, ("raise", "skip"))
        _check_choice("mixed_encodings", self.mixed_encodings, ("raise", "by_line"))
        if self.format is not None and self.format not in _FORMATS:
            raise ValueError(
                f"format must be one of {_FORMATS} or None (to go by each file's suffix), not {self.format!r}"
            )
        for name in ("pattern", "text_column", "id_column"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise TypeError(f"{name} must be a non-empty string or None, not {value!r}")
        if self.encoding is not None:
            _check_encoding(self.encoding)
        if not isinstance(self.map_columns, bool):
            raise TypeError(f"map_columns must be True or False, not {self.map_columns!r}")
        if (
            not isinstance(self.min_han_chars, numbers.Integral)
            or isinstance(self.min_han_chars, bool)
            or self.min_han_chars < 0
        ):
            raise ValueError(
                f"min_han_chars must be a count ≥ 0 (Han characters a text needs, e.g. 50), not {self.min_han_chars!r}"
            )
        share = self.min_han_share
        if not isinstance(share, numbers.Real) or isinstance(share, bool) or not 0 <= share <= 1:
            raise ValueError(
                "min_han_share must be a share between 0 and 1 (0.5: half of the text's letters are Han "
                f"characters), not {share!r}"
            )
        for column, docvar in self.columns:
            if docvar in {"doc_id", "text"}:
                parameter = "id_column" if docvar == "doc_id" else "text_column"
                raise ValueError(f"columns: {column!r} → {docvar!r}: name that column with {option_hint(parameter, column)}")
            if not docvar.strip():
                raise ValueError(f"columns: {column!r} → {docvar!r}: give the docvar a name")
            if docvar in RESERVED_DOCVARS:
                raise ValueError(
                    f"columns: {column!r} → {docvar!r}: {docvar!r} is set by reading itself; choose another docvar name"
                )

    # -- building -------------------------------------------------------------------------

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The names of the reading options, in the order of the fields.

        Examples
        --------
        >>> ReadOptions.names()[:3]
        ('format', 'pattern', 'encoding')
        """
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_kwargs(cls, base: ReadOptions | Mapping[str, Any] | None = None, /, **kwargs: Any) -> ReadOptions:
        """Build the options from keyword arguments, on top of ``base`` when given.

        Parameters
        ----------
        base : ReadOptions or mapping, optional
            Options to start from (a mapping of option names, such as a report's
            ``read_options``); by default the defaults.
        **kwargs
            Reading options; each replaces the value of ``base``.

        Returns
        -------
        ReadOptions

        Raises
        ------
        TypeError
            For a name that is not a reading option: the message names it, suggests the
            closest option and lists them all.
        ValueError
            For a value an option cannot take (see :class:`ReadOptions`).

        Examples
        --------
        >>> ReadOptions.from_kwargs({"text_column": "content"}, on_error="skip").on_error
        'skip'
        >>> ReadOptions.from_kwargs(text_colum="content")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: unknown reading option 'text_colum' (did you mean 'text_column'?); the reading options are: format, ...
        """
        if isinstance(base, ReadOptions):
            return base.replace(**kwargs) if kwargs else base
        if base is not None and not isinstance(base, Mapping):
            raise TypeError(f"reading options must be a ReadOptions or a mapping of option names, not {base!r}")
        merged = {**(base or {}), **kwargs}
        _check_names(merged)
        return cls(**merged)

    def replace(self, **kwargs: Any) -> ReadOptions:
        """Return a copy with the given options changed (validated, unknown names refused).

        Examples
        --------
        >>> ReadOptions().replace(format="csv").format
        'csv'
        """
        _check_names(kwargs)
        return dataclasses.replace(self, **kwargs)

    # -- reading back ------------------------------------------------------------------------

    @property
    def column_map(self) -> dict[str, str]:
        """:attr:`columns` as a dict, table column → docvar name."""
        return dict(self.columns)

    def to_kwargs(self, *, changed_only: bool = True) -> dict[str, Any]:
        """The options as keyword arguments of plain literals (JSON-able, for a report's ``read_options``).

        Parameters
        ----------
        changed_only : bool, default True
            Only the options that differ from their defaults.

        Returns
        -------
        dict
            Option name → value; ``columns`` as a dict, ``docvar_columns`` as a list.

        Examples
        --------
        >>> ReadOptions(min_han_chars=10).to_kwargs()
        {'min_han_chars': 10}
        """
        default = ReadOptions()
        out: dict[str, Any] = {}
        for name in self.names():
            value = getattr(self, name)
            if changed_only and value == getattr(default, name):
                continue
            if name == "columns":
                value = dict(value)
            elif name == "docvar_columns" and value is not None:
                value = list(value)
            out[name] = value
        return out


def _check_names(kwargs: Mapping[str, Any]) -> None:
    valid = ReadOptions.names()
    for name in kwargs:
        if name not in valid:
            close = difflib.get_close_matches(str(name), valid, n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"unknown reading option {name!r}{guess}; the reading options are: {', '.join(valid)}")


def _check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be {' or '.join(map(repr, choices))}, not {value!r}")


def _check_encoding(encoding: object) -> None:
    try:
        known = isinstance(encoding, str) and codecs.lookup(encoding) is not None
    except LookupError:
        known = False
    if not known:
        raise ValueError(
            f"encoding {encoding!r} is not an encoding Python knows (give a codec name such as 'gb18030', "
            "'cp950' or 'utf-8', or leave encoding=None to detect each file's encoding)"
        )


def _names(option: str, values: object) -> tuple[str, ...]:
    # A string is iterable too, and a set has no order: neither is a list of columns.
    if isinstance(values, (str, Mapping, set, frozenset)) or not isinstance(values, Iterable):
        raise TypeError(f"{option} must be a list of column names, e.g. [{values!r}], not {values!r}")
    names = tuple(values)
    bad = [v for v in names if not isinstance(v, str)]
    if bad:
        raise TypeError(f"{option} must name columns with strings, not {bad[0]!r}")
    return names


def _column_pairs(columns: object) -> tuple[tuple[str, str], ...]:
    if columns is None:
        return ()
    if isinstance(columns, Mapping):
        items = list(columns.items())
    elif isinstance(columns, Sequence) and not isinstance(columns, str) and all(
        isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2 for pair in columns
    ):
        items = [tuple(pair) for pair in columns]
    else:
        raise TypeError(
            f"columns must map table column names to docvar names, e.g. {{'发布单位': 'outlet'}}, not {columns!r}"
        )
    return tuple((str(column), str(docvar)) for column, docvar in items)
