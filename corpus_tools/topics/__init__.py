"""Topic models: LDA on paragraphs (or other units), K chosen by coherence, stability across seeds.

A handful of articles are far too few documents for LDA, so the unit of a topic model is
usually the paragraph; docvars travel with every unit, so topics aggregate by district or any
other docvar afterwards. The stages, each an object or a tidy table, and the module that owns
each::

    Corpus ──topic_corpus──▶ TopicCorpus                                   prepare
           ──sweep_k──▶ KSweep ──choose_k──▶ KChoice                        select
           ──fit_lda──▶ TopicModel ──▶ terms, doc_topics, group_shares …    model (fitting: lda)
           ──stability──▶ Stability (refits aligned by Hungarian matching)  stability
           ──estimate_effect──▶ prevalence by docvars with intervals        effects (DMR: dmr)
           ──write_topic_browser──▶ topic_browser.html                      browser

A corpus with too few units for the settings is a :class:`TopicCorpusTooSmall` before any fit;
a report shows :func:`too_small_sentence` in place of the model.

Coherence, relevance and topic distances are in :mod:`~corpus_tools.topics.measures`; the
fitting options in :class:`LdaSettings` (:mod:`~corpus_tools.topics.lda`), a report's whole set
of settings in :class:`TopicSettings` (:mod:`~corpus_tools.topics.settings`); the figures in
:mod:`corpus_tools.textplot.topics` (re-exported here).

Every fit takes an explicit ``random_state``; the same inputs give the same tables. The K
sweep's fits and the refits are independent: ``n_jobs`` processes share them, each fit in one
process with its own seed (:func:`~corpus_tools.topics.lda.map_fits`), so their tables do not
depend on ``n_jobs``; only a single fit with ``n_jobs > 1`` (gensim's ``LdaMulticore``) varies
between runs. Models are trained by streaming rows of the sparse matrix
(:class:`gensim.matutils.Sparse2Corpus`); no dense document-term matrix is ever built, so the
same code fits 100,000 paragraphs (see ``benchmarks/topics_scaling.py``).

Every fit is gensim's variational Bayes by default; ``engine="tomotopy"`` (an
:class:`LdaSettings` and :class:`TopicSettings` field) fits by tomotopy's collapsed Gibbs
sampling instead (:mod:`~corpus_tools.topics.gibbs`, one worker, the same seed giving the same
tables), which is several times faster (``benchmarks/topic_engines.py``).

gensim, tomotopy, statsmodels, scipy's optimisers and pyLDAvis are imported only inside the
functions that need them.
"""

from ..textplot.topics import plot_effects, plot_trend
from .browser import BROWSER_FILENAME, write_topic_browser
# effects before dmr: effects re-exports dmr's functions (its former contents), and dmr builds on effects.
from .effects import EFFECT_COLUMNS, MEAN_REFERENCE, TopicPosterior, describe_effects, estimate_effect
from .dmr import compare_effects, describe_comparison, dmr_effects  # noqa: I001
from .gibbs import DEFAULT_GIBBS_TOL
from .lda import BOUND_UNITS, DEFAULT_GIBBS_SWEEPS, DEFAULT_SAMPLE_UNITS, DEFAULT_TOL, LdaSettings
from .measures import COHERENCE_MEASURES, align_topics, coherence, js_distances, relevance, window_counts
from .model import LABEL_LAMBDA, LABEL_TERMS, TopicModel, fit_lda
from .prepare import TopicCorpus, TopicCorpusTooSmall, TopicInputError, sentence_windows, too_small_sentence, topic_corpus
from .select import KChoice, KSweep, choose_k, min_sweep_units, sweep_k
from .settings import ReportModel, TopicSettings, choose_model, read_choice, record_choice, report_model
from .stability import Stability, stability, with_refits

__all__ = [
    "BROWSER_FILENAME",
    "KChoice",
    "KSweep",
    "LdaSettings",
    "ReportModel",
    "Stability",
    "TopicCorpus",
    "TopicCorpusTooSmall",
    "TopicInputError",
    "TopicModel",
    "TopicPosterior",
    "TopicSettings",
    "align_topics",
    "choose_k",
    "choose_model",
    "coherence",
    "compare_effects",
    "describe_comparison",
    "describe_effects",
    "dmr_effects",
    "estimate_effect",
    "fit_lda",
    "js_distances",
    "min_sweep_units",
    "plot_effects",
    "plot_trend",
    "read_choice",
    "record_choice",
    "relevance",
    "report_model",
    "sentence_windows",
    "stability",
    "sweep_k",
    "too_small_sentence",
    "topic_corpus",
    "window_counts",
    "with_refits",
    "write_topic_browser",
]
