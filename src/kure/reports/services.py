"""Writes for error reports: a reader reports a mistake in a section, an editor resolves or dismisses it.

A report on a translation's wording also flags the segments of that section for post-editing; deciding the
report takes its flag off again. Listeners hear of both after the transaction commits.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from ..accounts.models import User
from ..core.errors import InvalidInput, InvalidTransition, PermissionDenied
from ..translation import services as translation_services
from . import selectors, signals
from .models import DESCRIPTION_LIMIT, ErrorReport, ReportKind, ReportStatus

NOTE_LIMIT = 5000


def _check(*, kind: str, description: str, contact: str, on_translation: bool) -> None:
    """Every problem with what the reader typed at once, keyed by field; the first one is the message."""
    problems: dict[str, str] = {}
    if kind not in ReportKind.values:
        problems["kind"] = "Choose what kind of mistake it is."
    elif kind == ReportKind.TRANSLATION and not on_translation:
        problems["kind"] = ("This page is the original text, not a translation: choose “A fact is wrong” or "
                            "“Something else”.")
    if not description:
        problems["description"] = "Describe the mistake: the description is empty."
    elif len(description) > DESCRIPTION_LIMIT:
        problems["description"] = "The description is too long: at most 5,000 characters."
    if contact:
        try:
            validate_email(contact)
        except ValidationError:
            problems["contact"] = "The contact address is not a valid e-mail address: correct it or leave it empty."
    if problems:
        field = next(iter(problems))
        raise InvalidInput(problems[field], field=field, problems=problems)


@transaction.atomic
def report_mistake(*, article_slug: str, language: str, section: str, kind: str, description: str,
                   contact: str = "") -> ErrorReport:
    """Save a reader's report on one section (anchor "" for the lead or the whole article) of the page in
    ``language``. Raises ``NotFound`` for an unknown article or section and ``InvalidInput`` for what was typed."""
    target = selectors.report_target(slug=article_slug, language=language, section=section)
    description = description.replace("\r\n", "\n").strip()
    contact = contact.strip()
    _check(kind=kind, description=description, contact=contact, on_translation=target.translation is not None)
    report = ErrorReport.objects.create(
        article=target.article, language=language, section_anchor=target.anchor,
        section_heading=target.heading[:400], revision=target.revision, translation=target.translation,
        source_section=target.source_section if target.translation else "", kind=kind,
        description=description, contact=contact)
    if target.translation is not None and kind == ReportKind.TRANSLATION:
        report.flagged_segments = translation_services.flag_for_post_editing(
            translation=target.translation, section=target.source_section, reason=report.flag_reason)
        report.save(update_fields=["flagged_segments"])
    transaction.on_commit(lambda: signals.report_filed.send(sender=ErrorReport, report=report))
    return report


def _decide(*, report: ErrorReport, editor: User, status: str, note: str) -> ErrorReport:
    if not (editor and editor.is_authenticated and editor.has_perm("articles.review_revision")):
        raise PermissionDenied("Only editors resolve or dismiss reported mistakes.")
    note = note.replace("\r\n", "\n").strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput("The note is too long: at most 5,000 characters.", field="note")
    if status == ReportStatus.DISMISSED and not note:
        raise InvalidInput("Say why the report is dismissed: a note is required.", field="note")
    report = ErrorReport.objects.select_for_update(of=("self",)).select_related("translation").get(pk=report.pk)
    if report.status != ReportStatus.OPEN:
        raise InvalidTransition("This report has already been resolved or dismissed.")
    if report.translation is not None and report.flagged_segments:
        translation_services.flag_for_post_editing(translation=report.translation, section=report.source_section,
                                                   reason=report.flag_reason, clear=True)
    report.status, report.note = status, note
    report.decided_by, report.decided_at = editor, timezone.now()
    report.save(update_fields=["status", "note", "decided_by", "decided_at"])
    transaction.on_commit(lambda: signals.report_decided.send(sender=ErrorReport, report=report))
    return report


@transaction.atomic
def resolve_report(*, report: ErrorReport, editor: User, note: str = "") -> ErrorReport:
    """The mistake was real and has been dealt with (the note may say how)."""
    return _decide(report=report, editor=editor, status=ReportStatus.RESOLVED, note=note)


@transaction.atomic
def dismiss_report(*, report: ErrorReport, editor: User, note: str) -> ErrorReport:
    """The report is not a mistake, or cannot be acted on; the note says why."""
    return _decide(report=report, editor=editor, status=ReportStatus.DISMISSED, note=note)
