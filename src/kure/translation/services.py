"""Translating published articles: jobs that fill segments from memory, then from an engine, and post-editing.

A job works segment by segment and commits each batch, so a job that dies half-way resumes where it stopped
without losing or duplicating segments. The memory is consulted first; only segments it does not hold are sent
to the engine, so a one-sentence edit sends one segment. With no engine for a pair, what the memory lacks stays
in the original language, marked as such: nothing is ever made up.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..accounts.models import User
from ..articles import markup
from ..articles.models import Article, ReviewState
from ..core import languages
from ..core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied, ReviewRequired
from . import glossary, memory, signals
from .engines.base import EngineError, EngineNotConfigured, EngineUnavailable, TranslationEngine, load_engine
from .models import (
    JobState,
    Origin,
    SegmentState,
    Translation,
    TranslationEvent,
    TranslationJob,
    TranslationSegment,
    TranslationStatus,
)
from .segments import check_placeholders, segment_markdown
from .selectors import UNTRANSLATED_CLOSE, UNTRANSLATED_OPEN, mark_untranslated, strip_markers

log = logging.getLogger(__name__)

TITLE_INDEX = 0  # the title is segment 0; the body's segments follow from 1
MAX_ATTEMPTS = 8
BATCH_SIZE = 16


def target_languages(article: Article) -> list[str]:
    return [code for code in languages.codes() if code != article.original_language]


# --- queueing ----------------------------------------------------------------------------------------------

def queue_translations(*, article: Article) -> list[TranslationJob]:
    """Queue one job per other language for the article's published revision (after the caller's commit)."""
    from . import tasks

    revision = article.published_revision
    if revision is None:
        return []
    jobs = []
    for language in target_languages(article):
        job = TranslationJob.objects.create(article=article, language=language, source_revision=revision)
        jobs.append(job)
        transaction.on_commit(lambda job_id=job.pk: tasks.translate_article.enqueue(job_id=job_id))
    return jobs


def _backoff(attempt: int) -> timedelta:
    base = getattr(settings, "KURE_TRANSLATION_RETRY_SECONDS", 30)
    return timedelta(seconds=min(base * 2 ** (attempt - 1), 3600))


# --- running a job -----------------------------------------------------------------------------------------

def _prepare(job: TranslationJob) -> Translation:
    """The translation row for the job's revision, with a pending segment row for every segment."""
    with transaction.atomic():
        translation, _ = Translation.objects.select_for_update().get_or_create(
            article=job.article, language=job.language, defaults={"source_revision": job.source_revision})
        if translation.source_revision_id != job.source_revision_id:
            # A newer revision: start its segments afresh. Earlier work is in the memory and comes back from there.
            translation.segments.all().delete()
            translation.source_revision = job.source_revision
            translation.review_state = ReviewState.DRAFT
            translation.reviewed_by = None
            translation.save(update_fields=["source_revision", "review_state", "reviewed_by"])
            translation.post_editors.clear()
        if not translation.segments.exists():
            document = segment_markdown(job.source_revision.body, language=job.article.original_language)
            rows = [TranslationSegment(translation=translation, index=TITLE_INDEX, kind="title", section="",
                                       source_key=memory.key_of(job.source_revision.title),
                                       source_text=job.source_revision.title)]
            rows += [TranslationSegment(translation=translation, index=s.index + 1, kind=s.kind, section=s.section,
                                        source_key=s.key, source_text=s.source) for s in document.segments]
            _apply_memory(translation, rows)  # filled before insertion: one INSERT, no UPDATE per row
            TranslationSegment.objects.bulk_create(rows)
    return translation


_MEMORY_FIELDS = ["target_text", "state", "memory_origin", "engine", "model", "updated_at"]


def _fill_from_memory(translation: Translation, pending: list[TranslationSegment]) -> None:
    """Pending rows of a resumed job: fill what the memory has learnt since they were written."""
    with transaction.atomic():
        for segment in _apply_memory(translation, pending):
            segment.save(update_fields=_MEMORY_FIELDS)


def _apply_memory(translation: Translation, pending: list[TranslationSegment]) -> list[TranslationSegment]:
    """Set the memory's translation on the rows it has one for (in memory only); returns those rows."""
    source, target = translation.article.original_language, translation.language
    matches = memory.match_segments(source_language=source, target_language=target,
                                    segments=[(s.index, s.kind, s.source_text) for s in pending])
    filled = []
    now = timezone.now()
    for segment in pending:
        match = matches.get(segment.index)
        if match is None or check_placeholders(segment.source_text, match.target_text):
            continue
        segment.target_text = match.target_text
        segment.state = SegmentState.MEMORY
        segment.memory_origin = match.origin
        segment.engine, segment.model = match.engine, match.model
        segment.updated_at = now
        filled.append(segment)
    return filled


def _translate_batch(translation: Translation, engine: TranslationEngine, batch: list[TranslationSegment],
                     terms) -> None:
    source, target = translation.article.original_language, translation.language
    hints = tuple({h for s in batch for h in glossary.hints(terms, s.source_text, source)})
    outputs = engine.translate([s.source_text for s in batch], glossary=hints if engine.supports_glossary else ())
    if len(outputs) != len(batch):
        raise EngineError(f"{engine.name} returned {len(outputs)} translations for {len(batch)} segments.")
    now = timezone.now()
    with transaction.atomic():
        for segment, output in zip(batch, outputs, strict=True):
            problems = check_placeholders(segment.source_text, output)
            if not output.strip() and segment.source_text.strip():
                problems = ["the engine returned nothing"]
            violations = glossary.check(source_text=segment.source_text, target_text=output, terms=terms,
                                        source_language=source, target_language=target)
            segment.flags = [f"engine: {p}" for p in problems] + [v.message() for v in violations]
            segment.engine, segment.model, segment.updated_at = engine.name, engine.model, now
            if problems:  # the markup would break: keep the original text and ask a person
                segment.state, segment.target_text = SegmentState.UNTRANSLATED, ""
            else:
                segment.state, segment.target_text = SegmentState.MACHINE, output
                memory.store(source_language=source, target_language=target, source_text=segment.source_text,
                             target_text=output, origin=Origin.MACHINE, engine=engine.name, model=engine.model)
            segment.save(update_fields=["state", "target_text", "flags", "engine", "model", "updated_at"])


def _translate_one_by_one(translation: Translation, engine: TranslationEngine, batch: list[TranslationSegment],
                          terms, error: EngineError) -> str:
    """A batch the engine refused: try each segment alone, and leave the ones it still refuses to a person."""
    log.warning("translation %s: %s; retrying segment by segment", translation.pk, error)
    for segment in batch:
        try:
            _translate_batch(translation, engine, [segment], terms)
        except EngineUnavailable:
            raise
        except EngineError as exc:
            segment.state, segment.target_text = SegmentState.UNTRANSLATED, ""
            segment.flags = [f"engine: {str(exc)[:300]}"]
            segment.engine, segment.model, segment.updated_at = engine.name, engine.model, timezone.now()
            segment.save(update_fields=["state", "target_text", "flags", "engine", "model", "updated_at"])
    return str(error)[:2000]


def run_job(*, job_id: int) -> TranslationJob:
    """Do (or resume) one translation job. Raises EngineUnavailable after scheduling a retry."""
    job = TranslationJob.objects.select_related("article", "source_revision").get(pk=job_id)
    if job.state in {JobState.DONE, JobState.FAILED}:
        return job
    if job.article.published_revision_id != job.source_revision_id and _newer_job_exists(job):
        _finish(job, JobState.DONE, "superseded by a newer revision")
        return job
    job.state, job.attempts, job.started_at = JobState.RUNNING, job.attempts + 1, job.started_at or timezone.now()
    job.save(update_fields=["state", "attempts", "started_at"])
    translation = _prepare(job)
    pending = list(translation.segments.filter(state=SegmentState.PENDING).order_by("index"))
    _fill_from_memory(translation, pending)
    pending = [s for s in pending if s.state == SegmentState.PENDING]
    source, target = job.article.original_language, job.language
    try:
        engine = load_engine(source, target)
    except EngineNotConfigured as exc:  # the pair's engine is misconfigured: say so, translate from memory
        log.error("translation job %s: %s", job.pk, exc)
        engine, job.last_error = None, str(exc)[:2000]
    if engine is not None and pending:
        job.engine = engine.name
        terms = glossary.terms_for(source_language=source, target_language=target)
        try:
            for start in range(0, len(pending), BATCH_SIZE):
                batch = pending[start:start + BATCH_SIZE]
                try:
                    _translate_batch(translation, engine, batch, terms)
                except EngineUnavailable:
                    raise
                except EngineError as exc:
                    job.last_error = _translate_one_by_one(translation, engine, batch, terms, exc)
                job.segments_sent_to_engine += len(batch)
                job.save(update_fields=["segments_sent_to_engine", "engine", "last_error"])
        except EngineUnavailable as exc:
            _schedule_retry(job, exc)
            raise
    TranslationSegment.objects.filter(translation=translation, state=SegmentState.PENDING).update(
        state=SegmentState.UNTRANSLATED, updated_at=timezone.now())
    rebuild(translation=translation)
    job.segments_total = translation.segments_total
    job.segments_done = translation.segments_total - translation.segments_untranslated
    _finish(job, JobState.DONE, job.last_error)
    return job


def _newer_job_exists(job: TranslationJob) -> bool:
    return TranslationJob.objects.filter(article=job.article, language=job.language,
                                         source_revision__number__gt=job.source_revision.number).exists()


def _schedule_retry(job: TranslationJob, error: Exception) -> None:
    from . import tasks

    job.last_error = str(error)[:2000]
    if job.attempts >= MAX_ATTEMPTS:
        _finish(job, JobState.FAILED, job.last_error)
        return
    job.state = JobState.RETRYING
    job.next_attempt_at = timezone.now() + _backoff(job.attempts)
    job.save(update_fields=["state", "next_attempt_at", "last_error", "engine"])
    task = tasks.translate_article
    if task.get_backend().supports_defer:
        task.using(run_after=job.next_attempt_at).enqueue(job_id=job.pk)
    else:  # e.g. the immediate backend: the job waits for `kure translation run` or the next publish
        log.warning("translation job %s: the task backend cannot schedule a retry", job.pk)


def _finish(job: TranslationJob, state: str, error: str = "") -> None:
    job.state, job.finished_at, job.last_error = state, timezone.now(), error or ""
    job.save(update_fields=["state", "finished_at", "last_error", "segments_total", "segments_done",
                            "segments_sent_to_engine", "engine"])


# --- assembling --------------------------------------------------------------------------------------------

def rebuild(*, translation: Translation) -> Translation:
    """Reassemble the translated Markdown from its segments and recompute the counts and status."""
    revision = translation.source_revision
    segments = list(translation.segments.order_by("index"))
    document = segment_markdown(revision.body, language=translation.article.original_language)
    texts = {s.index - 1: s.target_text if s.target_text else f"{UNTRANSLATED_OPEN}{s.source_text}{UNTRANSLATED_CLOSE}"
             for s in segments if s.index != TITLE_INDEX}
    title = next((s for s in segments if s.index == TITLE_INDEX), None)
    translation.title = title.target_text if title and title.target_text else revision.title
    translation.body = memory.remove_joined_marks(document.reassemble(texts))
    rendered = markup.render(translation.body, language=translation.language)
    translation.html = mark_untranslated(rendered.html, language=translation.article.original_language,
                                         title=languages.ui_strings(translation.language)["untranslated_segment"])
    translation.sections = [{**s.as_dict(), "heading": strip_markers(s.heading), "text": strip_markers(s.text)}
                            for s in rendered.sections]
    states = [s.state for s in segments]
    translation.segments_total = len(segments)
    translation.segments_from_memory = states.count(SegmentState.MEMORY)
    translation.segments_machine = states.count(SegmentState.MACHINE)
    translation.segments_untranslated = states.count(SegmentState.UNTRANSLATED) + states.count(SegmentState.PENDING)
    translation.segments_checked = (states.count(SegmentState.POST_EDITED) + states.count(SegmentState.REVIEWED)
                                    + sum(1 for s in segments if s.state == SegmentState.MEMORY
                                          and s.memory_origin in {Origin.POST_EDITED, Origin.REVIEWED}))
    translation.segments_flagged = sum(1 for s in segments if s.flags)
    engines = sorted({s.engine for s in segments if s.state == SegmentState.MACHINE and s.engine})
    models = sorted({s.model for s in segments if s.state == SegmentState.MACHINE and s.model})
    translation.engine, translation.model = ", ".join(engines)[:60], ", ".join(models)[:200]
    translation.status = _status(translation)
    translation.updated_at = timezone.now()
    translation.save()
    signals.translation_changed.send(sender=Translation, translation=translation)
    return translation


def _status(translation: Translation) -> str:
    if translation.segments_total == 0 or translation.segments_untranslated == translation.segments_total:
        return TranslationStatus.UNAVAILABLE
    if translation.segments_untranslated:
        return TranslationStatus.PARTIAL
    if translation.review_state == ReviewState.APPROVED:
        return TranslationStatus.REVIEWED
    if translation.segments_checked:
        return TranslationStatus.POST_EDITED
    return TranslationStatus.MACHINE


# --- post-editing and review -------------------------------------------------------------------------------

def _require_translator(user: User) -> None:
    if not (user and user.is_authenticated and user.has_perm("translation.change_translationsegment")):
        raise PermissionDenied("Only translators and editors can post-edit translations.")


@transaction.atomic
def post_edit(*, translation: Translation, editor: User, edits: dict[int, str]) -> Translation:
    """Save a person's corrections of segments; each goes into the memory as post-edited."""
    _require_translator(editor)
    translation = Translation.objects.select_for_update().select_related("article").get(pk=translation.pk)
    segments = {s.index: s for s in translation.segments.filter(index__in=list(edits))}
    unknown = set(edits) - set(segments)
    if unknown:
        raise NotFound(f"This translation has no segment {min(unknown)}.")
    problems = {}
    for index, text in edits.items():
        text = " ".join(text.split()) if segments[index].kind == "title" else text.strip()
        found = check_placeholders(segments[index].source_text, text) if text else []
        if found:
            problems[index] = found
    if problems:
        first = min(problems)
        raise InvalidInput(f"Segment {first}: {'; '.join(problems[first])}. Keep every <g…>…</g…> and <x…/> tag "
                           "of the source exactly once.", segment=first, problems=problems)
    source, target = translation.article.original_language, translation.language
    terms = glossary.terms_for(source_language=source, target_language=target)
    now = timezone.now()
    changed = 0
    for index, text in edits.items():
        segment, text = segments[index], text.strip()
        if text == segment.target_text.strip():
            continue
        changed += 1
        segment.target_text = text
        segment.state = SegmentState.POST_EDITED if text else SegmentState.UNTRANSLATED
        segment.edited_by, segment.updated_at = editor, now
        segment.flags = [v.message() for v in glossary.check(
            source_text=segment.source_text, target_text=text, terms=terms, source_language=source,
            target_language=target)] if text else []
        segment.save(update_fields=["target_text", "state", "edited_by", "updated_at", "flags"])
        if text:
            memory.store(source_language=source, target_language=target, source_text=segment.source_text,
                         target_text=text, origin=Origin.POST_EDITED, user=editor)
    if changed:
        translation.post_editors.add(editor)
        if translation.review_state == ReviewState.APPROVED:  # a change after review needs review again
            _transition(translation, ReviewState.DRAFT, editor, "Edited after review")
    return rebuild(translation=translation)


def _transition(translation: Translation, to_state: str, actor: User, comment: str = "") -> None:
    TranslationEvent.objects.create(translation=translation, from_state=translation.review_state, to_state=to_state,
                                    actor=actor, comment=comment)
    translation.review_state = to_state
    translation.save(update_fields=["review_state"])


@transaction.atomic
def submit_translation(*, translation: Translation, actor: User) -> Translation:
    _require_translator(actor)
    if translation.review_state not in {ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED}:
        raise InvalidTransition("This translation is already submitted or reviewed.")
    if translation.segments_untranslated:
        raise InvalidInput(f"{translation.segments_untranslated} segment(s) are still untranslated; translate them "
                           "before submitting for review.")
    _transition(translation, ReviewState.SUBMITTED, actor)
    return translation


@transaction.atomic
def review_translation(*, translation: Translation, editor: User, approve: bool, comment: str = "") -> Translation:
    """An editor approves a submitted translation (it becomes "reviewed") or requests changes."""
    if not editor.has_perm("articles.review_revision"):
        raise PermissionDenied("Only editors review translations.")
    if translation.review_state != ReviewState.SUBMITTED:
        raise InvalidTransition("Only a submitted translation can be reviewed.")
    if not approve:
        if not comment.strip():
            raise InvalidInput("Say what should change: a comment is required when requesting changes.")
        _transition(translation, ReviewState.CHANGES_REQUESTED, editor, comment.strip())
        return translation
    if set(translation.post_editors.values_list("pk", flat=True)) == {editor.pk}:
        raise ReviewRequired("You post-edited this translation alone: another editor has to review it.")
    _transition(translation, ReviewState.APPROVED, editor, comment.strip())
    translation.reviewed_by = editor
    translation.save(update_fields=["reviewed_by"])
    segments = list(translation.segments.exclude(target_text=""))
    translation.segments.filter(pk__in=[s.pk for s in segments]).update(state=SegmentState.REVIEWED)
    source, target = translation.article.original_language, translation.language
    for segment in segments:
        memory.store(source_language=source, target_language=target, source_text=segment.source_text,
                     target_text=segment.target_text, origin=Origin.REVIEWED, user=editor)
    return rebuild(translation=translation)


@transaction.atomic
def flag_for_post_editing(*, translation: Translation, section: str, reason: str, clear: bool = False) -> list[int]:
    """Put ``reason`` on every segment of one section of the original (anchor; "" is the title and the lead), so
    the post-editor and the editors' desk show it — or take that reason off again with ``clear``.

    Returns the indices of the segments that changed. Only flags and the count change: the text stays as it is.
    """
    translation = Translation.objects.select_for_update().get(pk=translation.pk)
    changed = []
    for segment in translation.segments.filter(section=section).order_by("index"):
        flags = [flag for flag in segment.flags if flag != reason] + ([] if clear else [reason])
        if flags != segment.flags:
            segment.flags = flags
            segment.save(update_fields=["flags"])
            changed.append(segment.index)
    translation.segments_flagged = sum(1 for flags in translation.segments.values_list("flags", flat=True) if flags)
    translation.save(update_fields=["segments_flagged"])
    return changed
