"""A Markdown article as translatable segments, and back.

Machine translation works on plain sentences. :func:`segment_markdown` cuts a revision's Markdown body into
segments — headings, sentences of paragraphs, list items, quotes, table cells, footnotes, image alt texts — and
:meth:`SegmentedDocument.reassemble` writes translated segments back into the same document structure.

Inline markup becomes XML-like placeholders, which DeepL, LibreTranslate (HTML mode) and LLMs keep best:

- ``<g1>…</g1>`` around text that is translated inside markup: emphasis, strong, links (URL and title stay in
  the placeholder) and wiki links (the target stays; the label — or the target when there is none — is the text);
- ``<x2/>`` for markup without translatable text: inline code, footnote references, images (their alt text is a
  segment of its own), hard line breaks, autolinks, bare URLs, entities, HTML-looking tags;
- ids are unique within a segment and numbered from 1 in order of appearance, whatever the letter.

Reassembly edits the original text in place: a segment without a translation (or with its source as
translation) is copied byte for byte, so ``reassemble({})`` returns the input exactly, whatever it is.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from markdown_it.token import Token

from kure.articles.markup import render

from .segmenting.emit import Context, ends_table, render_translation
from .segmenting.parser import heading_cmap, new_env, paragraph_cmap, parse_document, table_row_cells
from .segmenting.sentences import sentence_ranges, trim
from .segmenting.source import Source, Unaligned
from .segmenting.tags import check_placeholders, strip_placeholders
from .segmenting.units import Atom, Container, Pair, Unit, inline_units

__all__ = ["SEGMENT_KINDS", "Placeholder", "Segment", "SegmentedDocument", "check_placeholders", "normalise",
           "segment_markdown", "strip_placeholders"]

_DELIMITER_ROW = re.compile(r"[ \t>]*[-:|][-:| \t]*")  # after any ">" of quotes, like a table's delimiter row
_QUOTE_PREFIX = re.compile(r"[ \t>]*")

SEGMENT_KINDS = ("heading", "sentence", "list_item", "blockquote", "table_cell", "footnote", "caption")


@dataclass(frozen=True)
class Placeholder:
    """What a ``<gN>``/``<xN/>`` stands for.

    ``kind``: for ``<g>`` "emphasis", "strong", "link" or "wikilink"; for ``<x/>`` "code", "footnote_ref",
    "footnote_inline", "image", "hardbreak", "autolink", "url", "entity", "html", "literal" (text that looks
    like a placeholder) or "wikilink" (one with an empty label). ``markup`` is the source Markdown: for ``<x/>``
    all of it, for ``<g>`` the opening part, ``close`` the closing part. ``target`` is a wiki link's target or a
    link's URL, ``title`` a link's title. ``nested`` lists the segments inside an ``<x/>`` (an image's alt text).
    """

    kind: str
    markup: str
    close: str = ""
    target: str = ""
    title: str = ""
    nested: tuple[int, ...] = ()


@dataclass(frozen=True)
class Segment:
    index: int  # position in the document, 0-based
    kind: str  # one of SEGMENT_KINDS
    source: str  # the text to translate, with placeholders
    placeholders: dict[str, Placeholder]  # "g1" / "x2" → what it stands for
    key: str  # sha1 hex of normalise(source): the translation-memory key
    section: str  # anchor of the section the segment is in ("" for the lead), as markup.render makes them


def normalise(text: str) -> str:
    """NFC with whitespace folded: equal texts give equal translation-memory keys."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass(eq=False)
class _Plan:
    """Where a segment comes from and how to write it back."""

    kind: str
    start: int  # its span in the normalised source
    end: int
    units: list[Unit]
    container: Container
    parent: _Plan | None  # the segment whose text this one sits in (an image's alt text in a sentence)
    depth: int
    index: int = -1
    children: list[_Plan] = field(default_factory=list)
    pieces: dict[str, Pair | Atom] = field(default_factory=dict)
    pipe: str = "|"

    @property
    def line_start(self) -> bool:
        return self.start in self.container.line_starts


@dataclass
class SegmentedDocument:
    segments: list[Segment]
    _source: Source = field(default_factory=lambda: Source(""), repr=False, compare=False)
    _plans: list[_Plan] = field(default_factory=list, repr=False, compare=False)
    _env: dict = field(default_factory=dict, repr=False, compare=False)

    def reassemble(self, translations: Mapping[int, str | None], *, repair: bool = True) -> str:
        """Markdown with each segment ``i`` replaced by ``translations[i]``, its placeholders restored.

        A missing, None or empty translation keeps the source segment (callers mark those), and so does one
        whose markup cannot be written back. With ``repair`` (the default) a translation with broken
        placeholders is used as far as it goes (see :func:`check_placeholders`); without, it keeps the source.
        """
        return self._reassemble(translations, repair=repair, force=False)

    def _reassemble(self, translations: Mapping[int, str | None], *, repair: bool, force: bool) -> str:
        # force: rewrite even segments whose translation is their source (tests exercise the writer with it)
        out: list[str] = []
        pos = 0
        for plan in self._plans:
            if plan.parent is None:
                out.append(self._source.original(pos, plan.start))
                out.append(self._render(plan, translations, repair, force))
                pos = plan.end
        out.append(self._source.original(pos, len(self._source.norm)))
        return "".join(out)

    def _render(self, plan: _Plan, translations: Mapping[int, str | None], repair: bool, force: bool) -> str:
        segment = self.segments[plan.index]
        text = translations.get(plan.index)
        if text is not None and (force or text != segment.source):
            if repair or not check_placeholders(segment.source, text, segment.placeholders):
                rendered = render_translation(text, self._context(plan, translations, repair, force))
                if rendered is not None:
                    return rendered
        return self._splice(plan.start, plan.end, plan, translations, repair, force)

    def _context(self, plan: _Plan, translations: Mapping[int, str | None], repair: bool, force: bool) -> Context:
        before, after, next_line = self._surroundings(plan)
        source = self._source.norm[plan.start:plan.end]
        line_start = plan.line_start
        if plan.container.table:
            # Only a row's first cell begins a line; if the source row begins like a list item (which ends the
            # table above it), the translation must too, and is written unescaped.
            line_start = _QUOTE_PREFIX.fullmatch(before) is not None and not ends_table(before + source)
        return Context(
            pieces=plan.pieces, original=self._source.original,
            render_atom=lambda atom: self._splice(atom.start, atom.end, plan, translations, repair, force),
            new_env=self._verification_env, line_start=line_start, table=plan.container.table,
            atx=plan.container.atx, pipe=plan.pipe, source=source, before=before, after=after, next_line=next_line)

    def _surroundings(self, plan: _Plan) -> tuple[str, str, str | None]:
        """The source before the segment on its first line, after it on its last line, and the next line."""
        source = self._source
        first, last = source.line_of(plan.start), source.line_of(plan.end)
        last_start, last_text = source.line(last)
        try:
            next_line: str | None = source.line(last + 1)[1]
        except Unaligned:
            next_line = None
        return source.norm[source.line_start(first):plan.start], last_text[plan.end - last_start:], next_line

    def _splice(self, start: int, end: int, plan: _Plan, translations: Mapping[int, str | None], repair: bool,
                force: bool) -> str:
        """The source from start to end, with the segments nested in it (alt texts) rendered in place."""
        out: list[str] = []
        pos = start
        for child in plan.children:
            if start <= child.start and child.end <= end:
                out.append(self._source.original(pos, child.start))
                out.append(self._render(child, translations, repair, force))
                pos = child.end
        out.append(self._source.original(pos, end))
        return "".join(out)

    def _verification_env(self) -> dict:
        refs = self._env.get("footnotes", {}).get("refs", {})
        return new_env(references=self._env.get("references", {}), footnote_refs={label: -1 for label in refs})


def segment_markdown(body: str, *, language: str = "tr") -> SegmentedDocument:
    """Cut a Markdown body into translatable segments; see the module docstring for the conventions."""
    return _Segmenter(body, language).run()


class _Segmenter:
    def __init__(self, body: str, language: str, *, strict: bool = False) -> None:
        self.body, self.language, self.strict = body, language, strict  # strict: raise Unaligned (tests)
        self.source = Source(body)
        self.tokens, self.env = parse_document(self.source.norm)
        self.plans: list[_Plan] = []
        self.headings: list[tuple[int, str]] = []
        self.cells: dict[int, tuple[str, list[int]] | None] = {}  # inline token index → table cell

    def run(self) -> SegmentedDocument:
        anchors = iter([s.anchor for s in render(self.body, language=self.language).sections if s.level > 0])
        stack: list[str] = []
        for i, token in enumerate(self.tokens):
            if token.type == "heading_open" and token.map:
                self.headings.append((self.source.line_start(token.map[0]), next(anchors, "")))
            if token.type == "tr_open":
                self._locate_row(i)
            if token.nesting == 1:
                stack.append(token.type)
            elif token.nesting == -1 and stack:
                stack.pop()
            if token.type != "inline" or token.map is None or not token.content.strip():
                continue
            try:
                container = self._container(i, token, stack)
            except Unaligned:
                if self.strict:
                    raise
                continue
            if container is not None:
                self._plan(container, None, 0)
        return self._document()

    def _container(self, i: int, token: Token, stack: list[str]) -> Container | None:
        parent, content = self.tokens[i - 1], token.content
        assert token.map is not None
        line_starts: set[int] = set()
        table = atx = False
        if parent.type == "heading_open":
            kind = "heading"
            atx = parent.markup.startswith("#")
            if atx:
                cmap = heading_cmap(self.source, content, token.map[0])
            else:  # the underline is the last line
                cmap, line_starts = paragraph_cmap(self.source, content, token.map[0], token.map[1] - token.map[0] - 1)
        elif parent.type in ("th_open", "td_open"):
            cell = self.cells.get(i)
            if cell is None:
                return None
            kind, table = "table_cell", True
            content, cmap = cell
            line_starts = {cmap[0]}  # a row's first cell may begin its line: escape as if it did
        elif parent.type == "paragraph_open":
            cmap, line_starts = paragraph_cmap(self.source, content, token.map[0], token.map[1] - token.map[0])
            kind = self._paragraph_kind(stack)
        else:
            return None
        units = inline_units(token.children or [], content, cmap, self.env)
        return Container(kind, units, line_starts, table=table, atx=atx, split=kind not in ("heading", "table_cell"))

    @staticmethod
    def _paragraph_kind(stack: list[str]) -> str:
        if "footnote_open" in stack:
            return "footnote"
        for opened in reversed(stack):
            if opened == "list_item_open":
                return "list_item"
            if opened == "blockquote_open":
                return "blockquote"
        return "sentence"

    def _locate_row(self, tr: int) -> None:
        inline: list[int] = []
        j = tr + 1
        while j < len(self.tokens) and self.tokens[j].type != "tr_close":
            if self.tokens[j].type == "inline":
                inline.append(j)
            j += 1
        line = self.tokens[tr].map[0] if self.tokens[tr].map else -1
        try:
            cells = table_row_cells(self.source, line, [self.tokens[k].content for k in inline])
        except Unaligned:
            if self.strict:
                raise
            return
        self.cells.update(zip(inline, cells, strict=True))

    def _plan(self, container: Container, parent: _Plan | None, depth: int) -> None:
        units = container.units
        ranges = sentence_ranges(units) if container.split else [trim(units, 0, len(units))]
        owners: list[tuple[int, int, _Plan]] = []
        for start, end in ranges:
            if start < end and any(u.kind == "char" and u.char.isalpha() for u in units[start:end]):
                plan = _Plan(container.kind, units[start].start, units[end - 1].end, units[start:end], container,
                             parent, depth)
                self.plans.append(plan)
                if parent is not None:
                    parent.children.append(plan)
                owners.append((start, end, plan))
        for i, unit in enumerate(units):
            if unit.atom is not None and unit.atom.nested:
                owner = next((plan for start, end, plan in owners if start <= i < end), parent)
                for nested in unit.atom.nested:
                    nested.table = container.table  # an alt text in a table cell: "|" still splits cells
                    self._plan(nested, owner, depth + 1)

    def _document(self) -> SegmentedDocument:
        plans = sorted(self.plans, key=lambda p: (p.start, p.depth))
        for index, plan in enumerate(plans):
            plan.index = index
        for plan in plans:
            plan.children.sort(key=lambda p: p.start)
        self.headings.sort()
        positions = [pos for pos, _ in self.headings]
        for plan in plans:
            plan.pipe = "\\|" if plan.container.table else "&#124;" if self._pipe_hazard(plan) else "|"
        segments = [self._segment(plan, positions) for plan in plans]
        return SegmentedDocument(segments, self.source, plans, self.env)

    def _pipe_hazard(self, plan: _Plan) -> bool:
        """Could a "|" on the segment's lines make a table header of one (the next line being like "--")?

        markdown-it looks for a raw "|" there, escaped or not; an entity is the only safe spelling.
        """
        first, last = self.source.line_of(plan.start), self.source.line_of(plan.end)
        for line in range(first + 1, last + 2):
            try:
                text = self.source.line(line)[1]
            except Unaligned:
                return False
            if _DELIMITER_ROW.fullmatch(text):
                return True
        return False

    def _segment(self, plan: _Plan, positions: list[int]) -> Segment:
        parts: list[str] = []
        placeholders: dict[str, Placeholder] = {}
        opened: dict[int, str] = {}
        original = self.source.original
        for unit in plan.units:
            if unit.kind == "char":
                parts.append(unit.char)
            elif unit.kind == "open" and unit.pair is not None:
                ident = f"g{len(placeholders) + 1}"
                opened[id(unit.pair)] = ident
                pair = unit.pair
                plan.pieces[ident] = pair
                placeholders[ident] = Placeholder(pair.kind, original(*pair.open), original(*pair.close),
                                                  pair.target, pair.title)
                parts.append(f"<{ident}>")
            elif unit.kind == "close" and unit.pair is not None:
                parts.append(f"</{opened[id(unit.pair)]}>")
            elif unit.atom is not None:
                ident = f"x{len(placeholders) + 1}"
                atom = unit.atom
                plan.pieces[ident] = atom
                nested = tuple(c.index for c in plan.children if atom.start <= c.start and c.end <= atom.end)
                placeholders[ident] = Placeholder(atom.kind, original(atom.start, atom.end), nested=nested)
                parts.append(f"<{ident}/>")
        source = "".join(parts)
        at = bisect_right(positions, plan.start) - 1
        return Segment(index=plan.index, kind=plan.kind, source=source, placeholders=placeholders,
                       key=hashlib.sha1(normalise(source).encode()).hexdigest(),
                       section=self.headings[at][1] if at >= 0 else "")
