from django.contrib import admin

from .models import GlossaryTerm, MemoryEntry, Translation, TranslationJob


@admin.register(TranslationJob)
class TranslationJobAdmin(admin.ModelAdmin):
    """The queue: progress and failures of translation jobs."""

    list_display = ["article", "language", "revision_number", "state", "progress", "segments_sent_to_engine",
                    "attempts", "engine", "next_attempt_at", "short_error", "created_at"]
    list_filter = ["state", "language", "engine"]
    search_fields = ["article__slug", "article__title", "last_error"]
    readonly_fields = [f.name for f in TranslationJob._meta.fields]

    @admin.display(description="revision")
    def revision_number(self, job: TranslationJob) -> int:
        return job.source_revision.number

    @admin.display(description="progress")
    def progress(self, job: TranslationJob) -> str:
        return f"{job.segments_done}/{job.segments_total}" if job.segments_total else "—"

    @admin.display(description="last error")
    def short_error(self, job: TranslationJob) -> str:
        return job.last_error[:80]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Translation)
class TranslationAdmin(admin.ModelAdmin):
    list_display = ["article", "language", "status", "review_state", "segments_total", "segments_from_memory",
                    "segments_machine", "segments_untranslated", "segments_flagged", "updated_at"]
    list_filter = ["status", "language", "review_state"]
    search_fields = ["article__slug", "title"]
    readonly_fields = ["article", "source_revision", "body", "html", "sections"]


@admin.register(MemoryEntry)
class MemoryEntryAdmin(admin.ModelAdmin):
    list_display = ["source_text", "target_text", "source_language", "target_language", "origin", "derived",
                    "engine", "updated_at"]
    list_filter = ["origin", "source_language", "target_language", "derived"]
    search_fields = ["source_text", "target_text"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["source_term", "target_term", "source_language", "target_language", "note"]
    list_filter = ["source_language", "target_language"]
    search_fields = ["source_term", "target_term"]
