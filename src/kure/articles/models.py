"""Articles and their immutable revisions, categories, tags, and the review trail."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Category(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Slash-joined slugs from the root ("gundem/dunya"): the URL, and cheap to look up without recursion.
    path = models.CharField(max_length=500, unique=True, editable=False)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["parent", "slug"], name="category_unique_slug_in_parent")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.slug}" if self.parent_id else self.slug
        super().save(*args, **kwargs)

    def get_absolute_url(self, language: str | None = None) -> str:
        from ..core import languages

        return reverse("categories:detail", kwargs={"lang": language or languages.default(), "path": self.path})

    def ancestors(self) -> list["Category"]:
        """From the root down to this category, included."""
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class Tag(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self, language: str | None = None) -> str:
        from ..core import languages

        return reverse("tags:detail", kwargs={"lang": language or languages.default(), "slug": self.slug})


class Article(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    original_language = models.CharField(max_length=12)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles")
    created_at = models.DateTimeField(default=timezone.now)
    lead_image = models.ImageField(upload_to="lead/%Y/", blank=True)
    # A small copy for cards and listings, made by a background task from ``lead_image``.
    lead_image_small = models.ImageField(upload_to="lead/%Y/small/", blank=True)
    lead_image_caption = models.CharField(max_length=300, blank=True)
    lead_image_credit = models.CharField(max_length=200, blank=True)
    # What readers see. It only ever moves to a revision an editor approved.
    published_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The newest revision in any state: new edits must start from it, or they conflict.
    head_revision = models.ForeignKey("Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Denormalised from the published revision for listings, feeds and the sitemap.
    title = models.CharField(max_length=200, blank=True)
    first_published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    summary_override = models.TextField(blank=True)
    summary_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-first_published_at"]
        permissions = [("change_summary", "Can replace an article's summary")]

    def __str__(self) -> str:
        return self.title or self.slug

    def get_absolute_url(self, language: str | None = None) -> str:
        return reverse("articles:detail", kwargs={"lang": language or self.original_language, "slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_revision_id is not None

    @property
    def summary(self) -> str:
        if self.summary_override:
            return self.summary_override
        return self.published_revision.auto_summary if self.published_revision else ""


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


class Revision(models.Model):
    """An immutable snapshot of an article's text. Only its review state moves, through review services."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    base = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField()
    edit_summary = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT, db_index=True)
    # Derived once from the immutable body: rendered HTML, its sections, and an extractive summary.
    html = models.TextField(blank=True)
    sections = models.JSONField(default=list, blank=True)
    auto_summary = models.TextField(blank=True)

    class Meta:
        ordering = ["article", "-number"]
        permissions = [("review_revision", "Can approve or reject revisions")]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.article.slug} r{self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "articles:revision",
            kwargs={"lang": self.article.original_language, "slug": self.article.slug, "number": self.number},
        )


class TransitionEvent(models.Model):
    """One step of a review trail: who moved something from which state to which, when, and why."""

    from_state = models.CharField(max_length=20, choices=ReviewState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ReviewState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.subject} {self.from_state or '—'} → {self.to_state}"


class ReviewEvent(TransitionEvent):
    """The review trail of a revision."""

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        pass

    @property
    def subject(self) -> Revision:
        return self.revision


class BodyImage(models.Model):
    """An image uploaded through the editor; the body links the original and shows the thumbnail."""

    image = models.ImageField(upload_to="uploads/%Y/%m/")
    thumbnail = models.ImageField(upload_to="uploads/%Y/%m/thumbs/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    original_name = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.original_name or self.image.name
