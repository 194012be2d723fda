"""Küre's own XSS payloads through every field a person writes, checked in a real browser on every page that
shows it: no dialog, no script ran, no handler or script address in the DOM, and the text still shown as text."""

from urllib.parse import quote

import pytest

from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.articles import services as articles
from kure.articles.models import Article
from kure.core.errors import InvalidInput
from kure.discussions import services as discussions
from kure.reports import services as reports

from .harness import Findings, png, sign_in
from .payloads import PAYLOADS, marker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def published_article(author, editor, *, title="Güvenlik Sınaması", body="Sınama metni.\n"):
    revision = articles.create_article(author=author, title=title, body=body, submit=True)
    articles.approve_revision(revision=revision, editor=editor)
    return Article.objects.get(pk=revision.article_id)


def _accepted(findings: Findings, what: str, make):
    """Run a service call; a refusal (``InvalidInput``) is a safe outcome, noted rather than failed."""
    try:
        return make()
    except InvalidInput as exc:
        findings.refused.append(f"{what}: {exc}")
        return None


def test_article_fields_on_article_history_diff_tag_and_desk(live_server, new_page, people):
    author, editor = people
    findings = Findings()
    pages = []  # (url, markers, signed in as editor)
    for p in PAYLOADS:
        tag = p.text("g")
        tags = [tag] if len(tag) <= 80 else [marker(p.n, "g")]
        revision = articles.create_article(
            author=author, title=p.text("t"), body=f"Giriş.\n\n{p.text('b')}\n", tags=tags,
            lead_image=png(), lead_image_caption=p.text("c"), lead_image_credit=p.text("r"),
            edit_summary=p.text("e"), submit=True)
        article = revision.article
        articles.approve_revision(revision=revision, editor=editor)
        articles.set_summary(article=article, editor=editor, text=p.text("s"))
        # A second revision stays submitted, so the desk lists it and the diff has two sides.
        articles.save_revision(article=article, author=author, title=p.text("t"),
                               body=f"Giriş.\n\n{p.text('b')}\n\n{p.text('d')}\n", base_revision=revision,
                               edit_summary=p.text("f"), submit=True)
        slug, tag_slug = article.slug, article.tags.get().slug
        m = {field: marker(p.n, field) for field in "tbgcrsdef"}
        pages += [
            (f"/tr/articles/{slug}/", [m["t"], m["b"], m["g"], m["c"], m["r"], m["s"]], False),
            (f"/tr/articles/{slug}/history/", [m["t"], m["e"]], False),
            (f"/tr/articles/{slug}/history/", [m["t"], m["e"], m["f"]], True),
            (f"/tr/articles/{slug}/diff/?from=1&to=2", [m["t"], m["b"], m["d"]], True),
            (f"/tr/articles/{slug}/revisions/2/", [m["t"], m["b"], m["d"]], True),
            (f"/tr/tags/{tag_slug}/", [m["g"], m["t"]], False),
        ]
    titles = [marker(p.n, "t") for p in PAYLOADS]
    pages += [("/tr/desk/reviews/", titles, True), ("/tr/desk/", [], True), ("/tr/", [], False)]

    reader, desk = new_page(), new_page()
    sign_in(desk, live_server.url, editor)
    for url, markers, as_editor in pages:
        findings.check(desk if as_editor else reader, live_server.url + url, markers,
                       where="editor" if as_editor else "reader")
    findings.assert_clean()


def test_profile_affiliation_and_bio(live_server, new_page, people):
    findings = Findings()
    reader = new_page()
    for p in PAYLOADS:
        create_person(username=f"kisi{p.n}", full_name="Deniz Yılmaz", email="", password=None,
                      roles=(Role.AUTHOR,), affiliation=p.text("a"), bio=p.text("o"))
        findings.check(reader, f"{live_server.url}/tr/people/kisi{p.n}/", [marker(p.n, "a"), marker(p.n, "o")])
    findings.assert_clean()


def test_discussion_titles_posts_and_replies(live_server, new_page, people):
    author, editor = people
    article = published_article(author, editor)
    findings = Findings()
    threads = []
    for p in PAYLOADS:
        thread = discussions.start_thread(article=article, author=author, title=p.text("h"), body=p.text("p"))
        discussions.reply(thread=thread, author=editor, body=p.text("y"))
        threads.append((p, thread))
    base = f"{live_server.url}/tr/articles/{article.slug}/discussions/"
    reader = new_page()
    findings.check(reader, base, [])
    for p, thread in threads:
        findings.check(reader, f"{base}{thread.pk}/", [marker(p.n, f) for f in "hpy"])
    findings.check(reader, base, [marker(p.n, "h") for p, _ in threads[-10:]], where="newest ten titles")
    findings.assert_clean()


def test_report_description_and_contact_in_queue_and_desk(live_server, new_page, people):
    author, editor = people
    article = published_article(author, editor)
    findings = Findings()
    expected = []
    for p in PAYLOADS:
        reports.report_mistake(article_slug=article.slug, language="tr", section="", kind="other",
                               description=p.text("w"))
        expected.append(marker(p.n, "w"))
        # A quoted local part takes almost anything and is still a valid address.
        squeezed = "".join(p.template.format(m="", n=p.n).replace('"', "").replace("\\", "").split())
        contact = f'"{marker(p.n, "k")}{squeezed[:90]}"@example.org'
        if _accepted(findings, f"contact {p.n}", lambda contact=contact: reports.report_mistake(
                article_slug=article.slug, language="tr", section="", kind="other", description="Yanlış.",
                contact=contact)):
            expected.append(marker(p.n, "k"))
    editor_page = new_page()
    sign_in(editor_page, live_server.url, editor)
    findings.check(editor_page, f"{live_server.url}/tr/reports/", expected)
    findings.check(editor_page, f"{live_server.url}/tr/desk/", [])
    assert len(expected) > 1.5 * len(PAYLOADS), findings.refused  # most contacts were taken, so they were shown
    findings.assert_clean()


def test_search_and_ask_queries_in_the_address(live_server, new_page, people):
    author, editor = people
    published_article(author, editor, body="Sınama metni: zq aranır ve sorulur.\n")
    findings = Findings()
    reader = new_page()
    for p in PAYLOADS:
        for path, field in (("search", "q"), ("ask", "u")):
            query = quote(p.text(field), safe="")
            findings.check(reader, f"{live_server.url}/tr/{path}/?q={query}", [marker(p.n, field)],
                           allow_status=(200, 400))
    findings.check(reader, f"{live_server.url}/tr/search/suggest/?q={quote(PAYLOADS[0].text('v'))}", [])
    findings.assert_clean()
