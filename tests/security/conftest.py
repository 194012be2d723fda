"""An author and an editor for the security suites, with no rate limit in the way of hundreds of requests."""

import pytest
from django.core.cache import cache

from kure.accounts.models import Role
from kure.accounts.services import create_person
from tests.helpers import ensure_role_groups

from .harness import unlimited_rates


@pytest.fixture
def people(settings):
    cache.clear()
    unlimited_rates(settings)
    ensure_role_groups()
    author = create_person(username="yazar", full_name="Edanur Karakoç", email="", password=None,
                           roles=(Role.AUTHOR,))
    editor = create_person(username="editor", full_name="Selin Aydemir", email="", password=None,
                           roles=(Role.AUTHOR, Role.EDITOR))
    return author, editor


@pytest.fixture
def served_media(settings, monkeypatch):
    """/media/ serves this test's MEDIA_ROOT: the URL pattern took its folder when the URLconf was imported."""
    from django.urls import get_resolver
    from django.views.static import serve

    pattern = next(p for p in get_resolver().url_patterns if getattr(p, "callback", None) is serve)
    monkeypatch.setitem(pattern.default_args, "document_root", settings.MEDIA_ROOT)
    return settings.MEDIA_ROOT
