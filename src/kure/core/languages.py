"""The languages the encyclopedia serves, and the interface strings for each."""

from django.conf import settings
from django.utils import translation

from ..core.errors import NotFound
from .ui_strings import UI


def codes() -> list[str]:
    return list(settings.KURE_LANGUAGES)


def default() -> str:
    return settings.KURE_DEFAULT_LANGUAGE


def name(code: str) -> str:
    return settings.KURE_LANGUAGE_NAMES.get(code, code)


def choices() -> list[tuple[str, str]]:
    return [(code, name(code)) for code in codes()]


def is_valid(code: str) -> bool:
    return code in settings.KURE_LANGUAGES


def require(code: str) -> str:
    if not is_valid(code):
        known = ", ".join(codes())
        raise NotFound(f"Unknown language “{code}”. This encyclopedia is published in: {known}.")
    return code


def from_path(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first if is_valid(first) else default()


_CACHE: dict[str, dict[str, str]] = {}


def ui_strings(code: str) -> dict[str, str]:
    """Interface strings in a language from its gettext catalogue; English for anything not translated yet."""
    if code not in _CACHE:
        with translation.override(code):
            _CACHE[code] = {key: str(text) for key, text in UI.items()}
    return _CACHE[code]
