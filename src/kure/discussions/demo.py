"""The demo discussions (``articles/demo/discussions.yaml``), made through the services by ``kure load_demo``.

Idempotent: a thread whose article already has a thread with the same title is left as it is.
"""

from collections.abc import Callable
from pathlib import Path

import yaml
from django.db import transaction

from ..accounts.models import User
from ..articles.models import Article
from . import services
from .models import Post, Thread

DISCUSSIONS_FILE = Path(__file__).resolve().parents[1] / "articles" / "demo" / "discussions.yaml"


class DemoError(ValueError):
    pass


def read_file(path: Path = DISCUSSIONS_FILE) -> list[dict]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise DemoError(f"{path.name}: expected a list of threads.")
    for number, entry in enumerate(entries, start=1):
        if not (isinstance(entry, dict) and {"article", "title", "author", "body"} <= entry.keys()):
            raise DemoError(f"{path.name}: thread {number} needs an article, a title, an author and a body.")
    return entries


def _person(people: dict[str, User], username: str) -> User:
    if username not in people:
        raise DemoError(f"{DISCUSSIONS_FILE.name}: unknown demo person “{username}”.")
    return people[username]


def _replies(thread: Thread, parent: Post, specs: list[dict], people: dict[str, User]) -> int:
    made = 0
    for spec in specs or []:
        post = services.reply(thread=thread, author=_person(people, spec["author"]), body=spec["body"],
                              reply_to=parent)
        made += 1 + _replies(thread, post, spec.get("replies") or [], people)
    return made


def load(*, people: dict[str, User], editor: User, say: Callable[[str], None] = print) -> int:
    """Make the demo threads that do not exist yet; returns how many were made."""
    made = 0
    for spec in read_file():
        article = Article.objects.filter(slug=spec["article"], published_revision__isnull=False).first()
        if article is None:
            say(f"  ! discussion “{spec['title']}”: article {spec['article']} is not published; skipped")
            continue
        if Thread.objects.filter(article=article, title=spec["title"]).exists():
            say(f"  = discussion “{spec['title']}” exists")
            continue
        with transaction.atomic():
            thread = services.start_thread(article=article, author=_person(people, spec["author"]),
                                           title=spec["title"], body=spec["body"])
            replies = 0
            for reply in spec.get("replies") or []:
                post = services.reply(thread=thread, author=_person(people, reply["author"]), body=reply["body"])
                replies += 1 + _replies(thread, post, reply.get("replies") or [], people)
            if spec.get("pinned"):
                services.set_thread_pinned(thread=thread, editor=editor, pinned=True)
            if spec.get("locked"):
                services.set_thread_locked(thread=thread, editor=editor, locked=True)
        made += 1
        say(f"  + discussion on {article.slug}: “{thread.title}” ({replies} replies)")
    return made
