"""Cross-group comparison: what sets each locality apart, and what it copies.

Submodules, one job each:

``profile``     size, lexical diversity, formulaic and quantified shares, people and places per group
``keyness``     distinctive vocabulary: G², χ² with effect sizes, log-odds with an informative prior
``similarity``  document and group similarity (TF-IDF cosine, topic Jensen–Shannon), clustering
``reuse``       passages shared between documents, coverage, formula vs template reuse
``shingles``    the character matching under ``reuse`` (normalisation, shingle index, passages)
``claims``      quantified claims (number + measure word + object), numerals parsed
``timeline``    dated events, years resolved from context, mobilisation lag
``spans``       the sentence and paragraph around a match (for ``claims`` and ``timeline``)

The figures built from these tables are in :mod:`corpus_tools.textplot.compare` (re-exported
here: ``plot_similarity``, ``plot_dendrogram``, ``plot_keyness_panels``,
``plot_keyness_heatmap``, ``plot_profile``); ``compare.plots`` is its old name.

Every analysis takes the stage object first (a :class:`~corpus_tools.corpus.Corpus` or a
:class:`~corpus_tools.dtm.DocTermMatrix`), then any table it reads, then keyword-only options;
it takes the grouping docvar as ``by`` (``"group"`` after ``open_corpus(..., by=...)``;
``district``, ``province``, ``outlet``, ``admin_level`` …), labels documents with the one
grouping rule, :func:`corpus_tools.corpus.metadata.group_labels`, and returns a tidy table with
a ``group`` column.
"""

from ..textplot.compare import (  # the figures of these tables; old names warn until 0.3.0
    dendrogram_plot,
    keyness_heatmap,
    keyness_panels,
    plot_dendrogram,
    plot_keyness_heatmap,
    plot_keyness_panels,
    plot_profile,
    plot_similarity,
    profile_dotplot,
    similarity_heatmap,
    summarise_top,
)
from .claims import claims_by_group, parse_numeral, quantified_claims
from .keyness import group_counts, keyness, keyness_summary, top_keyness
from .profile import group_profile, mattr, named_entities, quantified_sentences
from .reuse import plot_reuse_coverage, plot_reuse_matrix, reuse_coverage, reuse_matrix, shared_passages
from .similarity import (
    MAX_SQUARE_DOCS,
    cluster_order,
    document_neighbours,
    document_similarity,
    group_similarity,
    similarity_table,
    topic_profiles,
    topic_similarity,
)
from .timeline import CAMPAIGN_WINDOW, dated_events, mobilisation_lag, plot_timeline

__all__ = [
    "CAMPAIGN_WINDOW",
    "MAX_SQUARE_DOCS",
    "claims_by_group",
    "cluster_order",
    "dated_events",
    "dendrogram_plot",
    "document_neighbours",
    "document_similarity",
    "group_counts",
    "group_profile",
    "group_similarity",
    "keyness",
    "keyness_heatmap",
    "keyness_panels",
    "keyness_summary",
    "mattr",
    "mobilisation_lag",
    "named_entities",
    "parse_numeral",
    "plot_dendrogram",
    "plot_keyness_heatmap",
    "plot_keyness_panels",
    "plot_profile",
    "plot_reuse_coverage",
    "plot_reuse_matrix",
    "plot_similarity",
    "plot_timeline",
    "profile_dotplot",
    "quantified_claims",
    "quantified_sentences",
    "reuse_coverage",
    "reuse_matrix",
    "shared_passages",
    "similarity_heatmap",
    "similarity_table",
    "summarise_top",
    "top_keyness",
    "topic_profiles",
    "topic_similarity",
]
