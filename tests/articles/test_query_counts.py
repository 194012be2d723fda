"""An article page costs a fixed number of database queries, however many tags, sections, threads, replies and
languages it shows (no query per item: no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kure.articles import services
from kure.articles.models import Article
from kure.discussions import services as discussions

pytestmark = pytest.mark.django_db
# The page reads the article with its revision, category, author and tags, its languages, its discussions and
# their counts. Raising this number is a decision to write down, not a test to loosen in passing.
MAX_QUERIES = 10


def _article(author, editor, other_author, *, title: str, size: int) -> Article:
    sections = "\n\n".join(f"## Bölüm {i}\n\nBölüm {i} hakkında bir cümle.\n\n### Alt bölüm {i}\n\nBir cümle daha."
                           for i in range(size))
    category = services.ensure_category(path_names=[f"Kategori {size}", f"Alt kategori {size}"])
    revision = services.create_article(author=author, title=title, body=f"Giriş cümlesi.\n\n{sections}",
                                       category=category, tags=[f"Etiket {size} {i}" for i in range(size)],
                                       submit=True)
    services.approve_revision(revision=revision, editor=editor)
    article = Article.objects.get(pk=revision.article_id)
    for i in range(size):
        thread = discussions.start_thread(article=article, author=other_author if i % 2 else author,
                                          title=f"Soru {i}", body="Bir soru.")
        for j in range(size):
            discussions.reply(thread=thread, author=editor, body=f"Yanıt {j}.")
    return article


def _queries(client, path: str) -> list[str]:
    client.get(path)  # warm the per-process caches (templates, content types) once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_article_page_costs_the_same_few_queries_for_one_or_many_items(client, author, other_author, editor):
    small = _article(author, editor, other_author, title="Küçük madde", size=1)
    large = _article(author, editor, other_author, title="Büyük madde", size=8)
    small_queries = _queries(client, f"/tr/articles/{small.slug}/")
    large_queries = _queries(client, f"/tr/articles/{large.slug}/")
    assert len(large_queries) == len(small_queries), "\n".join(large_queries)
    assert len(large_queries) <= MAX_QUERIES, "\n".join(large_queries)
    # the items are really on the page
    page = client.get(f"/tr/articles/{large.slug}/").content.decode()
    assert "Etiket 8 7" in page and "Bölüm 7" in page and "Soru 7" in page


def test_the_listing_pages_cost_the_same_queries_for_one_or_many_articles(client, author, other_author, editor):
    _article(author, editor, other_author, title="Birinci madde", size=1)
    one = {path: len(_queries(client, path)) for path in ("/tr/", "/tr/categories/", "/tr/people/ayse/")}
    for n in range(4):
        _article(author, editor, other_author, title=f"Ek madde {n}", size=2)
    many = {path: len(_queries(client, path)) for path in ("/tr/", "/tr/categories/", "/tr/people/ayse/")}
    assert many == one
