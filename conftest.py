"""Collection rules for the whole tree (``testpaths`` covers ``tests`` and the package's doctests)."""

from pathlib import Path

_PACKAGE = Path(__file__).parent / "corpus_tools"


def pytest_ignore_collect(collection_path, config):
    # A module left at an old name (compat.moved_module) *is* the moved module: its doctests
    # run at the new path, and collecting the old file fails with "import file mismatch".
    if collection_path.suffix == ".py" and _PACKAGE in collection_path.parents:
        if "moved_module(__name__" in collection_path.read_text(encoding="utf-8"):
            return True
    return None
