"""Run the analysis notebooks into self-contained, dated report folders.

The notebooks in ``notebooks/NN-*.ipynb`` explore and communicate; this package repeats them. One
call of :func:`run_reports` (or ``make reports``, or the ``dangshi-reports`` command) executes every
notebook with papermill on one corpus and leaves a folder that can be read, archived and compared
without the project:

.. code-block:: text

    reports/
      20261121T071205Z-seeds/        one run; never changed after it is complete
        index.html                   each report with a line on every table and figure, the
                                     run's parameters, the manifest summary
        run.json                     the manifest: inputs, versions, parameters, timings
        00-corpus-overview.ipynb     the executed notebook (code, outputs, papermill timings)
        00-corpus-overview.html      the same as an input-free, self-contained HTML document:
                                     contents, short tables linked to their CSV, files linked
        tables/*.csv, *.parquet      written by the notebooks through save_table
        figures/*.png                written by the notebooks through save_figure
      20261121T073000Z-seeds-nb01-group_by-city/
                                     a run of one notebook with a parameter changed
      latest -> 20261121T071205Z-seeds
      failed-20261121T080000Z-seeds/ a run that failed (or was interrupted), kept for inspection

A run is built in ``reports/.incomplete-<run-id>/`` and renamed into place only once every
notebook has succeeded, and ``reports/latest`` is repointed atomically afterwards (only by a run
of every notebook), so a reader never sees a half-written run and ``latest`` always names a
complete one.

Notebooks write their tables and figures with :func:`save_table` and :func:`save_figure`, which
keep file names inside the run folder and write the same bytes for the same data.

The package is split by what each part owns:

- :mod:`~corpus_tools.reports.notebook`: what a notebook calls first (:func:`start`);
- :mod:`~corpus_tools.reports.outputs`: :func:`save_table`, :func:`save_figure`;
- :mod:`~corpus_tools.reports.interpret`: the reports' generated sentences;
- :mod:`~corpus_tools.reports.overview`: the tables of the corpus overview report;
- :mod:`~corpus_tools.reports.run`: :func:`run_reports`, the runner;
- :mod:`~corpus_tools.reports.parameters`: notebooks, parameters and reading options, checked;
- :mod:`~corpus_tools.reports.folders`: run ids and run folders;
- :mod:`~corpus_tools.reports.schedule`: which notebooks run when;
- :mod:`~corpus_tools.reports.kernels`: the Jupyter kernel and the watch on running notebooks;
- :mod:`~corpus_tools.reports.provenance`: the manifest ``run.json``;
- :mod:`~corpus_tools.reports.html`: the HTML reports and ``index.html``;
- :mod:`~corpus_tools.reports.failure`: what a failed run says and keeps;
- :mod:`~corpus_tools.reports.cli`: the ``dangshi-reports`` command.
"""

from __future__ import annotations

import logging

from .cli import main
from .errors import KernelDiedError, NotebookFailedError, ReportArgumentError
from .folders import default_run_id
from .html import MAX_ROWS_SHOWN
from .kernels import KERNEL_NAME, ensure_kernel
from .notebook import NotebookReport, start
from .outputs import FLOAT_FORMAT, FORMULA_PREFIXES, SavedFigure, neutralise_formulas, save_figure, save_table
from .parameters import BASE_PARAMETERS, NOTEBOOK_GLOB, check_read_options, find_notebooks
from .provenance import KEY_PACKAGES, VARYING_MANIFEST_FIELDS, VARYING_NOTEBOOK_FIELDS
from .run import run_reports
from .schedule import RUNS_AFTER

__all__ = [
    "BASE_PARAMETERS",
    "FLOAT_FORMAT",
    "FORMULA_PREFIXES",
    "KERNEL_NAME",
    "KEY_PACKAGES",
    "MAX_ROWS_SHOWN",
    "NOTEBOOK_GLOB",
    "RUNS_AFTER",
    "VARYING_MANIFEST_FIELDS",
    "VARYING_NOTEBOOK_FIELDS",
    "KernelDiedError",
    "NotebookFailedError",
    "NotebookReport",
    "ReportArgumentError",
    "SavedFigure",
    "check_read_options",
    "default_run_id",
    "ensure_kernel",
    "find_notebooks",
    "main",
    "neutralise_formulas",
    "run_reports",
    "save_figure",
    "save_table",
    "start",
]

#: The logger of every module of the package (they log under this one name).
logger = logging.getLogger(__name__)
