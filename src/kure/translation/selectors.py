"""Reads for translations: what a reader of another language gets, and what post-editors work on."""

import re

from django.db.models import QuerySet

from ..articles.models import Article
from ..core import languages
from ..core.errors import NotFound
from . import glossary, memory
from .models import JobState, Translation, TranslationJob, TranslationStatus

# Reassembly wraps text still in the original language in these private-use characters; after rendering they
# become a marked span, so readers see which sentences are not translated yet.
UNTRANSLATED_OPEN, UNTRANSLATED_CLOSE = "\ue000", "\ue001"
_UNTRANSLATED = re.compile(f"{UNTRANSLATED_OPEN}(.*?){UNTRANSLATED_CLOSE}", re.DOTALL)


def readable_translation(*, article: Article, language: str) -> Translation | None:
    """The translation readers get, or None when there is nothing translated in that language."""
    return (Translation.objects.select_related("reviewed_by", "source_revision")
            .filter(article=article, language=language)
            .exclude(status=TranslationStatus.UNAVAILABLE).first())


def latest_translation(*, article: Article, language: str) -> Translation | None:
    return Translation.objects.select_related("source_revision").filter(article=article, language=language).first()


def translation_for_editing(*, article: Article, language: str) -> Translation:
    translation = Translation.objects.select_related("source_revision").filter(article=article,
                                                                                language=language).first()
    if translation is None:
        raise NotFound(f"“{article.title}” has no {languages.name(language)} translation yet; it is made after "
                       "the article is published.")
    return translation


def article_languages(*, article: Article) -> list[tuple[str, str]]:
    """The original language first, then every language a readable translation exists in."""
    codes = [article.original_language]
    codes += list(Translation.objects.filter(article=article).exclude(status=TranslationStatus.UNAVAILABLE)
                  .values_list("language", flat=True).order_by("language"))
    return [(code, languages.name(code)) for code in codes]


def translation_in_progress(*, article: Article, language: str) -> bool:
    return TranslationJob.objects.filter(article=article, language=language,
                                         state__in=[JobState.QUEUED, JobState.RUNNING, JobState.RETRYING]).exists()


def translated_page_html(translation: Translation) -> str:
    """The translation's HTML with wiki links pointing at the linked article in this language where a
    translation exists, else at its original (two queries)."""
    from ..articles import markup
    from ..articles.selectors import published_articles

    targets = markup.wiki_targets(translation.html)
    if not targets:
        return translation.html
    found = dict(published_articles().filter(slug__in=targets).values_list("slug", "original_language"))
    translated = set(Translation.objects.filter(article__slug__in=found, language=translation.language)
                     .exclude(status=TranslationStatus.UNAVAILABLE).values_list("article__slug", flat=True))
    existing = {slug: f"/{translation.language if slug in translated else lang}/articles/{slug}/"
                for slug, lang in found.items()}
    return markup.resolve_wiki_links(translation.html, existing, language=translation.language)


def mark_untranslated(html: str, *, language: str, title: str) -> str:
    return _UNTRANSLATED.sub(
        lambda m: f'<span class="untranslated" lang="{language}" title="{title}">{m.group(1)}</span>', html)


def strip_markers(text: str) -> str:
    return text.replace(UNTRANSLATED_OPEN, "").replace(UNTRANSLATED_CLOSE, "")


def segments_for_editing(*, translation: Translation) -> list[dict]:
    """Segments with their glossary hints and the memory's suggestion, for the side-by-side editor."""
    segments = list(translation.segments.select_related("edited_by").order_by("index"))
    source, target = translation.article.original_language, translation.language
    terms = glossary.terms_for(source_language=source, target_language=target)
    matches = memory.lookup(source_language=source, target_language=target, texts=[s.source_text for s in segments])
    rows = []
    for segment in segments:
        match = matches.get(memory.key_of(segment.source_text))
        rows.append({
            "segment": segment,
            "hints": glossary.hints(terms, segment.source_text, source),
            "memory": match if match and match.target_text != segment.target_text else None,
        })
    return rows


def translations_needing_attention() -> QuerySet[Translation]:
    """Translations with flagged or untranslated segments, or waiting for review."""
    from django.db.models import Q

    from ..articles.models import ReviewState

    return (Translation.objects.select_related("article")
            .filter(Q(segments_flagged__gt=0) | Q(segments_untranslated__gt=0)
                    | Q(review_state=ReviewState.SUBMITTED)).order_by("-updated_at"))


