"""The editors' desk: what waits for editors, gathered from every app into short lists with counts.

Reads only. Each section links to its full list; sections without a page of their own (flagged and stale
translations, reported posts until discussions has one) are shown in full by the desk itself (``?show=``).
"""

from dataclasses import dataclass, field

from django.db.models import F

from ..articles import selectors as article_selectors
from ..ask import selectors as ask_selectors
from ..core import languages
from ..translation import selectors as translation_selectors
from ..translation.models import Translation
from . import selectors

SHORT = 5
FULL = 500
SECTIONS = ("reviews", "reports", "posts", "flagged_translations", "stale_translations", "questions")


@dataclass
class DeskItem:
    label: str
    url: str = ""
    detail: str = ""


@dataclass
class DeskSection:
    key: str
    title: str
    count: int = 0
    items: list[DeskItem] = field(default_factory=list)
    full_url: str = ""
    available: bool = True  # False while the app that provides the section has nothing to offer yet


def _reviews(language: str, limit: int, ui: dict) -> DeskSection:
    queue = article_selectors.review_queue()
    items = [DeskItem(label=r.title, url=f"/{language}/articles/{r.article.slug}/revisions/{r.number}/review/",
                      detail=f"{ui['revision']} {r.number} · {r.author.display_name}") for r in queue[:limit]]
    return DeskSection(key="reviews", title=ui["desk_reviews"], count=len(queue), items=items,
                       full_url=f"/{language}/desk/reviews/")


def _reports(language: str, limit: int, ui: dict) -> DeskSection:
    reports = selectors.open_reports()
    items = [DeskItem(label=f"{r.article.title} › {r.section_heading or ui['whole_article']}",
                      url=f"/{language}/reports/#report-{r.pk}",
                      detail=f"{ui['report_kind_' + r.kind]} · {r.language.upper()}") for r in reports[:limit]]
    return DeskSection(key="reports", title=ui["desk_reports"], count=reports.count(), items=items,
                       full_url=f"/{language}/reports/")


def _post_item(row, language: str) -> DeskItem:
    """One reported post, read defensively: discussions owns the shape (a report with ``post`` and ``reason``)."""
    post = getattr(row, "post", row)
    thread = getattr(post, "thread", None)
    article = getattr(thread, "article", None)
    url = post.get_absolute_url(language) if hasattr(post, "get_absolute_url") else ""
    detail = " · ".join(str(part) for part in [getattr(article, "title", ""), getattr(row, "reason", "")] if part)
    return DeskItem(label=str(getattr(thread, "title", "") or post), url=url, detail=detail[:200])


def _posts(language: str, limit: int, ui: dict) -> DeskSection:
    section = DeskSection(key="posts", title=ui["desk_posts"], full_url=f"/{language}/desk/?show=posts")
    try:
        from ..discussions.selectors import open_post_reports  # provided by discussions; may not exist yet
    except ImportError:
        section.available = False
        return section
    rows = open_post_reports()
    section.count = rows.count()
    section.items = [_post_item(row, language) for row in rows[:limit]]
    return section


def _flagged(language: str, limit: int, ui: dict) -> DeskSection:
    flagged = translation_selectors.translations_needing_attention().filter(segments_flagged__gt=0)
    items = [DeskItem(label=t.title or t.article.title, url=f"/{t.language}/articles/{t.article.slug}/translate/",
                      detail=f"{languages.name(t.language)} · "
                             + ui["flagged_segments"].format(count=t.segments_flagged)) for t in flagged[:limit]]
    return DeskSection(key="flagged_translations", title=ui["desk_flagged_translations"], count=flagged.count(),
                       items=items, full_url=f"/{language}/desk/?show=flagged_translations")


def stale_translations():
    """Translations made from a revision that is no longer the published one."""
    return (Translation.objects.select_related("article", "source_revision", "article__published_revision")
            .filter(article__published_revision__isnull=False)
            .exclude(source_revision_id=F("article__published_revision_id")).order_by("updated_at", "id"))


def _stale(language: str, limit: int, ui: dict) -> DeskSection:
    stale = stale_translations()
    items = [DeskItem(label=t.title or t.article.title, url=f"/{t.language}/articles/{t.article.slug}/",
                      detail=f"{languages.name(t.language)} · " + ui["stale_detail"].format(
                          made=t.source_revision.number, published=t.article.published_revision.number))
             for t in stale[:limit]]
    return DeskSection(key="stale_translations", title=ui["desk_stale_translations"], count=stale.count(),
                       items=items, full_url=f"/{language}/desk/?show=stale_translations")


def _questions(language: str, limit: int, ui: dict) -> DeskSection:
    page = ask_selectors.asked_questions(unanswered_only=True, limit=limit)
    items = [DeskItem(label=row.question.question, url=row.citation_url,
                      detail=row.question.language.upper()) for row in page.rows]
    return DeskSection(key="questions", title=ui["desk_questions"], count=page.unanswered, items=items,
                       full_url=f"/{language}/desk/questions/?unanswered=1")


_BUILDERS = {"reviews": _reviews, "reports": _reports, "posts": _posts, "flagged_translations": _flagged,
             "stale_translations": _stale, "questions": _questions}


def desk_sections(*, language: str, only: str = "", limit: int = SHORT) -> list[DeskSection]:
    """Every section of the desk with its first ``limit`` items, or just the section ``only`` in full."""
    ui = languages.ui_strings(language)
    if only:
        return [_BUILDERS[only](language, FULL, ui)]
    return [_BUILDERS[key](language, limit, ui) for key in SECTIONS]
