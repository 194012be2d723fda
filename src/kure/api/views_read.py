"""Reading through the API: published articles for anyone, drafts too for authors' tokens."""

from django.http import HttpRequest, HttpResponse

from ..articles import selectors
from ..articles.models import Article, ReviewState
from ..core import languages
from ..core.errors import NotFound
from ..translation import selectors as translation_selectors
from ..translation.models import TranslationStatus
from . import presenters
from .http import json_response, paginate
from .openapi import DOCUMENT


def _visible_article(request: HttpRequest, slug: str) -> Article:
    """The article behind ``slug``: any article for authors, only published ones for everyone else."""
    if selectors.can_see_unpublished(request.user):
        return selectors.article_by_slug(slug=slug)
    return selectors.published_article(slug=slug)


def article_list(request: HttpRequest) -> HttpResponse:
    articles = selectors.published_articles().order_by("-first_published_at", "-id")
    return json_response(paginate(request, articles, lambda a: presenters.article_item(request, a)))


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    language = request.GET.get("lang", "")
    if language and not languages.is_valid(language):
        known = languages.codes()
        raise NotFound(f"Unknown language “{language[:20]}”. "
                       f"This encyclopedia is published in: {', '.join(known)}.", languages=known)
    # What readers see, whoever asks: drafts are read through the revisions endpoints.
    article = selectors.published_article(slug=slug)
    language = language or article.original_language
    if language != article.original_language:
        translation = translation_selectors.latest_translation(article=article, language=language)
        if translation is None or translation.status == TranslationStatus.UNAVAILABLE:
            available = [code for code, _ in translation_selectors.article_languages(article=article)]
            raise NotFound(
                f"“{article.title}” has no {languages.name(language)} translation yet; "
                f"it is written in {languages.name(article.original_language)}.",
                language=language, available_languages=available,
                translation=presenters.translation_info(translation, language))
        return json_response(presenters.translated_article_detail(request, article, translation))
    return json_response(presenters.article_detail(request, article, language))


def revision_list(request: HttpRequest, slug: str) -> HttpResponse:
    article = _visible_article(request, slug)
    revisions = selectors.history(article=article)
    if not selectors.can_see_unpublished(request.user):
        revisions = revisions.filter(state=ReviewState.APPROVED)
    return json_response(paginate(request, revisions, lambda r: presenters.revision_item(request, r)))


def revision_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = _visible_article(request, slug)
    revision = selectors.revision_by_number(article=article, number=number)
    if revision.state != ReviewState.APPROVED and not selectors.can_see_unpublished(request.user):
        # Not 403: whether an unpublished draft exists is not the caller's business.
        raise NotFound(f"“{article.title or article.slug}” has no published revision {number}.")
    return json_response(presenters.revision_detail(request, revision))


def openapi_document(request: HttpRequest) -> HttpResponse:
    return json_response(DOCUMENT)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    hint = " API addresses have no trailing slash." if request.path.endswith("/") and path else ""
    raise NotFound(f"There is no API endpoint at {request.path}.{hint} "
                   "The endpoints are described in /api/v1/openapi.json.", path=request.path)
