from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new_report, name="new"),
    path("thanks/", views.thanks, name="thanks"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
