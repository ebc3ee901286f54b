"""One set of topic-model settings for every report that fits a topic model.

Notebook 01 chooses K from a sweep and reports the model; notebook 03 compares groups on the
topic profiles of a model. Both must mean the same model: the same units, vocabulary, priors,
passes, seed and K, so that no two reports show different topics or coherence for one corpus.
This module is that one place:

* :class:`TopicSettings` holds every setting with the defaults the reports use (its LDA
  options as one :class:`~corpus_tools.topics.LdaSettings`: :attr:`TopicSettings.lda`);
* :func:`choose_model` builds the topic corpus, sweeps K, applies the rule and fits the model;
* :func:`record_choice` writes what notebook 01 chose to ``<output_dir>/topic_model.json``;
* :func:`report_model` is what a later report calls: it takes the recorded choice when the record
  exists and was made on the same corpus, else applies the same rule with the same settings.

Fits and sweeps are cached on disk (:mod:`corpus_tools.resultcache`), so the second path costs
little when notebook 01 has run before, and gives the same model either way.

Examples
--------
>>> s = TopicSettings(passes=20)
>>> s.passes, s.k_rule, s.unit
(20, 'coherence', 'paragraph')
>>> TopicSettings.from_dict(s.to_dict()) == s
True
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..compat import REMOVED_IN, renamed_parameters
from .gibbs import DEFAULT_GIBBS_TOL
from .lda import (
    DEFAULT_GIBBS_SWEEPS, DEFAULT_SAMPLE_UNITS, DEFAULT_TOL, DEFAULT_TRAIN_UNITS, LdaSettings, check_sample_units,
)
from .model import fit_lda
from .prepare import MIN_UNITS, UNITS, topic_corpus
from .select import K_RULES, choose_k, min_sweep_units, sweep_k

__all__ = ["RECORD_NAME", "TopicSettings", "ReportModel", "corpus_fingerprint", "choose_model", "record_choice",
           "read_choice", "report_model"]

#: File name of notebook 01's recorded choice inside the output folder.
RECORD_NAME = "topic_model.json"


@dataclass(frozen=True, kw_only=True)
class TopicSettings:
    """Every setting of a report's topic model, with the reports' defaults.

    The fields are notebook 01's parameters of the same names (see that notebook's parameters
    cell for what each means); ``tests/test_notebooks.py`` checks that the notebook's defaults
    equal these.

    Attributes
    ----------
    unit, window_size, extra_stopwords, min_chars, keep_pos, phrases, phrase_min_count, \
phrase_threshold, min_termfreq, min_docfreq, max_docfreq_prop, min_unit_tokens
        The topic corpus (:meth:`corpus_args`, see :func:`corpus_tools.topics.topic_corpus`).
    k_values, heldout_prop, coherence_n, sample_units
        The K sweep (:meth:`sweep_args`): the Ks tried, the held-out share, the top terms per
        topic scored for coherence (a count) and the units the sweep and the stability refits
        sample (a count; None: all).
    k, k_rule
        The reported K: None lets the rule (``"coherence"``, ``"c_v"``, ``"c_npmi"`` or
        ``"perplexity"``) choose it from the sweep.
    alpha, eta, passes, tol, iterations, n_jobs, train_units, random_state
        Every LDA fit (:meth:`fit_args`, see :func:`corpus_tools.topics.fit_lda`): `passes` is
        the most passes, `tol` the relative change of the per-word bound at which a fit stops
        earlier (None: always `passes`); `n_jobs` the processes that share the K sweep's fits
        and the refits (None: decided by size; see :class:`~corpus_tools.topics.LdaSettings`);
        `train_units` the most units the reported model and its refits for the effects are
        trained on (a count; a larger corpus is sampled and every unit's shares inferred;
        None: all).
    engine, gibbs_sweeps, gibbs_tol
        ``"tomotopy"`` (collapsed Gibbs sampling, one worker; `gibbs_sweeps` is the most sweeps
        and `gibbs_tol` stops a fit earlier once its log-likelihood has levelled off; the
        reports' default) or ``"gensim"`` (variational Bayes; `passes`, `tol` and `iterations`
        apply), see :class:`~corpus_tools.topics.LdaSettings`, whose own default is gensim.
        Records written before these fields existed were gensim fits and load as such; records
        of tomotopy fits from before `gibbs_tol` ran every sweep and load with ``gibbs_tol=None``.
    stability_runs
        Refits with ``random_state + 1 …`` that judge each topic's stability (a count).

    Raises
    ------
    ValueError
        When a field has a value no fit can use; the message names the field.
    """

    unit: str = "paragraph"
    window_size: int = 3
    extra_stopwords: tuple[str, ...] = ("全区", "全市")
    min_chars: int = 2
    keep_pos: tuple[str, ...] | None = None
    phrases: bool = False
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0
    min_termfreq: int = 3
    min_docfreq: int = 2
    max_docfreq_prop: float = 0.5
    min_unit_tokens: int = 5
    k_values: tuple[int, ...] = (3, 4, 5, 6, 7, 8)
    k: int | None = None
    k_rule: str = "coherence"
    heldout_prop: float = 0.2
    alpha: str | float = "auto"
    eta: str | float = "symmetric"
    # What fits every model: tomotopy's Gibbs sampler (gibbs_sweeps) or gensim's variational
    # Bayes. The reports use tomotopy: on the same units it fits 3-4x faster with coherence and
    # stability as good or better (benchmarks/topic_engines.py); fit_lda's own default stays gensim.
    engine: str = "tomotopy"
    gibbs_sweeps: int = DEFAULT_GIBBS_SWEEPS
    gibbs_tol: float | None = DEFAULT_GIBBS_TOL
    # The most passes: fits stop earlier once the per-word bound changes by less than `tol`.
    passes: int = 80
    tol: float | None = DEFAULT_TOL
    iterations: int = 400
    n_jobs: int | None = None
    # The K sweep and the stability refits use a seeded sample of this many units.
    sample_units: int | None = DEFAULT_SAMPLE_UNITS
    # The reported model and its refits are trained on a seeded sample of this many units.
    train_units: int | None = DEFAULT_TRAIN_UNITS
    coherence_n: int = 10
    stability_runs: int = 5
    random_state: int = 42

    def __post_init__(self) -> None:
        # Lists from a notebook parameter become tuples, so settings compare and hash by value.
        for name in ("extra_stopwords", "keep_pos", "k_values"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        _check_settings(self)

    # The names of the previous release, readable for one more (notebook 03 reads coherence_topn).
    @property
    def min_nchar(self) -> int:
        """Deprecated name of :attr:`min_chars`."""
        return _old_name("min_nchar", "min_chars", self.min_chars)

    @property
    def workers(self) -> int | None:
        """Deprecated name of :attr:`n_jobs`."""
        return _old_name("workers", "n_jobs", self.n_jobs)

    @property
    def coherence_topn(self) -> int:
        """Deprecated name of :attr:`coherence_n`."""
        return _old_name("coherence_topn", "coherence_n", self.coherence_n)

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TopicSettings":
        """Settings from :meth:`to_dict`'s output; unknown names are a ValueError naming them.

        Records written before the renames of 0.2 (``min_nchar``, ``workers``,
        ``coherence_topn``) are read under the new names.
        """
        values = {_RENAMED.get(name, name): value for name, value in values.items()}
        # A record from before the engine field was made by gensim, whatever the default is now.
        values.setdefault("engine", "gensim")
        # ... and one from before gibbs_tol ran all of its sweeps.
        values.setdefault("gibbs_tol", None)
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown topic setting(s) {unknown}; known: {sorted(names)}")
        return cls(**values)

    @property
    def lda(self) -> LdaSettings:
        """LdaSettings: the options of every fit (``alpha, eta, passes, tol, iterations, n_jobs, train_units, engine, gibbs_sweeps, gibbs_tol``)."""
        return LdaSettings(alpha=self.alpha, eta=self.eta, passes=self.passes, tol=self.tol,
                           iterations=self.iterations, n_jobs=self.n_jobs, train_units=self.train_units,
                           engine=self.engine, gibbs_sweeps=self.gibbs_sweeps, gibbs_tol=self.gibbs_tol)

    @property
    def min_units(self) -> int:
        """int: the fewest units these settings can fit: a topic corpus's minimum, or what the K sweep needs.

        The sweep holds out a share `heldout_prop` and fits the largest of `k_values` on the rest,
        which needs more units than K (:func:`~corpus_tools.topics.select.min_sweep_units`).
        :meth:`corpus_args` passes it to :func:`~corpus_tools.topics.topic_corpus`, so that a
        corpus too small for the report is a
        :class:`~corpus_tools.topics.TopicCorpusTooSmall` before anything is fitted.

        Examples
        --------
        >>> TopicSettings().min_units, TopicSettings(k_values=(3, 4, 12)).min_units
        (11, 16)
        """
        return max(MIN_UNITS, min_sweep_units(self.k_values, self.heldout_prop))

    def corpus_args(self) -> dict[str, Any]:
        """Keyword arguments of :func:`corpus_tools.topics.topic_corpus` (with ``min_units``: :attr:`min_units`)."""
        return {
            "unit": self.unit, "window_size": self.window_size, "extra_stopwords": list(self.extra_stopwords),
            "min_chars": self.min_chars, "keep_pos": None if self.keep_pos is None else list(self.keep_pos),
            "phrases": self.phrases, "phrase_min_count": self.phrase_min_count,
            "phrase_threshold": self.phrase_threshold, "min_termfreq": self.min_termfreq,
            "min_docfreq": self.min_docfreq, "max_docfreq_prop": self.max_docfreq_prop,
            "min_unit_tokens": self.min_unit_tokens, "min_units": self.min_units,
        }

    def fit_args(self) -> dict[str, Any]:
        """Keyword arguments shared by :func:`~corpus_tools.topics.fit_lda` and the sweep: the seed and :attr:`lda`."""
        return {"random_state": self.random_state, "settings": self.lda}

    def sweep_args(self) -> dict[str, Any]:
        """Keyword arguments of :func:`corpus_tools.topics.sweep_k`."""
        return {"ks": list(self.k_values), "heldout_prop": self.heldout_prop, "n": self.coherence_n,
                "sample_units": self.sample_units, **self.fit_args()}

    def stability_args(self) -> dict[str, Any]:
        """Keyword arguments of :func:`corpus_tools.topics.stability` (the refits take the model's own fit options)."""
        return {"n_refits": self.stability_runs, "n": self.coherence_n, "sample_units": self.sample_units}


#: Field names of the previous release and the fields that replace them.
_RENAMED = {"min_nchar": "min_chars", "workers": "n_jobs", "coherence_topn": "coherence_n"}
TopicSettings.__init__ = renamed_parameters(**_RENAMED)(TopicSettings.__init__)  # type: ignore[method-assign]



def _old_name(old: str, new: str, value: Any) -> Any:
    warnings.warn(f"TopicSettings.{old} is renamed {new}; the old name stops working in {REMOVED_IN}",
                  FutureWarning, stacklevel=3)
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_settings(s: TopicSettings) -> None:
    """Raise a ValueError that names the first field with a value no fit can use."""

    def bad(name: str, expected: str) -> ValueError:
        return ValueError(f"TopicSettings.{name} must be {expected}, got {getattr(s, name)!r}")

    if s.unit not in UNITS:
        raise bad("unit", f"one of {UNITS}")
    for name, low in (("window_size", 1), ("min_chars", 0), ("phrase_min_count", 1), ("min_termfreq", 0),
                      ("min_docfreq", 0), ("min_unit_tokens", 0),
                      ("coherence_n", 2), ("stability_runs", 1), ("random_state", 0)):
        if not _is_int(getattr(s, name)) or getattr(s, name) < low:
            raise bad(name, f"an integer of at least {low}")
    if not 0 < s.max_docfreq_prop <= 1:
        raise bad("max_docfreq_prop", "a share in (0, 1]")
    if not 0 <= s.heldout_prop < 1:
        raise bad("heldout_prop", "a share in [0, 1)")
    if not s.k_values or not all(_is_int(k) and k >= 2 for k in s.k_values) or len(set(s.k_values)) != len(s.k_values):
        raise bad("k_values", "distinct integers of at least 2")
    if s.k is not None and (not _is_int(s.k) or s.k < 2):
        raise bad("k", "None (the rule chooses) or an integer of at least 2")
    if s.k_rule not in K_RULES:
        raise bad("k_rule", f"one of {K_RULES}")
    try:
        s.lda  # the fitting options are checked where they are defined, once
    except ValueError as error:
        raise ValueError(str(error).replace("LdaSettings.", "TopicSettings.")) from None
    try:
        check_sample_units(s.sample_units)
    except (TypeError, ValueError):
        raise bad("sample_units", "None (all units) or an integer of at least 2") from None


@dataclass(frozen=True, eq=False)
class ReportModel:
    """A report's topic model and where its K came from.

    Attributes
    ----------
    settings : TopicSettings
        The settings the model was fitted with: the record's when `source` is ``"recorded"``.
    k : int
        The model's number of topics.
    reason : str
        The K rule's sentence (:attr:`corpus_tools.topics.KChoice.reason`).
    source : str
        ``"recorded"`` (read from notebook 01's record) or ``"rule"`` (chosen here by the same
        rule and settings).
    corpus : corpus_tools.topics.TopicCorpus
    model : corpus_tools.topics.TopicModel
    """

    settings: TopicSettings
    k: int
    reason: str
    source: str
    corpus: Any
    model: Any


def corpus_fingerprint(corpus) -> str:
    """SHA-256 of the corpus's doc_ids and cleaned bodies: a record is used only on the same texts."""
    digest = hashlib.sha256()
    for doc_id, text in corpus.texts.items():
        digest.update(str(doc_id).encode("utf-8") + b"\x00" + str(text).encode("utf-8") + b"\x01")
    return digest.hexdigest()


def choose_model(corpus, settings: TopicSettings, *, progress: bool = True):
    """Build the topic corpus, sweep K, apply the rule and fit the chosen model.

    Returns
    -------
    tuple
        ``(topic_corpus, sweep, choice, model)``: see :mod:`corpus_tools.topics`.

    Raises
    ------
    TopicCorpusTooSmall
        Before the sweep, when the corpus has fewer units than :attr:`TopicSettings.min_units`.
    """
    tc = topic_corpus(corpus, **settings.corpus_args())
    sweep = sweep_k(tc, progress=progress, **settings.sweep_args())
    choice = choose_k(sweep, k=settings.k, rule=settings.k_rule)
    model = fit_lda(tc, k=choice.k, **settings.fit_args())
    return tc, sweep, choice, model


def record_choice(out_dir: str | os.PathLike[str], corpus, settings: TopicSettings, choice) -> Path:
    """Write the settings and the chosen K to ``<out_dir>/topic_model.json``; return the path."""
    path = Path(out_dir) / RECORD_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"corpus_sha256": corpus_fingerprint(corpus), "settings": settings.to_dict(), "k": int(choice.k),
              "reason": choice.reason}
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def read_choice(out_dir: str | os.PathLike[str], corpus) -> dict[str, Any] | None:
    """Notebook 01's record in `out_dir` when there is one made on this corpus, else None."""
    path = Path(out_dir) / RECORD_NAME
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable topic-model record ({exc}); delete it and rerun notebook 01") from exc
    if record.get("corpus_sha256") != corpus_fingerprint(corpus):
        return None
    return record


def report_model(corpus, out_dir: str | os.PathLike[str], *, settings: TopicSettings | None = None,
                 progress: bool = True) -> ReportModel:
    """The topic model a report shows: notebook 01's recorded choice, else the same rule.

    Parameters
    ----------
    corpus : Corpus
    out_dir : path
        The run's output folder, where notebook 01 records its choice.
    settings : TopicSettings, optional
        Used only when there is no record for this corpus; default ``TopicSettings()``, the
        defaults of notebook 01.
    progress : bool, default True

    Raises
    ------
    TopicCorpusTooSmall
        Before any fit, when the corpus has fewer units than the settings need
        (:attr:`TopicSettings.min_units`); :func:`~corpus_tools.topics.too_small_sentence`
        words it for the report.
    """
    record = read_choice(out_dir, corpus)
    if record is not None:
        chosen = TopicSettings.from_dict(record["settings"])
        tc = topic_corpus(corpus, **chosen.corpus_args())
        model = fit_lda(tc, k=int(record["k"]), **chosen.fit_args())
        return ReportModel(chosen, int(record["k"]), str(record["reason"]), "recorded", tc, model)
    chosen = settings or TopicSettings()
    tc, _, choice, model = choose_model(corpus, chosen, progress=progress)
    return ReportModel(chosen, choice.k, choice.reason, "rule", tc, model)
