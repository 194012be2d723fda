"""Discussions through the API: reading an article's threads, starting one, replying. Writes need a token.

The same services as the pages decide who may post and check the text; the same rate limits apply. Reads are
public and the same for every caller: hidden threads and posts are left out, deleted posts are marked deleted
and carry no text.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse

from ..core.errors import NotFound
from ..discussions import rules, selectors, services
from ..discussions.models import Post, Thread
from . import presenters
from .http import Payload, json_response, paginate, read_json

LATEST_POSTS = 3


def _post(request: HttpRequest, post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "thread_id": post.thread_id,
        "reply_to": post.parent_id,
        "author": presenters.person(request, post.author),
        "created_at": presenters.iso(post.created_at),
        "edited_at": presenters.iso(post.edited_at),
        "deleted": post.is_deleted,
        "body": "" if post.is_deleted else post.body,
        "html": "" if post.is_deleted else post.html,
    }


def _thread(request: HttpRequest, thread: Thread, latest: list[Post]) -> dict[str, Any]:
    return {
        "id": thread.pk,
        "title": thread.title,
        "author": presenters.person(request, thread.author),
        "created_at": presenters.iso(thread.created_at),
        "last_post_at": presenters.iso(thread.last_post_at),
        "pinned": thread.is_pinned,
        "locked": thread.is_locked,
        "post_count": getattr(thread, "post_count", len(latest)),
        "url": request.build_absolute_uri(thread.get_absolute_url()),
        "latest_posts": [_post(request, p) for p in latest],
    }


def thread_list(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_for_discussion(slug=slug)
    threads = selectors.threads_with_latest_posts(article=article)
    return json_response(paginate(request, threads,
                                  lambda t: _thread(request, t, t.visible_posts[:LATEST_POSTS])))


def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    data = Payload(read_json(request), allowed=["title", "body"])
    article = selectors.article_for_discussion(slug=slug)
    rules.check_rate(request, request.user)
    thread = services.start_thread(article=article, author=request.user, title=data.text("title"),
                                   body=data.text("body"))
    thread = selectors.threads(article=article).get(pk=thread.pk)
    body = _thread(request, thread, selectors.latest_posts(thread=thread, limit=LATEST_POSTS))
    return json_response(body, status=201, headers={"Location": body["url"]})


def post_create(request: HttpRequest, thread_id: int) -> HttpResponse:
    data = Payload(read_json(request), allowed=["body", "reply_to"])
    thread = selectors.thread_by_id(thread_id=thread_id, viewer=None)
    reply_to = None
    if data.data.get("reply_to") is not None:
        reply_to = selectors.post_by_id(post_id=data.integer("reply_to", required="the id of a post."),
                                        viewer=None)
        if reply_to.thread_id != thread.pk:
            raise NotFound("The post you are replying to is not in this discussion.", field="reply_to")
    rules.check_rate(request, request.user)
    post = services.reply(thread=thread, author=request.user, body=data.text("body"), reply_to=reply_to)
    body = _post(request, post)
    url = request.build_absolute_uri(post.get_absolute_url())
    return json_response({**body, "url": url}, status=201, headers={"Location": url})
