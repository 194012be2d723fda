"""Translation throughput: memory only and with a real (tiny, random-weight) CTranslate2 model, and how many
segments a one-sentence edit sends to the engine. Reference in the same run: segmenting and rendering the same
articles without any translation (the floor the pipeline cannot beat).

Run with `make bench` (or `python -m bench.translation`); uses a temporary SQLite database.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ARTICLES = int(os.environ.get("KURE_BENCH_ARTICLES", "100"))


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="kure-bench-"))
    os.environ["KURE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kure.settings")
    os.environ["KURE_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"  # jobs run when we say
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from bench.corpus import article, demo_sentences
    from kure.accounts.models import Role
    from kure.accounts.services import create_person
    from kure.articles import markup
    from kure.articles import services as articles
    from kure.translation import services as translation
    from kure.translation.engines.base import close_engines
    from kure.translation.models import Translation, TranslationJob
    from kure.translation.segments import segment_markdown
    from kure.translation.testing.tiny_model import build_copy_model

    call_command("migrate", verbosity=0)
    author = create_person(username="bench-author", full_name="Bench Yazar", email="", password=None,
                           roles=(Role.AUTHOR,))
    editor = create_person(username="bench-editor", full_name="Bench Editör", email="", password=None,
                           roles=(Role.AUTHOR, Role.EDITOR))
    corpus = [article(n) for n in range(ARTICLES)]
    words = sum(len(body.split()) for _, body in corpus)

    started = time.perf_counter()
    reference_segments = 0
    for _, body in corpus:
        reference_segments += len(segment_markdown(body).segments)
        markup.render(body)
    reference = reference_segments / (time.perf_counter() - started)

    published = []
    for title, body in corpus:
        revision = articles.create_article(author=author, title=title, body=body, submit=True)
        published.append(articles.approve_revision(revision=revision, editor=editor).article)

    # A real CTranslate2 model whose weights copy the input: real tokenising, batching and decoding, and output
    # that keeps every placeholder, so the one-sentence-edit count measures the memory, not a broken model.
    model_dir = build_copy_model(data_dir / "copy-model", sentences=demo_sentences()[:400])
    settings.KURE_TRANSLATION_ENGINES = {"tr-en": {
        "BACKEND": "kure.translation.engines.ctranslate2.CTranslate2Engine",
        "OPTIONS": {"model_dir": str(model_dir), "beam_size": 1}}}

    def run_all() -> tuple[int, float]:
        jobs = TranslationJob.objects.filter(state="queued").order_by("pk")
        started = time.perf_counter()
        segments = 0
        for job in jobs:
            job = translation.run_job(job_id=job.pk)
            segments += job.segments_total
        return segments, time.perf_counter() - started

    engine_segments, engine_seconds = run_all()
    sent = sum(TranslationJob.objects.values_list("segments_sent_to_engine", flat=True))

    # The same articles again, the memory now holding every segment: nothing goes to the engine.
    Translation.objects.all().delete()
    settings.KURE_TRANSLATION_ENGINES = {}
    for a in published:
        TranslationJob.objects.create(article=a, language="en", source_revision=a.published_revision)
    memory_segments, memory_seconds = run_all()

    # One sentence changed in one article, with the engine back.
    settings.KURE_TRANSLATION_ENGINES = {"tr-en": {
        "BACKEND": "kure.translation.engines.ctranslate2.CTranslate2Engine",
        "OPTIONS": {"model_dir": str(model_dir), "beam_size": 1}}}
    target = published[0]
    target.refresh_from_db()
    body = target.published_revision.body
    first = segment_markdown(body).segments[1].source
    edited = body.replace(first.split()[0], first.split()[0] + " (düzeltildi)", 1)
    revision = articles.save_revision(article=target, author=author, title=target.title, body=edited,
                                      base_revision=target.head_revision, submit=True)
    articles.approve_revision(revision=revision, editor=editor)
    run_all()
    after_edit = TranslationJob.objects.filter(article=target).order_by("-pk").first().segments_sent_to_engine

    memory_rate = memory_segments / memory_seconds
    engine_rate = engine_segments / engine_seconds
    print(f"translation benchmark: {ARTICLES} articles, {words / ARTICLES:.0f} words each, "
          f"{reference_segments} segments (SQLite, {os.cpu_count()} cores)")
    print(f"  reference: segment + render only      {reference:10.0f} segments/s")
    print(f"  memory only (all segments found)      {memory_rate:10.0f} segments/s   "
          f"ratio {memory_rate / reference:.3f}")
    print(f"  CTranslate2 copy model, int8, beam 1 {engine_rate:10.0f} segments/s   ratio {engine_rate / reference:.3f}"
          f"   ({sent} sent to the engine)")
    print(f"  one-sentence edit: {after_edit} segment(s) sent to the engine (target: 1)")
    close_engines()
    return 0 if after_edit == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
