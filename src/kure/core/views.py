from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control

from ..articles import selectors
from . import languages


def root_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("home", lang=languages.default())


def home(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    recent = list(selectors.articles_recently_added(limit=12).prefetch_related("tags"))
    categories = list(selectors.root_categories().prefetch_related("children"))
    return render(request, "home.html", {"recent": recent, "categories": categories})


@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /api/",
        *[f"Disallow: /{code}/desk/" for code in languages.codes()],
        *[f"Disallow: /{code}/articles/*/edit/" for code in languages.codes()],
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


TITLES = {400: "bad_request", 403: "forbidden", 404: "page_not_found", 409: "conflict"}


def error_page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    context = {"status": status, "title_key": TITLES.get(status, "bad_request"), "message": message,
               "recent": [], "path": request.path}
    if status == 404:
        try:
            context["recent"] = list(selectors.articles_recently_added(limit=5))
        except Exception:  # the database itself may be what failed; the 404 page must still render
            context["recent"] = []
    return render(request, "status.html", context, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = getattr(exception, "message", None) or "There is no page at this address."
    return error_page(request, 404, message)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403, str(exception) or "You are not allowed to do that.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400, "The request could not be understood.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, gettext("The form had expired or came from another site. Go back, reload the "
                                            "page and send it again: what you typed is still in your browser's "
                                            "form."))


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", {"site_name": settings.KURE_SITE_NAME}, status=500)


def media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded file, from MEDIA_ROOT as it is set now (read per request, not when the URLs were loaded)."""
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)
