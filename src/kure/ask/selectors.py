"""Reads for the Ask pages: the article a question is limited to, and the log of questions readers asked."""

from dataclasses import dataclass, field

from django.db.models import Q

from ..articles import selectors as article_selectors
from ..search.models import IndexedSection
from ..translation import selectors as translation_selectors
from .models import AskedQuestion


@dataclass
class ArticleScope:
    slug: str
    title: str
    url: str


def article_scope(*, slug: str, language: str) -> ArticleScope:
    """The published article a question is limited to, titled in ``language`` where a translation can be read.

    Raises ``NotFound`` for an unknown or unpublished article.
    """
    article = article_selectors.published_article(slug=slug)
    title = article.title
    if language != article.original_language:
        translation = translation_selectors.readable_translation(article=article, language=language)
        if translation is not None:
            title = translation.title
    return ArticleScope(slug=article.slug, title=title, url=f"/{language}/articles/{article.slug}/")


@dataclass
class AskedRow:
    question: AskedQuestion
    citation_url: str = ""
    citation_label: str = ""


@dataclass
class AskedPage:
    rows: list[AskedRow] = field(default_factory=list)
    total: int = 0
    unanswered: int = 0
    matching: int = 0
    has_more: bool = False

    @property
    def unanswered_percent(self) -> int:
        return round(100 * self.unanswered / self.total) if self.total else 0


def asked_questions(*, unanswered_only: bool = False, limit: int = 50, offset: int = 0) -> AskedPage:
    """The newest questions first (the unanswered ones only, if asked), with counts over the whole log."""
    everything = AskedQuestion.objects.all()
    total = everything.count()
    unanswered = everything.filter(found=False).count()
    chosen = everything.filter(found=False) if unanswered_only else everything
    questions = list(chosen.order_by("-asked_at", "-id")[offset:offset + limit + 1])
    page = AskedPage(total=total, unanswered=unanswered, matching=unanswered if unanswered_only else total,
                     has_more=len(questions) > limit)
    questions = questions[:limit]
    languages_of = _citation_languages(questions)
    for question in questions:
        row = AskedRow(question=question)
        if question.first_citation:
            slug, _, anchor = question.first_citation.partition("#")
            language = languages_of.get((slug, anchor, question.language)) or languages_of.get((slug, anchor))
            if language:
                row.citation_url = f"/{language}/articles/{slug}/" + (f"#{anchor}" if anchor else "")
            row.citation_label = slug + (f" › {anchor}" if anchor else "")
        page.rows.append(row)
    return page


def _citation_languages(questions: list[AskedQuestion]) -> dict[tuple, str]:
    """In which language each cited "slug#anchor" exists, so the link opens the section that was quoted.

    The anchor of a translated section differs from the original's; the citation was in the question's language
    where a translation existed, otherwise in the original.
    """
    wanted = {q.first_citation.partition("#")[::2] for q in questions if q.first_citation}
    if not wanted:
        return {}
    condition = Q()
    for slug, anchor in wanted:
        condition |= Q(article__slug=slug, anchor=anchor)
    found: dict[tuple, str] = {}
    rows = IndexedSection.objects.filter(condition).values_list("article__slug", "anchor", "language",
                                                                "article__original_language")
    for slug, anchor, language, original in rows:
        found[(slug, anchor, language)] = language
        if language == original or (slug, anchor) not in found:
            found[(slug, anchor)] = language
    return found
