"""The page cache: what is kept, how it is served without Django, and what each kind of change purges.

Pages are filled through Django's test client (the middleware) and read back through ``PageCacheApp``, the WSGI
layer a real server runs, with an inner application that fails the test if Django is entered.
"""

import gzip
import io
from email.utils import formatdate

import pytest
import redis
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler

from kure.accounts.services import update_profile
from kure.articles import services
from kure.articles.models import Article
from kure.core import pagecache
from kure.discussions import services as discussions

pytestmark = pytest.mark.django_db
HOST = "127.0.0.1"
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")


@pytest.fixture(params=["file", "cache", "redis"])
def page_cache(request, settings, tmp_path):
    """The page cache turned on, with each store in turn."""
    if request.param == "file":
        settings.KURE_PAGE_CACHE = {"BACKEND": "kure.core.pagecache.FileStore",
                                    "OPTIONS": {"root": str(tmp_path / "pages"), "max_age": 3600}}
    elif request.param == "cache":
        settings.KURE_PAGE_CACHE = {"BACKEND": "kure.core.pagecache.CacheStore", "OPTIONS": {"max_age": 3600}}
        caches["default"].clear()
    else:
        _redis_or_skip()
        settings.CACHES = {**settings.CACHES, "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
        settings.KURE_PAGE_CACHE = {"BACKEND": "kure.core.pagecache.CacheStore",
                                    "OPTIONS": {"alias": "pages", "max_age": 3600}}
        caches["pages"].clear()
    return pagecache.store()


def _django_must_not_run(environ, start_response):
    raise AssertionError(f"Django was entered for {environ['PATH_INFO']}")


def wsgi_get(path: str, *, application=_django_must_not_run, **headers) -> tuple[str, dict, bytes]:
    """One GET through ``PageCacheApp`` as a WSGI server would call it."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "HTTP_HOST": HOST,
               "wsgi.input": io.BytesIO(), "SERVER_NAME": HOST, "SERVER_PORT": "80",
               **{"HTTP_" + name.upper(): value for name, value in headers.items()}}
    answer = {}

    def start_response(status, response_headers):
        answer["status"], answer["headers"] = status, dict(response_headers)

    body = b"".join(pagecache.PageCacheApp(application)(environ, start_response))
    return answer["status"], answer["headers"], body


def _publish(author, editor, title: str, body: str, **kwargs) -> Article:
    revision = services.create_article(author=author, title=title, body=body, submit=True, **kwargs)
    services.approve_revision(revision=revision, editor=editor)
    return Article.objects.get(pk=revision.article_id)


@pytest.fixture
def two_articles(author, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        van = _publish(author, editor, "Van Gölü", "Van Gölü sodalı bir göldür.\n\n## Kıyılar\n\nKıyıda kasabalar var.",
                       tags=["Göller"])
        kahve = _publish(author, editor, "Türk Kahvesi", "Türk kahvesi cezvede pişirilir.")
    return van, kahve


def _url(article: Article, lang: str = "tr") -> str:
    return f"/{lang}/articles/{article.slug}/"


def test_an_anonymous_readers_page_is_kept_and_the_next_one_is_served_without_django(
        client, page_cache, two_articles):
    van, _ = two_articles
    first = client.get(_url(van), HTTP_HOST=HOST)
    assert first.status_code == 200 and first["X-Kure-Cache"] == "miss"
    status, headers, body = wsgi_get(_url(van))
    assert status == "200 OK" and headers["X-Kure-Cache"] == "hit"
    assert body == first.content and "Van Gölü sodalı bir göldür." in body.decode()
    assert headers["Content-Language"] == "tr" and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Vary"] == "Cookie, Accept-Encoding"
    # the security headers go out again as Django sent them the first time
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "X-Content-Type-Options",
                 "Referrer-Policy", "Cross-Origin-Opener-Policy"):
        assert headers[name] == first[name], name


def test_a_page_compressed_for_its_first_reader_is_kept_whole(client, page_cache, two_articles):
    van, _ = two_articles
    first = client.get(_url(van), HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip" and first["X-Kure-Cache"] == "miss"
    assert wsgi_get(_url(van))[2] == gzip.decompress(first.content)


def test_conditional_requests_get_304_and_gzip_is_served_to_who_accepts_it(client, page_cache, two_articles):
    van, _ = two_articles
    client.get(_url(van), HTTP_HOST=HOST)
    _, headers, body = wsgi_get(_url(van))
    status, again, empty = wsgi_get(_url(van), if_none_match=headers["ETag"])
    assert status == "304 Not Modified" and empty == b"" and again["ETag"] == headers["ETag"]
    assert wsgi_get(_url(van), if_none_match='"something-else"')[0] == "200 OK"
    assert wsgi_get(_url(van), if_modified_since=headers["Last-Modified"])[0] == "304 Not Modified"
    assert wsgi_get(_url(van), if_modified_since=formatdate(0, usegmt=True))[0] == "200 OK"
    assert wsgi_get(_url(van), if_modified_since="not a date")[0] == "200 OK"
    status, zipped_headers, zipped = wsgi_get(_url(van), accept_encoding="gzip, br")
    assert zipped_headers["Content-Encoding"] == "gzip" and int(zipped_headers["Content-Length"]) == len(zipped)
    assert gzip.decompress(zipped) == body and len(zipped) < len(body) / 2


def test_rendered_pages_have_an_etag_answer_304_and_are_compressed(client, two_articles):
    """With the page cache off, Django's own answers still revalidate and travel compressed. (A signed-in
    person's page differs on every request: its sign-out form carries a fresh CSRF mask.)"""
    van, _ = two_articles
    page = client.get(_url(van), HTTP_HOST=HOST)
    assert page.status_code == 200 and page["ETag"]
    assert client.get(_url(van), HTTP_HOST=HOST, HTTP_IF_NONE_MATCH=page["ETag"]).status_code == 304
    zipped = client.get(_url(van), HTTP_HOST=HOST, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip" and b"Van G" in gzip.decompress(zipped.content)


def test_personal_pages_queries_forms_and_messages_are_never_kept(client, page_cache, author, two_articles):
    van, _ = two_articles
    # a query string: search, or anything else
    client.get("/tr/search/?q=van", HTTP_HOST=HOST)
    client.get(_url(van) + "?utm=1", HTTP_HOST=HOST)
    assert page_cache.get((HOST, "/tr/search/")) is None and page_cache.get((HOST, _url(van))) is None
    # a form with a CSRF token (the mistake report form)
    report = client.get(f"/tr/reports/new/?article={van.slug}", HTTP_HOST=HOST)
    assert b"csrfmiddlewaretoken" in report.content and page_cache.get((HOST, "/tr/reports/new/")) is None
    # a signed-in person's page, and an anonymous reader carrying a one-off message
    client.force_login(author)
    assert client.get(_url(van), HTTP_HOST=HOST).status_code == 200
    assert page_cache.get((HOST, _url(van))) is None
    client.logout()
    client.get(_url(van), HTTP_HOST=HOST)
    assert page_cache.get((HOST, _url(van))) is not None
    inner_calls = []

    def django(environ, start_response):
        inner_calls.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"rendered"]

    for cookie in ("sessionid=abc", "messages=xyz; csrftoken=1"):
        assert wsgi_get(_url(van), application=django, cookie=cookie)[2] == b"rendered"
    assert wsgi_get(_url(van), application=django, cookie="csrftoken=1")[1]["X-Kure-Cache"] == "hit"
    assert inner_calls == [_url(van), _url(van)]


def test_odd_hosts_and_paths_are_not_kept():
    assert pagecache.cache_key("127.0.0.1:8000", "/tr/articles/van-golu/") == ("127.0.0.1:8000",
                                                                              "/tr/articles/van-golu/")
    assert pagecache.cache_key("Example.ORG", "/en/") == ("example.org", "/en/")
    for host, path in [("evil/..", "/tr/"), ("a b", "/tr/"), ("host", "/tr/../../etc/"), ("host", "/tr/a//b/"),
                       ("host", "/xx/articles/a/"), ("host", "/tr/articles/a"), ("host", "/static/kure.css/"),
                       ("host", "/tr/articles/ğ/")]:
        assert pagecache.cache_key(host, path) is None, (host, path)


def test_publishing_purges_that_article_in_every_language_and_the_listings(
        client, page_cache, author, editor, two_articles, django_capture_on_commit_callbacks):
    van, kahve = two_articles
    for path in (_url(van), _url(kahve), "/tr/", "/en/", "/tr/tags/goller/", "/tr/categories/"):
        client.get(path, HTTP_HOST=HOST)
    kept = {path for path in (_url(van), _url(kahve), "/tr/", "/en/", "/tr/tags/goller/", "/tr/categories/")
            if page_cache.get((HOST, path))}
    assert kept == {_url(van), _url(kahve), "/tr/", "/en/", "/tr/tags/goller/", "/tr/categories/"}

    with django_capture_on_commit_callbacks(execute=True):
        revision = services.save_revision(article=van, author=author, title=van.title,
                                          body="Van Gölü Türkiye'nin en büyük gölüdür.",
                                          base_revision=van.published_revision, submit=True)
    # a revision waiting for review changes only what editors see … and the history page of the article
    assert page_cache.get((HOST, _url(kahve))) is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_revision(revision=revision, editor=editor)
    assert page_cache.get((HOST, _url(van))) is None
    assert page_cache.get((HOST, "/tr/")) is None and page_cache.get((HOST, "/tr/tags/goller/")) is None
    assert page_cache.get((HOST, _url(kahve))) is not None
    assert "en büyük gölüdür" in client.get(_url(van), HTTP_HOST=HOST).content.decode()


def test_a_rolled_back_change_purges_nothing(client, page_cache, author, two_articles):
    from django.db import transaction

    van, _ = two_articles
    client.get(_url(van), HTTP_HOST=HOST)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            van.title = "Yanlış"
            van.save()
            raise RuntimeError("the edit fails")
    assert page_cache.get((HOST, _url(van))) is not None


def test_a_discussion_post_purges_its_article_page(
        client, page_cache, author, two_articles, django_capture_on_commit_callbacks):
    van, kahve = two_articles
    client.get(_url(van), HTTP_HOST=HOST)
    client.get(_url(kahve), HTTP_HOST=HOST)
    with django_capture_on_commit_callbacks(execute=True):
        discussions.start_thread(article=van, author=author, title="Sodalı su", body="Sodanın kaynağı ne?")
    assert page_cache.get((HOST, _url(van))) is None and page_cache.get((HOST, _url(kahve))) is not None
    assert "Sodalı su" in client.get(_url(van), HTTP_HOST=HOST).content.decode()


def test_a_persons_new_name_purges_everything_but_signing_in_purges_nothing(
        client, page_cache, author, two_articles, django_capture_on_commit_callbacks):
    van, kahve = two_articles
    client.get(_url(van), HTTP_HOST=HOST)
    client.force_login(author)  # saves last_login
    assert page_cache.get((HOST, _url(van))) is not None
    client.logout()
    client.get(_url(kahve), HTTP_HOST=HOST)
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(person=author, full_name="Ayşe Demir Yılmaz", affiliation="", bio="")
    assert page_cache.get((HOST, _url(van))) is None and page_cache.get((HOST, _url(kahve))) is None
    assert "Ayşe Demir Yılmaz" in client.get(_url(kahve), HTTP_HOST=HOST).content.decode()


def test_a_page_rendered_while_a_purge_happened_is_not_kept(page_cache):
    key = (HOST, "/tr/articles/van-golu/")
    token = page_cache.token(key)
    page_cache.purge(["van-golu"])
    page_cache.put(key, b"<p>old</p>", token=token)
    assert page_cache.get(key) is None
    page_cache.put(key, b"<p>new</p>", token=page_cache.token(key))
    assert page_cache.get(key).body == b"<p>new</p>"


def test_file_pages_expire_and_prune_removes_them(tmp_path):
    store = pagecache.FileStore(root=tmp_path, max_age=3600)
    key = (HOST, "/tr/articles/van-golu/")
    store.put(key, b"<p>page</p>", token=store.token())
    assert store.get(key).body == b"<p>page</p>" and store.stats()["pages"] == 1
    assert (tmp_path / HOST / "tr/articles/van-golu/index.html.gz").exists()  # what nginx's gzip_static serves
    assert store.get(key).headers(gzipped=False)[0] == ("Content-Type", "text/html; charset=utf-8")
    store.max_age = 0
    import time

    time.sleep(0.01)
    assert store.get(key) is None
    assert store.prune() == 1 and store.stats()["pages"] == 0


def test_the_pagecache_command_reports_prunes_and_clears(settings, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.KURE_PAGE_CACHE = {"BACKEND": "kure.core.pagecache.FileStore",
                                "OPTIONS": {"root": str(tmp_path), "max_age": 3600}}
    store = pagecache.store()
    for slug in ("a", "b"):
        store.put((HOST, f"/tr/articles/{slug}/"), b"<p>x</p>" * 100, token=store.token())
    out = io.StringIO()
    call_command("pagecache", "stats", stdout=out)
    assert out.getvalue().startswith("2 pages kept")
    call_command("pagecache", "prune", stdout=out)
    assert "Deleted 0 pages" in out.getvalue() and store.get((HOST, "/tr/articles/a/")) is not None
    call_command("pagecache", "clear", stdout=out)
    assert store.get((HOST, "/tr/articles/a/")) is None and store.stats()["pages"] == 0
    settings.KURE_PAGE_CACHE = None
    with pytest.raises(CommandError, match="page cache is off"):
        call_command("pagecache", "stats")


def test_pages_written_while_other_processes_purge_are_kept_or_not_but_never_fail(tmp_path):
    """What `make soak` found: a purge renaming an article's folder away while another process writes a page
    into it raised FileNotFoundError, a 500 for the reader."""
    import threading

    store = pagecache.FileStore(root=tmp_path, max_age=3600)
    key = (HOST, "/tr/articles/van-golu/")
    failures, stop = [], threading.Event()

    def writer():
        while not stop.is_set():
            try:
                store.put(key, b"<p>page</p>" * 200, token=store.token())
            except Exception as error:  # noqa: BLE001 - any error is the failure under test
                failures.append(repr(error))
                return

    def purger():
        for _ in range(300):
            store.purge(["van-golu"])

    writers = [threading.Thread(target=writer) for _ in range(3)]
    for thread in writers:
        thread.start()
    purger()
    stop.set()
    for thread in writers:
        thread.join()
    assert failures == []
    store.purge(["van-golu"])
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []
    assert store.put(key, b"<p>page</p>", token=store.token()) and store.get(key).body == b"<p>page</p>"


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_cache_server_costs_the_cache_not_the_page(client, settings, author, editor):
    from tests.helpers import closed_port_url

    van = _publish(author, editor, "Van Gölü", "Van Gölü sodalı bir göldür.")
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": closed_port_url().replace("http://", "redis://"),
        "OPTIONS": {"socket_connect_timeout": 0.5}}}
    settings.KURE_PAGE_CACHE = {"BACKEND": "kure.core.pagecache.CacheStore", "OPTIONS": {"alias": "pages"}}
    page = client.get(_url(van), HTTP_HOST=HOST)
    assert page.status_code == 200 and "sodalı" in page.content.decode() and "X-Kure-Cache" not in page
    status, _, body = wsgi_get(_url(van), application=WSGIHandler())
    assert status == "200 OK" and "sodalı" in body.decode()
    # an edit commits although its purge cannot reach the cache server
    revision = services.save_revision(article=van, author=author, title=van.title, body="Van Gölü büyüktür.",
                                      base_revision=van.published_revision, submit=True)
    services.approve_revision(revision=revision, editor=editor)
    assert "büyüktür" in client.get(_url(van), HTTP_HOST=HOST).content.decode()
