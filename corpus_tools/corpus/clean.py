"""Text normalisers and the cleaning pipeline with its quality log.

Every rule is a small function ``str -> RuleResult``: the new text, how many
changes (or flags) it made, and a few examples of what it changed. The
pipeline :func:`clean_text` applies the rules in a fixed order and returns
the cleaned text together with one log row per rule that did something, so
a reader can see, per document, exactly what cleaning did.

The rules are general: they describe shapes of damage found in scraped news
(page-break splits, inline pinyin, letter-spacing, half-width punctuation in
Chinese text, characters lost to ``?``), never particular documents.

Order matters, and the reasons are local:

1. line endings, invisible characters and widths first, so later patterns
   see one canonical form;
2. pinyin readings before traditional-to-simplified conversion, because a
   reading is validated against the character it annotates *as written*;
3. lost characters before punctuation, because a ``?`` that stands for a
   lost character must not become a question mark ``？``;
4. mojibake after the conversion to simplified script (a traditional character is rare by
   the measure it uses) and before punctuation, which leaves a ``?`` inside mojibake alone;
5. punctuation before structure (see :mod:`corpus_tools.corpus.structure`), so
   sentence ends look the same in every document.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import NamedTuple

from ..compat import renamed_parameters

__all__ = [
    "HAN",
    "RuleResult",
    "LOST_CHARACTER",
    "normalize_line_endings",
    "remove_invisible_characters",
    "normalize_width",
    "remove_pinyin_readings",
    "flag_lost_characters",
    "find_mojibake",
    "flag_mojibake",
    "to_simplified",
    "normalize_punctuation",
    "remove_markdown_emphasis",
    "join_letterspaced_words",
    "normalize_whitespace",
    "script_of",
    "script_from_counts",
    "count_han",
    "clean_text",
    "TEXT_RULES",
]

#: The editorial mark for a character the source lost (缺字符号). Using it
#: rather than guessing keeps "never invent a character" checkable.
LOST_CHARACTER = "□"

_MAX_EXAMPLES = 3

# CJK Unified Ideographs, Extension A and compatibility ideographs.
#: The Han characters the package counts (CJK unified ideographs, extension A, compatibility
#: ideographs), as the inside of a regex character class: ``f"[{HAN}]"``.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{HAN}]")
_HAN_RUN_RE = re.compile(f"[{HAN}]+")  # counting run lengths is ~3x faster than single matches


class RuleResult(NamedTuple):
    """What one cleaning rule did to one text.

    Attributes
    ----------
    text : str
        The text after the rule.
    count : int
        Number of changes (or, for flagging rules, flags) the rule made.
    examples : tuple of str
        Up to three short ``before → after`` descriptions, for the log.
    """

    text: str
    count: int
    examples: tuple[str, ...] = ()


def _context(text: str, start: int, end: int, width: int = 4) -> str:
    return text[max(0, start - width) : end + width].replace("\n", "⏎")


def _sub_counting(
    pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str], text: str
) -> RuleResult:
    """Apply ``pattern.sub`` and count the matches whose replacement differs."""
    count = 0
    examples: list[str] = []

    def counting_repl(match: re.Match[str]) -> str:
        nonlocal count
        new = repl(match)
        if new != match.group(0):
            count += 1
            if len(examples) < _MAX_EXAMPLES:
                examples.append(f"{match.group(0)!r} → {new!r}")
        return new

    return RuleResult(pattern.sub(counting_repl, text), count, tuple(examples))


# --------------------------------------------------------------------------
# 1. Encoding-level debris
# --------------------------------------------------------------------------

_LINE_END_RE = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")


def normalize_line_endings(text: str) -> RuleResult:
    """Turn CRLF, lone CR and Unicode line/paragraph separators into ``\\n``.

    Examples
    --------
    >>> normalize_line_endings("党史\\r\\n学习\\r教育").text
    '党史\\n学习\\n教育'
    """
    return _sub_counting(_LINE_END_RE, lambda m: "\n", text)


# BOM / zero-width no-break space, zero-width space/joiners, word joiner, soft hyphen,
# bidi controls: invisible in a browser, but they split words for a segmenter.
_INVISIBLE_RE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f\u202a-\u202e]")
# C0/C1 control characters other than newline and tab.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def remove_invisible_characters(text: str) -> RuleResult:
    """Remove byte-order marks, zero-width characters and stray control characters.

    Tabs become spaces; newlines are kept.

    Examples
    --------
    >>> remove_invisible_characters("\\ufeff学史\\u200b明理\\x07").text
    '学史明理'
    """
    first = _sub_counting(_INVISIBLE_RE, lambda m: "", text)
    second = _sub_counting(_CONTROL_RE, lambda m: "", first.text)
    tabs = first.text.count("\t")
    out = second.text.replace("\t", " ")
    return RuleResult(out, first.count + second.count + tabs, first.examples + second.examples)


# Full-width ASCII letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) and the spaces that scraped
# pages use for indentation. Full-width *punctuation* is left alone on purpose: it
# is the Chinese norm that normalize_punctuation converges on.
_FULLWIDTH_ALNUM_RE = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_ODD_SPACE_RE = re.compile("[\u3000\u00a0\u2000-\u200a\u202f\u205f]")


def normalize_width(text: str) -> RuleResult:
    """Make full-width letters and digits half-width and odd spaces plain spaces.

    Also applies Unicode NFC so that pinyin written with combining tone marks
    matches its precomposed form.

    Examples
    --------
    >>> normalize_width("２０２１年\\u3000ＢＩＭ产业").text
    '2021年 BIM产业'
    """
    nfc = unicodedata.normalize("NFC", text)
    # most texts are already NFC: skip the character-by-character count (fast C comparison)
    composed = 0 if nfc == text else sum(1 for a, b in zip(nfc, text) if a != b) + abs(len(text) - len(nfc))
    alnum = _sub_counting(_FULLWIDTH_ALNUM_RE, lambda m: chr(ord(m.group(0)) - 0xFEE0), nfc)
    spaces = _sub_counting(_ODD_SPACE_RE, lambda m: " ", alnum.text)
    return RuleResult(
        spaces.text, composed + alnum.count + spaces.count, alnum.examples + spaces.examples
    )


# --------------------------------------------------------------------------
# 2. Inline pinyin readings and lost characters
# --------------------------------------------------------------------------

_PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêếềńňǹḿ"
_PINYIN_READING_RE = re.compile(
    f"(?P<char>[{HAN}?？\ufffd{LOST_CHARACTER}])"
    f"[(（](?P<reading>[{_PINYIN_LETTERS}]{{1,7}})[)）]"
)
_LOST_MARKERS = "?？\ufffd" + LOST_CHARACTER
# A reading whose opening parenthesis was itself lost to "?": "要?jiǎng)?wù)".
_ORPHAN_READING_RE = re.compile(
    f"(?P<prev>[{HAN}])?[?？\ufffd](?P<reading>[{_PINYIN_LETTERS}]{{1,7}})[)）]"
)


@functools.lru_cache(maxsize=65536)
def _readings(char: str) -> frozenset[str]:
    """All tone-marked readings pypinyin knows for ``char`` (empty if none)."""
    from pypinyin import Style, pinyin  # deferred: pypinyin loads large tables

    found = pinyin(char, style=Style.TONE, heteronym=True, errors="ignore")
    return frozenset(r for group in found for r in group)


def _strip_tones(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable.replace("ü", "v"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_reading_of(reading: str, char: str) -> bool:
    """Tell whether ``reading`` (tone-marked pinyin) is a real reading of ``char``.

    A toneless match also counts: scraped pages sometimes drop tone marks,
    and a toneless syllable that fits the character is still a reading, not
    ordinary parenthesised text.

    Examples
    --------
    >>> is_reading_of("xué", "學"), is_reading_of("xué", "国")
    (True, False)
    """
    known = _readings(char)
    if reading in known:
        return True
    return _strip_tones(reading) in {_strip_tones(r) for r in known}


def remove_pinyin_readings(text: str) -> RuleResult:
    """Remove inline pinyin readings such as ``學(xué)``, keeping the character.

    A parenthesis is removed only when its content is a real reading of the
    character right before it (checked with pypinyin), so ordinary
    parentheses such as ``(国家行政学院)`` or ``(1919—2004)`` survive. When the
    annotated character itself was lost (``?(wù)``), the reading is removed
    and the character becomes U+FFFD, which :func:`flag_lost_characters` then
    marks as :data:`LOST_CHARACTER` and counts: it is flagged, never
    reconstructed from the reading.

    Returns
    -------
    RuleResult
        ``count`` is the number of readings removed (including those after a
        lost character); ``examples`` shows a few of them.

    Examples
    --------
    >>> remove_pinyin_readings("學(xué)史(shǐ)明理(国家行政学院)").text
    '學史明理(国家行政学院)'
    >>> remove_pinyin_readings("第一要?(wù)").text
    '第一要\ufffd'

    When the opening parenthesis was lost too (``要?jiǎng)?wù)``), each reading
    that does not fit the visible character before it stands for a lost
    character:

    >>> remove_pinyin_readings("第一要?jiǎng)?wù),各").text
    '第一要\ufffd\ufffd,各'
    """

    # A lost character becomes U+FFFD, the standard mark of a character lost in decoding, and
    # flag_lost_characters turns every U+FFFD into □ and counts it: the lost characters are
    # counted once, by the rule that says how many characters were lost.
    def repl(match: re.Match[str]) -> str:
        char, reading = match.group("char"), match.group("reading")
        if char in _LOST_MARKERS:
            return LOST_CHARACTER if char == LOST_CHARACTER else "\ufffd"
        return char if is_reading_of(reading, char) else match.group(0)

    def orphan_repl(match: re.Match[str]) -> str:
        prev, reading = match.group("prev") or "", match.group("reading")
        if prev and is_reading_of(reading, prev):
            return prev  # only the parenthesis was lost
        return prev + "\ufffd"

    first = _sub_counting(_PINYIN_READING_RE, repl, text)
    second = _sub_counting(_ORPHAN_READING_RE, orphan_repl, first.text)
    return RuleResult(second.text, first.count + second.count, first.examples + second.examples)


# A ``?`` between two Han characters is either a question mark written in
# half-width form or a character the source's encoding could not hold. Only the
# former has a question word earlier in its sentence.
# Single characters such as 何 or 几 are left out: they occur in ordinary words
# (任何, 几个) and would turn a lost character into a question mark.
_QUESTION_WORDS_RE = re.compile(
    "什么|如何|怎样|怎么|为何|为什么|是否|能否|可否|能不能|是不是|有没有|会不会"
    "|要不要|难道|多少|哪|谁"
)
_QUESTION_PARTICLES = "吗呢么"
_SUSPECT_QM_RE = re.compile(f"(?<=[{HAN}])[?\ufffd](?=[{HAN}])|\ufffd")
_SENTENCE_END_RE = re.compile(r"[。！？!?；;\n]")


def _sentence_before(text: str, pos: int) -> str:
    start = pos
    while start > 0 and not _SENTENCE_END_RE.match(text[start - 1]):
        start -= 1
    return text[start:pos]


def flag_lost_characters(text: str) -> RuleResult:
    """Mark characters the source lost to ``?`` or U+FFFD with :data:`LOST_CHARACTER`.

    U+FFFD (the decoder's replacement character) is always a lost character.
    A half-width ``?`` between two Han characters is a lost character unless
    its sentence contains a question word (什么, 如何, 吗, 能不能 …), in which
    case it is a question mark and is left for :func:`normalize_punctuation`.
    Nothing is ever guessed in place of a lost character.

    Examples
    --------
    >>> flag_lost_characters("宣讲如何开展?为让干部读懂").text
    '宣讲如何开展?为让干部读懂'
    >>> flag_lost_characters("作为当前第一要?各基层").text
    '作为当前第一要□各基层'
    >>> flag_lost_characters("不留任何死角,作为第一要?各基层").text
    '不留任何死角,作为第一要□各基层'

    Every U+FFFD counts, also those :func:`remove_pinyin_readings` left for a lost character
    it found, so the count is the number of □ the rule writes:

    >>> flag_lost_characters("第一要\ufffd\ufffd,各基层?学习").count
    3
    """

    debris = _mojibake_positions(text) if "?" in text else frozenset()

    def repl(match: re.Match[str]) -> str:
        if match.group(0) == "?":
            if match.start() in debris:
                return "?"  # inside mojibake: left as the source had it (flag_mojibake logs it)
            sentence = _sentence_before(text, match.start())
            if sentence.endswith(tuple(_QUESTION_PARTICLES)) or _QUESTION_WORDS_RE.search(sentence):
                return "?"
        return LOST_CHARACTER

    return _sub_counting(_SUSPECT_QM_RE, repl, text)


def _mojibake_positions(text: str) -> frozenset[int]:
    # Mojibake is recognised on simplified text (a traditional character is rare by its measure);
    # this runs before the script step, so it looks at a converted copy when the conversion keeps
    # every offset, which character-by-character OpenCC conversion almost always does.
    if not _SUSPECT_QM_RE.search(text):
        return frozenset()
    simplified = _converter("t2s").convert(text)
    if len(simplified) != len(text):
        return frozenset()
    return frozenset(i for a, b in find_mojibake(simplified) for i in range(a, b))


# --------------------------------------------------------------------------
# 3. Script
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _converter(config: str):
    import opencc  # deferred: the official C++ binding loads its dictionaries

    return opencc.OpenCC(f"{config}.json")


def to_simplified(text: str, *, config: str = "t2s") -> RuleResult:
    """Convert traditional characters to simplified with OpenCC's official binding.

    ``count`` is the number of characters that changed. OpenCC converts by
    phrase, so ``乾淨`` becomes ``干净`` while ``乾坤`` stays; it is applied to
    every text (a simplified text is left unchanged) so that no character
    OpenCC would still convert survives cleaning.

    Examples
    --------
    >>> to_simplified("學史力行踐初心").text
    '学史力行践初心'
    """
    converted = _converter(config).convert(text)
    if converted == text:  # a simplified text: nothing to count (a C comparison, not a loop)
        return RuleResult(converted, 0, ())
    if len(converted) != len(text):  # phrase conversion may change length; count by diff
        import difflib

        matcher = difflib.SequenceMatcher(a=text, b=converted, autojunk=False)
        count = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")
    else:
        count = sum(1 for a, b in zip(text, converted) if a != b)
    examples: list[str] = []
    if count:
        for i, (a, b) in enumerate(zip(text, converted)):
            if a != b and len(examples) < _MAX_EXAMPLES:
                examples.append(f"{_context(text, i, i + 1, 2)!r} → {_context(converted, i, i + 1, 2)!r}")
    return RuleResult(converted, count, tuple(examples))


@renamed_parameters(threshold="min_changed_prop")
def script_of(text: str, *, min_changed_prop: float = 0.01) -> str:
    """Classify a text's script as ``"traditional"``, ``"simplified"`` or ``"mixed"``.

    Parameters
    ----------
    text : str
        Raw or partly cleaned text.
    min_changed_prop : float
        Share of Han characters that OpenCC's t2s changes above which a text
        counts as traditional. Simplified texts change no character; texts
        between 0 and this share are ``"mixed"`` (e.g. a simplified article
        quoting a traditional title). (Was ``threshold``.)

    Examples
    --------
    >>> script_of("學史明理"), script_of("学史明理")
    ('traditional', 'simplified')
    """
    return script_from_counts(to_simplified(text).count, count_han(text), min_changed_prop=min_changed_prop)


def count_han(text: str) -> int:
    """Count Han characters (CJK unified ideographs, extension A, compatibility ideographs)."""
    return sum(map(len, _HAN_RUN_RE.findall(text)))


@renamed_parameters(threshold="min_changed_prop")
def script_from_counts(n_changed: int, n_han: int, *, min_changed_prop: float = 0.01) -> str:
    """Label a text's script from how many of its Han characters OpenCC's t2s changed.

    The rule of :func:`script_of`, for callers that already converted the text
    (:func:`clean_text` logs the count) and should not convert it again.

    Examples
    --------
    >>> script_from_counts(0, 100), script_from_counts(1, 1000), script_from_counts(40, 100)
    ('simplified', 'mixed', 'traditional')
    """
    if n_han == 0:
        return "unknown"
    if n_changed == 0:
        return "simplified"
    return "traditional" if n_changed / n_han > min_changed_prop else "mixed"


# --------------------------------------------------------------------------
# 3b. Mojibake
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _common_han_class() -> str:
    # GB2312 level 1: the 3,755 most common simplified characters (rows 16–55, bytes B0A1–D7F9).
    chars = []
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@functools.lru_cache(maxsize=1)
def _common_han() -> frozenset[str]:
    return frozenset(_common_han_class())


# Anchors of mojibake: lost-character marks, and one Latin letter glued between Han characters
# (UTF-8 bytes read as GBK leave both: 刎S富, 鰟e開, ?h委). Only the text around an anchor is
# examined character by character, so clean text costs one scan for anchors.
_MOJIBAKE_ANCHOR_RE = re.compile(f"[?？\ufffd{LOST_CHARACTER}]|[A-Za-z](?<=[{HAN}?？][A-Za-z])(?=[{HAN}])")
_MOJIBAKE_WINDOW = 12


#: Fewest suspects (rare characters, ?, □, glued Latin letters) in one mojibake fragment.
MOJIBAKE_MIN_SUSPECTS = 3


def find_mojibake(text: str) -> list[tuple[int, int]]:
    """Find fragments of mojibake: runs dense in rare characters, ``?`` and glued Latin letters.

    Text decoded with the wrong codec leaves runs such as ``？；颙樱覀兺怀鏊枷胄？`` or
    ``硪粓鳑e开生面``: characters outside the 3,755 common ones of GB2312 level 1, lost-character
    marks and single Latin letters between Han characters, close together. A fragment is a run
    of at least :data:`MOJIBAKE_MIN_SUSPECTS` such suspects, each within four characters of the
    next, with a rare character and a mark or a glued letter among them (rare characters alone
    are literary words such as 笃行 or 铿锵, or names). Apply it to
    simplified text: every traditional character is rare by this measure.

    Returns
    -------
    list of (start, end)
        Offsets of each fragment in ``text``, in order.

    Examples
    --------
    >>> text = "这次庆?;颙樱覀兺怀鏊枷胄?,旋律更响亮。淮北市濉溪县百善镇。"
    >>> [text[a:b] for a, b in find_mojibake(text)]
    ['?;颙樱覀兺怀鏊枷胄?']
    """
    anchors = [m.start() for m in _MOJIBAKE_ANCHOR_RE.finditer(text)]
    if not anchors:
        return []
    common = _common_han()
    positions: set[int] = set()
    for anchor in anchors:
        for i in range(max(0, anchor - _MOJIBAKE_WINDOW), min(len(text), anchor + _MOJIBAKE_WINDOW + 1)):
            char = text[i]
            if i == anchor or (_HAN_RE.match(char) and char not in common):
                positions.add(i)
    fragments: list[tuple[int, int]] = []
    run: list[int] = []

    def close() -> None:
        if len(run) < MOJIBAKE_MIN_SUSPECTS:
            return
        chars = [text[i] for i in run]
        n_latin = sum(1 for c in chars if c.isascii() and c.isalpha())
        n_marks = sum(1 for c in chars if c in _LOST_MARKERS)
        n_rare = len(chars) - n_latin - n_marks
        # a lone ? beside a rare name is a lost character; debris mixes rare characters with marks
        # or letters
        if (n_rare >= 1 and (n_marks or n_latin)) or (n_marks and n_latin):
            fragments.append((run[0], run[-1] + 1))

    for position in sorted(positions):
        if run and (position - run[-1] > 4 or "\n" in text[run[-1]:position]):
            close()
            run = []
        run.append(position)
    close()
    return fragments


def flag_mojibake(text: str) -> RuleResult:
    """Flag mojibake fragments (see :func:`find_mojibake`) for the quality log; change nothing.

    Mojibake cannot be repaired without the original bytes, and guessing would invent text, so
    the fragment stays visible as it is; ``count`` is the number of fragments and ``examples``
    shows them. :func:`normalize_punctuation` leaves a ``?`` inside a fragment alone: it is
    debris, not a question mark.

    Examples
    --------
    >>> result = flag_mojibake("为大家□硪粓鳑e开生面的党史课。")
    >>> result.text == "为大家□硪粓鳑e开生面的党史课。", result.count, result.examples
    (True, 1, ("'□硪粓鳑e'",))
    """
    fragments = find_mojibake(text)
    return RuleResult(text, len(fragments), tuple(repr(text[a:b]) for a, b in fragments[:_MAX_EXAMPLES]))


# --------------------------------------------------------------------------
# 4. Punctuation, emphasis and spacing
# --------------------------------------------------------------------------

_FULLWIDTH_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_HALF_PUNCT_RE = re.compile(r"[,;:?!]")
_HALF_PARENS_RE = re.compile(r"\(([^()\n]*)\)")
_DIGIT_COMMA_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# Characters that make their neighbourhood Chinese text.
_CHINESE_CONTEXT_RE = re.compile(f"[{HAN}“”‘’《》（）「」『』、。{LOST_CHARACTER}]")
# What may stand between a punctuation mark and the Han text it belongs to:
# numbers with their units and signs ("同比增长10.8%;1-5月份").
_NUMERIC_TAIL = set("0123456789.%‰+-~ ")


def _in_chinese_context(text: str, pos: int) -> bool:
    if 0 < pos < len(text) - 1 and text[pos - 1].isdigit() and text[pos + 1].isdigit():
        return False  # 10:30, 1,5: a separator inside a number, not punctuation
    left = pos - 1
    while left >= 0 and text[left] in _NUMERIC_TAIL:
        left -= 1
    if left >= 0 and text[left] != "\n" and _CHINESE_CONTEXT_RE.match(text[left]):
        return True
    right = pos + 1
    while right < len(text) and text[right] == " ":
        right += 1
    return right < len(text) and bool(_CHINESE_CONTEXT_RE.match(text[right]))


def normalize_punctuation(text: str) -> RuleResult:
    """Use Chinese (full-width) punctuation consistently in Chinese text.

    A half-width ``, ; : ? !`` becomes ``， ； ： ？ ！`` when the text it
    belongs to is Chinese: a Han character (or Chinese quote, bracket or
    :data:`LOST_CHARACTER`) directly after it, or directly before it once
    numbers and units are skipped (``增长10.8%;1-5月`` → ``增长10.8%；1-5月``).
    Half-width parentheses whose content or left neighbour is Han become
    ``（ ）``. Thousands separators (``1,000``), decimals, times and ASCII-only
    text (URLs, version numbers) are left alone.

    Examples
    --------
    >>> normalize_punctuation("指出,在庆祝(国家行政学院)时刻:好?").text
    '指出，在庆祝（国家行政学院）时刻：好？'
    >>> normalize_punctuation("增长10.8%;1-5月份").text
    '增长10.8%；1-5月份'
    >>> normalize_punctuation("会议于上午10:30召开,党史大事记(第一卷(1919—2004))").text
    '会议于上午10:30召开，党史大事记（第一卷（1919—2004））'
    >>> normalize_punctuation("共1,000人次。version 1.2, H5 at 10:30").text
    '共1,000人次。version 1.2, H5 at 10:30'
    """
    protected = _DIGIT_COMMA_RE.sub("\x00", text)  # placeholder survives the comma rule

    def parens(match: re.Match[str]) -> str:
        before = protected[max(0, match.start() - 1) : match.start()]
        if _HAN_RE.search(match.group(1)) or _HAN_RE.search(before):
            return f"（{match.group(1)}）"
        return match.group(0)

    # Innermost pairs first, repeated, so nested parentheses convert in one call.
    first = RuleResult(protected, 0)
    while True:
        step = _sub_counting(_HALF_PARENS_RE, parens, first.text)
        if not step.count:
            break
        first = RuleResult(step.text, first.count + step.count, (first.examples + step.examples)[:_MAX_EXAMPLES])
        protected = step.text
    source = first.text

    # a "?" in mojibake is debris, not a question mark: it stays as the source had it
    debris = {i for a, b in find_mojibake(source) for i in range(a, b)} if "?" in source else set()

    def punct(match: re.Match[str]) -> str:
        if match.group(0) == "?" and match.start() in debris:
            return "?"
        if _in_chinese_context(source, match.start()):
            return _FULLWIDTH_PUNCT[match.group(0)]
        return match.group(0)

    second = _sub_counting(_HALF_PUNCT_RE, punct, source)
    return RuleResult(
        second.text.replace("\x00", ","), first.count + second.count, first.examples + second.examples
    )


_EMPHASIS_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING_RE = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)


def remove_markdown_emphasis(text: str) -> RuleResult:
    """Remove markdown emphasis marks (``**强调**``, ``__强调__``) and heading hashes.

    The emphasised words stay; only the marks go.

    Examples
    --------
    >>> remove_markdown_emphasis("——**专家解读学**。举办").text
    '——专家解读学。举办'
    """
    first = _sub_counting(_EMPHASIS_RE, lambda m: m.group(2), text)
    second = _sub_counting(_MD_HEADING_RE, lambda m: "", first.text)
    return RuleResult(second.text, first.count + second.count, first.examples + second.examples)


# A run of Han segments separated by single spaces where some segment is a single
# character: "進基 層 活動". Typesetting letter-spacing, not a phrase boundary; a
# space between two multi-character phrases ("掀热潮 成立22个") is kept.
# The look-arounds stop a run from ending inside a word ("掀热潮 成|立22个").
_SPACED_RUN_RE = re.compile(f"(?<![{HAN}0-9A-Za-z])[{HAN}]+(?: [{HAN}]+)+(?![{HAN}0-9A-Za-z])")


def join_letterspaced_words(text: str) -> RuleResult:
    """Remove spaces that letter-spacing put inside words (``进基 层 活动`` → ``进基层活动``).

    Only runs in which at least one space-separated piece is a single Han
    character are joined; spaces between multi-character phrases (headline
    clauses such as ``掀热潮 成立22个巡回指导组``) are kept.

    Examples
    --------
    >>> join_letterspaced_words("百姓宣讲进基 层 活动").text
    '百姓宣讲进基层活动'
    >>> join_letterspaced_words("深入挖掘党史资源 传承红色基因").text
    '深入挖掘党史资源 传承红色基因'
    >>> join_letterspaced_words("掀热潮 成立22个巡回指导组").text
    '掀热潮 成立22个巡回指导组'

    A byline is never joined: its spaces separate names.

    >>> join_letterspaced_words("新华社记者 宋晨 摄").text
    '新华社记者 宋晨 摄'
    """

    def repl(match: re.Match[str]) -> str:
        pieces = match.group(0).split(" ")
        if _BYLINE_WORDS_RE.search(match.group(0)):
            return match.group(0)  # a byline's spaces separate names: "记者 王一 李二 摄"
        if any(len(p) == 1 for p in pieces):
            return "".join(pieces)
        return match.group(0)

    return _sub_counting(_SPACED_RUN_RE, repl, text)


_BYLINE_WORDS_RE = re.compile(r"记者|通讯员|编辑|作者|摄影|实习生|(?:^| )摄$")


_MULTISPACE_RE = re.compile(r"[ ]{2,}")
_LINE_EDGE_SPACE_RE = re.compile(r"^[ ]+|[ ]+$", re.MULTILINE)


def normalize_whitespace(text: str) -> RuleResult:
    """Strip spaces at line edges and collapse runs of spaces to one.

    Blank lines are kept: their number is evidence for the structure step
    (a caption is set off by more blank lines than a paragraph).

    Examples
    --------
    >>> normalize_whitespace("  习近平总书记指出  \\n学史  明理").text
    '习近平总书记指出\\n学史 明理'
    """
    first = _sub_counting(_LINE_EDGE_SPACE_RE, lambda m: "", text)
    second = _sub_counting(_MULTISPACE_RE, lambda m: " ", first.text)
    return RuleResult(second.text, first.count + second.count, first.examples + second.examples)


# --------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------

#: The text-level rules in the order :func:`clean_text` applies them, as
#: ``(step, rule name, function)``. Steps group rules in the quality log.
TEXT_RULES: tuple[tuple[str, str, Callable[[str], RuleResult]], ...] = (
    ("unicode", "line_endings", normalize_line_endings),
    ("unicode", "invisible_characters", remove_invisible_characters),
    ("unicode", "width", normalize_width),
    ("whitespace", "line_whitespace", normalize_whitespace),
    ("pinyin", "pinyin_readings", remove_pinyin_readings),
    ("lost_characters", "lost_characters", flag_lost_characters),
    ("script", "traditional_to_simplified", to_simplified),
    ("encoding", "mojibake", flag_mojibake),
    ("punctuation", "punctuation", normalize_punctuation),
    ("markup", "markdown_emphasis", remove_markdown_emphasis),
    ("whitespace", "letterspacing", join_letterspaced_words),
)


def clean_text(
    text: str, *, skip: Iterable[str] = ()
) -> tuple[str, list[dict[str, object]]]:
    """Apply every text-level cleaning rule to ``text``.

    Parameters
    ----------
    text : str
        A decoded document, untouched.
    skip : iterable of str
        Rule names (second element of :data:`TEXT_RULES`) to leave out, e.g.
        ``{"traditional_to_simplified"}`` to study a text in its own script.

    Returns
    -------
    cleaned : str
        The text with every rule applied; line structure (including blank
        lines) is preserved for :mod:`corpus_tools.corpus.structure`.
    log : list of dict
        One entry per rule that changed or flagged something, with keys
        ``step``, ``rule``, ``count`` and ``detail`` (a few examples).

    Examples
    --------
    >>> cleaned, log = clean_text("學(xué)史明理,學(xué)史增信")
    >>> cleaned
    '学史明理，学史增信'
    >>> [(row["rule"], row["count"]) for row in log]
    [('pinyin_readings', 2), ('traditional_to_simplified', 2), ('punctuation', 1)]
    """
    skip = set(skip)
    unknown = skip - {name for _, name, _ in TEXT_RULES}
    if unknown:
        raise ValueError(
            f"skip: unknown cleaning rule(s) {sorted(unknown)}; "
            f"known rules are {[name for _, name, _ in TEXT_RULES]}"
        )
    log: list[dict[str, object]] = []
    for step, name, rule in TEXT_RULES:
        if name in skip:
            continue
        result = rule(text)
        text = result.text
        if result.count:
            log.append(
                {"step": step, "rule": name, "count": result.count, "detail": "; ".join(result.examples)}
            )
    return text, log
