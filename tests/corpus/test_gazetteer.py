"""Tests for corpus_tools.corpus.gazetteer: the packaged administrative divisions and their forms.

Known answers come from PRC administrative geography (who belongs to whom).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools.corpus import gazetteer as gazetteer_module
from corpus_tools.corpus.gazetteer import gazetteer

ROOT = Path(__file__).resolve().parents[2]
GAZETTEER_DIR = ROOT / "corpus_tools" / "data" / "gazetteer"


def _units(name: str) -> list[int]:
    gaz = gazetteer()
    return [i for i, n in enumerate(gaz.name) if n == name]


def _chain(index: int) -> list[str]:
    gaz = gazetteer()
    return [gaz.name[a] for a in reversed(gaz.ancestors(index))]



# --------------------------------------------------------------------------- the gazetteer data


def test_provenance_records_the_shipped_table():
    provenance = (GAZETTEER_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    table = (GAZETTEER_DIR / "china_admin_divisions.tsv.gz").read_bytes()
    assert hashlib.sha256(table).hexdigest() in provenance
    assert "jionlp" in provenance and "1.5.31" in provenance and "Apache License 2.0" in provenance
    assert re.search(r"wheel sha256 \| `[0-9a-f]{64}`", provenance)
    assert "Apache License" in (GAZETTEER_DIR / "LICENSE-jionlp.txt").read_text(encoding="utf-8")
    assert len(table) < 3_000_000  # "a few MB at most"


def test_table_columns_and_levels():
    with gzip.open(GAZETTEER_DIR / "china_admin_divisions.tsv.gz", "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
    assert header == ["unit_id", "level", "admin_type", "name", "short", "aliases", "former",
                      "province_id", "city_id", "county_id"]
    gaz = gazetteer()
    counts = pd.Series(gaz.level).value_counts()
    # 31 mainland provincial units + 台湾/香港/澳门; ~333 prefectures; ~2,850 county-level units
    assert counts["province"] == 34
    assert 330 <= counts["city"] <= 345
    assert 2_800 <= counts["county"] <= 3_100
    assert counts["town"] > 35_000


@pytest.mark.parametrize(
    ("name", "chain"),
    [
        ("槐荫区", ["山东省", "济南市", "槐荫区"]),
        ("召陵区", ["河南省", "漯河市", "召陵区"]),
        ("武隆区", ["重庆市", "重庆市", "武隆区"]),  # municipality: province and city are one name
        ("武陵区", ["湖南省", "常德市", "武陵区"]),
        ("桂阳县", ["湖南省", "郴州市", "桂阳县"]),
        ("土默特左旗", ["内蒙古自治区", "呼和浩特市", "土默特左旗"]),
        ("沿河土家族自治县", ["贵州省", "铜仁市", "沿河土家族自治县"]),
        ("共和县", ["青海省", "海南藏族自治州", "共和县"]),
        ("仙桃市", ["湖北省", "仙桃市"]),  # directly under the province
        ("虎门镇", ["广东省", "东莞市", "虎门镇"]),  # a city without counties
    ],
)
def test_units_hang_under_the_right_parents(name, chain):
    assert chain in [_chain(i) for i in _units(name)]


def test_shared_names_are_kept_apart():
    assert {_chain(i)[1] for i in _units("市中区")} == {"乐山市", "内江市", "枣庄市", "济南市"}
    assert {_chain(i)[1] for i in _units("鼓楼区")} == {"开封市", "南京市", "徐州市", "福州市"}
    assert {tuple(_chain(i)[:2]) for i in _units("朝阳区")} == {("北京市", "北京市"), ("吉林省", "长春市")}


@pytest.mark.parametrize(
    ("surface", "name", "kind"),
    [
        ("土左旗", "土默特左旗", "short"),
        ("沿河自治县", "沿河土家族自治县", "alias"),
        ("沿河县", "沿河土家族自治县", "alias"),
        ("大理州", "大理白族自治州", "alias"),
        ("恩施州", "恩施土家族苗族自治州", "alias"),
        ("海南州", "海南藏族自治州", "alias"),
        ("襄樊市", "襄阳市", "former"),
        ("下城区", "拱墅区", "former"),
        ("济南市中区", "市中区", "compound"),
        ("漯河市召陵区", "召陵区", "compound"),
    ],
)
def test_short_forms_aliases_and_former_names(surface, name, kind):
    entries = gazetteer().forms[surface]
    assert [(gazetteer().name[u], k) for u, k, _ in entries] == [(name, kind)]


def test_common_word_short_forms_are_weak():
    gaz = gazetteer()
    for surface in ("和平", "新华", "中山", "城关", "振兴", "比如"):
        assert all(weak for _, _, weak in gaz.forms[surface]), surface
    assert not any(weak for _, _, weak in gaz.forms["槐荫"])
    assert "人民" not in gaz.forms or all(weak for _, _, weak in gaz.forms["人民"])


def test_nothing_is_loaded_at_import():
    code = ("import corpus_tools.corpus.locality, corpus_tools.corpus.gazetteer as g, sys; "
            "print(g.gazetteer.cache_info().currsize, g.automaton.cache_info().currsize, 'ahocorasick_rs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0", "False"]


def test_gazetteer_and_automaton_are_built_once():
    # How long building takes is measured in benchmarks/locality_accuracy.py --speed, not here.
    gazetteer_module.gazetteer.cache_clear()
    gazetteer_module.automaton.cache_clear()
    automaton = gazetteer_module.automaton()
    assert gazetteer_module.automaton() is automaton and gazetteer_module.gazetteer() is gazetteer_module.gazetteer()


# --------------------------------------------------------------------------- issue 14: data rules


def test_a_prefecture_without_a_short_form_is_called_by_its_stem():
    # the source lists 阿里地区 and 兴安盟 with their full names as short forms; reports write
    # 阿里 and 兴安. 阿里 is also Alibaba's everyday name, 兴安 three units' short form: both weak
    gaz = gazetteer()
    assert [(gaz.name[u], kind, weak) for u, kind, weak in gaz.forms["阿里"]] == [("阿里地区", "short", True)]
    assert ("兴安盟", "short", True) in [(gaz.name[u], kind, weak) for u, kind, weak in gaz.forms["兴安"]]


def test_a_variant_spelling_in_use_finds_its_unit():
    gaz = gazetteer()
    (unit, kind, weak), = gaz.forms["扬芬港镇"]
    assert (gaz.name[unit], kind, weak) == ("杨芬港镇", "alias", False)
    assert _chain(unit) == ["河北省", "廊坊市", "霸州市", "杨芬港镇"]


def _build_script():
    import importlib.util

    if "build_gazetteer" not in sys.modules:  # its dataclass needs the module registered
        spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["build_gazetteer"] = module
        spec.loader.exec_module(module)
    return sys.modules["build_gazetteer"]


def test_build_script_stem_shorts_only_for_prefectures_of_type_diqu_and_meng_without_one():
    build = _build_script()
    units = [
        build.Unit("1", "city", "地区", "甲乙地区", ["甲乙地区"], "0"),
        build.Unit("2", "city", "盟", "丙丁盟", [], "0"),
        build.Unit("3", "city", "地区", "戊己地区", ["戊己"], "0"),  # has one already
        build.Unit("4", "city", "地级市", "庚辛市", ["庚辛市"], "0"),  # not a 地区/盟
        build.Unit("5", "city", "盟", "壬盟", ["壬盟"], "0"),  # a one-character stem is too short
    ]
    assert build.add_stem_shorts(units) == ["甲乙地区", "丙丁盟"]
    assert [u.short for u in units] == [["甲乙"], ["丙丁"], ["戊己"], ["庚辛市"], ["壬盟"]]


def test_build_script_variant_spellings_attach_by_province_and_name(monkeypatch):
    build = _build_script()
    monkeypatch.setattr(build, "VARIANT_SPELLINGS", {("甲省", "乙镇"): ("已镇",), ("丙省", "丁镇"): ("订镇",)})
    units = [
        build.Unit("p1", "province", "省", "甲省", [], "p1"),
        build.Unit("t1", "town", "镇", "乙镇", [], "p1"),
        build.Unit("p2", "province", "省", "戊省", [], "p2"),
        build.Unit("t2", "town", "镇", "乙镇", [], "p2"),  # same name, another province: untouched
    ]
    assert build.add_variant_spellings(units) == ["丙省 丁镇"]  # an entry that found no unit is reported
    assert [u.aliases for u in units] == [[], ["已镇"], [], []]
