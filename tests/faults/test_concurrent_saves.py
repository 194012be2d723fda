"""Twenty editors save on top of the same revision at the same instant, each on its own database connection:
exactly one edit is saved, every other one gets ``EditConflict``, and no revision is lost or doubled.

On SQLite the writers queue (WAL, ``BEGIN IMMEDIATE``, a 20 s busy timeout, see settings); on PostgreSQL
(``make test-postgres``) the article row is locked with ``SELECT … FOR UPDATE``."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from kure.articles import services
from kure.articles.models import Article, Revision
from kure.core.errors import EditConflict

from .conftest import in_thread

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 20


def test_twenty_simultaneous_saves_from_the_same_head_keep_exactly_one(author, server_database):
    first = services.create_article(author=author, title="Eşzamanlı", body="İlk metin.")
    article_pk, head_pk = first.article_id, first.pk
    before = Revision.objects.filter(article_id=article_pk).count()
    start = threading.Barrier(EDITORS)

    def save(n: int):
        try:
            article = Article.objects.get(pk=article_pk)
            start.wait(timeout=30)
            revision = services.save_revision(article=article, author=author, title="Eşzamanlı",
                                              body=f"Düzenleme {n}.", base_revision=head_pk)
            return ("saved", revision.pk, n)
        except EditConflict as conflict:
            return ("conflict", conflict, n)
        except Exception as exc:  # noqa: BLE001 - anything else is what this test looks for
            return ("error", exc, n)
        finally:
            connection.close()  # this thread's own connection

    with server_database():
        with ThreadPoolExecutor(max_workers=EDITORS) as pool:
            results = list(pool.map(save, range(EDITORS)))

        def state():
            article = Article.objects.select_related("head_revision").get(pk=article_pk)
            head = article.head_revision
            return Revision.objects.filter(article_id=article_pk).count(), head.pk, head.body, head.base_id

        after, head_now, head_body, head_base = in_thread(state)

    errors = [(n, repr(exc)) for kind, exc, n in results if kind == "error"]
    assert errors == []
    saved = [(pk, n) for kind, pk, n in results if kind == "saved"]
    assert len(saved) == 1
    assert sum(kind == "conflict" for kind, _, _ in results) == EDITORS - 1
    ((winner_pk, winner_n),) = saved
    assert after == before + 1
    assert (head_now, head_body, head_base) == (winner_pk, f"Düzenleme {winner_n}.\n", head_pk)
    # Each loser is told which revision won, and keeps its own text to merge.
    for kind, conflict, n in results:
        if kind == "conflict":
            assert conflict.details["current_revision"] == winner_pk
            assert conflict.details["your_body"].strip() == f"Düzenleme {n}."
