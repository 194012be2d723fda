from django.urls import path

from . import views

app_name = "ask_desk"
urlpatterns = [path("", views.asked_questions, name="questions")]
