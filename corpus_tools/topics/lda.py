"""Fitting LDA with gensim or tomotopy: the fitting options, the bridges from a sparse matrix, training.

This module owns how one LDA model is fitted, for every caller (:func:`~corpus_tools.topics.fit_lda`,
the K sweep, the stability refits):

* :class:`LdaSettings`, the fitting options with their defaults and checks, in one place;
* the bridges from a CSR matrix to gensim (a ``Dictionary`` whose ids are the columns, rows
  streamed as bags of words: no dense matrix, no copy of the counts);
* :func:`train`, one fit with its per-pass convergence table read from gensim's own log records,
  stopping once the per-word bound settles (`tol`);
* seeded inference (:func:`infer_theta`, :func:`per_word_bound`) and the topic order by
  prevalence (:func:`ordered_topics`);
* the seeded unit samples of the sweep, the refits and the bound (:func:`sample_rows`);
* independent fits (a K sweep's, the refits') side by side in worker processes (:func:`map_fits`).

Every function that takes a fitted model works for both engines: a gensim ``LdaModel`` or a
:class:`~corpus_tools.topics.gibbs.GibbsLda` (``LdaSettings(engine="tomotopy")``), told apart
explicitly. gensim is imported only inside the functions that need it.
"""

from __future__ import annotations

import dataclasses
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..compat import REMOVED_IN
from ..parallel import map_tasks, mp_context, n_workers
from .gibbs import DEFAULT_GIBBS_TOL, GibbsLda, train_gibbs
from .prepare import TopicInputError

if TYPE_CHECKING:
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

__all__ = [
    "BOUND_UNITS",
    "CONVERGENCE_COLUMNS",
    "DEFAULT_SAMPLE_UNITS",
    "DEFAULT_TOL",
    "DEFAULT_GIBBS_SWEEPS",
    "DEFAULT_TRAIN_UNITS",
    "ENGINES",
    "FIT_MIN_TOKEN_PASSES",
    "GIBBS_SWEEPS_PER_PASS",
    "LdaSettings",
    "check_k",
    "check_sample_units",
    "fitted_alpha",
    "infer_theta",
    "lda_settings",
    "log_fit",
    "map_fits",
    "ordered_topics",
    "prevalence_ordered_phi",
    "per_word_bound",
    "sample_rows",
    "topic_term",
    "train",
]

logger = logging.getLogger(__name__)

Alpha = Literal["symmetric", "asymmetric", "auto"] | float
Engine = Literal["gensim", "tomotopy"]
#: The engines that fit LDA (:attr:`LdaSettings.engine`).
ENGINES: tuple[str, ...] = ("gensim", "tomotopy")
#: Gibbs sweeps of tomotopy that cost about as much per token as one gensim pass (measured on the
#: seeds: 1,000 sweeps in 0.07 s, gensim's fit of at most 80 passes in 1.7 s), for map_fits.
GIBBS_SWEEPS_PER_PASS = 300
Eta = Literal["symmetric", "auto"] | float | None

#: Default `tol` of the fits: stop when a pass changes the per-word bound by less than 0.001 %.
DEFAULT_TOL = 1e-5
#: Default Gibbs sweeps of a tomotopy fit. The sampler's log-likelihood per word levels off within
#: about 100-200 sweeps on 110 to 20,000 paragraphs, and in ``benchmarks/gibbs_sweeps.py``
#: coherence, stability across seeds and robust topics at 300 sweeps equal those at 1,000 within
#: the seeds' own variation (seeds, K=3: mean JS distance across seeds 0.22 vs 0.21; a 5,000-unit
#: sample, K=8: 0.686 vs 0.687), at 40 % of the time.
DEFAULT_GIBBS_SWEEPS = 300
#: Default `sample_units` of the K sweep and the stability refits.
DEFAULT_SAMPLE_UNITS = 5000
#: Default `train_units` of every fit: the most units one model is trained on. A fit's cost
#: grows with its training tokens and passes (about 1e-5 s per token and pass on 2 cores):
#: the final fit on the 6,541 paragraphs of ``benchmarks/report_scale.py``'s 5 MB corpus
#: takes 35 s, so one on the ~130,000 of its 100 MB corpus would take over ten minutes, and
#: the report fits three (the model and two refits for the effects). Corpora up to about
#: 15 MB of articles (20,000 paragraphs) are still trained on every unit.
DEFAULT_TRAIN_UNITS = 20_000
#: Training units whose bound is computed after every pass (a fixed sample when there are more):
#: gensim's bound re-infers every unit's topic shares, as costly as a training pass on all units.
BOUND_UNITS = 1000
#: Work (training tokens x passes, summed over the fits) from which independent fits with
#: ``n_jobs=None`` run side by side, per worker start method (:func:`map_fits`). Measured on
#: 2 cores: a fit costs about 1e-5 s per token and pass (the seeds' 2,342 tokens, 80 passes:
#: 2 s); a forked pool starts in 0.02 s, a spawned one in 3 s (each worker imports the package
#: and gensim). Two processes pay from about a second of fitting under fork and ten under spawn.
FIT_MIN_TOKEN_PASSES: dict[str, int] = {"fork": 100_000, "spawn": 1_000_000}


# --------------------------------------------------------------------------------------------
# The fitting options
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LdaSettings:
    """How an LDA model is fitted: the options shared by a fit, the K sweep and the refits.

    :func:`~corpus_tools.topics.fit_lda`, :func:`~corpus_tools.topics.sweep_k`,
    :func:`~corpus_tools.topics.stability` and :func:`~corpus_tools.topics.with_refits` take
    one of these (``settings=``) or its fields as keywords, which override it.

    Attributes
    ----------
    alpha : {"symmetric", "asymmetric", "auto"} or float, default "symmetric"
        Document-topic prior. ``"symmetric"`` is 1/K for every topic; ``"auto"`` learns an
        asymmetric prior from the data (one process only).
    eta : {"symmetric", "auto"}, float or None, default "symmetric"
        Topic-term prior (``"symmetric"`` and None: 1/K for every term). gensim 4.4 accepts
        ``"auto"`` and records a learned value in ``lda.eta``, but its training state keeps
        the initial prior, so the topics come out exactly as with ``"symmetric"`` (checked on
        the seeds); pass a number for a sparser or smoother prior.
    passes : int, default 50
        The most passes over the corpus. Check the ``topic_diff`` and ``bound_rel_change``
        columns of :attr:`TopicModel.convergence <corpus_tools.topics.TopicModel.convergence>`.
    tol : float or None, default 1e-5
        Stop after the first pass whose per-word bound of the training units changed by less
        than this share of its value since the pass before (``bound_rel_change``), at the
        latest after `passes`. None always runs `passes`. Training is deterministic, so the
        model after stopping at pass p is exactly the model ``passes=p, tol=None`` fits.
        Needs the bound every pass (one extra E-step per pass); with more than one process
        it is ignored and `passes` are run. The default keeps the report's choice of K and its
        robust topics on the seeds as they were with 80 fixed passes (1e-4 stopped sooner and
        changed them); ``benchmarks/topics_scaling.py --corpus-mb 5`` times it.
    iterations : int, default 400
        Maximum E-step iterations per unit and pass; check ``converged_share``.
    chunksize : int, default 2000
        Units per E-step chunk (and per M-step update). A corpus of at most `chunksize`
        units is one chunk: each pass is then one full variational EM step.
    gamma_threshold : float, default 0.001
        A unit's E-step stops when its topic weights change less than this.
    n_jobs : int or None, default 1
        Processes. For one fit (:func:`~corpus_tools.topics.fit_lda`): 1 fits in this process
        with ``LdaModel`` (reproducible); k > 1 (``-1``: every core) uses gensim's
        ``LdaMulticore`` with k worker processes for the E-step: faster on large corpora with
        many cores, but chunks finish in varying order, so results vary slightly between
        runs, ``alpha="auto"`` is unavailable and the E-step and bound columns of the
        convergence table stay empty; ``None`` decides by size as everywhere in the package
        (:func:`corpus_tools.parallel.n_workers`), and for one fit no size goes parallel: on
        the project's 2-core machines one process is faster (``benchmarks/topics_scaling.py``)
        and only it is reproducible. For several independent fits (the K sweep, the stability
        refits, :func:`~corpus_tools.topics.with_refits`) the processes share the fits, each
        fitted in one process (:func:`map_fits`), so their tables are the same whatever
        `n_jobs` is; ``None`` then runs them side by side from :data:`FIT_MIN_TOKEN_PASSES`.
    engine : {"gensim", "tomotopy"}, default "gensim"
        What fits the model. ``"gensim"``: variational Bayes (gensim's ``LdaModel``), whose
        options are `passes`, `tol`, `iterations`, `chunksize` and `gamma_threshold`.
        ``"tomotopy"``: collapsed Gibbs sampling (tomotopy's ``LDAModel``, C++,
        :mod:`corpus_tools.topics.gibbs`), whose option is `gibbs_sweeps` (the gensim options
        are then unused). tomotopy always samples with one worker, because its parallel
        samplers are not reproducible from a seed: the same `random_state` gives the same
        model bit for bit. ``benchmarks/topic_engines.py`` compares the two: on the seeds a
        tomotopy fit took 0.07 s against gensim's 1.7 s, on a 5,000-paragraph sample (K=8)
        11 s against 44 s, with coherence as high and topics as stable. tomotopy cannot learn
        `eta` (``eta="auto"`` is an error); its ``alpha="auto"`` starts at 1/K and is
        optimised every 10 sweeps. One tomotopy fit is never spread over processes; `n_jobs`
        then only shares several fits (the sweep, the refits). Perplexities and bounds are the
        engine's own and are not comparable across engines.
    gibbs_sweeps : int, default :data:`DEFAULT_GIBBS_SWEEPS` (300)
        The most Gibbs sweeps over the training units (tomotopy only); the convergence table
        has one row per 10 sweeps.
    gibbs_tol : float or None, default :data:`~corpus_tools.topics.gibbs.DEFAULT_GIBBS_TOL` (1e-4)
        A tomotopy fit stops before `gibbs_sweeps` once its log-likelihood per word has levelled
        off: the mean over the last 50 sweeps is less than this share above the mean over the
        50 before (:func:`~corpus_tools.topics.gibbs.settled`), so it runs at least 100 sweeps.
        Fits on fewer than :data:`~corpus_tools.topics.gibbs.SETTLE_MIN_TOKENS` (50,000)
        training tokens always run `gibbs_sweeps`: their likelihood is too noisy for the rule.
        The fit that stopped after s sweeps is exactly the fit of ``gibbs_sweeps=s,
        gibbs_tol=None`` (which always runs `gibbs_sweeps`).
    train_units : int or None, default 20000
        The most units a fit trains on. A corpus with more units is trained on a simple random
        sample of this many, drawn with the fit's `random_state` (:func:`sample_rows`), and
        the topic shares of *every* unit are then inferred from the trained topics, so tables
        and effects still cover the whole corpus. This bounds a fit's cost on a large corpus
        (see :data:`DEFAULT_TRAIN_UNITS`); None trains on every unit whatever their number.
        Topics that only a handful of units carry may be missed in a sample: raise it (or
        None) for a final model on a large corpus when time allows.

    Raises
    ------
    ValueError
        When a field has a value no fit can use; the message names the field.

    Examples
    --------
    >>> LdaSettings(passes=20).passes, LdaSettings().processes
    (20, 1)
    >>> LdaSettings(passes=0)
    Traceback (most recent call last):
    ...
    ValueError: LdaSettings.passes must be a positive integer, got 0
    """

    alpha: Alpha = "symmetric"
    eta: Eta = "symmetric"
    passes: int = 50
    tol: float | None = DEFAULT_TOL
    iterations: int = 400
    chunksize: int = 2000
    gamma_threshold: float = 0.001
    n_jobs: int | None = 1
    train_units: int | None = DEFAULT_TRAIN_UNITS
    engine: Engine = "gensim"
    gibbs_sweeps: int = DEFAULT_GIBBS_SWEEPS
    gibbs_tol: float | None = DEFAULT_GIBBS_TOL

    def __post_init__(self) -> None:
        if isinstance(self.alpha, str) and self.alpha not in ("symmetric", "asymmetric", "auto"):
            raise ValueError(f"LdaSettings.alpha must be 'symmetric', 'asymmetric', 'auto' or a number, got {self.alpha!r}")
        if isinstance(self.eta, str) and self.eta not in ("symmetric", "auto"):
            raise ValueError(f"LdaSettings.eta must be 'symmetric', 'auto', a number or None, got {self.eta!r}")
        if self.engine not in ENGINES:
            raise ValueError(f"LdaSettings.engine must be one of {ENGINES}, got {self.engine!r}")
        for name in ("passes", "iterations", "chunksize", "gibbs_sweeps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"LdaSettings.{name} must be a positive integer, got {value!r}")
        for name, limit in (("tol", "passes"), ("gibbs_tol", "gibbs_sweeps")):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or not 0 <= value < 1):
                raise ValueError(f"LdaSettings.{name} is a relative change in [0, 1) or None (always run "
                                 f"`{limit}`), got {value!r}")
        if self.train_units is not None and (isinstance(self.train_units, bool)
                                             or not isinstance(self.train_units, int | np.integer)
                                             or self.train_units < 2):
            raise ValueError(f"LdaSettings.train_units must be None (every unit) or an integer of at least 2, "
                             f"got {self.train_units!r}")
        if not isinstance(self.gamma_threshold, int | float) or self.gamma_threshold <= 0:
            raise ValueError(f"LdaSettings.gamma_threshold must be a positive number, got {self.gamma_threshold!r}")
        try:
            processes = self.processes
        except (TypeError, ValueError):
            raise ValueError(f"LdaSettings.n_jobs must be None, -1 or a positive integer, got {self.n_jobs!r}") from None
        if self.engine == "tomotopy" and isinstance(self.eta, str) and self.eta == "auto":
            raise ValueError("LdaSettings.eta='auto' is not available with engine='tomotopy' (its sampler keeps eta "
                             "fixed): pass 'symmetric', None or a number")
        if self.engine == "gensim" and isinstance(self.alpha, str) and self.alpha == "auto" and processes > 1:
            raise ValueError(
                f"alpha='auto' needs workers=1, i.e. LdaSettings.n_jobs=1 (got n_jobs={self.n_jobs!r}): gensim's "
                "LdaMulticore cannot learn alpha; pass a fixed alpha ('symmetric', 'asymmetric' or a number) "
                "or n_jobs=1"
            )

    @property
    def processes(self) -> int:
        """int: the processes `n_jobs` stands for (``None``: 1, see the class notes)."""
        return n_workers(self.n_jobs, 0, None)

    @property
    def reproducible(self) -> bool:
        """bool: whether one fit is a function of its arguments (tomotopy always; gensim in one process)."""
        return self.engine == "tomotopy" or self.processes == 1

    @property
    def token_passes(self) -> float:
        """float: a fit's work per training token, in gensim passes (:data:`FIT_MIN_TOKEN_PASSES`)."""
        return self.passes if self.engine == "gensim" else self.gibbs_sweeps / GIBBS_SWEEPS_PER_PASS

    def to_dict(self) -> dict[str, Any]:
        """The options as keyword arguments (what :attr:`TopicModel.settings` records)."""
        return dataclasses.asdict(self)

    @property
    def one_process(self) -> LdaSettings:
        """LdaSettings: these options for one of several fits run side by side, each in one process.

        A copy with ``n_jobs=1`` (the object itself when it has that already), so that a fit's
        result, and its key in the result cache, are the same whatever `n_jobs` the caller had.
        """
        return self if self.n_jobs == 1 else dataclasses.replace(self, n_jobs=1)


#: Keywords of the previous release and the options that replace them.
_RENAMED = {"workers": "n_jobs"}


def lda_settings(settings: LdaSettings | None, options: dict[str, Any], *, caller: str) -> LdaSettings:
    """`settings` (default ``LdaSettings()``) with `options` (its field names) replacing fields.

    ``workers``, the old name of ``n_jobs``, is accepted with a :class:`FutureWarning`; any other
    unknown name is a :class:`TypeError` naming it and the fields.
    """
    options = dict(options)
    for old, new in _RENAMED.items():
        if old in options:
            if new in options:
                raise TypeError(f"{caller}() got both {old!r} and its new name {new!r}; pass only {new!r}")
            warnings.warn(f"{caller}(): {old!r} is renamed {new!r}; the old name stops working in {REMOVED_IN}",
                          FutureWarning, stacklevel=3)
            options[new] = options.pop(old)
    fields = [f.name for f in dataclasses.fields(LdaSettings)]
    unknown = sorted(set(options) - set(fields))
    if unknown:
        raise TypeError(f"{caller}() got unexpected option(s) {unknown}; the fitting options are {fields}")
    if settings is None:
        return LdaSettings(**options)
    if not isinstance(settings, LdaSettings):
        raise TypeError(f"{caller}(): settings must be an LdaSettings, got {type(settings).__name__}")
    return dataclasses.replace(settings, **options) if options else settings


# --------------------------------------------------------------------------------------------
# gensim bridges
# --------------------------------------------------------------------------------------------

def _dictionary(matrix: sp.csr_matrix, terms: Sequence[str]) -> Dictionary:
    """A gensim Dictionary whose id ``j`` is column ``j``, built without listing the corpus."""
    from gensim.corpora import Dictionary

    dictionary = Dictionary()
    dictionary.token2id = {term: j for j, term in enumerate(terms)}
    dictionary.id2token = dict(enumerate(terms))
    dictionary.dfs = dict(enumerate(np.bincount(matrix.indices, minlength=len(terms)).tolist()))
    dictionary.cfs = dict(enumerate(np.asarray(matrix.sum(axis=0), dtype=np.int64).ravel().tolist()))
    dictionary.num_docs = matrix.shape[0]
    dictionary.num_pos = int(matrix.sum())
    dictionary.num_nnz = int(matrix.nnz)
    return dictionary


def _bow(matrix: sp.csr_matrix):
    """Stream the rows of a CSR matrix as gensim bags of words (no copy of the counts)."""
    from gensim.matutils import Sparse2Corpus

    return Sparse2Corpus(matrix, documents_columns=False)


@contextmanager
def _seeded(lda: LdaModel, seed: int) -> Iterator[None]:
    """Run inference with its own generator so that results depend on `seed` only.

    gensim starts every inference from gamma values drawn from the model's ``random_state``;
    borrowing that generator would make topic shares depend on how often the model had been
    asked before, and would change the training path when used inside a callback.
    """
    saved = lda.random_state
    lda.random_state = np.random.RandomState(seed)
    try:
        yield
    finally:
        lda.random_state = saved


def infer_theta(lda: LdaModel | GibbsLda, matrix: sp.csr_matrix, *, seed: int, chunksize: int) -> np.ndarray:
    """Every row's topic shares (rows sum to 1) in the engine's topic order, inferred with `seed`.

    A tomotopy model's inference cannot be seeded: it ignores `seed` and `chunksize`, and is
    deterministic all the same (:meth:`~corpus_tools.topics.gibbs.GibbsLda.infer_theta`).
    """
    if isinstance(lda, GibbsLda):
        return lda.infer_theta(matrix)
    theta = np.empty((matrix.shape[0], lda.num_topics), dtype=np.float64)
    with _seeded(lda, seed):
        for start in range(0, matrix.shape[0], chunksize):
            chunk = list(_bow(matrix[start : start + chunksize]))
            gamma, _ = lda.inference(chunk)
            theta[start : start + len(chunk)] = gamma / gamma.sum(axis=1, keepdims=True)
    return theta


def per_word_bound(lda: LdaModel | GibbsLda, matrix: sp.csr_matrix, *, seed: int) -> float:
    """The engine's log-likelihood measure of the rows of `matrix` per token (nats).

    gensim: its variational bound, inferred with `seed`. tomotopy: the log-likelihood its
    inference returns, per known token (:meth:`~corpus_tools.topics.gibbs.GibbsLda.per_word_likelihood`;
    `seed` unused). The two are not comparable with each other.
    """
    if isinstance(lda, GibbsLda):
        return lda.per_word_likelihood(matrix)
    n_words = float(matrix.sum())
    with _seeded(lda, seed):
        return float(lda.bound(_bow(matrix))) / n_words


class _FitLog(logging.Handler):
    """Collect gensim's per-pass training messages into rows of a convergence table.

    Reads the records' format strings and arguments rather than the rendered text, so a
    change of number formatting in gensim cannot break the parsing.
    """

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.passes: dict[int, dict[str, Any]] = {}
        self.current = 0
        self.paused = False
        self.warnings: list[str] = []

    def _row(self) -> dict[str, Any]:
        return self.passes.setdefault(
            self.current, {"n_updates": 0, "topic_diff": np.nan, "rho": np.nan, "units_converged": 0, "units_inferred": 0}
        )

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.warnings.append(record.getMessage())
            return
        if self.paused:
            return
        message, args = record.msg, record.args or ()
        if not isinstance(message, str):
            return
        if message.startswith("PROGRESS: pass") and args:
            self.current = int(args[0]) + 1
            self._row()
        elif message.startswith("topic diff=") and len(args) == 2:
            row = self._row()
            row["n_updates"] += 1
            row["topic_diff"], row["rho"] = float(args[0]), float(args[1])
        elif message.endswith("documents converged within %i iterations") and len(args) == 3:
            row = self._row()
            row["units_converged"] += int(args[0])
            row["units_inferred"] += int(args[1])


@contextmanager
def _capture_fit_log() -> Iterator[_FitLog]:
    """Attach a :class:`_FitLog` to gensim's LDA loggers for the duration of one fit.

    The loggers are lowered to DEBUG (for the per-chunk convergence counts) and stop
    propagating meanwhile, so an application's log is not flooded with gensim's debug lines;
    warnings are re-issued through this module's logger.
    """
    handler = _FitLog()
    names = ("gensim.models.ldamodel", "gensim.models.ldamulticore")
    loggers = [logging.getLogger(name) for name in names]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
        lg.propagate = False
    try:
        yield handler
    finally:
        for lg, (level, propagate) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
        for message in handler.warnings:
            logger.warning("gensim: %s", message)


class _Converged(Exception):
    """Raised by the bound callback to end training after the pass whose bound met `tol`."""


def _relative_change(previous: float, current: float) -> float:
    """|current - previous| / |previous|: the per-pass relative change of the per-word bound."""
    return abs(current - previous) / abs(previous) if previous != 0 else np.inf


def _bound_metric(matrix: sp.csr_matrix, *, seed: int, log: _FitLog, tol: float | None):
    """A gensim callback metric: the training corpus's per-word bound at the end of each pass.

    With `tol`, it also ends training: gensim calls it after the pass's last M-step, so
    raising :class:`_Converged` there leaves the model exactly as a fit with that many passes
    would be. (Calling ``LdaModel.update`` once per pass instead is not the same fit: every
    call adds the corpus to the model's document count again and restarts the learning-rate
    schedule, as for new documents in online LDA.)
    """
    from gensim.models.callbacks import Metric

    class PerWordBound(Metric):
        logger = None
        viz_env = None
        title = None

        def __init__(self) -> None:
            self.values: list[float] = []
            self.model = None

        def __str__(self) -> str:
            return "per_word_bound"

        def get_value(self, **kwargs: Any) -> float:
            self.model = kwargs["model"]
            log.paused = True  # the bound's own inference is not a training E-step
            try:
                value = per_word_bound(self.model, matrix, seed=seed)
            finally:
                log.paused = False
            self.values.append(value)
            if tol is not None and len(self.values) >= 2 and _relative_change(self.values[-2], value) < tol:
                raise _Converged
            return value

    return PerWordBound()


#: Columns of a fit's per-pass convergence table, in order.
CONVERGENCE_COLUMNS = [
    "pass",
    "n_updates",
    "topic_diff",
    "rho",
    "units_converged",
    "units_inferred",
    "converged_share",
    "per_word_bound",
    "bound_rel_change",
    "perplexity",
]


def train(
    matrix: sp.csr_matrix,
    terms: Sequence[str],
    *,
    k: int,
    random_state: int,
    settings: LdaSettings,
    track_bound: bool,
) -> tuple[LdaModel, pd.DataFrame]:
    """Fit one LDA model on the rows of `matrix`; return it with its per-pass convergence table.

    In one process and with a `tol`, training stops after the first pass whose per-word bound
    changed by less than `tol` (relative) since the pass before, at the latest after `passes`.
    The table's columns are described under :func:`corpus_tools.topics.fit_lda`. With
    ``settings.engine == "tomotopy"`` the model is a :class:`~corpus_tools.topics.gibbs.GibbsLda`
    fitted with at most ``settings.gibbs_sweeps`` sweeps (fewer once ``settings.gibbs_tol`` says the
    chain has levelled off) and the table has one row per 10 sweeps
    (:func:`~corpus_tools.topics.gibbs.train_gibbs`); `track_bound` is then unused (the
    sampler's log-likelihood costs nothing).
    """
    if settings.engine == "tomotopy":
        return train_gibbs(matrix, k=k, random_state=random_state, alpha=settings.alpha, eta=settings.eta,
                           sweeps=settings.gibbs_sweeps, tol=settings.gibbs_tol, columns=CONVERGENCE_COLUMNS)
    from gensim.models import LdaModel, LdaMulticore

    processes = settings.processes
    dictionary = _dictionary(matrix, terms)
    bow = _bow(matrix)
    common = dict(
        num_topics=k,
        id2word=dictionary,
        chunksize=settings.chunksize,
        passes=settings.passes,
        iterations=settings.iterations,
        gamma_threshold=settings.gamma_threshold,
        eta=settings.eta,
        eval_every=None,  # gensim's own estimate draws from the training generator; see _seeded
        random_state=random_state,
        dtype=np.float64,
    )
    stop_early = settings.tol is not None and processes == 1
    with _capture_fit_log() as log:
        if processes > 1:
            lda = LdaMulticore(bow, workers=processes, alpha=settings.alpha, **common)
        else:
            rows = sample_rows(matrix.shape[0], BOUND_UNITS, random_state)
            bound_matrix = matrix if len(rows) == matrix.shape[0] else matrix[rows]
            metric = _bound_metric(bound_matrix, seed=random_state, log=log,
                                   tol=settings.tol if stop_early else None)
            try:
                lda = LdaModel(bow, alpha=settings.alpha, callbacks=[metric] if track_bound or stop_early else None,
                               **common)
            except _Converged:
                lda = metric.model
    # The bound callback runs once per completed pass, so its values count the passes run.
    n_passes = len(metric.values) if stop_early else settings.passes
    # One row per pass even if gensim's log wording ever changes (the row is then empty, not lost).
    empty = {"n_updates": 0, "topic_diff": np.nan, "rho": np.nan, "units_converged": np.nan, "units_inferred": np.nan}
    table = pd.DataFrame([{"pass": p, **log.passes.get(p, empty)} for p in range(1, n_passes + 1)])
    bounds = metric.values if processes == 1 and (track_bound or stop_early) else []
    table["per_word_bound"] = pd.Series(bounds, dtype=float).reindex(range(len(table))).to_numpy()
    previous = table["per_word_bound"].shift(1)
    table["bound_rel_change"] = (table["per_word_bound"] - previous).abs() / previous.abs()
    # gensim's bound is in nats (natural logs), so perplexity is e ** -bound; gensim's own log
    # line ("perplexity estimate") uses 2 ** -bound, which understates it 10-16x on this corpus.
    table["perplexity"] = np.exp(-table["per_word_bound"])
    table["converged_share"] = table["units_converged"] / table["units_inferred"].where(table["units_inferred"] > 0)
    if processes > 1:  # E-steps ran in worker processes whose log records never reach this one
        table[["units_converged", "units_inferred"]] = np.nan
    # The callback (a local class holding the training matrix) has done its work; without it
    # the model pickles, so it can be saved and cached.
    lda.callbacks = None
    return lda, table[CONVERGENCE_COLUMNS].reset_index(drop=True)


def check_k(k: int, n_units: int, n_terms: int, *, plural: str) -> None:
    """Raise a :class:`TopicInputError` unless K topics can be fitted to `n_units` units and `n_terms` terms."""
    if int(k) != k or k < 2:
        raise TopicInputError(f"K must be an integer of at least 2, got {k!r}")
    if k >= n_units:
        raise TopicInputError(
            f"K={k} topics need more than {k} {plural}, but only {n_units} are available: lower K "
            "or the other settings that drop units (min_docfreq, min_unit_tokens, heldout_prop, sample_units, "
            "train_units)"
        )
    if k >= n_terms:
        raise TopicInputError(
            f"K={k} topics need more than {k} terms, but the vocabulary has {n_terms}: lower K or "
            "trim less (min_docfreq, min_termfreq)"
        )


def log_fit(what: str, table: pd.DataFrame) -> None:
    """Log one line on a finished fit: passes run, the last topic diff, E-step convergence."""
    last = table.iloc[-1] if len(table) else None
    if last is None:
        return
    if pd.isna(last["n_updates"]):  # tomotopy: one row per block of Gibbs sweeps
        logger.info("%s: %d Gibbs sweeps, log-likelihood per word %.4f", what, int(last["pass"]),
                    last["per_word_bound"])
        return
    converged = (
        f"{int(last['units_converged'])}/{int(last['units_inferred'])} units converged in the last pass"
        if not pd.isna(last["units_converged"]) else "E-step convergence not recorded (LdaMulticore)"
    )
    logger.info("%s: %d passes, last topic diff %.2e, %s", what, len(table), last["topic_diff"], converged)


def topic_term(lda: LdaModel | GibbsLda) -> np.ndarray:
    """The model's topic-term probabilities (K x V, rows sum to 1) in the engine's topic order."""
    if isinstance(lda, GibbsLda):
        return lda.phi.copy()
    return np.asarray(lda.get_topics(), dtype=np.float64)


def fitted_alpha(lda: LdaModel | GibbsLda) -> np.ndarray:
    """The model's document-topic prior (K,) in the engine's topic order (learned with ``alpha="auto"``)."""
    if isinstance(lda, GibbsLda):
        return lda.alpha.copy()
    return np.asarray(lda.alpha, dtype=np.float64)



def _order_topics(theta_raw: np.ndarray, weights: np.ndarray) -> np.ndarray:
    prevalence = (theta_raw * weights[:, np.newaxis]).sum(axis=0)
    return np.lexsort((np.arange(theta_raw.shape[1]), -prevalence))


def ordered_topics(lda: LdaModel | GibbsLda, matrix: sp.csr_matrix, *, seed: int, chunksize: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The units' raw topic shares, the topic order by prevalence and phi in that order.

    Topics are ordered by the share of the tokens they account for, largest first (ties by
    the engine's id): the engine's own numbering is arbitrary.
    """
    theta_raw = infer_theta(lda, matrix, seed=seed, chunksize=chunksize)
    weights = np.asarray(matrix.sum(axis=1), dtype=np.float64).ravel()
    order = _order_topics(theta_raw, weights)
    return theta_raw, order, _phi_in_order(lda, order)


def _phi_in_order(lda: LdaModel | GibbsLda, order: np.ndarray) -> np.ndarray:
    phi = topic_term(lda)[order]
    return phi / phi.sum(axis=1, keepdims=True)


def prevalence_ordered_phi(lda: LdaModel | GibbsLda, matrix: sp.csr_matrix, *, seed: int, chunksize: int
                           ) -> np.ndarray:
    """phi with the topics by prevalence, largest first, for a caller that needs no unit's shares.

    A tomotopy fit knows how many training tokens its last sweep assigned to each topic
    (:attr:`GibbsLda.topic_tokens <corpus_tools.topics.gibbs.GibbsLda.topic_tokens>`): the share
    of the tokens each topic accounts for, read without inferring every unit again (with 100
    inference sweeps that was 2.2 s of a 7.7 s fit on the 8,157 paragraphs of the 5 MB benchmark
    corpus). Otherwise (gensim, or a fit cached without the counts) the order is
    :func:`ordered_topics`'.
    """
    counts = getattr(lda, "topic_tokens", None)
    if counts is None:
        return ordered_topics(lda, matrix, seed=seed, chunksize=chunksize)[2]
    return _phi_in_order(lda, _order_topics(np.asarray(counts, dtype=np.float64)[np.newaxis, :], np.ones(1)))


# --------------------------------------------------------------------------------------------
# Independent fits side by side
# --------------------------------------------------------------------------------------------


def map_fits(
    function: Callable[[Any, Any], Any],
    tasks: Sequence[Any],
    *,
    shared: Any,
    settings: LdaSettings,
    tokens: int,
    desc: str,
    unit: str,
    progress: bool,
    is_cached: Callable[[Any, Any], bool] | None = None,
) -> list[Any]:
    """Run independent LDA fits over ``settings.n_jobs`` processes; results in the order of `tasks`.

    The one way the K sweep, the stability refits and :func:`~corpus_tools.topics.with_refits`
    spread their fits over the cores. Each fit runs in one process with its own explicit seed
    (`function` fits with :attr:`LdaSettings.one_process`), so a fit's result is the same in a
    worker as here and the tables do not depend on `n_jobs`; results cached by a worker
    (:mod:`corpus_tools.resultcache`, keyed by the fitted function's module and code) are found
    by later calls in any process.

    Parameters
    ----------
    function : callable
        ``function(shared, task)`` fits one task and returns its (picklable, small) result; a
        module-level function, so that workers can import it.
    tasks : sequence
        One per fit: a K, a seed.
    shared : object
        What every fit reads (the topic corpus, the rows, the settings): handed to each worker
        once (:func:`corpus_tools.parallel.map_tasks`).
    settings : LdaSettings
        Its ``n_jobs`` says how many processes: ``None`` decides by the work, every core from
        :data:`FIT_MIN_TOKEN_PASSES` (training tokens x passes x fits; a tomotopy fit's sweeps
        count as :data:`GIBBS_SWEEPS_PER_PASS` to a pass), else one.
    tokens : int
        Training tokens of one fit.
    desc, unit : str
        For progress reports: what is being done and what one task is.
    progress : bool
        Report progress per fit.
    is_cached : callable, optional
        ``is_cached(shared, task)``: whether the task's result is in the result cache. Only
        the other tasks count as work, and when every result is cached they are loaded here,
        without worker processes (each would be sent `shared`, the whole topic corpus: at
        100 MB of articles, notebook 03 run alone with both cores peaked at 5.2 GB in its
        stability check, which started two workers to load refits notebook 01 had cached).

    Returns
    -------
    list
        ``[function(shared, task) for task in tasks]``.
    """
    to_fit = len(tasks) if is_cached is None else sum(not is_cached(shared, task) for task in tasks)
    if to_fit == 0:
        return map_tasks(function, tasks, n_processes=1, shared=shared, desc=desc, unit=unit, progress=progress)
    threshold = FIT_MIN_TOKEN_PASSES[mp_context().get_start_method()]
    processes = n_workers(settings.n_jobs, int(to_fit * int(tokens) * settings.token_passes), threshold)
    return map_tasks(function, tasks, n_processes=processes, shared=shared, desc=desc, unit=unit, progress=progress)


# --------------------------------------------------------------------------------------------
# Seeded samples of units
# --------------------------------------------------------------------------------------------


def sample_rows(n_units: int, sample_units: int | None, random_state: int) -> np.ndarray:
    """Sorted rows of a simple random sample of `sample_units` units, or all rows if no more.

    Drawn with ``numpy.random.default_rng(random_state)``: the same seed gives the same sample.

    Examples
    --------
    >>> sample_rows(5, 10, 0).tolist()
    [0, 1, 2, 3, 4]
    >>> len(sample_rows(100, 10, 0)), bool((sample_rows(100, 10, 0) == sample_rows(100, 10, 0)).all())
    (10, True)
    """
    if sample_units is None or n_units <= sample_units:
        return np.arange(n_units)
    generator = np.random.default_rng(random_state)
    return np.sort(generator.permutation(n_units)[:sample_units])


def check_sample_units(sample_units: int | None) -> None:
    """Raise a ValueError naming `sample_units` unless it is None or an integer of at least 2."""
    if sample_units is not None and (int(sample_units) != sample_units or sample_units < 2):
        raise ValueError(f"sample_units must be None (all units) or an integer of at least 2, got {sample_units!r}")
