"""An on-disk cache of segmentation results, so re-running a notebook does not re-segment.

One entry per distinct text and setting. Its key is the SHA-256 of

- the cache format version,
- :meth:`Segmenter.cache_namespace <corpus_tools.segment.Segmenter.cache_namespace>`: jieba's
  version, the SHA-256 of jieba's main dictionary, the tokenizer's total frequency, ``hmm``,
  ``pos`` and the version of the module's own repairs (whitespace, decimals),
- the user-dictionary and extra words that occur in the text, each with the frequency (and,
  for tagged output, the tag) the tokenizer holds for it
  (:meth:`Segmenter.user_entries_in <corpus_tools.segment.Segmenter.user_entries_in>`),
- the text itself.

What a change of the user dictionary invalidates
------------------------------------------------
jieba picks the route through a text that maximises ``sum(log(freq(word)) - log(total))``
over its words. Only words that occur in the text enter the sum, so their entries are in the
key, and only for texts that contain them. But ``total`` (the sum of all frequencies) enters
once per word, and competing routes have different numbers of words: adding, removing or
re-weighting *any* word shifts ``total`` and can change the segmentation of a text that
contains none of the changed words (``tests/test_tokencache.py`` builds such a case). So
``total`` is in every key, and an edit that changes a frequency invalidates every entry of
that setting; nothing cheaper is exact. Edits that leave ``total`` alone invalidate exactly
the texts they can affect: a changed tag only the tagged texts that contain the word (and no
untagged text at all); comments, category markers, the order of lines, or re-listing a word
with the frequency it already had, nothing. Stale entries are not deleted; they are never
read again (delete the folder, or call :meth:`TokenCache.clear`, to reclaim the space).

The engine is not in the key: rjieba is used only for settings where it reproduces jieba
token for token and tag for tag (``hmm=False``), which ``tests/test_segment.py`` checks and
every new rjieba segmenter re-checks on a probe text.

Storage
-------
One SQLite database per cache folder (``tokens-v1.sqlite3``), one row per entry: the 32-byte
key, the tokens as UTF-8 (words joined by ``U+001F``; with tags, ``U+001E`` and the tags
joined likewise; both are whitespace, which segmentation drops, so no token contains them)
and an 8-byte BLAKE2b digest of the value. SQLite rather than one file per entry: a corpus has
tens of thousands of paragraphs, and reading them is a few queries instead of tens of
thousands of file opens, each of which would cost about as much as segmenting the paragraph
with rjieba. On 20 MB of paragraphs (``benchmarks/segment_speed.py``, 2 cores) a warm cache
gives the tokens in about 1.2 s: twelve times faster than jieba (``hmm=True``) or posseg, as
fast as rjieba without tags and 1.5 times as fast with them; filling it adds about a second to
the first run. Writes are transactions, so
an interrupted run or concurrent processes (SQLite's locking, WAL journal where the file system
allows it) never leave a half-written entry; a value whose digest does not match is treated as
missing and recomputed; a database file that is not readable is moved aside (``*.corrupt``) and
a new one started. Nothing is ever unpickled. SQLite's locking is unreliable on network file
systems (NFS): on a cluster, point the cache at a local disk.

Location and switches
---------------------
``<default_cache_dir()>/tokens`` (under the platformdirs user cache folder, or under
``$DANGSHI_CACHE_DIR`` when set), or any folder passed as ``cache=``. The folder gets a
``.gitignore`` of ``*``, so it stays out of git wherever it is. ``cache=False`` or the
environment variable ``DANGSHI_CACHE=off`` turns caching off.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..environment import CACHE_ENV, cache_enabled
from .segmenter import Segmenter, default_cache_dir

__all__ = [
    "CACHE_ENV",
    "FORMAT_VERSION",
    "TokenCache",
    "decode",
    "default_token_cache_dir",
    "encode",
    "open_cache",
    "unit_keys",
]

#: Version of the key and value layout; part of every key and of the database file name.
FORMAT_VERSION = 1

_WORD_SEP = "\x1f"
_TAG_SEP = "\x1e"
_SQL_CHUNK = 500  # keys per SELECT ... IN (...), well under SQLite's parameter limit
_BUSY_TIMEOUT_SECONDS = 60.0

logger = logging.getLogger(__name__)


def default_token_cache_dir() -> Path:
    """Return the default folder of the token cache.

    Returns
    -------
    pathlib.Path
        ``corpus_tools.segment.default_cache_dir() / "tokens"``.
    """
    return default_cache_dir() / "tokens"


def _cache_switched_off() -> bool:
    return not cache_enabled()


def open_cache(cache: bool | str | os.PathLike | TokenCache | None = True) -> TokenCache | None:
    """Return the cache a ``cache=`` option asks for, or None for no caching.

    Parameters
    ----------
    cache : bool, str, path-like, TokenCache or None, default True
        ``True``: the default folder (:func:`default_token_cache_dir`), unless the environment
        variable ``DANGSHI_CACHE`` is ``off``. ``False`` or None: no cache. A path: a cache in
        that folder (even when ``DANGSHI_CACHE=off``: an explicit folder is a request). A
        :class:`TokenCache`: itself.

    Returns
    -------
    TokenCache or None

    Examples
    --------
    >>> open_cache(False) is None
    True
    """
    if cache is None or cache is False:
        return None
    if isinstance(cache, TokenCache):
        return cache
    if cache is True:
        return None if _cache_switched_off() else TokenCache(default_token_cache_dir())
    if isinstance(cache, (str, os.PathLike)):
        return TokenCache(Path(cache))
    raise TypeError(f"cache must be True, False, a folder or a TokenCache, not {type(cache).__name__}")


# -- values -------------------------------------------------------------------------------------


def encode(words: Sequence[str], tags: Sequence[str] | None = None) -> str | None:
    """Return one unit's tokens (and tags) as a single string, or None if they cannot be.

    Parameters
    ----------
    words : sequence of str
    tags : sequence of str, optional
        One tag per word.

    Returns
    -------
    str or None
        Words joined by ``U+001F``; with tags, then ``U+001E`` and the tags joined by
        ``U+001F``. None when a token is empty or contains a separator, which segmentation
        never produces (both separators are whitespace, and whitespace is dropped).

    Examples
    --------
    >>> decode(encode(["学史明理", "，"], ["l", "x"]), pos=True)
    (['学史明理', '，'], ['l', 'x'])
    """
    joined = _WORD_SEP.join(words)
    if words and (joined.count(_WORD_SEP) != len(words) - 1 or _TAG_SEP in joined or "" in words):
        return None
    if tags is None:
        return joined
    if len(tags) != len(words):
        raise ValueError(f"{len(tags)} tags for {len(words)} words")
    joined_tags = _WORD_SEP.join(tags)
    if tags and (joined_tags.count(_WORD_SEP) != len(tags) - 1 or _TAG_SEP in joined_tags or "" in tags):
        return None
    return f"{joined}{_TAG_SEP}{joined_tags}"


def decode(value: str, *, pos: bool) -> tuple[list[str], list[str] | None]:
    """Invert :func:`encode`.

    Parameters
    ----------
    value : str
    pos : bool
        Whether ``value`` carries tags.

    Returns
    -------
    (list of str, list of str or None)
        Words and, with ``pos``, tags.

    Raises
    ------
    ValueError
        When ``value`` is not what :func:`encode` makes for that ``pos``.
    """
    if not pos:
        if _TAG_SEP in value:
            raise ValueError("untagged value holds a tag separator")
        return (value.split(_WORD_SEP) if value else []), None
    words_part, sep, tags_part = value.partition(_TAG_SEP)
    if not sep or _TAG_SEP in tags_part:
        raise ValueError("tagged value needs exactly one tag separator")
    words = words_part.split(_WORD_SEP) if words_part else []
    tags = tags_part.split(_WORD_SEP) if tags_part else []
    if len(words) != len(tags):
        raise ValueError(f"{len(tags)} tags for {len(words)} words")
    return words, tags


def _digest(value: bytes) -> bytes:
    return hashlib.blake2b(value, digest_size=8).digest()


# -- keys ---------------------------------------------------------------------------------------


def unit_keys(texts: Iterable[str], segmenter: Segmenter, *, pos: bool) -> list[bytes]:
    """Return the cache key of each text for a segmenter and output kind.

    Parameters
    ----------
    texts : iterable of str
    segmenter : Segmenter
    pos : bool
        Keys for tagged output (:meth:`Segmenter.cut_pos`) rather than words only.

    Returns
    -------
    list of bytes
        32-byte SHA-256 digests, one per text, in order (see the module docstring for what
        they cover). Equal texts get equal keys.
    """
    prefix = f"dangshi-tokens/{FORMAT_VERSION}\0{segmenter.cache_namespace(pos=pos)}\0".encode("ascii")
    keys = []
    for text in texts:
        digest = hashlib.sha256(prefix)
        entries = segmenter.user_entries_in(text, pos=pos)
        if entries:
            digest.update(json.dumps(entries, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        keys.append(digest.digest())
    return keys


# -- the store ----------------------------------------------------------------------------------


class TokenCache:
    """Segmentation results on disk, keyed by :func:`unit_keys`.

    Parameters
    ----------
    directory : path-like, optional
        The cache folder, created on first write; defaults to :func:`default_token_cache_dir`.

    Notes
    -----
    A connection is opened for each call and closed after it, so an instance can be handed to
    worker processes and no connection outlives a fork. Errors of the database (unreadable
    file, full disk, a lock held for longer than a minute) are reported as warnings and the
    call behaves as if the cache were empty: a cache never stops a computation.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> cache = TokenCache(folder.name)
    >>> cache.put_many([(b"k" * 32, encode(["学史", "明理"]))])
    1
    >>> found = cache.get_many([b"k" * 32, b"x" * 32])
    >>> list(found) == [b"k" * 32], decode(found[b"k" * 32], pos=False)
    (True, (['学史', '明理'], None))
    >>> folder.cleanup()
    """

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self._directory = Path(directory) if directory is not None else default_token_cache_dir()

    @property
    def directory(self) -> Path:
        """pathlib.Path: the cache folder."""
        return self._directory

    @property
    def path(self) -> Path:
        """pathlib.Path: the SQLite database file."""
        return self._directory / f"tokens-v{FORMAT_VERSION}.sqlite3"

    def __repr__(self) -> str:
        return f"TokenCache({os.fspath(self._directory)!r})"

    def _connect(self, *, create: bool) -> sqlite3.Connection | None:
        if not self.path.exists():
            if not create:
                return None
            self._directory.mkdir(parents=True, exist_ok=True)
            ignore = self._directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# token cache of corpus_tools: never commit\n*\n", encoding="utf-8")
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            # Values are a few hundred bytes to a few hundred kilobytes: 16 KiB pages waste
            # less on overflow pages than the default 4 KiB (only a new, empty file takes it).
            connection.execute("PRAGMA page_size=16384")
            try:
                connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass  # file systems without shared memory keep the rollback journal
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS tokens "
                "(key BLOB PRIMARY KEY, value BLOB NOT NULL, digest BLOB NOT NULL)"
            )
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    def _run(self, what: str, action, *, create: bool, default):
        """Run ``action(connection)``; set a corrupt file aside once; warn and give up otherwise."""
        for attempt in (1, 2):
            connection = None
            try:
                connection = self._connect(create=create)
                if connection is None:
                    return default
                return action(connection)
            except sqlite3.DatabaseError as error:
                if attempt == 1 and _is_corruption(error):
                    self._set_aside(error)
                    continue
                warnings.warn(f"token cache {self.path}: {what} failed ({error}); continuing without it",
                              RuntimeWarning, stacklevel=3)
                return default
            except OSError as error:
                warnings.warn(f"token cache {self.path}: {what} failed ({error}); continuing without it",
                              RuntimeWarning, stacklevel=3)
                return default
            finally:
                if connection is not None:
                    connection.close()
        return default

    def _set_aside(self, error: Exception) -> None:
        target = self.path.with_name(f"{self.path.name}.{time.strftime('%Y%m%dT%H%M%S')}.corrupt")
        warnings.warn(f"token cache {self.path} is unreadable ({error}); moved to {target.name}, starting anew",
                      RuntimeWarning, stacklevel=4)
        os.replace(self.path, target)
        for suffix in ("-wal", "-shm"):
            companion = self.path.with_name(self.path.name + suffix)
            if companion.exists():
                os.replace(companion, companion.with_name(f"{target.name}{suffix}"))

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, str]:
        """Return the stored values of those keys that are in the cache.

        Parameters
        ----------
        keys : iterable of bytes

        Returns
        -------
        dict
            ``key -> value`` (a string from :func:`encode`) for the keys found with an intact
            value; a key whose value fails its digest is left out (and logged), so it is
            recomputed and overwritten.
        """
        wanted = list(dict.fromkeys(keys))

        def action(connection: sqlite3.Connection) -> dict[bytes, str]:
            found: dict[bytes, str] = {}
            damaged = 0
            for start in range(0, len(wanted), _SQL_CHUNK):
                chunk = wanted[start:start + _SQL_CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"SELECT key, value, digest FROM tokens WHERE key IN ({marks})", chunk)
                for key, value, digest in rows:
                    if _digest(value) != digest:
                        damaged += 1
                        continue
                    try:
                        found[key] = value.decode("utf-8", "surrogatepass")
                    except UnicodeDecodeError:
                        damaged += 1
            if damaged:
                logger.warning("token cache %s: %d damaged entries ignored; they will be recomputed", self.path, damaged)
            return found

        if not wanted:
            return {}
        return self._run("reading", action, create=False, default={})

    def put_many(self, items: Iterable[tuple[bytes, str]]) -> int:
        """Store ``(key, value)`` pairs in one transaction, replacing what a key held.

        Parameters
        ----------
        items : iterable of (bytes, str)
            Keys from :func:`unit_keys`, values from :func:`encode` (None values are skipped).

        Returns
        -------
        int
            The number of entries written (0 when writing failed, with a warning).
        """
        rows = []
        for key, value in items:
            if value is None:
                continue
            data = value.encode("utf-8", "surrogatepass")
            rows.append((key, data, _digest(data)))
        if not rows:
            return 0

        def action(connection: sqlite3.Connection) -> int:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.executemany("INSERT OR REPLACE INTO tokens (key, value, digest) VALUES (?, ?, ?)", rows)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return len(rows)

        return self._run("writing", action, create=True, default=0)

    def __len__(self) -> int:
        """Return the number of entries."""
        return self._run(
            "counting", lambda c: c.execute("SELECT COUNT(*) FROM tokens").fetchone()[0], create=False, default=0
        )

    def clear(self) -> None:
        """Delete every entry (the database file stays)."""
        def action(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM tokens")
            connection.execute("VACUUM")

        self._run("clearing", action, create=False, default=None)


def _is_corruption(error: sqlite3.DatabaseError) -> bool:
    # "file is not a database", "database disk image is malformed": the file itself is bad.
    # Locks, a full disk or a read-only folder are not reasons to throw the file away.
    if isinstance(error, sqlite3.OperationalError):
        return False
    message = str(error).lower()
    return "not a database" in message or "malformed" in message or "corrupt" in message
