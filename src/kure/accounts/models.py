"""People: every contribution is made under a real name."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse


class Role(models.TextChoices):
    """Roles are Django groups; readers need no account at all."""

    AUTHOR = "Authors", "Author"
    EDITOR = "Editors", "Editor"
    TRANSLATOR = "Translators", "Translator"
    ADMIN = "Admins", "Admin"


class User(AbstractUser):
    # A person's real name as they are known in print: required, and shown beside everything they write.
    full_name = models.CharField(max_length=150)
    avatar = models.ImageField(upload_to="avatars/%Y/", blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    bio = models.TextField(max_length=2000, blank=True)

    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        parts = self.display_name.split()
        return "".join(p[0] for p in parts[:2]).upper() if parts else "?"

    def get_absolute_url(self, language: str | None = None) -> str:
        from ..core import languages

        return reverse("people:profile", kwargs={"lang": language or languages.default(), "username": self.username})

    def has_role(self, role: Role) -> bool:
        if self.is_superuser:
            return True
        return self.groups.filter(name=role.value).exists()

    @property
    def is_author(self) -> bool:
        return self.has_perm("articles.add_revision")

    @property
    def is_editor(self) -> bool:
        return self.has_perm("articles.review_revision")
