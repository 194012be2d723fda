"""A published article to discuss, people to discuss it, and a clean rate-limit cache for every test."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from kure.accounts.services import create_person
from kure.articles import services as articles

BODY = "Brüksel'deki toplantı iki gün sürdü.\n\n## Gündem\n\nBakanlar Ukrayna'ya desteği konuştu.\n"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def article(author, editor):
    revision = articles.create_article(author=author, title="NATO Toplantısı", body=BODY, submit=True)
    articles.approve_revision(revision=revision, editor=editor)
    revision.article.refresh_from_db()
    return revision.article


@pytest.fixture
def draft_article(author):
    return articles.create_article(author=author, title="Taslak Madde", body="Henüz yayımlanmadı.").article


@pytest.fixture
def reader(db):
    """A reader without any role, whose account is new (so the link limit applies)."""
    return create_person(username="okur", full_name="Okur Şahin", email="okur@example.org", password=None)


@pytest.fixture
def other_reader(db):
    return create_person(username="zeynep", full_name="Zeynep Arslan", email="zeynep@example.org", password=None)


@pytest.fixture
def seasoned_reader(db):
    """A reader with an old account: new-account limits do not apply once they have posted a few times."""
    person = create_person(username="emine", full_name="Emine Koç", email="emine@example.org", password=None)
    person.date_joined = timezone.now() - timedelta(days=30)
    person.save(update_fields=["date_joined"])
    return person
