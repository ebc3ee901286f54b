"""``python -m corpus_tools.reports``: the ``dangshi-reports`` command."""

import sys

from corpus_tools.reports.cli import main

# Guarded so that importing the module (Sphinx's autosummary walks every module) runs nothing.
if __name__ == "__main__":
    sys.exit(main())
