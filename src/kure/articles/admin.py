from django.contrib import admin

from .models import Article, Category, ReviewEvent, Revision, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "path"]
    search_fields = ["name", "path"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "original_language", "category", "first_published_at"]
    search_fields = ["title", "slug"]
    raw_id_fields = ["published_revision", "head_revision", "created_by", "summary_override_by"]


class ReviewEventInline(admin.TabularInline):
    model = ReviewEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "actor", "comment", "created_at"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Revisions are immutable: the admin shows them and their review trail, and changes nothing."""

    list_display = ["article", "number", "title", "author", "state", "created_at"]
    list_filter = ["state"]
    inlines = [ReviewEventInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
