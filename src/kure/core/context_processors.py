from django.conf import settings
from django.http import HttpRequest

from . import languages


def site(request: HttpRequest) -> dict:
    lang = getattr(request, "kure_language", None) or languages.from_path(request.path)
    return {
        "site_name": settings.KURE_SITE_NAME,
        "lang": lang,
        "site_languages": languages.choices(),
        "ui": languages.ui_strings(lang),
    }
