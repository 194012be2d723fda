"""Mistakes readers report on a section of an article, without an account, and what editors decided."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..articles.models import Article, Revision
from ..translation.models import Translation

DESCRIPTION_LIMIT = 5000


class ReportKind(models.TextChoices):
    FACT = "fact", "A fact is wrong"
    TRANSLATION = "translation", "The translation is wrong"
    OTHER = "other", "Something else"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class ErrorReport(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="error_reports")
    # The page the reader was on: its language, the section (anchor "" = the lead or the whole article) and
    # the text they read — a revision of the original, or a translation made from ``revision``.
    language = models.CharField(max_length=12)
    section_anchor = models.CharField(max_length=200, blank=True)
    section_heading = models.CharField(max_length=400, blank=True)
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="error_reports")
    translation = models.ForeignKey(Translation, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="error_reports")
    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    description = models.TextField()
    # Only editors ever see it, to ask the reader back; it is never shown on a public page.
    contact = models.EmailField(blank=True)
    # On a translated page: the anchor of the same section in the original, whose segments were flagged.
    source_section = models.CharField(max_length=200, blank=True)
    # Indices of the translation segments this report flagged for post-editing.
    flagged_segments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN,
                              db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.article.slug}#{self.section_anchor or '-'} [{self.language}] {self.kind}"

    @property
    def page_url(self) -> str:
        return f"/{self.language}/articles/{self.article.slug}/" + (
            f"#{self.section_anchor}" if self.section_anchor else "")

    @property
    def flag_reason(self) -> str:
        """The text put on the flagged segments; unique per report, so deciding the report can take it off."""
        excerpt = " ".join(self.description.split())
        if len(excerpt) > 160:
            excerpt = excerpt[:159] + "…"
        return f"Reported by a reader (report {self.pk}): {excerpt}"
