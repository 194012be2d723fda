import io

import pytest
from django.core.management import CommandError, call_command

from kure.translation.models import GlossaryTerm, MemoryEntry, Translation, TranslationJob, TranslationStatus

pytestmark = pytest.mark.django_db


def test_translation_run_all_wait_translates_now_with_progress(publish, openai_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # nothing runs on publish
    article = publish()
    assert not Translation.objects.exists()
    out, err = io.StringIO(), io.StringIO()
    call_command("translation", "run", "--all", "--wait", stdout=out, stderr=err)
    assert f"{article.slug} → en: done" in out.getvalue()
    assert "[##############################]" in err.getvalue()
    assert Translation.objects.get(article=article).status == TranslationStatus.MACHINE


def test_translation_run_without_articles_or_all_is_refused(db):
    with pytest.raises(CommandError, match="--all"):
        call_command("translation", "run")
    with pytest.raises(CommandError, match="yok"):
        call_command("translation", "run", "yok")


def test_translation_run_queues_for_the_worker_without_wait(publish, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    publish()
    out = io.StringIO()
    call_command("translation", "run", "--all", stdout=out)
    assert "1 translation job(s) queued" in out.getvalue()
    assert TranslationJob.objects.count() == 2  # one from publishing, one from the command


def test_import_and_export_tmx_and_glossary_files(tmp_path, db):
    tmx = tmp_path / "memory.tmx"
    tmx.write_text("""<?xml version="1.0"?><tmx version="1.4"><header srclang="tr"/><body>
<tu><tuv xml:lang="tr"><seg>Zirve yapıldı.</seg></tuv><tuv xml:lang="en"><seg>The summit was held.</seg></tuv></tu>
</body></tmx>""", encoding="utf-8")
    out = io.StringIO()
    call_command("translation", "import-tmx", str(tmx), stdout=out)
    assert "1 units read, 1 stored" in out.getvalue() and MemoryEntry.objects.count() == 1
    exported = tmp_path / "out.tmx"
    call_command("translation", "export-tmx", str(exported), stderr=io.StringIO())
    assert "The summit was held." in exported.read_text(encoding="utf-8")
    csv = tmp_path / "glossary.csv"
    csv.write_text("source_term,target_term\nzirve,summit\nsivil direnç,civil resilience\n", encoding="utf-8")
    call_command("translation", "import-glossary", str(csv), "--source-language", "tr", "--target-language", "en",
                 stdout=io.StringIO())
    assert set(GlossaryTerm.objects.values_list("target_term", flat=True)) == {"summit", "civil resilience"}
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("translation", "import-tmx", str(tmp_path / "missing.tmx"))


def test_install_model_from_a_directory_and_a_clear_failure_for_an_unreachable_url(tmp_path, settings):
    import socket

    from kure.translation.testing.tiny_model import build_tiny_model

    settings.KURE_TRANSLATION_MODELS_DIR = tmp_path / "models"
    model = build_tiny_model(tmp_path / "built")
    out = io.StringIO()
    call_command("translation", "install-model", str(model), "--name", "tiny-tr-en", "--source-language", "tr",
                 "--target-language", "en", stdout=out)
    assert (tmp_path / "models" / "tiny-tr-en" / "model.bin").exists()
    assert "KURE_TRANSLATION_ENGINES" in out.getvalue() or "tr-en" in out.getvalue()
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CommandError, match="download"):
        call_command("translation", "install-model", f"http://127.0.0.1:{port}/model.argosmodel")
    with pytest.raises(CommandError):
        call_command("translation", "install-model", str(tmp_path / "nothing-here"))
