"""Ask on a small corpus the tests publish themselves, with the real embedding model: the cited section is
checked, not only that something came back."""

import pytest

from kure.ask.models import AskedQuestion
from kure.ask.services import ask, scrub
from kure.core.errors import InvalidInput, NotFound
from kure.search.embeddings.base import close_embedders
from kure.search.testing.fake_servers import FakeModelServer

pytestmark = pytest.mark.django_db


def first(answer):
    return (answer.citations[0].slug, answer.citations[0].section) if answer.citations else None


def test_turkish_question_cites_the_section_that_answers_it(corpus):
    answer = ask(question="Osman Bey nerede doğdu?", language="tr")
    assert answer.found and answer.semantic
    assert first(answer) == ("osman-bey", "hayati")
    assert "Söğüt" in answer.text and answer.text.endswith("[1]")
    assert answer.citations[0].url == "/tr/articles/osman-bey/#hayati"
    assert answer.citations[0].text in answer.text


def test_question_about_another_section(corpus):
    answer = ask(question="İstanbul kuşatması kaç gün sürdü?", language="tr")
    assert first(answer) == ("istanbulun-fethi", "kusatma")
    assert "53 gün" in answer.text


def test_citations_are_numbered_in_order_and_distinct(corpus):
    answer = ask(question="Osman Bey hangi şehirleri aldı?", language="tr")
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    keys = [(c.slug, c.section) for c in answer.citations]
    assert len(keys) == len(set(keys)) and first(answer) == ("osman-bey", "fetihler")


def test_english_question_over_a_turkish_article_without_translation(corpus):
    answer = ask(question="Where was Osman Bey born?", language="en")
    assert answer.language == "en"
    assert first(answer) == ("osman-bey", "hayati")
    assert answer.citations[0].language == "tr"
    assert any("no English translation" in note for note in answer.notes)


def test_question_language_is_detected_from_the_question(corpus):
    answer = ask(question="Ilgaz Dağı'nın zirvesi kaç metredir?", language="en")
    assert answer.language == "tr"
    assert first(answer) == ("ilgaz-dagi", "cografya") and "2587" in answer.text
    assert not answer.notes


def test_scoped_to_one_article(corpus):
    answer = ask(question="Kuşatma kaç gün sürdü?", language="tr", article_slug="osman-bey")
    assert {c.slug for c in answer.citations} <= {"osman-bey"}
    with pytest.raises(NotFound):
        ask(question="Kuşatma kaç gün sürdü?", language="tr", article_slug="yok-boyle-bir-madde")


def test_unrelated_question_is_not_answered(corpus):
    answer = ask(question="Kuantum bilgisayarlarında kübitler nasıl soğutulur?", language="tr")
    assert not answer.found and answer.citations == [] and answer.text == ""


def test_words_alone_when_semantic_retrieval_is_off(settings, corpus):
    settings.KURE_EMBEDDINGS = None
    close_embedders()
    answer = ask(question="Osman Bey hangi yılda Söğüt'te doğdu?", language="tr")
    assert not answer.semantic
    assert first(answer) == ("osman-bey", "hayati")


def test_embedding_service_down_still_answers_by_words(settings, corpus):
    with FakeModelServer() as server:
        settings.KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.openai.OpenAIEmbeddingEngine",
                                    "OPTIONS": {"base_url": server.url + "/v1", "model": "fake", "timeout": 1}}
        close_embedders()
        server.fail(503, times=None)
        answer = ask(question="Osman Bey hangi yılda Söğüt'te doğdu?", language="tr")
    assert not answer.semantic
    assert first(answer) == ("osman-bey", "hayati")


@pytest.mark.parametrize("question", ["", "   ", "?!", "x" * 1001])
def test_bad_questions_get_a_clear_message(corpus, question):
    with pytest.raises(InvalidInput) as error:
        ask(question=question, language="tr")
    assert error.value.message


@pytest.mark.parametrize("question", ['"Osman" OR *', "osman) NEAR (", "'; DROP TABLE ask_askedquestion; --",
                                      "🏔️ Ilgaz 🏔️ zirve", "Осман Бей", "a" * 999])
def test_odd_questions_are_answered_or_declined_without_error(corpus, question):
    answer = ask(question=question, language="tr")
    assert answer.found in {True, False}
    assert all(c.url.startswith("/") for c in answer.citations)


def test_questions_are_logged_without_personal_data(corpus):
    ask(question="Osman Bey nerede doğdu? ali@example.org 0532 123 45 67", language="tr")
    ask(question="Kuantum bilgisayarlarında kübitler nasıl soğutulur?", language="tr")
    logged = list(AskedQuestion.objects.order_by("id"))
    assert len(logged) == 2
    assert "example.org" not in logged[0].question and "0532" not in logged[0].question
    assert logged[0].found and logged[0].first_citation == "osman-bey#hayati"
    assert not logged[1].found and logged[1].first_citation == ""
    assert logged[0].asked_at.minute == 0 and logged[0].asked_at.second == 0
    assert scrub("TC 12345678901 numaram") == "TC [number] numaram"


def _chat_engine(settings, server):
    from kure.ask.answerers.base import close_answer_engines

    close_answer_engines()
    settings.KURE_ASK_ENGINE = {"BACKEND": "kure.ask.answerers.openai.OpenAIChatAnswerEngine",
                                "OPTIONS": {"base_url": server.url + "/v1", "model": "fake", "timeout": 2}}


def test_generated_answer_cites_only_given_sections_renumbered_in_order_of_use(settings, corpus):
    with FakeModelServer() as server:
        _chat_engine(settings, server)
        first_answer = ask(question="Osman Bey nerede doğdu?", language="tr")
        passages = server.chat_messages[-1][-1]["content"]
        server.reply_with("Söğüt'te doğdu [2], babası Ertuğrul Gazi'dir [1][2].")
        answer = ask(question="Osman Bey nerede doğdu?", language="tr")
    assert first_answer.answerer == "openai" and first_answer.found
    assert "Söğüt" in passages
    assert answer.text == "Söğüt'te doğdu [1], babası Ertuğrul Gazi'dir [2][1]."
    assert [c.number for c in answer.citations] == [1, 2]


def test_generated_not_found_says_so(settings, corpus):
    with FakeModelServer() as server:
        _chat_engine(settings, server)
        server.reply_with("NOT_IN_ENCYCLOPEDIA")
        answer = ask(question="Osman Bey'in en sevdiği renk neydi?", language="tr")
    assert not answer.found and answer.citations == [] and answer.answerer == "openai"


@pytest.mark.parametrize("fault", ["uncited", "unknown passage", "down"])
def test_generated_answer_that_cannot_be_checked_falls_back_to_extractive(settings, corpus, fault):
    with FakeModelServer() as server:
        _chat_engine(settings, server)
        if fault == "uncited":
            server.reply_with("Osman Bey Söğüt'te doğdu.")
        elif fault == "unknown passage":
            server.reply_with("Osman Bey Söğüt'te doğdu [9].")
        else:
            server.fail(503, times=None)
        answer = ask(question="Osman Bey nerede doğdu?", language="tr")
    assert answer.answerer == "extractive"
    assert first(answer) == ("osman-bey", "hayati")
    assert any("answer engine" in note for note in answer.notes)
