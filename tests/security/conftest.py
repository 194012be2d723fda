"""An author and an editor for the security suites, with no rate limit in the way of hundreds of requests."""

from pathlib import Path

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
def served_media(settings):
    """The folder /media/ serves in this test (kure.core.views.media reads MEDIA_ROOT on each request)."""
    return Path(settings.MEDIA_ROOT)
