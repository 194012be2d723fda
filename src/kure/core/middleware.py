"""Turns domain errors that escape a view into a clear page or JSON answer, never a stack trace."""

from django.http import HttpRequest, HttpResponse, JsonResponse

from .errors import KureError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, KureError):
            return None
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {"error": exception.code, "message": exception.message, **exception.details},
                status=exception.status,
                json_dumps_params={"ensure_ascii": False},
            )
        from .views import error_page

        return error_page(request, exception.status, exception.message)
