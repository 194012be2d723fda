"""Mounted at /<lang>/articles/<slug>/discussions/."""

from django.urls import path

from . import views

app_name = "discussions"
urlpatterns = [
    path("", views.thread_list, name="list"),
    path("new/", views.thread_new, name="new"),
    path("<int:thread_id>/", views.thread_detail, name="thread"),
    path("<int:thread_id>/reply/", views.thread_reply, name="reply"),
    path("<int:thread_id>/moderate/", views.thread_moderate, name="moderate"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="delete"),
    path("posts/<int:post_id>/hide/", views.post_hide, name="hide"),
    path("posts/<int:post_id>/report/", views.post_report, name="report"),
]
