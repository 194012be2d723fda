"""Reads for notifications: what a person follows, what they were told, and how they want to hear."""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Model, QuerySet

from ..accounts.models import User
from .models import Follow, FollowKind, Notification, NotificationSettings


def target_model(kind: str) -> type[Model] | None:
    """The model a follow points at; None for an unknown kind or an app that is not installed (yet)."""
    label = {FollowKind.ARTICLE: "articles.Article", FollowKind.CATEGORY: "articles.Category",
             FollowKind.THREAD: "discussions.Thread"}.get(kind)
    if label is None:
        return None
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def target(*, kind: str, target_id: int) -> Model | None:
    model = target_model(kind)
    if model is None:
        return None
    return model._default_manager.filter(pk=target_id).first()


def is_following(*, person: User, kind: str, target_id: int | None) -> bool:
    if not person.is_authenticated or target_id is None:
        return False
    return Follow.objects.filter(person=person, kind=kind, target_id=target_id).exists()


def article_follow_state(*, person: User, article) -> dict[str, bool]:
    """Whether a person follows an article and its category, in one query, for the article page."""
    if not person.is_authenticated:
        return {"article": False, "category": False}
    wanted = {(FollowKind.ARTICLE.value, article.pk)}
    if article.category_id:
        wanted.add((FollowKind.CATEGORY.value, article.category_id))
    rows = set(Follow.objects.filter(person=person, target_id__in=[pk for _, pk in wanted])
               .values_list("kind", "target_id"))
    return {"article": (FollowKind.ARTICLE.value, article.pk) in rows,
            "category": bool(article.category_id) and (FollowKind.CATEGORY.value, article.category_id) in rows}


@dataclass(frozen=True)
class FollowedItem:
    kind: str
    target_id: int
    label: str
    url: str


def followed_items(*, person: User, language: str) -> list[FollowedItem]:
    """Everything a person follows, with a name and a link; targets deleted since are left out."""
    follows = list(Follow.objects.filter(person=person))
    items = []
    for kind in FollowKind.values:
        ids = [f.target_id for f in follows if f.kind == kind]
        model = target_model(kind)
        if not ids or model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            label = getattr(obj, "title", "") or getattr(obj, "name", "") or str(obj)
            url = _url_of(obj, language)
            items.append(FollowedItem(kind=kind, target_id=obj.pk, label=label, url=url))
    return sorted(items, key=lambda item: (item.kind, item.label.casefold()))


def _url_of(obj: Model, language: str) -> str:
    get_url = getattr(obj, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return get_url(language)
    except TypeError:
        return get_url()


def notifications_of(*, person: User, limit: int = 50, offset: int = 0) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person)[offset:offset + limit])


def unread_count(*, person: User) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def settings_of(*, person: User) -> NotificationSettings:
    """The person's settings, or unsaved defaults."""
    found = NotificationSettings.objects.filter(person=person).first()
    return found or NotificationSettings(person=person)


def followers(*, kind: str, target_ids: list[int]) -> QuerySet[User]:
    return User.objects.filter(follows__kind=kind, follows__target_id__in=target_ids, is_active=True).distinct()


def due_for_digest(*, since) -> QuerySet[Notification]:
    return (Notification.objects.filter(email_due=True, emailed_at__isnull=True, created_at__gte=since,
                                        recipient__notification_settings__daily_digest=True)
            .select_related("recipient").order_by("recipient_id", "created_at", "id"))


def categories() -> list:
    from ..articles.models import Category

    return list(Category.objects.only("pk", "name", "path"))
