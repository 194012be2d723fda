from django.urls import path

from . import views

app_name = "categories"
urlpatterns = [
    path("", views.category_index, name="index"),
    path("<path:path>/", views.category, name="detail"),
]
