"""Content-Security-Policy, Permissions-Policy and Cross-Origin-Opener-Policy on our answers, and a real browser
that reports no violation of the policy on the pages with the most moving parts: article, editor, Ask."""

import pytest

from kure.articles import services as articles
from kure.articles.models import Article
from kure.core.security import OTHER_POLICY, PERMISSIONS_POLICY, UPLOAD_POLICY, page_policy

from .harness import png, sign_in

EXPECTED_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-hashes' 'sha256-De7agAeYqm6ANIVvRRW6HFWi52AJW8inhFE0gSdgXnI=' "
    "'sha256-kFAIUwypIt04FgLyVU63Lcmp2AQimPh/TdYjy04Flxs=' 'sha256-XzJlZKVo+ff9ozww9Sr2p/2TbJXITZuaWMZ9p53zN1U='; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# A table with all three alignments: the renderer writes them as style attributes, the one thing the policy
# lets through by hash.
BODY = """Türk kahvesi cezvede pişirilir ve köpüğüyle sunulur.

## Hazırlanışı

İnce çekilmiş kahve soğuk suyla cezveye konur ve kısık ateşte pişirilir.

| Sol | Orta | Sağ |
|:----|:----:|----:|
| 1   | 2    | 3   |
"""

# Collects every violation the page reports, from the first byte on.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  e => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sample || ""})`));
"""


def test_page_policy_is_the_documented_one():
    assert page_policy() == EXPECTED_PAGE_POLICY


@pytest.mark.django_db
def test_every_answer_carries_the_headers(client):
    page = client.get("/tr/")
    assert page["Content-Security-Policy"] == EXPECTED_PAGE_POLICY
    assert page["Permissions-Policy"] == PERMISSIONS_POLICY and "camera=()" in PERMISSIONS_POLICY
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
    missing = client.get("/tr/articles/yok-boyle-bir-madde/")
    assert missing.status_code == 404 and missing["Content-Security-Policy"] == EXPECTED_PAGE_POLICY
    # Not a page: nothing may load, and no one may frame it.
    for url in ("/api/v1/articles", "/robots.txt", "/feeds/tr/atom.xml", "/tr/search/suggest/?q=a"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == OTHER_POLICY, url


@pytest.mark.django_db
def test_uploaded_media_are_served_sandboxed(client, served_media):
    served_media.mkdir(parents=True, exist_ok=True)
    (served_media / "x.png").write_bytes(png().read())
    response = client.get("/media/x.png")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == UPLOAD_POLICY == "default-src 'none'; frame-ancestors 'none'; sandbox"


@pytest.mark.django_db
def test_a_not_modified_answer_leaves_the_pages_policy_alone(client):
    """A 304 has no Content-Type, and the browser merges its headers into the page it kept: sending the policy
    for "not a page" there sandboxed every page a reader came back to (found by the XSS suite hanging)."""
    first = client.get("/tr/")
    assert first["ETag"] and first["Content-Security-Policy"] == EXPECTED_PAGE_POLICY
    again = client.get("/tr/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert "Content-Security-Policy" not in again


@pytest.mark.django_db
def test_an_operator_may_replace_the_page_policy(client, settings):
    settings.KURE_CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' https://media.example.org"
    assert client.get("/tr/")["Content-Security-Policy"] == settings.KURE_CONTENT_SECURITY_POLICY


def _violations(page) -> list[str]:
    page.evaluate("() => new Promise(r => setTimeout(r, 100))")  # violation events are queued as tasks
    return page.evaluate("() => window.__csp")


def _watched_page(new_page):
    page = new_page()
    page.add_init_script(LISTEN)
    page.console_errors = []
    # The browser's own request for /favicon.ico (the site has none) is not the page's doing.
    page.on("console", lambda m: m.type == "error" and "/favicon.ico" not in m.location.get("url", "")
            and page.console_errors.append(f"{m.text} at {m.location.get('url')}"))
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_policy_violation_on_article_editor_and_ask(live_server, new_page, people, settings, artifacts,
                                                      served_media):
    settings.KURE_EMBEDDINGS = None  # Ask by words alone: what is tested here is the page, not the ranking
    author, editor = people
    revision = articles.create_article(author=author, title="Türk Kahvesi", body=BODY, submit=True,
                                       lead_image=png("kapak.png"), lead_image_caption="Bir fincan kahve",
                                       tags=["Kahve"])
    articles.approve_revision(revision=revision, editor=editor)
    slug = Article.objects.get(pk=revision.article_id).slug
    base = live_server.url

    reader = _watched_page(new_page)
    response = reader.goto(f"{base}/tr/articles/{slug}/")
    assert response.headers["content-security-policy"] == EXPECTED_PAGE_POLICY
    reader.goto(f"{base}/tr/")
    reader.goto(f"{base}/tr/articles/{slug}/")  # back again: revalidated with a 304, still a normal page
    assert reader.evaluate("() => window.origin") == base
    assert reader.locator(".article-body td").nth(2).evaluate("td => getComputedStyle(td).textAlign") == "right"
    assert reader.locator("script[type='application/ld+json']").count() == 1
    assert reader.locator("img").first.evaluate("i => i.complete && i.naturalWidth > 0")
    assert _violations(reader) == [] and reader.console_errors == []

    reader.goto(f"{base}/tr/ask/?q=" + "Türk kahvesi nasıl pişirilir?")
    assert "Türk kahvesi" in reader.locator(".answer-text").inner_text()
    reader.locator("#header-q").press_sequentially("türk", delay=30)  # autocomplete: search.js fetches
    reader.locator("#header-suggestions [role=option]").first.wait_for()
    assert _violations(reader) == [] and reader.console_errors == []

    writer = _watched_page(new_page)
    sign_in(writer, base, author)
    writer.goto(f"{base}/tr/articles/{slug}/edit/")
    body = writer.locator("textarea[name=body]")
    body.fill(BODY + "\n| a | b |\n|--:|:-:|\n| x | y |\n")
    with writer.expect_response(lambda r: r.url.endswith("/preview/")):
        body.press("End")
    added = writer.locator("#live-preview table").nth(1).locator("td").first
    added.wait_for()
    assert added.evaluate("td => getComputedStyle(td).textAlign") == "right"
    # The editor's script uploads an image and inserts its Markdown without leaving the page.
    writer.locator("input[name=insert_image]").set_input_files(
        files=[{"name": "resim.png", "mimeType": "image/png", "buffer": png().read()}])
    with writer.expect_response(lambda r: r.url.endswith("/upload-image/")):
        writer.locator("#upload-button").click()
    writer.wait_for_function("() => document.querySelector('textarea[name=body]').value.includes('/media/')")
    writer.locator("#live-preview img").first.wait_for()
    writer.screenshot(path=str(artifacts / "csp-editor.png"), full_page=True)
    assert _violations(writer) == [] and writer.console_errors == []

    # The listener is not deaf: an inline style and an inline script put in by hand are both reported and refused.
    writer.evaluate("""() => {
        document.body.setAttribute("style", "background: red");
        const s = document.createElement("script"); s.textContent = "window.__ran = 1"; document.body.append(s);
    }""")
    reported = _violations(writer)
    assert any(v.startswith("style-src") for v in reported), reported
    assert any(v.startswith("script-src") for v in reported), reported
    assert writer.evaluate("() => window.__ran") is None
