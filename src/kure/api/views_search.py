"""API v1 reads for search and Ask: ``GET /api/v1/search`` and ``GET /api/v1/ask``."""

from django.http import HttpRequest, HttpResponse

from ..core import languages, throttle
from ..core.errors import InvalidInput
from .http import _count_param, json_response


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang", "")
    if language and not languages.is_valid(language):
        raise InvalidInput(f"Unknown language “{language[:20]}”. Use one of: {', '.join(languages.codes())}.",
                           field="lang", languages=languages.codes())
    return language


def search(request: HttpRequest) -> HttpResponse:
    from ..search.selectors import search as run_search

    throttle.check(request, "search")
    language = _language(request)
    limit = _count_param(request, "limit", 10, low=1, high=50)
    offset = _count_param(request, "offset", 0, low=0, high=500)
    page = run_search(query=request.GET.get("q", ""), language=language or languages.default(),
                      filter_language=language, category=request.GET.get("category", ""),
                      tag=request.GET.get("tag", ""), limit=limit, offset=offset)
    return json_response({
        "query": page.query,
        "notes": page.notes,
        "limit": limit,
        "offset": offset,
        "has_more": page.has_more,
        "results": [{"slug": r.slug, "title": r.title, "language": r.language, "section": r.section,
                     "heading": r.heading, "snippet": r.snippet, "score": r.score, "url": r.url}
                    for r in page.results],
    })


def ask(request: HttpRequest) -> HttpResponse:
    from ..ask.services import ask as run_ask

    throttle.check(request, "ask")
    language = _language(request) or languages.default()
    answer = run_ask(question=request.GET.get("q", ""), language=language,
                     article_slug=request.GET.get("article", ""))
    return json_response({
        "question": answer.question,
        "language": answer.language,
        "found": answer.found,
        "answer": answer.text,
        "answerer": answer.answerer,
        "notes": answer.notes,
        "citations": [{"number": c.number, "slug": c.slug, "title": c.title, "section": c.section,
                       "heading": c.heading, "language": c.language, "text": c.text, "url": c.url}
                      for c in answer.citations],
    })
