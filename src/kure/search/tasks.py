"""Background work for search: embedding the sentences of newly indexed sections (django-tasks)."""

import logging

from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@task()
def embed_article(*, article_id: int, attempt: int = 0) -> str:
    from .embeddings.base import EmbeddingError, EmbeddingUnavailable
    from .indexing import embed_article as embed
    from .indexing import retry_delay

    try:
        count = embed(article_id=article_id)
    except EmbeddingUnavailable as exc:
        # The embedding service is down: lexical search already works; try the vectors again later.
        if attempt + 1 < MAX_ATTEMPTS:
            embed_article.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                article_id=article_id, attempt=attempt + 1)
            return f"embedding engine unavailable, retry {attempt + 1} scheduled: {exc}"
        log.error("article %s: giving up on vectors after %s attempts: %s", article_id, MAX_ATTEMPTS, exc)
        return f"gave up: {exc}"
    except EmbeddingError as exc:
        log.error("article %s: cannot embed: %s", article_id, exc)
        return f"cannot embed: {exc}"
    return f"{count} sections embedded"
