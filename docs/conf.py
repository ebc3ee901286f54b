"""Sphinx configuration: the API reference, generated from the package's numpy-style docstrings.

Build with ``make docs`` (warnings are errors); the pages land in ``docs/_build/html``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import warnings
from pathlib import Path

project = "dangshi-corpus"
author = "dangshi-corpus developers"
release = importlib.metadata.version("dangshi-corpus")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
]

# One page per module, found by walking the package: a new module is documented without
# editing this file.
autosummary_generate = True
templates_path = ["_templates"]


def _moved_modules() -> list[str]:
    """The modules left at old names by ``compat.moved_module``, under their dotted names."""
    package = Path(__file__).resolve().parent.parent / "corpus_tools"
    names = []
    for path in package.rglob("*.py"):
        # the shim's call at the start of a line, not compat.py's own docstring example
        if re.search(r"^moved_module\(__name__", path.read_text(encoding="utf-8"), re.MULTILINE):
            names.append(".".join(path.relative_to(package.parent).with_suffix("").parts))
    return sorted(names)


# Walking the package imports the old names too; their FutureWarning is for users, not the build.
warnings.filterwarnings("ignore", message=r"corpus_tools\..* has moved to", category=FutureWarning)


def _shadowed_modules() -> list[str]:
    """The modules whose package re-exports a function under the module's own name.

    ``corpus_tools.compare`` exports the function ``keyness`` of its module
    ``corpus_tools.compare.keyness``, so the name ``corpus_tools.compare.keyness`` is the function
    for autosummary, which would document the function alone on the module's page. These modules
    are documented by ``automodule`` in :file:`modules-named-like-functions.rst` instead.
    """
    import pkgutil
    import types

    import corpus_tools

    names = []
    for info in pkgutil.walk_packages(corpus_tools.__path__, "corpus_tools."):
        parent, _, leaf = info.name.rpartition(".")
        value = getattr(importlib.import_module(parent), leaf, None)
        if value is not None and not isinstance(value, types.ModuleType):
            names.append(info.name)
    return sorted(names)


_SHADOWED = _shadowed_modules()
_SHADOWED_PAGE = Path(__file__).with_name("modules-named-like-functions.rst")
_undocumented = [name for name in _SHADOWED if f".. automodule:: {name}\n" not in _SHADOWED_PAGE.read_text("utf-8")]
if _undocumented:
    raise RuntimeError(f"add '.. automodule:: NAME' for {_undocumented} to {_SHADOWED_PAGE.name}")

# The package pages list their submodules (short names); the template leaves out, by dotted
# name, the modules left at old names (aliases of moved modules: listing them would document
# every object twice) and the shadowed ones (documented on their own page).
autosummary_context = {"hidden_modules": _moved_modules() + _SHADOWED}
autosummary_imported_members = False
# A package page lists its submodules; each object is documented once, in the module that
# defines it (packages re-export names in __all__, which would document them twice).
autodoc_default_options = {"members": True, "show-inheritance": False, "ignore-module-all": True}
autodoc_typehints = "none"  # the numpy docstrings state the types; signatures stay readable

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# No network at build time: intersphinx inventories are not fetched (links stay plain text).
intersphinx_mapping: dict = {}

exclude_patterns = ["_build", "generated/*.md", "design.md", "seeds-reading.md", "figures"]
html_theme = "alabaster"
html_static_path: list[str] = []
html_title = "dangshi-corpus API"
suppress_warnings = ["autosummary.import_cycle"]
