"""Forms only parse and redisplay input; the rules live in services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..core import languages
from .models import Category


def category_choices() -> list[tuple[str, str]]:
    rows = Category.objects.order_by("path").values_list("id", "path", "name")
    return [("", "—")] + [(str(pk), f"{'— ' * path.count('/')}{name}") for pk, path, name in rows]


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=settings.KURE_MAX_TITLE_LENGTH * 2, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))
    body = forms.CharField(label=_("Text"), required=False,
                           widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true"}))
    edit_summary = forms.CharField(label=_("Edit summary"), max_length=300, required=False)
    base_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)
    insert_image = forms.FileField(required=False, label=_("Insert an image"))
    insert_image_alt = forms.CharField(max_length=200, required=False, label=_("Image description"))


class ArticleForm(RevisionForm):
    slug = forms.CharField(label=_("Address (slug)"), max_length=120, required=False,
                           help_text=_("Made from the title when left empty."))
    language = forms.ChoiceField(label=_("Language"), choices=())
    category = forms.ChoiceField(label=_("Category"), choices=(), required=False)
    new_category = forms.CharField(label=_("New category"), max_length=240, required=False,
                                   help_text=_("Or a new one; use “Parent / Child” for a subcategory."))
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas."))
    lead_image = forms.FileField(label=_("Lead image"), required=False)
    lead_image_caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
    lead_image_credit = forms.CharField(label=_("Credit"), max_length=200, required=False)

    field_order = ["title", "slug", "language", "category", "new_category", "tags", "lead_image",
                   "lead_image_caption", "lead_image_credit", "body", "insert_image", "insert_image_alt",
                   "edit_summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages.choices()
        self.fields["language"].initial = languages.default()
        self.fields["category"].choices = category_choices()


class MetadataForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=(), required=False)
    new_category = forms.CharField(label=_("New category"), max_length=240, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False)
    lead_image = forms.FileField(label=_("Lead image"), required=False)
    lead_image_caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
    lead_image_credit = forms.CharField(label=_("Credit"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]
