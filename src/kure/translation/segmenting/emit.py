"""Writing a translated segment back as Markdown in the place of its source.

The translation's text is escaped so it cannot create markup of its own; the placeholders get their source
markup back. The result is checked by parsing it again: if its markup is not what the placeholders promise
(emphasis that no longer flanks a word, say), we retry with ``*`` for ``_``, then without emphasis, and
finally give up (the caller keeps the source text).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from .parser import escaped_split, parse_inline
from .source import Unaligned
from .tags import Node, parse_translation
from .units import TEXT_ATOMS, Atom, Pair, inline_units, skeleton

_ALWAYS = re.compile(r"[\\*_\[\]<]")
_ENTITY = re.compile(r"&(?=#?[0-9a-z]+;)", re.IGNORECASE)
_LINE_START = "#>+-=~|:"  # would start a heading, quote, list, setext underline, fence or table row
_ORDERED = re.compile(r"\d{1,9}(?=[.)])")
_NEWLINES = re.compile(r"\r\n?|\n")
_OPENS_BRACKET = frozenset({"link", "wikilink", "footnote_ref"})
WIKI_LABEL_MAX = 200  # see kure.articles.markup.WIKI_LINK


@dataclass
class Context:
    """Where a segment stands and what its placeholders stand for."""

    pieces: Mapping[str, Pair | Atom]
    original: Callable[[int, int], str]  # source text of a span
    render_atom: Callable[[Atom], str]  # an atom's markup, with translated captions inside
    new_env: Callable[[], dict]  # a parser env with the document's references and footnotes
    line_start: bool = False  # the segment begins a line of block content
    table: bool = False
    atx: bool = False
    pipe: str = "|"  # how to write "|": "\\|" in a table, "&#124;" above a line that could make it a table
    source: str = ""  # the segment's source Markdown
    before: str = ""  # the source before the segment on its first line
    after: str = ""  # the source after the segment on its last line
    next_line: str | None = None  # the source line after that


def escape_text(text: str, pipe: str = "|") -> str:
    """Text that renders as itself. A backtick becomes an entity: an unmatched one in an untranslated sentence
    nearby would take "\\`" for the end of a code span (escapes do not work inside code)."""
    text = _ENTITY.sub("\\\\&", _ALWAYS.sub(lambda m: "\\" + m.group(), text))
    return text.replace("|", pipe).replace("`", "&#96;")


def escape_line_start(text: str) -> str:
    if text[:1] and text[0] in _LINE_START:
        return "\\" + text
    if match := _ORDERED.match(text):
        return f"{text[:match.end()]}\\{text[match.end():]}"
    return text


def render_translation(text: str, ctx: Context) -> str | None:
    """Markdown for a translated segment, or None if it cannot be written with the source's markup."""
    kinds = {ident: piece.kind for ident, piece in ctx.pieces.items()}
    tree = _hoist(_strip_ends(parse_translation(text, kinds)), kinds)
    emphasis = [p for p in ctx.pieces.values() if isinstance(p, Pair) and p.kind in ("emphasis", "strong")]
    variants = [(False, False)]
    if any("_" in ctx.original(*p.open) for p in emphasis):
        variants.append((True, False))
    if emphasis:
        variants.append((False, True))
    for stars, plain in variants:
        nodes = _drop_emphasis(tree, kinds) if plain else tree
        out = _Writer(ctx, stars).write(nodes)
        if _makes_table(ctx, out):  # a wiki link label's "|" may be to blame
            out = _Writer(ctx, stars, bare_wiki_links=True).write(nodes)
        if not out.strip() or _makes_table(ctx, out):
            return None
        if ctx.table and ends_table(ctx.before + out) != ends_table(ctx.before + ctx.source):
            return None
        if _verify(out, nodes, ctx):
            return out
    return None


def _strip_ends(nodes: list[Node | str]) -> list[Node | str]:
    nodes = list(nodes)
    if nodes and isinstance(nodes[0], str):
        nodes[0] = nodes[0].lstrip()
    if nodes and isinstance(nodes[-1], str):
        nodes[-1] = nodes[-1].rstrip()
    return [n for n in nodes if n != ""]


def _hoist(nodes: list[Node | str], kinds: Mapping[str, str]) -> list[Node | str]:
    """Move whitespace at the edges of emphasis outside it (``** x**`` is no emphasis); drop empty emphasis."""
    out: list[Node | str] = []
    for node in nodes:
        if isinstance(node, str) or node.ident.startswith("x"):
            out.append(node)
            continue
        children = _hoist(node.children, kinds)
        if kinds[node.ident] not in ("emphasis", "strong"):
            out.append(Node(node.ident, children))
            continue
        lead = trail = ""
        if children and isinstance(children[0], str):
            first = children[0]
            children[0] = first.lstrip()
            lead = first[:len(first) - len(children[0])]
        if children and isinstance(children[-1], str):
            last = children[-1]
            children[-1] = last.rstrip()
            trail = last[len(children[-1]):]
        children = [c for c in children if c != ""]
        if not any(not isinstance(c, str) or c.strip() for c in children):
            out.append(lead + "".join(c for c in children if isinstance(c, str)) + trail)
            continue
        out.extend([lead, Node(node.ident, children), trail])
    return _merge(out)


def _drop_emphasis(nodes: list[Node | str], kinds: Mapping[str, str]) -> list[Node | str]:
    out: list[Node | str] = []
    for node in nodes:
        if isinstance(node, str) or node.ident.startswith("x"):
            out.append(node)
        elif kinds[node.ident] in ("emphasis", "strong"):
            out.extend(_drop_emphasis(node.children, kinds))
        else:
            out.append(Node(node.ident, _drop_emphasis(node.children, kinds)))
    return _merge(out)


def _merge(nodes: list[Node | str]) -> list[Node | str]:
    out: list[Node | str] = []
    for node in nodes:
        if isinstance(node, str):
            if not node:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += node
                continue
        out.append(node)
    return out


class _Writer:
    def __init__(self, ctx: Context, stars: bool, *, bare_wiki_links: bool = False) -> None:
        self.ctx, self.stars, self.bare_wiki_links = ctx, stars, bare_wiki_links
        self.line_start = ctx.line_start
        self.parts: list[str] = []

    def write(self, nodes: list[Node | str]) -> str:
        self.breaks = self._kept_breaks(list(self._leaves(nodes)))
        self._nodes(nodes)
        out = "".join(self.parts).strip(" \t")
        return _escape_closing_hashes(out) if self.ctx.atx else out

    def _leaves(self, nodes: Sequence[Node | str]) -> Iterator[tuple[str, Node | str]]:
        for node in nodes:
            if isinstance(node, str):
                yield "text", node
            elif node.ident.startswith("x") or self._kind(node) == "wikilink":
                yield "atom", node
            else:
                yield "open", node
                yield from self._leaves(node.children)
                yield "close", node

    def _is_break(self, kind: str, node: Node | str) -> bool:
        return kind == "atom" and self._kind(node) == "hardbreak"

    def _kept_breaks(self, leaves: list[tuple[str, Node | str]]) -> set[int]:
        """The hard breaks that fall between content on both sides.

        A translation may move a hard break to the end of the segment or next to another one; written as such,
        it would leave an empty line (ending the paragraph) or one of bare emphasis markers (``***`` is a
        thematic break, ``* x`` a list item). Those become spaces.
        """
        kept: set[int] = set()
        content = False  # on the current line
        for i, (kind, node) in enumerate(leaves):
            if not self._is_break(kind, node):
                content = content or kind == "atom" or (kind == "text" and isinstance(node, str) and bool(node.strip()))
                continue
            following = next(((k, n) for k, n in leaves[i + 1:] if not (k == "text" and not str(n).strip())), None)
            if content and following and following[0] in ("text", "atom", "open") and not self._is_break(*following):
                kept.add(id(node))
                content = False
        return kept

    def _nodes(self, nodes: Sequence[Node | str]) -> None:
        for i, node in enumerate(nodes):
            if isinstance(node, str):
                before = nodes[i - 1] if i else None
                after = nodes[i + 1] if i + 1 < len(nodes) else None
                self._text(node, before, after)
            elif node.ident.startswith("x"):
                atom = self.ctx.pieces[node.ident]
                assert isinstance(atom, Atom)
                if atom.kind == "hardbreak" and id(node) not in self.breaks:
                    self.parts.append(" ")
                    continue
                self.parts.append(self.ctx.render_atom(atom))
                self.line_start = atom.kind == "hardbreak"  # what follows starts a line
            else:
                self._pair(node)

    def _kind(self, node: Node | str | None) -> str:
        return "" if node is None or isinstance(node, str) else self.ctx.pieces[node.ident].kind

    def _text(self, text: str, before: Node | str | None, after: Node | str | None) -> None:
        out = escape_text(_NEWLINES.sub(" ", text), self.ctx.pipe)
        if self.line_start:
            out = escape_line_start(out.lstrip(" \t"))
        if out[-1:] in ("!", "^") and self._kind(after) in _OPENS_BRACKET:
            out = f"{out[:-1]}\\{out[-1]}"  # "![" would start an image, "^[" an inline footnote
        if out[:1] == ":" and self._kind(before) == "footnote_ref":
            out = "\\" + out  # "[^1]:" at a line start would define a footnote
        if out.strip():
            self.line_start = False
        self.parts.append(out)

    def _pair(self, node: Node) -> None:
        pair = self.ctx.pieces[node.ident]
        assert isinstance(pair, Pair)
        if pair.kind == "wikilink":
            self.parts.append(self._wikilink(pair, node))
            self.line_start = False
            return
        opening, closing = self.ctx.original(*pair.open), self.ctx.original(*pair.close)
        if pair.kind in ("emphasis", "strong") and self.stars:
            opening, closing = opening.replace("_", "*"), closing.replace("_", "*")
        if pair.kind == "link" and pair.label is not None:
            # [text] and [text][] find their reference by their text, which is about to change.
            label = " ".join(pair.label.split())
            closing = "][" + (label.replace("|", "\\|") if self.ctx.table else label) + "]"
        self.parts.append(opening)
        self.line_start = False
        self._nodes(node.children)
        self.parts.append(closing)
        self.line_start = False

    def _wikilink(self, pair: Pair, node: Node) -> str:
        text = "".join(c for c in node.children if isinstance(c, str))
        label = " ".join(text.split()).replace("[", "(").replace("]", ")")[:WIKI_LABEL_MAX].strip()
        if not label or label == pair.target.strip() or self.bare_wiki_links:
            return f"[[{pair.target}]]"
        if self.ctx.table:
            escaped = label.replace("|", "\\|")
            return f"[[{pair.target}\\|{escaped}]]"
        return f"[[{pair.target}|{label}]]"


def _escape_closing_hashes(out: str) -> str:
    """A heading's text ending in " #" would lose the "#" as a closing sequence."""
    run = len(out) - len(out.rstrip("#"))
    if run and (run == len(out) or out[-run - 1] in " \t"):
        return f"{out[:-run]}\\{out[-run:]}"
    return out


# A line starting like this ends a table (markdown-it stops at what may interrupt a blockquote); approximate.
_TABLE_END = re.compile(r"[ \t>]*(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)|[ \t>]*(?:#{1,6}(?:[ \t]|$)|```|~~~)")


def ends_table(line: str) -> bool:
    return bool(_TABLE_END.match(line))


_DELIMITER_ROW = re.compile(r"[-:|][-:| \t]*")
_QUOTE_PREFIX = re.compile(r"[ \t>]*")


def _makes_table(ctx: Context, out: str) -> bool:
    """Would a line of the rewritten segment become a table header, the line below it being like "--" or "-|-"?

    markdown-it's test, approximately: a raw "|" in the line, and as many cells as the delimiter row has
    columns. Text pipes are written as entities there, but a moved code span or a new wiki link label can bring
    one; such a translation is not used.
    """
    if ctx.table:
        return False
    lines = _NEWLINES.split(ctx.before + out + ctx.after)
    following = [*lines[1:], ctx.next_line]
    for line, below in zip(lines, following, strict=True):
        if below is None or "|" not in line:
            continue
        delimiter = below[_QUOTE_PREFIX.match(below).end():].strip()  # type: ignore[union-attr]
        if not _DELIMITER_ROW.fullmatch(delimiter):
            continue
        columns = [c for c in delimiter.split("|")]
        header = escaped_split(line[_QUOTE_PREFIX.match(line).end():].strip())  # type: ignore[union-attr]
        for cells in (columns, header):
            if cells and not cells[0].strip():
                cells.pop(0)
            if cells and not cells[-1].strip():
                cells.pop()
        if len(header) == len(columns):
            return True
    return False


def _expected(nodes: Sequence[Node | str], pieces: Mapping[str, Pair | Atom]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for node in nodes:
        if isinstance(node, str):
            continue
        kind = pieces[node.ident].kind
        if node.ident.startswith("x"):
            if kind not in TEXT_ATOMS:
                out.append(("atom", kind))
        else:
            out.append(("open", kind))
            out.extend(_expected(node.children, pieces))
            out.append(("close", kind))
    return out


def _verify(out: str, nodes: list[Node | str], ctx: Context) -> bool:
    """Does ``out``, parsed on its own, have exactly the markup of ``nodes``?"""
    text = _NEWLINES.sub("\n", out).replace("\0", "\ufffd")  # as markdown-it's normalize would
    if ctx.table:
        cells = escaped_split(text)
        if len(cells) != 1:
            return False
        text = cells[0]
    env = ctx.new_env()
    try:
        units = inline_units(parse_inline(text, env), text, range(len(text) + 1), env)
    except Unaligned:
        return False
    return skeleton(units) == _expected(nodes, ctx.pieces)
