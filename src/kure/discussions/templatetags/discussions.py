"""``{% article_discussions article as discussion %}``: the count and latest threads for the article page's block."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def article_discussions(article, limit: int = 3) -> dict:
    count = selectors.thread_count(article=article)
    # Most articles have no discussion yet: then the count is the only query.
    return {"count": count, "latest": selectors.latest_threads(article=article, limit=limit) if count else []}
