"""The page cache: whole pages as anonymous readers see them, served without running Django.

Readers without a session get the same page, so a page rendered once for one of them is kept per host and path
(the language is the path's first part: ``/tr/…``, ``/en/…``) and handed to the next reader by ``PageCacheApp``,
a WSGI layer in front of Django. Django fills the cache (``PageCacheMiddleware``) and empties what a change
touches (``kure.core.pagecache_invalidation``). Two stores share one interface:

- ``FileStore`` (the default on one machine) writes ``<root>/<host>/<path>/index.html`` and a gzip copy beside it,
  the layout nginx can serve directly with ``try_files`` (``deploy/nginx.conf``);
- ``CacheStore`` keeps pages in a Django cache (Redis when several app nodes share it).

Only views named in ``CACHEABLE_VIEWS`` are kept, only for GET requests without a query string or a session, and
never a page that carries a CSRF token or sets a cookie. Purging works by article (its pages in every language)
plus the listing pages (home, categories, tags, people, Ask), or everything when something every page shows
changes (a person's name, a category). A page rendered while a purge happened is not stored: each store has a
token that every purge changes, read before rendering and compared before storing.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

# The reader-facing pages worth keeping; everything else (forms, desks, personal pages) is always rendered.
CACHEABLE_VIEWS = frozenset({
    "home", "articles:detail", "articles:history", "articles:revision", "categories:index", "categories:detail",
    "tags:detail", "people:profile", "discussions:list", "discussions:thread", "ask:page",
})
# A request carrying one of these cookies may see a personal page (a signed-in person, a one-off message).
PRIVATE_COOKIES = ("sessionid=", "messages=")
_SAFE_HOST = re.compile(r"^[a-z0-9.\-]+(:[0-9]{1,5})?$")
_SAFE_PATH = re.compile(r"^/(?:[a-z0-9_\-]+/)+$")
_ARTICLE_PATH = re.compile(r"^/[a-z\-]+/articles/([a-z0-9_\-]+)/")
EVERYTHING = "*"
logger = logging.getLogger(__name__)
_HTML = (("Content-Type", "text/html; charset=utf-8"),)
# Beside every kept index.html: its gzip copy (for nginx's gzip_static too) and the headers to send with it.
_COMPANIONS = (".gz", ".headers")


# Headers of the response that produced a page that are not replayed with it: they describe one answer (its
# length, encoding, validators, cookies) rather than the page. Everything else (the content type and language,
# Content-Security-Policy and the other security headers) goes out again exactly as Django sent it.
_NOT_REPLAYED = frozenset({"content-length", "content-encoding", "etag", "last-modified", "set-cookie", "vary",
                           "cache-control", "expires", "x-kure-cache", "date", "server"})


def replayed_headers(response) -> tuple[tuple[str, str], ...]:
    return tuple((name, value) for name, value in response.items() if name.lower() not in _NOT_REPLAYED)


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    gzipped: bytes
    modified: float  # seconds since the epoch
    etag: str
    stored_headers: tuple[tuple[str, str], ...] = ()

    def headers(self, *, gzipped: bool) -> list[tuple[str, str]]:
        return self._gzipped_headers if gzipped else self._plain_headers

    # Made once per kept page (and per process), not on every hit: a hit should cost a stat and a write.
    @functools.cached_property
    def _plain_headers(self) -> list[tuple[str, str]]:
        return self._headers(gzipped=False)

    @functools.cached_property
    def _gzipped_headers(self) -> list[tuple[str, str]]:
        return self._headers(gzipped=True)

    def _headers(self, *, gzipped: bool) -> list[tuple[str, str]]:
        return [
            *self.stored_headers,
            ("Content-Length", str(len(self.gzipped if gzipped else self.body))),
            ("ETag", self.etag),
            ("Last-Modified", formatdate(self.modified, usegmt=True)),
            ("Cache-Control", "max-age=0, must-revalidate"),
            ("Vary", "Cookie, Accept-Encoding"),
            ("X-Kure-Cache", "hit"),
            *([("Content-Encoding", "gzip")] if gzipped else []),
        ]


def cache_key(host: str, path: str) -> tuple[str, str] | None:
    """``(host, path)`` when a page at this address may be kept, else None (odd hosts and paths never are)."""
    host = host.lower()
    if not _SAFE_HOST.match(host) or not _SAFE_PATH.match(path) or "//" in path:
        return None
    if path.split("/", 2)[1] not in settings.KURE_LANGUAGES:
        return None
    return host, path


def group_of(path: str) -> str:
    """The purge group of a page: the article's slug for its pages, "" for the listing pages."""
    match = _ARTICLE_PATH.match(path)
    return match.group(1) if match else ""


class PageStore(ABC):
    """Where pages are kept. ``token()`` changes on every purge."""

    def __init__(self, *, max_age: int = 3600) -> None:
        self.max_age = max_age

    @abstractmethod
    def get(self, key: tuple[str, str]) -> CachedPage | None: ...

    @abstractmethod
    def token(self, key: tuple[str, str]) -> str: ...

    @abstractmethod
    def put(self, key: tuple[str, str], body: bytes, *, token: str,
            headers: tuple[tuple[str, str], ...] = _HTML) -> bool:
        """Keep ``body`` unless the store was purged since ``token`` was read; True when kept."""

    @abstractmethod
    def purge(self, slugs: Iterable[str] = (), *, everything: bool = False) -> None:
        """Forget the pages of these articles (every language) and the listing pages, or every page."""

    @abstractmethod
    def prune(self) -> int:
        """Delete pages older than ``max_age``; returns how many."""

    @abstractmethod
    def stats(self) -> dict[str, int]: ...


def _etag(modified_ns: int, size: int) -> str:
    # The form nginx uses for static files (mtime and size in hex), so both servers agree on a page's ETag.
    return f'"{modified_ns // 1_000_000_000:x}-{size:x}"'


class FileStore(PageStore):
    """Pages as files under ``root``: ``<host>/<path>/index.html`` and ``index.html.gz``.

    Reads check the file's modification time and size with one ``stat`` and keep the bytes of recent pages in
    memory (``memory_bytes`` per process), so a hit costs no file read.
    """

    def __init__(self, *, root: str | Path, max_age: int = 3600, memory_bytes: int = 64 * 1024 * 1024) -> None:
        super().__init__(max_age=max_age)
        self.root = Path(root)
        self.memory_bytes = memory_bytes
        self._memory: OrderedDict[str, tuple[tuple[int, int, int], CachedPage]] = OrderedDict()
        self._memory_used = 0
        self._lock = threading.Lock()

    def _file(self, key: tuple[str, str]) -> str:
        host, path = key
        return os.path.join(self.root, host, path.strip("/"), "index.html")

    def get(self, key: tuple[str, str]) -> CachedPage | None:
        name = self._file(key)
        try:
            st = os.stat(name)
        except OSError:
            return None
        if time.time() - st.st_mtime > self.max_age:
            return None
        signature = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            remembered = self._memory.get(name)
            if remembered and remembered[0] == signature:
                self._memory.move_to_end(name)
                return remembered[1]
        try:
            with open(name, "rb") as f:
                body = f.read()
            with open(name + ".gz", "rb") as f:
                gzipped = f.read()
            with open(name + ".headers", encoding="utf-8") as f:
                stored_headers = tuple(tuple(pair) for pair in json.load(f))
        except (OSError, ValueError):
            return None
        if len(body) != st.st_size:  # replaced between stat and read: let Django answer this one
            return None
        page = CachedPage(body=body, gzipped=gzipped, modified=st.st_mtime, etag=_etag(st.st_mtime_ns, st.st_size),
                          stored_headers=stored_headers)
        self._remember(name, signature, page)
        return page

    def _remember(self, name: str, signature: tuple[int, int, int], page: CachedPage) -> None:
        size = len(page.body) + len(page.gzipped)
        if size > self.memory_bytes // 4:
            return
        with self._lock:
            old = self._memory.pop(name, None)
            if old:
                self._memory_used -= len(old[1].body) + len(old[1].gzipped)
            self._memory[name] = (signature, page)
            self._memory_used += size
            while self._memory_used > self.memory_bytes and self._memory:
                _, (_, evicted) = self._memory.popitem(last=False)
                self._memory_used -= len(evicted.body) + len(evicted.gzipped)

    @property
    def _token_file(self) -> Path:
        return self.root / ".token"

    def token(self, key: tuple[str, str] | None = None) -> str:
        try:
            return self._token_file.read_text()
        except OSError:
            return ""

    def _new_token(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / f".token.{secrets.token_hex(6)}"
        temporary.write_text(secrets.token_hex(8))
        os.replace(temporary, self._token_file)

    def put(self, key: tuple[str, str], body: bytes, *, token: str,
            headers: tuple[tuple[str, str], ...] = _HTML) -> bool:
        if self.token() != token:
            return False
        name = self._file(key)
        suffix = f".{os.getpid()}.{secrets.token_hex(4)}.tmp"
        written = []
        try:
            os.makedirs(os.path.dirname(name), exist_ok=True)
            # The headers and the gzip copy first: whoever sees the new index.html finds its companions in place.
            for target, data in ((name + ".headers", json.dumps(headers, ensure_ascii=False).encode()),
                                 (name + ".gz", gzip.compress(body, compresslevel=6, mtime=0)), (name, body)):
                with open(target + suffix, "wb") as f:
                    written.append(target + suffix)
                    f.write(data)
                os.replace(target + suffix, target)
        except OSError:
            # Another process purged the folder while this page was being written (or the disk is full): the page
            # is simply not kept; the reader already has it.
            for leftover in written:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
            return False
        return True

    def _hosts(self) -> list[Path]:
        try:
            return [p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")]
        except OSError:
            return []

    def _discard(self, path: Path) -> None:
        # Renamed away first, so readers never see a half-deleted folder.
        trash = self.root / f".trash-{secrets.token_hex(6)}"
        try:
            os.rename(path, trash)
        except OSError:
            return
        shutil.rmtree(trash, ignore_errors=True)

    def purge(self, slugs: Iterable[str] = (), *, everything: bool = False) -> None:
        self._new_token()
        slugs = set(slugs)
        # A writer that was inside a folder when it was renamed away may have left a file there after its removal.
        for leftover in self.root.glob(".trash-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for host in self._hosts():
            if everything:
                self._discard(host)
                continue
            for language in (p for p in host.iterdir() if p.is_dir()):
                for child in language.iterdir():
                    if child.name == "articles":
                        for slug in slugs:
                            self._discard(child / slug)
                        for name in ("", *_COMPANIONS):
                            (child / f"index.html{name}").unlink(missing_ok=True)
                    elif child.is_dir():
                        self._discard(child)
                    else:
                        child.unlink(missing_ok=True)
        with self._lock:
            self._memory.clear()
            self._memory_used = 0

    def prune(self) -> int:
        removed = 0
        limit = time.time() - self.max_age
        for directory, _subdirs, files in os.walk(self.root):
            if "index.html" in files:
                page = os.path.join(directory, "index.html")
                try:
                    if os.stat(page).st_mtime < limit:
                        os.unlink(page)
                        removed += 1
                        for companion in _COMPANIONS:
                            os.unlink(page + companion)
                except OSError:
                    pass
        return removed

    def stats(self) -> dict[str, int]:
        pages = size = 0
        for directory, _subdirs, files in os.walk(self.root):
            for name in files:
                if name == "index.html":
                    pages += 1
                if name.startswith("index.html"):
                    size += os.path.getsize(os.path.join(directory, name))
        return {"pages": pages, "bytes": size}


class CacheStore(PageStore):
    """Pages in a Django cache (``alias``), for several app nodes sharing Redis.

    Purging writes new tokens instead of deleting: every page remembers the tokens it was stored under (all
    pages, and its article or the listings), and a page whose tokens are no longer current is a miss. One
    ``get_many`` answers a lookup.
    """

    def __init__(self, *, alias: str = "default", max_age: int = 3600, prefix: str = "kure:page:") -> None:
        super().__init__(max_age=max_age)
        self.alias = alias
        self.prefix = prefix

    @property
    def cache(self):
        from django.core.cache import caches

        return caches[self.alias]

    def _keys(self, key: tuple[str, str]) -> tuple[str, str, str]:
        host, path = key
        group = group_of(path)
        return (f"{self.prefix}p:{host}{path}", f"{self.prefix}t:all",
                f"{self.prefix}t:a:{group}" if group else f"{self.prefix}t:lists")

    def _current(self, key: tuple[str, str]) -> tuple[tuple[str, CachedPage] | None, str]:
        """The stored entry (its token and page) and the token a page stored now would carry."""
        page_key, all_key, group_key = self._keys(key)
        found = self.cache.get_many([page_key, all_key, group_key])
        return found.get(page_key), f"{found.get(all_key, '')}/{found.get(group_key, '')}"

    def get(self, key: tuple[str, str]) -> CachedPage | None:
        stored, token = self._current(key)
        if not stored or stored[0] != token:
            return None
        return stored[1]

    def token(self, key: tuple[str, str]) -> str:
        return self._current(key)[1]

    def put(self, key: tuple[str, str], body: bytes, *, token: str,
            headers: tuple[tuple[str, str], ...] = _HTML) -> bool:
        now = time.time()
        page = CachedPage(body=body, gzipped=gzip.compress(body, compresslevel=6, mtime=0), modified=now,
                          etag=f'"{secrets.token_hex(8)}"', stored_headers=tuple(headers))
        # A purge since ``token`` was read makes this entry stale from the start, so no comparison is needed.
        self.cache.set(self._keys(key)[0], (token, page), timeout=self.max_age)
        return True

    def purge(self, slugs: Iterable[str] = (), *, everything: bool = False) -> None:
        fresh = {f"{self.prefix}t:lists": secrets.token_hex(8)}
        if everything:
            fresh[f"{self.prefix}t:all"] = secrets.token_hex(8)
        for slug in slugs:
            fresh[f"{self.prefix}t:a:{slug}"] = secrets.token_hex(8)
        self.cache.set_many(fresh, timeout=None)

    def prune(self) -> int:
        return 0  # entries expire in the cache itself

    def stats(self) -> dict[str, int]:
        return {}


_store: PageStore | None = None
_store_loaded = False
_store_lock = threading.Lock()


def store() -> PageStore | None:
    """The configured store (``settings.KURE_PAGE_CACHE``), or None when the page cache is off."""
    global _store, _store_loaded
    if not _store_loaded:
        with _store_lock:
            config = getattr(settings, "KURE_PAGE_CACHE", None)
            _store = import_string(config["BACKEND"])(**config.get("OPTIONS", {})) if config else None
            _store_loaded = True
    return _store


def _reset(*, setting: str, **kwargs) -> None:
    global _store_loaded
    if setting == "KURE_PAGE_CACHE":
        _store_loaded = False


setting_changed.connect(_reset)


def _private(cookie_header: str) -> bool:
    return any(name in cookie_header for name in PRIVATE_COOKIES)


class PageCacheMiddleware:
    """Keeps the pages that anonymous readers get; ``PageCacheApp`` serves them next time.

    First in MIDDLEWARE, so it keeps a page with every header the other middleware added (the security headers
    above all); a page that GZipMiddleware compressed for this reader is kept uncompressed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        page_store = store()
        key = None
        if (page_store and request.method == "GET" and not request.META.get("QUERY_STRING")
                and not _private(request.META.get("HTTP_COOKIE", ""))):
            key = cache_key(request.get_host(), request.path)
        token = None
        if key:
            try:
                token = page_store.token(key)
            except Exception:  # the cache server is down: render as if there were no page cache
                logger.warning("The page cache cannot be read; pages are rendered without it", exc_info=True)
                key = None
        response = self.get_response(request)
        if key and self._keepable(request, response):
            body = response.content
            if response.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            elif response.has_header("Content-Encoding"):
                return response
            try:
                kept = b"csrfmiddlewaretoken" not in body and page_store.put(
                    key, body, token=token, headers=replayed_headers(response))
            except Exception:
                logger.warning("A page could not be kept in the page cache", exc_info=True)
                kept = False
            if kept:
                response.headers["X-Kure-Cache"] = "miss"
        return response

    @staticmethod
    def _keepable(request, response) -> bool:
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        return (
            response.status_code == 200
            and not response.streaming
            and match is not None and match.view_name in CACHEABLE_VIEWS
            and response.get("Content-Type", "").startswith("text/html")
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
            and not (user is not None and user.is_authenticated)
        )


class PageCacheApp:
    """WSGI layer in front of Django: a kept page goes out without Django being entered at all."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if ((method == "GET" or method == "HEAD") and not environ.get("QUERY_STRING")
                and not _private(environ.get("HTTP_COOKIE", ""))):
            page_store = store()
            key = page_store and cache_key(environ.get("HTTP_HOST", ""), environ.get("PATH_INFO", ""))
            try:
                page = page_store.get(key) if key else None
            except Exception:  # an unreachable cache server is a miss; Django answers and says so in the log
                page = None
            if page is not None:
                return self._serve(environ, start_response, page, head=method == "HEAD")
        return self.application(environ, start_response)

    @staticmethod
    def _serve(environ, start_response, page: CachedPage, *, head: bool):
        use_gzip = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
        headers = page.headers(gzipped=use_gzip)
        if _not_modified(environ, page):
            start_response("304 Not Modified", [h for h in headers if h[0] not in ("Content-Length", "Content-Type",
                                                                                   "Content-Encoding")])
            return [b""]
        start_response("200 OK", headers)
        return [b"" if head else (page.gzipped if use_gzip else page.body)]


def _not_modified(environ, page: CachedPage) -> bool:
    if match := environ.get("HTTP_IF_NONE_MATCH"):
        return page.etag in (tag.strip().removeprefix("W/") for tag in match.split(",")) or match.strip() == "*"
    if since := environ.get("HTTP_IF_MODIFIED_SINCE"):
        try:
            return int(page.modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, OverflowError):
            return False
    return False


def purge(slugs: Iterable[str] = (), *, everything: bool = False) -> None:
    """Forget what a change touched, now (callers in a transaction use ``pagecache_invalidation``)."""
    slugs = set(slugs)
    page_store = store()
    if not page_store:
        return
    try:
        page_store.purge(slugs, everything=everything)
    except Exception:
        # Runs after a write committed: failing here would turn a saved edit into an error page. The pages stay
        # until they expire (KURE_PAGE_CACHE_SECONDS); the log says which.
        logger.error("The page cache could not be purged (articles: %s, everything: %s); kept pages expire "
                     "within %s s", ", ".join(sorted(slugs)) or "none", everything, page_store.max_age,
                     exc_info=True)
