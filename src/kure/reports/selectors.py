"""Reads for error reports: which page and section a report is about, and the reports editors work through."""

from dataclasses import dataclass

from django.db.models import QuerySet

from ..articles import selectors as article_selectors
from ..articles.models import Article, Revision
from ..core import languages
from ..core.errors import InvalidInput, NotFound
from ..translation import selectors as translation_selectors
from ..translation.models import Translation
from .models import ErrorReport, ReportStatus


@dataclass
class ReportTarget:
    """The page a reader reports on: the original (``translation`` None) or a translation, and one section."""

    article: Article
    language: str
    title: str
    revision: Revision  # the original revision shown, or the one the translation was made from
    translation: Translation | None
    anchor: str  # "" for the lead or the whole article
    heading: str
    source_section: str  # the same section's anchor in the original

    @property
    def page_url(self) -> str:
        return f"/{self.language}/articles/{self.article.slug}/" + (f"#{self.anchor}" if self.anchor else "")


def _headings(sections: list[dict]) -> list[dict]:
    return [s for s in sections if s.get("level", 0) > 0]


def report_target(*, slug: str, language: str, section: str = "") -> ReportTarget:
    """The published article in ``language`` and its section ``section`` (an anchor on that page).

    Raises ``NotFound`` for an unknown or unpublished article, a language it cannot be read in, or an anchor
    the page does not have.
    """
    languages.require(language)
    if not slug.strip():
        raise NotFound("Say which article the mistake is in: the address has no article.")
    article = article_selectors.published_article(slug=slug.strip()[:120])
    revision = article.published_revision
    translation = None
    title, sections = article.title, revision.sections
    if language != article.original_language:
        translation = translation_selectors.readable_translation(article=article, language=language)
        if translation is None:
            raise NotFound(f"“{article.title}” cannot be read in {languages.name(language)} yet.")
        revision, title, sections = translation.source_revision, translation.title, translation.sections
    anchor = section.strip()
    if not anchor:
        return ReportTarget(article=article, language=language, title=title, revision=revision,
                            translation=translation, anchor="", heading="", source_section="")
    headings = _headings(sections)
    position = next((i for i, s in enumerate(headings) if s["anchor"] == anchor), None)
    if position is None:
        raise NotFound(f"“{title}” has no section “{anchor[:80]}”.")
    source_section = anchor
    if translation is not None:
        # A translated heading has its own anchor; the original's section is the one at the same position.
        originals = _headings(revision.sections)
        if len(originals) == len(headings):
            source_section = originals[position]["anchor"]
    return ReportTarget(article=article, language=language, title=title, revision=revision,
                        translation=translation, anchor=anchor, heading=headings[position]["heading"],
                        source_section=source_section)


def open_reports() -> QuerySet[ErrorReport]:
    """Reports no editor has decided yet, the oldest first: they have waited longest."""
    return reports(status=ReportStatus.OPEN).order_by("created_at", "id")


def reports(*, status: str = ReportStatus.OPEN) -> QuerySet[ErrorReport]:
    """Reports in one status ("all" for every one), the newest first."""
    qs = ErrorReport.objects.select_related("article", "revision", "translation", "decided_by")
    if status == "all":
        return qs
    if status not in ReportStatus.values:
        raise InvalidInput(f"Unknown report status “{status[:40]}”.")
    return qs.filter(status=status)


def report_by_id(*, pk: int) -> ErrorReport:
    report = ErrorReport.objects.select_related("article", "translation").filter(pk=pk).first()
    if report is None:
        raise NotFound(f"There is no report {pk}.")
    return report
