from django.urls import path

from ..reports import views as report_views
from . import editing_views

app_name = "desk"
urlpatterns = [
    path("", report_views.desk_overview, name="overview"),
    path("reviews/", editing_views.review_queue, name="reviews"),
]
