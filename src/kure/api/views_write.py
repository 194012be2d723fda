"""Writing through the API: articles, revisions and their review. Every write needs a bearer token.

The services enforce who may do what (403) and validate the text (400); these views only turn JSON into
their arguments.
"""

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from ..articles import selectors, services
from ..articles.models import Revision
from . import presenters
from .http import Payload, json_response, read_json


def _written(request: HttpRequest, revision: Revision) -> HttpResponse:
    body = presenters.revision_written(request, revision)
    return json_response(body, status=201, headers={"Location": body["url"]})


def article_create(request: HttpRequest) -> HttpResponse:
    data = Payload(read_json(request), allowed=["title", "body", "language", "slug", "category", "tags",
                                                "edit_summary", "submit"])
    # One transaction: a category made for an article that then fails validation is not left behind.
    with transaction.atomic():
        revision = services.create_article(
            author=request.user, title=data.text("title"), body=data.text("body"),
            language=data.text("language") or None, slug=data.text("slug"),
            category=services.category_from_text(data.text("category")),
            tags=data.texts("tags"), edit_summary=data.text("edit_summary"), submit=data.flag("submit"))
    return _written(request, revision)


def revision_create(request: HttpRequest, slug: str) -> HttpResponse:
    data = Payload(read_json(request), allowed=["base_revision", "body", "title", "edit_summary", "submit"])
    base = data.integer("base_revision", required="the id of the revision your edit starts from.")
    article = selectors.article_by_slug(slug=slug)
    head = article.head_revision
    revision = services.save_revision(
        article=article, author=request.user, title=data.text("title") or (head.title if head else ""),
        body=data.text("body"), base_revision=base, edit_summary=data.text("edit_summary"),
        submit=data.flag("submit"))
    return _written(request, revision)


def _revision(slug: str, number: int) -> Revision:
    return selectors.revision_by_number(article=selectors.article_by_slug(slug=slug), number=number)


def revision_submit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    Payload(read_json(request), allowed=[])
    revision = services.submit_revision(revision=_revision(slug, number), actor=request.user)
    return json_response(presenters.revision_item(request, revision))


def revision_approve(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    data = Payload(read_json(request), allowed=["comment"])
    revision = services.approve_revision(revision=_revision(slug, number), editor=request.user,
                                         comment=data.text("comment"))
    return json_response(presenters.revision_item(request, revision))


def revision_request_changes(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    data = Payload(read_json(request), allowed=["comment"])
    revision = services.request_changes(revision=_revision(slug, number), editor=request.user,
                                        comment=data.text("comment"))
    return json_response(presenters.revision_item(request, revision))
