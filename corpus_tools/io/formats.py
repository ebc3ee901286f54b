"""Markdown and Word documents as plain lines: pure functions on a decoded text or a file's bytes.

:func:`markdown_to_text` turns Markdown into plain lines and its YAML front matter into
docvars (read as data, aliases refused); :func:`docx_to_text` reads a Word document's
paragraphs, tables included, after checking that the package is safe to inflate and parse.
HTML is :mod:`corpus_tools.io.html`; which function a file goes to is
:func:`corpus_tools.io.files.read_file`'s choice.
"""

from __future__ import annotations

import io
import re

from .records import as_docvar

__all__ = ["MAX_DOCX_UNZIPPED_BYTES", "docx_to_text", "markdown_to_text"]


_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_LINE_BREAK_RE = re.compile(r"(\r\n|\r|\n)")
_FRONT_MATTER_ALIASES = {"date": "date_published", "author": "reporters", "authors": "reporters"}
_FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
_MD_BLOCK_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("rule", re.compile(r"^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$"), ""),
    ("setext underline", re.compile(r"^[ \t]{0,3}={2,}[ \t]*$"), ""),
    ("link definition", re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$"), ""),
    ("table separator", re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*$"), ""),
    ("quote", re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+"), ""),
    ("list item", re.compile(r"^[ \t]*[-*+][ \t]+"), ""),
    ("closing hashes", re.compile(r"^(#{1,6}[ \t]+.*?)[ \t]+#+[ \t]*$"), r"\1"),
)
_MD_INLINE_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("html comment", re.compile(r"<!--.*?-->"), ""),
    ("image", re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)"), ""),
    ("link", re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)"), r"\1"),
    ("link", re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]"), r"\1"),
    ("autolink", re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>"), r"\1"),
    ("html tag", re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>"), ""),
    ("inline code", re.compile(r"`([^`\n]+)`"), r"\1"),
    ("strikethrough", re.compile(r"~~(?=\S)([^~\n]+?)(?<=\S)~~"), r"\1"),
    # Single-star emphasis; ``**bold**`` and ``__bold__`` are clean.py's (markdown_emphasis).
    ("emphasis", re.compile(r"(?<![*\\A-Za-z0-9])\*(?=[^*\s])([^*\n]+?)(?<=[^*\s])\*(?![*A-Za-z0-9])"), r"\1"),
)
_PIPE_ROW_RE = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$")


def _load_front_matter(text: str) -> object:
    """Parse a YAML front-matter block as plain data; ValueError when it is not YAML or uses aliases.

    ``yaml.safe_load`` builds data, never objects, but it shares what an alias (``*name``)
    points to, so nine levels of nine aliases each are a few hundred bytes that stand for 9⁹
    strings: harmless until the value is written out as a docvar (json), which would then
    take gigabytes. Front matter of an article has no use for aliases, so they are refused.
    """
    import yaml  # deferred: only Markdown with front matter needs it

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.events.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases are not allowed in front matter", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)

    try:
        return yaml.load(text, Loader=NoAliasLoader)  # a SafeLoader: data, never code
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from error


def markdown_to_text(markdown: str) -> tuple[str, dict[str, str], list[str]]:
    """Turn Markdown into plain lines, conservatively.

    Links keep their text, images go, list markers, quote marks, rules, code
    fences and table pipes go; the words stay. ATX headings (``# 标题``) and
    ``**bold**`` / ``__bold__`` are left for
    :func:`corpus_tools.corpus.clean.remove_markdown_emphasis`, which every text goes
    through. Ordered-list numbers (``1.``) stay: in Chinese reports they are
    part of the text.

    Parameters
    ----------
    markdown : str
        The decoded file.

    Returns
    -------
    text : str
        The text, line structure kept.
    front_matter : dict of str
        Key–value pairs of a leading YAML block (``---`` … ``---``), read
        as plain data (a safe YAML loader, aliases refused); ``date`` becomes ``date_published`` and
        ``author`` ``reporters``. Empty when there is none or it does not parse.
    changes : list of str
        One ``"kind: before → after"`` entry per markup item removed.

    Examples
    --------
    >>> text, meta, changes = markdown_to_text("---\\ntitle: 标题\\n---\\n# 标题\\n\\n- 见[新闻](http://x.cn)*一*")
    >>> text, meta, len(changes)
    ('# 标题\\n\\n见新闻一', {'title': '标题'}, 4)
    """
    changes: list[str] = []
    front: dict[str, str] = {}
    match = _FRONT_MATTER_RE.match(markdown)
    if match:
        try:
            loaded = _load_front_matter(match.group(1) or "")
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            front = {_FRONT_MATTER_ALIASES.get(str(k), str(k)): as_docvar(v) for k, v in loaded.items()}
            markdown = markdown[match.end() :]
            changes.append(f"front matter: {', '.join(map(str, loaded))}")

    escapes: list[str] = []
    # Line ends are kept as they are (CRLF, CR): normalising them is clean.py's job, and logged there.
    parts = _LINE_BREAK_RE.split(markdown)
    out_lines = []
    in_fence = ""
    for line, end in zip(parts[0::2], parts[1::2] + [""]):
        out_lines.append(_markdown_line(line, escapes, changes, in_fence) + end)
        fence = _FENCE_RE.match(line)
        if fence and (not in_fence or fence.group(1)[0] == in_fence[0]):
            in_fence = "" if in_fence else fence.group(1)
    text = "".join(out_lines)
    if escapes:
        text = re.sub("\ue000(\\d+)\ue001", lambda m: escapes[int(m.group(1))], text)
    return text, front, changes


def _markdown_line(line: str, escapes: list[str], changes: list[str], in_fence: str) -> str:
    """One Markdown line as plain text (a fence line becomes blank, a line inside a fence stays)."""

    def protect(m: re.Match[str]) -> str:
        escapes.append(m.group(1))
        return f"\ue000{len(escapes) - 1}\ue001"

    fence = _FENCE_RE.match(line)
    if fence and (not in_fence or fence.group(1)[0] == in_fence[0]):
        changes.append(f"code fence: {line.strip()[:20]!r} → ''")
        return ""
    if in_fence:
        return line
    line = _ESCAPE_RE.sub(protect, line)
    for kind, pattern, repl in _MD_BLOCK_RULES:
        new = pattern.sub(repl, line)
        if new != line:
            changes.append(f"{kind}: {line.strip()[:20]!r} → {new.strip()[:20]!r}")
            line = new
    row = _PIPE_ROW_RE.match(line)
    if row:
        new = " ".join(cell.strip() for cell in row.group(1).split("|"))
        changes.append(f"table row: {line.strip()[:20]!r} → {new[:20]!r}")
        line = new
    for kind, pattern, repl in _MD_INLINE_RULES:
        line = _sub_logged(pattern, repl, line, kind, changes)
    return line


def _sub_logged(pattern: re.Pattern[str], repl: str, line: str, kind: str, changes: list[str]) -> str:
    def replace(m: re.Match[str]) -> str:
        new = m.expand(repl)
        changes.append(f"{kind}: {m.group(0)[:30]!r} → {new[:20]!r}")
        return new

    return pattern.sub(replace, line)


#: The most a .docx may inflate to, all parts together (bytes). A long Word report with
#: images is a few MB unzipped; this leaves room for large embedded pictures while refusing a
#: zip bomb before it is inflated.
MAX_DOCX_UNZIPPED_BYTES = 256 * 1024 * 1024
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def _check_docx_package(data: bytes) -> None:
    """Refuse a .docx whose parts would inflate too far or whose XML declares a DTD (ValueError)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            total = sum(info.file_size for info in infos)
            if total > MAX_DOCX_UNZIPPED_BYTES:
                biggest = max(infos, key=lambda info: info.file_size)
                raise ValueError(
                    f"its parts would inflate to {total / 2**20:,.0f} MB ({biggest.filename}: "
                    f"{biggest.file_size / 2**20:,.0f} MB), more than the {MAX_DOCX_UNZIPPED_BYTES / 2**20:,.0f} MB "
                    "a Word document may have; refused before inflating it"
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with package.open(info) as member:
                        head = member.read(4096)
                    if _DTD_RE.search(head):
                        raise ValueError(f"{info.filename} declares a DTD or entities, which Word never writes")
    except zipfile.BadZipFile as error:
        raise ValueError(f"not a valid Word .docx file ({error})") from error
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
        raise ValueError(f"not a valid Word .docx file ({type(error).__name__}: {error})") from error


def docx_to_text(data: bytes) -> tuple[str, dict[str, str], int]:
    """Read a Word (.docx) document's paragraphs, tables included, in order.

    Returns
    -------
    text : str
        One line per paragraph (a table cell's paragraphs included, merged
        cells once), a blank line between paragraphs and one more for each
        empty paragraph, as a text file would have them.
    hints : dict of str
        ``file_title``: the document's title property, when set.
    n_tables : int
        Tables whose cells were read as lines.

    Raises
    ------
    ValueError
        When the bytes are not a Word document, or not one that is safe to parse: its parts
        would inflate past :data:`MAX_DOCX_UNZIPPED_BYTES`, or an XML part holds a DTD
        (Word never writes one; entity definitions are how "billion laughs" bombs work).

    Notes
    -----
    The sizes are checked in the zip's directory before anything is inflated (zipfile stops
    at the size the directory states, so a member cannot lie its way past the check). The XML
    is parsed by python-docx's own lxml parser, which resolves no entities, fetches nothing
    from the network and keeps libxml2's limits on depth and text size (``huge_tree`` off).
    """
    import zipfile
    import zlib

    import lxml.etree
    from docx import Document  # deferred: only .docx needs it
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    _check_docx_package(data)
    try:
        document = Document(io.BytesIO(data))
    except (
        zipfile.BadZipFile, zipfile.LargeZipFile, PackageNotFoundError, KeyError, ValueError,
        lxml.etree.LxmlError, NotImplementedError, RuntimeError, EOFError, zlib.error,
    ) as error:
        raise ValueError(f"not a valid Word .docx file ({type(error).__name__}: {error})") from error
    lines: list[str] = []
    n_tables = 0

    def walk(container) -> None:
        nonlocal n_tables
        for item in container.iter_inner_content():
            if isinstance(item, Table):
                n_tables += 1
                for row in item.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell appears once per grid column
                            continue
                        seen.add(id(cell._tc))
                        walk(cell)
            else:
                lines.append(item.text)

    try:
        walk(document)
    except (lxml.etree.LxmlError, KeyError, ValueError) as error:  # parts are parsed lazily too
        raise ValueError(f"not a valid Word .docx file ({type(error).__name__}: {error})") from error
    parts: list[str] = []
    blank = 0
    for line in lines:
        if not line.strip():
            blank += 1
            continue
        if parts:
            parts.append("\n\n" + "\n" * blank)
        parts.append(line)
        blank = 0
    title = (document.core_properties.title or "").strip()
    return "".join(parts), ({"file_title": title} if title else {}), n_tables
