"""Sphinx configuration: the API reference, generated from the package's numpy-style docstrings.

Build with ``make docs`` (warnings are errors); the pages land in ``docs/_build/html``.
"""

from __future__ import annotations

import importlib.metadata
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
        if "moved_module(__name__" in path.read_text(encoding="utf-8"):
            dotted = ".".join(path.relative_to(package.parent).with_suffix("").parts)
            names += [dotted, dotted.rsplit(".", 1)[1]]
    return sorted(names)


# Walking the package imports the old names too; their FutureWarning is for users, not the build.
warnings.filterwarnings("ignore", message=r"corpus_tools\..* has moved to", category=FutureWarning)
# The template drops both the short and the dotted name, whichever autosummary lists.
autosummary_context = {"moved_modules": _moved_modules()}
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
