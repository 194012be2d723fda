"""What readers asked, kept without personal data so editors can see what the encyclopedia does not answer."""

from django.db import models
from django.utils import timezone


class AskedQuestion(models.Model):
    # The question with e-mail addresses, telephone numbers and other long digit runs blanked out; no address,
    # account or session is stored with it, and the time is kept to the hour.
    question = models.CharField(max_length=500)
    language = models.CharField(max_length=12)
    found = models.BooleanField()
    # Where the answer came from: "slug#anchor" of the first citation, blank when nothing was found.
    first_citation = models.CharField(max_length=320, blank=True)
    article_scope = models.CharField(max_length=120, blank=True)
    answerer = models.CharField(max_length=40, blank=True)
    asked_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["found", "asked_at"])]

    def __str__(self) -> str:
        return self.question
