"""Notification pages and follow buttons. Thin: parse, call one service or selector, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..core import languages
from . import selectors, services
from .models import NotificationKind

PER_PAGE = 50


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                         require_https=request.is_secure())


@login_required
def notifications_page(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    raw_page = request.GET.get("page", "")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
    items = selectors.notifications_of(person=request.user, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    rows = [{"notification": n, "text": n.text(lang)} for n in items[:PER_PAGE]]
    return render(request, "notifications/list.html", {
        "rows": rows, "any_unread": any(not n.is_read for n in items),
        "previous_url": f"?page={page - 1}" if page > 1 else "",
        "next_url": f"?page={page + 1}" if len(items) > PER_PAGE else "",
    })


@login_required
@require_POST
def mark_all_read(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    services.mark_all_read(person=request.user)
    return redirect("notifications:list", lang=lang)


@login_required
def open_notification(request: HttpRequest, lang: str, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    languages.require(lang)
    notification = services.mark_read(person=request.user, notification_id=pk)
    if not _safe(request, notification.url):
        return redirect("notifications:list", lang=lang)
    return redirect(notification.url)


@login_required
def settings_page(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    if request.method == "POST":
        services.update_settings(person=request.user, email_kinds=request.POST.getlist("email"),
                                 daily_digest=request.POST.get("daily_digest") == "on",
                                 language=request.POST.get("language", ""))
        messages.success(request, languages.ui_strings(lang)["settings_saved"])
        return redirect("notifications:settings", lang=lang)
    current = selectors.settings_of(person=request.user)
    ui = languages.ui_strings(lang)
    return render(request, "notifications/settings.html", {
        "prefs": current,
        "email_choices": [(kind, ui[f"email_for_{kind}"], current.wants_email(kind))
                          for kind in NotificationKind.values],
        "email_language": current.language or (lang if not current.pk else ""),
        "followed": selectors.followed_items(person=request.user, language=lang),
        "categories": selectors.categories(),
    })


def _after_follow(request: HttpRequest, lang: str, kind: str, target_id: str) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if _safe(request, next_url):
        return redirect(next_url)
    return redirect("notifications:settings", lang=lang)


@login_required
@require_POST
def follow(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    kind, target_id = request.POST.get("kind", ""), request.POST.get("target", "")
    services.follow(person=request.user, kind=kind, target_id=target_id)
    return _after_follow(request, lang, kind, target_id)


@login_required
@require_POST
def unfollow(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    kind, target_id = request.POST.get("kind", ""), request.POST.get("target", "")
    services.unfollow(person=request.user, kind=kind, target_id=target_id)
    return _after_follow(request, lang, kind, target_id)
