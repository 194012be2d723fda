"""The pages as readers, authors and editors use them, through Django's test client on a real database."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from kure.articles import services
from kure.articles.models import Article, ReviewState, Revision

pytestmark = pytest.mark.django_db

BODY = """Brüksel'deki toplantı iki gün sürdü. Bakanlar Ukrayna'ya desteği konuştu. Lahey Zirvesi hazırlandı.

Ayrıntılar için [[Kuzey Atlantik Antlaşması Örgütü]] ve [[Lahey]] maddelerine bakın.

## Katılımcılar

Toplantıya 32 müttefik katıldı.[^1]

### Asya-Pasifik ortakları

Avustralya, Japonya, Güney Kore ve Yeni Zelanda katıldı.

## Gündem

| Gün | Oturum |
| --- | --- |
| 1 | Müttefikler |

[^1]: NATO basın açıklaması, 4 Nisan 2025.
"""


@pytest.fixture
def published(author, editor, png_upload):
    category = services.ensure_category(path_names=["Gündem", "Uluslararası İlişkiler"])
    revision = services.create_article(
        author=author, title="NATO Dışişleri Bakanları Toplantısı (2025)", body=BODY, category=category,
        tags=["NATO", "Diplomasi"], lead_image=png_upload(width=800, height=450), lead_image_caption="Brüksel",
        lead_image_credit="Küre", submit=True,
    )
    services.approve_revision(revision=revision, editor=editor)
    return Article.objects.get(pk=revision.article_id)


def test_article_page_carries_every_element_of_the_seed_page(client, published, author):
    response = client.get("/tr/articles/nato-disisleri-bakanlari-toplantisi-2025/")
    assert response.status_code == 200
    html = response.content.decode()
    # breadcrumb, title, lead image with caption and credit, badge, language switcher
    assert 'href="/tr/categories/gundem/"' in html and 'href="/tr/categories/gundem/uluslararasi-iliskiler/"' in html
    assert "<h1>NATO Dışişleri Bakanları Toplantısı (2025)</h1>" in html
    assert published.lead_image.url in html and "Brüksel" in html and "Küre</span>" in html
    assert "Yeni eklendi" in html
    assert 'hreflang="tr"' in html and 'hreflang="en"' not in html
    # body with stable anchors, and the table of contents pointing at them
    assert '<h2 id="katilimcilar">Katılımcılar</h2>' in html and '<h3 id="asya-pasifik-ortaklari">' in html
    assert 'href="#katilimcilar"' in html and 'href="#asya-pasifik-ortaklari"' in html and 'href="#gundem"' in html
    # footnotes as references, tables
    assert 'class="footnotes"' in html and "<table>" in html
    # author box linking to the profile, tags, summary
    assert f'href="/tr/people/{author.username}/"' in html and "Ayşe Demir" in html
    assert 'href="/tr/tags/nato/"' in html and 'href="/tr/tags/diplomasi/"' in html
    assert 'id="summary"' in html and "Program tarafından" in html
    # wiki links to articles that do not exist yet are marked
    assert 'class="wikilink new"' in html


def test_article_page_has_json_ld_and_open_graph(client, published):
    html = client.get(published.get_absolute_url()).content.decode()
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["@type"] == "Article" and data["headline"] == published.title
    assert data["author"]["name"] == "Ayşe Demir" and data["inLanguage"] == "tr"
    assert '<meta property="og:title" content="NATO Dışişleri Bakanları Toplantısı (2025)">' in html
    assert 'property="og:image"' in html


def test_wiki_link_to_an_existing_article_is_a_normal_link(client, published, author, editor):
    other = services.create_article(author=author, title="Lahey", body="Lahey Hollanda'da bir şehirdir.", submit=True)
    services.approve_revision(revision=other, editor=editor)
    html = client.get(published.get_absolute_url()).content.decode()
    assert 'class="wikilink" data-wiki="lahey" data-wiki-title="Lahey" href="/tr/articles/lahey/"' in html


def test_recently_added_badge_goes_after_the_configured_days(client, published, settings):
    Article.objects.filter(pk=published.pk).update(first_published_at=timezone.now() - timedelta(days=31))
    assert "Yeni eklendi" not in client.get(published.get_absolute_url()).content.decode()
    settings.KURE_RECENT_DAYS = 40
    assert "Yeni eklendi" in client.get(published.get_absolute_url()).content.decode()


def test_readers_see_the_approved_text_while_a_newer_revision_waits(client, published, other_author):
    services.save_revision(article=published, author=other_author, title=published.title,
                           body=BODY + "\nBEKLEYEN DEĞİŞİKLİK\n", base_revision=published.head_revision, submit=True)
    html = client.get(published.get_absolute_url()).content.decode()
    assert "BEKLEYEN DEĞİŞİKLİK" not in html
    assert client.get(f"{published.get_absolute_url()}revisions/2/").status_code == 404


def test_unknown_slug_language_and_unpublished_article_get_a_helpful_404(client, published, author):
    for url in ["/tr/articles/olmayan-madde/", "/xx/articles/nato-disisleri-bakanlari-toplantisi-2025/", "/xx/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Ana sayfaya dön" in response.content.decode() or "home page" in response.content.decode()
    draft = services.create_article(author=author, title="Taslak Madde", body="Henüz yayımlanmadı.")
    assert client.get(draft.article.get_absolute_url()).status_code == 404


def test_other_language_says_the_translation_does_not_exist_yet(client, published):
    response = client.get("/en/articles/nato-disisleri-bakanlari-toplantisi-2025/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "not available in English yet" in html
    assert 'href="/tr/articles/nato-disisleri-bakanlari-toplantisi-2025/"' in html


def test_history_and_word_diff(client, published, other_author, editor):
    services.approve_revision(revision=services.save_revision(
        article=published, author=other_author, title=published.title,
        body=BODY.replace("iki gün sürdü", "iki tam gün sürdü"), base_revision=published.head_revision,
        submit=True), editor=editor)
    history = client.get(f"{published.get_absolute_url()}history/").content.decode()
    assert "Mehmet Işık" in history and "Ayşe Demir" in history
    diff = client.get(f"{published.get_absolute_url()}diff/?from=1&to=2").content.decode()
    assert "<ins> tam</ins>" in diff
    assert client.get(f"{published.get_absolute_url()}diff/?from=abc&to=2").status_code == 400
    assert client.get(f"{published.get_absolute_url()}diff/?from=1&to=99").status_code == 404


def test_author_writes_with_preview_and_errors_keep_the_text(client, author):
    client.force_login(author)
    assert client.get("/tr/articles/new/").status_code == 200
    preview = client.post("/tr/articles/new/", {"title": "Van Gölü", "body": "## Coğrafya\n\n**Sodalı** göl.",
                                                "language": "tr", "action": "preview"})
    assert preview.status_code == 200 and '<h2 id="cografya">Coğrafya</h2>' in preview.content.decode()
    missing_title = client.post("/tr/articles/new/", {"title": "", "body": "Yazdığım uzun metin kaybolmamalı.",
                                                      "language": "tr", "action": "submit"})
    assert missing_title.status_code == 400
    html = missing_title.content.decode()
    assert "Yazdığım uzun metin kaybolmamalı." in html and "title is empty" in html
    created = client.post("/tr/articles/new/", {"title": "Van Gölü", "body": "Van Gölü sodalı bir göldür.",
                                                "language": "tr", "tags": "Göl, Van",
                                                "new_category": "Coğrafya / Göller",
                                                "action": "submit"})
    assert created.status_code == 302
    revision = Revision.objects.get(article__slug="van-golu")
    assert revision.state == ReviewState.SUBMITTED
    assert revision.article.category.path == "cografya/goller"
    assert sorted(t.name for t in revision.article.tags.all()) == ["Göl", "Van"]


def test_duplicate_slug_in_the_editor_is_a_clear_message_with_the_text_kept(client, author, published):
    client.force_login(author)
    response = client.post("/tr/articles/new/", {"title": published.title, "body": "Benim metnim burada.",
                                                 "language": "tr", "action": "save"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode() and "Benim metnim burada." in response.content.decode()


def test_a_file_that_is_not_an_image_is_refused_in_the_editor_and_the_text_kept(client, author):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(author)
    response = client.post("/tr/articles/new/", {
        "title": "Resimli", "body": "Kaybolmaması gereken metin.", "language": "tr", "action": "upload",
        "insert_image": SimpleUploadedFile("kötü.png", b"not an image"),
    })
    html = response.content.decode()
    assert "not an image we can read" in html and "Kaybolmaması gereken metin." in html


def test_editor_upload_inserts_markdown_for_the_image(client, author, png_upload):
    client.force_login(author)
    response = client.post("/tr/articles/new/", {"title": "Resimli", "body": "Metin.", "language": "tr",
                                                 "action": "upload", "insert_image": png_upload(),
                                                 "insert_image_alt": "Kırmızı kare"})
    assert response.status_code == 200
    assert "![Kırmızı kare](/media/uploads/" in response.content.decode()


def test_stale_edit_shows_the_conflict_view_with_both_texts(client, published, author, other_author):
    base = published.head_revision
    services.save_revision(article=published, author=other_author, title=published.title,
                           body=BODY + "\nÖnce kaydedilen metin.\n", base_revision=base)
    client.force_login(author)
    response = client.post(f"{published.get_absolute_url()}edit/", {
        "title": published.title, "body": BODY + "\nBenim eklediğim cümle.\n", "base_revision": base.pk,
        "action": "save"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Önce kaydedilen metin." in html and "Benim eklediğim cümle." in html
    assert Revision.objects.filter(article=published).count() == 2


def test_review_queue_approve_and_request_changes(client, published, other_author, editor):
    pending = services.save_revision(article=published, author=other_author, title=published.title,
                                     body=BODY.replace("32 müttefik", "otuz iki müttefik"),
                                     base_revision=published.head_revision, submit=True)
    client.force_login(editor)
    queue = client.get("/tr/desk/reviews/").content.decode()
    assert published.title in queue and "<ins>otuz iki</ins>" in queue
    no_comment = client.post(f"{published.get_absolute_url()}revisions/2/review/", {"action": "request_changes"})
    assert no_comment.status_code == 400 and "comment is required" in no_comment.content.decode()
    approved = client.post(f"{published.get_absolute_url()}revisions/2/review/", {"action": "approve"})
    assert approved.status_code == 302
    assert Article.objects.get(pk=published.pk).published_revision == pending


def test_readers_and_authors_get_403_on_editor_actions(client, published, author):
    url = published.get_absolute_url()
    for post_url in [f"{url}revisions/1/review/", f"{url}revisions/1/rollback/", f"{url}summary/"]:
        assert client.post(post_url, {"action": "approve"}).status_code == 403, post_url
    client.force_login(author)
    for post_url in [f"{url}revisions/1/review/", f"{url}revisions/1/rollback/", f"{url}summary/"]:
        assert client.post(post_url, {"action": "approve"}).status_code == 403, post_url
    assert client.get("/tr/desk/reviews/").status_code == 403


def test_editor_replaces_the_summary_from_the_page(client, published, editor):
    client.force_login(editor)
    client.post(f"{published.get_absolute_url()}summary/", {"summary": "Editörün kısa özeti."})
    html = client.get(published.get_absolute_url()).content.decode()
    assert "Editörün kısa özeti." in html and "Bir editör tarafından yazıldı." in html


def test_rollback_from_history(client, published, other_author, editor):
    services.approve_revision(revision=services.save_revision(
        article=published, author=other_author, title="Bozuk", body="Bozuk metin.",
        base_revision=published.head_revision, submit=True), editor=editor)
    client.force_login(editor)
    assert client.post(f"{published.get_absolute_url()}revisions/1/rollback/").status_code == 302
    assert "Brüksel'deki toplantı" in client.get(published.get_absolute_url()).content.decode()


def test_home_category_tag_and_profile_pages_list_the_article(client, published, author):
    for url in ["/tr/", "/tr/categories/gundem/", "/tr/categories/gundem/uluslararasi-iliskiler/", "/tr/tags/nato/",
                f"/tr/people/{author.username}/", "/tr/categories/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        if url != "/tr/categories/":
            assert published.title in response.content.decode(), url
    assert client.get("/tr/tags/olmayan/").status_code == 404
    assert client.get("/tr/people/olmayan/").status_code == 404


def test_feed_sitemap_and_robots(client, published):
    feed = client.get("/feeds/tr/atom.xml")
    assert feed.status_code == 200 and b"<feed" in feed.content and published.title.encode() in feed.content
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/tr/articles/nato-disisleri-bakanlari-toplantisi-2025/" in sitemap
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots
