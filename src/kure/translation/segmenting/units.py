"""An inline block (paragraph, heading, table cell, image alt text…) as a flat list of units with source spans.

A unit is one character of translatable text, the opening or closing markup of a pair whose inner text is
translated (emphasis, link, wiki link → ``<g1>…</g1>``), or an untranslatable atom (code, footnote reference,
image, hard break, URL… → ``<x1/>``). Units tile their block: each ends where the next begins, so any run of
them is a contiguous range of the source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from .parser import WIKI_LINK, Tracker
from .source import Unaligned

PAIR_KINDS = ("emphasis", "strong", "link", "wikilink")
# Atoms that render as plain text (found in the text by us, or entities, which the writer itself uses for "|"):
# not part of the markup structure a reassembled segment must reproduce.
TEXT_ATOMS = frozenset({"url", "html", "literal", "entity"})


@dataclass(eq=False)
class Pair:
    kind: str  # one of PAIR_KINDS
    open: tuple[int, int] = (0, 0)  # source span of the opening markup
    close: tuple[int, int] = (0, 0)
    target: str = ""  # wiki link: the target as written; link: the URL
    title: str = ""  # link title
    label: str | None = None  # a link named by its own text ([text], [text][]): its reference label


@dataclass(eq=False)
class Container:
    """An inline block: ``units`` plus what reassembly needs to know about where they stand."""

    kind: str
    units: list[Unit]
    line_starts: set[int] = field(default_factory=set)  # offsets where a line of block content begins
    table: bool = False  # inside a table cell: "|" must be escaped
    atx: bool = False  # an ATX heading: a trailing "#" run must be escaped
    split: bool = True  # split into sentences


@dataclass(eq=False)
class Atom:
    kind: str
    start: int
    end: int
    nested: list[Container] = field(default_factory=list)  # translatable text inside: image alt, inline footnote


@dataclass(eq=False, slots=True)
class Unit:
    kind: str  # "char" | "open" | "close" | "atom"
    start: int
    end: int
    char: str = ""
    pair: Pair | None = None
    atom: Atom | None = None

    @property
    def is_space(self) -> bool:
        return self.kind == "char" and self.char.isspace()


_ATOMIC_RULES = {"backticks": "code", "autolink": "autolink", "image": "image", "footnote_ref": "footnote_ref",
                 "footnote_inline": "footnote_inline", "entity": "entity"}

# Text that must not reach a translation engine as text: bare URLs, HTML-looking tags (shown as text here, as
# html is off) and anything our own placeholder parser would take for a tag.
_PROTECTED = re.compile(
    r"(?P<literal><\s*/?\s*[gx]\s*\d+\s*/?\s*>)"
    r"|(?P<url>(?:https?|ftp)://[^\s<>]+|www\.[^\s<>]+\.[^\s<>]+)"
    r"|(?P<html><!--.*?-->|</?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>)",
    re.IGNORECASE | re.DOTALL,
)
_URL_TAIL = ".,;:!?'\"”’»"


def _url_end(url: str) -> int:
    """Length of a bare URL without the punctuation that ends the sentence around it."""
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _URL_TAIL or (ch == ")" and url.count("(", 0, end) < url.count(")", 0, end)):
            end -= 1
        else:
            break
    return end


@dataclass
class _Event:
    kind: str  # a Unit kind, or "chars"
    start: int  # content offsets
    end: int
    char: str = ""
    pair: Pair | None = None
    atom: Atom | None = None
    is_break: bool = False


class _Builder:
    def __init__(self, tokens: list[Token], content: str, cmap: Sequence[int], env: dict) -> None:
        self.tokens, self.content, self.cmap, self.env = tokens, content, cmap, env
        self.tracker: Tracker = env["_kure"]
        self.events: list[_Event] = []
        self.stack: list[Pair] = []

    def build(self) -> list[Unit]:
        i = 0
        while i < len(self.tokens):
            i = self._token(i)
        if self.stack:
            raise Unaligned("unclosed pair")
        return _protect(self._units())

    def _token(self, i: int) -> int:
        token = self.tokens[i]
        info = self.tracker.rule_of(token)
        name, start, end, index = (info[1], info[2], info[3], info[4]) if info else ("", 0, 0, 0)
        if name in _ATOMIC_RULES:
            return self._atom(i, name, start, end)
        kind = token.type
        if kind == "text":
            pass  # plain text is whatever lies between the other units
        elif kind == "text_special" and name == "escape":
            if len(token.content) == end - start:
                self.events.extend(_Event("char", start + k, start + k + 1, ch) for k, ch in enumerate(token.content))
            else:
                self.events.append(_Event("char", start, end, token.content))
        elif kind == "softbreak" and name == "newline":  # a space in the segment's text
            self.events.append(_Event("char", start, end, " ", is_break=True))
        elif kind == "hardbreak" and name in ("newline", "escape"):
            self.events.append(_Event("atom", start, end, atom=Atom("hardbreak", 0, 0), is_break=True))
        elif kind in ("em_open", "strong_open", "em_close", "strong_close") and name == "emphasis":
            self._emphasis(token, start + index)
        elif kind == "link_open" and name == "link":
            pair = Pair("link", target=token.attrGet("href") or "", title=token.attrGet("title") or "")
            self.stack.append(pair)
            self.events.append(_Event("open", start, self.tracker.pushed_at(token), pair=pair))
        elif kind == "link_close" and name == "link":
            pair = self._pop("link")
            at = self.tracker.pushed_at(token)
            if self.content[at:end] in ("]", "][]"):
                # A link named by its own text: once translated, it must name its reference explicitly.
                label_start = self._open_event(pair).end
                pair.label = self.content[label_start:at]
            self.events.append(_Event("close", at, end, pair=pair))
        elif kind == "wikilink" and name == "wikilink":
            self._wikilink(start, end)
        else:
            raise Unaligned(f"unexpected inline token {kind}")
        return i + 1

    def _atom(self, i: int, name: str, start: int, end: int) -> int:
        token = self.tokens[i]
        j = i + 1  # an atomic rule may push several tokens (an autolink's open, text, close): one atom for all
        while j < len(self.tokens) and (info := self.tracker.rule_of(self.tokens[j])) and info[1:4] == (
                name, start, end):
            j += 1
        atom = Atom(_ATOMIC_RULES[name], 0, 0)
        if name == "image":
            label = start + 2
            if self.content[label:label + len(token.content)] != token.content:
                raise Unaligned("image label")
            atom.nested.append(self._nested("caption", token.children or [], label, label + len(token.content)))
        elif name == "footnote_inline":
            note = self.env.get("footnotes", {}).get("list", {}).get(token.meta.get("id"), {})
            atom.nested.append(self._nested("footnote", note.get("tokens", []), start + 2, end - 1))
        self.events.append(_Event("atom", start, end, atom=atom))
        return j

    def _nested(self, kind: str, tokens: list[Token], start: int, end: int) -> Container:
        units = _Builder(tokens, self.content[start:end], self.cmap[start:end + 1], self.env).build()
        return Container(kind, units, split=False)

    def _emphasis(self, token: Token, pos: int) -> None:
        # The token sits on one delimiter character; a strong one also owns its neighbour (before an opener,
        # after a closer), see markdown-it's emphasis postProcess.
        strong = token.type.startswith("strong")
        opening = token.nesting == 1
        start = pos - 1 if strong and opening else pos
        end = start + (2 if strong else 1)
        if self.content[start:end] != token.markup:
            raise Unaligned("emphasis delimiter")
        kind = "strong" if strong else "emphasis"
        if opening:
            pair = Pair(kind)
            self.stack.append(pair)
            self.events.append(_Event("open", start, end, pair=pair))
        else:
            self.events.append(_Event("close", start, end, pair=self._pop(kind)))

    def _wikilink(self, start: int, end: int) -> None:
        match = WIKI_LINK.match(self.content, start)
        if not match or match.end() != end:
            raise Unaligned("wiki link")
        group = 2 if match.group(2) is not None else 1
        g_start, g_end = match.span(group)
        raw = self.content[g_start:g_end]
        inner_start = g_start + len(raw) - len(raw.lstrip())
        inner_end = g_start + len(raw.rstrip())
        if inner_start >= inner_end:  # an empty label: nothing to translate, keep it whole
            self.events.append(_Event("atom", start, end, atom=Atom("wikilink", 0, 0)))
            return
        pair = Pair("wikilink", target=match.group(1))
        self.events.append(_Event("open", start, inner_start, pair=pair))
        self.events.extend(_Event("char", c, c + 1, self.content[c]) for c in range(inner_start, inner_end))
        self.events.append(_Event("close", inner_end, end, pair=pair))

    def _pop(self, kind: str) -> Pair:
        if not self.stack or self.stack[-1].kind != kind:
            raise Unaligned(f"unbalanced {kind}")
        return self.stack.pop()

    def _open_event(self, pair: Pair) -> _Event:
        return next(e for e in reversed(self.events) if e.pair is pair)

    def _units(self) -> list[Unit]:
        content, cmap = self.content, self.cmap
        units: list[Unit] = []
        pos = 0
        for event in self.events:
            start = event.start
            if event.is_break:  # the spaces before a line break belong to it
                while start > pos and content[start - 1] in " \t":
                    start -= 1
            if start < pos or event.end < start:
                raise Unaligned("overlapping inline elements")
            units.extend(Unit("char", cmap[c], cmap[c + 1], content[c]) for c in range(pos, start))
            span = (cmap[start], cmap[event.end])
            if event.pair is not None:
                if event.kind == "open":
                    event.pair.open = span
                else:
                    event.pair.close = span
            if event.atom is not None:
                event.atom.start, event.atom.end = span
            units.append(Unit(event.kind, span[0], span[1], event.char, event.pair, event.atom))
            pos = event.end
        units.extend(Unit("char", cmap[c], cmap[c + 1], content[c]) for c in range(pos, len(content)))
        return units


def inline_units(tokens: list[Token], content: str, cmap: Sequence[int], env: dict) -> list[Unit]:
    """The units of an inline token's ``children`` parsed from ``content``, mapped to the source by ``cmap``."""
    return _Builder(tokens, content, cmap, env).build()


def _protect(units: list[Unit]) -> list[Unit]:
    """Turn bare URLs, HTML-looking tags and placeholder look-alikes in the text into atoms."""
    out: list[Unit] = []
    in_wiki = False  # a wiki link's label is shown as written: nothing in it is markup
    i = 0
    while i < len(units):
        unit = units[i]
        if unit.kind != "char" or in_wiki:
            if unit.pair is not None and unit.pair.kind == "wikilink":
                in_wiki = unit.kind == "open"
            out.append(unit)
            i += 1
            continue
        j = i
        while j < len(units) and units[j].kind == "char":
            j += 1
        run = units[i:j]
        text = "".join(u.char for u in run)
        if len(text) != len(run):  # an escape standing for more than one character; leave the run alone
            out.extend(run)
            i = j
            continue
        last = 0
        for match in _PROTECTED.finditer(text):
            start, end = match.span()
            kind = match.lastgroup or "literal"
            if kind == "url":
                end = start + _url_end(match.group())
            if end <= start or start < last:
                continue
            out.extend(run[last:start])
            atom = Atom(kind, run[start].start, run[end - 1].end)
            out.append(Unit("atom", atom.start, atom.end, atom=atom))
            last = end
        out.extend(run[last:])
        i = j
    return out


def skeleton(units: Sequence[Unit]) -> list[tuple[str, str]]:
    """The markup structure of some units: what a reassembled segment must reproduce."""
    out = []
    for unit in units:
        if unit.kind in ("open", "close") and unit.pair is not None:
            out.append((unit.kind, unit.pair.kind))
        elif unit.kind == "atom" and unit.atom is not None and unit.atom.kind not in TEXT_ATOMS:
            out.append(("atom", unit.atom.kind))
    return out
