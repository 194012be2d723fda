"""The embedding engine is down (every request answers 503): publishing still works, the article page, search
and Ask still serve, Ask answers by words, and the embedding task schedules a retry; once the engine is back,
running the task again stores the vectors."""

import pytest
from django.db.models import Q
from django_tasks import default_task_backend

from kure.articles import services
from kure.articles.models import Article
from kure.ask.services import ask
from kure.search import tasks
from kure.search.embeddings.base import close_embedders
from kure.search.indexing import retry_delay
from kure.search.models import IndexedSection, SectionVector
from kure.search.testing.fake_servers import FakeModelServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roomy_rate_limits")]

BODY = """Osman Bey, Osmanlı Beyliği'nin kurucusudur.

## Hayatı

Osman Bey 1258 yılında Söğüt'te doğdu. Babası Ertuğrul Gazi'dir.

## Beyliği

Osman Bey 1299 yılında beyliğini ilan etti.
"""


@pytest.fixture
def engine_down(settings):
    with FakeModelServer() as server:
        # Tasks are queued, not run: the test runs them the way the worker would, and sees what they queue.
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        settings.KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.openai.OpenAIEmbeddingEngine",
                                    "OPTIONS": {"base_url": server.url + "/v1", "model": "fake", "timeout": 2}}
        close_embedders()
        server.fail(503, times=None)
        yield server
        close_embedders()


def queued_embeddings():
    return [r for r in default_task_backend.results if r.task.func is tasks.embed_article.func]


def test_engine_down_then_back(engine_down, author, editor, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.create_article(author=author, title="Osman Bey", body=BODY, submit=True)
        services.approve_revision(revision=revision, editor=editor)
    article = Article.objects.get(pk=revision.article_id)
    assert article.published_revision_id == revision.pk
    sections = IndexedSection.objects.filter(article=article)
    assert sections.exists() and not SectionVector.objects.filter(section__article=article).exists()

    # The worker runs the queued task: the engine is down, so it schedules a later try instead of failing.
    (queued,) = queued_embeddings()
    outcome = tasks.embed_article.call(**queued.kwargs)
    assert "retry 1 scheduled" in outcome
    retry = queued_embeddings()[-1]
    assert retry.kwargs == {"article_id": article.pk, "attempt": 1}
    assert retry.task.run_after is not None
    assert retry.task.run_after - queued.enqueued_at >= retry_delay(0) * 0.9
    assert any(request.path.endswith("/embeddings") for request in engine_down.requests)

    # Readers notice nothing: the page, search and Ask (by words) all serve.
    page = client.get(f"/tr/articles/{article.slug}/")
    assert page.status_code == 200 and "Söğüt" in page.content.decode()
    found = client.get("/tr/search/", {"q": "Söğüt"})
    assert found.status_code == 200 and f"/tr/articles/{article.slug}/" in found.content.decode()
    asked = client.get("/tr/ask/", {"q": "Osman Bey nerede doğdu?"})
    assert asked.status_code == 200 and "Söğüt" in asked.content.decode()
    answer = ask(question="Osman Bey hangi yılda Söğüt'te doğdu?", language="tr")
    assert answer.found and not answer.semantic
    assert answer.citations and answer.citations[0].url.startswith(f"/tr/articles/{article.slug}/")

    # The engine recovers: the retry stores a vector for every section.
    engine_down.reset()
    outcome = tasks.embed_article.call(**retry.kwargs)
    assert outcome == f"{sections.count()} sections embedded"
    vectors = SectionVector.objects.filter(section__article=article)
    assert vectors.count() == sections.count() and not vectors.filter(~Q(model="fake")).exists()
    assert len(queued_embeddings()) == 2  # nothing more scheduled
    answer = ask(question="Osman Bey hangi yılda Söğüt'te doğdu?", language="tr")
    assert answer.found and answer.semantic
