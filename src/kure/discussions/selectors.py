"""Reads for discussions: what readers see, what editors see, and the open reports for the editors' desk.

Readers never see hidden threads or the content of hidden posts; editors see both, marked. Deleted posts are
shown to everyone as deleted, without their text, so the replies under them keep their place.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from ..articles.models import Article
from ..articles.selectors import article_by_slug
from ..core.errors import NotFound
from .models import Post, PostReport, Thread
from .services import is_editor


def article_for_discussion(*, slug: str) -> Article:
    """A published article; an unpublished or unknown one is not found (discussions are for readers)."""
    article = article_by_slug(slug=slug)
    if not article.is_published:
        raise NotFound(f"The article “{slug}” has not been published yet.", slug=slug)
    return article


def threads(*, article: Article, viewer=None) -> QuerySet[Thread]:
    """The article's threads, pinned first then the liveliest, with ``post_count`` (posts readers can see)."""
    qs = (Thread.objects.filter(article=article).select_related("author", "article")
          .annotate(post_count=Count("posts", filter=Q(posts__is_hidden=False))))
    if not is_editor(viewer):
        qs = qs.filter(is_hidden=False)
    return qs.order_by("-is_pinned", "-last_post_at", "-id")


def thread_count(*, article: Article) -> int:
    return Thread.objects.filter(article=article, is_hidden=False).count()


def latest_threads(*, article: Article, limit: int = 3) -> list[Thread]:
    # The article is known: joining it again would only add its columns to the query's GROUP BY.
    latest = list(threads(article=article).select_related(None).select_related("author")[:limit])
    for thread in latest:
        thread.article = article
    return latest


def thread_by_id(*, thread_id: int, viewer=None, article: Article | None = None) -> Thread:
    thread = Thread.objects.select_related("article", "author").filter(pk=thread_id).first()
    if (thread is None or (article is not None and thread.article_id != article.pk)
            or not thread.article.is_published or (thread.is_hidden and not is_editor(viewer))):
        raise NotFound("There is no such discussion.")
    return thread


def post_by_id(*, post_id: int, viewer=None) -> Post:
    post = Post.objects.select_related("thread", "thread__article", "author").filter(pk=post_id).first()
    if (post is None or not post.thread.article.is_published
            or ((post.is_hidden or post.thread.is_hidden) and not is_editor(viewer))):
        raise NotFound("There is no such post.")
    return post


@dataclass
class PostNode:
    """A top-level post and the replies under it, as one viewer may see them."""

    post: Post
    replies: list[Post] = field(default_factory=list)


def thread_posts(*, thread: Thread, viewer=None) -> list[PostNode]:
    """Top-level posts in order with their replies. For readers, a hidden post is left out, unless replies
    that are visible hang under it: then it stays as an empty placeholder (its ``html`` is not shown)."""
    editor = is_editor(viewer)
    posts = list(thread.posts.select_related("author", "hidden_by").order_by("created_at", "id"))
    nodes: dict[int, PostNode] = {p.pk: PostNode(post=p) for p in posts if p.parent_id is None}
    for post in posts:
        if post.parent_id is not None and post.parent_id in nodes and (editor or not post.is_hidden):
            nodes[post.parent_id].replies.append(post)
    return [node for node in nodes.values() if editor or not node.post.is_hidden or node.replies]


def latest_posts(*, thread: Thread, limit: int = 3) -> list[Post]:
    """The newest posts readers can see, newest first."""
    return list(thread.posts.filter(is_hidden=False).select_related("author").order_by("-created_at", "-id")[:limit])


def threads_with_latest_posts(*, article: Article, limit: int = 3) -> QuerySet[Thread]:
    """Public threads for the API, each with ``visible_posts`` prefetched (newest first; slice in Python)."""
    visible = Post.objects.filter(is_hidden=False).select_related("author").order_by("-created_at", "-id")
    return threads(article=article).prefetch_related(Prefetch("posts", queryset=visible, to_attr="visible_posts"))


def open_post_reports() -> QuerySet[PostReport]:
    """Reports no editor has resolved yet, oldest first, with the post, its thread and article selected."""
    return (PostReport.objects.filter(resolved_at__isnull=True)
            .select_related("post", "post__author", "post__thread", "post__thread__article", "reporter")
            .order_by("created_at", "id"))
