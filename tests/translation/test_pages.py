"""What readers, post-editors and API clients see of translations."""

import pytest

from kure.translation import memory, services
from kure.translation.models import Origin, Translation, TranslationStatus

from .conftest import BODY

pytestmark = pytest.mark.django_db


def test_machine_translation_page_says_so_and_links_the_original(client, publish, openai_server):
    article = publish()
    response = client.get(f"/en/articles/{article.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>NATO Meeting</h1>" in html
    assert "automatically translated from the original Türkçe version" in html
    assert f'href="/tr/articles/{article.slug}/" hreflang="tr"' in html
    assert "A person has checked 0 of" in html
    assert '<link rel="alternate" hreflang="en"' in html and '<link rel="alternate" hreflang="tr"' in html
    assert 'href="#participants"' in html  # the table of contents follows the translated headings
    original = client.get(f"/tr/articles/{article.slug}/").content.decode()
    assert f'href="/en/articles/{article.slug}/" hreflang="en"' in original  # the language switcher


def test_wiki_links_in_a_translation_lead_to_the_original_until_the_target_is_translated(client, publish,
                                                                                       openai_server):
    target = publish(body="Lahey Hollanda'da bir şehirdir.", title="Lahey")  # translated by the fake engine
    article = publish(body="Toplantı [[Lahey]] kentinde yapıldı.", title="Toplantı")
    html = client.get(f"/en/articles/{article.slug}/").content.decode()
    assert 'href="/en/articles/lahey/"' in html
    Translation.objects.filter(article=target).delete()
    html = client.get(f"/en/articles/{article.slug}/").content.decode()
    assert 'href="/tr/articles/lahey/"' in html and "wikilink new" not in html


def test_partial_translation_marks_the_sentences_still_in_turkish(client, publish):
    memory.store(source_language="tr", target_language="en", source_text="Toplantı iki gün sürdü.",
                 target_text="The meeting lasted two days.", origin=Origin.IMPORTED)
    article = publish()
    html = client.get(f"/en/articles/{article.slug}/").content.decode()
    assert "The meeting lasted two days." in html
    assert '<span class="untranslated" lang="tr"' in html
    assert "are not translated yet and are shown in Türkçe" in html


def test_no_translation_at_all_is_a_404_that_says_so(client, publish):
    article = publish()
    response = client.get(f"/en/articles/{article.slug}/")
    assert response.status_code == 404
    assert "not available in English yet" in response.content.decode()


def test_a_newer_original_shows_the_stale_notice_until_the_job_runs(client, publish, openai_server, author, editor):
    from kure.articles import services as article_services

    article = publish()
    revision = article_services.save_revision(article=article, author=author, title=article.title,
                                              body=BODY + "\nYeni cümle.\n", base_revision=article.head_revision,
                                              submit=True)
    article_services.approve_revision(revision=revision, editor=editor)  # jobs only run after commit
    html = client.get(f"/en/articles/{article.slug}/").content.decode()
    assert "The original has been updated since this translation was made" in html


def test_post_editor_page_saves_corrections_and_keeps_text_on_error(client, publish, openai_server, translator):
    article = publish()
    client.force_login(translator)
    page = client.get(f"/en/articles/{article.slug}/translate/")
    assert page.status_code == 200 and "Katılımcılar" in page.content.decode()
    translation = Translation.objects.get(article=article)
    linked = next(s for s in translation.segments.all() if "<g" in s.source_text)
    bad = client.post(f"/en/articles/{article.slug}/translate/", {f"seg-{linked.index}": "Tags are gone here"})
    assert bad.status_code == 400 and "Tags are gone here" in bad.content.decode()
    good = client.post(f"/en/articles/{article.slug}/translate/", {"seg-1": "The foreign ministers met in Brussels."})
    assert good.status_code == 302
    html = client.get(f"/en/articles/{article.slug}/").content.decode()
    assert "The foreign ministers met in Brussels." in html
    assert "post-edited by Deniz Çevirmen" in html
    assert Translation.objects.get(pk=translation.pk).status == TranslationStatus.POST_EDITED


def test_readers_and_authors_cannot_post_edit(client, publish, openai_server, author):
    article = publish()
    assert client.get(f"/en/articles/{article.slug}/translate/").status_code == 302  # to sign in
    assert client.post(f"/en/articles/{article.slug}/translate/", {"seg-1": "x"}).status_code in {302, 403}
    client.force_login(author)
    assert client.get(f"/en/articles/{article.slug}/translate/").status_code == 403


def test_api_returns_the_translation_and_how_it_was_made(client, publish, openai_server):
    article = publish()
    data = client.get(f"/api/v1/articles/{article.slug}", {"lang": "en"}).json()
    assert data["language"] == "en" and data["title"] == "NATO Meeting"
    info = data["translation"]
    assert info["status"] == "machine" and info["engine"] == "openai" and info["stale"] is False
    assert info["source_revision"] == article.published_revision_id
    assert info["segments_total"] == info["segments_machine"] > 0 and info["segments_untranslated"] == 0
    assert [s["anchor"] for s in data["sections"]] == ["participants"]


def test_api_404_carries_the_unavailable_status(client, publish):
    article = publish()
    response = client.get(f"/api/v1/articles/{article.slug}", {"lang": "en"})
    assert response.status_code == 404
    assert response.json()["translation"]["status"] == "unavailable"


def test_review_from_the_post_editor_page(client, publish, openai_server, translator, editor):
    article = publish()
    translation = Translation.objects.get(article=article)
    services.post_edit(translation=translation, editor=translator, edits={1: "Ministers met in Brussels."})
    services.submit_translation(translation=translation, actor=translator)
    client.force_login(editor)
    response = client.post(f"/en/articles/{article.slug}/translate/review/", {"action": "approve"})
    assert response.status_code == 302
    html = client.get(f"/en/articles/{article.slug}/").content.decode()
    assert "Translated and reviewed by Deniz Çevirmen, Selin Aydemir." in html
