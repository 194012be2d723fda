"""The editors' desk: who may open it, and that it lists one item of every kind of work that waits."""

import pytest

from kure.articles import services as article_services
from kure.ask import services as ask_services
from kure.reports import services
from kure.reports.models import ReportKind

pytestmark = pytest.mark.django_db


def test_the_desk_is_for_editors_only(client, reader, author, editor):
    response = client.get("/tr/desk/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    for person in (reader, author):
        client.force_login(person)
        assert client.get("/tr/desk/").status_code == 403
        assert 'href="/tr/desk/"' not in client.get("/tr/").content.decode()
    client.force_login(editor)
    response = client.get("/tr/desk/")
    assert response.status_code == 200
    assert 'href="/tr/desk/"' in response.content.decode()  # the header link
    assert client.get("/tr/desk/reviews/").status_code == 200  # the existing routes stay
    assert client.get("/tr/desk/?show=nonsense").status_code == 404


def _section(html: str, key: str) -> str:
    start = html.index(f'id="desk-{key}"')
    return html[start:html.index("</section>", start)]


def test_the_desk_lists_one_item_of_each_kind(client, publish, openai_server, author, reader, editor):
    from kure.discussions import services as discussion_services

    article = publish()
    # a submission waiting for review
    draft = article_services.create_article(author=author, title="İncelenecek Madde", body="Metin.", submit=True)
    # a reported mistake, and a translation a reader flagged
    services.report_mistake(article_slug=article.slug, language="tr", section="katilimcilar",
                            kind=ReportKind.FACT, description="Tarih yanlış.")
    services.report_mistake(article_slug=article.slug, language="en", section="participants",
                            kind=ReportKind.TRANSLATION, description="Odd word order.")
    # a reported post
    thread = discussion_services.start_thread(article=article, author=author, title="Katılımcı sayısı",
                                              body="Sayı doğru mu?")
    discussion_services.report_post(post=thread.posts.get(), reporter=reader, reason="Konu dışı.")
    # the original moves on; the job that would update the translation is not run, so it is stale
    revision = article_services.save_revision(article=article, author=author, title=article.title,
                                              body=article.published_revision.body + "\nYeni cümle.",
                                              base_revision=article.head_revision, submit=True)
    article_services.approve_revision(revision=revision, editor=editor)
    # a question Ask could not answer
    assert not ask_services.ask(question="Zürafaların boyu kaç metredir?", language="tr").found

    client.force_login(editor)
    html = client.get("/tr/desk/").content.decode()
    reviews = _section(html, "reviews")
    assert '<span class="desk-count">1</span>' in reviews and "İncelenecek Madde" in reviews
    assert f"/tr/articles/{draft.article.slug}/revisions/1/review/" in reviews and 'href="/tr/desk/reviews/"' in reviews
    reports = _section(html, "reports")
    assert '<span class="desk-count">2</span>' in reports and "Katılımcılar" in reports
    assert 'href="/tr/reports/"' in reports
    posts = _section(html, "posts")
    assert '<span class="desk-count">1</span>' in posts and "Katılımcı sayısı" in posts and "Konu dışı." in posts
    flagged = _section(html, "flagged_translations")
    assert '<span class="desk-count">1</span>' in flagged
    assert f'href="/en/articles/{article.slug}/translate/"' in flagged
    stale = _section(html, "stale_translations")
    assert '<span class="desk-count">1</span>' in stale and f'href="/en/articles/{article.slug}/"' in stale
    questions = _section(html, "questions")
    assert '<span class="desk-count">1</span>' in questions and "Zürafaların boyu kaç metredir?" in questions
    assert 'href="/tr/desk/questions/?unanswered=1"' in questions

    full = client.get("/tr/desk/?show=stale_translations").content.decode()
    assert 'id="desk-stale_translations"' in full and 'id="desk-reviews"' not in full


def test_an_empty_desk_says_nothing_waits(client, editor):
    client.force_login(editor)
    html = client.get("/en/desk/").content.decode()
    assert html.count("Nothing waits here.") == 6
