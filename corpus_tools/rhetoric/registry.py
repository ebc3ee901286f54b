"""The registry of the campaign's fixed expressions, and matching it against a corpus.

The registry is package data (``corpus_tools/data/rhetoric-<name>.yaml``), versioned and
documented entry by entry. :func:`match_registry` finds every entry in every document in one
regex pass per document, on a *squeezed* view of the text (quotation marks and spaces dropped),
so “学史明理”、“学史增信” and 学史明理 学史增信 match like 学史明理、学史增信.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..corpus.metadata import group_labels
from .text import (ITEM_SEPARATORS, SENTENCE_ENDS, detect_in_chunks, iter_docs, literal_key, literal_units, squeeze,
                   trie_regex)

__all__ = ["Registry", "RegistryError", "load_registry", "resolve_registry", "match_registry", "match_layers",
           "layer_texts", "layer_rates", "LAYERS", "MATCH_COLUMNS"]

#: Text layers of a report and the block kinds (``Corpus.blocks["kind"]``) each holds. Slogans
#: concentrate in headlines, kickers and section headings, which the body (``Corpus.texts``)
#: does not contain; counting them as layers of their own keeps the body's rates comparable.
LAYERS = {"body": ("body",), "title": ("title", "subtitle"), "heading": ("heading",)}

#: Columns of :func:`match_registry`.
MATCH_COLUMNS = (
    "doc_id", "unit_id", "entry_id", "canonical", "category", "match_type",
    "n_parts_matched", "n_parts", "start", "end", "text",
)
ENTRY_COLUMNS = ("entry_id", "canonical", "category", "parts", "variants", "min_parts", "max_gap", "note")

# Between two adjacent parts of an enumeration: up to two separators, or one conjunction.
_ADJACENT_GAP_RE = re.compile(f"[{re.escape(ITEM_SEPARATORS)}]{{0,2}}|[和与及]")
_SENTENCE_END_RE = re.compile(f"[{re.escape(SENTENCE_ENDS)}]")


class RegistryError(ValueError):
    """A registry file or mapping is malformed; the message names the entry and the problem."""


@dataclass(frozen=True)
class _Matcher:
    regex: re.Pattern
    # squeezed literal -> (entry row, part index or -1, "full" | "variant")
    lookup: dict[str, tuple[int, int, str]]


@dataclass(frozen=True, eq=False)
class Registry:
    """A versioned list of fixed expressions with their categories.

    Build one with :func:`load_registry` (package data or a YAML file) or
    :meth:`Registry.from_mapping` (a dict of the same shape). Treat it as read-only: the
    compiled matcher is cached on the object.

    Attributes
    ----------
    name, version, source : str
        Identity and provenance, from the file's top level.
    categories : pandas.DataFrame
        ``category, label, description``, in file order (the order of figure rows).
    entries : pandas.DataFrame
        One row per expression: ``entry_id, canonical, category, parts, variants, min_parts,
        max_gap, note``. ``parts`` and ``variants`` are tuples of str (``parts`` is empty for a
        single phrase).

    Examples
    --------
    >>> reg = Registry.from_mapping({"name": "toy", "version": "1", "source": "doctest",
    ...     "categories": [{"id": "slogan"}],
    ...     "entries": [{"id": "siju", "canonical": "学史明理、学史增信", "category": "slogan",
    ...                  "parts": ["学史明理", "学史增信"], "min_parts": 1}]})
    >>> reg
    Registry('toy', version '1', 1 entries in 1 categories)
    """

    name: str
    version: str
    source: str
    categories: pd.DataFrame
    entries: pd.DataFrame

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return (f"Registry({self.name!r}, version {self.version!r}, {len(self)} entries in "
                f"{len(self.categories)} categories)")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "Registry":
        """Build and validate a registry from a mapping shaped like the YAML file.

        Raises
        ------
        RegistryError
            On a missing field, an unknown category, a repeated id, an enumeration with fewer
            than two parts, a ``min_parts`` outside ``1..len(parts)``, or a literal (part,
            canonical form or variant, separators removed) listed twice.
        """
        where = f"registry {data.get('name', '?')!r}"
        for key in ("name", "version", "categories", "entries"):
            if key not in data:
                raise RegistryError(f"{where}: missing top-level field {key!r}")
        categories = pd.DataFrame(
            [(c["id"], c.get("label", c["id"]), c.get("description", "")) for c in data["categories"]],
            columns=["category", "label", "description"],
        )
        known = set(categories["category"])
        rows, seen_ids, owner = [], set(), {}
        for number, raw in enumerate(data["entries"], start=1):
            entry_id = raw.get("id")
            label = f"{where}, entry {number} ({entry_id!r})"
            if not entry_id or not raw.get("canonical") or not raw.get("category"):
                raise RegistryError(f"{label}: needs id, canonical and category")
            if entry_id in seen_ids:
                raise RegistryError(f"{label}: the id is used twice")
            seen_ids.add(entry_id)
            if raw["category"] not in known:
                raise RegistryError(f"{label}: unknown category {raw['category']!r}; known: {sorted(known)}")
            parts = tuple(str(p) for p in raw.get("parts") or ())
            variants = tuple(str(v) for v in raw.get("variants") or ())
            if len(parts) == 1:
                raise RegistryError(f"{label}: an enumeration needs at least two parts")
            min_parts = int(raw.get("min_parts", 2 if parts else 1))
            if parts and not 1 <= min_parts <= len(parts):
                raise RegistryError(f"{label}: min_parts must lie in 1..{len(parts)}, got {min_parts}")
            max_gap = int(raw.get("max_gap", 0))
            literals = list(parts) + ([] if parts else [raw["canonical"]]) + list(variants)
            for literal in literals:
                key = literal_key(literal)
                if not key:
                    raise RegistryError(f"{label}: empty literal {literal!r}")
                if key in owner:
                    raise RegistryError(f"{label}: {literal!r} is already listed by entry {owner[key]!r}")
                owner[key] = entry_id
            rows.append((entry_id, str(raw["canonical"]), raw["category"], parts, variants,
                         min_parts, max_gap, str(raw.get("note", "")).strip()))
        entries = pd.DataFrame(rows, columns=list(ENTRY_COLUMNS))
        return cls(str(data["name"]), str(data["version"]), str(data.get("source", "")).strip(),
                   categories, entries)

    def entry(self, key: str) -> pd.Series:
        """Return the entry whose ``entry_id`` or ``canonical`` form is `key`.

        Raises
        ------
        KeyError
            When no entry has that id or canonical form.
        """
        hit = self.entries[(self.entries["entry_id"] == key) | (self.entries["canonical"] == key)]
        if hit.empty:
            raise KeyError(f"{key!r} is neither an entry_id nor a canonical form of registry {self.name!r}")
        return hit.iloc[0]

    @cached_property
    def _matcher(self) -> _Matcher:
        lookup: dict[str, tuple[int, int, str]] = {}
        sequences = []
        for row, entry in enumerate(self.entries.itertuples(index=False)):
            literals = [(p, i, "full") for i, p in enumerate(entry.parts)]
            if not entry.parts:
                literals.append((entry.canonical, -1, "full"))
            literals += [(v, -1, "variant") for v in entry.variants]
            for literal, part, kind in literals:
                lookup[literal_key(literal)] = (row, part, kind)
                sequences.append(literal_units(literal))
        return _Matcher(re.compile(trie_regex(sequences)), lookup)


def _registry_file(name: str):
    return resources.files("corpus_tools").joinpath("data", f"rhetoric-{name}.yaml")


@lru_cache(maxsize=8)
def _load_cached(name_or_path: str) -> Registry:
    import yaml

    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} and path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        resource = _registry_file(name_or_path)
        if not resource.is_file():
            raise FileNotFoundError(
                f"no registry {name_or_path!r}: neither a YAML file nor corpus_tools/data/rhetoric-{name_or_path}.yaml"
            )
        text = resource.read_text(encoding="utf-8")
    return Registry.from_mapping(yaml.safe_load(text))


def load_registry(name: str | Path = "dangshi-2021") -> Registry:
    """Load a registry of fixed expressions.

    Parameters
    ----------
    name : str or Path, default "dangshi-2021"
        A registry shipped with the package (``corpus_tools/data/rhetoric-<name>.yaml``) or the
        path of a YAML file of the same shape.

    Returns
    -------
    Registry
        Cached per name: repeated calls return the same object.

    Raises
    ------
    FileNotFoundError
        When there is no such registry.
    RegistryError
        When the file is malformed (see :meth:`Registry.from_mapping`).

    Examples
    --------
    >>> reg = load_registry()
    >>> reg.entry("xueshi-siju")["parts"]
    ('学史明理', '学史增信', '学史崇德', '学史力行')
    >>> list(reg.categories["category"])
    ['slogan', 'work_style', 'metaphor', 'people', 'activity']
    """
    return _load_cached(str(name))


def resolve_registry(registry: Registry | str | Path | None = None) -> Registry:
    """Turn the ``registry=`` argument of the rhetoric functions into a :class:`Registry`.

    Parameters
    ----------
    registry : Registry, str, path or None
        A registry (returned as is), the name of a packaged registry or a YAML file's path
        (loaded with :func:`load_registry`), or None for the package default
        (``"dangshi-2021"``).

    Returns
    -------
    Registry

    Examples
    --------
    >>> resolve_registry() is resolve_registry("dangshi-2021")
    True
    """
    if registry is None:
        return load_registry()
    if isinstance(registry, Registry):
        return registry
    return load_registry(registry)


def match_registry(corpus, registry: Registry | str | None = None, *, n_jobs: int | None = None) -> pd.DataFrame:
    """Find every registry expression in every document.

    Parameters
    ----------
    corpus : Corpus
        Matching runs on the cleaned bodies, :attr:`Corpus.texts`.
    registry : Registry or str, optional
        A registry or the name of one; by default ``load_registry("dangshi-2021")``.
    n_jobs : int or None, default None
        Processes: the documents are searched in chunks (:func:`~corpus_tools.rhetoric.text.detect_in_chunks`),
        in parallel from :data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` characters on when
        ``None``; ``1`` in this process. The table is the same whatever `n_jobs`.

    Returns
    -------
    pandas.DataFrame
        One row per mention, in document order: ``doc_id, unit_id`` (the paragraph),
        ``entry_id, canonical, category`` (categorical, in registry order), ``match_type``
        (``full``: the canonical form or every part of an enumeration; ``partial``: at least
        ``min_parts`` but not all parts; ``variant``: a listed variant), ``n_parts_matched,
        n_parts`` (1 and 1 for single phrases), ``start, end`` (character offsets into
        ``corpus.texts[doc_id]``) and ``text`` (the matched original text, quotation marks
        included).

    Notes
    -----
    Quotation marks and spaces are ignored, so “学史明理”“学史增信” is an enumeration of two
    parts. Matches never overlap: at each position the longest literal wins (永远跟党走 is not
    also counted as 跟党走), scanning left to right.

    Parts of an enumeration join into one mention when only separators (、，,；; at most two)
    or one conjunction (和与及) stand between them, in any order, each part at most once; an
    entry's ``max_gap`` allows that many further characters between parts (规定动作做到位、
    自选动作有特色), never across 。！？ or a paragraph. A repeated part starts a new mention.

    The whole registry is one regex built from a trie of its literals, run once per document,
    so time grows with the length of the corpus, not with the number of entries.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "坚持“学史明理”、“学史增信”，学史崇德 学史力行。学史力行，实干为民。",
    ...                           "b": "学党史、悟思想，走深走实，往深里走、往实里走。"})
    >>> hits = match_registry(corp)
    >>> hits[["doc_id", "entry_id", "match_type", "n_parts_matched", "text"]].values.tolist()
    ... # doctest: +NORMALIZE_WHITESPACE
    [['a', 'xueshi-siju', 'full', 4, '学史明理”、“学史增信”，学史崇德 学史力行'],
     ['a', 'xueshi-siju', 'partial', 1, '学史力行'],
     ['a', 'shigan-weimin', 'full', 1, '实干为民'],
     ['b', 'xuedangshi-siju', 'partial', 2, '学党史、悟思想'],
     ['b', 'zoushen-zoushi', 'full', 1, '走深走实'],
     ['b', 'zoushen-zoushi', 'variant', 1, '往深里走、往实里走']]
    """
    return detect_in_chunks(functools.partial(_match_registry, registry=resolve_registry(registry)), corpus,
                            n_jobs=n_jobs, desc="registry expressions")


def _match_registry(corpus, registry: Registry) -> pd.DataFrame:
    matcher = registry._matcher
    entries = registry.entries
    ids, canon, cats = entries["entry_id"].tolist(), entries["canonical"].tolist(), entries["category"].tolist()
    n_parts = [len(p) for p in entries["parts"]]
    min_parts, max_gap = entries["min_parts"].tolist(), entries["max_gap"].tolist()

    columns: dict[str, list] = {c: [] for c in MATCH_COLUMNS}
    for doc in iter_docs(corpus):
        squeezed, index = squeeze(doc.text)
        found: list[tuple[int, int, int, str, int]] = []  # (s, e, row, match_type, n_matched)
        open_runs: dict[int, list] = {}  # row -> [start, end, set of parts]

        def close(row: int, run: list) -> None:
            matched = len(run[2])
            if matched == n_parts[row]:
                found.append((run[0], run[1], row, "full", matched))
            elif matched >= min_parts[row]:
                found.append((run[0], run[1], row, "partial", matched))

        for match in matcher.regex.finditer(squeezed):
            row, part, kind = matcher.lookup[literal_key(match.group())]
            start, end = match.span()
            if part < 0:
                found.append((start, end, row, kind, max(1, n_parts[row])))
                continue
            run = open_runs.get(row)
            if run is not None and part not in run[2] and _joins(squeezed[run[1]:start], max_gap[row]):
                run[1] = end
                run[2].add(part)
                continue
            if run is not None:
                close(row, run)
            open_runs[row] = [start, end, {part}]
        for row, run in open_runs.items():
            close(row, run)
        if not found:
            continue
        found.sort()
        starts = np.array([index[s] for s, *_ in found], dtype=np.int64)
        ends = np.array([index[e - 1] + 1 for _, e, *_ in found], dtype=np.int64)
        columns["doc_id"] += [doc.doc_id] * len(found)
        columns["unit_id"] += doc.unit_ids(starts)
        columns["entry_id"] += [ids[f[2]] for f in found]
        columns["canonical"] += [canon[f[2]] for f in found]
        columns["category"] += [cats[f[2]] for f in found]
        columns["match_type"] += [f[3] for f in found]
        columns["n_parts_matched"] += [f[4] for f in found]
        columns["n_parts"] += [max(1, n_parts[f[2]]) for f in found]
        columns["start"] += starts.tolist()
        columns["end"] += ends.tolist()
        columns["text"] += [doc.text[s:e] for s, e in zip(starts.tolist(), ends.tolist())]
    table = pd.DataFrame(columns)
    table["category"] = pd.Categorical(table["category"], categories=list(registry.categories["category"]))
    for column in ("n_parts_matched", "n_parts", "start", "end"):
        table[column] = table[column].astype("int64")
    return table


def _joins(gap: str, max_gap: int) -> bool:
    """Whether two parts with `gap` between them (squeezed text) belong to one mention."""
    if _ADJACENT_GAP_RE.fullmatch(gap):
        return True
    return 0 < max_gap and len(gap) <= max_gap and not _SENTENCE_END_RE.search(gap)


class _LayerCorpus:
    """The texts of one layer, shaped like a corpus for the matchers (they read ``.texts``)."""

    def __init__(self, texts: pd.Series) -> None:
        self.texts = texts


def layer_texts(corpus, layer: str) -> pd.Series:
    """The text of one layer per document (every document, ``""`` when it has none).

    Parameters
    ----------
    corpus : Corpus
    layer : {"body", "title", "heading"}
        ``body`` is :attr:`Corpus.texts`; the others join the document's blocks of the layer's
        kinds (:data:`LAYERS`), in document order, one per line.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "甲区推进学史力行\\n\\n全区上下学史明理、学史增信、学史崇德、学史力行，掀起热潮。"})
    >>> layer_texts(corp, "title").tolist(), layer_texts(corp, "body").str.len().tolist()
    (['甲区推进学史力行'], [29])
    """
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {sorted(LAYERS)}, got {layer!r}")
    if layer == "body":
        return corpus.texts.fillna("").astype(str)
    blocks = corpus.blocks
    chosen = blocks[blocks["kind"].isin(LAYERS[layer])]
    joined = chosen.sort_values(["doc_id", "block_no"], kind="mergesort").groupby("doc_id", sort=False)["text"].agg("\n".join)
    return joined.reindex(corpus.texts.index, fill_value="").astype(str)


def match_layers(corpus, registry: Registry | str | None = None, *, layers=tuple(LAYERS)) -> pd.DataFrame:
    """Find registry expressions in each text layer: body, title/subtitle and headings.

    Parameters
    ----------
    corpus : Corpus
    registry : Registry or str, optional
        As in :func:`match_registry`.
    layers : sequence of str, default every layer of :data:`LAYERS`

    Returns
    -------
    pandas.DataFrame
        ``layer`` then the columns of :func:`match_registry`; ``start, end`` and ``unit_id``
        point into :func:`layer_texts` of that layer (for ``body``, into ``corpus.texts``).

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "甲区推进学史力行\\n\\n全区上下学史明理、学史增信、学史崇德、学史力行，掀起热潮。"})
    >>> match_layers(corp)[["layer", "match_type"]].values.tolist()
    [['body', 'full'], ['title', 'partial']]
    """
    tables = []
    for layer in layers:
        texts = layer_texts(corpus, layer)
        found = match_registry(_LayerCorpus(texts), registry)
        found.insert(0, "layer", layer)
        tables.append(found)
    table = pd.concat(tables, ignore_index=True)
    table["layer"] = pd.Categorical(table["layer"], categories=list(layers))
    return table


def layer_rates(corpus, matches: pd.DataFrame, *, by: str | None = "group") -> pd.DataFrame:
    """Mentions per layer and group, with rates per 10,000 characters of that layer.

    Parameters
    ----------
    corpus : Corpus
    matches : pandas.DataFrame
        :func:`match_layers`.
    by : str or None, default "group"
        A docvar, grouped by :func:`corpus_tools.corpus.metadata.group_labels`; None gives one row
        per layer for the whole corpus.

    Returns
    -------
    pandas.DataFrame
        One row per (group, layer) — per layer when `by` is None: ``group`` (unless `by` is
        None), ``layer``, ``n_docs`` (documents with text in the layer), ``count``
        (mentions), ``n_chars`` (characters of the layer, line breaks not counted) and
        ``per_10k_chars`` (NaN when the layer is empty).

    Notes
    -----
    A title is a few dozen characters, so one slogan in it is a high rate: compare layers by
    their rates, and read the counts beside them.
    """
    layers = list(matches["layer"].cat.categories) if hasattr(matches["layer"], "cat") else list(pd.unique(matches["layer"]))
    if by is None:
        keys = pd.Series("all", index=corpus.docvars.index)
    else:
        keys = group_labels(corpus.docvars, by).astype(str)
    rows = []
    for layer in layers:
        texts = layer_texts(corpus, layer)
        chars = texts.str.replace("\n", "", regex=False).str.len()
        counts = matches[matches["layer"] == layer].groupby("doc_id").size().reindex(texts.index, fill_value=0)
        frame = pd.DataFrame({"group": keys.reindex(texts.index).to_numpy(), "chars": chars.to_numpy(),
                              "count": counts.to_numpy()})
        for group, part in frame.groupby("group", sort=True):
            n_chars = int(part["chars"].sum())
            rows.append({"group": group, "layer": layer, "n_docs": int((part["chars"] > 0).sum()),
                         "count": int(part["count"].sum()), "n_chars": n_chars,
                         "per_10k_chars": part["count"].sum() / n_chars * 10_000 if n_chars else float("nan")})
    table = pd.DataFrame(rows, columns=["group", "layer", "n_docs", "count", "n_chars", "per_10k_chars"])
    return table.drop(columns="group") if by is None else table
