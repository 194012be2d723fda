"""Reader-facing pages: the article, its history and diffs, categories and tags. Thin: selectors do the work."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..core import languages
from ..core.errors import InvalidInput, NotFound
from ..translation import selectors as translation_selectors
from ..translation import views as translation_views
from . import selectors
from .diff import word_diff
from .models import Article, ReviewState, Revision


def _json_ld(request: HttpRequest, article: Article, revision: Revision, summary: str, tags: list) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title,
        "inLanguage": article.original_language,
        "datePublished": article.first_published_at.isoformat() if article.first_published_at else None,
        "dateModified": article.last_published_at.isoformat() if article.last_published_at else None,
        "author": {"@type": "Person", "name": article.created_by.display_name,
                   "url": request.build_absolute_uri(article.created_by.get_absolute_url(article.original_language))},
        "description": summary,
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "keywords": [t.name for t in tags],
    }
    if article.lead_image:
        data["image"] = request.build_absolute_uri(article.lead_image.url)
    if article.category:
        data["articleSection"] = article.category.name
    # Escape "<" so no text in the data can close the surrounding script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def detail(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    languages.require(lang)
    article = selectors.article_by_slug(slug=slug, for_reading=True)
    if not article.is_published:
        if selectors.can_see_unpublished(request.user) and article.head_revision:
            return redirect(article.head_revision.get_absolute_url())
        raise NotFound(f"The article “{slug}” has not been published yet.")
    if lang != article.original_language:
        return translation_views.translated_detail(request, lang, article)
    revision = article.published_revision
    summary = article.summary
    tags = list(article.tags.all())
    context = {
        "article": article,
        "title": article.title,
        "revision": revision,
        "html": selectors.page_html(revision, language=lang),
        "toc": selectors.table_of_contents(revision),
        "tags": tags,
        "breadcrumb": article.category.ancestors() if article.category else [],
        "is_recent": selectors.is_recently_added(article),
        "summary": summary,
        "summary_by_editor": bool(article.summary_override),
        "article_languages": translation_selectors.article_languages(article=article),
        "pending": selectors.pending_revision(article=article) if selectors.can_see_unpublished(request.user) else None,
        "json_ld": _json_ld(request, article, revision, summary, tags),
        "canonical": request.build_absolute_uri(article.get_absolute_url()),
        "can_edit": selectors.can_see_unpublished(request.user),
        "is_editor": request.user.is_authenticated and request.user.has_perm("articles.review_revision"),
    }
    return render(request, "articles/detail.html", context)


def history(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    languages.require(lang)
    article = selectors.article_by_slug(slug=slug)
    revisions = selectors.history(article=article).prefetch_related("events__actor")
    if not selectors.can_see_unpublished(request.user):
        if not article.is_published:
            raise NotFound(f"The article “{slug}” has not been published yet.")
        revisions = revisions.filter(state=ReviewState.APPROVED)
    return render(request, "articles/history.html", {
        "article": article, "revisions": revisions,
        "is_editor": request.user.is_authenticated and request.user.has_perm("articles.review_revision"),
    })


def _visible_revision(request: HttpRequest, article: Article, number: int) -> Revision:
    revision = selectors.revision_by_number(article=article, number=number)
    if revision.state != ReviewState.APPROVED and not selectors.can_see_unpublished(request.user):
        raise NotFound(f"Revision {number} of “{article.title or article.slug}” is not public.")
    return revision


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(f"“{name}” must be a revision number, not “{value[:40]}”.")
    return int(value)


def diff(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    languages.require(lang)
    article = selectors.article_by_slug(slug=slug)
    if selectors.can_see_unpublished(request.user) and article.head_revision:
        newest = article.head_revision.number
    else:
        newest = article.published_revision.number if article.published_revision else 0
    to_number = _int_param(request, "to") or newest
    from_number = _int_param(request, "from") or max(to_number - 1, 1)
    new = _visible_revision(request, article, to_number)
    old = _visible_revision(request, article, from_number)
    body_diff, stats = word_diff(old.body, new.body)
    title_diff, _ = word_diff(old.title, new.title)
    return render(request, "articles/diff.html", {
        "article": article, "old": old, "new": new, "body_diff": body_diff, "title_diff": title_diff,
        "stats": stats,
    })


def revision(request: HttpRequest, lang: str, slug: str, number: int) -> HttpResponse:
    languages.require(lang)
    article = selectors.article_by_slug(slug=slug)
    rev = _visible_revision(request, article, number)
    user = request.user
    return render(request, "articles/revision.html", {
        "article": article, "revision": rev, "html": selectors.page_html(rev, language=article.original_language),
        "events": rev.events.select_related("actor"),
        "can_submit": user.is_authenticated and rev.state in {ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED}
        and (user.pk == rev.author_id or user.has_perm("articles.review_revision")),
        "can_review": user.is_authenticated and user.has_perm("articles.review_revision")
        and rev.state == ReviewState.SUBMITTED and user.pk != rev.author_id,
        "toc": selectors.table_of_contents(rev),
    })


def category_index(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    return render(request, "articles/category_index.html",
                  {"categories": selectors.root_categories().prefetch_related("children")})


def category(request: HttpRequest, lang: str, path: str) -> HttpResponse:
    languages.require(lang)
    cat = selectors.category_by_path(path=path)
    return render(request, "articles/category.html", {
        "category": cat, "breadcrumb": cat.ancestors(), "children": cat.children.all(),
        "articles": selectors.articles_in_category(category=cat),
    })


def tag(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    languages.require(lang)
    tag_obj = selectors.tag_by_slug(slug=slug)
    return render(request, "articles/tag.html", {"tag": tag_obj, "articles": selectors.articles_with_tag(tag=tag_obj)})
