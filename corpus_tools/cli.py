"""``dangshi``: one-off questions on a corpus from the command line.

Each subcommand reads a corpus (a folder of articles or one table of articles, as
:func:`corpus_tools.read_corpus` reads it), runs one library call and prints a readable table, or
writes the whole table to ``--out`` (``.csv``, ``.tsv`` or ``.parquet``)::

    dangshi kwic seeds 办实事                     # keyword in context
    dangshi terms seeds --by district -n 10        # most frequent terms per group
    dangshi keyness seeds --by district            # distinctive terms per group
    dangshi locality seeds                         # where each document is from, and why
    dangshi convert seeds --to corpus.parquet      # the cleaned corpus as one table

Paths are relative to the working directory, as for every command-line tool. ``dangshi COMMAND
--help`` lists each command's options. The reports (``dangshi-reports``) use the same functions.
"""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import click
import pandas as pd

from .io.options import Format

__all__ = ["main", "cli"]

def _write_text_table(table: pd.DataFrame, path: Path, *, sep: str) -> None:
    """Write CSV/TSV with cells a spreadsheet would evaluate neutralised (as the reports do).

    Corpus text is data: a title such as ``=HYPERLINK(...)`` must not become a live formula when a
    researcher opens the export (:func:`corpus_tools.reports.neutralise_formulas`, the OWASP rule).
    Numbers stay numbers; ``--out *.parquet`` keeps the raw values.
    """
    from .reports.outputs import neutralise_formulas

    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_formulas, na_action="ignore")
    safe.columns = [neutralise_formulas(c) for c in safe.columns]
    # The csv module quotes a field holding "\n" but not a bare "\r", which readers take for a
    # line end: with one anywhere, every text field is quoted.
    has_cr = any(isinstance(v, str) and "\r" in v for column in safe.columns for v in safe[column])
    safe.to_csv(path, index=False, sep=sep, encoding="utf-8", lineterminator="\n",
                quoting=csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL)


#: Suffixes ``--out`` can write, and how.
_WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    ".csv": lambda table, path: _write_text_table(table, path, sep=","),
    ".tsv": lambda table, path: _write_text_table(table, path, sep="\t"),
    ".parquet": lambda table, path: table.to_parquet(path, index=False),
}


def _emit(table: pd.DataFrame, out: Path | None, *, max_rows: int, what: str) -> None:
    """Write ``table`` to ``out`` or print it; say how many rows there were."""
    if out is not None:
        suffix = out.suffix.lower()
        if suffix not in _WRITERS:
            raise click.BadParameter(
                f"{out}: unknown suffix {out.suffix!r}; use one of {', '.join(_WRITERS)}", param_hint="--out"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        _WRITERS[suffix](table, out)
        click.echo(f"{len(table):,} {what} written to {out}", err=True)
        return
    if table.empty:
        click.echo(f"no {what} found")
        return
    width = shutil.get_terminal_size((160, 40)).columns
    with pd.option_context(
        "display.unicode.east_asian_width", True,
        "display.width", width,
        "display.max_columns", None,
        "display.max_colwidth", 40,
    ):
        click.echo(table.head(max_rows).to_string(index=False))
    if len(table) > max_rows:
        click.echo(f"... {len(table) - max_rows:,} more {what} (showing {max_rows:,} of {len(table):,}; "
                   f"--max-rows N to see more, --out FILE.csv for all)")


def _reading_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options of :func:`corpus_tools.read_corpus` every subcommand accepts."""
    options = [
        click.argument("corpus", type=click.Path(exists=True, path_type=Path)),
        click.option("--metadata", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Manifest CSV (default: CORPUS/metadata.csv when present)."),
        click.option("--text-column", default=None,
                     help="For a table of articles: the column holding the text (default: text, content, "
                          "body, 正文 … whichever the table has)."),
        click.option("--id-column", default=None, help="For a table of articles: the column holding the doc_id."),
        click.option("--column", "columns", multiple=True, metavar="NAME=DOCVAR",
                     help="For a table of articles: read column NAME as the docvar DOCVAR (repeatable)."),
        click.option("--no-map-columns", "map_columns", flag_value=False, default=True,
                     help="Do not map common column names (id, url, date, source, 标题 …) to docvars."),
        click.option("--format", "format_", default=None, type=click.Choice(get_args(Format)),
                     help="Read every file as this format, whatever its suffix."),
        click.option("--on-error", type=click.Choice(["raise", "skip"]), default="raise", show_default=True,
                     help="skip: leave unreadable files out and list them, instead of stopping."),
        click.option("--min-han-share", type=float, default=0.5, show_default=True,
                     help="Share of Han characters below which a text is refused as not Chinese."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _column_mapping(pairs: tuple[str, ...]) -> dict[str, str] | None:
    """Parse ``--column NAME=DOCVAR`` options into read_corpus's ``columns`` mapping."""
    mapping = {}
    for pair in pairs:
        name, sep, docvar = pair.partition("=")
        if not sep or not name.strip() or not docvar.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=DOCVAR (e.g. --column 媒体=outlet)", param_hint="--column")
        mapping[name.strip()] = docvar.strip()
    return mapping or None


def _read(corpus: Path, *, metadata, text_column, id_column, columns, map_columns, format_, on_error,
          min_han_share, by=None):
    """Read the corpus (paths relative to the working directory) and add a ``group`` docvar."""
    from .corpus import CorpusReadError, open_corpus
    from .io.options import ReadOptions

    try:
        # one ReadOptions, checked before anything is read: a bad value names its option
        options = ReadOptions.from_kwargs(
            text_column=text_column, id_column=id_column, columns=_column_mapping(columns) or {},
            map_columns=map_columns, format=format_, on_error=on_error, min_han_share=min_han_share,
        )
    except (TypeError, ValueError) as error:
        raise click.UsageError(str(error)) from error
    try:
        corp = open_corpus(
            corpus.resolve(),
            metadata=metadata.resolve() if metadata is not None else None,
            by=by,
            options=options,
            progress=False,
        )
    except CorpusReadError as error:
        # The library's hints name both spellings of an option (read_corpus(...) and
        # dangshi-reports ...); this command spells them as its own options.
        message = str(error).replace("-p on_error skip", "--on-error skip")
        hint = "" if on_error == "skip" or "--on-error skip" in message else (
            " (add --on-error skip to leave such files out and list them)")
        raise click.ClickException(f"{message}{hint}") from error
    except KeyError as error:  # group_labels: `by` is not a docvar; the message lists those there are
        raise click.BadParameter(str(error.args[0]), param_hint="--by") from error
    problems = getattr(corp, "problems", None)
    if problems is not None and len(problems):
        click.echo(f"{len(problems)} reading problem(s); `dangshi problems {corpus}` lists them", err=True)
    return corp


_OUT = click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
                    help="Write the whole table here (.csv, .tsv or .parquet) instead of printing it.")
_MAX_ROWS = click.option("--max-rows", type=int, default=50, show_default=True, help="Rows printed.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dangshi-corpus")
def cli() -> None:
    """One-off questions on a corpus of Chinese campaign reports (a folder or a table of articles)."""


@cli.command()
@_reading_options
@click.argument("query", nargs=-1, required=True)
@click.option("--window", type=int, default=20, show_default=True, help="Characters of context on each side.")
@click.option("--regex", is_flag=True, help="Treat each QUERY as a Python regular expression.")
@_OUT
@_MAX_ROWS
def kwic(corpus, query, window, regex, out, max_rows, **reading) -> None:
    """Show every occurrence of QUERY (a word, a registry entry or a pattern) in context."""
    from .rhetoric import kwic as kwic_table

    corp = _read(corpus, **reading)
    table = kwic_table(corp, list(query), window=window, regex=regex)
    _emit(table.drop(columns=["start", "end"]) if out is None else table, out, max_rows=max_rows, what="hits")


@cli.command()
@_reading_options
@click.option("--by", default=None, help="A docvar to group by (province, city, district, outlet, ...).")
@click.option("-n", "n", type=int, default=20, show_default=True, help="Terms per group.")
@click.option("--min-chars", type=int, default=2, show_default=True, help="Shortest term kept, in characters.")
# The flag's first spelling (before Tokens.remove's min_nchar became min_chars), kept working.
@click.option("--min-nchar", "min_nchar", type=int, default=None, hidden=True)
@_OUT
@_MAX_ROWS
def terms(corpus, by, n, min_chars, min_nchar, out, max_rows, **reading) -> None:
    """List the most frequent terms (stopwords removed), overall or per group."""
    from .dtm import dtm
    from .lexicons import stopwords
    from .tokens import tokenize

    if min_nchar is not None:
        click.echo("--min-nchar is now --min-chars; the old spelling works for one release", err=True)
        min_chars = min_nchar
    corp = _read(corpus, by=by, **reading)
    toks = tokenize(corp, progress=False).remove(stopwords("zh-official"), min_chars=min_chars)
    table = dtm(toks).top_terms(n=n, by="group" if by else None)
    _emit(table, out, max_rows=max_rows, what="rows")


@cli.command()
@_reading_options
@click.option("--by", required=True, help="A docvar to group by (province, city, district, outlet, ...).")
@click.option("--measure", type=click.Choice(["log_odds_prior", "g2", "chi2"]), default="log_odds_prior",
              show_default=True, help="Keyness statistic.")
@click.option("-n", "n", type=int, default=10, show_default=True, help="Terms per group.")
@_OUT
@_MAX_ROWS
def keyness(corpus, by, measure, n, out, max_rows, **reading) -> None:
    """Rank the terms that set each group apart from the rest of the corpus."""
    from .dtm import dtm
    from .lexicons import stopwords
    from .tokens import tokenize
    from .compare import keyness as keyness_table
    from .compare import top_keyness

    corp = _read(corpus, by=by, **reading)
    toks = tokenize(corp, progress=False).remove(stopwords("zh-official"), min_chars=2)
    table = keyness_table(dtm(toks), by="group", measure=measure)
    _emit(top_keyness(table, n=n) if out is None else table, out, max_rows=max_rows, what="rows")


@cli.command()
@_reading_options
@_OUT
@_MAX_ROWS
def locality(corpus, out, max_rows, **reading) -> None:
    """Show where each document is from (stated or inferred), with confidence and evidence."""
    corp = _read(corpus, **reading)
    wanted = ["province", "city", "district", "town", "admin_level", "locality_confidence", "locality_evidence"]
    table = corp.docvars.reset_index()
    table = table[["doc_id"] + [c for c in wanted if c in table.columns]]
    _emit(table, out, max_rows=max_rows, what="documents")


@cli.command()
@_reading_options
@_OUT
@_MAX_ROWS
def problems(corpus, out, max_rows, **reading) -> None:
    """List every file that was skipped, kept with a warning or altered while reading, and why."""
    from .reports.overview import problems_table

    reading["on_error"] = "skip"
    corp = _read(corpus, **reading)
    _emit(problems_table(corp), out, max_rows=max_rows, what="problems")


@cli.command()
@_reading_options
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output table: .parquet, .csv or .tsv (one row per document: doc_id, docvars, text).")
def convert(corpus, target, **reading) -> None:
    """Write the cleaned corpus as one table, one row per document, that read_corpus reads back."""
    corp = _read(corpus, **reading)
    table = corp.docvars.reset_index()
    table["text"] = table["doc_id"].map(corp.texts)
    _emit(table, target, max_rows=0, what="documents")


def main(argv: list[str] | None = None) -> int:
    """Run the ``dangshi`` command; return its exit status."""
    try:
        cli.main(args=argv, prog_name="dangshi", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return 130
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
