"""`kure eval` on small parallel files written by the test (the development data is never needed here)."""

import io

import pytest
from django.core.management import CommandError, call_command

from kure.translation.evaluation import build_article, evaluate_fidelity
from kure.translation.models import MemoryEntry

pytestmark = pytest.mark.django_db

TR = ["Toplantı Brüksel'de yapıldı.", "Bakanlar Ukrayna'yı konuştu.", "Zirve Lahey'de olacak.",
      "Savunma harcamaları arttı.", "NATO Genel Sekreteri konuştu. Salon doluydu.", "Başlık gibi bir satır",
      "Japonya ve Avustralya katıldı.", "Toplantı iki gün sürdü."] * 4
EN = ["The meeting was held in Brussels.", "Ministers discussed Ukraine.", "The summit will be in The Hague.",
      "Defence spending rose.", "NATO's Secretary General spoke to a full hall.", "A line like a headline",
      "Japan and Australia took part.", "The meeting lasted two days."] * 4


def test_built_articles_use_every_block_kind():
    article = build_article(TR[:20], 0)
    assert article.startswith("## ") and "\n- " in article and "*" in article and "](https://example.org/" in article
    assert "[^1]:" in article


def test_fidelity_of_the_real_pipeline_is_measured_and_leaves_no_trace():
    result = evaluate_fidelity(TR, EN)
    assert result.segments_found == result.segments > 0
    assert result.chrf > 99.5
    assert not MemoryEntry.objects.exists()


def test_fidelity_measures_what_reassembly_produces(monkeypatch):
    from kure.translation.segments import SegmentedDocument

    full = evaluate_fidelity(TR, EN)
    real = SegmentedDocument.reassemble

    def loses_every_third_segment(self, translations, **kwargs):
        return real(self, {i: t for i, t in translations.items() if i % 3}, **kwargs)

    monkeypatch.setattr(SegmentedDocument, "reassemble", loses_every_third_segment)
    broken = evaluate_fidelity(TR, EN)
    assert broken.chrf < full.chrf - 10  # the lost segments stay Turkish, and the score shows it


def test_eval_commands_print_scores_or_say_why_not(tmp_path, openai_server):
    src, ref = tmp_path / "src.tr", tmp_path / "ref.en"
    src.write_text("\n".join(TR) + "\n", encoding="utf-8")
    ref.write_text("\n".join(EN) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("eval", "fidelity", "--src", str(src), "--ref", str(ref), stdout=out)
    assert "chrF 1" in out.getvalue() or "chrF 99" in out.getvalue()
    out = io.StringIO()
    call_command("eval", "translation", "--src", str(src), "--ref", str(ref), stdout=out, stderr=io.StringIO())
    assert "chrF" in out.getvalue() and "BLEU" in out.getvalue() and "segments/s" in out.getvalue()
    (tmp_path / "short.en").write_text("one line\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line-aligned"):
        call_command("eval", "fidelity", "--src", str(src), "--ref", str(tmp_path / "short.en"))


def test_eval_translation_without_an_engine_says_so(tmp_path, settings):
    settings.KURE_TRANSLATION_ENGINES = {}
    src = tmp_path / "src.tr"
    src.write_text("Bir.\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No translation engine is configured for tr-en"):
        call_command("eval", "translation", "--src", str(src), "--ref", str(src))
