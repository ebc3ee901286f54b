"""The ``dangshi-reports`` command: argument parsing and :func:`main`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

from corpus_tools.io.options import Format
from corpus_tools.environment import DASK_SCHEDULER_ENV

from .errors import NotebookFailedError, ReportArgumentError
from .kernels import KERNEL_NAME, ensure_kernel
from .parameters import jsonable
from .run import run_reports

__all__ = ["main"]

logger = logging.getLogger(__package__)


def _parse_value(text: str) -> Any:
    """Read a ``-p KEY VALUE`` value as a YAML literal, as papermill's ``-y``/``-p`` do."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    # YAML would turn 2021-06-01 into a date, which a notebook parameter cannot hold as a
    # literal; such values stay the string that was typed.
    return value if jsonable(value) else text


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dangshi-reports",
        description=(
            "Execute the numbered notebooks (notebooks/NN-*.ipynb) with papermill into a new "
            "report folder reports/<run-id>/ holding executed notebooks, input-free HTML "
            "reports, tables, figures, run.json and index.html, and point reports/latest at it "
            "(when every notebook ran). Paths are relative to the working directory."
        ),
        epilog=(
            "exit status: 0 all notebooks succeeded, 1 a notebook failed (the partial run is "
            "kept in reports/failed-<run-id>/), 2 bad arguments, 130 interrupted (Ctrl-C). "
            "Examples: dangshi-reports --notebook 01 -p random_state 7; "
            "dangshi-reports --corpus articles.csv --text-column content --column 媒体=outlet "
            "-p on_error skip --reports-dir ~/reports"
        ),
    )
    parser.add_argument(
        "--corpus",
        metavar="PATH",
        help="a folder of articles or one table of articles (CSV/TSV/JSONL/Parquet) "
        "(default: the project's seeds/)",
    )
    parser.add_argument("--metadata", metavar="PATH", help="metadata file passed to the notebooks")
    reading = parser.add_argument_group(
        "reading the corpus", "options of read_corpus, passed to the notebooks as read_options"
    )
    reading.add_argument("--text-column", metavar="NAME", help="table column holding the article text (default: text)")
    reading.add_argument("--id-column", metavar="NAME", help="table column holding the doc_id")
    reading.add_argument(
        "--column",
        metavar="NAME=DOCVAR",
        action="append",
        default=[],
        help="read table column NAME as docvar DOCVAR (e.g. 媒体=outlet); repeatable",
    )
    reading.add_argument(
        "--format",
        choices=get_args(Format),
        help="read every file as this format, whatever its suffix",
    )
    reading.add_argument("--encoding", metavar="CODEC", help="decode every text file with this codec")
    reading.add_argument(
        "--min-han-share", metavar="SHARE", type=float, help="refuse texts with a lower share of Han characters (default 0.5)"
    )
    reading.add_argument(
        "--min-han-chars", metavar="N", type=int, help="refuse texts with fewer Han characters (default 50)"
    )
    reading.add_argument(
        "--no-map-columns",
        action="store_true",
        help="do not read common table column names (date, source, 媒体 ...) as the docvars they mean",
    )
    parser.add_argument(
        "--notebook",
        metavar="NAME",
        action="append",
        dest="notebooks",
        help="notebook to run: a file name, a name without .ipynb, its number (01) or a path; "
        "repeatable (default: every notebooks/NN-*.ipynb)",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        metavar=("KEY", "VALUE"),
        action="append",
        default=[],
        help="notebook parameter; VALUE is read as a YAML literal (7, 0.5, true, null, [a, b]); "
        "repeatable",
    )
    parser.add_argument("--reports-dir", metavar="PATH", help="where run folders go (default: the project's reports/)")
    parser.add_argument("--run-id", metavar="ID", help="name of the run folder (default: UTC time and corpus name)")
    parser.add_argument("--kernel", metavar="NAME", default=KERNEL_NAME, help=f"Jupyter kernel (default: {KERNEL_NAME})")
    parser.add_argument("--log-output", action="store_true", help="stream notebook output to the log")
    parser.add_argument(
        "--force",
        action="store_true",
        help="run every notebook even when reports/latest was made from the same notebooks, parameters, "
        "corpus, code and packages (without it such a run does nothing and says so)",
    )
    # --n-jobs is run_reports's name (n_jobs); --jobs, the first spelling, stays an alias.
    parser.add_argument(
        "--n-jobs", "--jobs", dest="n_jobs", metavar="N", type=int,
        help="notebooks run at the same time, each in its own kernel (default: one per CPU core; 1 runs them "
             "one after another; to bound memory, --memory-budget loses less time)",
    )
    parser.add_argument(
        "--memory-budget", dest="memory_budget_gb", metavar="GB", type=float,
        help="memory the run may use, in GB, this command included: a notebook starts beside the others only "
             "if their expected peaks (the previous run's on the same corpus, or the shipped notebooks' typical "
             "peaks at the corpus's size) fit in it together, and one that fits beside none runs alone with every core "
             "(default: 80%% of the memory available when the notebooks start). At 100 MB on 2 cores, "
             "--memory-budget 4 ran the reports in at most 3.9 GB and 824 s, against 4.9 GB and 643 s with memory "
             "to spare",
    )
    parser.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="read and clean the corpus, and run the notebooks' per-document analyses and side-by-side "
        "topic fits, on the Dask cluster of this running scheduler (e.g. tcp://10.0.0.5:8786; start one "
        f"with `dask scheduler` and `dask worker ADDRESS`); the tables are the same. Set for the run as "
        f"{DASK_SCHEDULER_ENV}, which is used when this option is not given (default: this machine)",
    )
    parser.add_argument(
        "--install-kernel",
        action="store_true",
        help="register the Jupyter kernel for this interpreter and exit",
    )
    return parser


def _skip_iri_grammars() -> None:
    """Keep jsonschema from compiling rfc3987-syntax's IRI grammars in this process.

    papermill imports nbformat, which imports jsonschema, which imports the optional
    ``rfc3987_syntax`` (installed for jupyter-events) and compiles 38 lark grammars for its
    "iri" format checker: 0.85 s of the command's start-up, before any notebook can start.
    Nothing here validates IRIs (nbformat does not check formats), so the command, which owns
    its process, marks the module as unavailable, as jsonschema allows. Not done by
    :func:`run_reports`, which may run inside someone else's session.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dangshi-reports`` command line; return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when every notebook succeeded, 1 when one failed, 2 for bad arguments.
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad arguments and 0 for --help
        return int(exc.code or 0)

    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    _skip_iri_grammars()
    if not args.log_output:
        # papermill logs every input and output path at INFO; our own lines say what matters.
        logging.getLogger("papermill").setLevel(logging.WARNING)

    if args.install_kernel:
        folder = ensure_kernel(args.kernel)
        logger.info("Jupyter kernel %r runs %s (%s)", args.kernel, sys.executable, folder)
        return 0

    parameters = {key: _parse_value(value) for key, value in args.parameter}
    try:
        read_options = _cli_read_options(args)
        run_reports(
            # Like every command-line tool, relative paths mean the working directory; the
            # defaults are the project's own folders wherever the command is called from.
            corpus_dir=_from_cwd(args.corpus) if args.corpus else "seeds",
            metadata=_from_cwd(args.metadata) if args.metadata else None,
            notebooks=[_from_cwd(n) if ("/" in n or os.sep in n) else n for n in args.notebooks]
            if args.notebooks
            else None,
            reports_dir=_from_cwd(args.reports_dir) if args.reports_dir else "reports",
            run_id=args.run_id,
            parameters=parameters,
            kernel_name=args.kernel,
            log_output=args.log_output,
            n_jobs=args.n_jobs,
            read_options=read_options or None,
            dask_scheduler=args.dask_scheduler,
            force=args.force,
            memory_budget_gb=args.memory_budget_gb,
        )
    except ReportArgumentError as exc:
        logger.error("%s", exc)
        return 2
    except NotebookFailedError:
        return 1  # already logged with the notebook, cell and error
    except KeyboardInterrupt:
        return 130  # already logged with the notebooks interrupted
    return 0


def _from_cwd(path: str) -> Path:
    return Path(path).expanduser().absolute()


def _cli_read_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``read_corpus`` options given on the command line, under read_corpus's names."""
    options: dict[str, Any] = {}
    for attr in ("text_column", "id_column", "format", "encoding", "min_han_share", "min_han_chars"):
        value = getattr(args, attr)
        if value is not None:
            options[attr] = value
    if args.column:
        mapping: dict[str, str] = {}
        for item in args.column:
            name, sep, docvar = item.partition("=")
            if not sep or not name.strip() or not docvar.strip():
                raise ReportArgumentError(f"--column {item!r}: expected NAME=DOCVAR, e.g. --column 媒体=outlet")
            mapping[name.strip()] = docvar.strip()
        options[_column_map_option()] = mapping
    if args.no_map_columns:
        options["map_columns"] = False
    return options


def _column_map_option() -> str:
    """The name of read_corpus's table-column-to-docvar mapping (``columns``), checked."""
    from corpus_tools.io.options import ReadOptions

    if "columns" not in ReadOptions.names():
        raise ReportArgumentError(
            "--column NAME=DOCVAR needs a read_corpus that maps table columns to docvars "
            "(columns=), and this version has none; rename the column in the table instead"
        )
    return "columns"
