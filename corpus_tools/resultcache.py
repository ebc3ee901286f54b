"""An on-disk cache for expensive, deterministic analysis results (topic-model sweeps, refits).

Re-running a report on an unchanged corpus should not refit a dozen topic models. Results are
stored with :class:`joblib.Memory`, keyed by a hash of every argument (the corpus, the
vocabulary, the settings, the random seed) and of the cached function's own code, so a
change to any of them computes afresh. Only deterministic functions with an explicit
``random_state`` are cached, which is what makes a cached result the same table a new fit would
give.

Where
    ``DANGSHI_CACHE_DIR`` when set, else the project cache folder
    (:func:`corpus_tools.segment.default_cache_dir`); results go in its ``results/`` folder,
    beside the segmenter's files. Delete the folder to empty the cache.
Off
    pass ``cache=False`` to the function, or set ``DANGSHI_CACHE=off``.
Trust
    joblib stores results as pickles, and loading a pickle can run code, so a result file is
    loaded only after its HMAC-SHA256 checks out: every file starts with a tag computed with a
    secret key (32 random bytes in ``<cache folder>/.result-key``, created with the folder,
    mode 0600) over the entry's id and the pickle's bytes. A file someone else put there, or
    moved from another entry, fails the check, is never unpickled, and is recomputed. A cache
    folder that other users could write to (group- or world-writable, or not the user's own),
    or whose key file others can read, is refused: results are computed without a cache.
Failures
    A cache never stops a computation: a folder that cannot be created, is read-only or
    refused, computes without the cache (one warning per folder); a full disk while storing
    a result is a warning from joblib, and the result is returned all the same.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import io
import os
import stat
import warnings
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from .environment import CACHE_DIR_ENV, CACHE_ENV, cache_enabled

__all__ = ["CACHE_DIR_ENV", "CACHE_ENV", "KEY_FILE", "CacheIntegrityError", "CachedCall", "cache_root", "cached",
           "in_cache", "open_cache_folder"]

#: Raised whenever a cached result's meaning changes without the cached function's code changing
#: (e.g. a helper it calls computes differently); part of every key.
RESULT_FORMAT = 2  # 2: result files signed (HMAC); unsigned v1 files are never read

F = TypeVar("F", bound=Callable[..., object])

#: The secret key's file inside a cache folder.
KEY_FILE = ".result-key"
_KEY_BYTES = 32
_TAG_BYTES = hashlib.sha256().digest_size
_BACKEND = "dangshi-signed"
_warned: set[str] = set()


class CacheIntegrityError(ValueError):
    """A cached result whose tag does not match: not written by this cache, so never loaded."""


def cache_root() -> Path:
    """Return the folder holding the package's caches.

    Returns
    -------
    pathlib.Path
        ``$DANGSHI_CACHE_DIR`` when set, else :func:`corpus_tools.segment.default_cache_dir`.
    """
    # default_cache_dir honours DANGSHI_CACHE_DIR itself: one folder for every cache.
    from .segment import default_cache_dir

    return default_cache_dir()


def _cache_disabled() -> bool:
    return not cache_enabled()


def _warn_once(location: Path, message: str) -> None:
    if str(location) not in _warned:
        _warned.add(str(location))
        warnings.warn(f"result cache {location}: {message}; computing without the cache", RuntimeWarning, stacklevel=4)


def _create_key(key_path: Path) -> None:
    """Create the key file once, complete, readable by its owner only.

    The key is written to a file of this process's own and then hard-linked into place: the
    link either appears with the whole key or fails because another process made the key first.
    (Creating the key file itself with ``O_EXCL`` and then writing it let worker processes that
    open a new cache side by side read it empty, and compute without the cache.)
    """
    staging = key_path.with_name(f"{key_path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(os.urandom(_KEY_BYTES))
    try:
        os.link(staging, key_path)
    except FileExistsError:
        pass  # another process made the key first: use theirs
    except OSError:
        # a file system without hard links: a rename is atomic too, though not exclusive
        if not key_path.exists():
            os.replace(staging, key_path)
    finally:
        staging.unlink(missing_ok=True)


def open_cache_folder(location: Path) -> bytes:
    """Create or check a cache folder of this user's and return its secret key.

    Every cache of the package (results here, stored corpora in
    :mod:`corpus_tools.corpus.store`) trusts a folder on the same terms, set out in the module
    docstring.

    Parameters
    ----------
    location : pathlib.Path
        The folder; created (mode 0700) with its key file when missing.

    Returns
    -------
    bytes
        The folder's secret key (:data:`KEY_FILE`).

    Raises
    ------
    PermissionError
        When the folder belongs to another user or others can write to it, or its key file is
        not the user's own or others can read it; the message says what to do.
    OSError
        When the folder cannot be created or written.
    """
    location.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = location.stat()
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise PermissionError(f"the folder belongs to another user (uid {info.st_uid})")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(
            f"the folder is writable by other users (mode {stat.filemode(info.st_mode)}), who could plant results "
            f"in it; run chmod go-w {location}"
        )
    key_path = location / KEY_FILE
    if not key_path.exists():
        _create_key(key_path)
    info = key_path.lstat()
    if not stat.S_ISREG(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise PermissionError(f"{KEY_FILE} is not a file of this user's")
    if info.st_mode & 0o077:
        raise PermissionError(f"{KEY_FILE} is readable or writable by other users; run chmod 600 {key_path}")
    key = key_path.read_bytes()
    if len(key) != _KEY_BYTES:
        raise PermissionError(f"{KEY_FILE} is damaged (delete the folder to start a new cache)")
    # A probe write: a read-only folder is found now, not after the first hour of fitting.
    probe = location / f".probe-{os.getpid()}"
    probe.write_bytes(b"")
    probe.unlink()
    return key


def _backend_class():
    """joblib's file store, with every result file signed on write and checked before loading."""
    from joblib import numpy_pickle
    from joblib._store_backends import FileSystemStoreBackend

    class SignedStoreBackend(FileSystemStoreBackend):
        def configure(self, location, verbose=1, backend_options=None):
            options = dict(backend_options or {})
            self._key = options.pop("key")
            super().configure(location, verbose=verbose, backend_options=options)

        def _tag(self, call_id, payload: bytes) -> bytes:
            mac = hmac.new(self._key, "/".join(call_id).encode("utf-8") + b"\0", hashlib.sha256)
            mac.update(payload)
            return mac.digest()

        def load_item(self, call_id, verbose=1, timestamp=None, metadata=None):
            filename = os.path.join(self.location, *call_id, "output.pkl")
            if not self._item_exists(filename):
                raise KeyError(f"Non-existing item (may have been cleared). File {filename} does not exist")
            with self._open_item(filename, "rb") as handle:
                data = handle.read()
            tag, payload = data[:_TAG_BYTES], data[_TAG_BYTES:]
            if not hmac.compare_digest(tag, self._tag(call_id, payload)):
                raise CacheIntegrityError(f"{filename} was not written by this cache (its HMAC does not match); not loaded")
            return numpy_pickle.load(io.BytesIO(payload))

        def dump_item(self, call_id, item, verbose=1):
            buffer = io.BytesIO()
            numpy_pickle.dump(item, buffer, compress=self.compress)
            payload = buffer.getvalue()
            signed = self._tag(call_id, payload) + payload
            try:
                item_path = os.path.join(self.location, *call_id)
                if not self._item_exists(item_path):
                    self.create_location(item_path)

                def write(data, destination):
                    with self._open_item(destination, "wb") as handle:
                        handle.write(data)

                self._concurrency_safe_write(signed, os.path.join(item_path, "output.pkl"), write)
            except OSError as error:  # a full disk or a read-only folder: the result is returned anyway
                warnings.warn(f"result cache {self.location}: result not stored ({error})", RuntimeWarning, stacklevel=2)

    return SignedStoreBackend


@lru_cache(maxsize=8)
def _memory(location: str, key: bytes):
    import joblib

    joblib.register_store_backend(_BACKEND, _backend_class())
    return joblib.Memory(location, backend=_BACKEND, verbose=0, backend_options={"key": key})


def cached(function: F, cache: bool | str | os.PathLike[str], *, ignore: tuple[str, ...] = ()) -> F:
    """Return ``function`` wrapped by the on-disk result cache, or unchanged when caching is off.

    Parameters
    ----------
    function : callable
        A deterministic function of its arguments (module level, so joblib can name it).
    cache : bool or path
        ``True`` for the default location (see the module docstring), a folder to use instead,
        or ``False`` to compute every time.
    ignore : tuple of str
        Arguments that do not change the result (``progress``) and so are left out of the key.

    Returns
    -------
    callable
        Same signature and result as ``function``. ``function`` itself (with a warning) when
        the cache folder cannot be used: it cannot be created or written, or other users could
        write to it (see the module docstring).

    Raises
    ------
    TypeError
        When ``cache`` is neither a bool nor a path.
    """
    if cache is False or _cache_disabled():
        return function
    if cache is True:
        location = cache_root() / "results" / f"v{RESULT_FORMAT}"
    elif isinstance(cache, str | os.PathLike):
        location = Path(cache)
    else:
        raise TypeError(f"cache must be True, False or a folder path, got {cache!r}")
    try:
        key = open_cache_folder(location)
    except OSError as error:
        _warn_once(location, str(error) if isinstance(error, PermissionError) and not error.errno else f"cannot be used ({error})")
        return function
    memorized = _memory(str(location), key).cache(function, ignore=list(ignore))

    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            return memorized(*args, **kwargs)
        except OSError as error:
            # Only the cache's own files: an OSError of the computation itself is the caller's.
            if error.filename is None or not str(error.filename).startswith(str(location)):
                raise
            _warn_once(location, f"cannot be used ({error})")
            return function(*args, **kwargs)

    def is_cached(*args, **kwargs) -> bool:
        try:
            return bool(memorized.check_call_in_cache(*args, **kwargs))
        except OSError:  # a folder that cannot be read holds nothing to load
            return False

    call.is_cached = is_cached  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class CachedCall:
    """A call of a :func:`cached` function, described before it is made.

    ``call()`` makes it; :meth:`is_cached` says whether it would only load a stored result, so
    that a caller can decide whether the work is worth worker processes.
    """

    function: Callable[..., object]
    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)

    def __call__(self):
        return self.function(*self.args, **self.kwargs)

    def is_cached(self) -> bool:
        return in_cache(self.function, *self.args, **self.kwargs)


def in_cache(function: Callable[..., object], *args, **kwargs) -> bool:
    """Whether calling `function`, a :func:`cached` wrapper, with these arguments loads a stored result.

    Hashes the arguments as the call would, without computing or loading anything; False when
    caching is off (`function` is then the plain function). Used to decide whether work is
    worth worker processes: loading results is not.
    """
    checker = getattr(function, "is_cached", None)
    return bool(checker is not None and checker(*args, **kwargs))
