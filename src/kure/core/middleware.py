"""Turns domain errors that escape a view into a clear page or JSON answer, never a stack trace."""

from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import KureError, RateLimited


class LanguageFromPathMiddleware:
    """The URL's first part (/tr/…, /en/…) picks the interface language; other paths use the default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation

        from . import languages

        code = languages.from_path(request.path)
        if request.path.startswith("/api/") and languages.is_valid(request.GET.get("lang", "")):
            code = request.GET["lang"]
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        translation.deactivate()
        return response


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, KureError):
            return None
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response: HttpResponse = JsonResponse(
                {"error": exception.code, "message": exception.message, **exception.details},
                status=exception.status,
                json_dumps_params={"ensure_ascii": False},
            )
        else:
            from .views import error_page

            response = error_page(request, exception.status, exception.message)
        if isinstance(exception, RateLimited) and "retry_after" in exception.details:
            response["Retry-After"] = str(exception.details["retry_after"])  # for clients that wait and retry
        return response
