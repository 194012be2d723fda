"""API v1, mounted at /api/v1/. Each URL is one ``endpoint`` that dispatches on the HTTP method."""

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import views_discussions as discussions
from . import views_read as read
from . import views_search
from . import views_write as write
from .http import endpoint

app_name = "api"

revision = "articles/<str:slug>/revisions/<int:number>"

urlpatterns = [
    path("openapi.json", endpoint(GET=read.openapi_document), name="openapi"),
    path("search", endpoint(GET=views_search.search), name="search"),
    path("ask", endpoint(GET=views_search.ask), name="ask"),
    path("articles", endpoint(GET=read.article_list, POST=write.article_create), name="articles"),
    path("articles/<str:slug>", endpoint(GET=read.article_detail), name="article"),
    path("articles/<str:slug>/revisions", endpoint(GET=read.revision_list, POST=write.revision_create),
         name="revisions"),
    path(revision, endpoint(GET=read.revision_detail), name="revision"),
    path(f"{revision}/submit", endpoint(POST=write.revision_submit), name="revision-submit"),
    path(f"{revision}/approve", endpoint(POST=write.revision_approve), name="revision-approve"),
    path(f"{revision}/request-changes", endpoint(POST=write.revision_request_changes),
         name="revision-request-changes"),
    path("articles/<str:slug>/discussions",
         endpoint(GET=discussions.thread_list, POST=discussions.thread_create), name="discussions"),
    path("discussions/<int:thread_id>/posts", endpoint(POST=discussions.post_create), name="discussion-posts"),
    # Anything else under /api/v1/ answers in JSON too, not with the site's HTML 404 page.
    re_path(r"^(?P<path>.*)$", csrf_exempt(read.not_found), name="not-found"),
]
