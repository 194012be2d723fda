"""Translations of published articles, built from segments, with a shared translation memory and glossary."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..articles.models import Article, ReviewState, Revision, TransitionEvent


class Origin(models.TextChoices):
    """Where a target text came from, best last: the memory prefers what a person checked."""

    MACHINE = "machine", "Machine translation"
    IMPORTED = "imported", "Imported memory"
    POST_EDITED = "post_edited", "Post-edited"
    REVIEWED = "reviewed", "Reviewed"


ORIGIN_RANK = {Origin.MACHINE: 0, Origin.IMPORTED: 1, Origin.POST_EDITED: 2, Origin.REVIEWED: 3}


class MemoryEntry(models.Model):
    """One translation unit: a normalised source text and its translation for a language pair."""

    source_language = models.CharField(max_length=12)
    target_language = models.CharField(max_length=12)
    source_key = models.CharField(max_length=40)  # sha1 of the normalised source text
    source_text = models.TextField()
    target_text = models.TextField()
    origin = models.CharField(max_length=20, choices=Origin.choices)
    engine = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=200, blank=True)
    # A sentence-level unit cut from a longer one whose source and target split into the same number of sentences.
    derived = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source_language", "target_language", "source_key"],
                                               name="memory_unique_source")]
        verbose_name_plural = "memory entries"

    def __str__(self) -> str:
        return f"{self.source_language}→{self.target_language}: {self.source_text[:60]}"


class GlossaryTerm(models.Model):
    source_language = models.CharField(max_length=12)
    target_language = models.CharField(max_length=12)
    source_term = models.CharField(max_length=200)
    target_term = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)
    # The source term folded to lower case by the source language's rules, for matching and uniqueness.
    source_key = models.CharField(max_length=200, editable=False)

    class Meta:
        ordering = ["source_language", "target_language", "source_term"]
        constraints = [models.UniqueConstraint(fields=["source_language", "target_language", "source_key"],
                                               name="glossary_unique_term")]

    def __str__(self) -> str:
        return f"{self.source_term} → {self.target_term}"

    def save(self, *args, **kwargs):
        from ..core.text import lower

        self.source_key = lower(" ".join(self.source_term.split()), self.source_language)
        super().save(*args, **kwargs)


class TranslationStatus(models.TextChoices):
    MACHINE = "machine", "Machine translation"
    POST_EDITED = "post_edited", "Post-edited"
    REVIEWED = "reviewed", "Reviewed"
    PARTIAL = "partial", "Partial"
    UNAVAILABLE = "unavailable", "Unavailable"


class Translation(models.Model):
    """An article in another language, made from one published revision of the original."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=12)
    source_revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="translations")
    title = models.CharField(max_length=400, blank=True)
    body = models.TextField(blank=True)
    html = models.TextField(blank=True)
    sections = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=TranslationStatus.choices, default=TranslationStatus.UNAVAILABLE)
    engine = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=200, blank=True)
    segments_total = models.PositiveIntegerField(default=0)
    segments_from_memory = models.PositiveIntegerField(default=0)
    segments_machine = models.PositiveIntegerField(default=0)
    segments_untranslated = models.PositiveIntegerField(default=0)
    segments_checked = models.PositiveIntegerField(default=0)  # post-edited or reviewed by a person
    segments_flagged = models.PositiveIntegerField(default=0)
    review_state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    post_editors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="post_edits")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="translation_unique_language")]

    def __str__(self) -> str:
        return f"{self.article.slug} [{self.language}]"

    @property
    def is_stale(self) -> bool:
        return self.source_revision_id != self.article.published_revision_id


class SegmentState(models.TextChoices):
    PENDING = "pending", "Waiting for translation"
    MEMORY = "memory", "From memory"
    MACHINE = "machine", "Machine translation"
    UNTRANSLATED = "untranslated", "Not translated"
    POST_EDITED = "post_edited", "Post-edited"
    REVIEWED = "reviewed", "Reviewed"


class TranslationSegment(models.Model):
    """One segment of a translation. Rows are written as segments are translated, so a job can resume."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="segments")
    index = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    section = models.CharField(max_length=200, blank=True)
    source_key = models.CharField(max_length=40)
    source_text = models.TextField()
    target_text = models.TextField(blank=True)
    state = models.CharField(max_length=20, choices=SegmentState.choices, default=SegmentState.PENDING)
    memory_origin = models.CharField(max_length=20, choices=Origin.choices, blank=True)
    engine = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=200, blank=True)
    # Problems a person should look at: glossary terms not followed, placeholders lost, reported by a reader.
    flags = models.JSONField(default=list, blank=True)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["translation", "index"]
        constraints = [models.UniqueConstraint(fields=["translation", "index"], name="segment_unique_index")]

    def __str__(self) -> str:
        return f"{self.translation} #{self.index}"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Waiting to retry"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class TranslationJob(models.Model):
    """One run of translating a published revision into one language: progress and failures for the admin."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translation_jobs")
    language = models.CharField(max_length=12)
    source_revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    segments_total = models.PositiveIntegerField(default=0)
    segments_done = models.PositiveIntegerField(default=0)
    segments_sent_to_engine = models.PositiveIntegerField(default=0)
    engine = models.CharField(max_length=60, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.article.slug} → {self.language} (r{self.source_revision.number}, {self.state})"


class TranslationEvent(TransitionEvent):
    """The review trail of a translation, as ReviewEvent is for revisions."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        pass

    @property
    def subject(self) -> Translation:
        return self.translation
