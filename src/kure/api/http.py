"""The API's plumbing: method dispatch, bearer-token authentication, JSON in and out.

Domain errors raised by views, services and the helpers here are turned into JSON by
``kure.core.middleware.DomainErrorMiddleware``. Only the answers that need headers the middleware cannot add
(401 with ``WWW-Authenticate``, 405 with ``Allow``) are built here.
"""

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from ..core.errors import InvalidInput, KureError
from . import services

Handler = Callable[..., HttpResponse]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_COUNT = re.compile(r"[0-9]{1,9}")  # ASCII digits only, and few enough that the database takes the number


class PayloadTooLarge(KureError):
    status = 413
    code = "too_large"


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse(data, status=status, headers=headers, safe=isinstance(data, dict),
                        json_dumps_params={"ensure_ascii": False})


def _unauthorized(message: str, *, invalid: bool) -> JsonResponse:
    challenge = 'Bearer realm="kure"' + (', error="invalid_token"' if invalid else "")
    return json_response({"error": "unauthorized", "message": message}, status=401,
                         headers={"WWW-Authenticate": challenge})


def _bearer(request: HttpRequest) -> tuple[str | None, str | None]:
    """(token, problem): the bearer token sent, or why the Authorization header is unusable."""
    header = request.headers.get("Authorization", "").strip()
    if not header:
        return None, None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "Send the token as “Authorization: Bearer <token>”."
    return token.strip(), None


def endpoint(**handlers: Handler) -> Handler:
    """One URL's view: picks the handler for the request method and authenticates the caller.

    Only a bearer token identifies a caller: a session cookie is ignored, which is also why CSRF does not
    apply. A token that is sent must be valid, even for reads; writes need one.
    """
    allowed = sorted({*handlers, "OPTIONS", *(["HEAD"] if "GET" in handlers else [])})
    allow_header = ", ".join(allowed)

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        method = request.method or "GET"
        if method == "OPTIONS":
            return HttpResponse(status=204, headers={"Allow": allow_header})
        handler = handlers.get("GET" if method == "HEAD" else method)
        if handler is None:
            return json_response(
                {"error": "method_not_allowed", "allowed_methods": allowed,
                 "message": f"{method} is not allowed here; use {allow_header}."},
                status=405, headers={"Allow": allow_header})
        secret, problem = _bearer(request)
        if problem:
            return _unauthorized(problem, invalid=True)
        user = services.authenticate_token(secret) if secret else None
        if secret and user is None:
            return _unauthorized(
                "The token is not valid: mistyped, revoked, or its owner was deactivated.", invalid=True)
        if user is None and method not in SAFE_METHODS:
            return _unauthorized(
                "This request needs an API token: send “Authorization: Bearer <token>”. "
                "An administrator creates one with `kure token create USERNAME`.", invalid=False)
        request.user = user or AnonymousUser()
        response = handler(request, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        return response

    view.handlers = handlers  # type: ignore[attr-defined]  # read by the tests that check the OpenAPI document
    return view


# --- reading requests -------------------------------------------------------------------------------------

def read_json(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is an empty object."""
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise PayloadTooLarge("The request body is too large.") from exc
    if not raw.strip():
        return {}
    content_type = request.content_type or ""
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise InvalidInput(f"Send the body as JSON with “Content-Type: application/json” "
                           f"(this request said “{content_type or 'nothing'}”).", field="content_type")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InvalidInput("The body is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
                           line=exc.lineno, column=exc.colno) from exc
    except RecursionError as exc:  # absurdly deep nesting: answer 400, not a 500 from the parser
        raise InvalidInput("The body is nested too deeply.") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"The body must be a JSON object ({{…}}), not {_json_type(data)}.")
    return data


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
             dict: "an object", type(None): "null"}
    return names.get(type(value), "something else")


class Payload:
    """Typed access to a JSON object's fields. Wrong types are 400s that name the field, never 500s."""

    def __init__(self, data: dict[str, Any], *, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            # Reject rather than ignore: a misspelt "sumbit" would otherwise silently do nothing.
            known = ", ".join(allowed) or "none"
            raise InvalidInput(f"Unknown field “{unknown[0]}”. Fields accepted here: {known}.",
                               field=unknown[0])
        self.data = data

    def _typed(self, name: str, kind: type, label: str) -> Any:
        value = self.data.get(name)
        # bool is an int subclass in Python, but true is not a revision id.
        if value is not None and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            raise InvalidInput(f"“{name}” must be {label}, not {_json_type(value)}.", field=name)
        return value

    def text(self, name: str, default: str = "") -> str:
        value = self._typed(name, str, "a string")
        return default if value is None else value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self._typed(name, bool, "true or false")
        return default if value is None else value

    def integer(self, name: str, *, required: str) -> int:
        value = self._typed(name, int, "an integer")
        if value is None:
            raise InvalidInput(f"“{name}” is required: {required}", field=name)
        return value

    def texts(self, name: str) -> list[str]:
        value = self._typed(name, list, "an array of strings") or []
        if not all(isinstance(item, str) for item in value):
            raise InvalidInput(f"“{name}” must be an array of strings.", field=name)
        return value


# --- pages ------------------------------------------------------------------------------------------------

def _count_param(request: HttpRequest, name: str, default: int, *, low: int, high: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not _COUNT.fullmatch(raw) or not low <= int(raw) <= high:
        raise InvalidInput(f"“{name}” must be a whole number from {low} to {high:,}; got “{raw[:20]}”.",
                           field=name)
    return int(raw)


def paginate(request: HttpRequest, queryset: QuerySet, present: Callable[[Any], dict]) -> dict[str, Any]:
    """One page of ``queryset`` per ``limit`` (≤ 100) and ``offset``, with links to the neighbouring pages."""
    limit = _count_param(request, "limit", DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    offset = _count_param(request, "offset", 0, low=0, high=999_999_999)
    count = queryset.count()
    items = list(queryset[offset:offset + limit]) if offset < count else []

    def link(new_offset: int) -> str:
        query = request.GET.copy()
        query["limit"], query["offset"] = str(limit), str(new_offset)
        return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")

    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "results": [present(item) for item in items],
    }
