"""Follow state for the article page and for discussions, which render without this app's views."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def article_follow_state(context, article) -> dict[str, bool]:
    user = context.get("user")
    if user is None or article is None:
        return {"article": False, "category": False}
    return selectors.article_follow_state(person=user, article=article)


@register.simple_tag(takes_context=True)
def is_following(context, kind: str, target_id) -> bool:
    user = context.get("user")
    return user is not None and selectors.is_following(person=user, kind=kind, target_id=target_id)
