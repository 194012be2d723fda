from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    # Django's login view puts the host name in ``site_name``; the header shows the encyclopedia's own name.
    path("login/", views.SignInView.as_view(extra_context={"site_name": settings.KURE_SITE_NAME}), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("profile/", views.edit_profile, name="edit_profile"),
]
