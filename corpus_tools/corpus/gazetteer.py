"""The gazetteer: China's administrative divisions as package data, loaded once per process.

This module owns reading ``corpus_tools/data/gazetteer/china_admin_divisions.tsv.gz`` (built by
``scripts/build_gazetteer.py`` from JioNLP's tree, see ``PROVENANCE.md``) into a
:class:`Gazetteer`: the units, their ancestors, and every surface form a text may use for one
(full names, official short forms, generated aliases, former names, city+district compounds,
county names as districts). :mod:`corpus_tools.corpus.locality` infers a document's locality
from it. Nothing is loaded at import time.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["ADMIN_LEVELS", "GENERIC_FULL", "Gazetteer", "automaton", "gazetteer"]

#: Values of ``admin_level``: the level of the unit the document is about. ``district`` is a
#: 区 (市辖区), ``county`` any other county-level unit (县, 县级市, 自治县, 旗, 林区), ``town`` a
#: 镇/乡/苏木, ``street`` a 街道. A municipality as a whole (重庆市) is ``city``.
ADMIN_LEVELS = ("province", "city", "district", "county", "town", "street")

_GAZETTEER_FILE = "china_admin_divisions.tsv.gz"

#: Full names that are also generic words of local prose ("打造新城区"), weak forms like all
#: names of one or two characters (城区, 矿区, 攸县, 沙县). Such a name never decides from its own
#: mentions: it needs a related unit named with it (洛阳, 河南) or two institutional mentions
#: (老城区委…, 老城区人民政府…); a text about Beijing's 城市副中心 that mentions "the old town"
#: (老城区) is not about 洛阳市老城区.
GENERIC_FULL = frozenset({"新城区", "高新区", "开发区", "新区", "城关区", "城中区", "城东区", "城西区", "城南区", "城北区",
                           "城区", "矿区", "郊区", "东区", "西区", "南区", "北区", "中区", "老城区", "古城区", "新市区",
                           "港区", "园区", "景区", "林区", "市区"})


@dataclass(frozen=True)
class Gazetteer:
    """The administrative divisions as parallel tuples, one entry per unit (index = position).

    Attributes
    ----------
    unit_id, level, admin_type, name : tuple of str
        ``level`` is ``province``, ``city``, ``county`` or ``town``.
    parent : tuple of int
        Index of the nearest real ancestor, ``-1`` for provinces.
    province, city, county : tuple of int
        Index of the unit's ancestor at that level (the unit itself at its own level), or -1.
    forms : dict
        ``surface -> tuple of (unit index, form kind, weak)``; kinds are ``full``, ``alias``,
        ``short``, ``former``, ``compound`` and ``renamed`` (a county's name as a district,
        湟中区 for 湟中县, where no unit holds that name).
    """

    unit_id: tuple[str, ...]
    level: tuple[str, ...]
    admin_type: tuple[str, ...]
    name: tuple[str, ...]
    parent: tuple[int, ...]
    province: tuple[int, ...]
    city: tuple[int, ...]
    county: tuple[int, ...]
    forms: dict[str, tuple[tuple[int, str, bool], ...]]

    def ancestors(self, index: int) -> list[int]:
        """The unit and its ancestors, deepest first."""
        chain = []
        while index >= 0:
            chain.append(index)
            index = self.parent[index]
        return chain

    def admin_level(self, index: int) -> str:
        """The ``admin_level`` value of a unit (see :data:`ADMIN_LEVELS`)."""
        level, kind = self.level[index], self.admin_type[index]
        if level == "county":
            return "district" if kind in {"区", "林区", "特区"} else "county"
        if level == "town":
            return "street" if kind == "街道" else "town"
        if level == "province" and kind == "直辖市":
            return "city"
        return level


def _read_table() -> list[dict[str, str]]:
    path = resources.files("corpus_tools").joinpath("data", "gazetteer", _GAZETTEER_FILE)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as error:
        raise FileNotFoundError(
            f"gazetteer data {path} is missing; regenerate it with scripts/build_gazetteer.py"
        ) from error
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Load the packaged gazetteer (once per process).

    Returns
    -------
    Gazetteer

    Examples
    --------
    >>> gaz = gazetteer()
    >>> [gaz.name[i] for i, *_ in gaz.forms["漯河市召陵区"]]
    ['召陵区']
    """
    rows = _read_table()
    index = {row["unit_id"]: i for i, row in enumerate(rows)}

    def idx(key: str) -> int:
        return index.get(key, -1) if key else -1

    level = tuple(r["level"] for r in rows)
    name = tuple(r["name"] for r in rows)
    province = tuple(idx(r["province_id"]) for r in rows)
    city = tuple(idx(r["city_id"]) if r["level"] != "city" else i for i, r in enumerate(rows))
    city = tuple(c if level[i] != "province" else -1 for i, c in enumerate(city))
    county = tuple(i if r["level"] == "county" else idx(r["county_id"]) for i, r in enumerate(rows))
    parent = []
    for i, r in enumerate(rows):
        if r["level"] == "province":
            parent.append(-1)
        elif r["level"] == "city":
            parent.append(province[i])
        elif r["level"] == "county":
            parent.append(city[i] if city[i] >= 0 else province[i])
        else:
            parent.append(next(a for a in (county[i], city[i], province[i]) if a >= 0))

    forms: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)

    def add(surface: str, unit: int, kind: str, weak: bool) -> None:
        if surface and all(u != unit for u, _, _ in forms[surface]):
            forms[surface].append((unit, kind, weak))

    municipalities = {name[i] for i, r in enumerate(rows) if r["admin_type"] == "直辖市" and level[i] == "city"}
    for i, r in enumerate(rows):
        if level[i] == "province" and name[i] in municipalities:
            continue  # 重庆市 the province and 重庆市 the city are one name: index the city only
        full = name[i]
        add(full, i, "full", len(full) <= 2 or full in GENERIC_FULL)
        for alias in filter(None, r["aliases"].split("|")):
            add(alias, i, "alias", False)
        for short in filter(None, r["short"].split("|")):
            common = short.startswith("~")
            short = short.lstrip("~")
            if short != full and level[i] != "town":
                add(short, i, "short", common or len(short) <= 1)
        for former in filter(None, r["former"].split("|")):
            add(former.split("@")[0], i, "former", False)
        # 济南市中区 is how 济南市市中区 is written: the city's 市 and the district's 市 are one
        # character, so the compound must be a form of its own for a longest match to see it
        if level[i] == "county" and city[i] >= 0 and full.startswith("市") and name[city[i]].endswith("市"):
            add(name[city[i]][:-1] + full, i, "compound", False)
        if level[i] == "county" and city[i] >= 0:
            add(name[city[i]] + full, i, "compound", False)
    # 撤县设区: many counties became districts after the gazetteer's source was drawn (湟中县 ->
    # 湟中区 in 2019). The district form of a county's name, where no unit holds it, reads as the
    # county (weak if the county's short form is a common word: 平原县 -> 平原区 is a landform)
    for i in range(len(rows)):
        if level[i] == "county" and rows[i]["admin_type"] == "县" and len(name[i]) >= 3 and name[i].endswith("县"):
            renamed = name[i][:-1] + "区"
            if renamed not in forms:
                stem_weak = any(w for _, k, w in forms.get(name[i][:-1], ()) if k == "short")
                add(renamed, i, "renamed", stem_weak)
    # a two-character short form shared by several units is weak whatever the hand list says
    frozen: dict[str, tuple[tuple[int, str, bool], ...]] = {}
    for surface, entries in forms.items():
        ambiguous = len({u for u, _, _ in entries}) > 1
        frozen[surface] = tuple(
            (u, kind, weak or (ambiguous and kind == "short" and len(surface) <= 2)) for u, kind, weak in entries
        )
    return Gazetteer(
        unit_id=tuple(r["unit_id"] for r in rows),
        level=level,
        admin_type=tuple(r["admin_type"] for r in rows),
        name=name,
        parent=tuple(parent),
        province=province,
        city=city,
        county=county,
        forms=frozen,
    )


@lru_cache(maxsize=1)
def automaton() -> tuple[Any, tuple[str, ...]]:
    """Return the Aho–Corasick automaton over every surface form, and the forms in its order.

    Matches are leftmost-longest (天桥街道, not the 天桥 inside it). Built once per process.

    Returns
    -------
    tuple
        ``(automaton, surfaces)``: an ``ahocorasick_rs.AhoCorasick`` whose match index ``i``
        is the form ``surfaces[i]`` (a key of :attr:`Gazetteer.forms`).
    """
    # ahocorasick_rs, not pyahocorasick: with ~3,000 distinct first characters pyahocorasick's
    # root node is scanned linearly per character of text, which made locality inference a
    # fifth of all cleaning time; the Rust automaton is ~20x faster, with identical matches.
    import ahocorasick_rs  # the one module that needs it; imported on first use

    surfaces = tuple(gazetteer().forms)
    matcher = ahocorasick_rs.AhoCorasick(surfaces, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    return matcher, surfaces


