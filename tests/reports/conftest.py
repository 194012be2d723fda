import pytest
from django.core.cache import cache

from kure.accounts.services import create_person
from kure.translation.engines.base import close_engines

# The translation tests' article and fake engine: a translation report needs a real translation.
from ..translation.conftest import BODY, DICTIONARY, openai_server, publish  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_engines_and_limits(settings):
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, "report": (1000, 3600)}
    cache.clear()
    yield
    close_engines()


@pytest.fixture
def reader(db):
    return create_person(username="okur", full_name="Okur Kişi", email="okur@example.org", password=None)


