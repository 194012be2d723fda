"""The demo encyclopedia as the permission and CSRF tests see it: `kure load_demo`, plus the few things the demo
does not make (a reader without any role, a draft, an error report, a notification, a reader's own post), one
person per role, and every route of the project with the concrete address it is tried at."""

import io
import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kure.accounts.models import User
from kure.accounts.services import create_person
from kure.api.services import create_token
from kure.articles import services as articles
from kure.articles.models import Article, ReviewState, Revision
from kure.discussions import services as discussions
from kure.discussions.models import Thread
from kure.notifications.models import Notification
from kure.reports import services as reports

from .harness import unlimited_rates

# The columns of every table: who asks.
ROLES = ("anonymous", "reader", "author", "translator", "editor", "admin")
# The demo's people for each role ("reader" is made here: an account with no role at all).
DEMO_USERNAMES = {"author": "yazar", "translator": "cevirmen", "editor": "editor", "admin": "admin"}
NATO = "nato-disisleri-bakanlari-toplantisi-2025"


@dataclass
class DemoSite:
    people: dict[str, User | None]
    tokens: dict[str, str | None]
    values: dict[str, str] = field(default_factory=dict)
    _sessions: dict[str, str] = field(default_factory=dict)

    def client(self, role: str, **kwargs) -> Client:
        """A client signed in as ``role`` (one session per role, made once and reused)."""
        client = Client(**kwargs)
        if self.people[role] is not None:
            if role not in self._sessions:
                client.force_login(self.people[role])
                self._sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
            client.cookies[settings.SESSION_COOKIE_NAME] = self._sessions[role]
        return client

    def api_client(self, role: str) -> Client:
        token = self.tokens[role]
        return Client(headers={"Authorization": f"Bearer {token}"} if token else {})

    def fill(self, template: str, **overrides: str) -> str:
        """``/{lang}/articles/{slug}/`` with the demo's values (or the overrides) put in."""
        return template.format(**{**self.values, **overrides})


def routes() -> list[tuple[str, str]]:
    """(route, URL name) of every URL pattern of the project, as Django resolves them, in order."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif isinstance(p, URLPattern):
                found.append((prefix + str(p.pattern), ":".join(filter(None, [namespace, p.name or ""]))))

    walk(get_resolver().url_patterns, "", "")
    return found


def _load(test_settings) -> DemoSite:
    cache.clear()
    unlimited_rates(test_settings)
    test_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    test_settings.KURE_TRANSLATION_ENGINES = {}
    test_settings.DATA_DIR = test_settings.MEDIA_ROOT.parent  # demo-accounts.txt beside this test's media
    call_command("load_demo", stdout=io.StringIO())
    people: dict[str, User | None] = {"anonymous": None}
    people["reader"] = create_person(username="okur", full_name="Okur Şahin", email="okur@example.org",
                                     password=None)
    people.update({role: User.objects.get(username=name) for role, name in DEMO_USERNAMES.items()})
    tokens = {role: (create_token(user=person)[1] if person else None) for role, person in people.items()}

    nato = Article.objects.get(slug=NATO)
    pending = Revision.objects.filter(state=ReviewState.SUBMITTED).select_related("article").first()
    assert pending is not None, "the demo leaves one revision waiting for review"
    author = people["author"]
    draft_article = Article.objects.filter(published_revision__author=author).exclude(pk=pending.article_id).first()
    draft = articles.save_revision(article=draft_article, author=author, title=draft_article.title,
                                   body=draft_article.published_revision.body + "\n\nTaslak ek.\n",
                                   base_revision=draft_article.head_revision, edit_summary="Taslak")
    thread = Thread.objects.filter(article=nato).order_by("pk").first()
    readers_post = discussions.reply(thread=thread, author=people["reader"], body="Okurun kendi yanıtı.")
    report = reports.report_mistake(article_slug=NATO, language="tr", section="", kind="fact",
                                    description="Toplantının tarihi yanlış yazılmış olabilir.")
    notification = Notification.objects.create(recipient=people["editor"], kind="review", url=f"/tr/articles/{NATO}/")
    tag = nato.tags.order_by("slug").first()
    site = DemoSite(people=people, tokens=tokens)
    site.values = {
        "lang": "tr", "slug": NATO, "number": "1", "path": nato.category.path, "tag": tag.slug,
        "username": author.username, "thread_id": str(thread.pk), "post_id": str(readers_post.pk),
        "report": str(report.pk), "notification": str(notification.pk),
        "pending_slug": pending.article.slug, "pending_number": str(pending.number),
        "draft_slug": draft_article.slug, "draft_number": str(draft.number),
        "media": nato.lead_image.name, "article_ct": str(ContentType.objects.get_for_model(Article).pk),
        "article_pk": str(nato.pk), "nato_head": str(nato.head_revision_id),
    }
    return site


@pytest.fixture
def demo_site(db, settings, served_media) -> DemoSite:
    site = _load(settings)
    yield site
    cache.clear()


def admin_object_ids() -> dict[str, str]:
    """The first object of every model in the admin, by ``app_model`` (for its change, history, delete pages)."""
    from django.contrib import admin

    ids = {}
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        ids[f"{model._meta.app_label}_{model._meta.model_name}"] = str(first.pk) if first else "0"
    return ids


FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
POST_METHOD = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.I)
TOKEN_INPUT = re.compile(r"""<input\b[^>]*\bname=["']?csrfmiddlewaretoken\b""", re.I)


def post_forms(html: str) -> list[str]:
    return [form for form in FORM.findall(html) if POST_METHOD.search(form.split(">", 1)[0])]
