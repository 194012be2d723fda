"""What notifications listens to. Each receiver only enqueues a task after commit: a rolled-back publish tells
nobody, and a failure here never reaches the publish or the post."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def on_revision_published(sender, article, revision, **kwargs) -> None:
    from . import tasks

    revision_id = revision.pk
    transaction.on_commit(lambda: tasks.notify_revision_published.enqueue(revision_id=revision_id))


def on_review_decided(sender, revision, editor, decision, **kwargs) -> None:
    from . import tasks

    revision_id, editor_id = revision.pk, editor.pk
    transaction.on_commit(lambda: tasks.notify_review_decision.enqueue(
        revision_id=revision_id, editor_id=editor_id, decision=decision))


def _id(obj) -> int | None:
    return getattr(obj, "pk", None) if obj is not None else None


def on_post_published(sender, post, **kwargs) -> None:
    """A discussion post: read what is needed from it now (plain values), and tell people in a task."""
    from . import tasks

    try:
        thread = getattr(post, "thread", None)
        author = getattr(post, "author", None)
        parent = getattr(post, "parent", None)
        # A top-level reply answers the thread's opening post, so the thread's author hears of it.
        replied_to = getattr(parent, "author", None) if parent is not None else getattr(thread, "author", None)
        get_url = getattr(post, "get_absolute_url", None)
        url = get_url() if callable(get_url) else ""
        if not url and thread is not None and callable(getattr(thread, "get_absolute_url", None)):
            url = thread.get_absolute_url()
        values = {
            "author_id": _id(author),
            "author_name": str(getattr(author, "display_name", "") or author or ""),
            "thread_id": _id(thread),
            "thread_title": str(getattr(thread, "title", "") or ""),
            "replied_to_id": _id(replied_to),
            "url": url or "/",
        }
    except Exception:  # a post we cannot read must not break the discussion
        log.exception("cannot read the published post for notifications")
        return
    transaction.on_commit(lambda: tasks.notify_post.enqueue(**values))
