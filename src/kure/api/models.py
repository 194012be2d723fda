"""API tokens: long random secrets of which only a hash is kept."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    # sha256 of the whole secret: a stolen database does not hand out working tokens.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The start of the secret's random part: tells tokens apart in listings, and names one to revoke.
    prefix = models.CharField(max_length=8, db_index=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.display_prefix}… ({self.name or 'unnamed'})"

    @property
    def display_prefix(self) -> str:
        from .services import TOKEN_PREFIX

        return TOKEN_PREFIX + self.prefix
