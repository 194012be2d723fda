"""``kure import squad`` and ``kure eval ask`` on a SQuAD file the test writes itself."""

import json
import re

import pytest
from django.core.management import CommandError, call_command

from kure.articles.models import Article
from kure.search.models import IndexedSection
from kure.search.ranking import STATS

pytestmark = pytest.mark.django_db

SQUAD = {"version": "1.1", "data": [
    {"title": "Söğüt Kasabası", "paragraphs": [
        {"context": "Söğüt, Bilecik iline bağlı bir ilçedir.Ertuğrul Gazi'nin türbesi Söğüt'tedir.",
         "qas": [{"id": 1, "question": "Ertuğrul Gazi'nin türbesi nerededir?",
                  "answers": [{"answer_start": 0, "text": "Söğüt"}]}]},
        {"context": "# Not a heading\n1. not a list *not emphasis* [[not a link]] <b>not html</b>\n"
                    "Kasabada her yıl Eylül ayında Ertuğrul Gazi'yi anma törenleri yapılır.",
         "qas": [{"id": 2, "question": "Anma törenleri hangi ayda yapılır?",
                  "answers": [{"answer_start": 0, "text": "Eylül"}]}]},
    ]},
    {"title": "Ilgaz  Dağı", "paragraphs": [
        {"context": "Ilgaz Dağı'nın en yüksek noktası 2587 metredir.",
         "qas": [{"id": 3, "question": "Ilgaz Dağı'nın en yüksek noktası kaç metredir?",
                  "answers": [{"answer_start": 0, "text": "2587 metre"}]}]},
    ]},
]}


@pytest.fixture
def squad_file(tmp_path):
    path = tmp_path / "set.json"
    path.write_text(json.dumps(SQUAD, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def imported(squad_file, editor, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import", "squad", str(squad_file), "--language", "tr", "--publish", "--editor", editor.username)
    STATS.forget()
    return capsys.readouterr().out


def test_import_makes_one_article_per_title_and_one_section_per_paragraph(imported):
    assert "2 articles created" in imported and "3 paragraphs, 3 questions" in imported
    article = Article.objects.get(slug="sogut-kasabasi")
    assert article.title == "Söğüt Kasabası" and article.is_published
    sections = article.published_revision.sections
    assert [(s["anchor"], s["heading"]) for s in sections] == [("paragraf-1", "Paragraf 1"),
                                                               ("paragraf-2", "Paragraf 2")]
    # The text is kept as written: Markdown in the file is not interpreted.
    assert sections[1]["text"].startswith("# Not a heading 1. not a list *not emphasis* [[not a link]] "
                                          "<b>not html</b>")
    assert Article.objects.get(slug="ilgaz-dagi").title == "Ilgaz Dağı"
    assert IndexedSection.objects.filter(article=article).count() == 2


def test_import_again_changes_nothing(imported, squad_file, editor, capsys):
    call_command("import", "squad", str(squad_file), "--publish", "--editor", editor.username)
    assert "0 articles created, 0 updated, 2 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("content, message", [
    ("{not json", "is not JSON"),
    ('{"data": [{"paragraphs": []}]}', "has no “title”"),
    ('[1, 2]', "not in SQuAD format"),
    ('{"data": [{"title": "A", "paragraphs": [{"qas": []}]}]}', "has no “context”"),
])
def test_bad_files_are_refused_with_a_reason(tmp_path, editor, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import", "squad", str(path), "--publish", "--editor", editor.username)
    assert not Article.objects.exists()


def test_missing_file_and_unknown_language(tmp_path, editor):
    with pytest.raises(CommandError, match="no file"):
        call_command("import", "squad", str(tmp_path / "nope.json"))
    with pytest.raises(CommandError, match="Unknown language"):
        call_command("import", "squad", str(tmp_path / "nope.json"), "--language", "xx")


def test_eval_ask_reports_recall_containment_and_latency(imported, squad_file, capsys):
    call_command("eval", "ask", str(squad_file), "--lang", "tr")
    out = capsys.readouterr().out
    assert "ask (tr): 3 questions" in out
    recall = re.search(r"recall@1 ([\d.]+)%  recall@5 ([\d.]+)%", out)
    assert recall and float(recall.group(1)) == 100.0 and float(recall.group(2)) == 100.0
    contains = re.search(r"answer contains the gold answer ([\d.]+)%", out)
    assert contains and float(contains.group(1)) == 100.0
    assert re.search(r"latency p50 \d+ ms  p95 \d+ ms", out)


def test_eval_ask_with_questions_in_another_language(imported, squad_file, tmp_path, capsys):
    questions = tmp_path / "en.tsv"
    questions.write_text("0\tWhere is Ertuğrul Gazi's tomb?\n2\tHow high is the highest point of Mount Ilgaz?\n",
                         encoding="utf-8")
    call_command("eval", "ask", str(squad_file), "--lang", "en", "--questions", str(questions))
    out = capsys.readouterr().out
    assert "ask (en): 2 questions" in out and "recall@5 100.0%" in out


def test_eval_ask_before_import_says_what_to_do(squad_file):
    with pytest.raises(CommandError, match="is not imported"):
        call_command("eval", "ask", str(squad_file))
