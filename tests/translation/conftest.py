import pytest

from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.articles import services as article_services
from kure.articles.models import Article
from kure.translation.engines.base import close_engines
from kure.translation.testing.fake_servers import FakeOpenAIServer

BODY = """NATO dışişleri bakanları Brüksel'de toplandı. Toplantı iki gün sürdü.

## Katılımcılar

Toplantıya 32 müttefik katıldı. [Lahey](https://example.org/lahey) zirvesi **yakında** yapılacak.

- Avustralya ve Japonya
- Güney Kore
"""

DICTIONARY = {
    "NATO": "NATO", "dışişleri": "foreign", "bakanları": "ministers", "Brüksel'de": "in Brussels",
    "toplandı": "met", "Toplantı": "The meeting", "iki": "two", "gün": "days", "sürdü": "lasted",
    "Katılımcılar": "Participants", "Toplantıya": "The meeting was attended by", "32": "32",
    "müttefik": "allies", "katıldı": "", "Lahey": "The Hague", "zirvesi": "summit", "yakında": "soon",
    "yapılacak": "will be held", "Avustralya": "Australia", "ve": "and", "Japonya": "Japan",
    "Güney": "South", "Kore": "Korea", "NATO Toplantısı": "NATO Meeting", "Toplantısı": "Meeting",
}


@pytest.fixture(autouse=True)
def _fresh_engines():
    yield
    close_engines()


@pytest.fixture
def translator(db):
    return create_person(username="cevirmen", full_name="Deniz Çevirmen", email="", password=None,
                         roles=(Role.TRANSLATOR,))


@pytest.fixture
def publish(author, editor, django_capture_on_commit_callbacks):
    """Publish an article (or a new revision of it), running what is queued after commit."""

    def run(body: str = BODY, title: str = "NATO Toplantısı", article: Article | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            if article is None:
                revision = article_services.create_article(author=author, title=title, body=body, submit=True)
            else:
                article.refresh_from_db()
                revision = article_services.save_revision(article=article, author=author, title=title, body=body,
                                                          base_revision=article.head_revision, submit=True)
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
