"""Translation jobs end to end on a real database, with engines reached over real HTTP (local fake servers)."""

import contextlib

import pytest
from django.utils import timezone

from kure.translation import glossary, memory, services
from kure.translation.engines.base import EngineUnavailable
from kure.translation.models import (
    JobState,
    MemoryEntry,
    Origin,
    SegmentState,
    Translation,
    TranslationJob,
    TranslationStatus,
)

from .conftest import BODY

pytestmark = pytest.mark.django_db


def test_publishing_queues_a_job_per_other_language_after_commit(publish):
    article = publish()
    job = TranslationJob.objects.get(article=article)
    assert job.language == "en" and job.source_revision == article.published_revision
    assert job.state == JobState.DONE  # the test runs queued work right after commit


def test_without_an_engine_nothing_is_made_up(publish):
    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    assert translation.status == TranslationStatus.UNAVAILABLE
    assert translation.segments_untranslated == translation.segments_total > 0
    assert not MemoryEntry.objects.exists()


def test_memory_alone_gives_a_partial_translation_marking_what_is_missing(publish):
    memory.store(source_language="tr", target_language="en", source_text="Toplantı iki gün sürdü.",
                 target_text="The meeting lasted two days.", origin=Origin.IMPORTED)
    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    assert translation.status == TranslationStatus.PARTIAL
    assert translation.segments_from_memory == 1 and translation.segments_machine == 0
    assert "The meeting lasted two days." in translation.html
    assert 'class="untranslated" lang="tr"' in translation.html and "Güney Kore" in translation.html


def test_an_engine_translates_everything_and_the_memory_learns_it(publish, openai_server):
    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    assert translation.status == TranslationStatus.MACHINE
    assert translation.segments_machine == translation.segments_total
    assert translation.title == "NATO Meeting"
    assert '<h2 id="participants">Participants</h2>' in translation.html
    assert '<a href="https://example.org/lahey"' in translation.html and "<strong>soon</strong>" in translation.html
    assert MemoryEntry.objects.filter(origin=Origin.MACHINE).count() >= translation.segments_total
    assert TranslationJob.objects.get(article=article).segments_sent_to_engine == translation.segments_total


def test_a_one_sentence_edit_sends_one_segment_to_the_engine(publish, openai_server):
    article = publish()
    publish(body=BODY.replace("Toplantı iki gün sürdü.", "Toplantı iki gün sürdü ve sona erdi."), article=article)
    newest = TranslationJob.objects.filter(article=article).order_by("-pk").first()
    assert newest.state == JobState.DONE
    assert newest.segments_sent_to_engine == 1


def test_glossary_terms_are_sent_to_the_engine_and_violations_flagged(publish, openai_server):
    glossary.add_term(source_language="tr", target_language="en", source_term="zirve", target_term="summit")
    # The fake engine follows the glossary word for word, so it misses the suffixed "Toplantıya".
    glossary.add_term(source_language="tr", target_language="en", source_term="toplantı", target_term="gathering")
    article = publish()
    assert any("zirve" in prompt and "summit" in prompt for prompt in openai_server.prompts)
    translation = Translation.objects.get(article=article, language="en")
    flagged = translation.segments.exclude(flags=[])
    assert translation.segments_flagged == flagged.count() >= 1
    assert all("toplantı" in flag for segment in flagged for flag in segment.flags)
    assert any("Toplantıya" in segment.source_text for segment in flagged)


def test_a_segment_whose_placeholders_break_is_left_for_a_person(publish, openai_server):
    openai_server.drop_placeholder(times=None)
    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    broken = translation.segments.filter(state=SegmentState.UNTRANSLATED)
    assert broken.exists() and all(s.flags for s in broken)
    assert all("<g" in s.source_text or "<x" in s.source_text for s in broken)
    assert translation.status == TranslationStatus.PARTIAL


def test_an_engine_that_is_down_is_retried_with_backoff_and_nothing_is_lost(publish, openai_server, settings):
    openai_server.fail(503, times=None)
    article = publish()
    job = TranslationJob.objects.get(article=article)
    assert job.state == JobState.RETRYING and job.attempts == 1 and job.next_attempt_at > timezone.now()
    assert "503" in job.last_error
    openai_server.reset()
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    translation = Translation.objects.get(article=article, language="en")
    assert job.state == JobState.DONE and translation.status == TranslationStatus.MACHINE
    assert translation.segments.count() == translation.segments_total


def test_a_job_that_dies_half_way_resumes_without_losing_or_duplicating_segments(publish, openai_server, settings,
                                                                                 monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    calls = {"n": 0}
    real = services._translate_batch

    def dies_on_the_third_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed")  # not an engine error: the process is gone
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_translate_batch", dies_on_the_third_batch)
    with contextlib.suppress(SystemExit):  # the task backend may record the crash instead of passing it on
        publish()
    job = TranslationJob.objects.get()
    assert job.state == JobState.RUNNING and job.segments_sent_to_engine == 4
    translation = Translation.objects.get()
    assert translation.segments.filter(state=SegmentState.MACHINE).count() == 4
    monkeypatch.setattr(services, "_translate_batch", real)
    services.run_job(job_id=job.pk)
    job.refresh_from_db()
    translation.refresh_from_db()
    assert job.state == JobState.DONE and job.segments_sent_to_engine == translation.segments_total
    assert translation.segments.count() == translation.segments_total
    assert translation.status == TranslationStatus.MACHINE


def test_retries_stop_after_the_last_attempt(publish, openai_server):
    openai_server.fail(503, times=None)
    article = publish()
    job = TranslationJob.objects.get(article=article)
    for _ in range(services.MAX_ATTEMPTS - 1):
        with pytest.raises(EngineUnavailable):
            services.run_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.attempts == services.MAX_ATTEMPTS


def test_post_editing_goes_into_memory_and_review_makes_it_reviewed(publish, openai_server, translator, editor,
                                                                    second_editor):
    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    first = translation.segments.get(index=1)
    services.post_edit(translation=translation, editor=translator, edits={first.index: "NATO foreign ministers "
                                                                          "met in Brussels."})
    translation.refresh_from_db()
    assert translation.status == TranslationStatus.POST_EDITED and translation.segments_checked == 1
    assert MemoryEntry.objects.get(source_key=first.source_key).origin == Origin.POST_EDITED
    services.submit_translation(translation=translation, actor=translator)
    services.review_translation(translation=translation, editor=editor, approve=True)
    translation.refresh_from_db()
    assert translation.status == TranslationStatus.REVIEWED and translation.reviewed_by == editor
    assert MemoryEntry.objects.get(source_key=first.source_key).origin == Origin.REVIEWED


def test_post_edits_that_break_placeholders_are_refused(publish, openai_server, translator):
    from kure.core.errors import InvalidInput

    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    with_link = next(s for s in translation.segments.all() if "<g" in s.source_text)
    with pytest.raises(InvalidInput, match=f"Segment {with_link.index}"):
        services.post_edit(translation=translation, editor=translator, edits={with_link.index: "no tags here"})


def test_a_post_editor_cannot_review_their_own_post_edit(publish, openai_server, editor):
    from kure.core.errors import ReviewRequired

    article = publish()
    translation = Translation.objects.get(article=article, language="en")
    services.post_edit(translation=translation, editor=editor, edits={1: "Ministers met in Brussels."})
    services.submit_translation(translation=translation, actor=editor)
    with pytest.raises(ReviewRequired):
        services.review_translation(translation=translation, editor=editor, approve=True)
