"""Putting placeholders back into a translation made without them.

Machine translation models garble inline tags, and memory units imported from other tools often hold plain
text, so both translate a segment's plain text and then put its ``<gN>…</gN>`` and ``<xN/>`` tags back:

1. The tags are parsed into a tree and removed; the remaining plain text (whitespace runs collapsed) is what gets
   translated, and so is the plain text of every paired tag's content where a translator can provide it.
2. Each paired tag is located in the translation: if its content was the whole sentence (up to surrounding
   punctuation) it wraps the whole translation; otherwise the translation of its content — or, failing that,
   its source text (names and numbers often pass through unchanged) — is searched for, case-insensitively and
   on word boundaries first, inside the span of its enclosing located tag, without overlapping a sibling and
   preferring source order. A found tag wraps the match; its nested tags are placed inside it the same way.
3. A paired tag that cannot be located wraps nothing: it is emitted as an empty pair ``<gN></gN>`` (holding its
   own unlocated children, so the nesting survives), and like every standalone tag it is put at the start of
   its enclosing span if it stood at the start in the source, at the very end if it stood after all text
   (e.g. a footnote after the full stop), and otherwise at the end before the final punctuation — in source
   order.
4. Any tag-like text in the translation itself is removed, so every placeholder of the source appears exactly
   once in the output, properly nested. A segment whose tags are not well nested is handled flatly: every tag
   is treated as standalone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

#: ``<gN>``, ``</gN>`` and ``<xN/>``: group 1 is "/" for a closing tag, group 2 a paired id, group 3 a standalone id
PLACEHOLDER_RE = re.compile(r"<(/?)g(\d+)>|<x(\d+)\s*/>")
_PUNCTUATION = ".!?…;:,。！？؟،"
_FILLER = _PUNCTUATION + " \t\r\n\f\v\u00a0"
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")


def _collapse(text: str) -> str:
    return _SPACE_RUN.sub(" ", text).strip(" \t\r\n\f\v")


def _is_filler(text: str) -> bool:
    """Only whitespace and punctuation: text that does not stop a tag from counting as at the start/end."""
    return all(char in _FILLER for char in text)


def _has_text(text: str) -> bool:
    return bool(text.strip())


def scrub(text: str) -> str:
    """Drop tag-like text the model produced itself: placeholders must come from the source only."""
    return _collapse(PLACEHOLDER_RE.sub("", text))


@dataclass(eq=False)
class _Tag:
    """A standalone tag (or any tag of a badly nested segment), emitted exactly as written."""

    text: str
    pos: int  # offset in the raw plain text

    @property
    def first(self) -> int:
        return self.pos

    @property
    def last(self) -> int:
        return self.pos


@dataclass(eq=False)
class _Group:
    """A paired tag; the root of a segment is a group without tags spanning the whole plain text."""

    open: str = ""
    close: str = ""
    tag_id: str = ""
    start: int = 0  # plain-text offsets of the content
    end: int = 0
    children: list[_Tag | _Group] = field(default_factory=list)
    inner: str = ""  # collapsed plain text of the content
    span: tuple[int, int] | None = None  # where it sits in the translation, once located
    located: list[_Group] = field(default_factory=list)  # located groups whose enclosing located span is this

    @property
    def first(self) -> int:
        return self.start

    @property
    def last(self) -> int:
        return self.end

    def groups(self) -> Iterator[_Group]:
        for child in self.children:
            if isinstance(child, _Group):
                yield child
                yield from child.groups()


@dataclass
class TaggedSegment:
    original: str
    plain: str  # tags removed, whitespace as in the source
    text: str  # what the model translates
    root: _Group
    has_tags: bool

    @classmethod
    def parse(cls, segment: str) -> TaggedSegment:
        root = _Group()
        stack = [root]
        flat: list[_Tag] = []
        plain_parts: list[str] = []
        offset = last = 0
        well_nested = True
        for match in PLACEHOLDER_RE.finditer(segment):
            before = segment[last : match.start()]
            plain_parts.append(before)
            offset += len(before)
            last = match.end()
            tag = match.group(0)
            flat.append(_Tag(tag, offset))
            if match.group(3) is not None:
                stack[-1].children.append(_Tag(tag, offset))
            elif not match.group(1):
                group = _Group(open=tag, tag_id=match.group(2), start=offset)
                stack[-1].children.append(group)
                stack.append(group)
            elif len(stack) > 1 and stack[-1].tag_id == match.group(2):
                stack[-1].close, stack[-1].end = tag, offset
                stack.pop()
            else:
                well_nested = False
        plain_parts.append(segment[last:])
        plain = "".join(plain_parts)
        root.end = len(plain)
        if len(stack) > 1:
            well_nested = False
        if not well_nested:
            root.children = list(flat)
        for group in root.groups():
            group.inner = _collapse(plain[group.start : group.end])
        return cls(original=segment, plain=plain, text=_collapse(plain), root=root, has_tags=bool(flat))

    def requests(self) -> list[str]:
        """Texts the model must translate for this segment: the whole, then each paired tag's content."""
        if not self.text:
            return []
        texts = [self.text]
        texts.extend(group.inner for group in self.root.groups() if group.inner and group.inner != self.text)
        return texts

    def render(self, translations: Mapping[str, str]) -> str:
        if not self.text:  # empty, whitespace or tags only: nothing for the model
            return self.original
        output = translations[self.text]
        # Whitespace around the segment is layout, not text: keep it as it was.
        lead = self.original[: len(self.original) - len(self.original.lstrip())]
        trail = self.original[len(self.original.rstrip()) :]
        if not self.has_tags:
            return f"{lead}{output}{trail}"
        self._place(self.root, self.root, (0, len(output)), output, translations, [])
        return f"{lead}{self._render(self.root, (0, len(output)), output)}{trail}"

    # -- locating paired tags ------------------------------------------------------------------------------------

    def _place(self, node: _Group, owner: _Group, region: tuple[int, int], output: str,
               translations: Mapping[str, str], claimed: list[tuple[int, int]]) -> None:
        """Locate the paired tags under ``node`` inside ``region``, the span of ``owner`` (the nearest located)."""
        for child in node.children:
            if not isinstance(child, _Group):
                continue
            span = self._locate(child, owner, region, output, translations, claimed) if child.inner else None
            if span:
                child.span = span
                claimed.append(span)
                owner.located.append(child)
                self._place(child, child, span, output, translations, [])
            else:  # its content goes on being searched for in the enclosing region
                self._place(child, owner, region, output, translations, claimed)

    def _locate(self, group: _Group, owner: _Group, region: tuple[int, int], output: str,
                translations: Mapping[str, str], claimed: list[tuple[int, int]]) -> tuple[int, int] | None:
        def free(span: tuple[int, int]) -> bool:
            return span[0] < span[1] and all(span[1] <= a or span[0] >= b for a, b in claimed)

        start, end = region
        before, after = self.plain[owner.start : group.start], self.plain[group.end : owner.end]
        if _is_filler(before) and _is_filler(after):
            # The tag wrapped all its enclosing text: wrap all of the translation, keeping punctuation that was
            # outside the tag outside it.
            strip_before = " \t\r\n" + (_PUNCTUATION if _has_text(before) else "")
            strip_after = " \t\r\n" + (_PUNCTUATION if _has_text(after) else "")
            while start < end and output[start] in strip_before:
                start += 1
            while end > start and output[end - 1] in strip_after:
                end -= 1
            if free((start, end)):
                return start, end
            start, end = region

        keep_punctuation = group.inner[-1] in _PUNCTUATION
        candidates = []
        for candidate in (translations.get(group.inner, ""), group.inner):
            candidate = candidate.strip() if keep_punctuation else candidate.strip().rstrip(_FILLER)
            # Punctuation alone would "match" anywhere; a tag's content needs at least a word to be found.
            if any(char.isalnum() for char in candidate) and candidate not in candidates:
                candidates.append(candidate)
        after_siblings = max((b for _, b in claimed), default=start)
        for on_word_boundaries in (True, False):
            for candidate in candidates:
                if not on_word_boundaries and len(candidate) < 3:
                    continue  # a short string found inside a word is more likely chance than a match
                pattern = r"\s+".join(re.escape(word) for word in candidate.split())
                if on_word_boundaries:
                    pattern = ("(?<!\\w)" if candidate[0].isalnum() else "") + pattern
                    pattern += "(?!\\w)" if candidate[-1].isalnum() else ""
                spans = [m.span() for m in re.compile(pattern, re.IGNORECASE).finditer(output, start, end)]
                spans = [span for span in spans if free(span)]
                if spans:
                    in_order = [span for span in spans if span[0] >= after_siblings]
                    return (in_order or spans)[0]
        return None

    # -- rendering ---------------------------------------------------------------------------------------------------

    def _render(self, owner: _Group, region: tuple[int, int], output: str) -> str:
        start, end = region
        located = sorted(owner.located, key=lambda group: group.span or (0, 0))
        slots: dict[str, list[str]] = {"start": [], "before_punctuation": [], "end": []}
        for item in self._loose(owner):
            slots[self._slot(owner, item)].append(self._render_loose(item))

        before_punctuation = end
        while before_punctuation > start and output[before_punctuation - 1] in _FILLER:
            before_punctuation -= 1
        if located:
            before_punctuation = max(before_punctuation, max(group.span[1] for group in located if group.span))

        parts = slots["start"]
        cursor = start
        for group in located:
            assert group.span is not None
            parts += [output[cursor : group.span[0]], group.open, self._render(group, group.span, output), group.close]
            cursor = group.span[1]
        parts += [output[cursor:before_punctuation], *slots["before_punctuation"], output[before_punctuation:end]]
        parts += slots["end"]
        return "".join(parts)

    @staticmethod
    def _loose(group: _Group) -> list[_Tag | _Group]:
        """Direct children that are not rendered as located spans: standalone tags and unlocated pairs."""
        return [child for child in group.children if isinstance(child, _Tag) or child.span is None]

    def _render_loose(self, item: _Tag | _Group) -> str:
        if isinstance(item, _Tag):
            return item.text
        return item.open + "".join(self._render_loose(child) for child in self._loose(item)) + item.close

    def _slot(self, owner: _Group, item: _Tag | _Group) -> str:
        if not _has_text(self.plain[owner.start : item.first]):
            return "start"
        if not _has_text(self.plain[item.last : owner.end]):
            return "end"
        return "before_punctuation"


def reinsert(source: str, translation: str, inner: Mapping[str, str] | None = None) -> str:
    """``translation`` (of ``source`` without its tags) with ``source``'s tags put back."""
    segment = TaggedSegment.parse(source)
    if not segment.text:
        return source
    return segment.render({**(inner or {}), segment.text: scrub(translation)})
