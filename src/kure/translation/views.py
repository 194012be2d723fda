"""Translated article pages, the side-by-side post-editor, and translation review. Thin over services."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from ..articles import selectors as article_selectors
from ..articles.models import Article, ReviewState
from ..core import languages
from ..core.errors import InvalidInput, PermissionDenied
from . import selectors, services
from .models import TranslationStatus


def translated_detail(request: HttpRequest, lang: str, article: Article) -> HttpResponse:
    """An article in a language other than its original: the translation with an honest notice, or why not."""
    translation = selectors.readable_translation(article=article, language=lang)
    ui = languages.ui_strings(lang)
    if translation is None:
        in_progress = selectors.translation_in_progress(article=article, language=lang)
        message = ui["not_in_language"].format(language=languages.name(lang))
        return render(request, "articles/not_translated.html", {
            "article": article, "message": message, "in_progress": in_progress,
        }, status=404)
    revision = article.published_revision
    dates = [s.get("changed_at") for s in revision.sections if s["level"] > 0]
    toc = []
    headings = [s for s in translation.sections if s["level"] > 0]
    for position, section in enumerate(headings):
        changed = dates[position] if len(dates) == len(headings) else None
        toc.append({"anchor": section["anchor"], "heading": section["heading"], "level": section["level"],
                    "changed_at": datetime.fromisoformat(changed) if changed else None})
    user = request.user
    context = {
        "notice": _notice(translation, ui, languages.name(article.original_language)),
        "article": article,
        "revision": revision,
        "translation": translation,
        "title": translation.title,
        "html": selectors.translated_page_html(translation),
        "toc": toc,
        "tags": list(article.tags.all()),
        "breadcrumb": article.category.ancestors() if article.category else [],
        "is_recent": article_selectors.is_recently_added(article),
        "summary": "",
        "article_languages": selectors.article_languages(article=article),
        "original_url": article.get_absolute_url(),
        "original_language_name": languages.name(article.original_language),
        "post_editors": list(translation.post_editors.all()),
        "can_post_edit": user.is_authenticated and user.has_perm("translation.change_translationsegment"),
        "canonical": request.build_absolute_uri(request.path),
    }
    return render(request, "articles/detail.html", context)


def _notice(translation, ui: dict, original_name: str) -> dict:
    """What the reader is told about how this translation was made and how much a person checked."""
    lines = []
    editors = ", ".join(p.display_name for p in translation.post_editors.all())
    if translation.status == TranslationStatus.REVIEWED:
        names = ", ".join(n for n in [editors, translation.reviewed_by.display_name if translation.reviewed_by else ""]
                          if n)
        lines.append(ui["reviewed_by"].format(names=names))
    else:
        lines.append(ui["mt_notice"].format(language=original_name))
        if editors:
            lines.append(ui["post_edited_by"].format(names=editors))
    if translation.status == TranslationStatus.PARTIAL:
        lines.append(ui["mt_partial"].format(count=translation.segments_untranslated,
                                             total=translation.segments_total, language=original_name))
    if translation.status != TranslationStatus.REVIEWED:
        lines.append(ui["checked_share"].format(checked=translation.segments_checked, total=translation.segments_total))
    return {"lines": lines, "stale": translation.is_stale, "status": translation.status}


def _require_translator(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not request.user.has_perm("translation.change_translationsegment"):
        raise PermissionDenied("Only translators and editors can post-edit translations.")


def post_editor(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    """Side by side: source, current translation (editable), glossary hints and the memory's suggestion."""
    languages.require(lang)
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    _require_translator(request)
    article = article_selectors.published_article(slug=slug)
    translation = selectors.translation_for_editing(article=article, language=lang)
    error, typed, status = None, {}, 200
    if request.method == "POST":
        typed = {int(k.removeprefix("seg-")): v for k, v in request.POST.items()
                 if k.startswith("seg-") and k.removeprefix("seg-").isdigit()}
        try:
            translation = services.post_edit(translation=translation, editor=request.user, edits=typed)
            if request.POST.get("action") == "submit":
                services.submit_translation(translation=translation, actor=request.user)
            return redirect(request.path + "?saved=1")
        except InvalidInput as exc:
            error, status = exc.message, 400
    rows = selectors.segments_for_editing(translation=translation)
    for row in rows:
        row["typed"] = typed.get(row["segment"].index, row["segment"].target_text)
    return render(request, "translation/post_edit.html", {
        "article": article, "translation": translation, "rows": rows, "error": error,
        "saved": request.GET.get("saved") == "1", "source_language": languages.name(article.original_language),
        "target_language": languages.name(lang), "events": translation.events.select_related("actor"),
        "can_review": request.user.has_perm("articles.review_revision")
        and translation.review_state == ReviewState.SUBMITTED,
    }, status=status)


def review(request: HttpRequest, lang: str, slug: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("translation:edit", lang=lang, slug=slug)
    if not request.user.is_authenticated or not request.user.has_perm("articles.review_revision"):
        raise PermissionDenied("Only editors review translations.")
    article = article_selectors.published_article(slug=slug)
    translation = selectors.translation_for_editing(article=article, language=lang)
    services.review_translation(translation=translation, editor=request.user,
                                approve=request.POST.get("action") == "approve",
                                comment=request.POST.get("comment", ""))
    return redirect(translation.article.get_absolute_url(lang) if translation.status == TranslationStatus.REVIEWED
                    else f"/{lang}/articles/{slug}/translate/")
