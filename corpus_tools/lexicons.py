"""Load the package's lexical data: the user dictionary, stopword lists and their hashes.

Every file lives in ``corpus_tools/data/`` and is read with :mod:`importlib.resources`, so the
package works from an installed wheel as well as from a checkout. Nothing is read at import
time; each loader reads its file on first call and caches the parsed result.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import pandas as pd

__all__ = [
    "lexicon_hashes",
    "stopwords",
    "user_dictionary",
    "user_dictionary_path",
]

_DATA_PACKAGE = "corpus_tools"
_DATA_DIR = "data"
_USERDICT_FILES: dict[str, str] = {"general": "userdict.txt", "seeds": "userdict-seeds.txt"}
_STOPWORD_FILES: dict[str, str] = {"zh-official": "stopwords-zh-official.txt"}

_CATEGORY_MARKER = re.compile(r"^#\s*@category\s+(\S+)\s*$")
# jieba's own entry grammar: the word may contain anything but a line break; freq and tag are
# optional. Reusing it means a file that loads here loads identically in jieba.
_ENTRY = re.compile(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$")


def _data_root():
    return resources.files(_DATA_PACKAGE).joinpath(_DATA_DIR)


@lru_cache(maxsize=1)
def _extraction_stack() -> contextlib.ExitStack:
    # Package data inside a zip has no filesystem path; as_file extracts it to a temporary
    # file that must live as long as the process, so the stack is closed only at exit.
    stack = contextlib.ExitStack()
    atexit.register(stack.close)
    return stack


@lru_cache(maxsize=None)
def user_dictionary_path(layer: Literal["general", "seeds"] = "general") -> Path:
    """Return the filesystem path of a layer of the package user dictionary.

    Parameters
    ----------
    layer : {"general", "seeds"}, default "general"
        ``"general"``: the campaign's lexicon, loaded by default (``data/userdict.txt``).
        ``"seeds"``: programme names and local formulas seen only in the five seed articles
        (``data/userdict-seeds.txt``), loaded only on request, so that results on other corpora
        are not flattered by words harvested from the seeds.

    Returns
    -------
    pathlib.Path
        The file (extracted to a temporary file first if the package is installed as a zip).

    Notes
    -----
    The file is jieba's ``word freq pos`` format plus ``#`` comment lines, which jieba's own
    ``load_userdict`` would misread as words; load it with :func:`user_dictionary` or
    :class:`corpus_tools.segment.Segmenter`.
    """
    if layer not in _USERDICT_FILES:
        raise ValueError(f"unknown user dictionary layer {layer!r}; choose from {sorted(_USERDICT_FILES)}")
    resource = _data_root().joinpath(_USERDICT_FILES[layer])
    return Path(_extraction_stack().enter_context(resources.as_file(resource)))


def read_user_dictionary(path: Path) -> pd.DataFrame:
    """Parse a user dictionary file in jieba format with ``#`` comments.

    Parameters
    ----------
    path : pathlib.Path
        A UTF-8 file of ``word [freq] [pos]`` lines. Lines starting with ``#`` are comments;
        ``# @category NAME`` labels the entries that follow it.

    Returns
    -------
    pandas.DataFrame
        One row per entry, in file order: ``word`` (str), ``freq`` (nullable Int64; missing
        when the line gives none), ``pos`` (str or missing), ``category`` (str, ``""`` before
        the first marker).

    Raises
    ------
    ValueError
        If a word appears twice, since jieba would silently keep only the last frequency.
    """
    rows: list[tuple[str, int | None, str | None, str]] = []
    category = ""
    with open(path, encoding="utf-8-sig") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                marker = _CATEGORY_MARKER.match(line)
                if marker:
                    category = marker.group(1)
                continue
            word, freq, tag = _ENTRY.match(line).groups()
            rows.append((word, int(freq) if freq is not None else None, tag, category))
    table = pd.DataFrame(rows, columns=["word", "freq", "pos", "category"])
    table["freq"] = table["freq"].astype("Int64")
    duplicated = table.loc[table["word"].duplicated(), "word"].tolist()
    if duplicated:
        raise ValueError(f"{path}: words listed more than once: {duplicated}")
    return table


@lru_cache(maxsize=2)
def _package_user_dictionary(seed_layer: bool) -> pd.DataFrame:
    layers = ("general", "seeds") if seed_layer else ("general",)
    table = pd.concat(
        [read_user_dictionary(user_dictionary_path(layer)).assign(layer=layer) for layer in layers],
        ignore_index=True,
    )
    repeated = table.loc[table["word"].duplicated(), "word"].tolist()
    if repeated:
        raise ValueError(f"words listed in both user dictionary layers: {repeated}")
    return table


def user_dictionary(*, seed_layer: bool = False) -> pd.DataFrame:
    """Return the package user dictionary as a table.

    Parameters
    ----------
    seed_layer : bool, default False
        Also return the seed layer (see :func:`user_dictionary_path`), after the general one.

    Returns
    -------
    pandas.DataFrame
        One row per entry, in file order: ``word``, ``freq``, ``pos``, ``category``, ``layer``
        (``general`` or ``seeds``). Categories
        are ``core``, ``slogan``, ``formula``, ``activity``, ``institution``, ``title``,
        ``person``, ``locality``, ``red_site``, ``general`` and ``override``. ``override``
        entries demote words of jieba's own dictionary (frequency 1); they are not campaign
        terms and should be skipped by anything that counts formulas.

    Examples
    --------
    >>> from corpus_tools.lexicons import user_dictionary
    >>> ud = user_dictionary().set_index("word")
    >>> ud.loc["学史明理", "category"], int(ud.loc["学史明理", "freq"])
    ('slogan', 30000)
    >>> "天天敲门组" in ud.index, "天天敲门组" in user_dictionary(seed_layer=True)["word"].tolist()
    (False, True)
    """
    # The parsed table is cached; hand out copies so a caller cannot edit the cache.
    return _package_user_dictionary(bool(seed_layer)).copy()


# Cached on the file name, not on stopwords(): lru_cache would key stopwords() and
# stopwords("zh-official") differently and read the file twice.
@lru_cache(maxsize=None)
def _read_word_list(filename: str) -> frozenset[str]:
    text = _data_root().joinpath(filename).read_text(encoding="utf-8")
    words = (line.strip() for line in text.splitlines())
    return frozenset(word for word in words if word and not word.startswith("#"))


def stopwords(name: Literal["zh-official"] = "zh-official") -> frozenset[str]:
    """Return a named stopword list.

    Parameters
    ----------
    name : {"zh-official"}
        ``"zh-official"``: Chinese function words plus the bureaucratic filler of official
        reporting (进一步, 积极, 深入, 开展, 推动, 工作 ...). Campaign vocabulary (党史, 群众,
        红色, 初心 ...) is deliberately kept out; see the file header for provenance.

    Returns
    -------
    frozenset of str

    Examples
    --------
    >>> from corpus_tools.lexicons import stopwords
    >>> "进一步" in stopwords("zh-official"), "党史" in stopwords("zh-official")
    (True, False)
    """
    if name not in _STOPWORD_FILES:
        raise ValueError(f"unknown stopword list {name!r}; choose from {sorted(_STOPWORD_FILES)}")
    return _read_word_list(_STOPWORD_FILES[name])


def _iter_data_files(root, prefix: str = ""):
    for entry in sorted(root.iterdir(), key=lambda item: item.name):
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _iter_data_files(entry, f"{relative}/")
        else:
            yield relative, entry


@lru_cache(maxsize=1)
def _lexicon_hashes() -> tuple[tuple[str, str], ...]:
    return tuple(
        (relative, hashlib.sha256(entry.read_bytes()).hexdigest())
        for relative, entry in _iter_data_files(_data_root())
    )


def lexicon_hashes() -> dict[str, str]:
    """Return the SHA-256 of every package data file, for report provenance.

    Returns
    -------
    dict of str to str
        ``{path relative to corpus_tools/data: hex digest}``, sorted by path.

    Notes
    -----
    Hashes are computed once per process; a data file edited while the process runs keeps
    its old hash until restart.
    """
    return dict(_lexicon_hashes())
