"""Sentence boundaries in an inline block.

``kure.core.text.split_sentences`` folds whitespace and returns strings; we need the boundaries in place, to cut
the source, so we use the same rules through ``kure.core.text.sentence_breaks`` on unfolded text; a test checks
that both always agree.
"""

from __future__ import annotations

from kure.core.text import sentence_breaks

from .units import Unit


def sentence_ranges(units: list[Unit]) -> list[tuple[int, int]]:
    """Unit ranges of the sentences of an inline block, without surrounding whitespace.

    Sentences are found in the plain text (markup removed, a hard break counting as a line break). A boundary
    whose whitespace would fall inside a ``<g>`` pair, or have pair markup in it, is not used: the sentences on
    either side stay together.
    """
    chars: list[str] = []
    owners: list[int] = []
    depth = [0] * (len(units) + 1)
    for i, unit in enumerate(units):
        if unit.kind == "char":
            chars.append(unit.char)
            owners.append(i)
        elif unit.kind == "atom" and unit.atom is not None and unit.atom.kind == "hardbreak":
            chars.append("\n")
            owners.append(i)
        depth[i + 1] = depth[i] + (unit.kind == "open") - (unit.kind == "close")
    ranges: list[tuple[int, int]] = []
    begin = 0
    for ws_start, ws_end in sentence_breaks("".join(chars)):
        first, last = owners[ws_start], owners[ws_end - 1] + 1
        if depth[first] or any(units[j].kind in ("open", "close") for j in range(first, last)):
            continue
        ranges.append((begin, first))
        begin = last
    ranges.append((begin, len(units)))
    return [r for r in (trim(units, a, b) for a, b in ranges) if r[0] < r[1]]


def trim(units: list[Unit], start: int, end: int) -> tuple[int, int]:
    """A range without whitespace, or HTML-looking tags (``<div>`` lines), at its ends."""
    while start < end and _trimmed(units[start]):
        start += 1
    while end > start and _trimmed(units[end - 1]):
        end -= 1
    return start, end


def _trimmed(unit: Unit) -> bool:
    return unit.is_space or (unit.atom is not None and unit.atom.kind == "html")
