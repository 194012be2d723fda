"""Reporting mistakes and deciding reports, through the services, on a real database."""

import pytest

from kure.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from kure.reports import selectors, services
from kure.reports.models import ErrorReport, ReportKind, ReportStatus
from kure.translation import selectors as translation_selectors
from kure.translation.models import Translation

pytestmark = pytest.mark.django_db


def _report(article, **overrides):
    values = {"article_slug": article.slug, "language": "tr", "section": "katilimcilar", "kind": ReportKind.FACT,
              "description": "32 değil, 31 müttefik katıldı.", "contact": ""}
    return services.report_mistake(**{**values, **overrides})


def test_a_report_on_the_original_records_article_section_language_and_revision(publish):
    article = publish()
    report = _report(article, contact=" okur@example.org ")
    assert report.article == article and report.language == "tr"
    assert (report.section_anchor, report.section_heading) == ("katilimcilar", "Katılımcılar")
    assert report.revision == article.published_revision and report.translation is None
    assert report.contact == "okur@example.org" and report.status == ReportStatus.OPEN
    assert list(selectors.open_reports()) == [report]


def test_a_report_on_the_lead_has_no_section(publish):
    report = _report(publish(), section="")
    assert (report.section_anchor, report.section_heading) == ("", "")


def test_a_translation_report_flags_the_segments_of_that_section_for_post_editing(publish, openai_server):
    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    assert translation.segments_flagged == 0
    report = _report(article, language="en", section="participants", kind=ReportKind.TRANSLATION,
                     description="“The meeting was attended by 32 allies” reads badly.")
    assert report.translation == translation and report.revision == translation.source_revision
    assert (report.section_heading, report.source_section) == ("Participants", "katilimcilar")
    flagged = translation.segments.filter(index__in=report.flagged_segments)
    assert report.flagged_segments and {s.section for s in flagged} == {"katilimcilar"}
    assert all(report.flag_reason in s.flags for s in flagged)
    assert not any(s.flags for s in translation.segments.exclude(index__in=report.flagged_segments))
    translation.refresh_from_db()
    assert translation.segments_flagged == len(report.flagged_segments)
    assert translation in translation_selectors.translations_needing_attention()


def test_deciding_a_translation_report_takes_its_flag_off(publish, openai_server, editor):
    article = publish()
    report = _report(article, language="en", section="participants", kind=ReportKind.TRANSLATION)
    services.resolve_report(report=report, editor=editor, note="Post-edited.")
    translation = Translation.objects.get(article=article, language="en")
    assert translation.segments_flagged == 0
    assert not any(s.flags for s in translation.segments.all())


def test_a_fact_report_on_a_translation_flags_nothing(publish, openai_server):
    article = publish()
    report = _report(article, language="en", section="participants", kind=ReportKind.FACT)
    assert report.translation is not None and report.flagged_segments == []
    assert Translation.objects.get(article=article, language="en").segments_flagged == 0


def test_a_translation_report_on_the_original_is_refused(publish):
    with pytest.raises(InvalidInput) as caught:
        _report(publish(), kind=ReportKind.TRANSLATION)
    assert caught.value.details["field"] == "kind"
    assert ErrorReport.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"description": "   "}, "description", "the description is empty"),
    ({"description": "x" * 5001}, "description", "at most 5,000 characters"),
    ({"contact": "okur@"}, "contact", "not a valid e-mail address"),
    ({"kind": "opinion"}, "kind", "Choose what kind"),
])
def test_what_was_typed_is_checked(publish, overrides, field, message):
    with pytest.raises(InvalidInput) as caught:
        _report(publish(), **overrides)
    assert caught.value.details["field"] == field and message in caught.value.message
    assert ErrorReport.objects.count() == 0


def test_a_description_of_exactly_the_limit_is_accepted(publish):
    assert len(_report(publish(), description="x" * 5000).description) == 5000


def test_every_problem_is_reported_at_once(publish):
    with pytest.raises(InvalidInput) as caught:
        _report(publish(), description="", contact="nope")
    assert set(caught.value.details["problems"]) == {"description", "contact"}


@pytest.mark.parametrize("overrides", [{"article_slug": "yok-boyle-madde"}, {"section": "yok-boyle-bolum"},
                                       {"article_slug": ""}, {"language": "xx"}, {"language": "en"}])
def test_unknown_article_section_or_language_is_not_found(publish, overrides):
    with pytest.raises(NotFound):
        _report(publish(), **overrides)  # "en": no translation exists without an engine


def test_editors_resolve_and_dismiss_with_a_note(publish, editor):
    article = publish()
    first, second = _report(article), _report(article, section="")
    services.resolve_report(report=first, editor=editor, note="Düzeltildi.")
    with pytest.raises(InvalidInput) as caught:
        services.dismiss_report(report=second, editor=editor, note="  ")
    assert caught.value.details["field"] == "note"
    services.dismiss_report(report=second, editor=editor, note="Kaynak doğru.")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.note, first.decided_by) == (ReportStatus.RESOLVED, "Düzeltildi.", editor)
    assert (second.status, second.note) == (ReportStatus.DISMISSED, "Kaynak doğru.")
    assert second.decided_at is not None
    assert list(selectors.open_reports()) == []
    with pytest.raises(InvalidTransition):
        services.resolve_report(report=first, editor=editor)


def test_only_editors_decide(publish, author, reader):
    report = _report(publish())
    for person in (author, reader):
        with pytest.raises(PermissionDenied):
            services.resolve_report(report=report, editor=person)
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
