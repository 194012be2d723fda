"""The report form, the section links in article bodies, the editors' queue of reports and its permissions."""

import re

import pytest

from kure.reports import services
from kure.reports.models import ErrorReport, ReportKind, ReportStatus

pytestmark = pytest.mark.django_db


def _post(client, article, **fields):
    data = {"article": article.slug, "section": "katilimcilar", "kind": "fact",
            "description": "32 değil, 31 müttefik katıldı.", "contact": "", "website": "", **fields}
    return client.post("/tr/reports/new/", data)


def test_a_report_link_follows_each_section_heading_and_one_covers_the_whole_article(client, publish):
    article = publish(body="Giriş.\n\n## Tarih\n\nMetin.\n\n### Erken dönem\n\nDaha.\n\n##### Derin\n\nSon.")
    html = client.get(f"/tr/articles/{article.slug}/").content.decode()
    for anchor, heading, level in [("tarih", "Tarih", 2), ("erken-donem", "Erken dönem", 3)]:
        assert (f'<h{level} id="{anchor}">{heading}</h{level}><p class="report-mistake noprint"><a rel="nofollow" '
                f'href="/tr/reports/new/?article={article.slug}&amp;section={anchor}">Hata bildir</a></p>') in html
    assert "section=derin" not in html  # h5 and below have none
    assert f'href="/tr/reports/new/?article={article.slug}">Bu maddede bir hata bildir</a>' in html
    assert html.count('class="report-mistake') == 3


def test_the_links_on_a_translated_page_use_its_own_anchors(client, publish, openai_server):
    article = publish()
    html = client.get(f"/en/articles/{article.slug}/").content.decode()
    assert (f'<h2 id="participants">Participants</h2><p class="report-mistake noprint"><a rel="nofollow" '
            f'href="/en/reports/new/?article={article.slug}&amp;section=participants">Report a mistake</a>') in html


def test_the_form_names_the_section_and_has_a_honeypot(client, publish):
    article = publish()
    response = client.get("/tr/reports/new/", {"article": article.slug, "section": "katilimcilar"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Katılımcılar" in html and 'name="website"' in html
    assert 'value="translation"' not in html  # the original page offers no "translation is wrong"
    assert '<input type="radio" name="kind" value="fact" checked>' in html


def test_on_a_translated_page_the_form_offers_translation_first(client, publish, openai_server):
    article = publish()
    html = client.get("/en/reports/new/", {"article": article.slug, "section": "participants"}).content.decode()
    assert '<input type="radio" name="kind" value="translation" checked>' in html and "Participants" in html


@pytest.mark.parametrize("query", [{"article": "yok"}, {"article": "SLUG", "section": "yok"}, {}])
def test_unknown_article_or_section_is_a_404(client, publish, query):
    article = publish()
    query = {k: v.replace("SLUG", article.slug) for k, v in query.items()}
    assert client.get("/tr/reports/new/", query).status_code == 404
    assert client.post("/tr/reports/new/", {**query, "kind": "fact", "description": "x"}).status_code == 404
    assert ErrorReport.objects.count() == 0


def test_a_report_is_saved_and_thanked_for(client, publish):
    article = publish()
    response = _post(client, article, contact="okur@example.org")
    assert response.status_code == 302 and response["Location"] == f"/tr/reports/thanks/?article={article.slug}"
    report = ErrorReport.objects.get()
    assert (report.section_anchor, report.contact, report.kind) == ("katilimcilar", "okur@example.org", "fact")
    thanks = client.get(response["Location"]).content.decode()
    assert "Teşekkürler" in thanks and f'href="/tr/articles/{article.slug}/"' in thanks
    assert "okur@example.org" not in client.get(f"/tr/articles/{article.slug}/").content.decode()


def test_a_translation_report_from_the_form_flags_the_segments(client, publish, openai_server, editor):
    article = publish()
    response = client.post("/en/reports/new/", {"article": article.slug, "section": "participants",
                                                "kind": "translation", "description": "Word order is odd."})
    assert response.status_code == 302
    report = ErrorReport.objects.get()
    assert report.flagged_segments
    client.force_login(editor)
    post_editor = client.get(f"/en/articles/{article.slug}/translate/").content.decode()
    assert "Reported by a reader (report" in post_editor and "Word order is odd." in post_editor


def test_the_honeypot_thanks_but_saves_nothing(client, publish):
    response = _post(client, publish(), website="http://spam.example")
    assert response.status_code == 302 and "/reports/thanks/" in response["Location"]
    assert ErrorReport.objects.count() == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"description": ""}, "Hatayı anlatın: açıklama boş."),
    ({"description": "çok " * 1300}, "Açıklama çok uzun: en çok 5.000 karakter olabilir."),
    ({"contact": "okur-at-example"}, "İletişim adresi geçerli bir e-posta adresi değil"),
])
def test_bad_input_is_explained_and_what_was_typed_stays(client, publish, fields, message):
    article = publish()
    fields = {"description": "Bir yanlış var.", "contact": "okur-at-example" if "contact" in fields else "",
              **fields}
    response = _post(client, article, kind="other", **fields)
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert f">{fields['description']}</textarea>" in html
    assert f'value="{fields["contact"]}"' in html
    assert '<input type="radio" name="kind" value="other" checked>' in html
    assert ErrorReport.objects.count() == 0


def test_the_rate_limit_keeps_the_text(client, publish, settings):
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, "report": (2, 3600)}
    article = publish()
    assert _post(client, article).status_code == 302
    assert _post(client, article).status_code == 302
    response = _post(client, article, description="Üçüncü bildirim: tarih yanlış.", contact="okur@example.org")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Çok fazla istek geldi." in html
    assert ">Üçüncü bildirim: tarih yanlış.</textarea>" in html and 'value="okur@example.org"' in html
    assert ErrorReport.objects.count() == 2


def _report(article):
    return services.report_mistake(article_slug=article.slug, language="tr", section="katilimcilar",
                                   kind=ReportKind.FACT, description="Tarih yanlış.", contact="okur@example.org")


def test_the_queue_is_for_editors_only(client, publish, reader, author, editor):
    report = _report(publish())
    response = client.get("/tr/reports/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    for person in (reader, author):
        client.force_login(person)
        assert client.get("/tr/reports/").status_code == 403
    client.force_login(editor)
    html = client.get("/tr/reports/").content.decode()
    assert f'id="report-{report.pk}"' in html and "Tarih yanlış." in html and "okur@example.org" in html
    assert f'action="/tr/reports/{report.pk}/decide/"' in html


def test_readers_and_authors_cannot_decide(client, publish, reader, author):
    report = _report(publish())
    url = f"/tr/reports/{report.pk}/decide/"
    assert client.post(url, {"action": "resolve"}).status_code == 302  # to sign in
    for person in (reader, author):
        client.force_login(person)
        assert client.post(url, {"action": "resolve", "note": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_editors_resolve_and_dismiss_from_the_queue(client, publish, editor):
    article = publish()
    first, second = _report(article), _report(article)
    client.force_login(editor)
    assert client.get(f"/tr/reports/{first.pk}/decide/").status_code == 405
    response = client.post(f"/tr/reports/{first.pk}/decide/", {"action": "resolve", "note": "Düzeltildi."})
    assert response.status_code == 302 and response["Location"] == "/tr/reports/"
    response = client.post(f"/tr/reports/{second.pk}/decide/", {"action": "dismiss", "note": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "Bildirimin neden reddedildiğini yazın" in html
    response = client.post(f"/tr/reports/{second.pk}/decide/", {"action": "dismiss", "note": "Kaynak doğru."})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ReportStatus.RESOLVED, ReportStatus.DISMISSED)
    assert client.post("/tr/reports/999999/decide/", {"action": "resolve"}).status_code == 404
    assert client.post(f"/tr/reports/{first.pk}/decide/", {"action": "resolve"}).status_code == 409
    closed = client.get("/tr/reports/?status=all").content.decode()
    assert "Kaynak doğru." in closed and "Düzeltildi." in closed
    assert client.get("/tr/reports/?status=nonsense").status_code == 400
    assert re.search(r"Burada bildirim yok", client.get("/tr/reports/").content.decode())
