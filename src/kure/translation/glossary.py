"""Glossary terms per language pair: given to engines that take them, and checked on every machine segment.

Matching is by word start, in the language's own lower case, so a Turkish term also matches its suffixed
forms ("zirve" in "Zirvesi'ne") and an English one its plural ("summit" in "summits").
"""

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from ..core.errors import InvalidInput
from ..core.text import fold, lower
from .engines.base import GlossaryHint
from .models import GlossaryTerm
from .segments import strip_placeholders


@dataclass(frozen=True)
class Violation:
    source_term: str
    target_term: str

    def message(self) -> str:
        return f"glossary: “{self.source_term}” should be translated as “{self.target_term}”"


def terms_for(*, source_language: str, target_language: str) -> list[GlossaryTerm]:
    return list(GlossaryTerm.objects.filter(source_language=source_language, target_language=target_language))


def _pattern(term: str, language: str) -> re.Pattern:
    """Word starts, so suffixed forms match; English words in -y also match their -ies plural (ally, allies)."""
    words = [re.escape(w) for w in lower(term, language).split()]
    if language == "en" and words and len(words[-1]) > 2 and words[-1].endswith("y"):
        words[-1] = words[-1][:-1] + "(?:y|ies)"
    return re.compile(r"(?<!\w)" + r"\s+".join(words), re.UNICODE)


def occurs(term: str, text: str, language: str) -> bool:
    plain = lower(strip_placeholders(text), language)
    return bool(_pattern(term, language).search(plain) or _pattern(fold(term), language).search(fold(plain)))


def hints(terms: Iterable[GlossaryTerm], source_text: str, source_language: str) -> tuple[GlossaryHint, ...]:
    """The glossary terms that occur in a source segment, as hints for an engine or a post-editor."""
    return tuple(GlossaryHint(t.source_term, t.target_term) for t in terms
                 if occurs(t.source_term, source_text, source_language))


def check(*, source_text: str, target_text: str, terms: Iterable[GlossaryTerm], source_language: str,
          target_language: str) -> list[Violation]:
    """Terms that occur in the source but whose required translation is missing from the target."""
    return [Violation(t.source_term, t.target_term) for t in terms
            if occurs(t.source_term, source_text, source_language)
            and not occurs(t.target_term, target_text, target_language)]


@transaction.atomic
def add_term(*, source_language: str, target_language: str, source_term: str, target_term: str,
             note: str = "") -> tuple[GlossaryTerm, bool]:
    source_term, target_term = " ".join(source_term.split()), " ".join(target_term.split())
    if not source_term or not target_term:
        raise InvalidInput("A glossary term needs both a source term and its required translation.")
    if len(source_term) > 200 or len(target_term) > 200:
        raise InvalidInput(f"The glossary term “{source_term[:40]}” is longer than 200 characters.")
    term = GlossaryTerm.objects.filter(source_language=source_language, target_language=target_language,
                                       source_key=lower(source_term, source_language)).first()
    created = term is None
    term = term or GlossaryTerm(source_language=source_language, target_language=target_language)
    term.source_term, term.target_term, term.note = source_term, target_term, note.strip()[:300]
    term.save()
    return term, created


CSV_HEADER = ["source_language", "target_language", "source_term", "target_term", "note"]


def import_csv(text: str, *, source_language: str | None = None, target_language: str | None = None) -> dict:
    """Import terms from CSV with a header row (source_term,target_term[,note][,source_language,target_language]).

    Language columns may be left out when the languages are given. Returns counts of created and updated terms.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    fields = set(reader.fieldnames or [])
    if not {"source_term", "target_term"} <= fields:
        raise InvalidInput("The glossary CSV needs a header row with at least source_term and target_term columns.")
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        for line, row in enumerate(reader, start=2):
            source = (row.get("source_language") or source_language or "").strip()
            target = (row.get("target_language") or target_language or "").strip()
            if not source or not target:
                raise InvalidInput(f"Line {line}: no language pair (give --source and --target, or the columns).")
            try:
                _, created = add_term(source_language=source, target_language=target,
                                      source_term=row.get("source_term") or "",
                                      target_term=row.get("target_term") or "", note=row.get("note") or "")
            except InvalidInput as error:
                raise InvalidInput(f"Line {line}: {error.message}") from error
            counts["created" if created else "updated"] += 1
    return counts


def export_csv(*, source_language: str | None = None, target_language: str | None = None) -> str:
    terms = GlossaryTerm.objects.all()
    if source_language:
        terms = terms.filter(source_language=source_language)
    if target_language:
        terms = terms.filter(target_language=target_language)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for t in terms:
        writer.writerow([t.source_language, t.target_language, t.source_term, t.target_term, t.note])
    return out.getvalue()
