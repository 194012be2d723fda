from django.urls import path

from . import editing_views

app_name = "desk"
urlpatterns = [path("reviews/", editing_views.review_queue, name="reviews")]
