"""TMX 1.4, the exchange format of translation tools: import into and export from the translation memory.

Inline markup in TMX (``<bpt>``/``<ept>`` pairs, ``<ph>``, ``<it>``) maps to Küre's placeholders (``<gN>…</gN>``,
``<xN/>``) and back, so units exported here come back unchanged and units from other tools keep their text.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from django.db import transaction

from ..core import languages
from ..core.errors import InvalidInput
from . import memory
from .models import MemoryEntry, Origin

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PLACEHOLDER = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")


def _language(code: str | None) -> str:
    return (code or "").split("-")[0].split("_")[0].lower()


def _seg_text(seg: ET.Element) -> str:
    """A TMX <seg> as Küre text: inline codes become placeholders numbered in order of appearance."""
    out = [seg.text or ""]
    opened: dict[str, int] = {}
    counter = 0
    for child in seg:
        tag = child.tag.split("}")[-1]
        if tag == "bpt":
            counter += 1
            opened[child.get("i", str(counter))] = counter
            out.append(f"<g{counter}>")
        elif tag == "ept":
            number = opened.pop(child.get("i", ""), None)
            out.append(f"</g{number}>" if number else "")
        elif tag in {"ph", "it", "ut"}:
            counter += 1
            out.append(f"<x{counter}/>")
        elif tag == "hi":  # highlighted text: keep its words
            out.append("".join(child.itertext()))
        out.append(child.tail or "")
    return "".join(out).strip()


@dataclass
class ImportResult:
    units: int = 0
    stored: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def import_tmx(data: bytes, *, source_language: str | None = None, user=None) -> ImportResult:
    """Read a TMX document; every unit with the source language and another site language is stored."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InvalidInput(f"This is not a readable TMX file: {exc}.") from exc
    if root.tag != "tmx":
        raise InvalidInput("This XML file is not TMX: its root element is not <tmx>.")
    header = root.find("header")
    source = _language(source_language or (header.get("srclang") if header is not None else ""))
    if not source or source == "*all*":
        raise InvalidInput("The TMX header does not name a source language; pass --source-language.")
    result = ImportResult()
    body = root.find("body")
    with transaction.atomic():
        for unit in (body if body is not None else []):
            if unit.tag != "tu":
                continue
            result.units += 1
            variants = {}
            for tuv in unit.findall("tuv"):
                seg = tuv.find("seg")
                lang = _language(tuv.get(XML_LANG) or tuv.get("lang"))
                if seg is not None and lang:
                    variants[lang] = _seg_text(seg)
            if source not in variants:
                result.skipped += 1
                continue
            # A unit Küre exported keeps the origin it had (post-edited, reviewed); others count as imported.
            origin = next((p.text for p in unit.findall("prop") if p.get("type") == "x-kure-origin"), None)
            origin = origin if origin in Origin.values else Origin.IMPORTED
            for target, text in variants.items():
                if target == source or not languages.is_valid(target) or not text:
                    continue
                if memory.store(source_language=source, target_language=target, source_text=variants[source],
                                target_text=text, origin=origin, user=user):
                    result.stored += 1
    return result


def _to_tmx_inline(text: str) -> str:
    """Küre placeholders as TMX inline codes; everything else escaped."""
    out, last = [], 0
    for match in _PLACEHOLDER.finditer(text):
        out.append(escape(text[last:match.start()]))
        closing, paired, single = match.groups()
        if paired and closing:
            out.append(f'<ept i="{paired}">&lt;/g{paired}&gt;</ept>')
        elif paired:
            out.append(f'<bpt i="{paired}" x="{paired}">&lt;g{paired}&gt;</bpt>')
        else:
            out.append(f'<ph x="{single}">&lt;x{single}/&gt;</ph>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def export_tmx(*, source_language: str, target_language: str | None = None, include_derived: bool = False) -> str:
    entries = MemoryEntry.objects.filter(source_language=source_language).order_by("target_language", "id")
    if target_language:
        entries = entries.filter(target_language=target_language)
    if not include_derived:
        entries = entries.filter(derived=False)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<tmx version="1.4">',
        f'  <header creationtool="Kure" creationtoolversion="1" segtype="sentence" o-tmf="kure" adminlang="en" '
        f'srclang="{escape(source_language)}" datatype="plaintext"/>',
        "  <body>",
    ]
    for entry in entries.iterator():
        lines.append(f'    <tu creationdate="{entry.created_at:%Y%m%dT%H%M%SZ}">')
        lines.append(f'      <prop type="x-kure-origin">{escape(entry.origin)}</prop>')
        if entry.engine:
            lines.append(f'      <prop type="x-kure-engine">{escape(entry.engine)} {escape(entry.model)}</prop>')
        lines.append(f'      <tuv xml:lang="{escape(entry.source_language)}"><seg>{_to_tmx_inline(entry.source_text)}'
                     "</seg></tuv>")
        lines.append(f'      <tuv xml:lang="{escape(entry.target_language)}"><seg>{_to_tmx_inline(entry.target_text)}'
                     "</seg></tuv>")
        lines.append("    </tu>")
    lines += ["  </body>", "</tmx>", ""]
    return "\n".join(lines)
