"""One set of topic-model settings for every report that fits a topic model.

Notebook 01 chooses K from a sweep and reports the model; notebook 03 compares groups on the
topic profiles of a model. Both must mean the same model: the same units, vocabulary, priors,
passes, seed and K, so that no two reports show different topics or coherence for one corpus.
This module is that one place:

* :class:`TopicSettings` holds every setting with the defaults the reports use;
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """

    unit: str = "paragraph"
    window_size: int = 3
    extra_stopwords: tuple[str, ...] = ("全区", "全市")
    min_nchar: int = 2
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
    # The most passes: fits stop earlier once the per-word bound settles (topics.DEFAULT_TOL), and
    # the K sweep and stability refits use a sample of topics.DEFAULT_SAMPLE_UNITS units.
    passes: int = 80
    iterations: int = 400
    workers: int = 1
    coherence_topn: int = 10
    stability_runs: int = 5
    random_state: int = 42

    def __post_init__(self) -> None:
        # Lists from a notebook parameter become tuples, so settings compare and hash by value.
        for name in ("extra_stopwords", "keep_pos", "k_values"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TopicSettings":
        """Settings from :meth:`to_dict`'s output; unknown names are a ValueError naming them."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown topic setting(s) {unknown}; known: {sorted(names)}")
        return cls(**values)

    def corpus_args(self) -> dict[str, Any]:
        """Keyword arguments of :func:`corpus_tools.topics.topic_corpus`."""
        return {
            "unit": self.unit, "window_size": self.window_size, "extra_stopwords": list(self.extra_stopwords),
            "min_nchar": self.min_nchar, "keep_pos": None if self.keep_pos is None else list(self.keep_pos),
            "phrases": self.phrases, "phrase_min_count": self.phrase_min_count,
            "phrase_threshold": self.phrase_threshold, "min_termfreq": self.min_termfreq,
            "min_docfreq": self.min_docfreq, "max_docfreq_prop": self.max_docfreq_prop,
            "min_unit_tokens": self.min_unit_tokens,
        }

    def fit_args(self) -> dict[str, Any]:
        """Keyword arguments shared by :func:`~corpus_tools.topics.fit_lda` and the sweep."""
        return {"random_state": self.random_state, "alpha": self.alpha, "eta": self.eta, "passes": self.passes,
                "iterations": self.iterations, "workers": self.workers}

    def sweep_args(self) -> dict[str, Any]:
        """Keyword arguments of :func:`corpus_tools.topics.sweep_k`."""
        return {"ks": list(self.k_values), "heldout_prop": self.heldout_prop, "topn": self.coherence_topn,
                **self.fit_args()}


@dataclass(frozen=True, eq=False)
class ReportModel:
    """A report's topic model and where its K came from.

    Attributes
    ----------
    settings : TopicSettings
    k : int
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
    """
    from . import topics

    tc = topics.topic_corpus(corpus, **settings.corpus_args())
    sweep = topics.sweep_k(tc, progress=progress, **settings.sweep_args())
    choice = topics.choose_k(sweep, k=settings.k, rule=settings.k_rule)
    model = topics.fit_lda(tc, k=choice.k, **settings.fit_args())
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
    """
    from . import topics

    record = read_choice(out_dir, corpus)
    if record is not None:
        chosen = TopicSettings.from_dict(record["settings"])
        tc = topics.topic_corpus(corpus, **chosen.corpus_args())
        model = topics.fit_lda(tc, k=int(record["k"]), **chosen.fit_args())
        return ReportModel(chosen, int(record["k"]), str(record["reason"]), "recorded", tc, model)
    chosen = settings or TopicSettings()
    tc, _, choice, model = choose_model(corpus, chosen, progress=progress)
    return ReportModel(chosen, choice.k, choice.reason, "rule", tc, model)
