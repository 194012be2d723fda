import pytest
from django.core.cache import cache

from kure.accounts.services import create_person
from kure.articles import services as article_services
from kure.articles.models import Article
from kure.translation.engines.base import close_engines
from kure.translation.testing.fake_servers import FakeOpenAIServer

from ..translation.conftest import BODY, DICTIONARY


@pytest.fixture(autouse=True)
def _fresh_engines_and_limits(settings):
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, "report": (1000, 3600)}
    cache.clear()
    yield
    close_engines()


@pytest.fixture
def reader(db):
    return create_person(username="okur", full_name="Okur Kişi", email="okur@example.org", password=None)


@pytest.fixture
def publish(author, editor, django_capture_on_commit_callbacks):
    """Publish an article, running what is queued after commit (translation jobs, when an engine is set)."""

    def run(body: str = BODY, title: str = "NATO Toplantısı") -> Article:
        with django_capture_on_commit_callbacks(execute=True):
            revision = article_services.create_article(author=author, title=title, body=body, submit=True)
            article_services.approve_revision(revision=revision, editor=editor)
        return Article.objects.get(pk=revision.article_id)

    return run


@pytest.fixture
def openai_server(settings):
    with FakeOpenAIServer(dictionary=DICTIONARY) as server:
        settings.KURE_TRANSLATION_ENGINES = {"tr-en": {
            "BACKEND": "kure.translation.engines.openai.OpenAIChatEngine",
            "OPTIONS": {"base_url": server.url + "/v1", "model": "fake-model", "timeout": 5}}}
        yield server
