"""How articles, revisions and people look in JSON. The shapes are documented in ``openapi.py``."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from ..accounts.models import User
from ..articles import selectors
from ..articles.models import Article, Revision


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def person(request: HttpRequest, user: User, language: str | None = None) -> dict[str, Any]:
    return {"username": user.username, "name": user.display_name,
            "url": request.build_absolute_uri(user.get_absolute_url(language))}


def article_item(request: HttpRequest, article: Article) -> dict[str, Any]:
    return {
        "slug": article.slug,
        "title": article.title,
        "language": article.original_language,
        "published_at": iso(article.first_published_at),
        "url": request.build_absolute_uri(article.get_absolute_url()),
    }


def article_detail(request: HttpRequest, article: Article, language: str) -> dict[str, Any]:
    """The published article as readers see it, in ``language`` (for now only its original language)."""
    revision = article.published_revision
    return {
        "title": article.title,
        "slug": article.slug,
        "language": language,
        "url": request.build_absolute_uri(article.get_absolute_url(language)),
        "category": article.category.path if article.category else None,
        "category_name": article.category.name if article.category else None,
        "tags": [tag.name for tag in article.tags.all()],
        "author": person(request, article.created_by, language),
        "revision_id": revision.pk,
        "revision_number": revision.number,
        "published_at": iso(article.first_published_at),
        "updated_at": iso(article.last_published_at),
        "summary": article.summary,
        "sections": [{"anchor": entry.anchor, "heading": entry.heading, "level": entry.level}
                     for entry in selectors.table_of_contents(revision)],
        "html": selectors.page_html(revision, language=language),
    }


def translation_info(translation, language: str) -> dict[str, Any]:
    """How a translation was made: the counts are those of the most recent job for that article and language."""
    if translation is None:
        return {"status": "unavailable", "language": language, "engine": None, "source_revision": None,
                "stale": False, "segments_total": 0, "segments_from_memory": 0, "segments_machine": 0,
                "segments_untranslated": 0, "segments_checked": 0}
    return {
        "status": translation.status.replace("_", "-"),
        "language": translation.language,
        "engine": translation.engine or None,
        "model": translation.model or None,
        "source_revision": translation.source_revision_id,
        "stale": translation.is_stale,
        "segments_total": translation.segments_total,
        "segments_from_memory": translation.segments_from_memory,
        "segments_machine": translation.segments_machine,
        "segments_untranslated": translation.segments_untranslated,
        "segments_checked": translation.segments_checked,
        "segments_flagged": translation.segments_flagged,
        "reviewed_by": translation.reviewed_by.display_name if translation.reviewed_by else None,
    }


def translated_article_detail(request: HttpRequest, article: Article, translation) -> dict[str, Any]:
    """The article in a translation's language: translated title, sections and HTML, plus how it was made."""
    data = article_detail(request, article, translation.language)
    data.update({
        "title": translation.title,
        "summary": "",
        "sections": [{"anchor": s["anchor"], "heading": s["heading"], "level": s["level"]}
                     for s in translation.sections if s["level"] > 0],
        "html": translation.html,
        "original_language": article.original_language,
        "translation": translation_info(translation, translation.language),
    })
    return data


def revision_url(request: HttpRequest, revision: Revision) -> str:
    return request.build_absolute_uri(reverse(
        "api:revision", kwargs={"slug": revision.article.slug, "number": revision.number}))


def revision_item(request: HttpRequest, revision: Revision) -> dict[str, Any]:
    return {
        "id": revision.pk,
        "number": revision.number,
        "title": revision.title,
        "author": person(request, revision.author),
        "created_at": iso(revision.created_at),
        "state": revision.state,
        "edit_summary": revision.edit_summary,
        "base_revision": revision.base_id,
        "url": revision_url(request, revision),
    }


def revision_detail(request: HttpRequest, revision: Revision) -> dict[str, Any]:
    """A revision with its source text: what an edit starts from."""
    return {
        **revision_item(request, revision),
        "article": revision.article.slug,
        "body": revision.body,
        "sections": [{"anchor": s["anchor"], "heading": s["heading"], "level": s["level"]}
                     for s in revision.sections if s["level"] > 0],
        "html": selectors.page_html(revision, language=revision.article.original_language),
    }


def revision_written(request: HttpRequest, revision: Revision) -> dict[str, Any]:
    """The answer to a new article or a new revision."""
    return {"slug": revision.article.slug, "revision_id": revision.pk, "revision_number": revision.number,
            "state": revision.state, "url": revision_url(request, revision)}
