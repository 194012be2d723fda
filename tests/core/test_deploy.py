"""deploy/nginx.conf as operators use it: nginx serves the pages Küre keeps, and only to readers without a
session, and stops as soon as Küre purges them. Runs the real nginx in front of a live Küre server."""

import gzip
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.web import free_port, render_nginx_conf, start_nginx
from kure.articles import services
from kure.articles.models import Article
from kure.core import security

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def test_the_nginx_headers_are_the_applications():
    """nginx sends kept pages itself, so it must send the same policies Küre would."""
    conf = CONF.read_text()
    pages = re.search(r"location / \{(.*?)\n    \}", conf, re.S).group(1)
    assert re.search(r'add_header Content-Security-Policy "([^"]*)"', pages).group(1) == security.page_policy()
    assert re.search(r'add_header Permissions-Policy "([^"]*)"', pages).group(1) == security.PERMISSIONS_POLICY
    media = re.search(r"location /media/ \{(.*?)\}", conf, re.S).group(1)
    assert re.search(r'add_header Content-Security-Policy "([^"]*)"', media).group(1) == security.UPLOAD_POLICY


def _get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, response.headers, body.decode()


@pytest.fixture
def nginx_front(live_server, settings, tmp_path):
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (Debian package nginx-light): the front cache setup is not tested")
    settings.KURE_PAGE_CACHE = {"BACKEND": "kure.core.pagecache.FileStore",
                                "OPTIONS": {"root": str(tmp_path / "pagecache"), "max_age": 3600}}
    port = free_port()
    app_port = int(live_server.url.rsplit(":", 1)[1])
    try:
        process = start_nginx(tmp_path / "nginx", render_nginx_conf(data_dir=tmp_path, app_port=app_port,
                                                                    front_port=port), ports=[port])
    except RuntimeError as error:
        pytest.fail(str(error))
    url = f"http://127.0.0.1:{port}"
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_nginx_serves_kept_pages_to_anonymous_readers_until_a_change_purges_them(nginx_front, author, editor):
    revision = services.create_article(author=author, title="Van Gölü", body="Van Gölü sodalı bir göldür.",
                                       submit=True)
    services.approve_revision(revision=revision, editor=editor)
    article = Article.objects.get(pk=revision.article_id)
    page = f"{nginx_front}/tr/articles/{article.slug}/"

    status, headers, first = _get(page)
    assert status == 200 and headers["X-Kure-Cache"] == "miss"  # rendered by Küre through nginx, and kept
    status, headers, again = _get(page)
    assert status == 200 and headers["X-Kure-Cache"] == "nginx" and again == first
    assert headers["Content-Security-Policy"] == security.page_policy() and headers["Content-Language"] == "tr"
    # compressed copy for those who ask, straight from the .gz file beside the page
    status, headers, unzipped = _get(page, **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and headers["X-Kure-Cache"] == "nginx" and unzipped == first
    # a session, a one-off message or a query string goes to Küre
    for extra in ({"Cookie": "sessionid=abc"}, {"Cookie": "theme=dark; messages=x"}):
        assert _get(page, **extra)[1]["X-Kure-Cache"] != "nginx", extra
    assert _get(page + "?print=1")[1]["X-Kure-Cache"] != "nginx"
    assert _get(page, Cookie="csrftoken=abc")[1]["X-Kure-Cache"] == "nginx"

    changed = services.save_revision(article=article, author=author, title=article.title,
                                     body="Van Gölü Türkiye'nin en büyük gölüdür.",
                                     base_revision=article.published_revision, submit=True)
    services.approve_revision(revision=changed, editor=editor)
    status, headers, fresh = _get(page)
    assert headers["X-Kure-Cache"] == "miss" and "en büyük gölüdür" in fresh
    assert _get(page)[1]["X-Kure-Cache"] == "nginx"
