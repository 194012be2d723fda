"""The search page and title autocomplete. Thin: the selectors search; whatever a person typed stays in the form."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext

from ..articles.models import Category
from ..core import languages, throttle
from ..core.errors import KureError, RateLimited
from ..core.text import slugify
from . import selectors

PER_PAGE = 10
# The selector looks at most 500 results deep; page 50 is the last one it can fill.
MAX_PAGE = 50


def localized(error_or_message: KureError | str) -> str:
    """A service's message in the page's language where the catalogue has it; otherwise as the service wrote it.

    Services speak English and carry no message keys, so the catalogue holds their fixed messages verbatim.
    A rate limit is said from its ``retry_after`` instead, since its message has numbers in it.
    """
    if isinstance(error_or_message, RateLimited) and "retry_after" in error_or_message.details:
        return gettext("Too many requests. Please wait {seconds} seconds and try again.").format(
            seconds=error_or_message.details["retry_after"])
    message = error_or_message.message if isinstance(error_or_message, KureError) else error_or_message
    return gettext(message)


@dataclass
class CategoryChoice:
    path: str
    label: str
    depth: int


def _category_choices() -> list[CategoryChoice]:
    # Every category for the filter, labelled by its whole chain ("Gündem › Uluslararası İlişkiler").
    names = dict(Category.objects.values_list("path", "name"))
    choices = []
    for path in sorted(names):
        parts = path.split("/")
        chain = [names.get("/".join(parts[:i + 1]), parts[i]) for i in range(len(parts))]
        choices.append(CategoryChoice(path=path, label=" › ".join(chain), depth=len(parts) - 1))
    return choices


def _page_number(value: str) -> int:
    return min(int(value), MAX_PAGE) if value.isdigit() and int(value) > 0 else 1


def search_page(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    typed = {name: request.GET.get(name, "") for name in ("q", "language", "category", "tag")}
    page_number = _page_number(request.GET.get("page", "").strip())
    context: dict = {"typed": typed, "header_query": typed["q"], "page_number": page_number,
                     "categories": _category_choices(), "result_page": None, "error": ""}
    if not typed["q"].strip():
        return render(request, "search/search.html", context)
    status = 200
    try:
        throttle.check(request, "search")
        context["result_page"] = selectors.search(
            query=typed["q"], language=lang, filter_language=typed["language"].strip(),
            category=typed["category"].strip(), tag=slugify(typed["tag"]),
            limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE)
    except KureError as error:
        context["error"] = localized(error)
        status = error.status
    else:
        result_page = context["result_page"]
        context["notes"] = [localized(note) for note in result_page.notes]
        context["ask_url"] = f"/{lang}/ask/?" + urlencode({"q": typed["q"]})
        base = {key: value for key, value in typed.items() if value.strip()}
        if page_number > 1:
            context["previous_url"] = "?" + urlencode({**base, "page": page_number - 1})
        if result_page.has_more and page_number < MAX_PAGE:
            context["next_url"] = "?" + urlencode({**base, "page": page_number + 1})
        context["first_number"] = (page_number - 1) * PER_PAGE + 1
    return render(request, "search/search.html", context, status=status)


def suggest(request: HttpRequest, lang: str) -> JsonResponse:
    """Titles for the header box's autocomplete; an empty list for anything that is not the start of a title."""
    languages.require(lang)
    throttle.check(request, "suggest")  # its own budget: the header box asks on every pause in typing
    results = selectors.suggest_titles(prefix=request.GET.get("q", ""), language=lang)
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})
