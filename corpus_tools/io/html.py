"""HTML pages: the article body with trafilatura, the charset a page declares, pages nested too deep.

:func:`html_to_text` extracts the article (navigation, footers, scripts and styles dropped;
scripts are never run, nothing is fetched) and keeps the page's own title and date as hints;
a page nested deeper than libxml2 reads is flattened first, so that its text is not cut short
silently. :func:`declared_html_charset` reads the ``<meta charset>`` that
:func:`corpus_tools.io.decode.decode_bytes` takes as a hint.
"""

from __future__ import annotations

import re

from .records import count_han

__all__ = ["declared_html_charset", "html_to_text"]

_META_CHARSET_RE = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
_XML_ENCODING_RE = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.I)
_XML_DECLARATION_RE = re.compile(r"\A\s*<\?xml[^>]*\?>")


def declared_html_charset(data: bytes) -> str | None:
    """Return the encoding an HTML page declares in its first 4 KB, or None.

    Examples
    --------
    >>> declared_html_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb2312'
    """
    head = data[:4096]
    match = _META_CHARSET_RE.search(head) or _XML_ENCODING_RE.search(head)
    return match.group(1).decode("ascii") if match else None


def html_to_text(html: str) -> tuple[str, dict[str, str], dict[str, object]]:
    """Extract an HTML page's article text with trafilatura.

    Parameters
    ----------
    html : str
        The decoded page.

    Returns
    -------
    text : str
        The article's blocks (title, dateline, byline, paragraphs, headings)
        one per line with a blank line between them; navigation, footers,
        comments, tables, scripts and styles left out.
    hints : dict of str
        ``file_title`` and ``file_date``: the page's own title and date as
        trafilatura reads them from its metadata (``<title>``, ``<meta>``),
        when it finds them. Stored as docvars beside the inferred ``title`` and
        ``date_published``, never in their place: a page title often carries
        the site's name.
    stats : dict
        ``method`` (``trafilatura``, or ``visible-text`` when trafilatura found
        no article and all the page's visible text was taken, a line per block),
        ``headline_restored`` (the page's first ``<h1>``, which trafilatura
        left out, was put back as the first line), ``n_han_page`` (Han
        characters in the page's visible text), ``n_han_kept`` and
        ``flattened`` (0: read as it is; 1: nested deeper than libxml2 reads,
        so read without its inline tags; 2: still too deep, so read as flat
        paragraphs, one per block element).

    Notes
    -----
    ``favor_recall=True`` keeps the ``<h1>`` title and section headings, which
    the default mode drops; ``include_tables=False`` because old government
    pages lay the whole article out in a ``<table>``, and trafilatura would
    flatten it into one line. Scripts are never executed: the page is parsed
    by lxml and nothing is fetched.
    """
    import trafilatura  # deferred: a heavy import that only HTML needs

    # lxml refuses a str that still carries an XML encoding declaration; the bytes are decoded already.
    html = _XML_DECLARATION_RE.sub("", html, count=1)
    page = html
    flattened = 0
    # libxml2 stops reading a page nested deeper than 256 elements (unclosed <font> tags do it),
    # and trafilatura and lxml keep what was read before, silently. Such a page is flattened:
    # first its inline tags go, then, if it is still too deep, every tag (blocks become <p>).
    while flattened < 2 and _html_too_deep(page):
        flattened += 1
        page = _flatten_html(html, keep_blocks=flattened == 1)
    extracted = trafilatura.extract(
        page,
        output_format="txt",
        favor_recall=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=False,
    )
    headline, visible = _page_text(page)
    method = "trafilatura"
    if not extracted or not extracted.strip():
        extracted, method = "\n".join(visible), "visible-text"
    lines = [line.strip() for line in extracted.split("\n")]
    lines = [line for line in lines if line]
    restored = bool(headline) and method == "trafilatura" and headline not in lines
    if restored:
        # trafilatura drops the <h1> when it takes it for the page title; it is the article's headline.
        lines.insert(0, headline)
    text = "\n\n".join(lines)
    hints: dict[str, str] = {}
    if text:
        metadata = trafilatura.extract_metadata(html, extensive=False)
        if metadata is not None:
            for key, value in (("file_title", metadata.title), ("file_date", metadata.date)):
                if value:
                    hints[key] = str(value)
    stats = {
        "method": method,
        "headline_restored": restored,
        "n_han_page": count_han("".join(visible)),
        "n_han_kept": count_han(text),
        "flattened": flattened,
    }
    return text, hints, stats


#: Inline elements: dropping them changes no line of the text, and unclosed ones (<font>) are
#: what nests a scraped page too deep.
_INLINE_TAGS = (
    "a abbr acronym b basefont bdi bdo big blink cite code del dfn em font i ins kbd mark nobr q rp rt "
    "ruby s samp small span strike strong sub sup time tt u var wbr"
).split()
_INVISIBLE_RE = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style|noscript|template)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
# [^<>]*, not [^>]*: a stray "<" without its ">" must not make every later tag scan to the end.
_INLINE_TAG_RE = re.compile(r"</?(?:%s)\b[^<>]*>" % "|".join(_INLINE_TAGS), re.I)
_ANY_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)\b[^<>]*>")


def _html_too_deep(html: str) -> bool:
    """Whether libxml2's HTML parser (as trafilatura uses it) stops early on this page's nesting."""
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser()  # default limits, as trafilatura's
    try:
        lxml.html.fromstring(html, parser=parser)
    except (ValueError, TypeError, lxml.etree.LxmlError):
        return False
    return any(
        entry.type_name == "ERR_RESOURCE_LIMIT" or "excessive depth" in entry.message.lower()
        for entry in parser.error_log
    )


def _flatten_html(html: str, *, keep_blocks: bool) -> str:
    """The page with its inline tags removed, or (``keep_blocks=False``) with every tag removed
    and each block element's text in a ``<p>`` of its own: no nesting left to be too deep.

    Scripts, styles and comments go first, so their text never becomes page text.
    """
    html = _INVISIBLE_RE.sub("", html)
    if keep_blocks:
        return _INLINE_TAG_RE.sub("", html)
    head = re.search(r"<head\b.*?</head\s*>", html, re.I | re.S)
    body = html[head.end():] if head else html
    segments: list[str] = []
    start = 0
    for match in _ANY_TAG_RE.finditer(body):
        if match.group(2).lower() in _BLOCK_TAGS or match.group(2).lower() in {"body", "html"}:
            segments.append(_ANY_TAG_RE.sub("", body[start:match.start()]))
            start = match.end()
    segments.append(_ANY_TAG_RE.sub("", body[start:]))
    paragraphs = "".join(f"<p>{segment.strip()}</p>\n" for segment in segments if segment.strip())
    return f"<html>{head.group(0) if head else ''}<body>\n{paragraphs}</body></html>"


_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th tr ul".split()
)


def _page_text(html: str) -> tuple[str, list[str]]:
    """The page's first ``<h1>`` and all its visible text, one line per block element.

    Scripts, styles and comments are not visible text; nothing is executed.
    """
    import lxml.html  # deferred, as trafilatura

    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return "", []
    for element in tree.xpath("//script | //style | //noscript | //template | //head | //comment()"):
        element.drop_tree()
    headline = ""
    for heading in tree.iter("h1"):
        headline = " ".join(heading.text_content().split())
        if headline:
            break
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    lines = [" ".join(line.split()) for line in tree.text_content().split("\n")]
    return headline, [line for line in lines if line]
