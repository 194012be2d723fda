"""Who follows what, what people are told about, and how each person wants to be told."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FollowKind(models.TextChoices):
    ARTICLE = "article", "Article"
    CATEGORY = "category", "Category"
    THREAD = "thread", "Discussion"


class Follow(models.Model):
    """A person's watchlist entry. One generic row (kind + id) so discussions need no foreign key from here:
    the target may live in an app that is optional or still being built."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(max_length=20, choices=FollowKind.choices)
    target_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "kind", "target_id"], name="follow_unique")]
        indexes = [models.Index(fields=["kind", "target_id"], name="follow_target")]

    def __str__(self) -> str:
        return f"{self.person_id} follows {self.kind} {self.target_id}"


class NotificationKind(models.TextChoices):
    ARTICLE_PUBLISHED = "article_published", "New revision of a followed article"
    REVIEW = "review", "Review decision on one's own revision"
    REPLY = "reply", "Reply to one's post"
    THREAD_POST = "thread_post", "New post in a followed discussion"


class Notification(models.Model):
    """One thing one person is told. The text is made from ``kind`` and ``params`` in the reader's language."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Whether the person wants an email about it (set when it is made), and when one went out.
    email_due = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def text(self, language: str) -> str:
        from .messages import render

        return render(kind=self.kind, params=self.params, language=language)


class NotificationSettings(models.Model):
    """How one person wants to hear; a person without a row gets the defaults (every email, sent at once)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notification_settings")
    email_article_published = models.BooleanField(default=True)
    email_review = models.BooleanField(default=True)
    email_reply = models.BooleanField(default=True)
    email_thread_post = models.BooleanField(default=True)
    # One email a day (sent by `kure notifications digest`) instead of one per notification.
    daily_digest = models.BooleanField(default=False)
    # The language emails are written in; empty means the site's default language.
    language = models.CharField(max_length=12, blank=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"notification settings of {self.person_id}"

    def wants_email(self, kind: str) -> bool:
        return bool(getattr(self, f"email_{kind}", False))
