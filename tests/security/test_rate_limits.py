"""Every limited door, page and API alike: under the limit it answers as usual; past it, 429 with a message that
says how long to wait (and a page keeps what was typed; the API adds ``retry_after`` and ``Retry-After``)."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from kure.accounts.services import create_person
from kure.api.services import create_token
from kure.articles import services as articles
from kure.discussions import services as discussions

pytestmark = pytest.mark.django_db

LIMIT = 2
WAIT_TR = re.compile(r"Lütfen \d+ saniye bekleyip yeniden")


@dataclass
class Door:
    name: str
    scope: str
    send: Callable[[int], object]  # the n-th request (0-based)
    api: bool
    kept: str = ""  # text the refused page must still show


@pytest.fixture
def site(author, editor, settings):
    cache.clear()
    settings.KURE_EMBEDDINGS = None  # Ask by words: the limit is what is tested, not the ranking
    settings.KURE_RATE_LIMITS = {scope: (1_000_000, window) for scope, (_, window)
                                 in settings.KURE_RATE_LIMITS.items()}
    revision = articles.create_article(author=author, title="Türk Kahvesi", body="Kahve cezvede pişer.\n",
                                       submit=True)
    articles.approve_revision(revision=revision, editor=editor)
    revision.article.refresh_from_db()
    reader = create_person(username="okur", full_name="Okur Şahin", email="", password=None)
    thread = discussions.start_thread(article=revision.article, author=editor, title="Kaynaklar", body="Metin")
    yield {"slug": revision.article.slug, "reader": reader, "thread": thread, "token": create_token(user=reader)[1]}
    cache.clear()


def doors(site) -> list[Door]:
    slug, thread = site["slug"], site["thread"]
    page = Client()
    signed_in = Client()
    signed_in.force_login(site["reader"])
    api = Client(headers={"Authorization": f"Bearer {site['token']}"})

    def api_post(path: str, data: dict):
        return api.post(f"/api/v1/{path}", json.dumps(data), content_type="application/json")

    return [
        Door("Ask page", "ask", lambda n: page.get("/tr/ask/", {"q": f"Kahve nasıl pişer {n}?"}), False,
             kept="Kahve nasıl pişer 2?"),
        Door("Ask API", "ask", lambda n: api.get("/api/v1/ask", {"q": f"kahve {n}"}), True),
        Door("Search page", "search", lambda n: page.get("/tr/search/", {"q": f"cezve {n}"}), False,
             kept="cezve 2"),
        Door("Search API", "search", lambda n: api.get("/api/v1/search", {"q": f"cezve {n}"}), True),
        Door("Title suggestions", "suggest", lambda n: page.get("/tr/search/suggest/", {"q": "tür"},
                                                                 headers={"Accept": "application/json"}), True),
        Door("New thread page", "discussion_post_account", lambda n: signed_in.post(
            f"/tr/articles/{slug}/discussions/new/", {"title": f"Başlık {n}", "body": f"Düşüncem {n}"}), False,
            kept="Düşüncem 2"),
        Door("Reply page", "discussion_post", lambda n: signed_in.post(
            f"/tr/articles/{slug}/discussions/{thread.pk}/reply/", {"body": f"Yanıtım {n}"}), False,
            kept="Yanıtım 2"),
        Door("Thread API", "discussion_post_account", lambda n: api_post(
            f"articles/{slug}/discussions", {"title": f"Başlık {n}", "body": "Metin"}), True),
        Door("Reply API", "discussion_post", lambda n: api_post(
            f"discussions/{thread.pk}/posts", {"body": f"Ek {n}"}), True),
        Door("Error report page", "report", lambda n: page.post("/tr/reports/new/", {
            "article": slug, "section": "", "kind": "fact", "description": f"Tarih yanlış yazılmış {n}."}), False,
            kept="Tarih yanlış yazılmış 2."),
    ]


@pytest.mark.parametrize("index", range(10), ids=[
    "ask-page", "ask-api", "search-page", "search-api", "suggest", "thread-page", "reply-page", "thread-api",
    "reply-api", "report-page"])
def test_past_the_limit_the_answer_is_429_with_a_clear_message(site, settings, index):
    door = doors(site)[index]
    window = settings.KURE_RATE_LIMITS[door.scope][1]
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, door.scope: (LIMIT, window)}
    for n in range(LIMIT):
        response = door.send(n)
        assert response.status_code < 400, f"{door.name} #{n}: {response.status_code}"
    refused = door.send(LIMIT)
    assert refused.status_code == 429, door.name
    if door.api:
        body = refused.json()
        assert body["error"] == "rate_limited" and 0 < body["retry_after"] <= window, door.name
        assert "Please wait" in body["message"]
        assert int(refused["Retry-After"]) == body["retry_after"]
    else:
        text = refused.content.decode()
        assert WAIT_TR.search(text), f"{door.name}: no wait in the message"
        assert door.kept in text, f"{door.name}: what was typed is lost"
        assert "Traceback" not in text


def test_the_table_covers_every_limited_scope(site, settings):
    """A scope added to KURE_RATE_LIMITS without a door here fails; sign-in and sign-up have their own tests."""
    tested = {door.scope for door in doors(site)} | {"login", "login_account", "signup"}
    assert set(settings.KURE_RATE_LIMITS) <= tested
