"""Regenerate the gazetteer of PRC administrative divisions shipped in corpus_tools/data/gazetteer/.

The source is the administrative-division tree that the maintained package JioNLP ships as
package data (``jionlp/dictionary/china_location.zip`` and ``china_location_change.txt``,
Apache License 2.0). JioNLP is *not* a dependency of this project: this script reads the
pinned wheel, checks its SHA-256, and writes a compact table (province, prefecture, county and
town/street levels; villages are dropped) with official short forms, generated aliases and
former names.

Usage::

    .venv/bin/python scripts/build_gazetteer.py               # pip download the pinned wheel
    .venv/bin/python scripts/build_gazetteer.py --wheel PATH  # use a wheel already downloaded

Outputs (overwritten):

* ``corpus_tools/data/gazetteer/china_admin_divisions.tsv.gz`` — one row per unit;
* ``corpus_tools/data/gazetteer/LICENSE-jionlp.txt`` — the licence of the source;
* ``corpus_tools/data/gazetteer/PROVENANCE.md`` — source, version, hashes, licence, date.

The output is deterministic (sorted rows, gzip without a timestamp), so running the script
twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gzip
import hashlib
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "jionlp"
VERSION = "1.5.31"
WHEEL_NAME = f"{PACKAGE}-{VERSION}-py2.py3-none-any.whl"
WHEEL_SHA256 = "688ba3793c5c0888b166ae1b11aaf6161db661a162019e77ffcf5951427e528f"
TREE_MEMBER = "jionlp/dictionary/china_location.zip"
TREE_FILE = "china_location.txt"
CHANGE_MEMBER = "jionlp/dictionary/china_location_change.txt"
LICENSE_MEMBER = f"{PACKAGE}-{VERSION}.dist-info/licenses/LICENSE"

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "corpus_tools" / "data" / "gazetteer"
OUT_TABLE = "china_admin_divisions.tsv.gz"

COLUMNS = (
    "unit_id",  # official 6-digit code; prefecture nodes of the four municipalities get <code>+100; towns t<county><nnn>
    "level",  # province | city | county | town
    "admin_type",  # 省 自治区 直辖市 特别行政区 | 地级市 地区 自治州 盟 | 区 县 县级市 自治县 旗 自治旗 林区 特区 其他 | 镇 乡 街道 苏木
    "name",  # full official name
    "short",  # official short form(s) from the source, "|"-separated (may be ambiguous or a common word)
    "aliases",  # generated safe alternative forms, "|"-separated
    "former",  # former names (from the change list), "|"-separated, each as name@YYYY-MM-DD
    "province_id",
    "city_id",  # empty for county-level units directly under a province (济源市, 仙桃市 ...)
    "county_id",  # towns only; empty for towns directly under a city without counties (东莞市 ...)
)

# Units whose prefecture level is "province-administered" (省直辖行政区划) or whose county level
# is "city-administered" (市直辖行政区划) are pseudo nodes in the source: their children hang
# directly under the next real ancestor.
_PSEUDO = {"省直辖行政区划", "市直辖行政区划", "县直辖行政区划", "区直辖行政区划"}
_MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
# Taiwan, Hong Kong and Macau: only the province-level unit is kept. Their district names
# (中山区, 大同区, 文山区 ...) would add false homonyms to mainland places and are not the
# localities of a mainland campaign corpus.
_PROVINCE_ONLY = {"台湾省", "香港特别行政区", "澳门特别行政区"}
_TOWN_SUFFIX_RE = re.compile(r"(街道|镇|乡|苏木)$")
_ETHNIC_RE = re.compile(
    r"(?:[\u4e00-\u9fff]{1,6}?族)+(?:自治[州县旗乡]|[乡镇苏木])$"
)
_ETHNIC_GROUP_RE = re.compile(
    r"(蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺)族?"
)

# Official short forms that are also everyday words of official prose (比如 is 比如县, 振兴 is
# 振兴区, 会同 is 会同县, 全州 is 全州县 and also "the whole prefecture"). Hand-made: jieba's
# part-of-speech tags cannot be used for this (its dictionary tags 合肥, 孝感 and 石首 as nouns
# and 保定 as a verb). Such a form is kept but marked weak: it counts only when a co-mentioned
# higher- or lower-level unit supports it (see corpus_tools.corpus.locality).
COMMON_SHORTS = frozenset("""
和平 中山 人民 新华 城关 东方 长安 太平 白云 青山 永和 和顺 平安 新城 红旗 胜利 前进 团结 先锋 光明
安宁 永安 江北 江南 城中 城东 城西 城南 城北 市中 市北 市南 高新 金山 宝山 普陀 鼓楼 朝阳 海南 大理
吉林 河口 南关 北关 东城 西城 南湖 西湖 东湖 龙湖 天河 江海 海港 双桥 石桥 新兴 兴隆 铁西 铁东 泰山
华山 衡山 东海 南海 北海 长寿 万年 仁和 公安 武功 红星 东风 星火 曙光 利民 富民 共和 保安 安定 兴业
兴国 合作 互助 乐业 方正 中方 大方 大名 新民 安康 江城 龙城 古城 老城 大同 太和 文山 清河 青河 比如
南部 解放 港口 友好 通道 开封 延长 运河 光泽 南岸 赤壁 会同 工农 富裕 清水 前锋 复兴 长子 清新 宏伟
平定 芙蓉 洞口 石门 振兴 三元 莲花 名山 六合 全州 桃源 大观 建安 二七 台前 石棉 丰满 九龙 民权 小店
同心 天涯 七星 海棠 回民 江岸 金门 黑水 安居 大通 麒麟 镇远 灵台 清流 水城 紫金 爱民 新星 天台 开化
天心 天元 天柱 五台 铜鼓 大厂 大安 金牛 三台 路南 路北 三水 石鼓 海门 小金 集贤 政和 大化 双塔 梨树
定边 永定 天长 五常 八步 光山 未央 华安 会理 新田 城厢 新源 交口 斗门 进贤 五华 新化 雨花 金水 双城
高要 安化 定兴 民和 平和 永福 永新 建华 建平 三门 方城 高台 平房 灯塔 七里 全南 全椒 发展 建设 文明
惠民 民乐 长治 康乐 友谊 江口 新乡 江山 中原 海西 宁远 安远 泰和 修文 文昌 大新 东兴 昌平 长丰 丰收
阿里
""".split())

# Prefecture-level 地区 and 盟 are called by their stem (阿里 for 阿里地区, 兴安 for 兴安盟: 推动阿里工作),
# but the source gives a few of them no short form but the full name: the stem becomes one.
_STEM_SHORT_TYPES = ("地区", "盟")

# Spellings in use besides the source's, by (province, unit): the local government writes
# 扬芬港镇 for the source's 杨芬港镇. Kept as aliases of the unit, so that a text using either
# spelling finds it; each entry names the unit's province so that it can never attach elsewhere.
VARIANT_SPELLINGS = {
    ("河北省", "杨芬港镇"): ("扬芬港镇",),
}


@dataclass
class Unit:
    unit_id: str
    level: str
    admin_type: str
    name: str
    short: list[str]
    province_id: str
    city_id: str = ""
    county_id: str = ""
    aliases: list[str] = field(default_factory=list)
    former: list[str] = field(default_factory=list)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(target: Path) -> Path:
    """Download the pinned wheel with pip (no dependencies) into ``target``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"{PACKAGE}=={VERSION}", "--no-deps", "--only-binary=:all:",
         "-d", str(target)],
        check=True,
    )
    wheel = target / WHEEL_NAME
    if not wheel.exists():
        raise FileNotFoundError(f"pip download did not produce {wheel}")
    return wheel


def county_type(name: str) -> str:
    for suffix, kind in (("自治县", "自治县"), ("自治旗", "自治旗"), ("林区", "林区"), ("特区", "特区"), ("区", "区"),
                         ("县", "县"), ("市", "县级市"), ("旗", "旗")):
        if name.endswith(suffix):
            return kind
    return "其他"


def city_type(name: str) -> str:
    for suffix, kind in (("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市", "地级市")):
        if name.endswith(suffix):
            return kind
    return "其他"


def province_type(name: str) -> str:
    if name in _MUNICIPALITIES:
        return "直辖市"
    for suffix in ("特别行政区", "自治区", "省"):
        if name.endswith(suffix):
            return suffix
    return "其他"


def strip_ethnic(name: str) -> str:
    """沿河土家族自治县 -> 沿河; 南美拉祜族乡 -> 南美 (the place part before the ethnic names)."""
    match = _ETHNIC_GROUP_RE.search(name)
    if match and match.start() >= 2:
        return name[: match.start()]
    return ""


def generated_aliases(unit: Unit, county_name: str = "") -> list[str]:
    """Forms a local report uses besides the full name, restricted to ones that are safe alone."""
    name = unit.name
    out: list[str] = []
    if unit.level == "city" and unit.admin_type == "自治州":
        stem = strip_ethnic(name) or (unit.short[0] if unit.short else "")
        if stem:
            out.append(f"{stem}州")  # 大理州, 恩施州, 湘西州, 黔东南州, 海南州
    if unit.level == "county" and unit.admin_type in {"自治县", "自治旗"}:
        stem = strip_ethnic(name)
        if stem:
            suffix = "县" if unit.admin_type == "自治县" else "旗"
            out += [f"{stem}自治{suffix}", f"{stem}{suffix}"]  # 沿河自治县, 沿河县
    if unit.level == "town" and name.endswith("乡") and _ETHNIC_GROUP_RE.search(name):
        stem = strip_ethnic(name)
        if stem:
            out.append(f"{stem}乡")
    if unit.level == "town" and county_name and name.startswith(county_name) and len(name) - len(county_name) >= 3:
        out.append(name[len(county_name):])  # the source writes 召陵区万金镇 for 万金镇 of 召陵区
    # Three-character-or-longer official short forms with a suffix of their own (土左旗, 莫旗 is
    # two characters but ends in 旗) are as specific as the full name.
    return [a for a in dict.fromkeys(out) if a != name and len(a) >= 3]


def parse_tree(text: str) -> list[Unit]:
    units: list[Unit] = []
    stack: dict[int, Unit | None] = {}
    town_seq: dict[str, int] = defaultdict(int)
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip("\t").split("\t")
        if depth >= 4:
            continue  # villages
        for deeper in [d for d in stack if d >= depth]:
            del stack[deeper]
        name = parts[0].strip()
        code = parts[1].strip() if len(parts) > 1 else ""
        short = [s for s in (parts[2].strip().split("/") if len(parts) > 2 else []) if s]
        province = stack.get(0)
        if depth == 0:
            unit = Unit(code, "province", province_type(name), name, short, code)
        elif province is None or province.name in _PROVINCE_ONLY:
            stack[depth] = None
            continue
        elif depth == 1:
            if name in _PSEUDO:
                stack[depth] = None
                continue
            unit_id = str(int(code) + 100) if name in _MUNICIPALITIES else code
            # a municipality's prefecture node is the municipality itself (重庆市 > 重庆市 > 武隆区)
            unit = Unit(unit_id, "city", "直辖市" if name in _MUNICIPALITIES else city_type(name), name, short,
                        province.unit_id)
        elif depth == 2:
            city = stack.get(1)
            if name in _PSEUDO or not code:
                stack[depth] = None
                continue
            unit = Unit(code, "county", county_type(name), name, short, province.unit_id,
                        city.unit_id if city else "")
        else:  # depth == 3: towns and streets
            if not _TOWN_SUFFIX_RE.search(name) or len(name) < 3:
                stack[depth] = None
                continue
            county, city = stack.get(2), stack.get(1)
            anchor = county.unit_id if county else (city.unit_id if city else province.unit_id)
            town_seq[anchor] += 1
            suffix = _TOWN_SUFFIX_RE.search(name).group(1)
            unit = Unit(f"t{anchor}{town_seq[anchor]:03d}", "town", suffix, name, [], province.unit_id,
                        city.unit_id if city else "", county.unit_id if county else "")
        stack[depth] = unit
        units.append(unit)
    return units


def apply_changes(units: list[Unit], change_text: str) -> list[str]:
    """Attach former names from the change list to the current units; return what was skipped."""
    by_path: dict[tuple[str, ...], Unit] = {}
    names = {u.unit_id: u.name for u in units}
    for u in units:
        if u.level == "city":
            by_path[(names[u.province_id], u.name)] = u
        elif u.level == "county":
            by_path[(names[u.province_id], names.get(u.city_id, ""), u.name)] = u
            by_path.setdefault((names[u.province_id], "", u.name), u)
    current = {u.name for u in units if u.level in {"city", "county"}}
    skipped: list[str] = []
    for line in change_text.splitlines():
        if not line.strip() or "=>" not in line:
            continue
        old, new = line.split("=>")
        old_parts, new_parts = old.split("\t"), new.split("\t")
        date = old_parts[0]
        old_names = old_parts[2::2][:3]  # province, city[, county] full names
        if len(old_names) < 2 or len(new_parts) < 2:
            skipped.append(line)
            continue
        key = tuple(new_parts[:3]) if len(new_parts) >= 3 else tuple(new_parts[:2])
        target = by_path.get(key) or (by_path.get((key[0], "", key[2])) if len(key) == 3 else None)
        old_name = old_names[-1]
        if target is None and len(key) == 3:
            # the change list writes 三江县 for today's 三江侗族自治县: match on the place stem
            stem = key[2][:2]
            matches = [u for p, u in by_path.items() if len(p) == 3 and p[0] == key[0] and p[1] == key[1]
                       and u.name.startswith(stem)]
            target = matches[0] if len(matches) == 1 else None
        if target is None:
            skipped.append(line)
            continue
        if old_name == target.name or len(old_name) < 3 or old_name in current:
            continue  # unchanged, too short to be safe (城区, 矿区) or the name of a current unit
        entry = f"{old_name}@{date}"
        if entry not in target.former and not any(f.startswith(f"{old_name}@") for f in target.former):
            target.former.append(entry)
    return skipped


def add_stem_shorts(units: list[Unit]) -> list[str]:
    """Give a prefecture-level 地区/盟 without a short form its stem as one; return the units changed."""
    changed = []
    for unit in units:
        if unit.level != "city" or unit.admin_type not in _STEM_SHORT_TYPES:
            continue
        if any(short != unit.name for short in unit.short):
            continue
        stem = unit.name.removesuffix(unit.admin_type)
        if len(stem) >= 2:
            unit.short = [stem]
            changed.append(unit.name)
    return changed


def add_variant_spellings(units: list[Unit]) -> list[str]:
    """Attach :data:`VARIANT_SPELLINGS` to their units as aliases; return the entries that found no unit."""
    names = {u.unit_id: u.name for u in units}
    found = set()
    for unit in units:
        for variant in VARIANT_SPELLINGS.get((names.get(unit.province_id, ""), unit.name), ()):
            if variant not in unit.aliases:
                unit.aliases.append(variant)
            found.add((names.get(unit.province_id, ""), unit.name))
    return [f"{province} {name}" for province, name in VARIANT_SPELLINGS if (province, name) not in found]


def common_shorts(units: list[Unit]) -> set[str]:
    """The official short forms of the table that are in :data:`COMMON_SHORTS`."""
    return {s for u in units for s in u.short if s in COMMON_SHORTS}


def build(wheel: Path) -> dict[str, str]:
    data = wheel.read_bytes()
    digest = sha256_bytes(data)
    if digest != WHEEL_SHA256:
        raise ValueError(f"{wheel}: sha256 {digest} does not match the pinned {WHEEL_SHA256}")
    with zipfile.ZipFile(io.BytesIO(data)) as whl:
        inner = whl.read(TREE_MEMBER)
        change = whl.read(CHANGE_MEMBER).decode("utf-8")
        licence = whl.read(LICENSE_MEMBER).decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(inner)) as tree_zip:
        tree = tree_zip.read(TREE_FILE).decode("utf-8")

    units = parse_tree(tree)
    skipped = apply_changes(units, change)
    add_stem_shorts(units)
    common = common_shorts(units)
    names = {u.unit_id: u.name for u in units}
    for unit in units:
        unit.aliases = generated_aliases(unit, names.get(unit.county_id, ""))
    unmatched = add_variant_spellings(units)
    if unmatched:
        raise ValueError(f"VARIANT_SPELLINGS names units the source does not have: {unmatched}")

    rows = []
    for u in units:
        # common-word short forms are kept but marked with a leading "~" so the loader can
        # treat them as weak evidence
        short = "|".join(("~" + s) if s in common else s for s in u.short if s != u.name)
        rows.append((u.unit_id, u.level, u.admin_type, u.name, short, "|".join(u.aliases), "|".join(u.former),
                     u.province_id, u.city_id, u.county_id))
    order = {"province": 0, "city": 1, "county": 2, "town": 3}
    rows.sort(key=lambda r: (order[r[1]], r[0]))

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    raw = buffer.getvalue().encode("utf-8")
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=9) as gz:
        gz.write(raw)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / OUT_TABLE).write_bytes(packed.getvalue())
    (OUT_DIR / "LICENSE-jionlp.txt").write_text(licence, encoding="utf-8")
    counts = defaultdict(int)
    for r in rows:
        counts[r[1]] += 1
    facts = {
        "wheel_sha256": digest,
        "tree_sha256": sha256_bytes(tree.encode("utf-8")),
        "change_sha256": sha256_bytes(change.encode("utf-8")),
        "table_sha256": sha256_bytes(packed.getvalue()),
        "table_bytes": str(len(packed.getvalue())),
        "counts": ", ".join(f"{counts[k]} {k}" for k in order),
        "n_former": str(sum(1 for u in units if u.former)),
        "n_skipped_changes": str(len(skipped)),
        "n_common_shorts": str(len(common)),
        "built": datetime.date.today().isoformat(),
    }
    (OUT_DIR / "PROVENANCE.md").write_text(PROVENANCE.format(**facts, package=PACKAGE, version=VERSION,
                                                              wheel=WHEEL_NAME, table=OUT_TABLE), encoding="utf-8")
    return facts


PROVENANCE = """# Gazetteer of PRC administrative divisions: provenance

`{table}` is generated by `scripts/build_gazetteer.py`; do not edit it by hand.

| field | value |
| --- | --- |
| source package | `{package}` (JioNLP, https://github.com/dongrixinyu/JioNLP) |
| version | {version} (wheel `{wheel}` from PyPI) |
| wheel sha256 | `{wheel_sha256}` (checked by the script before use) |
| files used | `jionlp/dictionary/china_location.zip` → `china_location.txt` (sha256 `{tree_sha256}`); `jionlp/dictionary/china_location_change.txt` (sha256 `{change_sha256}`) |
| licence | Apache License 2.0, copyright dongrixinyu and JioNLP contributors; full text in `LICENSE-jionlp.txt` beside this file |
| output | `{table}`: {table_bytes} bytes, sha256 `{table_sha256}` |
| rows | {counts} |
| former names attached | {n_former} units (change-list lines that could not be matched to a current unit: {n_skipped_changes}) |
| short forms marked as common words | {n_common_shorts} (the hand list `COMMON_SHORTS` in the script) |
| built | {built} |

## What was changed from the source (Apache-2.0 §4(b): modified files carry notice)

This table is a derivative of JioNLP's `china_location.txt`. Changes made by this project:

* villages (the fifth level) are dropped; town-level entries are kept only when the name ends in
  镇, 乡, 街道 or 苏木 (farms, industrial parks, prisons and service centres are dropped);
* the pseudo nodes 省直辖行政区划 / 市直辖行政区划 are removed: their children hang directly under the
  province (济源市, 仙桃市 ...: empty `city_id`) or the city (towns of 东莞市, 中山市 ...: empty `county_id`);
* only the province-level unit is kept for 台湾省, 香港特别行政区 and 澳门特别行政区;
* the prefecture-level node of each of the four municipalities (北京市, 天津市, 上海市, 重庆市) gets the
  id `<code + 100>` (e.g. 500100) so that it differs from the province's;
* towns have no code in the source: their ids (`t<county code><sequence>`) are this project's, not official;
* aliases are generated (大理州 for 大理白族自治州, 沿河自治县 and 沿河县 for 沿河土家族自治县, 南美乡 for
  南美拉祜族乡, 万金镇 for the source's 召陵区万金镇 ...); short forms that are everyday words (和平, 中山, 新华 ...) are marked with a leading `~`;
* former names from `china_location_change.txt` (e.g. 襄樊市 for 襄阳市, 下城区 for today's 拱墅区) are
  attached to the current unit, with the date of the change;
* a prefecture-level 地区 or 盟 that the source gives no short form (阿里地区, 兴安盟) gets its stem (阿里,
  兴安) as one;
* spellings in use besides the source's (`VARIANT_SPELLINGS` in the script: 扬芬港镇 for 杨芬港镇) are
  aliases of their unit.

## Columns

`unit_id, level, admin_type, name, short, aliases, former, province_id, city_id, county_id` (tab-separated,
UTF-8, one header line): `level` is province / city (prefecture) / county (county-level) / town (镇, 乡,
街道, 苏木); `short` is the source's official short form(s), `|`-separated, a leading `~` marking an everyday
word; `aliases` are generated forms; `former` are `name@YYYY-MM-DD` of the change; the `*_id` columns point
to the unit's ancestors (empty where the level is skipped).

## Known gaps of the source

* Town lists of a few counties are incomplete: e.g. 召陵区 (漯河市) has only 万金镇 (written 召陵区万金镇),
  so its 天桥街道, 翟庄街道 and 青年镇 are missing, and 云岩区 (贵阳市) has none. A missing town is no
  evidence; it cannot mislead, except where its name is a different county's unique town.
* 79 county-level entries have at most one town; most are development zones (经济技术开发区 ...), which the
  source lists as county-level units and this table keeps (their names are long and specific).

## Currency

JioNLP's tree reflects the divisions of the early 2020s (the change list runs to 2023; e.g. 临平区 and
钱塘区 of 2021 are present). The campaign texts of this project are from 2021: a few units were renamed
or merged around then. The gazetteer is the *current* tree plus the *former* names of the change list,
so a 2021 text naming a since-renamed unit is still found (under today's unit), but a unit created
after the source's last update is missing.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"path to {WHEEL_NAME} (default: pip download it)")
    args = parser.parse_args(argv)
    if args.wheel is not None:
        facts = build(args.wheel)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            facts = build(fetch_wheel(Path(tmp)))
    for key, value in facts.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
