from django.urls import path

from . import editing_views, views

app_name = "articles"
urlpatterns = [
    path("new/", editing_views.create, name="create"),
    path("upload-image/", editing_views.upload_image, name="upload_image"),
    path("preview/", editing_views.preview, name="preview"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/history/", views.history, name="history"),
    path("<slug:slug>/diff/", views.diff, name="diff"),
    path("<slug:slug>/revisions/<int:number>/", views.revision, name="revision"),
    path("<slug:slug>/edit/", editing_views.edit, name="edit"),
    path("<slug:slug>/revisions/<int:number>/submit/", editing_views.submit, name="submit"),
    path("<slug:slug>/revisions/<int:number>/review/", editing_views.review, name="review"),
    path("<slug:slug>/revisions/<int:number>/rollback/", editing_views.rollback, name="rollback"),
    path("<slug:slug>/summary/", editing_views.summary, name="summary"),
    path("<slug:slug>/metadata/", editing_views.metadata, name="metadata"),
]
