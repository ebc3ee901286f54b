"""Campaign rhetoric: fixed expressions, numbered formulas, parallelism, their frequency, KWIC.

Two kinds of analysis live here:

* **A registry of known expressions** (:func:`load_registry`, :func:`match_registry`; in
  titles and headings as well as the body, :func:`match_layers` and :func:`layer_rates`): the
  campaign's slogans, work-style formulas, metaphors, people-centred phrases and named
  activities, versioned as package data (``corpus_tools/data/rhetoric-dangshi-2021.yaml``) and
  matched across punctuation, quotation marks and spaces, with partial enumerations told
  apart from full ones.
* **Discovery of general patterns** that work on any corpus: numbered formulas with their
  expansions (:func:`numbered_formulas`), parallelism (:func:`parallel_runs`), reduplicated
  quantifier openings (:func:`quantifier_openings`), the inventory of quoted terms
  (:func:`quoted_terms`) and four-character items (:func:`four_char_items`).

Every detector returns a tidy table of occurrences with ``doc_id``, ``unit_id`` (the paragraph)
and ``start``/``end`` offsets into ``corpus.texts[doc_id]``. :func:`frequency`,
:func:`inventory`, :func:`formulaicness` and :func:`four_char_density` turn them into counts
and rates per document or group with bootstrap intervals (set by one
:class:`IntervalSettings`); :func:`kwic` shows any of them in context. Each detector makes one
pass per document, so the same calls run on thousands of articles
(``benchmarks/rhetoric_speed.py`` measures it).

Examples
--------
>>> from corpus_tools.corpus import corpus_from_texts
>>> from corpus_tools import rhetoric
>>> corp = corpus_from_texts({"a": "坚持学史明理、学史增信、学史崇德、学史力行，做好“七个一”。"})
>>> rhetoric.match_registry(corp)["match_type"].tolist()
['full']
>>> rhetoric.numbered_formulas(corp)["formula"].tolist()
['七个一']
>>> rhetoric.parallel_runs(corp)["frame"].tolist()
['学史…']
"""

# The figure lives with the other figures (textplot.rhetoric); importable from here as before.
from ..textplot.rhetoric import parallel_figure, plot_parallel_runs
from .formulas import FORMULA_COLUMNS, FORMULA_KINDS, formula_shape, numbered_formulas, split_items
from .kwic import KWIC_COLUMNS, kwic, kwic_explorer, kwic_view, kwic_widget
from .patterns import (
    FOUR_CHAR_COLUMNS,
    PARALLEL_COLUMNS,
    QUANTIFIER_COLUMNS,
    QUOTED_COLUMNS,
    four_char_items,
    parallel_runs,
    quantifier_openings,
    quoted_terms,
)
from .registry import (
    LAYERS,
    MATCH_COLUMNS,
    Registry,
    RegistryError,
    layer_rates,
    layer_texts,
    load_registry,
    match_layers,
    match_registry,
)
from .stats import IntervalSettings, formulaicness, four_char_density, frequency, inventory, paragraph_table

__all__ = [
    "Registry",
    "RegistryError",
    "load_registry",
    "match_registry",
    "match_layers",
    "layer_texts",
    "layer_rates",
    "LAYERS",
    "numbered_formulas",
    "formula_shape",
    "split_items",
    "parallel_runs",
    "quantifier_openings",
    "quoted_terms",
    "four_char_items",
    "IntervalSettings",
    "frequency",
    "inventory",
    "formulaicness",
    "four_char_density",
    "paragraph_table",
    "kwic",
    "kwic_view",
    "kwic_widget",
    "kwic_explorer",
    "plot_parallel_runs",
    "parallel_figure",
    "MATCH_COLUMNS",
    "FORMULA_COLUMNS",
    "FORMULA_KINDS",
    "PARALLEL_COLUMNS",
    "QUANTIFIER_COLUMNS",
    "QUOTED_COLUMNS",
    "FOUR_CHAR_COLUMNS",
    "KWIC_COLUMNS",
]
