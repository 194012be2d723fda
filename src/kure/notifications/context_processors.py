from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ..core import languages


def unread(request: HttpRequest) -> dict:
    """The header's "Notifications (N unread)" link; counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    lang = getattr(request, "kure_language", None) or languages.from_path(request.path)

    def label() -> str:
        from .selectors import unread_count

        ui = languages.ui_strings(lang)
        count = unread_count(person=user)
        return ui["notifications_unread"].format(count=count) if count else ui["notifications"]

    return {"notifications_label": SimpleLazyObject(label)}
