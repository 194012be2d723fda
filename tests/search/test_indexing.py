"""The index follows what readers can see: publishing, new revisions, translations, and `kure reindex`."""

from collections import Counter

import pytest
from django.core.management import call_command

from kure.articles import services
from kure.search import analysis, indexing
from kure.search.backends.base import Filters
from kure.search.models import CachedEmbedding, IndexedSection, SectionVector, TermStat
from kure.search.ranking import STATS, lexical

pytestmark = pytest.mark.django_db


def found(query: str, language: str = "tr") -> list[str]:
    STATS.forget()
    return [i.row.anchor for i in lexical(query, language=language, filters=Filters(), limit=10)]


def term_counts() -> Counter:
    counts: Counter = Counter()
    for row in IndexedSection.objects.all():
        counts.update(indexing._section_terms(row))
    return counts


def test_analysis_knows_turkish():
    assert analysis.words("ILGAZ İzmir'de", "tr") == ["ılgaz", "izmir", "de"]
    terms = analysis.terms("Söğüt'te doğdu", "tr")
    assert "söğüt" in terms and "sogut" in terms and "5sogut" in terms
    assert analysis.query_terms("Osman Bey nerede doğdu?", "tr")[:2] == ["osma", "5osman"]
    assert "nere" not in analysis.query_terms("Osman Bey nerede doğdu?", "tr")
    assert analysis.foreign_query_terms("Where was Osman Bey born?", "en")[:2] == ["osman", "5osman"]
    assert analysis.split_sentences("Bir cümle.İkinci cümle. Üç.\n\nYeni paragraf 1. madde") == [
        "Bir cümle.", "İkinci cümle.", "Üç.", "Yeni paragraf 1. madde"]


def test_drafts_are_not_indexed_and_publishing_indexes(author, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.create_article(author=author, title="Van Gölü", body="Van Gölü sodalı bir göldür.",
                                           submit=True)
    assert not IndexedSection.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_revision(revision=revision, editor=editor)
    assert found("sodalı göl") == [""]
    assert SectionVector.objects.count() == 1


def test_new_revision_replaces_old_words_and_keeps_unchanged_vectors(publish, author, editor,
                                                                    django_capture_on_commit_callbacks):
    article = publish("Van Gölü", "Van Gölü sodalı bir göldür.\n\n## Balıklar\n\nİnci kefali yaşar.\n")
    fish = IndexedSection.objects.get(anchor="baliklar")
    embedded = CachedEmbedding.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.save_revision(article=article, author=author, title="Van Gölü",
                                          body="Van Gölü tuzlu ve sodalı bir göldür.\n\n## Balıklar\n\n"
                                               "İnci kefali yaşar.\n",
                                          base_revision=article.head_revision, submit=True)
        services.approve_revision(revision=revision, editor=editor)
    assert found("tuzlu") == [""]
    assert IndexedSection.objects.get(anchor="baliklar").pk == fish.pk  # unchanged: row and vector kept
    assert CachedEmbedding.objects.count() == embedded + 1  # only the changed sentence was embedded
    article.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.save_revision(article=article, author=author, title="Van Gölü",
                                          body="Van Gölü büyük bir göldür.\n", base_revision=article.head_revision,
                                          submit=True)
        services.approve_revision(revision=revision, editor=editor)
    assert found("tuzlu") == [] and found("kefali") == []
    assert found("büyük") == [""]
    assert dict(term_counts()) == {t.term: t.sections for t in TermStat.objects.all() if t.sections}


def test_translations_are_indexed_in_their_language(publish, settings, django_capture_on_commit_callbacks):
    from kure.translation.testing.fake_servers import FakeOpenAIServer

    with FakeOpenAIServer(dictionary={"Van": "Van", "Gölü": "Lake", "sodalı": "soda", "bir": "a",
                                      "göldür": "lake"}) as server:
        settings.KURE_TRANSLATION_ENGINES = {"*": {"BACKEND": "kure.translation.engines.openai.OpenAIChatEngine",
                                                   "OPTIONS": {"base_url": server.url + "/v1", "model": "fake"}}}
        publish("Van Gölü", "Van Gölü sodalı bir göldür.\n")
    from kure.translation.engines.base import close_engines

    close_engines()
    rows = {row.language: row for row in IndexedSection.objects.all()}
    assert set(rows) == {"tr", "en"}
    assert rows["en"].source == "translation" and "soda" in rows["en"].text
    STATS.forget()
    found_in_english = lexical("soda lake", language="en", filters=Filters(languages=("en",)), limit=5)
    assert [i.row.language for i in found_in_english] == ["en"]


def test_reindex_rebuilds_the_same_index(corpus, capsys):
    before = sorted(IndexedSection.objects.values_list("article_id", "language", "position", "body_terms"))
    terms = {t.term: t.sections for t in TermStat.objects.all() if t.sections}
    IndexedSection.objects.all().delete()
    assert found("Söğüt") == []
    call_command("reindex")
    out = capsys.readouterr()
    assert "3 articles, 8 sections indexed, 8 sections embedded" in out.out
    assert "vectors" in out.err and "8/8" in out.err
    assert sorted(IndexedSection.objects.values_list("article_id", "language", "position", "body_terms")) == before
    assert {t.term: t.sections for t in TermStat.objects.all() if t.sections} == terms
    assert SectionVector.objects.count() == 8
    assert found("Söğüt")[0] == "hayati"


def test_indexing_failure_does_not_fail_publishing(publish, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(indexing, "index_article", broken)
    article = publish("Van Gölü", "Van Gölü sodalı bir göldür.\n")
    assert article.is_published
    assert "kure reindex" in caplog.text
