"""Old names that still work for one release, with a warning that names the new one.

Two kinds of rename are covered:

- a keyword argument renamed so that one concept has one name across the package
  (:func:`renamed_parameters`);
- a module moved into a subpackage (:func:`moved_module`), so that
  ``from corpus_tools.readers import read_corpus`` keeps working while the code lives in
  ``corpus_tools.io``.

Every rename is listed in ``CHANGELOG.md``. The warnings are :class:`FutureWarning`, which
Python and Jupyter show by default (a ``DeprecationWarning`` raised inside a library is hidden),
so that a notebook that uses an old name says so before the name goes.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["moved_module", "renamed_parameters"]

F = TypeVar("F", bound=Callable[..., Any])

#: The release after which the old names stop working.
REMOVED_IN = "0.3.0"


def renamed_parameters(**old_to_new: str) -> Callable[[F], F]:
    """Accept the old name of a renamed keyword argument, with a :class:`FutureWarning`.

    Parameters
    ----------
    **old_to_new : str
        Each old keyword name mapped to the name that replaces it.

    Returns
    -------
    callable
        A decorator. The decorated function sees only the new names; passing an old name
        warns and forwards the value, and passing both names is a :class:`TypeError`.

    Examples
    --------
    >>> @renamed_parameters(seeds="random_state")
    ... def fit(*, random_state=0):
    ...     return random_state
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fit(seeds=7)
    7
    >>> str(caught[0].message)
    "fit(): 'seeds' is renamed 'random_state'; the old name stops working in 0.3.0"
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        for old, new in old_to_new.items():
            if new not in signature.parameters:
                raise TypeError(f"{function.__qualname__}() has no parameter {new!r} to rename {old!r} to")

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                if new in kwargs:
                    raise TypeError(
                        f"{function.__name__}() got both {old!r} and its new name {new!r}; pass only {new!r}"
                    )
                warnings.warn(
                    f"{function.__name__}(): {old!r} is renamed {new!r}; the old name stops working in {REMOVED_IN}",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        wrapper.__renamed_parameters__ = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def moved_module(old_name: str, new_name: str) -> None:
    """Make the module ``old_name`` an alias of ``new_name``, warning callers outside the package.

    Call it as the only statement of the module left at the old place::

        from corpus_tools.compat import moved_module
        moved_module(__name__, "corpus_tools.io.readers")

    The old name then *is* the new module (``sys.modules`` holds one object under both
    names), so attributes, private helpers and monkeypatching behave exactly as before.

    Parameters
    ----------
    old_name : str
        The module's old dotted name (pass ``__name__``).
    new_name : str
        The dotted name of the module that now holds the code.
    """
    module = importlib.import_module(new_name)
    if not _imported_from_package(old_name):
        warnings.warn(
            f"{old_name} has moved to {new_name}; the old name stops working in {REMOVED_IN}",
            FutureWarning,
            stacklevel=3,
        )
    sys.modules[old_name] = module


def _imported_from_package(old_name: str) -> bool:
    """Whether the import of ``old_name`` was asked for by code of this package itself."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        machinery = name.startswith("importlib") or frame.f_code.co_filename.startswith("<frozen")
        if not machinery and name not in (old_name, __name__):
            # The first frame outside the import machinery and the shim wrote the ``import``.
            return name == "corpus_tools" or name.startswith("corpus_tools.")
        frame = frame.f_back
    return False
