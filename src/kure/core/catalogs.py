"""Compiling gettext catalogues (.po → .mo) without GNU gettext, so a machine with only Python can build them.

Django reads the compiled ``.mo`` files under ``kure/locale``; ``kure compile_catalogs`` rebuilds them after the
``.po`` files change, and a test checks that the committed ``.mo`` files match their sources.
"""

import ast
import struct
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def parse_po(text: str) -> dict[str, str]:
    """Messages of a .po file: {msgid (with "context\\x04" prefixed where msgctxt is given): msgstr}.

    Handles msgctxt, multi-line strings and the header entry; fuzzy entries and empty translations are left out,
    as GNU msgfmt does.
    """
    messages: dict[str, str] = {}
    entry: dict[str, str] = {}
    field = None
    fuzzy = False

    def flush() -> None:
        nonlocal entry, fuzzy
        if "msgid" in entry and entry.get("msgstr") and not fuzzy:
            key = entry["msgid"]
            if "msgctxt" in entry:
                key = f"{entry['msgctxt']}\x04{key}"
            messages[key] = entry["msgstr"]
        entry, fuzzy = {}, False

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            if not line and entry:
                flush()
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid", "msgstr"}:
            if keyword in {"msgctxt", "msgid"} and "msgstr" in entry:
                flush()
            field = keyword
            entry[field] = ast.literal_eval(rest)
        elif line.startswith('"') and field:
            entry[field] += ast.literal_eval(line)
    flush()
    return messages


def compile_mo(messages: dict[str, str]) -> bytes:
    """The GNU .mo format: a header, two tables of (length, offset) pairs, then the strings, keys sorted."""
    keys = sorted(messages)
    ids = [k.encode() for k in keys]
    strs = [messages[k].encode() for k in keys]
    count = len(keys)
    header_size = 7 * 4
    ids_table = header_size
    strs_table = ids_table + count * 8
    data_start = strs_table + count * 8
    offsets_ids, offsets_strs, blob = [], [], b""
    for value in ids:
        offsets_ids.append((len(value), data_start + len(blob)))
        blob += value + b"\0"
    for value in strs:
        offsets_strs.append((len(value), data_start + len(blob)))
        blob += value + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, 0)
    out += b"".join(struct.pack("<2I", *pair) for pair in offsets_ids)
    out += b"".join(struct.pack("<2I", *pair) for pair in offsets_strs)
    return out + blob


def compile_all(locale_dir: Path = LOCALE_DIR, *, write: bool = True) -> dict[Path, bytes]:
    """Compile every .po under ``locale_dir``; returns {mo path: bytes} and writes them when ``write``."""
    results = {}
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        results[mo] = compile_mo(parse_po(po.read_text(encoding="utf-8")))
        if write:
            mo.write_bytes(results[mo])
    return results
