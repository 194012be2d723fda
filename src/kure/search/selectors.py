"""Reads for the search page, the search API and title autocomplete."""

import html
import re
from dataclasses import dataclass, field

from django.urls import reverse

from ..articles.models import Article
from ..core import languages
from ..core.errors import InvalidInput
from . import analysis
from .backends.base import Filters, load_backend
from .ranking import Scored, lexical

MAX_QUERY = 500
MAX_TERMS = 32
SNIPPET_CHARS = 240


@dataclass
class Result:
    slug: str
    title: str
    language: str
    section: str
    heading: str
    snippet_html: str
    snippet: str
    score: float
    url: str
    category: str = ""


@dataclass
class SearchPage:
    query: str
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_more: bool = False


def clean_query(query: str) -> tuple[str, list[str]]:
    """The query as searched, and notes on what was left out; ``InvalidInput`` when nothing is left to search."""
    notes = []
    query = " ".join(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", query or "").split())
    if len(query) > MAX_QUERY:
        query = query[:MAX_QUERY].rsplit(" ", 1)[0] or query[:MAX_QUERY]
        notes.append(f"The search was long; only its first {MAX_QUERY} characters were used.")
    if not query:
        raise InvalidInput("Type one or more words to search for.", field="q")
    if not analysis.words(query, "en"):
        raise InvalidInput("The search has no letters or digits to look for: type a word.", field="q")
    if len(analysis.words(query, "en")) > MAX_TERMS:
        notes.append(f"Only the first {MAX_TERMS} words were searched for.")
    return query, notes


def _highlight(text: str, language: str, wanted: set[str]) -> str:
    """``text`` escaped for HTML, with the words whose terms were searched for in ``<mark>``."""
    out, last = [], 0
    for match in re.finditer(r"[^\W_]+", text):
        word_terms = set(analysis.terms(match.group(0), language))
        if word_terms & wanted:
            out.append(html.escape(text[last:match.start()]))
            out.append(f"<mark>{html.escape(match.group(0))}</mark>")
            last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def _snippet(item: Scored, query: str, query_language: str) -> tuple[str, str]:
    row = item.row
    sentences = row.sentences or [row.text]
    if item.sentence_lexical and len(item.sentence_lexical) == len(sentences):
        best = max(range(len(sentences)), key=lambda i: item.sentence_lexical[i])
    else:
        best = 0
    text = sentences[best] if sentences else ""
    if best + 1 < len(sentences) and len(text) < SNIPPET_CHARS // 2:
        text = f"{text} {sentences[best + 1]}"
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    wanted = set(analysis.query_terms(query, row.language if row.language == query_language else query_language))
    wanted |= set(analysis.query_terms(query, row.language))
    return text, _highlight(text, row.language, wanted)


def search(*, query: str, language: str, filter_language: str = "", category: str = "", tag: str = "",
           limit: int = 10, offset: int = 0) -> SearchPage:
    """Sections matching ``query``, best first; ``language`` is the language the query is typed in."""
    query, notes = clean_query(query)
    if filter_language and not languages.is_valid(filter_language):
        raise InvalidInput(f"Unknown language “{filter_language}”. Use one of: {', '.join(languages.codes())}.",
                           field="language")
    limit = max(1, min(int(limit), 50))
    offset = max(0, min(int(offset), 500))
    filters = Filters(languages=(filter_language,) if filter_language else (), category_path=category.strip("/"),
                      tag=tag)
    items = lexical(query, language=language, filters=filters, limit=offset + limit + 1,
                    candidates=max(100, offset + limit + 1))
    page = SearchPage(query=query, notes=notes, has_more=len(items) > offset + limit)
    items = items[offset:offset + limit]
    found = Article.objects.filter(pk__in={i.row.article_id for i in items}).select_related("category")
    slugs = {a.pk: a.slug for a in found}
    categories = {a.pk: a.category.name if a.category else "" for a in found}
    for item in items:
        row = item.row
        url = reverse("articles:detail", kwargs={"lang": row.language, "slug": slugs[row.article_id]})
        snippet, snippet_html = _snippet(item, query, language)
        page.results.append(Result(
            slug=slugs[row.article_id], title=row.title, language=row.language, section=row.anchor,
            heading=row.heading, snippet=snippet, snippet_html=snippet_html, score=round(item.score, 4),
            url=f"{url}#{row.anchor}" if row.anchor else url, category=categories[row.article_id]))
    return page


def suggest_titles(*, prefix: str, language: str, limit: int = 8) -> list[dict[str, str]]:
    """Titles for autocomplete: every finished word must match, the last one may be the start of a word."""
    prefix = " ".join((prefix or "").split())[:100]
    words = analysis.words(prefix, language)
    if not words:
        return []
    finished = words[:-1] if not prefix.endswith(" ") else words
    last = "" if prefix.endswith(" ") else words[-1]
    from ..core.text import fold

    stems = analysis._stemmer(language)
    terms = [fold(stems.stemWord(w) if stems else w) for w in finished]
    ids = load_backend().title_prefix(terms, fold(last), language="", limit=limit)
    if not ids:
        return []
    from .models import IndexedSection

    articles = {a.pk: a for a in Article.objects.filter(pk__in=ids, published_revision__isnull=False)}
    # The title in the page's language where a translation is indexed, read for all suggestions at once.
    titles = dict(IndexedSection.objects.filter(article_id__in=articles, language=language, position=0)
                  .values_list("article_id", "title"))
    out = []
    for pk in ids:
        if pk in articles:
            article = articles[pk]
            out.append({"title": titles.get(pk) or article.title, "slug": article.slug,
                        "url": reverse("articles:detail", kwargs={"lang": language, "slug": article.slug})})
    return out
