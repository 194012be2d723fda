"""Discussion pages through the test client: the article page's block, the thread page, and plain forms."""

import pytest
from django.core.cache import cache

from kure.discussions import services
from kure.discussions.models import Post, Thread

pytestmark = pytest.mark.django_db


def _base(article, lang="tr"):
    return f"/{lang}/articles/{article.slug}/discussions/"


def test_article_page_without_discussions_invites_one(client, article):
    page = client.get(f"/tr/articles/{article.slug}/").content.decode()
    assert 'id="discussions"' in page
    assert "Henüz tartışma yok" in page
    assert "“NATO Toplantısı” maddesi hakkında tartışma başlat" in page
    assert f'href="{_base(article)}new/"' in page and f'href="{_base(article)}"' in page
    english = client.get(f"/en/articles/{article.slug}/discussions/").content.decode()
    assert "No discussion yet" in english and "Start a discussion about “NATO Toplantısı”" in english


def test_article_page_shows_the_count_and_latest_threads(client, article, reader, editor):
    for title in ("Birinci", "İkinci", "Üçüncü", "Dördüncü"):
        services.start_thread(article=article, author=reader, title=title, body="Metin")
    hidden = services.start_thread(article=article, author=reader, title="Gizli başlık", body="Metin")
    services.set_thread_hidden(thread=hidden, editor=editor, hidden=True)
    page = client.get(f"/tr/articles/{article.slug}/").content.decode()
    block = page[page.index('id="discussions"'):]
    assert '<span class="badge">4</span>' in block
    assert "Dördüncü" in block and "Üçüncü" in block and "İkinci" in block and "Birinci" not in block
    assert "Gizli başlık" not in block and "Henüz tartışma yok" not in block
    assert "Okur Şahin" in block and "1 mesaj" in block


def test_starting_a_discussion_and_replying_with_plain_forms(client, article, reader, other_reader):
    client.force_login(reader)
    response = client.post(f"{_base(article)}new/", {"title": "Kaynaklar", "body": "Hangi *kaynaklar*?",
                                                     "website": ""})
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{_base(article)}{thread.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Tartışmanız başlatıldı." in page and "<em>kaynaklar</em>" in page and "Okur Şahin" in page
    client.force_login(other_reader)
    opening = thread.posts.get()
    response = client.post(f"{_base(article)}{thread.pk}/reply/", {"body": "Bakanlık", "reply_to": opening.pk})
    reply = Post.objects.latest("pk")
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{reply.pk}")
    assert reply.parent == opening and reply.author == other_reader
    page = client.get(f"{_base(article)}{thread.pk}/").content.decode()
    assert f'id="post-{reply.pk}"' in page and 'class="replies"' in page


def test_signed_out_readers_read_and_are_sent_to_sign_in(client, article, reader):
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Metin")
    page = client.get(f"{_base(article)}{thread.pk}/").content.decode()
    assert "Tartışmalara katılmak için oturum açın." in page and 'name="body"' not in page
    response = client.post(f"{_base(article)}{thread.pk}/reply/", {"body": "Gizlice"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Post.objects.count() == 1


def test_refused_posts_keep_the_text(client, article, reader):
    client.force_login(reader)
    response = client.post(f"{_base(article)}new/", {"title": "Boş", "body": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Önce bir şey yazın: mesaj boş." in page and 'value="Boş"' in page
    long = "ç" * 10_001
    response = client.post(f"{_base(article)}new/", {"title": "Uzun", "body": long})
    assert response.status_code == 400 and "en çok 10000 karakter" in response.content.decode()
    assert long in response.content.decode()
    assert not Thread.objects.exists()


def test_a_rate_limit_says_so_and_keeps_the_text(client, article, reader, settings):
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, "discussion_post_account": (2, 300)}
    cache.clear()
    client.force_login(reader)
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Metin")
    for text in ("Bir", "İki"):
        assert client.post(f"{_base(article)}{thread.pk}/reply/", {"body": text}).status_code == 302
    response = client.post(f"{_base(article)}{thread.pk}/reply/", {"body": "Üçüncü uzun düşüncem"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Kısa sürede çok fazla mesaj gönderildi" in page
    assert ">Üçüncü uzun düşüncem</textarea>" in page
    assert thread.posts.count() == 3


def test_the_address_limit_applies_across_accounts(client, article, reader, other_reader, settings):
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, "discussion_post": (1, 600)}
    cache.clear()
    client.force_login(reader)
    assert client.post(f"{_base(article)}new/", {"title": "Bir", "body": "Metin"}).status_code == 302
    client.force_login(other_reader)
    response = client.post(f"{_base(article)}new/", {"title": "İki", "body": "Başka metin"})
    assert response.status_code == 429 and "Başka metin" in response.content.decode()


def test_a_filled_honeypot_is_refused_quietly(client, article, reader):
    client.force_login(reader)
    response = client.post(f"{_base(article)}new/", {"title": "Reklam", "body": "Ucuz saat",
                                                     "website": "http://spam.example"})
    assert response.status_code == 400
    assert "Mesajınız gönderilemedi. Lütfen yeniden deneyin." in response.content.decode()
    assert not Thread.objects.exists()


def test_the_link_limit_for_new_accounts_keeps_the_text(client, article, reader):
    client.force_login(reader)
    body = "Bakınız https://a.example ve https://b.example"
    response = client.post(f"{_base(article)}new/", {"title": "Bağlantılar", "body": body})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Yeni hesaplar bir mesajda en çok 1 bağlantı verebilir" in page and body in page


def test_locked_threads_and_unpublished_articles(client, article, draft_article, reader, editor):
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Metin")
    services.set_thread_locked(thread=thread, editor=editor, locked=True)
    client.force_login(reader)
    response = client.post(f"{_base(article)}{thread.pk}/reply/", {"body": "Ek bilgi"})
    assert response.status_code == 409 and "Ek bilgi" in response.content.decode()
    assert "kilitlendi" in response.content.decode()
    assert client.get(_base(draft_article)).status_code == 404
    assert client.post(f"{_base(draft_article)}new/", {"title": "T", "body": "M"}).status_code == 404
    assert client.get(f"/tr/articles/{article.slug}/discussions/99999/").status_code == 404


def test_a_reader_cannot_act_as_an_editor(client, article, reader, other_reader):
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Metin")
    post = thread.posts.get()
    client.force_login(other_reader)
    assert client.post(f"{_base(article)}posts/{post.pk}/hide/", {"hidden": "1"}).status_code == 403
    assert client.post(f"{_base(article)}{thread.pk}/moderate/", {"action": "lock"}).status_code == 403
    assert client.post(f"{_base(article)}posts/{post.pk}/delete/").status_code == 403
    assert client.post(f"{_base(article)}{thread.pk}/moderate/", {"action": "explode"}).status_code == 400
    thread.refresh_from_db()
    post.refresh_from_db()
    assert not (thread.is_locked or post.is_hidden or post.is_deleted)


def test_editors_hide_posts_which_they_still_see_marked(client, article, reader, other_reader, editor):
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Metin")
    post = services.reply(thread=thread, author=other_reader, body="Uygunsuz söz")
    client.force_login(editor)
    response = client.post(f"{_base(article)}posts/{post.pk}/hide/", {"hidden": "1"})
    assert response.status_code == 302
    editor_page = client.get(f"{_base(article)}{thread.pk}/").content.decode()
    assert "Uygunsuz söz" in editor_page and "Bir editör gizledi" in editor_page
    client.force_login(reader)
    reader_page = client.get(f"{_base(article)}{thread.pk}/").content.decode()
    assert "Uygunsuz söz" not in reader_page and f'id="post-{post.pk}"' not in reader_page


def test_deleted_posts_show_as_deleted_with_their_replies(client, article, reader, other_reader):
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="Metin")
    top = services.reply(thread=thread, author=reader, body="Pişman olduğum söz")
    services.reply(thread=thread, author=other_reader, body="Buna katılmıyorum", reply_to=top)
    client.force_login(reader)
    assert client.post(f"{_base(article)}posts/{top.pk}/delete/").status_code == 302
    page = client.get(f"{_base(article)}{thread.pk}/").content.decode()
    assert "Pişman olduğum söz" not in page and "Bu mesaj silindi." in page and "Buna katılmıyorum" in page


def test_editing_and_reporting_with_plain_forms(client, article, reader, other_reader):
    thread = services.start_thread(article=article, author=reader, title="Kaynaklar", body="İlk hâli")
    post = thread.posts.get()
    client.force_login(reader)
    assert "İlk hâli" in client.get(f"{_base(article)}posts/{post.pk}/edit/").content.decode()
    response = client.post(f"{_base(article)}posts/{post.pk}/edit/", {"body": "Düzeltilmiş hâli"})
    assert response.status_code == 302
    assert "Düzeltilmiş hâli" in client.get(f"{_base(article)}{thread.pk}/").content.decode()
    client.force_login(other_reader)
    assert client.post(f"{_base(article)}posts/{post.pk}/edit/", {"body": "Ele geçirdim"}).status_code == 403
    response = client.post(f"{_base(article)}posts/{post.pk}/report/", {"reason": ""})
    assert response.status_code == 400
    response = client.post(f"{_base(article)}posts/{post.pk}/report/", {"reason": "Konu dışı"})
    assert response.status_code == 302
    assert post.reports.get().reason == "Konu dışı"
