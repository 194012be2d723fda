"""CSRF: every POST form of the demo site, as every role sees it, carries the token; every POST endpoint refuses a
request without it (403, the explanation page, no stack trace) and accepts the same request with it; the API,
exempt because it only trusts bearer tokens, does not act on a session cookie alone."""

import json
import re
from collections import Counter, deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from kure.articles import services as articles
from kure.articles.models import ReviewState

from .demo_site import ROLES, TOKEN_INPUT, DemoSite, demo_site, post_forms  # noqa: F401 (fixture)
from .test_permissions import MATRIX, admin_rows

pytestmark = pytest.mark.django_db

# The explanation, in the interface language of the address (Turkish by default, English under /en/).
CSRF_PAGE = {"tr": "Formun süresi dolmuş ya da form başka bir siteden gönderilmiş",
             "en": "The form had expired or came from another site."}
NOT_CRAWLED = ("/static/", "/media/", "/feeds/", "/api/", "/sitemap.xml", "/robots.txt", "/accounts/logout/")
PAGES_PER_VIEW = 2  # two addresses of each view (two articles, two threads, …) are enough to see its forms
HREF = r"""\bhref=["']([^"'#]*)"""
ACTION = r"""\baction=["']([^"']*)"""


def _view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


def crawl(site: DemoSite, role: str) -> tuple[int, list[str], dict[str, str]]:
    """Visit the site as ``role`` from its front pages and every page the matrix lets it see.

    Returns (pages visited, problems, {form action: the page it was found on}).
    """
    client = site.client(role, enforce_csrf_checks=True)
    seeds = ["/tr/", "/en/", "/accounts/login/", "/accounts/signup/"]
    seeds += [site.fill(row.url) for row in MATRIX + admin_rows()
              if not row.api and row.outcomes("GET")[role] == "ok"]
    queue, seen, per_view = deque(seeds), set(), Counter()
    problems, actions, pages = [], {}, 0
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith(NOT_CRAWLED):
            continue
        seen.add(url)
        name = _view_name(urlsplit(url).path)
        if name is None or per_view[name] >= PAGES_PER_VIEW:
            continue
        per_view[name] += 1
        response = client.get(url)
        pages += 1
        if response.status_code >= 500:
            problems.append(f"{role} {url}: {response.status_code}")
            continue
        if not response.get("Content-Type", "").startswith("text/html") or response.status_code != 200:
            continue
        html = response.content.decode()
        for form in post_forms(html):
            head = form.split(">", 1)[0]
            action = urljoin(url, unescape(m.group(1))) if (m := re.search(ACTION, head)) else url
            if not TOKEN_INPUT.search(form):
                problems.append(f"{role} {url}: a POST form to {action} has no csrfmiddlewaretoken")
            actions.setdefault(urlsplit(action).path + (f"?{urlsplit(action).query}" if urlsplit(action).query
                                                       else ""), url)
        for href in re.findall(HREF, html):
            link = urljoin(url, unescape(href))
            if link.startswith("/") and not link.startswith("//"):
                queue.append(link)
    return pages, problems, actions


def _token(client) -> str:
    client.get("/accounts/login/")  # a page with a form: it sets the CSRF cookie
    return client.cookies["csrftoken"].value


def _post(client, url: str, data: dict):
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response


def post_endpoints(site: DemoSite) -> list[tuple[str, str, dict]]:
    """(address, a role allowed to post there, the form's data) for every POST endpoint of the site."""
    found = []
    for row in MATRIX:
        if row.api or set(row.outcomes("POST").values()) == {"-"}:
            continue
        outcomes = row.outcomes("POST")
        role = next((r for r in ROLES if outcomes[r] in {"ok", "400", "409"}), "anonymous")
        found.append((site.fill(row.url), role, {k: site.fill(v) for k, v in row.data.items()}))
    return found


def test_every_post_form_has_the_token_and_no_post_is_done_without_it(demo_site):  # noqa: F811
    problems, forms_by_role, total = [], {}, 0
    for role in ROLES:
        pages, found, actions = crawl(demo_site, role)
        total += pages
        problems += found
        forms_by_role[role] = actions
    assert not problems, "\n".join(problems)
    # The crawl really met the forms: sign-in for everyone, sign-out and the editors' forms for who has them.
    assert "/accounts/login/" in forms_by_role["anonymous"]
    assert "/accounts/logout/" in forms_by_role["reader"]
    assert any(a.endswith("/review/") for a in forms_by_role["editor"]), sorted(forms_by_role["editor"])
    assert any("/discussions/" in a and a.endswith("/reply/") for a in forms_by_role["reader"])
    assert total > 150

    endpoints = post_endpoints(demo_site)
    # Forms the crawl met whose address the matrix does not name (a query string, another article) too.
    for role, actions in forms_by_role.items():
        for action in actions:
            if not any(action == url for url, _, _ in endpoints):
                endpoints.append((action, role, {}))
    problems = []
    for url, role, data in endpoints:
        client = demo_site.client(role, enforce_csrf_checks=True)
        token = _token(client)
        refused = _post(client, url, data)
        body = refused.content.decode(errors="replace")
        explanation = CSRF_PAGE["en" if url.startswith("/en/") else "tr"]
        if refused.status_code != 403 or explanation not in body or "Traceback" in body:
            problems.append(f"{url} as {role} without a token: {refused.status_code}")
        # With the token the request gets past the check: whatever it answers then (done, a form error, or a
        # refusal on other grounds, such as a read-only page of the admin), it is not the CSRF page.
        accepted = _post(client, url, {**data, "csrfmiddlewaretoken": token})
        if accepted.status_code >= 500 or explanation in accepted.content.decode(errors="replace"):
            problems.append(f"{url} as {role} with the token: {accepted.status_code}")
    assert not problems, "\n".join(problems)
    assert len(endpoints) >= 25


def test_the_api_does_not_act_on_a_session_cookie(people):
    """The API is exempt from CSRF because a browser's cookie is not a credential there: a signed-in editor's
    session, sent without a bearer token, cannot write."""
    author, editor = people
    revision = articles.create_article(author=author, title="Bekleyen Madde", body="Metin.\n", submit=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post("/api/v1/articles", json.dumps({"title": "Sahte", "body": "Metin."}),
                           content_type="application/json")
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    approve = f"/api/v1/articles/{revision.article.slug}/revisions/{revision.number}/approve"
    assert client.post(approve).status_code == 401
    revision.refresh_from_db()
    assert revision.state == ReviewState.SUBMITTED
