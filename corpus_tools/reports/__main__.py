"""``python -m corpus_tools.reports``: the ``dangshi-reports`` command."""

import sys

from corpus_tools.reports.cli import main

sys.exit(main())
