"""Word-level differences between two texts, for the history, review queue and conflict views."""

import difflib
import re
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class DiffStats:
    added: int
    removed: int


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> tuple[SafeString, DiffStats]:
    """HTML of ``new`` against ``old`` with ``<del>`` and ``<ins>`` around changed words; everything escaped."""
    a, b = tokenize(old), tokenize(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out: list[str] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if op in {"delete", "replace"}:
            removed += sum(1 for t in a[i1:i2] if not t.isspace())
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in {"insert", "replace"}:
            added += sum(1 for t in b[j1:j2] if not t.isspace())
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out)), DiffStats(added=added, removed=removed)
