import pytest
from django.core import mail

from kure.accounts.services import create_person
from kure.articles import services as articles


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.KURE_SITE_URL = "https://kure.example"


@pytest.fixture
def reader(db):
    return create_person(username="okur", full_name="Okur Yılmaz", email="okur@example.org", password=None)


@pytest.fixture
def second_reader(db):
    return create_person(username="zeynep", full_name="Zeynep Kaya", email="zeynep@example.org", password=None)


@pytest.fixture
def science(db):
    """A category with a subcategory: Bilim / Fizik."""
    return articles.ensure_category(path_names=["Bilim", "Fizik"])


@pytest.fixture
def article(author, editor, science, django_capture_on_commit_callbacks):
    revision = articles.create_article(author=author, title="Kuantum Dolanıklığı",
                                       body="Kuantum dolanıklığı iki parçacığın durumlarını bağlar.",
                                       category=science, submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        articles.approve_revision(revision=revision, editor=editor)
    revision.article.refresh_from_db()
    mail.outbox.clear()  # the author's "approved" email
    return revision.article


@pytest.fixture
def publish_edit(django_capture_on_commit_callbacks):
    """Save, submit and approve a new revision, running what happens after commit (tasks run at once)."""

    def publish(article, *, author, editor, body: str, comment: str = ""):
        revision = articles.save_revision(article=article, author=author, title=article.title, body=body,
                                          base_revision=article.head_revision_id, submit=True)
        with django_capture_on_commit_callbacks(execute=True):
            articles.approve_revision(revision=revision, editor=editor, comment=comment)
        article.refresh_from_db()
        return revision

    return publish
