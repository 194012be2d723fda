"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL points at one
(``make test`` runs the suite a second time with ``KURE_TEST_DATABASE_URL``)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kure.accounts.models import Role
from kure.accounts.services import create_person

pytest_plugins = ["tests.search_corpus", "tests.browser_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Background tasks run in-process right after commit, so tests see their effects.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    # One process: counters in memory (cleared by the tests that count), and every page rendered afresh unless a
    # test turns the page cache on (tests/core/test_pagecache.py).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.KURE_PAGE_CACHE = None


@pytest.fixture
def roles(db):
    """The role groups with their permissions, whatever an earlier flushing test left."""
    from tests.helpers import ensure_role_groups

    ensure_role_groups()


@pytest.fixture
def author(roles):
    return create_person(username="ayse", full_name="Ayşe Demir", email="ayse@example.org", password=None,
                         roles=(Role.AUTHOR,))


@pytest.fixture
def other_author(roles):
    return create_person(username="mehmet", full_name="Mehmet Işık", email="mehmet@example.org", password=None,
                         roles=(Role.AUTHOR,))


@pytest.fixture
def editor(roles):
    return create_person(username="selin", full_name="Selin Aydemir", email="selin@example.org", password=None,
                         roles=(Role.AUTHOR, Role.EDITOR))


@pytest.fixture
def second_editor(roles):
    return create_person(username="kerem", full_name="Kerem Öztürk", email="kerem@example.org", password=None,
                         roles=(Role.AUTHOR, Role.EDITOR))


def png_bytes(width: int = 64, height: int = 48, color=(200, 40, 40)) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def png_upload():
    def make(name: str = "resim.png", **kwargs) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")

    return make
