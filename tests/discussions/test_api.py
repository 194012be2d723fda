"""The discussions API: public reads without hidden content, token writes under the same rules and limits."""

import pytest

from kure.api.services import create_token
from kure.discussions import services
from kure.discussions.models import Post, Thread
from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_reader(reader) -> Api:
    return Api(create_token(user=reader)[1])


def test_reading_shows_threads_with_counts_and_latest_posts_but_no_hidden_content(article, reader, other_reader,
                                                                                  editor):
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Hangi *kaynaklar*?")
    kept = services.reply(thread=thread, author=other_reader, body="Bakanlık")
    gone = services.reply(thread=thread, author=reader, body="Silinen söz", reply_to=kept)
    hidden = services.reply(thread=thread, author=other_reader, body="Gizli söz")
    services.delete_post(post=gone, actor=reader)
    services.set_post_hidden(post=hidden, editor=editor, hidden=True)
    secret = services.start_thread(article=article, author=reader, title="Gizli tartışma", body="Metin")
    services.set_thread_hidden(thread=secret, editor=editor, hidden=True)

    response = Api().get(f"articles/{article.slug}/discussions")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    item = data["results"][0]
    assert item["title"] == "Kaynaklar" and item["post_count"] == 3 and item["locked"] is False
    assert item["author"]["name"] == "Okur Şahin"
    latest = item["latest_posts"]
    assert [p["id"] for p in latest] == [gone.pk, kept.pk, thread.posts.order_by("pk").first().pk]
    assert latest[0]["deleted"] is True and latest[0]["body"] == "" and latest[0]["html"] == ""
    assert latest[1]["reply_to"] is None and latest[0]["reply_to"] == kept.pk
    assert latest[2]["html"] == "<p>Hangi <em>kaynaklar</em>?</p>"
    assert "Gizli" not in response.content.decode()
    # The same for an editor's token: the API's reads are public.
    editor_view = Api(create_token(user=editor)[1]).get(f"articles/{article.slug}/discussions")
    assert editor_view.json()["count"] == 1


def test_writing_with_a_token(article, as_reader, reader):
    created = as_reader.post(f"articles/{article.slug}/discussions", {"title": "Kaynaklar", "body": "Hangi?"})
    assert created.status_code == 201, created.json()
    thread = Thread.objects.get()
    assert created.json()["id"] == thread.pk and created["Location"].endswith(f"/discussions/{thread.pk}/")
    assert created.json()["latest_posts"][0]["body"] == "Hangi?"
    opening = thread.posts.get()
    replied = as_reader.post(f"discussions/{thread.pk}/posts", {"body": "Ek: bildiri.", "reply_to": opening.pk})
    assert replied.status_code == 201, replied.json()
    post = Post.objects.latest("pk")
    assert replied.json()["id"] == post.pk and post.parent == opening and post.author == reader


def test_write_errors_are_json(article, draft_article, as_reader, reader, editor):
    anonymous = Api()
    assert anonymous.post(f"articles/{article.slug}/discussions", {"title": "T", "body": "M"}).status_code == 401
    empty = as_reader.post(f"articles/{article.slug}/discussions", {"title": "Boş", "body": ""})
    assert empty.status_code == 400 and empty.json()["field"] == "body"
    long = as_reader.post(f"articles/{article.slug}/discussions", {"title": "x" * 201, "body": "M"})
    assert long.status_code == 400 and long.json()["field"] == "title"
    wrong_type = as_reader.post(f"articles/{article.slug}/discussions", {"title": 5, "body": "M"})
    assert wrong_type.status_code == 400
    unknown = as_reader.post(f"articles/{article.slug}/discussions", {"title": "T", "body": "M", "spam": 1})
    assert unknown.status_code == 400
    assert as_reader.post(f"articles/{draft_article.slug}/discussions",
                          {"title": "T", "body": "M"}).status_code == 404
    assert as_reader.post("articles/yok-boyle-madde/discussions", {"title": "T", "body": "M"}).status_code == 404
    assert as_reader.post("discussions/99999/posts", {"body": "M"}).status_code == 404
    links = as_reader.post(f"articles/{article.slug}/discussions",
                           {"title": "Bağlantılar", "body": "https://a.example https://b.example"})
    assert links.status_code == 400 and "at most 1 link" in links.json()["message"]

    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Metin")
    services.set_thread_locked(thread=thread, editor=editor, locked=True)
    locked = as_reader.post(f"discussions/{thread.pk}/posts", {"body": "Ek"})
    assert locked.status_code == 409 and locked.json()["error"] == "locked"
    services.set_thread_hidden(thread=thread, editor=editor, hidden=True)
    assert as_reader.post(f"discussions/{thread.pk}/posts", {"body": "Ek"}).status_code == 404
    reader.full_name = ""
    reader.save()
    other = services.start_thread(article=article, author=editor, title="Açık", body="Metin")
    nameless = as_reader.post(f"discussions/{other.pk}/posts", {"body": "Ek"})
    assert nameless.status_code == 403 and nameless.json()["error"] == "forbidden"


def test_api_posts_obey_the_rate_limit(article, as_reader, settings):
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, "discussion_post_account": (1, 300)}
    assert as_reader.post(f"articles/{article.slug}/discussions", {"title": "Bir", "body": "M"}).status_code == 201
    limited = as_reader.post(f"articles/{article.slug}/discussions", {"title": "İki", "body": "M"})
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert limited.json()["retry_after"] > 0
    assert Thread.objects.count() == 1
