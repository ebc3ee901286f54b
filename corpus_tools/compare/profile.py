"""What each group's reports look like: size, lexical diversity, formula, numbers, people and places.

:func:`group_profile` gives one row per group (district, outlet, province …) with measures that
do not grow with the amount of text, so a district with one long report and a district with
ten short ones can be set side by side. The pieces are public and tested on their own:
:func:`mattr` (lexical diversity), :func:`quantified_sentences` (sentences that state a number
of something) and :func:`named_entities` (officials named with their title, and places).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..compat import renamed_parameters
from ..corpus.metadata import group_labels
from ..parallel import map_documents, n_workers

if TYPE_CHECKING:
    from ..corpus import Corpus
    from ..segment import Segmenter
    from ..tokens import Tokens

__all__ = [
    "DEFAULT_MATTR_WINDOW",
    "PROFILE_COLUMNS",
    "group_profile",
    "mattr",
    "named_entities",
    "quantified_sentences",
]

#: Tokens per MATTR window (see :func:`mattr` for why not 500).
DEFAULT_MATTR_WINDOW = 100

#: Columns of :func:`group_profile`, in order.
PROFILE_COLUMNS: tuple[str, ...] = (
    "group",
    "n_docs",
    "n_paragraphs",
    "n_sentences",
    "n_chars",
    "chars_per_doc",
    "n_tokens",
    "mattr",
    "mattr_n_docs",
    "formulaic_chars",
    "formulaic_share",
    "n_quantified_sentences",
    "quantified_share",
    "n_officials_named",
    "officials",
    "n_places_named",
    "n_place_mentions",
    "place_mentions_per_10k_chars",
    "top_places",
)


# --------------------------------------------------------------------------------------------
# Lexical diversity
# --------------------------------------------------------------------------------------------


def mattr(tokens: Sequence[str], window: int = DEFAULT_MATTR_WINDOW) -> tuple[float, int]:
    """Compute the moving-average type-token ratio of one text.

    Parameters
    ----------
    tokens : sequence of str
        The text's tokens in order.
    window : int, default :data:`DEFAULT_MATTR_WINDOW`
        Tokens per window (a count).

    Returns
    -------
    value : float
        The mean, over every window of `window` consecutive tokens, of the window's distinct
        tokens divided by `window`; NaN when the text is shorter than `window`.
    n_windows : int
        ``len(tokens) - window + 1`` (0 for a text shorter than the window).

    Notes
    -----
    Covington & McFall (2010). The plain type-token ratio falls as a text grows, so long
    reports look poorer than short ones; the ratio inside a fixed window does not depend on
    the text's length. A text shorter than the window has no full window and gets NaN rather
    than its whole-text TTR, which would not be comparable. The window is updated one token at
    a time, so the cost is linear in the text's length.

    Examples
    --------
    >>> mattr(["学习", "党史", "学习", "党史", "红色"], window=2)
    (1.0, 4)
    >>> mattr(["学习", "学习", "学习", "党史"], window=3)
    (0.5, 2)
    """
    if int(window) != window or window < 1:
        raise ValueError(f"window must be a positive number of tokens, got {window!r}")
    n = len(tokens)
    if n < window:
        return float("nan"), 0
    counts = Counter(tokens[:window])
    distinct = len(counts)
    total = distinct
    for i in range(window, n):
        incoming, outgoing = tokens[i], tokens[i - window]
        if incoming != outgoing:
            counts[outgoing] -= 1
            if counts[outgoing] == 0:
                distinct -= 1
            if counts[incoming] == 0:
                distinct += 1
            counts[incoming] += 1
        total += distinct
    n_windows = n - window + 1
    return total / (n_windows * window), n_windows


# --------------------------------------------------------------------------------------------
# Quantified statements
# --------------------------------------------------------------------------------------------

# Chinese numerals count only with a 十/百/千/万/亿 and at least two characters (二十, 三百余)
# or as a bare 十: a single 一/两/三 before a measure word is mostly a formula (三个代表, 两个确立)
# or an idiom (一次次, 千家万户), not a count.
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_NUMBER = (
    rf"(?:\d+(?:[.．,]\d+)*|[{_CN_DIGITS}]*[十百千万亿][{_CN_DIGITS}]*(?<=[{_CN_DIGITS}][{_CN_DIGITS}])|十)"
)
#: Measure words and units that make a number a count of something (longest first).
MEASURE_WORDS: tuple[str, ...] = (
    "人次", "场次", "平方米", "平方公里", "公里", "千米", "万元", "亿元", "课时", "学时", "小时",
    "个", "名", "人", "次", "场", "项", "件", "家", "所", "处", "户", "位", "条", "支", "期", "篇",
    "批", "座", "间", "本", "套", "册", "份", "部", "幅", "张", "首", "台", "辆", "棵", "轮", "堂",
    "节", "门", "类", "种", "组", "队", "栋", "块", "封", "集", "元", "米", "亩", "吨", "天", "余",
)
_MEASURE_ALT = "|".join(sorted(map(re.escape, MEASURE_WORDS), key=len, reverse=True))
_QUANTIFIED_RE = re.compile(
    rf"(?<![第\d{_CN_DIGITS}])(?:{_NUMBER}(?:[万亿千百])?(?:余|多|来)?(?:[万亿])?(?:{_MEASURE_ALT})"
    rf"|\d+(?:[.．]\d+)?\s*[%％]|百分之[{_CN_DIGITS}点]+)"
)


def _document_sentences(item: tuple[str, str]) -> list[tuple[str, int, int, str]]:
    """Every body sentence of one document ``(doc_id, text)``: (doc_id, start, end, sentence)."""
    from ..corpus.structure import split_sentences

    doc_id, text = item
    rows = []
    start = 0
    for paragraph in text.split("\n"):
        cursor = 0
        for sentence in split_sentences(paragraph):
            at = paragraph.find(sentence, cursor)
            at = cursor if at < 0 else at
            rows.append((doc_id, start + at, start + at + len(sentence), sentence))
            cursor = at + len(sentence)
        start += len(paragraph) + 1
    return rows


def _sentence_spans(corpus: Corpus, *, n_jobs: int | None = None) -> pd.DataFrame:
    """Every body sentence with its offsets into ``corpus.texts[doc_id]``."""
    documents = [(str(doc_id), "" if text is None else str(text)) for doc_id, text in corpus.texts.items()]
    per_document = map_documents(_document_sentences, documents, n_jobs=n_jobs,
                                 sizes=[len(text) for _, text in documents], desc="sentences")
    rows = [row for found in per_document for row in found]
    return pd.DataFrame(rows, columns=["doc_id", "start", "end", "text"])


def quantified_sentences(
    corpus: Corpus, *, claims: pd.DataFrame | None = None, n_jobs: int | None = None
) -> pd.DataFrame:
    """Mark the sentences that state a number of something.

    Parameters
    ----------
    corpus : Corpus
        Sentences are read from the cleaned bodies, :attr:`Corpus.texts`.
    claims : pandas.DataFrame, optional
        Quantified claims found by a fuller extractor (e.g. :mod:`corpus_tools.compare.claims`),
        with ``doc_id`` and ``start`` (offset into ``corpus.texts``); a sentence is then
        quantified when a claim starts inside it, and the built-in detector is not used.
    n_jobs : int or None, default None
        Processes for splitting the documents into sentences
        (:func:`corpus_tools.parallel.map_documents`; ``None``: by size). The table is the
        same whatever `n_jobs`.

    Returns
    -------
    pandas.DataFrame
        One row per body sentence, in text order: ``doc_id``, ``start``, ``end`` (offsets into
        ``corpus.texts[doc_id]``), ``text``, ``quantified`` (bool) and ``match`` (the first
        number + measure word found, or ``""``).

    Notes
    -----
    The built-in detector looks for a number followed by a measure word or unit
    (:data:`MEASURE_WORDS`): Arabic digits (``300余场``, ``2.3万人次``, ``12个村``), Chinese
    numerals with 十/百/千/万/亿 (``二十余期``, ``十件``), and percentages (``95%``,
    ``百分之九十``). Dates and years (``2021年``, ``7月1日``) and ordinals (``第3次``) do not
    count. Formulas with a single numeral (三个代表, 两个确立, 七个一) are not counts and are
    not matched. A number without a measure word (``覆盖党员3000``) is missed, and a stray
    number + 人 in a name is a false hit: the share is a rough indicator, to be read with the
    matches.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "开展宣讲300余场。2021年7月1日，学习“三个代表”。覆盖群众2.3万人次。"})
    >>> quantified_sentences(corp)[["quantified", "match"]].values.tolist()
    [[True, '300余场'], [False, ''], [True, '2.3万人次']]
    """
    spans = _sentence_spans(corpus, n_jobs=n_jobs)
    if claims is not None:
        missing = [c for c in ("doc_id", "start") if c not in claims.columns]
        if missing:
            raise KeyError(f"claims lacks column(s) {missing}; it needs doc_id and start (offset into corpus.texts)")
        quantified = np.zeros(len(spans), dtype=bool)
        match = np.full(len(spans), "", dtype=object)
        for doc_id, rows in spans.groupby("doc_id", sort=False):
            starts = np.sort(claims.loc[claims["doc_id"].astype(str) == doc_id, "start"].to_numpy(dtype=np.int64))
            if len(starts) == 0:
                continue
            lo = np.searchsorted(starts, rows["start"].to_numpy(), side="left")
            hi = np.searchsorted(starts, rows["end"].to_numpy(), side="left")
            hit = hi > lo
            quantified[rows.index[hit]] = True
            match[rows.index[hit]] = "claim"
        spans["quantified"] = quantified
        spans["match"] = match
        return spans
    found = [_QUANTIFIED_RE.search(text) for text in spans["text"]]
    spans["quantified"] = np.array([m is not None for m in found], dtype=bool)
    spans["match"] = [m.group() if m else "" for m in found]
    return spans


# --------------------------------------------------------------------------------------------
# Officials and places
# --------------------------------------------------------------------------------------------

#: A token ending with one of these is a title (区委书记, 县长, 人大常委会主任 …).
TITLE_SUFFIXES: tuple[str, ...] = (
    "书记", "省长", "市长", "区长", "县长", "州长", "镇长", "乡长", "村长", "主任", "部长", "厅长",
    "局长", "处长", "科长", "主席", "常委", "委员", "院长", "校长", "所长", "站长", "馆长", "组长",
    "队长", "社长", "会长", "理事长", "董事长", "总经理", "政委", "司令员", "检察长", "秘书长", "总理",
)

#: Words jieba's dictionary tags ``ns`` (place) that are ordinary words in this register; seen
#: on the seed reports. They are not counted as places.
GENERIC_NS: frozenset[str] = frozenset(
    {
        "城市", "城镇", "镇区", "文明城市", "深度", "惠及", "缅怀", "爱国", "登门", "上门", "扎根",
        "沧桑", "嘉宾", "青春", "串联", "藩篱", "江山", "重大意义", "广大干部", "南城", "全国",
        "各地", "当地", "本地", "外地", "基层", "农村", "乡村", "社区", "街道", "城区", "新区", "郊区",
        "市区", "开发区", "高新区", "老城区", "景区", "园区", "港区", "矿区", "林区",
    }
)

_HAN_ONLY = re.compile(r"[\u3400-\u9fff]+")

#: A word jieba tags ``ns`` and that the gazetteer does not know is a place only when it ends
#: with one of these and has at least two characters before it (上寨村, 松花江, 珍宝岛; not
#: 满意度, 延时, 普及, which jieba's model also tags ``ns``).
TOPONYM_SUFFIXES: tuple[str, ...] = (
    "村", "镇", "乡", "街道", "社区", "屯", "寨", "庄", "嘎查", "苏木", "山", "岭", "峰", "江", "河", "湖", "湾",
    "岛", "港", "坡", "沟", "坪", "岗", "峪", "洲", "滩", "渡",
)
# A title in the past (时任山东省委书记, 原县委书记) is not a current office.
_PAST_TITLE_BEFORE_RE = re.compile(r"(?:时任|曾任|历任|原任|原|前|首任|老)$")
# What places a named person in history (a martyr, a revolutionary), not in office today. Only
# what attaches to the name counts: a secretary who visits 烈士陵园 is still in office.
_HISTORY_AFTER_NAME_RE = re.compile(
    r"(?:同志|等)?(?:的)?(?:烈士|故居|旧居|纪念馆|纪念碑|墓|生平|诞辰|牺牲|就义|遇害|殉难|被捕|壮烈|捐躯|英勇就义|"
    r"革命事迹|英雄事迹|革命故事)")
_HISTORY_BEFORE_NAME_RE = re.compile(r"(?:烈士|先烈|革命先辈|革命烈士|老红军|红军战士|革命家|先驱)$")
# In the name's clause: a martyr's fate after the name, unless the name narrates it
# (区委书记王建国讲述先烈英勇就义的故事), or a year before 1980 before the name.
_FATE_RE = re.compile(r"牺牲|就义|遇害|殉难|被捕|壮烈|捐躯")
_NARRATION_RE = re.compile(r"讲述|讲|介绍|讲解|回顾|带领|组织|率|参观|缅怀|祭扫|重温|学习|瞻仰|看望|慰问")
_EARLY_YEAR_RE = re.compile(r"(?:1[89]\d\d|19[0-7]\d)年")
# A "name" that is a department or a unit (宣传部 副部长, 苏元镇 党委书记) is no person.
_NOT_A_NAME_END = ("部", "局", "委", "办", "处", "科", "厅", "院", "所", "站", "队", "组", "会", "镇", "乡", "村",
                   "县", "区", "市", "省", "州", "旗", "街道", "社区")


def _is_title(word: str) -> bool:
    return word.endswith(TITLE_SUFFIXES)


# A pure function of the word and its tag, asked once per token: remembered per distinct pair
# (a corpus repeats its place names and common words; half of the time of names and places).
@functools.lru_cache(maxsize=1 << 18)
def _is_place(word: str, tag: str) -> bool:
    """Gazetteer or toponym evidence: a full name, a gazetteer form tagged ``ns``, a suffix."""
    if len(word) < 2 or word in GENERIC_NS or not _HAN_ONLY.fullmatch(word):
        return False
    from ..corpus.gazetteer import gazetteer

    entries = gazetteer().forms.get(word, ())
    if any(kind in ("full", "alias", "compound") and not weak for _, kind, weak in entries):
        return True
    if tag != "ns":
        return False
    if entries:
        return True  # 长沙, 吉林, 兴县: a name several units share is still a place
    return any(word.endswith(suffix) and len(word) - len(suffix) >= 2 for suffix in TOPONYM_SUFFIXES)


def _is_person_name(word: str) -> bool:
    if not 2 <= len(word) <= 4 or not _HAN_ONLY.fullmatch(word) or word.endswith(_NOT_A_NAME_END):
        return False
    from ..corpus.gazetteer import gazetteer

    return word not in gazetteer().forms  # 旺川, 吉村: a place jieba took for a name


def _merge_names(tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join runs of single-character person tags (周/nr 慧/nr) into one name."""
    out: list[tuple[str, str]] = []
    for word, tag in tagged:
        if (
            tag.startswith("nr")
            and out
            and out[-1][1].startswith("nr")
            and len(word) == 1
            and len(out[-1][0]) <= 2
        ):
            out[-1] = (out[-1][0] + word, "nr")
        else:
            out.append((word, tag))
    return out


def _document_entities(
    item: tuple[str, list[tuple[list[str], list[str]]]],
) -> tuple[dict[str, list], dict[str, int], set[str]]:
    """Officials, places and historical names of one document (see :func:`named_entities`).

    `item` is ``(doc_id, paragraphs)``, each paragraph its words and their tags. Returns the
    officials ``{name: [title, mentions]}``, the places ``{name: mentions}`` (both in order of
    first mention) and the names marked as history anywhere in the document.
    """
    _, paragraphs = item
    officials: dict[str, list] = {}
    places: dict[str, int] = {}
    historical: set[str] = set()
    for words, tags in paragraphs:
        paragraph = "".join(words)
        if not paragraph.strip():
            continue
        tagged = _merge_names(list(zip(words, tags)))
        offsets = np.cumsum([0, *(len(w) for w, _ in tagged)])
        for i, (word, tag) in enumerate(tagged):
            if _is_place(word, tag):
                places[word] = places.get(word, 0) + 1
            if not tag.startswith("nr") or not _is_person_name(word):
                continue
            if _near_history(paragraph, int(offsets[i]), int(offsets[i + 1])):
                historical.add(word)
            before = tagged[i - 1][0] if i > 0 else ""
            after = tagged[i + 1][0] if i + 1 < len(tagged) else ""
            if before and _is_title(before):
                past = _PAST_TITLE_BEFORE_RE.search(paragraph[:int(offsets[i - 1])]) or \
                    (i > 1 and tagged[i - 2][0] in ("时任", "曾任", "历任", "原任"))
                title = "" if past else before
            else:
                title = after if after and _is_title(after) else ""
            if title:
                entry = officials.setdefault(word, [title, 0])
                entry[1] += 1
    return officials, places, historical


@renamed_parameters(corpus="source")
def named_entities(
    source: Corpus | Tokens,
    *,
    by: str = "group",
    segmenter: Segmenter | None = None,
    progress: bool = True,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """List the officials (name next to a title) and the places each document names.

    Parameters
    ----------
    source : Corpus or Tokens
        A corpus, tagged here with ``tokenize(corpus, unit="paragraph", pos=True, hmm=True)``
        (:func:`corpus_tools.tokens.tokenize`), or such tokens already made: paragraph units
        with part-of-speech tags, before any removal (a paragraph is read as its tokens
        joined).
    by : str, default "group"
        Grouping docvar, for the ``group`` column (labels as in :func:`group_profile`).
    segmenter : Segmenter, optional
        With a corpus, the tagger; by default ``get_segmenter(hmm=True)``: jieba's hidden
        Markov model is what tags a name no dictionary knows (周慧) as a person.
    progress : bool, default True
        Report progress while tagging a corpus (:func:`corpus_tools.tokens.tokenize`; tagging
        runs at about 140,000 characters a second on one core) and reading its names.
    n_jobs : int or None, default None
        Processes for tagging a corpus (:func:`corpus_tools.tokens.tokenize`) and for reading
        the documents' names (:func:`corpus_tools.parallel.map_documents`); ``None``: by size.
        The table is the same whatever `n_jobs`.

    Returns
    -------
    pandas.DataFrame
        One row per (document, kind, name): ``group, doc_id, kind`` (``"official"`` or
        ``"place"``), ``name``, ``title`` (for officials, the title next to the first mention,
        e.g. ``区委书记``; ``""`` for places), ``n_mentions`` (for officials, the mentions next
        to a title). Documents in corpus order, then kind, then first mention.

    Raises
    ------
    ValueError
        When `source` is tokens of another unit or without tags, or tokens come with a
        `segmenter` (it tags a corpus only).

    Notes
    -----
    *Officials*: a person name (jieba tag ``nr*``, single-character pieces joined, 2–4 Han
    characters) immediately after a title (区委书记李国强) or immediately before one
    (习近平总书记), a title being a word that ends with one of :data:`TITLE_SUFFIXES`. Only
    current office counts: a title in the past (时任山东省委书记刘谦初, 原县委书记) does not, and
    a name marked as history anywhere in the document is a historical figure, never an official
    there: followed by 烈士, 故居, 纪念馆, 牺牲, 就义, 被捕 … (王荷波烈士), preceded by 烈士,
    先烈, 老红军 …, followed in its clause by 牺牲, 就义, 被捕 … it does not narrate, or
    preceded in its clause by a year before 1980. What does not attach to the name does not
    count (区委书记王建国到烈士陵园调研, 区委书记王建国讲述先烈英勇就义的故事). Words that end like a unit or department
    (宣传部, 苏元镇) or that the gazetteer knows as places are not names. A name mentioned
    without a title is not counted; neither are titles without names (区委书记带头). Names
    jieba does not recognise as names are missed.

    *Places* need gazetteer or toponym evidence: a full name in the gazetteer
    (:func:`corpus_tools.corpus.gazetteer.gazetteer`: provinces to towns and streets), or a word
    tagged ``ns`` that is a gazetteer form, even one several units share (延安, 长沙, 兴县), or
    ends with a toponym suffix after at least two characters (:data:`TOPONYM_SUFFIXES`: 上寨村, 松花江). Jieba's
    model tags some common words ``ns`` (满意度, 延时, 普及); without such evidence they are
    not places. :data:`GENERIC_NS` is never a place. Villages and sites outside both are
    missed: this count is an indicator of how local a report is, not an inventory.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "区委书记王建国出席会议。习近平总书记指出。"})
    >>> named_entities(corp, by="doc_id").query("kind == 'official'")[["name", "title"]].values.tolist()
    [['王建国', '区委书记'], ['习近平', '总书记']]
    """
    n_workers(n_jobs, 0, None)  # a bad n_jobs fails before any work
    tokens = _tagged_paragraphs(source, segmenter=segmenter, progress=progress, n_jobs=n_jobs)
    doc_ids = tokens.docvars["doc_id"].astype(str).to_numpy()
    labels = dict(zip(doc_ids, group_labels(tokens.docvars, by)))
    paragraphs: dict[str, list[tuple[list[str], list[str]]]] = {}
    for doc_id, words, tags in zip(doc_ids, tokens.tokens, tokens.pos):
        paragraphs.setdefault(doc_id, []).append((words, tags))
    items = list(paragraphs.items())
    sizes = [sum(len(word) for words, _ in tagged for word in words) for _, tagged in items]
    if items:
        from ..corpus.gazetteer import gazetteer

        gazetteer()  # loaded here once, so that forked workers start with it
    found = map_documents(_document_entities, items, n_jobs=n_jobs, sizes=sizes, desc="names and places",
                          progress=progress)
    rows = []
    for (doc_id, _), (officials, places, historical) in zip(items, found):
        group = labels[doc_id]
        rows += [(group, doc_id, "official", name, title, n) for name, (title, n) in officials.items()
                 if name not in historical]
        rows += [(group, doc_id, "place", name, "", n) for name, n in places.items()]
    table = pd.DataFrame(rows, columns=["group", "doc_id", "kind", "name", "title", "n_mentions"])
    table["n_mentions"] = table["n_mentions"].astype(np.int64)
    return table


def _tagged_paragraphs(
    source: Corpus | Tokens, *, segmenter: Segmenter | None, progress: bool, n_jobs: int | None = None
) -> Tokens:
    """Paragraph tokens with part-of-speech tags: `source` itself, or the corpus tagged."""
    from ..tokens import Tokens, tokenize

    if isinstance(source, Tokens):
        if segmenter is not None:
            raise ValueError("segmenter tags a corpus; these tokens are tagged already: leave segmenter=None")
        if source.unit != "paragraph" or source.pos_codes is None:
            raise ValueError(
                f"named_entities needs paragraph tokens with part-of-speech tags, got unit={source.unit!r}"
                f"{'' if source.pos_codes is not None else ' without tags'}: make them with "
                "tokenize(corpus, unit='paragraph', pos=True, hmm=True)"
            )
        return source
    # jieba's HMM is what tags an unknown name as a person: on unless a segmenter says otherwise.
    hmm = True if segmenter is None else segmenter.hmm
    return tokenize(source, unit="paragraph", pos=True, hmm=hmm, segmenter=segmenter, progress=progress, n_jobs=n_jobs)


def _near_history(paragraph: str, start: int, end: int) -> bool:
    """Whether the name at ``paragraph[start:end]`` is marked as history (see :func:`named_entities`)."""
    if _HISTORY_AFTER_NAME_RE.match(paragraph, end) or _HISTORY_BEFORE_NAME_RE.search(paragraph[max(0, start - 4):start]):
        return True
    left = max(paragraph.rfind(c, 0, start) for c in "，,；;。！？!?") + 1
    rights = [i for i in (paragraph.find(c, end) for c in "，,；;。！？!?") if i >= 0]
    after = paragraph[end:min(rights) if rights else len(paragraph)]
    fate = _FATE_RE.search(after)
    if fate and not _NARRATION_RE.search(after, 0, fate.start()):
        return True
    return bool(_EARLY_YEAR_RE.search(paragraph, left, start))


# --------------------------------------------------------------------------------------------
# The profile
# --------------------------------------------------------------------------------------------


def _labels(corpus: Corpus, by: str) -> pd.Series:
    """Group label per document (index doc_id as str), named ``group``."""
    return group_labels(corpus.docvars, by).rename("group")


def _doc_tokens(corpus: Corpus, tokens: Tokens | None, *, n_jobs: int | None = None) -> dict[str, list[str]]:
    if tokens is None:
        from ..tokens import tokenize

        # Punctuation and numbers out, every word in: diversity of the wording, not of a
        # stopword-filtered vocabulary.
        tokens = tokenize(corpus, unit="document", n_jobs=n_jobs).remove()
    joined: dict[str, list[str]] = {}
    for doc_id, words in zip(tokens.docvars["doc_id"].astype(str), tokens.tokens):
        joined.setdefault(doc_id, []).extend(words)
    return joined


def _join_top(counts: pd.Series, n: int | None) -> str:
    """Names joined by 、, most mentioned first (ties in order of first mention)."""
    ranked = counts.sort_values(ascending=False, kind="mergesort").index
    return "、".join(str(name) for name in ranked[:n])


def _by_group(entities: pd.DataFrame) -> dict[str, pd.Series]:
    """Mentions per name within each group: {group: Series(name -> n_mentions)}."""
    summed = entities.groupby(["group", "name"], sort=False)["n_mentions"].sum()
    return {group: part.droplevel("group") for group, part in summed.groupby(level="group", sort=False)}


@renamed_parameters(top_places="n_top_places")
def group_profile(
    corpus: Corpus,
    tokens: Tokens | None = None,
    *,
    by: str = "group",
    window: int = DEFAULT_MATTR_WINDOW,
    claims: pd.DataFrame | None = None,
    entities: pd.DataFrame | None = None,
    registry=None,
    segmenter: Segmenter | None = None,
    progress: bool = True,
    n_top_places: int = 5,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Describe each group's reports with measures that do not grow with their length.

    Parameters
    ----------
    corpus : Corpus
        The documents, with the docvar named by `by`.
    tokens : Tokens, optional
        Tokens for lexical diversity (any unit; a document's units are joined in order). By
        default the corpus is segmented per document and punctuation and numbers are dropped,
        stopwords kept.
    by : str, default "group"
        Grouping docvar (``group`` from ``open_corpus(by=...)``, ``district``,
        ``province``, ``outlet``, ``doc_id`` …), labelled with
        :func:`corpus_tools.corpus.metadata.group_labels` (a city-level report grouped by
        district is ``济南市（全市）``).
    window : int, default :data:`DEFAULT_MATTR_WINDOW`
        MATTR window in tokens.
    claims : pandas.DataFrame, optional
        Quantified claims with ``doc_id`` and ``start`` (see :func:`quantified_sentences`);
        by default the built-in number + measure word detector.
    entities : pandas.DataFrame, optional
        A table from :func:`named_entities` (computed here when not given).
    registry : Registry or str, optional
        Rhetoric registry for the formulaic share (default: the package's).
    segmenter : Segmenter, optional
        For :func:`named_entities`.
    progress : bool, default True
        Report progress while tagging names (:func:`named_entities`) and computing MATTR.
    n_top_places : int, default 5
        Places listed in the column ``top_places`` (a count).
    n_jobs : int or None, default None
        Processes for the per-document work: segmenting and tagging
        (:func:`corpus_tools.tokens.tokenize`), sentences, MATTR and names
        (:func:`corpus_tools.parallel.map_documents`), and the formulaic spans
        (:func:`corpus_tools.rhetoric.formulaicness`). ``None`` uses every core from
        :data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` body characters on (segmenting: from
        its own threshold) and one process below; ``-1`` every core; ``k`` that many. The
        table is the same whatever `n_jobs`.

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by label (see :data:`PROFILE_COLUMNS`):

        ``group``; ``n_docs``; ``n_paragraphs`` (body paragraphs); ``n_sentences``;
        ``n_chars`` (body characters, paragraph breaks not counted); ``chars_per_doc``;
        ``n_tokens`` (tokens seen by MATTR); ``mattr`` (moving-average type-token ratio, a
        share in [0, 1], see Notes); ``mattr_n_docs`` (documents at least `window` tokens
        long, the only ones MATTR uses); ``formulaic_chars`` and ``formulaic_share`` (body
        characters inside formulaic language and their share of ``n_chars``: the
        ``all`` row of :func:`corpus_tools.rhetoric.formulaicness`); ``n_quantified_sentences``
        and ``quantified_share`` (sentences that state a number of something, and their
        share of ``n_sentences``: :func:`quantified_sentences`); ``n_officials_named``
        (distinct names next to a title) and ``officials`` (them, most mentioned first,
        joined by ``、``); ``n_places_named`` (distinct place names), ``n_place_mentions``,
        ``place_mentions_per_10k_chars`` and ``top_places`` (the `n_top_places` most mentioned,
        joined by ``、``).

        ``attrs["mattr_window"]`` records `window`.

    Notes
    -----
    **MATTR** (:func:`mattr`) is computed within each document, so no window straddles two
    reports, and a group's value is the mean over all of its documents' windows (each
    document weighted by its number of windows, i.e. roughly by its length). Joining a
    group's documents first would let windows mix two reports and make the value depend on
    the order of documents. Documents shorter than the window are left out (``mattr_n_docs``
    says how many were used; NaN when none was long enough). The default window of 100
    tokens is shorter than Covington & McFall's 500 because campaign news items are often
    only a few hundred words long; values are comparable only at the same window.

    Every share is a ratio of sums over the group (characters over characters, sentences over
    sentences), so long documents weigh more than short ones.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> import pandas as pd
    >>> corp = corpus_from_texts({"a": "学史明理，学史增信。开展宣讲300余场。", "b": "区委书记王建国到召陵区调研。"},
    ...                          docvars=pd.DataFrame({"district": ["甲区", "乙区"]}, index=["a", "b"]))
    >>> p = group_profile(corp, by="district", window=3)
    >>> p[["group", "n_docs", "n_sentences", "quantified_share", "officials"]].values.tolist()
    [['乙区', 1, 1, 0.0, '王建国'], ['甲区', 1, 2, 0.5, '']]
    """
    from ..rhetoric import formulaicness

    n_workers(n_jobs, 0, None)  # a bad n_jobs fails before any work
    labels = _labels(corpus, by)
    levels = sorted(pd.unique(labels), key=str)
    doc_group = labels.to_dict()

    paragraphs = corpus.paragraphs()
    paragraphs = paragraphs.assign(
        group=paragraphs["doc_id"].astype(str).map(doc_group), n_chars=paragraphs["text"].str.len()
    )
    per_group = pd.DataFrame(index=pd.Index(levels, name="group"))
    per_group["n_docs"] = labels.value_counts().reindex(levels).fillna(0).astype(np.int64)
    per_group["n_paragraphs"] = paragraphs.groupby("group").size().reindex(levels).fillna(0).astype(np.int64)

    sentences = quantified_sentences(corpus, claims=claims, n_jobs=n_jobs)
    sentences["group"] = sentences["doc_id"].map(doc_group)
    per_group["n_sentences"] = sentences.groupby("group").size().reindex(levels).fillna(0).astype(np.int64)
    per_group["n_chars"] = paragraphs.groupby("group")["n_chars"].sum().reindex(levels).fillna(0).astype(np.int64)
    per_group["chars_per_doc"] = per_group["n_chars"] / per_group["n_docs"]

    # Lexical diversity, per document then pooled over the group's windows.
    doc_tokens = _doc_tokens(corpus, tokens, n_jobs=n_jobs)
    unknown = next((doc_id for doc_id in doc_tokens if doc_id not in doc_group), None)
    if unknown is not None:
        raise KeyError(f"tokens hold doc_id {unknown!r}, which is not in the corpus")
    per_document = map_documents(functools.partial(mattr, window=window), list(doc_tokens.values()), n_jobs=n_jobs,
                                 sizes=[sum(map(len, words)) for words in doc_tokens.values()], desc="MATTR",
                                 progress=progress)
    n_tokens = dict.fromkeys(levels, 0)
    weighted = dict.fromkeys(levels, 0.0)
    n_windows = dict.fromkeys(levels, 0)
    n_used = dict.fromkeys(levels, 0)
    for (doc_id, words), (value, windows) in zip(doc_tokens.items(), per_document):
        group = doc_group[doc_id]
        n_tokens[group] += len(words)
        if windows:
            weighted[group] += value * windows
            n_windows[group] += windows
            n_used[group] += 1
    per_group["n_tokens"] = pd.Series(n_tokens).reindex(levels).astype(np.int64)
    per_group["mattr"] = [weighted[g] / n_windows[g] if n_windows[g] else np.nan for g in levels]
    per_group["mattr_n_docs"] = pd.Series(n_used).reindex(levels).astype(np.int64)

    # Formulaic share: the rhetoric module's own definition, grouped by our labels.
    labelled = corpus.assign_docvars(_compare_group=labels)
    formulaic = formulaicness(labelled, by="_compare_group", n_boot=0, registry=registry, n_jobs=n_jobs)
    formulaic = formulaic[formulaic["component"] == "all"].set_index("_compare_group")
    per_group["formulaic_chars"] = formulaic["covered_chars"].reindex(levels).fillna(0).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_group["formulaic_share"] = per_group["formulaic_chars"] / per_group["n_chars"].replace(0, np.nan)

    quantified = sentences.groupby("group")["quantified"].sum().reindex(levels).fillna(0).astype(np.int64)
    per_group["n_quantified_sentences"] = quantified
    per_group["quantified_share"] = quantified / per_group["n_sentences"].replace(0, np.nan)

    if entities is None:
        entities = named_entities(corpus, by=by, segmenter=segmenter, progress=progress, n_jobs=n_jobs)
    ent = entities.assign(group=entities["doc_id"].astype(str).map(doc_group))
    officials = _by_group(ent[ent["kind"] == "official"])
    places = _by_group(ent[ent["kind"] == "place"])
    empty = pd.Series(dtype=np.int64)
    per_group["n_officials_named"] = [len(officials.get(g, empty)) for g in levels]
    per_group["officials"] = [_join_top(officials.get(g, empty), None) for g in levels]
    per_group["n_places_named"] = [len(places.get(g, empty)) for g in levels]
    per_group["n_place_mentions"] = [int(places.get(g, empty).sum()) for g in levels]
    chars = per_group["n_chars"].replace(0, np.nan)
    per_group["place_mentions_per_10k_chars"] = 1e4 * per_group["n_place_mentions"] / chars
    per_group["top_places"] = [_join_top(places.get(g, empty), n_top_places) for g in levels]
    for column in ("n_officials_named", "n_places_named", "n_place_mentions"):
        per_group[column] = per_group[column].astype(np.int64)

    table = per_group.reset_index()[list(PROFILE_COLUMNS)]
    table.attrs.update(mattr_window=window, by=by)
    return table
