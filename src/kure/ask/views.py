"""Ask pages: a reader's question answered from the articles with citations, and the log editors read.

Questions are asked with GET, so an answer can be linked to; the question stays in the box on every outcome.
"""

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ..core import languages, throttle
from ..core.errors import KureError, PermissionDenied
from ..search.views import localized
from . import selectors, services

QUESTIONS_PER_PAGE = 50
_MARKER = re.compile(r"\[(\d{1,2})\]")


def answer_html(text: str, numbers: set[int]) -> SafeString:
    """The answer's plain text escaped, with each ``[n]`` that has a citation turned into a link to it."""

    def link(match: re.Match) -> str:
        number = int(match.group(1))
        if number not in numbers:
            return match.group(0)
        return f'<a class="cite-ref" href="#cite-{number}">[{number}]</a>'

    return mark_safe(_MARKER.sub(link, escape(text)))  # safe: the text was escaped before the links went in


def ask_page(request: HttpRequest, lang: str) -> HttpResponse:
    languages.require(lang)
    question = request.GET.get("q", "")
    article_slug = request.GET.get("article", "").strip()
    context: dict = {"question": question, "article_slug": article_slug, "scope": None, "answer": None,
                     "error": "", "search_url": f"/{lang}/search/?" + urlencode({"q": question})}
    status = 200
    try:
        if article_slug:
            context["scope"] = selectors.article_scope(slug=article_slug, language=lang)
        if question.strip():
            throttle.check(request, "ask")
            answer = services.ask(question=question, language=lang, article_slug=article_slug)
            context["answer"] = answer
            context["answer_html"] = answer_html(answer.text, {c.number for c in answer.citations})
            context["notes"] = [localized(note) for note in answer.notes]
    except KureError as error:
        context["error"] = localized(error)
        status = error.status
    ui = languages.ui_strings(lang)
    if context["scope"]:
        context["scope_line"] = ui["answers_from_only"].format(title=context["scope"].title)
        context["whole_url"] = f"/{lang}/ask/?" + urlencode({"q": question}) if question.strip() else f"/{lang}/ask/"
    if context["answer"]:
        engine = context["answer"].answerer
        context["answerer_line"] = (ui["answer_extracted"] if engine == "extractive"
                                    else ui["answer_generated"].format(engine=engine))
    return render(request, "ask/ask.html", context, status=status)


def asked_questions(request: HttpRequest, lang: str) -> HttpResponse:
    """Editors' view of what readers asked, the unanswered first when filtered, so gaps can be written up."""
    languages.require(lang)
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    if not request.user.has_perm("articles.review_revision"):
        raise PermissionDenied(gettext("Only editors see the questions readers asked."))
    unanswered_only = request.GET.get("unanswered") == "1"
    raw_page = request.GET.get("page", "")
    page_number = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 10_000 else 1
    page = selectors.asked_questions(unanswered_only=unanswered_only, limit=QUESTIONS_PER_PAGE,
                                     offset=(page_number - 1) * QUESTIONS_PER_PAGE)
    base = {"unanswered": "1"} if unanswered_only else {}
    counts = languages.ui_strings(lang)["question_counts"].format(
        total=page.total, unanswered=page.unanswered, percent=page.unanswered_percent)
    return render(request, "ask/questions.html", {
        "page": page, "counts": counts, "unanswered_only": unanswered_only, "page_number": page_number,
        "previous_url": "?" + urlencode({**base, "page": page_number - 1}) if page_number > 1 else "",
        "next_url": "?" + urlencode({**base, "page": page_number + 1}) if page.has_more else "",
    })
