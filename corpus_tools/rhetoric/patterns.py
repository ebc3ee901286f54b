"""General rhetorical patterns: parallelism, reduplicated quantifiers, quoted terms, four-character items.

None of these detectors knows a campaign word. They look at the shape of clauses, so they run
unchanged on any corpus of Chinese official prose.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from dataclasses import dataclass
from os.path import commonprefix

import pandas as pd

from .text import HAN, HAN_RE, clauses, detect_in_chunks, iter_docs

__all__ = [
    "parallel_runs",
    "quantifier_openings",
    "quoted_terms",
    "four_char_items",
    "PARALLEL_COLUMNS",
    "QUANTIFIER_COLUMNS",
    "QUOTED_COLUMNS",
    "FOUR_CHAR_COLUMNS",
]

#: Columns of :func:`parallel_runs`.
PARALLEL_COLUMNS = ("doc_id", "unit_id", "scope", "frame", "frame_type", "n_frame_chars", "slots", "items",
                    "run_length", "start", "end", "text")
#: Columns of :func:`quantifier_openings`.
QUANTIFIER_COLUMNS = ("doc_id", "unit_id", "form", "measure", "clause_initial", "run_id", "run_length",
                      "start", "end", "clause")
#: Columns of :func:`quoted_terms`.
QUOTED_COLUMNS = ("doc_id", "unit_id", "term", "kind", "marks", "n_chars", "start", "end")
#: Columns of :func:`four_char_items`.
FOUR_CHAR_COLUMNS = ("doc_id", "unit_id", "phrase", "in_enumeration", "start", "end")

SLOT = "…"
_NO_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")


class _Unquoted(str):
    """A text whose slices come without quotation marks (for comparing paragraph openings)."""

    def __getitem__(self, key):
        return str.__getitem__(self, key).translate(_NO_QUOTES)


# ------------------------------------------------------------------------------ parallelism


@dataclass(frozen=True)
class _Frame:
    """What the items of a parallel run share: a prefix and suffix, or fixed positions."""

    prefix: str = ""
    suffix: str = ""
    template: tuple[str | None, ...] | None = None  # equal-length items: char or None (slot)

    @property
    def kind(self) -> str:
        if self.template is not None:
            return "template"
        if self.prefix and self.suffix:
            return "affix"
        return "prefix" if self.prefix else "suffix"

    @property
    def n_fixed(self) -> int:
        if self.template is not None:
            return sum(c is not None for c in self.template)
        return len(self.prefix) + len(self.suffix)

    def label(self) -> str:
        if self.template is None:
            return f"{self.prefix}{SLOT}{self.suffix}"
        out, previous_slot = [], False
        for char in self.template:
            if char is None:
                if not previous_slot:
                    out.append(SLOT)
                previous_slot = True
            else:
                out.append(char)
                previous_slot = False
        return "".join(out)

    def fits(self, item: str) -> bool:
        if self.template is not None:
            return len(item) == len(self.template) and all(
                f is None or f == c for f, c in zip(self.template, item)
            )
        return (item.startswith(self.prefix) and item.endswith(self.suffix)
                and len(item) > len(self.prefix) + len(self.suffix))

    def head(self, item: str, length: int) -> int | None:
        """Offset where the run's first item starts inside a clause with a lead-in, or None."""
        if self.fits(item) and not (self.kind == "suffix" and len(item) > 2 * length):
            return 0
        if self.template is not None:
            n = len(self.template)
            return len(item) - n if len(item) > n and self.fits(item[-n:]) else None
        if not item.endswith(self.suffix):
            return None
        if self.prefix:
            at = item.rfind(self.prefix, 0, len(item) - len(self.suffix) - 1)
            return at if at > 0 and self.fits(item[at:]) else None
        return len(item) - length if len(item) > length else None

    def tail(self, item: str, length: int) -> int | None:
        """Length of the run's last item inside a clause that continues past it, or None."""
        if self.fits(item) and not (self.kind == "prefix" and len(item) > 2 * length):
            return len(item)
        if self.template is not None:
            n = len(self.template)
            return n if len(item) > n and self.fits(item[:n]) else None
        if not item.startswith(self.prefix):
            return None
        if self.suffix:
            at = item.find(self.suffix, len(self.prefix) + 1)
            return at + len(self.suffix) if at > 0 and self.fits(item[:at + len(self.suffix)]) else None
        return length if len(item) > length else None

    def slots(self, item: str) -> str:
        if self.template is not None:
            groups, current = [], ""
            for f, c in zip(self.template, item):
                if f is None:
                    current += c
                elif current:
                    groups.append(current)
                    current = ""
            if current:
                groups.append(current)
            return "/".join(groups)
        return item[len(self.prefix):len(item) - len(self.suffix)]


def _derive(a: str, b: str) -> _Frame | None:
    """The frame two items share, or None: an infix template, else a prefix and/or suffix."""
    shortest = min(len(a), len(b))
    prefix = commonprefix([a, b])
    suffix = commonprefix([a[::-1], b[::-1]])[::-1]
    # every item keeps at least one slot character
    if len(prefix) >= shortest:
        prefix = prefix[: shortest - 1]
    if len(prefix) + len(suffix) >= shortest:
        suffix = suffix[len(prefix) + len(suffix) - shortest + 1:]
    frame = None
    if len(a) == len(b):
        template = tuple(x if x == y else None for x, y in zip(a, b))
        fixed = sum(c is not None for c in template)
        if 0 < fixed < len(a) and fixed > len(prefix) + len(suffix):
            frame = _Frame(template=template)
    if frame is None and (prefix or suffix):
        frame = _Frame(prefix=prefix, suffix=suffix)
    if frame is None:
        return None
    fixed_chars = frame.label().replace(SLOT, "")
    return frame if HAN_RE.search(fixed_chars) else None


def _frame_of(strings: list[str]) -> _Frame | None:
    """The frame all `strings` share (recomputed once a run's items are final)."""
    shortest = min(len(s) for s in strings)
    prefix = commonprefix(strings)
    suffix = commonprefix([s[::-1] for s in strings])[::-1]
    if len(prefix) >= shortest:
        prefix = prefix[: shortest - 1]
    if len(prefix) + len(suffix) >= shortest:
        suffix = suffix[len(prefix) + len(suffix) - shortest + 1:]
    if len({len(s) for s in strings}) == 1:
        template = tuple(c if all(s[k] == c for s in strings) else None for k, c in enumerate(strings[0]))
        fixed = sum(c is not None for c in template)
        if 0 < fixed < len(template) and fixed > len(prefix) + len(suffix):
            return _Frame(template=template)
    return _Frame(prefix=prefix, suffix=suffix) if prefix or suffix else None


# Characters that alone make no frame except as the first word of each item (从…、以…、在…).
_FUNCTION_CHARS = set("的了着是在和与及或也而之等地得把被对从向为以于让使将")
_COUNT_BEFORE_RE = re.compile("[0-9〇零一二三四五六七八九十百千万两][多余]?$")
#: Largest ratio between the longest and the shortest slot of a run (items not cut from a
#: longer clause), so that unrelated sentences sharing a first word are not a run.
MAX_SLOT_RATIO = 3.0


def _plausible(frame: _Frame, strings: list[str]) -> bool:
    fixed = frame.label().replace(SLOT, "")
    if len(fixed) == 1 and fixed in _FUNCTION_CHARS and frame.kind != "prefix":
        return False  # …的… at the same position twice is chance
    if frame.kind == "suffix" and len(frame.suffix) == 1 and any(
        _COUNT_BEFORE_RE.search(s[:-1]) for s in strings
    ):
        return False  # 8场、1场、600多场: counts with their measure word, not parallelism
    # the first item of a suffix frame and the last of a prefix frame may still carry extra text
    core = strings[1:] if frame.kind == "suffix" else strings[:-1] if frame.kind == "prefix" else strings
    lengths = [len(frame.slots(s)) for s in core]
    return max(lengths) <= MAX_SLOT_RATIO * min(lengths)


def _words(text: str) -> list[tuple[str, str]]:
    from ..segment import get_segmenter  # loaded only for a run whose end item needs cutting

    return get_segmenter(hmm=False).cut_pos(text)


# Words after which a noun phrase starts (抢抓|黄河重大国家战略, 通过|领导干部带头讲) and words
# before which a modifier ends (更快发展|的快车道, 进家庭|等二十多次): jieba's POS tags.
_LEAD_IN_END_TAGS = ("v", "p", "c", "d", "u")  # 增强群众的|获得感, 更好地|了解党史: after 的, 地
_TAIL_START_TAGS = ("uj", "u", "ud", "uv", "c", "f")  # f: 家书|前, a localiser after the noun


def _boundaries(item: str) -> tuple[list[tuple[str, str]], set[int]]:
    words = _words(item)
    cuts, pos = {0}, 0
    for word, _ in words:
        pos += len(word)
        cuts.add(pos)
    return words, cuts


def _phrase_start(item: str, suffix_len: int, others: list[int]) -> int | None:
    """Where the first item of a suffix run starts inside a longer clause.

    Items of one length (暖人心、聚民心、强信心): that length, if it starts on a word boundary.
    Otherwise right after the last verb, preposition, conjunction, adverb or 的 that leaves a
    slot as long as the shortest other slot (抢抓|黄河重大国家战略、乡村振兴战略、强省会战略).
    """
    words, cuts = _boundaries(item)
    if len(set(others)) == 1 and len(item) - others[0] in cuts:
        return len(item) - others[0]
    min_slot = max(1, min(others) - suffix_len)
    best, pos = None, 0
    for word, tag in words:
        pos += len(word)
        if pos > len(item) - suffix_len:
            break
        if tag.startswith(_LEAD_IN_END_TAGS) and len(item) - suffix_len - pos >= min_slot:
            best = pos
    return best


def _phrase_end(item: str, prefix_len: int, others: list[str]) -> int | None:
    """Where the last item of a prefix run ends inside a longer clause: the others' length if
    they share one and it ends on a word boundary, else before the first 的, 等 or conjunction
    after the slot (更快发展|的快车道, 进家庭|等二十多次) — not at a 的 every other item has
    (一件件令人震撼的实物、一幅幅泛黄的老照片: there 的 is inside the items)."""
    words, cuts = _boundaries(item)
    lengths = {len(x) for x in others}
    if len(lengths) == 1 and min(lengths) in cuts:
        return min(lengths)
    inner_de = all("的" in x for x in others)
    pos = 0
    for word, tag in words:
        if pos > prefix_len and tag.startswith(_TAIL_START_TAGS) and not (inner_de and word == "的"):
            return pos
        pos += len(word)
    return None



def _finish(frame: _Frame, run: list[tuple[int, int]], text: str) -> tuple[_Frame, list[tuple[int, int]]] | None:
    """Cut lead-ins and tails from a run's end items, recompute its frame, check it.

    An end item longer than every other item carries text that is not part of the run. It is cut
    at a word boundary: to the others' length when they share one, else at a phrase boundary
    (after the verb that governs the item, before the 的 that ends a modifier), never inside a
    phrase (黄河重大国家战略, not 重大国家战略); only when neither fits is it cut to the length
    of the other items.
    """
    strings = [text[s:e] for s, e in run]
    if frame.kind == "prefix":
        s, e = run[-1]
        while e - s > 1 and text[e - 1] in "的等":
            e -= 1
        others = max(len(x) for x in strings[:-1])
        if e - s > others:
            cut = _phrase_end(text[s:e], len(frame.prefix), strings[:-1])
            if cut is not None:
                e = s + cut
        if e - s > 2 * others:
            e = s + others
        run[-1] = (s, e)
    elif frame.kind == "suffix":
        s, e = run[0]
        others = max(len(x) for x in strings[1:])
        if e - s > others:
            cut = _phrase_start(text[s:e], len(frame.suffix), [len(x) for x in strings[1:]])
            if cut is not None:
                s = s + cut
        if e - s > 2 * others:
            s = e - others
        run[0] = (s, e)
    strings = [text[s:e] for s, e in run]
    final = _frame_of(strings) or frame
    if not all(final.fits(x) for x in strings) or not _plausible(final, strings):
        return None
    return final, run


_SENTENCE_BREAK_RE = re.compile("[。！？!?]")


def _runs_in(items: list[tuple[int, int, str]], text: str, *, min_run: int, max_item_chars: int,
             within_sentence: bool = True):
    """Yield ``(frame, [(start, end), ...])`` for every parallel run in a sequence of items."""
    i, last_used = 0, -1
    n = len(items)

    def joined(k: int) -> bool:  # items k and k + 1 may belong to one run
        return not within_sentence or not _SENTENCE_BREAK_RE.search(text, items[k][1], items[k + 1][0])

    while i + 1 < n:
        a, b = items[i][2], items[i + 1][2]
        frame, b_end, b_is_tail = None, len(b), False
        if len(a) <= max_item_chars and joined(i):
            if len(b) <= max_item_chars:
                frame = _derive(a, b)
            if frame is None and len(b) > len(a):
                # 感党恩、听党话、跟党走的坚定信念: the last item carries the sentence on
                frame = _derive(a, b[: len(a)])
                b_end, b_is_tail = len(a), frame is not None
        if frame is None:
            i += 1
            continue
        length = max(len(a), b_end)
        if not b_is_tail:
            cut = frame.tail(b, length)
            b_is_tail = cut is not None and cut < len(b)
            b_end = cut if cut is not None else len(b)
        run = [(items[i][0], items[i][1]), (items[i + 1][0], items[i + 1][0] + b_end)]
        j = i + 1
        while not b_is_tail and j + 1 < n and joined(j):
            start, end, item = items[j + 1]
            if frame.fits(item) and len(item) <= max_item_chars and not (
                frame.kind == "prefix" and len(item) > 2 * length
            ):
                run.append((start, end))
                j += 1
                continue
            cut = frame.tail(item, length)
            if cut is not None:
                run.append((start, start + cut))
                j += 1
            break
        if i - 1 > last_used and joined(i - 1):
            start, end, item = items[i - 1]
            offset = frame.head(item, length)
            if offset is not None:
                run.insert(0, (start + offset, end))
        finished = _finish(frame, run, text) if len(run) >= min_run else None
        if finished is not None:
            yield finished
            last_used, i = j, j + 1
        else:
            i += 1


_DASH_LEAD_RE = re.compile("^[—-]{1,2}")
_OPENING_END_RE = re.compile("[。！？!?，,；;：:]")


def _paragraph_openings(doc) -> list[list[tuple[int, int, str]]]:
    """Opening clauses of consecutive paragraphs led by a dash (——专家解读学。——交流研讨学。)."""
    groups, current = [], []
    for _, offset, paragraph in doc.paragraphs():
        lead = _DASH_LEAD_RE.match(paragraph)
        if not lead:
            if current:
                groups.append(current)
            current = []
            continue
        stop = _OPENING_END_RE.search(paragraph, lead.end())
        end = stop.start() if stop else len(paragraph)
        current.append((offset + lead.end(), offset + end, paragraph[lead.end():end]))
    if current:
        groups.append(current)
    return [g for g in groups if len(g) >= 2]


def parallel_runs(corpus, *, min_run: int = 3, max_item_chars: int = 24, n_jobs: int | None = None) -> pd.DataFrame:
    """Find parallelism (排比): runs of clauses that share a frame.

    Parameters
    ----------
    corpus : Corpus
    min_run : int, default 3
        Fewest items (a count) that make a run.
    max_item_chars : int, default 24
        Longest item, in characters, that can be inside a run (the first and last item may
        be cut out of longer clauses, see Notes).
    n_jobs : int or None, default None
        Processes: the documents are searched in chunks (:func:`~corpus_tools.rhetoric.text.detect_in_chunks`),
        in parallel from :data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` characters on when
        ``None``; ``1`` in this process. The table is the same whatever `n_jobs`.

    Returns
    -------
    pandas.DataFrame
        One row per run, in document order: ``doc_id, unit_id, frame`` (the shared text with
        ``…`` for each slot: ``学史…``, ``…万家…``, ``到…去``), ``frame_type`` (``prefix``,
        ``suffix``, ``affix`` or ``template``), ``n_frame_chars``, ``slots`` (what fills the
        slots, item by item, joined with ``" | "``; slots of one item joined with ``/``),
        ``items`` (the items themselves), ``run_length``, ``start, end`` (offsets into
        ``corpus.texts[doc_id]``) and ``text`` (the original span, punctuation included).

    Notes
    -----
    A paragraph is cut into *items* at every punctuation mark, quotation mark and space
    (``进村（社区）`` stays one item). Two neighbouring items define a frame:

    - ``template``: equal lengths and the same character at some positions beyond a shared
      beginning or end (登万家门 / 访万家情 → ``…万家…``; 感党恩 / 听党话 → ``…党…``);
    - otherwise their common beginning and/or end (学史明理 / 学史增信 → ``学史…``;
      暖人心 / 聚民心 → ``…心``; 到现场一线去 / 到田间地头去 → ``到…去``).

    Every item keeps at least one slot character and the frame must contain a Chinese
    character. The run grows while the next item fits the frame. The first item may sit at the
    end of a longer clause (转化升华为感党恩 → 感党恩) and the last at the beginning of one
    (最现实的利益问题 → 最现实). Such an end item is cut at a word boundary: to the other items'
    length when they share one, else at a phrase boundary found with jieba's POS tags — the first
    item starts after the verb, preposition, adverb or 的/地 that governs it (抢抓|黄河重大国家战略,
    not 重大国家战略), the last ends before the 的, 等, conjunction or localiser that follows it
    (更快发展|的快车道) — and only when no boundary fits, a clause more than twice the items'
    length is cut to it.
    One-character frames count (进企业、进学校、进机关), so runs of three short items with a
    common first or last character are found; ``n_frame_chars`` lets a reader set a stricter
    threshold.

    Runs do not overlap, never cross paragraphs, and may cross sentences (要…。要…。要…。).

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "开展“登万家门、访万家情、解万家难、暖万家心”行动，学出责任、学出方向、学出本领。"})
    >>> parallel_runs(corp)[["frame", "slots", "run_length"]].values.tolist()
    [['…万家…', '登/门 | 访/情 | 解/难 | 暖/心', 4], ['学出…', '责任 | 方向 | 本领', 3]]
    """
    return detect_in_chunks(functools.partial(_parallel_runs, min_run=min_run, max_item_chars=max_item_chars),
                            corpus, n_jobs=n_jobs, desc="parallel runs")


def _parallel_runs(corpus, *, min_run: int, max_item_chars: int) -> pd.DataFrame:
    columns: dict[str, list] = {c: [] for c in PARALLEL_COLUMNS}
    for doc in iter_docs(corpus):
        text = doc.text
        found = []
        for unit_id, offset, paragraph in doc.paragraphs():
            items = clauses(paragraph, offset)
            found += [("clauses", unit_id, f, r) for f, r in _runs_in(items, text, min_run=min_run,
                                                                       max_item_chars=max_item_chars)]
        for openings in _paragraph_openings(doc):
            # compare without quotation marks: ——“比学赶超”学 opens like ——交流研讨学
            items = [(s, e, t.translate(_NO_QUOTES)) for s, e, t in openings]
            for frame, run in _runs_in(items, _Unquoted(text), min_run=min_run, max_item_chars=max_item_chars,
                                       within_sentence=False):
                found.append(("paragraph openings", doc.unit_ids([run[0][0]])[0], frame, run))
        found.sort(key=lambda f: f[3][0][0])
        for scope, unit_id, frame, run in found:
            strings = [text[s:e].translate(_NO_QUOTES) for s, e in run]
            columns["doc_id"].append(doc.doc_id)
            columns["unit_id"].append(unit_id)
            columns["scope"].append(scope)
            columns["frame"].append(frame.label())
            columns["frame_type"].append(frame.kind)
            columns["n_frame_chars"].append(frame.n_fixed)
            columns["slots"].append(" | ".join(frame.slots(s) for s in strings))
            columns["items"].append(" | ".join(strings))
            columns["run_length"].append(len(run))
            columns["start"].append(run[0][0])
            columns["end"].append(run[-1][1])
            columns["text"].append(text[run[0][0]:run[-1][1]])
    table = pd.DataFrame(columns)
    for column in ("n_frame_chars", "run_length", "start", "end"):
        table[column] = table[column].astype("int64")
    return table


# --------------------------------------------------------------- reduplicated quantifiers

_QUANTIFIER_RE = re.compile(rf"一([{HAN}])(?:\1|又一\1)")
_NOT_MEASURE = set("一二三四五六七八九十百千万两")
_SENTENCE_END_RE = re.compile("[。！？!?\n]")
_CLAUSE_END_RE = re.compile("[，,、；;。！？!?：:…—\n]")
_CLAUSE_OPENERS = set("，,；;。！？!?：:…—“”‘’（）()\n 、")


def quantifier_openings(corpus, *, n_jobs: int | None = None) -> pd.DataFrame:
    """Find reduplicated quantifiers (一次次, 一场场, 一桩桩, 一批又一批) and the runs they open.

    Parameters
    ----------
    corpus : Corpus
    n_jobs : int or None, default None
        Processes: the documents are searched in chunks (:func:`~corpus_tools.rhetoric.text.detect_in_chunks`),
        in parallel from :data:`corpus_tools.parallel.DOCUMENT_MIN_CHARS` characters on when
        ``None``; ``1`` in this process. The table is the same whatever `n_jobs`.

    Returns
    -------
    pandas.DataFrame
        One row per occurrence, in document order: ``doc_id, unit_id, form`` (一场场),
        ``measure`` (场), ``clause_initial`` (whether it opens its clause), ``run_id``
        (``"<doc_id>:q01"``; occurrences in one sentence share it), ``run_length``
        (occurrences in that sentence), ``start, end`` (offsets of the form) and ``clause``
        (the text from the form to the end of its clause).

    Notes
    -----
    The pattern is 一 + a measure word + the same measure word (一次次), or 一X又一X. Numerals
    are not measure words (一一 is "one by one"). The opening sequence of a news summary —
    一次次触动心灵的学习研讨，一场场生动深刻的党史宣讲，一桩桩为民解忧的民生实事 — shows up
    as one run of three or more.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "一次次学习，一场场宣讲，一桩桩实事。一批又一批党员来到这里。"})
    >>> quantifier_openings(corp)[["form", "run_length", "clause"]].values.tolist()
    [['一次次', 3, '一次次学习'], ['一场场', 3, '一场场宣讲'], ['一桩桩', 3, '一桩桩实事'], ['一批又一批', 1, '一批又一批党员来到这里']]
    """
    return detect_in_chunks(_quantifier_openings, corpus, n_jobs=n_jobs, desc="reduplicated quantifiers")


def _quantifier_openings(corpus) -> pd.DataFrame:
    rows = []
    for doc in iter_docs(corpus):
        text = doc.text
        found = [m for m in _QUANTIFIER_RE.finditer(text) if m.group(1) not in _NOT_MEASURE]
        if not found:
            continue
        # sentence number and clause end by bisection in positions found once: counting from the
        # start for every match was quadratic on a long single-line document
        sentence_ends = [m.start() for m in _SENTENCE_END_RE.finditer(text)]
        clause_ends = [m.start() for m in _CLAUSE_END_RE.finditer(text)]
        sentence_ids = [bisect_left(sentence_ends, match.start()) for match in found]
        run_numbers = {s: k for k, s in enumerate(dict.fromkeys(sentence_ids), start=1)}
        sizes = pd.Series(sentence_ids).value_counts().to_dict()
        units = doc.unit_ids([m.start() for m in found])
        for match, sentence, unit in zip(found, sentence_ids, units):
            start, end = match.span()
            k = bisect_left(clause_ends, end)
            stop = clause_ends[k] if k < len(clause_ends) else len(text)
            rows.append((doc.doc_id, unit, match.group(), match.group(1),
                         start == 0 or text[start - 1] in _CLAUSE_OPENERS,
                         f"{doc.doc_id}:q{run_numbers[sentence]:02d}", sizes[sentence], start, end,
                         text[start:stop]))
    table = pd.DataFrame(rows, columns=list(QUANTIFIER_COLUMNS))
    for column in ("run_length", "start", "end"):
        table[column] = table[column].astype("int64")
    table["clause_initial"] = table["clause_initial"].astype(bool)
    return table


# ----------------------------------------------------------------------------- quoted terms

_QUOTE_PATTERNS = (
    ("“”", re.compile("“([^“”\n]{1,300})”")),
    ("‘’", re.compile("‘([^‘’\n]{1,300})’")),
    ("《》", re.compile("《([^《》\n]{1,100})》")),
)
_SENTENCE_PUNCT_RE = re.compile("[。！？!?，,；;]")


def quoted_terms(corpus, *, max_term_chars: int = 12) -> pd.DataFrame:
    """List what the texts put in quotation marks and title marks.

    Parameters
    ----------
    corpus : Corpus
    max_term_chars : int, default 12
        Longest quoted string (in characters, without punctuation inside) that counts as a
        *term*; longer ones, and any with a comma or sentence end inside, are *quotations*.

    Returns
    -------
    pandas.DataFrame
        One row per quoted string, in document order: ``doc_id, unit_id, term`` (the text
        inside the marks), ``kind`` (``term``, ``quotation`` or ``title`` for 《…》),
        ``marks`` (``“”``, ``‘’`` or ``《》``), ``n_chars``, ``start, end`` (offsets of the
        text inside the marks).

    Notes
    -----
    In this genre quotation marks flag a name (a slogan, a programme, a numbered formula:
    “我为群众办实事”, “七个一”) far more often than reported speech, so the terms are the
    inventory of what the writer treats as fixed names. Single quotes nested inside double
    quotes (‘125510’) are listed as well as their container.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "开展“我为群众办实事”活动，发布《实施方案》。“要把实事办好，办到群众心坎上。”"})
    >>> quoted_terms(corp)[["term", "kind"]].values.tolist()
    [['我为群众办实事', 'term'], ['实施方案', 'title'], ['要把实事办好，办到群众心坎上。', 'quotation']]
    """
    rows = []
    for doc in iter_docs(corpus):
        found = []
        for marks, pattern in _QUOTE_PATTERNS:
            for match in pattern.finditer(doc.text):
                term = match.group(1)
                if marks == "《》":
                    kind = "title"
                elif len(term) > max_term_chars or _SENTENCE_PUNCT_RE.search(term):
                    kind = "quotation"
                else:
                    kind = "term"
                found.append((match.start(1), match.end(1), term, kind, marks))
        found.sort()
        units = doc.unit_ids([f[0] for f in found])
        rows += [(doc.doc_id, u, t, k, m, len(t), s, e) for (s, e, t, k, m), u in zip(found, units)]
    table = pd.DataFrame(rows, columns=list(QUOTED_COLUMNS))
    for column in ("n_chars", "start", "end"):
        table[column] = table[column].astype("int64")
    return table


# ------------------------------------------------------------------- four-character items

_FOUR_HAN_RE = re.compile(f"[{HAN}]{{4}}")
_ENUM_GAP_RE = re.compile("[、，,]")


def four_char_items(corpus) -> pd.DataFrame:
    """List the clause items that are exactly four Chinese characters (四字格).

    Returns
    -------
    pandas.DataFrame
        One row per four-character item, in document order: ``doc_id, unit_id, phrase,
        in_enumeration`` (a neighbouring item, across one 、 or ，, is also four characters:
        加强领导、精心谋划、丰富载体), ``start, end``.

    Notes
    -----
    An *item* is the stretch of text between two punctuation marks, quotation marks or spaces
    (the same items as :func:`parallel_runs`). A *four-character item* consists of exactly
    four Chinese characters and nothing else. Four-character set phrases (成语 and official
    four-character formulas: 走深走实, 守正创新, 凝心聚力) typically stand as items of their own,
    so their density is measured without a segmenter: see
    :func:`corpus_tools.rhetoric.four_char_density`.

    Examples
    --------
    >>> from corpus_tools.corpus import corpus_from_texts
    >>> corp = corpus_from_texts({"a": "加强领导、精心谋划、丰富载体，推动工作落实。凝心聚力。"})
    >>> four_char_items(corp)[["phrase", "in_enumeration"]].values.tolist()
    [['加强领导', True], ['精心谋划', True], ['丰富载体', True], ['凝心聚力', False]]
    """
    rows = []
    for doc in iter_docs(corpus):
        text = doc.text
        for unit_id, offset, paragraph in doc.paragraphs():
            items = clauses(paragraph, offset)
            four = [bool(_FOUR_HAN_RE.fullmatch(t)) for _, _, t in items]
            for k, (start, end, phrase) in enumerate(items):
                if not four[k]:
                    continue
                linked = (k > 0 and four[k - 1] and _ENUM_GAP_RE.fullmatch(text[items[k - 1][1]:start])) or (
                    k + 1 < len(items) and four[k + 1] and _ENUM_GAP_RE.fullmatch(text[end:items[k + 1][0]])
                )
                rows.append((doc.doc_id, unit_id, phrase, bool(linked), start, end))
    table = pd.DataFrame(rows, columns=list(FOUR_CHAR_COLUMNS))
    for column in ("start", "end"):
        table[column] = table[column].astype("int64")
    table["in_enumeration"] = table["in_enumeration"].astype(bool)
    return table


def clause_item_counts(corpus) -> pd.DataFrame:
    """Count clause items and four-character items per paragraph (the denominators of density).

    Returns
    -------
    pandas.DataFrame
        Index ``unit_id``; columns ``doc_id, n_chars, n_items, n_four_char``.
    """
    rows = []
    for doc in iter_docs(corpus):
        for unit_id, offset, paragraph in doc.paragraphs():
            items = clauses(paragraph, offset)
            n_four = sum(1 for _, _, t in items if _FOUR_HAN_RE.fullmatch(t))
            rows.append((unit_id, doc.doc_id, len(paragraph), len(items), n_four))
    return pd.DataFrame(rows, columns=["unit_id", "doc_id", "n_chars", "n_items", "n_four_char"]).set_index("unit_id")


