"""Follow buttons, the notifications page and the settings page, through the test client."""

import pytest

from kure.notifications import services
from kure.notifications.models import Follow, Notification, NotificationKind, NotificationSettings

pytestmark = pytest.mark.django_db


def tell(person, title: str = "Kuantum", url: str = "/tr/articles/kuantum-dolanikligi/") -> Notification:
    [made] = services.notify(recipients=[person], kind=NotificationKind.ARTICLE_PUBLISHED,
                             params={"title": title, "number": 2, "author": "Ayşe Demir"}, url=url)
    return made


# --- the article page --------------------------------------------------------------------------------------

def test_the_article_page_offers_signed_in_people_to_follow_the_article_and_its_category(client, reader, article):
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'action="/tr/me/follow/"' in page
    assert f'name="target" value="{article.pk}"' in page and f'name="target" value="{article.category_id}"' in page
    assert "Bu maddeyi takip et" in page and "Kategoriyi takip et: Fizik" in page

    services.follow(person=reader, kind="article", target_id=article.pk)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'action="/tr/me/unfollow/"' in page and "Bu maddeyi takip etmeyi bırak" in page


def test_the_article_page_asks_signed_out_readers_to_sign_in(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert "/me/follow/" not in page
    assert f'href="/accounts/login/?next=/tr/articles/{article.slug}/">Takip etmek için giriş yapın' in page


def test_following_and_unfollowing_through_the_buttons(client, reader, article):
    client.force_login(reader)
    next_url = article.get_absolute_url()
    response = client.post("/tr/me/follow/", {"kind": "article", "target": article.pk, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    client.post("/tr/me/follow/", {"kind": "category", "target": article.category_id, "next": next_url})
    assert set(Follow.objects.filter(person=reader).values_list("kind", flat=True)) == {"article", "category"}
    response = client.post("/tr/me/unfollow/", {"kind": "article", "target": article.pk,
                                                "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/tr/me/notifications/settings/"
    assert list(Follow.objects.filter(person=reader).values_list("kind", flat=True)) == ["category"]


@pytest.mark.parametrize("data", [{"kind": "article", "target": "999999"}, {"kind": "thread", "target": "999999"},
                                  {"kind": "category", "target": "999999"}, {"kind": "nope", "target": "1"},
                                  {"kind": "article", "target": "x"}, {}])
def test_following_what_does_not_exist_answers_404(client, reader, article, data):
    client.force_login(reader)
    assert client.post("/tr/me/follow/", data).status_code == 404
    assert not Follow.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, article):
    for url in ["/tr/me/notifications/", "/tr/me/notifications/settings/", "/tr/me/notifications/1/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    response = client.post("/tr/me/follow/", {"kind": "article", "target": article.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()


def test_follow_needs_a_post(client, reader):
    client.force_login(reader)
    assert client.get("/tr/me/follow/").status_code == 405


def test_an_unknown_language_is_not_found(client, reader):
    client.force_login(reader)
    assert client.get("/xx/me/notifications/").status_code == 404


# --- the notifications page --------------------------------------------------------------------------------

def test_the_notifications_page_lists_newest_first_marks_unread_and_links_to_targets(client, reader):
    older = tell(reader, title="Eski madde")
    newer = tell(reader, title="Yeni madde")
    client.force_login(reader)
    page = client.get("/en/me/notifications/").content.decode()
    assert page.index("Yeni madde") < page.index("Eski madde")
    assert page.count('class="notification unread"') == 2
    assert "Notifications (2 unread)" in page
    assert f'href="/en/me/notifications/{newer.pk}/"' in page

    response = client.get(f"/en/me/notifications/{older.pk}/")
    assert response.status_code == 302 and response["Location"] == older.url
    older.refresh_from_db()
    assert older.read_at is not None
    assert "Notifications (1 unread)" in client.get("/en/me/notifications/").content.decode()

    response = client.post("/en/me/notifications/read/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()
    page = client.get("/en/me/notifications/").content.decode()
    assert 'class="notification unread"' not in page and "Notifications (" not in page


def test_someone_elses_notification_is_not_found(client, reader, second_reader):
    theirs = tell(second_reader)
    client.force_login(reader)
    assert client.get(f"/tr/me/notifications/{theirs.pk}/").status_code == 404
    assert client.get("/tr/me/notifications/99999/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_empty_notifications_page_says_so(client, reader):
    client.force_login(reader)
    assert "Henüz bildirilecek bir şey yok" in client.get("/tr/me/notifications/").content.decode()


# --- the settings page -------------------------------------------------------------------------------------

def test_the_settings_page_saves_email_choices_digest_and_language(client, reader, article):
    services.follow(person=reader, kind="category", target_id=article.category_id)
    client.force_login(reader)
    page = client.get("/tr/me/notifications/settings/").content.decode()
    assert page.count('type="checkbox" name="email"') == 4 and page.count("checked") == 4
    assert "Fizik" in page  # what they follow, with a button to stop

    response = client.post("/tr/me/notifications/settings/",
                           {"email": ["review", "reply"], "daily_digest": "on", "language": "en"})
    assert response.status_code == 302
    saved = NotificationSettings.objects.get(person=reader)
    assert (saved.email_article_published, saved.email_review, saved.email_reply, saved.email_thread_post) == (
        False, True, True, False)
    assert saved.daily_digest and saved.language == "en"
    page = client.get("/tr/me/notifications/settings/").content.decode()
    assert page.count("checked") == 3  # two kinds and the digest
    assert '<option value="en" selected>' in page


def test_bad_settings_input_is_refused_without_a_500(client, reader):
    client.force_login(reader)
    assert client.post("/tr/me/notifications/settings/", {"email": ["spam"]}).status_code == 400
    assert client.post("/tr/me/notifications/settings/", {"language": "xx"}).status_code == 400
    assert not NotificationSettings.objects.exists()


def test_categories_can_be_followed_from_the_settings_page(client, reader, science):
    client.force_login(reader)
    page = client.get("/tr/me/notifications/settings/").content.decode()
    assert f'<option value="{science.pk}">bilim/fizik</option>' in page
    response = client.post("/tr/me/follow/", {"kind": "category", "target": science.pk,
                                              "next": "/tr/me/notifications/settings/"})
    assert response["Location"] == "/tr/me/notifications/settings/"
    assert Follow.objects.filter(person=reader, kind="category", target_id=science.pk).exists()


def test_the_thread_include_offers_to_follow_a_discussion(rf, reader, article):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from kure.discussions import services as discussions

    thread = discussions.start_thread(article=article, author=reader, title="Soru", body="Neden?")
    request = rf.get("/tr/articles/x/")
    request.user = reader
    context = {"thread": thread, "user": reader, "lang": "tr", "ui": {"follow_thread": "Follow it",
                                                                     "unfollow_thread": "Unfollow it"}}
    html = render_to_string("notifications/_follow_thread.html", context, request=request)
    assert 'action="/tr/me/follow/"' in html and f'value="{thread.pk}"' in html and "Follow it" in html
    services.follow(person=reader, kind="thread", target_id=thread.pk)
    html = render_to_string("notifications/_follow_thread.html", context, request=request)
    assert 'action="/tr/me/unfollow/"' in html and "Unfollow it" in html
    request.user = AnonymousUser()
    html = render_to_string("notifications/_follow_thread.html", {**context, "user": AnonymousUser(),
                                                                  "ui": {"sign_in_to_follow": "Sign in"}},
                            request=request)
    assert "/accounts/login/" in html and "/me/follow/" not in html
