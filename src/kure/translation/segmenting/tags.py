"""The placeholder syntax: ``<g1>…</g1>`` around translatable text inside markup, ``<x2/>`` for untranslatable
markup. Parsing is lenient about what engines do to tags (``<x1 />``, ``<X1/>``, ``<x1></x1>``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TAG = re.compile(r"<\s*(/?)\s*([gx])\s*(\d+)\s*(/?)\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Tag:
    kind: str  # "text" | "open" | "close" | "self" | "stray"
    value: str  # text, or the placeholder id ("g1", "x2"), or the stray tag as written


def tags(text: str) -> list[Tag]:
    """Text and tags, in order. A tag that cannot be a placeholder (``<g1/>``, a lone ``</x1>``) is "stray"."""
    out: list[Tag] = []
    pos = 0
    matches = list(TAG.finditer(text))
    skip = -1
    for i, match in enumerate(matches):
        if i == skip:
            pos = match.end()
            continue
        if match.start() > pos:
            out.append(Tag("text", text[pos:match.start()]))
        closing, letter, number, self_closing = match.group(1), match.group(2).lower(), match.group(3), match.group(4)
        ident = f"{letter}{int(number)}"
        if letter == "x" and not closing:
            out.append(Tag("self", ident))
            # HTML-minded engines write <x1></x1>
            if i + 1 < len(matches) and matches[i + 1].start() == match.end() and _is_close(matches[i + 1], ident):
                skip = i + 1
        elif letter == "g" and not self_closing:
            out.append(Tag("close" if closing else "open", ident))
        else:
            out.append(Tag("stray", match.group()))
        pos = match.end()
    if pos < len(text):
        out.append(Tag("text", text[pos:]))
    return out


def _is_close(match: re.Match[str], ident: str) -> bool:
    return bool(match.group(1)) and f"{match.group(2).lower()}{int(match.group(3))}" == ident


def strip_placeholders(text: str, placeholders: Mapping[str, Any] | None = None) -> str:
    """Plain text: tags removed, whitespace folded. With the segment's placeholders, an ``<x/>`` that shows text
    (inline code, a URL) is replaced by that text instead of being dropped. Text without tags is returned as is.
    """
    if not TAG.search(text):
        return text
    items = tags(text)
    parts = []
    for i, tag in enumerate(items):
        if tag.kind == "text":
            parts.append(tag.value)
        elif tag.kind == "self" and placeholders and tag.value in placeholders and _plain(placeholders[tag.value]):
            parts.append(_plain(placeholders[tag.value]))
        elif tag.kind == "self" and _between_words(items, i):
            parts.append(" ")  # a hard break took the space: "Madde<x1/>devam"
    return " ".join("".join(parts).split())


def _between_words(items: list[Tag], i: int) -> bool:
    before = items[i - 1].value if i and items[i - 1].kind == "text" else ""
    after = items[i + 1].value if i + 1 < len(items) and items[i + 1].kind == "text" else ""
    return bool(re.search(r"\w\Z", before) and re.match(r"\w", after))


def _plain(placeholder: Any) -> str:
    kind, markup = getattr(placeholder, "kind", ""), getattr(placeholder, "markup", "")
    if kind == "code":
        return markup.strip("`").strip()
    if kind in ("url", "literal"):
        return markup
    if kind == "autolink":
        return markup.strip("<>")
    return ""


# --- checking ----------------------------------------------------------------------------------------------------


def _structure(items: list[Tag]) -> tuple[dict[str, set[str]], list[str]]:
    """For well-formed tags: each tag's enclosing <g> ids; and nesting problems."""
    ancestors: dict[str, set[str]] = {}
    problems: list[str] = []
    stack: list[str] = []
    for tag in items:
        if tag.kind == "open":
            ancestors.setdefault(tag.value, set(stack))
            stack.append(tag.value)
        elif tag.kind == "close":
            if tag.value not in stack:
                problems.append(f"</{tag.value}> before <{tag.value}>")
                continue
            if stack[-1] != tag.value:
                problems.append(f"misnested </{tag.value}>: <{stack[-1]}> is still open")
            stack.remove(tag.value)
        elif tag.kind == "self":
            ancestors.setdefault(tag.value, set(stack))
    problems.extend(f"<{ident}> is never closed" for ident in stack)
    return ancestors, problems


def check_placeholders(source: str, translated: str, placeholders: Mapping[str, Any] | None = None) -> list[str]:
    """What is wrong with the placeholders of ``translated``, a translation of ``source``; [] if nothing.

    Missing, duplicated, invented or stray tags; pairs closed out of order or turned inside out; empty pairs.
    Given the segment's ``placeholders`` it also knows which pairs are links: a wiki link's label cannot hold
    markup, and a link cannot hold a link that was not inside it in the source.
    """
    src, out = tags(source), tags(translated)
    problems: list[str] = []
    expected = {t.value: t.kind for t in src if t.kind in ("open", "self")}
    counts: dict[tuple[str, str], int] = {}
    for tag in out:
        counts[(tag.kind, tag.value)] = counts.get((tag.kind, tag.value), 0) + 1
    for ident, kind in expected.items():
        shapes = [("self", f"<{ident}/>")] if kind == "self" else [("open", f"<{ident}>"), ("close", f"</{ident}>")]
        for shape, shown in shapes:
            n = counts.get((shape, ident), 0)
            if n == 0:
                problems.append(f"missing {shown}")
            elif n > 1:
                problems.append(f"duplicated {shown}")
    for tag in out:
        if tag.kind == "stray":
            problems.append(f"unexpected {tag.value}")
        elif tag.kind != "text" and expected.get(tag.value) != ("self" if tag.kind == "self" else "open"):
            shown = {"self": f"<{tag.value}/>", "open": f"<{tag.value}>", "close": f"</{tag.value}>"}[tag.kind]
            problems.append(f"unexpected {shown}")
    known = [t for t in out if t.kind in ("text", "stray") or expected.get(t.value) == (
        "self" if t.kind == "self" else "open")]
    src_ancestors, _ = _structure(src)
    out_ancestors, nesting = _structure(known)
    problems.extend(nesting)
    for ident, enclosing in out_ancestors.items():
        for outer in enclosing:
            if ident in src_ancestors.get(outer, set()):
                problems.append(f"<{outer}> and <{ident}> are nested the other way round")
            if placeholders and outer in placeholders:
                problems.extend(_illegal_nesting(ident, outer, placeholders, src_ancestors))
    problems.extend(p for p in _empty_pairs(known) if p not in _empty_pairs(src))
    return list(dict.fromkeys(problems))


def _illegal_nesting(ident: str, outer: str, placeholders: Mapping[str, Any],
                     src_ancestors: dict[str, set[str]]) -> list[str]:
    outer_kind = getattr(placeholders[outer], "kind", "")
    inner_kind = getattr(placeholders.get(ident), "kind", "")
    if outer_kind == "wikilink":
        return [f"<{ident}> inside wiki link <{outer}>, whose label cannot hold markup"]
    if outer_kind == "link" and inner_kind in ("link", "wikilink") and outer not in src_ancestors.get(ident, set()):
        return [f"link <{ident}> inside link <{outer}>"]
    return []


def _empty_pairs(items: list[Tag]) -> list[str]:
    problems = []
    for i, tag in enumerate(items):
        if tag.kind != "open":
            continue
        for later in items[i + 1:]:
            if later.kind == "close" and later.value == tag.value:
                problems.append(f"empty <{tag.value}></{tag.value}>")
                break
            if later.kind == "self" or (later.kind == "text" and later.value.strip()):
                break
    return problems


# --- repair ------------------------------------------------------------------------------------------------------


@dataclass
class Node:
    """A placeholder in a translation: ``<g>`` with children, or ``<x/>``."""

    ident: str
    children: list[Node | str] = field(default_factory=list)


def parse_translation(text: str, kinds: Mapping[str, str]) -> list[Node | str]:
    """A translation as a tree, repaired so it can always be written back as the source's markup.

    ``kinds`` maps the segment's placeholder ids to their kind. Unknown, stray and repeated tags are dropped;
    a closing tag closes whatever was opened inside it; ``<x/>`` placeholders the translation lost are put back
    at the end (a footnote reference must not disappear); a wiki link keeps only text, links do not nest.
    """
    root: list[Node | str] = []
    stack: list[tuple[str, list[Node | str]]] = [("", root)]
    seen: set[str] = set()
    for tag in tags(text):
        if tag.kind == "text":
            stack[-1][1].append(tag.value)
        elif tag.value not in kinds or (tag.kind != "close" and tag.value in seen):
            continue
        elif tag.kind == "self" and tag.value.startswith("x"):
            stack[-1][1].append(Node(tag.value))
            seen.add(tag.value)
        elif tag.kind == "open" and tag.value.startswith("g"):
            node = Node(tag.value)
            stack[-1][1].append(node)
            stack.append((tag.value, node.children))
            seen.add(tag.value)
        elif tag.kind == "close" and any(ident == tag.value for ident, _ in stack):
            while stack.pop()[0] != tag.value:
                pass
    root.extend(Node(ident) for ident in kinds if ident.startswith("x") and ident not in seen)
    return _legalise(root, kinds)


def _legalise(nodes: list[Node | str], kinds: Mapping[str, str]) -> list[Node | str]:
    out: list[Node | str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        kind = kinds[node.ident]
        if kind == "wikilink":
            # The label is plain text: emphasis inside gives its text, anything else moves after the link.
            moved: list[Node | str] = []
            label = _flatten(node.children, kinds, moved)
            out.append(Node(node.ident, [label]))
            out.extend(_legalise(moved, kinds))
        elif node.ident.startswith("g"):
            children = _legalise(node.children, kinds)
            if kind == "link":  # a link cannot hold a link: nested ones move after it
                inner, lifted = _lift_links(children, kinds)
                out.append(Node(node.ident, inner))
                out.extend(lifted)
            else:
                out.append(Node(node.ident, children))
        else:
            out.append(node)
    return out


def _lift_links(nodes: list[Node | str], kinds: Mapping[str, str]) -> tuple[list[Node | str], list[Node | str]]:
    """Split a link's children into what stays inside and the links nested in it, which move after it."""
    inner: list[Node | str] = []
    lifted: list[Node | str] = []
    for node in nodes:
        if isinstance(node, Node) and kinds.get(node.ident) == "link":
            lifted.append(node)
        elif isinstance(node, Node) and node.ident.startswith("g"):
            children, more = _lift_links(node.children, kinds)
            inner.append(Node(node.ident, children))
            lifted.extend(more)
        else:
            inner.append(node)
    return inner, lifted


def _flatten(nodes: list[Node | str], kinds: Mapping[str, str], moved: list[Node | str]) -> str:
    """The text of some nodes for a wiki link's label; placeholders other than emphasis go to ``moved``."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(node)
        elif kinds[node.ident] in ("emphasis", "strong"):
            parts.append(_flatten(node.children, kinds, moved))
        else:
            moved.append(node)
    return "".join(parts)
