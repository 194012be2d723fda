"""Reporting a mistake without an account, the editors' queue of reports, and the editors' desk. Thin views.

The report form works without JavaScript and shows what was typed again on every error.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from ..core import languages, throttle
from ..core.errors import InvalidInput, KureError, NotFound, PermissionDenied
from ..search.views import localized
from . import desk, selectors, services
from .models import DESCRIPTION_LIMIT, ReportKind, ReportStatus

HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it


def _editors_only(request: HttpRequest, message: str, next_url: str = "") -> HttpResponse | None:
    """A redirect to sign in for a signed-out person; ``PermissionDenied`` for anyone who is not an editor."""
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?{urlencode({'next': next_url or request.get_full_path()})}")
    if not request.user.has_perm("articles.review_revision"):
        raise PermissionDenied(gettext(message))
    return None


def new_report(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    data = request.POST if request.method == "POST" else request.GET
    slug, section = data.get("article", ""), data.get("section", "")
    target = selectors.report_target(slug=slug, language=lang, section=section)
    typed = {"kind": data.get("kind", ReportKind.TRANSLATION if target.translation else ReportKind.FACT),
             "description": data.get("description", ""), "contact": data.get("contact", "")}
    error, problems, status = "", {}, 200
    if request.method == "POST":
        try:
            throttle.check(request, "report")
            if not request.POST.get(HONEYPOT):
                services.report_mistake(article_slug=target.article.slug, language=lang, section=target.anchor,
                                        kind=typed["kind"], description=typed["description"],
                                        contact=typed["contact"])
            return redirect(f"/{lang}/reports/thanks/?" + urlencode({"article": target.article.slug}))
        except KureError as exc:
            error, status = localized(exc), exc.status
            problems = {name: gettext(text) for name, text in exc.details.get("problems", {}).items()}
    ui = languages.ui_strings(lang)
    kinds = [(value, ui[f"report_kind_{value}"]) for value in ReportKind.values
             if value != ReportKind.TRANSLATION or target.translation is not None]
    return render(request, "reports/new.html", {
        "target": target, "typed": typed, "error": error, "problems": problems, "kinds": kinds,
        "limit": DESCRIPTION_LIMIT, "honeypot": HONEYPOT,
    }, status=status)


def thanks(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    try:
        target = selectors.report_target(slug=request.GET.get("article", ""), language=lang)
    except NotFound:
        target = None
    return render(request, "reports/thanks.html", {"target": target})


def _queue_page(request: HttpRequest, lang: str, *, status: str, error: str = "", failed: int | None = None,
                note: str = "", http_status: int = 200) -> HttpResponse:
    reports = selectors.open_reports() if status == ReportStatus.OPEN else selectors.reports(status=status)
    return render(request, "reports/queue.html", {
        "reports": reports[:200], "status": status, "statuses": [*ReportStatus.values, "all"],
        "error": error, "failed": failed, "note": note,
    }, status=http_status)


def queue(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    if response := _editors_only(request, "Only editors see the reported mistakes."):
        return response
    return _queue_page(request, lang, status=request.GET.get("status", ReportStatus.OPEN))


@require_POST
def decide(request: HttpRequest, lang: str, pk: int) -> HttpResponse:
    languages.require(lang)
    if response := _editors_only(request, "Only editors resolve or dismiss reported mistakes.", f"/{lang}/reports/"):
        return response
    report = selectors.report_by_id(pk=pk)
    action, note = request.POST.get("action"), request.POST.get("note", "")
    try:
        if action == "resolve":
            services.resolve_report(report=report, editor=request.user, note=note)
        elif action == "dismiss":
            services.dismiss_report(report=report, editor=request.user, note=note)
        else:
            raise InvalidInput("Choose “Resolve” or “Dismiss”.")
    except InvalidInput as exc:
        return _queue_page(request, lang, status=ReportStatus.OPEN, error=localized(exc), failed=report.pk,
                           note=note, http_status=400)
    return redirect(f"/{lang}/reports/")


def desk_overview(request: HttpRequest, lang: str) -> HttpResponse:
    """The editors' desk: one short list per kind of work that waits, or one list in full (``?show=``)."""
    languages.require(lang)
    if response := _editors_only(request, "Only editors see the editors’ desk."):
        return response
    show = request.GET.get("show", "")
    if show and show not in desk.SECTIONS:
        raise NotFound(f"The desk has no list “{show[:40]}”.")
    return render(request, "reports/desk.html", {
        "sections": desk.desk_sections(language=lang, only=show), "show": show,
    })
