"""A reader starts a discussion from the article page, another replies, and an editor hides a post: in a browser.

No script is needed for any of it: plain forms, each answered with a redirect to the page that shows the result.
"""

import pytest
from django.core.cache import cache

from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.articles import services as articles
from kure.discussions.models import Post, Thread
from tests.browser.test_publishing_flow import PASSWORD, sign_in
from tests.helpers import ensure_role_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = """Van Gölü Doğu Anadolu'da, Türkiye'nin en büyük gölüdür. Suyu sodalıdır.

## Kıyıları

Göl kıyısında Ahlat ve Tatvan yer alır.
"""


@pytest.fixture(scope="module", autouse=True)
def _role_groups_back_afterwards(django_db_setup, django_db_blocker):
    """Put the role groups back once this module's live-server test has flushed the database: the browser tests
    that come after it in the run expect them there, as the data migration left them."""
    yield
    with django_db_blocker.unblock():
        ensure_role_groups()


def test_start_a_discussion_reply_and_hide_a_post(live_server, new_page, artifacts):
    cache.clear()
    ensure_role_groups()
    author = create_person(username="melis", full_name="Melis Karaduman", email="", password=None,
                           roles=(Role.AUTHOR,))
    create_person(username="editor", full_name="Selin Aydemir", email="", password=PASSWORD,
                  roles=(Role.AUTHOR, Role.EDITOR))
    create_person(username="okur", full_name="Okur Şahin", email="", password=PASSWORD)
    create_person(username="zeynep", full_name="Zeynep Arslan", email="", password=PASSWORD)
    editor_user = create_person(username="onay", full_name="Onay Veren", email="", password=None,
                                roles=(Role.AUTHOR, Role.EDITOR))
    revision = articles.create_article(author=author, title="Van Gölü", body=BODY, submit=True)
    articles.approve_revision(revision=revision, editor=editor_user)
    base = live_server.url

    reader = new_page()
    sign_in(reader, base, "okur")
    reader.goto(f"{base}/tr/articles/van-golu/")
    block = reader.locator("section#discussions")
    assert "Henüz tartışma yok" in block.inner_text()
    block.get_by_role("link", name="“Van Gölü” maddesi hakkında tartışma başlat").click()
    reader.wait_for_url(f"{base}/tr/articles/van-golu/discussions/new/")
    trap = reader.locator(".hp-field input").bounding_box()  # the honeypot is off screen: not for people
    assert trap is None or trap["x"] + trap["width"] <= 0
    reader.fill("#thread-title", "Gölün suyu neden sodalı?")
    reader.fill("#thread-body", "Maddede **sodalı** deniyor; bunun nedeni *kapalı havza* olması mı?")
    reader.get_by_role("button", name="Tartışmayı başlat").click()
    thread = Thread.objects.get()
    reader.wait_for_url(f"{base}/tr/articles/van-golu/discussions/{thread.pk}/")
    assert "Tartışmanız başlatıldı." in reader.locator(".messages").inner_text()
    assert reader.locator(".post-body strong").inner_text() == "sodalı"

    other = new_page()
    sign_in(other, base, "zeynep")
    other.goto(f"{base}/tr/articles/van-golu/")
    assert "Gölün suyu neden sodalı?" in other.locator("section#discussions").inner_text()
    other.locator("section#discussions").screenshot(path=str(artifacts / "discussions-article-block.png"))
    other.locator("section#discussions").get_by_role("link", name="Gölün suyu neden sodalı?").click()
    opening = thread.posts.get()
    other.locator(f"#post-{opening.pk} ~ details.reply-box summary").click()
    other.fill(f"#reply-{opening.pk}", "Evet: göle akan sular çıkış bulamadığı için buharlaşır, tuzlar birikir.")
    other.get_by_role("button", name="Yanıtı gönder").click()
    other.wait_for_load_state()
    reply = Post.objects.get(parent=opening)
    assert other.url.endswith(f"#post-{reply.pk}")
    assert "buharlaşır" in other.locator(f".replies #post-{reply.pk}").inner_text()

    editor = new_page()
    sign_in(editor, base, "editor")
    editor.goto(f"{base}/tr/articles/van-golu/discussions/{thread.pk}/")
    editor.locator(f"#post-{reply.pk} .post-tools").get_by_role("button", name="Gizle").click()
    editor.wait_for_load_state()
    assert "Mesaj gizlendi." in editor.locator(".messages").inner_text()
    hidden = editor.locator(f"#post-{reply.pk}")
    assert "Bir editör gizledi" in hidden.inner_text() and "buharlaşır" in hidden.inner_text()
    editor.screenshot(path=str(artifacts / "discussions.png"), full_page=True)

    reader.goto(f"{base}/tr/articles/van-golu/discussions/{thread.pk}/")
    assert reader.locator(f"#post-{reply.pk}").count() == 0
    assert "buharlaşır" not in reader.content()
    assert Post.objects.get(pk=reply.pk).is_hidden
    assert not reader.dialogs and not other.dialogs and not editor.dialogs
