"""The article parser, instrumented with source positions, and the maps from inline content back to the source.

markdown-it's inline tokens carry no positions, and an inline token's ``content`` is not a slice of the source:
list markers, ``>`` prefixes and indentation are cut from its lines, a table cell loses the backslash of ``\\|``.
So we parse with the very configuration :mod:`kure.articles.markup` renders with, wrap every inline rule to
record the span of source it consumed, and map each inline token's content, character by character, onto the
normalised article text (a *cmap*: content offset → source offset, one entry past the end).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from kure.articles import markup

from .source import Source, Unaligned

RuleInfo = tuple[Token, str, int, int, int]  # token, rule name, start, end, index among the rule's new tokens


class Tracker:
    """Side tables for token positions (tokens use ``__slots__``).

    Keyed by ``id(token)``; each value keeps its token alive, so an id is never reused while we look it up.
    """

    def __init__(self) -> None:
        self.at: dict[int, tuple[Token, int]] = {}  # state.pos when the token was pushed
        self.rule: dict[int, RuleInfo] = {}
        self.pending: dict[int, Token] = {}  # plain text flushed from the pending buffer: no rule of its own

    def rule_of(self, token: Token) -> RuleInfo | None:
        return self.rule.get(id(token))

    def pushed_at(self, token: Token) -> int:
        return self.at[id(token)][1]


class _TrackingState(StateInline):
    def push(self, ttype: str, tag: str, nesting: Any) -> Token:
        token = super().push(ttype, tag, nesting)
        self.env["_kure"].at[id(token)] = (token, self.pos)
        return token

    def pushPending(self) -> Token:  # noqa: N802 - markdown-it's name
        token = super().pushPending()
        self.env["_kure"].pending[id(token)] = token
        return token


def _tracking_parse(self: Any, src: str, md: MarkdownIt, env: dict, tokens: list[Token]) -> list[Token]:
    # ParserInline.parse, with our state class.
    state = _TrackingState(src, md, env, tokens)
    self.tokenize(state)
    for rule in self.ruler2.getRules(""):
        rule(state)
    return state.tokens


def _tracked(name: str, fn: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        ok = fn(state, silent)
        if ok and not silent:
            tracker: Tracker = state.env["_kure"]
            # Tokens a nested tokenize produced (link text) already have their own entry.
            fresh = [t for t in state.tokens[count:] if id(t) not in tracker.pending and id(t) not in tracker.rule]
            for index, token in enumerate(fresh):
                tracker.rule[id(token)] = (token, name, start, state.pos, index)
        return ok

    return rule


def _build_parser() -> MarkdownIt:
    md = markup._build_parser()
    # text_join would merge escapes into plain text; we need to see them.
    md.core.ruler.disable("text_join")
    ruler = md.inline.ruler
    for rule in ruler.__rules__:
        rule.fn = _tracked(rule.name, rule.fn)
    ruler.__cache__ = None
    md.inline.parse = types.MethodType(_tracking_parse, md.inline)
    return md


PARSER = _build_parser()


def new_env(references: dict | None = None, footnote_refs: dict | None = None) -> dict:
    env: dict = {"_kure": Tracker()}
    if references is not None:
        env["references"] = references
    if footnote_refs:
        env["footnotes"] = {"refs": footnote_refs, "list": {}}
    return env


def parse_document(text: str) -> tuple[list[Token], dict]:
    env = new_env()
    return PARSER.parse(text, env), env


def parse_inline(text: str, env: dict) -> list[Token]:
    tokens: list[Token] = []
    PARSER.inline.parse(text, PARSER, env, tokens)
    return tokens


# --- content → source maps ---------------------------------------------------------------------------------------


def paragraph_cmap(source: Source, content: str, first_line: int, line_count: int) -> tuple[list[int], set[int]]:
    """Map a paragraph-like content (paragraph, setext heading) of ``line_count`` source lines onto them.

    Each content line is the tail of its source line after the block's prefixes, possibly with some indentation
    re-expanded from a tab; the last one is also trimmed at its end. Leading lines of nothing but Unicode spaces
    (NBSP…) are trimmed away entirely. Returns the map and the offsets where a content line begins (where block
    syntax would be recognised).
    """
    lines = content.split("\n")
    for skip in range(max(line_count - len(lines), 0) + 1):
        try:
            return _align_lines(source, lines, len(content), first_line + skip)
        except Unaligned:
            continue
    raise Unaligned(f"paragraph on line {first_line}")


def _align_lines(source: Source, lines: list[str], size: int, first_line: int) -> tuple[list[int], set[int]]:
    cmap = [0] * (size + 1)
    line_starts: set[int] = set()
    c = 0
    for k, cline in enumerate(lines):
        base, text = source.line(first_line + k)
        tail = cline.lstrip(" \t")
        lead = len(cline) - len(tail)
        end = len(text) if k < len(lines) - 1 else len(text.rstrip(MD_TRIM_CHARS))
        j = end - len(tail)
        if j < 0 or text[j:end] != tail:
            raise Unaligned(f"line {first_line + k}")
        for t in range(lead):
            cmap[c + t] = base + j
        for t in range(len(tail) + 1):
            cmap[c + lead + t] = base + j + t
        line_starts.add(base + j)
        c += len(cline) + 1
    return cmap, line_starts


def heading_cmap(source: Source, content: str, line: int) -> list[int]:
    """Map an ATX heading's content: it starts after the ``#`` run (container prefixes never contain ``#``)."""
    base, text = source.line(line)
    j = text.find("#")
    if j < 0:
        raise Unaligned(f"no heading on line {line}")
    while j < len(text) and text[j] == "#":
        j += 1
    while j < len(text) and text[j] in MD_TRIM_CHARS:
        j += 1
    if text[j:j + len(content)] != content:
        raise Unaligned(f"heading on line {line}")
    return [base + j + t for t in range(len(content) + 1)]


Cell = tuple[str, list[int]]  # content and cmap


def _split_row(row: str, offset: int) -> list[Cell]:
    """Cells of a table row as markdown-it's ``escapedSplit`` cuts them, keeping each character's position.

    An escaped pipe ``\\|`` loses its backslash in the cell content, as in markdown-it.
    """
    stripped = row.lstrip(MD_TRIM_CHARS)
    lead = len(row) - len(stripped)
    stripped = stripped.rstrip(MD_TRIM_CHARS)
    cells: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    escaped = False
    for i, ch in enumerate(stripped):
        if ch == "|" and not escaped:
            cells.append(current)
            current = []
        else:
            if ch == "|":
                current.pop()  # the backslash
            current.append((ch, offset + lead + i))
        escaped = ch == "\\"
    cells.append(current)
    if cells and not cells[0]:
        cells.pop(0)
    if cells and not cells[-1]:
        cells.pop()
    result = []
    for chars in cells:
        while chars and chars[0][0] in MD_TRIM_CHARS:
            chars = chars[1:]
        while chars and chars[-1][0] in MD_TRIM_CHARS:
            chars = chars[:-1]
        content = "".join(ch for ch, _ in chars)
        cmap = [pos for _, pos in chars] + ([chars[-1][1] + 1] if chars else [])
        result.append((content, cmap))
    return result


def table_row_cells(source: Source, line: int, contents: list[str]) -> list[Cell | None]:
    """The cells of a table row whose inline tokens have ``contents``, located in the source line.

    The row's container prefix (``>``, list indentation) is unknown here, so try each place it could end and
    keep the first whose cells are exactly markdown-it's. Cells markdown-it filled in (missing ones) are None.
    """
    base, text = source.line(line)
    for p in range(len(text) + 1):
        if p and text[p - 1] not in " \t>":
            continue
        cells = _split_row(text[p:], base + p)
        if all((cells[i][0] if i < len(cells) else "") == content for i, content in enumerate(contents)):
            return [cells[i] if i < len(cells) and cells[i][0] else None for i in range(len(contents))]
    raise Unaligned(f"table row on line {line}")


def escaped_split(row: str) -> list[str]:
    """markdown-it's ``escapedSplit``: for checking that a rewritten cell is still one cell."""
    cells: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in row:
        if ch == "|" and not escaped:
            cells.append("".join(current))
            current = []
        else:
            if ch == "|":
                current.pop()
            current.append(ch)
        escaped = ch == "\\"
    cells.append("".join(current))
    return cells


WIKI_LINK: re.Pattern[str] = markup.WIKI_LINK
