"""Writes for discussions: posting, editing, soft deletion, moderation and reports. One transaction each.

Who may do what is decided here, so the pages and the API obey the same rules: signed-in people with a real
name post; authors edit their own post for a short while and delete it any time; editors
(``articles.review_revision``) hide, lock and pin threads and hide posts. Rate limits are counted per request
by the callers (``rules.check_rate``), since they depend on the client's address.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..accounts.models import User
from ..articles.models import Article
from ..core.errors import InvalidInput, NotFound, PermissionDenied
from . import markup, rules
from .models import Post, PostReport, Thread
from .rules import ThreadLocked
from .signals import post_published

MAX_REASON_CHARS = 1000


def is_editor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("articles.review_revision"))


def _require_poster(user: User) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied("Sign in to take part in discussions.")
    if not (user.full_name or "").strip():
        raise PermissionDenied("Only people who have given their real name can post. Add it to your profile first.")


def _require_editor(user: User) -> None:
    if not is_editor(user):
        raise PermissionDenied("Only editors can moderate discussions.")


def _require_published(article: Article) -> None:
    if not article.is_published:
        raise NotFound("This article has not been published, so it cannot be discussed yet.")


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput("Write something first: the post is empty.", field="body")
    limit = rules.setting("MAX_POST_CHARS")
    if len(body) > limit:
        raise rules.error(InvalidInput, "A post is at most {limit} characters; this one has {length}.",
                          limit=limit, length=len(body), field="body")
    return body


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("Give the discussion a title.", field="title")
    if len(title) > rules.MAX_TITLE_CHARS:
        raise rules.error(InvalidInput, "A title is at most {limit} characters; this one has {length}.",
                          limit=rules.MAX_TITLE_CHARS, length=len(title), field="title")
    return title


def is_new_account(user: User, *, now=None) -> bool:
    now = now or timezone.now()
    young = now - user.date_joined < timedelta(days=rules.setting("NEW_ACCOUNT_DAYS"))
    few = Post.objects.filter(author=user).count() < rules.setting("NEW_ACCOUNT_POSTS")
    return young or few


def _check_links(user: User, text: str) -> None:
    """New accounts may include only a few links: the cheapest spam to stop is a first post full of them."""
    allowed = rules.setting("NEW_ACCOUNT_LINKS")
    if markup.count_links(text) <= allowed or is_editor(user) or user.has_perm("articles.add_revision"):
        return
    if is_new_account(user):
        raise rules.error(InvalidInput, "New accounts may include at most {allowed} link(s) in a post. Remove "
                                        "some links and send it again.", allowed=allowed, field="body")


def _publish_after_commit(post: Post) -> None:
    transaction.on_commit(lambda: post_published.send(sender=Post, post=post))


@transaction.atomic
def start_thread(*, article: Article, author: User, title: str, body: str) -> Thread:
    """A new thread about a published article, with its opening post."""
    _require_poster(author)
    _require_published(article)
    title, body = _clean_title(title), _clean_body(body)
    _check_links(author, f"{title}\n{body}")
    now = timezone.now()
    thread = Thread.objects.create(article=article, title=title, author=author, created_at=now, last_post_at=now)
    post = Post.objects.create(thread=thread, author=author, body=body, html=markup.render(body), created_at=now)
    _publish_after_commit(post)
    return thread


@transaction.atomic
def reply(*, thread: Thread, author: User, body: str, reply_to: Post | None = None) -> Post:
    """A reply in ``thread``; a reply to a reply attaches to that reply's top-level post (one level of nesting)."""
    _require_poster(author)
    thread = Thread.objects.select_for_update().select_related("article").get(pk=thread.pk)
    _require_published(thread.article)
    if thread.is_hidden:
        raise NotFound("This discussion was hidden by an editor.")
    if thread.is_locked:
        raise ThreadLocked("This discussion is locked: it can be read but no longer answered.")
    parent = None
    if reply_to is not None:
        if reply_to.thread_id != thread.pk or (reply_to.is_hidden and not is_editor(author)):
            raise NotFound("The post you are replying to is not in this discussion.")
        parent = reply_to.parent if reply_to.parent_id else reply_to
    body = _clean_body(body)
    _check_links(author, body)
    now = timezone.now()
    post = Post.objects.create(thread=thread, parent=parent, author=author, body=body, html=markup.render(body),
                               created_at=now)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
    _publish_after_commit(post)
    return post


def can_edit(post: Post, user, *, now=None) -> bool:
    now = now or timezone.now()
    return (bool(user and user.is_authenticated) and post.author_id == user.pk and not post.is_deleted
            and not post.is_hidden and now - post.created_at <= timedelta(minutes=rules.setting("EDIT_MINUTES")))


@transaction.atomic
def edit_post(*, post: Post, actor: User, body: str) -> Post:
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    if not actor.is_authenticated or post.author_id != actor.pk:
        raise PermissionDenied("Only the author of a post can edit it.")
    if post.is_deleted or post.is_hidden:
        raise PermissionDenied("A deleted or hidden post cannot be edited.")
    if post.thread.is_locked:
        raise ThreadLocked("This discussion is locked: it can be read but no longer answered.")
    if not can_edit(post, actor):
        raise rules.error(PermissionDenied, "A post can be edited only in the first {minutes} minutes after it "
                                            "is sent.", minutes=rules.setting("EDIT_MINUTES"))
    body = _clean_body(body)
    _check_links(actor, body)
    post.body, post.html, post.edited_at = body, markup.render(body), timezone.now()
    post.save(update_fields=["body", "html", "edited_at"])
    return post


@transaction.atomic
def delete_post(*, post: Post, actor: User) -> Post:
    """Soft delete: the post shows as deleted, its replies stay. Its author or an editor may do it."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not actor.is_authenticated or (post.author_id != actor.pk and not is_editor(actor)):
        raise PermissionDenied("Only the author of a post or an editor can delete it.")
    if not post.is_deleted:
        post.is_deleted, post.deleted_at = True, timezone.now()
        post.save(update_fields=["is_deleted", "deleted_at"])
    return post


@transaction.atomic
def set_post_hidden(*, post: Post, editor: User, hidden: bool) -> Post:
    _require_editor(editor)
    post = Post.objects.select_for_update().get(pk=post.pk)
    post.is_hidden = hidden
    post.hidden_by, post.hidden_at = (editor, timezone.now()) if hidden else (None, None)
    post.save(update_fields=["is_hidden", "hidden_by", "hidden_at"])
    return post


def _moderate(thread: Thread, editor: User, **fields: bool) -> Thread:
    _require_editor(editor)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    for name, value in fields.items():
        setattr(thread, name, value)
    thread.moderated_by, thread.moderated_at = editor, timezone.now()
    thread.save(update_fields=[*fields, "moderated_by", "moderated_at"])
    return thread


@transaction.atomic
def set_thread_hidden(*, thread: Thread, editor: User, hidden: bool) -> Thread:
    return _moderate(thread, editor, is_hidden=hidden)


@transaction.atomic
def set_thread_locked(*, thread: Thread, editor: User, locked: bool) -> Thread:
    return _moderate(thread, editor, is_locked=locked)


@transaction.atomic
def set_thread_pinned(*, thread: Thread, editor: User, pinned: bool) -> Thread:
    return _moderate(thread, editor, is_pinned=pinned)


@transaction.atomic
def report_post(*, post: Post, reporter: User, reason: str) -> PostReport:
    """A signed-in person reports a post to the editors. A second report by the same person while the first is
    open changes nothing."""
    if not (reporter and reporter.is_authenticated and reporter.is_active):
        raise PermissionDenied("Sign in to report a post.")
    if post.is_hidden and not is_editor(reporter):
        raise NotFound("There is no such post.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("Say briefly what is wrong with the post.", field="reason")
    if len(reason) > MAX_REASON_CHARS:
        raise rules.error(InvalidInput, "A reason is at most {limit} characters; this one has {length}.",
                          limit=MAX_REASON_CHARS, length=len(reason), field="reason")
    existing = PostReport.objects.filter(post=post, reporter=reporter, resolved_at__isnull=True).first()
    if existing:
        return existing
    return PostReport.objects.create(post=post, reporter=reporter, reason=reason)


@transaction.atomic
def resolve_post_report(*, report: PostReport, editor: User) -> PostReport:
    _require_editor(editor)
    report = PostReport.objects.select_for_update().get(pk=report.pk)
    if report.resolved_at is None:
        report.resolved_at, report.resolved_by = timezone.now(), editor
        report.save(update_fields=["resolved_at", "resolved_by"])
    return report
