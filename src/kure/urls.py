from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from .articles import feeds, sitemaps
from .core import views as core_views

lang = "<str:lang>/"

urlpatterns = [
    path("", core_views.root_redirect, name="root"),
    path("robots.txt", core_views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("feeds/<str:lang>/atom.xml", feeds.RecentArticlesFeed(), name="feed"),
    path("admin/", admin.site.urls),
    path("accounts/", include("kure.accounts.urls")),
    path("api/v1/", include("kure.api.urls")),
    path(lang, core_views.home, name="home"),
    path(lang + "articles/<slug:slug>/discussions/", include("kure.discussions.urls")),
    path(lang + "articles/", include("kure.translation.urls")),
    path(lang + "articles/", include("kure.articles.urls")),
    path(lang + "categories/", include("kure.articles.urls_categories")),
    path(lang + "tags/", include("kure.articles.urls_tags")),
    path(lang + "people/", include("kure.accounts.urls_people")),
    path(lang + "desk/", include("kure.articles.urls_desk")),
    path(lang + "desk/questions/", include("kure.ask.urls_desk")),
    path(lang + "search/", include("kure.search.urls")),
    path(lang + "ask/", include("kure.ask.urls")),
    path(lang + "reports/", include("kure.reports.urls")),
    path(lang + "me/", include("kure.notifications.urls")),
]

if settings.KURE_SERVE_MEDIA:
    # One machine serves uploads itself; behind a front server, set KURE_SERVE_MEDIA=0 and let it serve /media/.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", core_views.media, name="media"))

handler404 = "kure.core.views.not_found"
handler500 = "kure.core.views.server_error"
handler403 = "kure.core.views.forbidden"
handler400 = "kure.core.views.bad_request"
