"""What a saved or deleted row means for the page cache, collected per transaction and purged after commit.

A publication saves many rows (the revision, its events, an article, translation segments); they are gathered
into one purge that runs once the transaction commits, so a rolled-back edit purges nothing and a reader can
never have a page cached from data that was about to change. Rows are mapped to the article whose pages show
them; rows that every page shows (a person's name or avatar, a category, a tag) purge everything.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import pagecache

# Fields saved on a person that no page shows; saving only these purges nothing (every sign-in saves one).
_PRIVATE_USER_FIELDS = frozenset({"last_login", "password"})


def _via(model_path: str, pk: int | None, field: str, memo: dict) -> str | None:
    """The slug of the article reached from ``model_path`` row ``pk`` through ``field`` (…__slug), one query per
    row and transaction."""
    if pk is None:
        return None
    key = (model_path, pk)
    if key not in memo:
        from django.apps import apps

        model = apps.get_model(model_path)
        memo[key] = model.objects.filter(pk=pk).values_list(field, flat=True).first()
    return memo[key]


# Rows that belong to one article: (the model holding the link, the row's field pointing at it, the way to the slug).
_THROUGH = {
    "articles.Revision": ("articles.Article", "article_id", "slug"),
    "translation.Translation": ("articles.Article", "article_id", "slug"),
    "discussions.Thread": ("articles.Article", "article_id", "slug"),
    "translation.TranslationSegment": ("translation.Translation", "translation_id", "article__slug"),
    "discussions.Post": ("discussions.Thread", "thread_id", "article__slug"),
}
# Rows every page may show.
_SHOWN_EVERYWHERE = frozenset({"articles.Category", "articles.Tag", "accounts.User"})
_WATCHED = frozenset({"articles.Article", *_THROUGH, *_SHOWN_EVERYWHERE})


def _targets(label: str, instance, created: bool, update_fields, memo: dict) -> str | None:
    """``EVERYTHING``, an article slug, or None (the row changes nothing an anonymous reader sees)."""
    if label == "articles.Article":
        return instance.slug
    if label in _THROUGH:
        model_path, field, way = _THROUGH[label]
        return _via(model_path, getattr(instance, field), way, memo)
    if label == "accounts.User" and (created or (update_fields and set(update_fields) <= _PRIVATE_USER_FIELDS)):
        return None
    return pagecache.EVERYTHING


class _Batch:
    """What one transaction's rows asked to purge; flushed by a single on-commit callback."""

    def __init__(self, hooks: list) -> None:
        self.hooks = hooks  # the connection's list of on-commit hooks this batch was registered in
        self.slugs: set[str] = set()
        self.everything = False
        self.memo: dict = {}
        self.flushed = False

    def flush(self) -> None:
        self.flushed = True
        if self.everything or self.slugs:
            pagecache.purge(self.slugs, everything=self.everything)


def _live_batch(connection) -> _Batch | None:
    batch = getattr(connection, "_kure_page_batch", None)
    # Django replaces the hook list when a transaction commits or rolls back: a batch registered in an older
    # list has either run or been dropped; one whose callback already ran is done too.
    if batch is None or batch.flushed or batch.hooks is not connection.run_on_commit:
        return None
    return batch


def _record(sender, instance, using: str | None, created: bool = False, update_fields=None) -> None:
    label = sender._meta.label
    if label not in _WATCHED or pagecache.store() is None:
        return
    using = using or DEFAULT_DB_ALIAS
    connection = connections[using]
    batch = _live_batch(connection) if connection.in_atomic_block else None
    target = _targets(label, instance, created, update_fields, batch.memo if batch else {})
    if not target:
        return
    everything = target == pagecache.EVERYTHING
    if not connection.in_atomic_block:
        pagecache.purge(() if everything else [target], everything=everything)
        return
    if batch is None:
        batch = _Batch(connection.run_on_commit)
        connection._kure_page_batch = batch
        transaction.on_commit(batch.flush, using=using)
    if everything:
        batch.everything = True
    else:
        batch.slugs.add(target)


def _saved(sender, instance, created=False, update_fields=None, using=None, **kwargs) -> None:
    _record(sender, instance, using, created=created, update_fields=update_fields)


def _deleted(sender, instance, using=None, **kwargs) -> None:
    _record(sender, instance, using)


def _tags_changed(sender, instance, action, using=None, **kwargs) -> None:
    if action.startswith("post_") and sender._meta.label == "articles.Article_tags":
        from ..articles.models import Article

        if isinstance(instance, Article):
            _record(Article, instance, using)


def connect() -> None:
    post_save.connect(_saved, dispatch_uid="kure.pagecache.saved")
    post_delete.connect(_deleted, dispatch_uid="kure.pagecache.deleted")
    m2m_changed.connect(_tags_changed, dispatch_uid="kure.pagecache.tags")
