"""GET /api/v1/search and GET /api/v1/ask over a small published corpus."""

import pytest

pytestmark = pytest.mark.django_db


def test_search_returns_sections_with_snippets(client, corpus):
    response = client.get("/api/v1/search", {"q": "Söğüt'te", "lang": "tr", "limit": 5})
    assert response.status_code == 200
    data = response.json()
    top = data["results"][0]
    assert {k: top[k] for k in ("slug", "title", "language", "section")} == {
        "slug": "osman-bey", "title": "Osman Bey", "language": "tr", "section": "hayati"}
    assert "Söğüt" in top["snippet"] and top["score"] > 0
    assert top["url"] == "/tr/articles/osman-bey/#hayati"
    assert set(top) == {"slug", "title", "language", "section", "heading", "snippet", "score", "url"}


def test_search_filters_and_paging(client, corpus):
    everything = client.get("/api/v1/search", {"q": "yılında 1453 Osman"}).json()["results"]
    first = client.get("/api/v1/search", {"q": "yılında 1453 Osman", "limit": 1}).json()
    second = client.get("/api/v1/search", {"q": "yılında 1453 Osman", "limit": 1, "offset": 1}).json()
    assert first["has_more"] and [first["results"][0], second["results"][0]] == everything[:2]
    tagged = client.get("/api/v1/search", {"q": "yılında 1453 Osman", "tag": "fetih"}).json()["results"]
    assert {r["slug"] for r in tagged} == {"istanbulun-fethi"}
    assert client.get("/api/v1/search", {"q": "Osman", "category": "cografya"}).json()["results"] == []


@pytest.mark.parametrize("params, status, error", [
    ({"q": ""}, 400, "invalid"),
    ({"q": "!!! ???"}, 400, "invalid"),
    ({"q": "osman", "lang": "xx"}, 400, "invalid"),
    ({"q": "osman", "limit": "1000"}, 400, "invalid"),
    ({"q": "osman", "limit": "-1"}, 400, "invalid"),
])
def test_search_bad_input(client, corpus, params, status, error):
    response = client.get("/api/v1/search", params)
    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["message"]


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "a OR", "((", "' OR 1=1 --", "🙂", "x" * 10_240])
def test_search_syntax_is_text(client, corpus, query):
    response = client.get("/api/v1/search", {"q": query})
    assert response.status_code in {200, 400}
    assert "message" in response.json() or "results" in response.json()


def test_long_query_is_cut_with_a_note(client, corpus):
    data = client.get("/api/v1/search", {"q": "Söğüt " * 2000}).json()
    assert data["results"][0]["slug"] == "osman-bey"
    assert any("first 500 characters" in note for note in data["notes"])


def test_ask_answers_with_citations(client, corpus):
    response = client.get("/api/v1/ask", {"q": "Osman Bey nerede doğdu?", "lang": "tr"})
    assert response.status_code == 200
    data = response.json()
    assert data["found"] is True and "Söğüt" in data["answer"] and "[1]" in data["answer"]
    citation = data["citations"][0]
    assert (citation["slug"], citation["section"], citation["language"]) == ("osman-bey", "hayati", "tr")
    assert citation["text"] in data["answer"]
    assert set(citation) == {"number", "slug", "title", "section", "heading", "language", "text", "url"}


def test_ask_english_question_over_turkish_article(client, corpus):
    data = client.get("/api/v1/ask", {"q": "How many days did the siege of Istanbul last?", "lang": "en"}).json()
    assert data["language"] == "en"
    assert (data["citations"][0]["slug"], data["citations"][0]["section"]) == ("istanbulun-fethi", "kusatma")
    assert data["notes"]


def test_ask_not_found_and_bad_input(client, corpus):
    data = client.get("/api/v1/ask", {"q": "Kuantum bilgisayarlarında kübitler nasıl soğutulur?"}).json()
    assert data["found"] is False and data["citations"] == [] and data["answer"] == ""
    for params in ({"q": ""}, {"q": "y" * 1001}, {"q": "osman", "lang": "klingon"}):
        response = client.get("/api/v1/ask", params)
        assert response.status_code == 400 and response.json()["message"]
    response = client.get("/api/v1/ask", {"q": "osman", "article": "yok"})
    assert response.status_code == 404


def test_ask_is_rate_limited_per_client(client, settings, corpus):
    settings.KURE_RATE_LIMITS = {"ask": (2, 60)}
    from django.core.cache import cache

    cache.clear()
    for _ in range(2):
        assert client.get("/api/v1/ask", {"q": "Osman Bey nerede doğdu?"}).status_code == 200
    response = client.get("/api/v1/ask", {"q": "Osman Bey nerede doğdu?"})
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited" and "wait" in response.json()["message"]
    other = client.get("/api/v1/ask", {"q": "Osman Bey nerede doğdu?"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
