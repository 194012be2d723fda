"""The translation memory: reuse what was translated before, prefer what a person checked.

Lookups are by the sha1 of the normalised source text. When an article's segmentation differs from the memory's
(a unit imported from another tool holding two sentences, say), storing a unit also stores its sentences as
derived units whenever source and target split into the same number of sentences, and a lookup that misses
tries the segment's sentences one by one.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..core.text import split_sentences
from .models import ORIGIN_RANK, MemoryEntry, Origin
from .reinsertion import reinsert
from .segments import normalise, strip_placeholders


def key_of(text: str) -> str:
    return hashlib.sha1(normalise(text).encode()).hexdigest()


@dataclass(frozen=True)
class Match:
    target_text: str
    origin: str
    engine: str = ""
    model: str = ""
    #: True when the match was put together from sentence-level units
    assembled: bool = False


def _split(text: str) -> list[str]:
    """Sentences of a memory unit; placeholder tags never end up split across two sentences here."""
    return split_sentences(text)


def lookup(*, source_language: str, target_language: str, texts: Iterable[str]) -> dict[str, Match]:
    """Matches for the given source texts, keyed by the source key."""
    wanted = {key_of(text): text for text in texts}
    pair = {"source_language": source_language, "target_language": target_language}
    found: dict[str, Match] = {}
    for entry in MemoryEntry.objects.filter(**pair, source_key__in=list(wanted)).only(
            "source_key", "target_text", "origin", "engine", "model"):
        found[entry.source_key] = Match(entry.target_text, entry.origin, entry.engine, entry.model)
    _assemble_from_sentences(pair, wanted, found)
    _match_without_markup(pair, wanted, found)
    return found


def _assemble_from_sentences(pair: dict, wanted: dict[str, str], found: dict[str, Match]) -> None:
    """A segment the memory holds only sentence by sentence."""
    missing = {key: _split(text) for key, text in wanted.items() if key not in found}
    parts = {key_of(s) for sentences in missing.values() if len(sentences) > 1 for s in sentences}
    if parts:
        units = {e.source_key: e for e in MemoryEntry.objects.filter(**pair, source_key__in=list(parts))}
        for key, sentences in missing.items():
            if len(sentences) > 1 and all(key_of(s) in units for s in sentences):
                matched = [units[key_of(s)] for s in sentences]
                worst = min(matched, key=lambda e: ORIGIN_RANK[e.origin])
                found[key] = Match(" ".join(e.target_text for e in matched), worst.origin, worst.engine, worst.model,
                                   assembled=True)


def _match_without_markup(pair: dict, wanted: dict[str, str], found: dict[str, Match]) -> None:
    """A segment with links or emphasis whose text the memory holds as plain text (units from other tools).

    The markup is put back by the same rules as for machine output; a post-editor sees it flagged if it landed
    in the wrong place.
    """
    plain = {key: strip_placeholders(text) for key, text in wanted.items()
             if key not in found and strip_placeholders(text) != text}
    if not plain:
        return
    by_key: dict[str, list[str]] = {}  # several segments can share a plain text ("<g1>X</g1>", "X<x1/>")
    for key, text in plain.items():
        by_key.setdefault(key_of(text), []).append(key)
    for entry in MemoryEntry.objects.filter(**pair, source_key__in=list(by_key)):
        if strip_placeholders(entry.target_text) != entry.target_text:
            continue
        for key in by_key[entry.source_key]:
            found[key] = Match(reinsert(wanted[key], entry.target_text), entry.origin, entry.engine, entry.model,
                               assembled=True)


def _upsert(*, source_language: str, target_language: str, source_text: str, target_text: str, origin: str,
            engine: str, model: str, user, derived: bool) -> bool:
    """Insert or improve one unit; never let a machine translation replace what a person wrote."""
    key = key_of(source_text)
    pair = {"source_language": source_language, "target_language": target_language, "source_key": key}
    now = timezone.now()
    existing = MemoryEntry.objects.filter(**pair).first()
    if existing is None:
        try:
            with transaction.atomic():
                MemoryEntry.objects.create(**pair, source_text=source_text, target_text=target_text, origin=origin,
                                           engine=engine, model=model, derived=derived, created_by=user,
                                           created_at=now, updated_at=now)
            return True
        except IntegrityError:  # stored concurrently by another job: fall through and compare
            existing = MemoryEntry.objects.get(**pair)
    if derived and not existing.derived:
        return False  # a unit stored as such is better evidence than one cut from a longer unit
    if ORIGIN_RANK[origin] < ORIGIN_RANK[existing.origin]:
        return False
    if existing.target_text == target_text and existing.origin == origin:
        return False
    MemoryEntry.objects.filter(pk=existing.pk).update(
        target_text=target_text, origin=origin, engine=engine, model=model, derived=derived,
        created_by=user or existing.created_by, updated_at=now)
    return True


def store(*, source_language: str, target_language: str, source_text: str, target_text: str, origin: str,
          engine: str = "", model: str = "", user=None) -> bool:
    """Store a unit and, where source and target split into the same number of sentences, each sentence too."""
    if not source_text.strip() or not target_text.strip():
        return False
    changed = _upsert(source_language=source_language, target_language=target_language, source_text=source_text,
                      target_text=target_text, origin=origin, engine=engine, model=model, user=user, derived=False)
    sources, targets = _split(source_text), _split(target_text)
    if len(sources) > 1 and len(sources) == len(targets):
        for source, target in zip(sources, targets, strict=True):
            _upsert(source_language=source_language, target_language=target_language, source_text=source,
                    target_text=target, origin=origin, engine=engine, model=model, user=user, derived=True)
    return changed


def promote(*, source_language: str, target_language: str, source_texts: Iterable[str], origin: str = Origin.REVIEWED,
            user=None) -> int:
    """Raise the origin of existing units (a translation passed review: its post-edits count as reviewed)."""
    keys = [key_of(t) for t in source_texts]
    lower = [o for o, rank in ORIGIN_RANK.items() if rank < ORIGIN_RANK[origin]]
    return MemoryEntry.objects.filter(source_language=source_language, target_language=target_language,
                                      source_key__in=keys, origin__in=lower).update(
        origin=origin, updated_at=timezone.now())


# --- whole documents: segments the memory holds as one unit ------------------------------------------------

#: The translation of a segment whose text the memory translated together with the segment before it: only its
#: standalone placeholders remain, after this mark; ``remove_joined_marks`` drops the mark and the space before it.
JOINED = "\u2063"
# A line break before the mark takes its blockquote markers with it, or a quoted paragraph would split in two.
_JOINED_GAP = re.compile(r"[ \t]*(?:\n[ \t>]*)?" + JOINED)
_STANDALONE = re.compile(r"<x\d+/>")
_PAIRED = re.compile(r"</?g\d+>")
MAX_JOIN = 4


def remove_joined_marks(markdown: str) -> str:
    return _JOINED_GAP.sub("", markdown)


def match_segments(*, source_language: str, target_language: str,
                   segments: list[tuple[int, str, str]]) -> dict[int, Match]:
    """Memory matches for a document's segments, given as (index, kind, source text) in document order.

    Besides single segments, runs of up to four consecutive segments of the same kind are looked up joined, for
    memory units that hold what the segmenter split (a line of two sentences whose translation has one or three,
    say). The run's first segment gets the whole translation; each following one gets ``JOINED`` and its own
    standalone placeholders (a footnote reference stays where it was).
    """
    found = lookup(source_language=source_language, target_language=target_language,
                   texts=[text for _, _, text in segments])
    result = {index: found[key_of(text)] for index, _, text in segments if key_of(text) in found}
    windows: dict[tuple[int, int], str] = {}
    for start in range(len(segments)):
        for size in range(2, MAX_JOIN + 1):
            run = segments[start:start + size]
            if len(run) < size or any(index in result for index, _, _ in run):
                break
            if len({kind for _, kind, _ in run}) > 1 or any(_PAIRED.search(text) for _, _, text in run[1:]):
                break
            windows[(start, size)] = " ".join(strip_placeholders(text) for _, _, text in run)
    if not windows:
        return result
    joined = lookup(source_language=source_language, target_language=target_language, texts=windows.values())
    start = 0
    while start < len(segments):
        for size in range(MAX_JOIN, 1, -1):
            text = windows.get((start, size))
            match = joined.get(key_of(text)) if text else None
            if match and not any(segments[start + k][0] in result for k in range(size)):
                first_index, _, first_text = segments[start]
                target = reinsert(first_text, strip_placeholders(match.target_text))
                result[first_index] = Match(target, match.origin, match.engine, match.model, assembled=True)
                for index, _, text in segments[start + 1:start + size]:
                    tags = "".join(_STANDALONE.findall(text))
                    result[index] = Match(JOINED + tags, match.origin, match.engine, match.model, assembled=True)
                start += size
                break
        else:
            start += 1
    return result
