from django.urls import path

from . import views

app_name = "translation"
urlpatterns = [
    path("<slug:slug>/translate/", views.post_editor, name="edit"),
    path("<slug:slug>/translate/review/", views.review, name="review"),
]
