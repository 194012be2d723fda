"""Discussions about an article: threads, their posts (one level of replies), and readers' reports of posts."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Thread(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="discussion_threads")
    title = models.CharField(max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Moved by every new post, so the liveliest threads come first.
    last_post_at = models.DateTimeField(default=timezone.now, db_index=True)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self, language: str | None = None) -> str:
        return reverse("discussions:thread", kwargs={
            "lang": language or self.article.original_language, "slug": self.article.slug, "thread_id": self.pk})


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # None for a top-level post (the opening post included); otherwise the top-level post it answers.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    # Rendered once from ``body`` by discussions.markup: a small Markdown subset, sanitised.
    html = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.pk}"

    def get_absolute_url(self, language: str | None = None) -> str:
        return f"{self.thread.get_absolute_url(language)}#post-{self.pk}"


class PostReport(models.Model):
    """A reader's report that a post breaks the rules; editors resolve it on their desk."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"report on post {self.post_id}"
