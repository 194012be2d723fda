"""Every write of notifications: following, telling people what happened, and emailing them about it."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..accounts.models import User
from ..core import languages
from ..core.errors import InvalidInput, NotFound, PermissionDenied
from . import emails, selectors
from .models import Follow, FollowKind, Notification, NotificationKind, NotificationSettings

log = logging.getLogger(__name__)
DIGEST_HOURS = 24


def _require_person(person: User) -> None:
    if not person.is_authenticated:
        raise PermissionDenied("Sign in to follow articles, categories and discussions.")


def _clean_target(kind: str, target_id: object) -> tuple[str, int]:
    if kind not in FollowKind.values:
        raise NotFound(f"There is nothing of the kind “{kind}” to follow.")
    try:
        pk = int(str(target_id))
    except ValueError:
        raise NotFound("There is nothing like that to follow.") from None
    if pk <= 0 or pk >= 2**63:
        raise NotFound("There is nothing like that to follow.")
    return kind, pk


# --- following ---------------------------------------------------------------------------------------------

@transaction.atomic
def follow(*, person: User, kind: str, target_id: int | str) -> Follow:
    """Follow an article, a category or a discussion; following twice changes nothing."""
    _require_person(person)
    kind, pk = _clean_target(kind, target_id)
    obj = selectors.target(kind=kind, target_id=pk)
    if obj is None:
        raise NotFound("What you wanted to follow does not exist (any more).")
    if (kind == FollowKind.ARTICLE and not getattr(obj, "is_published", True)) or getattr(obj, "is_hidden", False):
        raise NotFound("What you wanted to follow does not exist (any more).")
    found, _ = Follow.objects.get_or_create(person=person, kind=kind, target_id=pk)
    return found


@transaction.atomic
def unfollow(*, person: User, kind: str, target_id: int | str) -> bool:
    """Stop following; True if something was followed. Unfollowing what one does not follow is not an error."""
    _require_person(person)
    kind, pk = _clean_target(kind, target_id)
    deleted, _ = Follow.objects.filter(person=person, kind=kind, target_id=pk).delete()
    return bool(deleted)


# --- settings and reading ----------------------------------------------------------------------------------

@transaction.atomic
def update_settings(*, person: User, email_kinds: Iterable[str], daily_digest: bool,
                    language: str = "") -> NotificationSettings:
    _require_person(person)
    wanted = set(email_kinds)
    unknown = wanted - set(NotificationKind.values)
    if unknown:
        raise InvalidInput(f"Unknown kind of notification: {', '.join(sorted(unknown))}.", field="email")
    if language and not languages.is_valid(language):
        raise InvalidInput(f"Unknown language “{language}”.", field="language")
    found, _ = NotificationSettings.objects.select_for_update().get_or_create(person=person)
    for kind in NotificationKind.values:
        setattr(found, f"email_{kind}", kind in wanted)
    found.daily_digest = bool(daily_digest)
    found.language = language
    found.save()
    return found


@transaction.atomic
def mark_read(*, person: User, notification_id: int) -> Notification:
    """Mark one of the person's own notifications read; someone else's is as good as absent."""
    notification = Notification.objects.select_for_update().filter(pk=notification_id, recipient=person).first()
    if notification is None:
        raise NotFound("That notification does not exist.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(*, person: User) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).update(read_at=timezone.now())


# --- telling people ----------------------------------------------------------------------------------------

@transaction.atomic
def notify(*, recipients: Iterable[User], kind: str, params: dict, url: str,
           actors: Iterable[int | None] = ()) -> list[Notification]:
    """One notification per recipient, never to the people whose action it reports. Emails follow on commit:
    at once, or held for the person's daily digest."""
    excluded = {pk for pk in actors if pk is not None}
    people = {person.pk: person for person in recipients if person.pk not in excluded and person.is_active}
    if not people:
        return []
    prefs = {s.person_id: s for s in NotificationSettings.objects.filter(person_id__in=people)}
    made, immediate = [], []
    for pk, person in people.items():
        mine = prefs.get(pk) or NotificationSettings(person=person)
        due = bool(person.email) and mine.wants_email(kind)
        made.append(Notification(recipient=person, kind=kind, params=params, url=url, email_due=due))
        if due and not mine.daily_digest:
            immediate.append(made[-1])
    Notification.objects.bulk_create(made)
    if immediate:
        from . import tasks

        ids = [n.pk for n in immediate]
        transaction.on_commit(lambda: tasks.send_emails.enqueue(notification_ids=ids))
    return made


def notify_revision_published(*, revision_id: int) -> list[Notification]:
    """Tell the followers of an article, and of its category or a category above it, about a new revision."""
    from ..articles.models import Category, ReviewEvent, ReviewState, Revision

    revision = Revision.objects.select_related("article__category", "author").filter(pk=revision_id).first()
    if revision is None:
        return []
    article = revision.article
    recipients = set(selectors.followers(kind=FollowKind.ARTICLE, target_ids=[article.pk]))
    if article.category_id:
        parts = article.category.path.split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        ids = list(Category.objects.filter(path__in=prefixes).values_list("pk", flat=True))
        recipients |= set(selectors.followers(kind=FollowKind.CATEGORY, target_ids=ids))
    approver = (ReviewEvent.objects.filter(revision=revision, to_state=ReviewState.APPROVED)
                .order_by("-created_at", "-id").values_list("actor_id", flat=True).first())
    return notify(recipients=recipients, kind=NotificationKind.ARTICLE_PUBLISHED,
                  params={"title": revision.title, "number": revision.number,
                          "author": revision.author.display_name},
                  url=article.get_absolute_url(), actors=[revision.author_id, approver])


def notify_review_decision(*, revision_id: int, editor_id: int, decision: str) -> list[Notification]:
    """Tell a revision's author what an editor decided, with the editor's comment."""
    from ..articles.models import ReviewEvent, Revision

    revision = Revision.objects.select_related("author").filter(pk=revision_id).first()
    editor = User.objects.filter(pk=editor_id).first()
    if revision is None or editor is None or decision not in {"approved", "changes_requested"}:
        return []
    comment = (ReviewEvent.objects.filter(revision=revision, to_state=decision, actor=editor)
               .order_by("-created_at", "-id").values_list("comment", flat=True).first()) or ""
    return notify(recipients=[revision.author], kind=NotificationKind.REVIEW,
                  params={"title": revision.title, "number": revision.number, "editor": editor.display_name,
                          "decision": decision, "comment": comment},
                  url=revision.get_absolute_url(), actors=[editor.pk])


@transaction.atomic
def notify_post(*, author_id: int | None, author_name: str, thread_id: int | None, thread_title: str,
                replied_to_id: int | None, url: str) -> list[Notification]:
    """A new discussion post: its replied-to person hears of a reply, the thread's followers of a new post."""
    params = {"author": author_name, "thread": thread_title}
    made = []
    told = {author_id}
    if replied_to_id is not None and replied_to_id != author_id:
        person = User.objects.filter(pk=replied_to_id).first()
        if person is not None:
            made += notify(recipients=[person], kind=NotificationKind.REPLY, params=params, url=url,
                           actors=[author_id])
            told.add(replied_to_id)
    if thread_id is not None:
        recipients = selectors.followers(kind=FollowKind.THREAD, target_ids=[thread_id])
        made += notify(recipients=recipients, kind=NotificationKind.THREAD_POST, params=params, url=url,
                       actors=told)
    return made


# --- email -------------------------------------------------------------------------------------------------

def send_emails(*, notification_ids: list[int]) -> int:
    """Email these notifications one by one; each is claimed first, so a retry never sends one twice. A mail
    server that refuses is logged and leaves the notification unsent."""
    sent = 0
    for notification in (Notification.objects.filter(pk__in=notification_ids, email_due=True,
                                                      emailed_at__isnull=True).select_related("recipient")):
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now())
        if not claimed:
            continue
        language = emails.language_of(NotificationSettings.objects.filter(person=notification.recipient).first())
        try:
            emails.single(notification, language).send()
        except Exception:  # any mail server failure: logged, retried by nobody, never raised into a publish
            log.exception("could not email notification %s", notification.pk)
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            continue
        sent += 1
    return sent


def send_digests(*, now=None, hours: int = DIGEST_HOURS) -> int:
    """One email per person who chose the daily digest, with their unsent notifications of the last day.
    Returns how many emails went out."""
    now = now or timezone.now()
    by_person: dict[int, list[Notification]] = {}
    for notification in selectors.due_for_digest(since=now - timedelta(hours=hours)):
        by_person.setdefault(notification.recipient_id, []).append(notification)
    sent = 0
    for person_id, items in by_person.items():
        # Claimed before sending, as single emails are: a run killed after sending, or a second run at the same
        # time, never sends these notifications again (one killed in between loses this digest instead).
        ids = [n.pk for n in items]
        claimed = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now)
        if claimed != len(ids):
            Notification.objects.filter(pk__in=ids, emailed_at=now).update(emailed_at=None)
            continue  # another run is sending some of them; the next run takes what is left
        language = emails.language_of(NotificationSettings.objects.filter(person_id=person_id).first())
        try:
            emails.digest(items, language).send()
        except Exception:  # the next run tries again
            log.exception("could not send the digest to person %s", person_id)
            Notification.objects.filter(pk__in=ids, emailed_at=now).update(emailed_at=None)
            continue
        sent += 1
    return sent
