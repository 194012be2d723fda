"""The words of a notification, made at reading time in the reader's language from its kind and params."""

from ..core import languages


class _Default(dict):
    """A missing parameter shows as empty text instead of failing the whole page."""

    def __missing__(self, key: str) -> str:
        return ""


def render(*, kind: str, params: dict, language: str) -> str:
    ui = languages.ui_strings(language if languages.is_valid(language) else languages.default())
    values = _Default(params)
    if kind == "review":
        key = "n_review_approved" if params.get("decision") == "approved" else "n_review_changes_requested"
        text = ui[key].format_map(values)
        if params.get("comment"):
            text += " " + ui["n_review_comment"].format_map(values)
        return text
    key = f"n_{kind}"
    if key not in ui:
        return kind
    return ui[key].format_map(values)
