"""The whole writing and review flow through the API, and reading the result as a reader."""

from datetime import datetime

import pytest

from kure.articles.models import Article, ReviewState

from .conftest import BODY

pytestmark = pytest.mark.django_db

SLUG = "nato-disisleri-bakanlari-toplantisi"


def test_author_writes_submits_editor_approves_reader_reads(as_writer, as_reviewer, anonymous):
    created = as_writer.post("articles", {
        "title": "NATO Dışişleri Bakanları Toplantısı", "body": BODY, "language": "tr",
        "category": "Gündem / Uluslararası İlişkiler", "tags": ["NATO", "Diplomasi"],
        "edit_summary": "İlk yazım",
    })
    assert created.status_code == 201
    data = created.json()
    assert data["slug"] == SLUG and data["revision_number"] == 1 and data["state"] == "draft"
    assert created["Location"] == data["url"]
    assert data["url"].endswith(f"/api/v1/articles/{SLUG}/revisions/1")

    # A draft is not there for readers yet.
    assert anonymous.get(f"articles/{SLUG}").status_code == 404

    submitted = as_writer.post(f"articles/{SLUG}/revisions/1/submit")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"

    approved = as_reviewer.post(f"articles/{SLUG}/revisions/1/approve", {"comment": "Yayında."})
    assert approved.status_code == 200
    assert approved.json()["state"] == "approved"

    response = anonymous.get(f"articles/{SLUG}", lang="tr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    article = response.json()
    revision_id = Article.objects.get(slug=SLUG).published_revision_id
    assert article["title"] == "NATO Dışişleri Bakanları Toplantısı"
    assert article["slug"] == SLUG and article["language"] == "tr"
    assert article["category"] == "gundem/uluslararasi-iliskiler"
    assert article["category_name"] == "Uluslararası İlişkiler"
    assert sorted(article["tags"]) == ["Diplomasi", "NATO"]
    assert article["author"]["username"] == "ada" and article["author"]["name"] == "Ada Yılmaz"
    assert article["author"]["url"].endswith("/tr/people/ada/")
    assert article["revision_id"] == data["revision_id"] == revision_id
    assert datetime.fromisoformat(article["published_at"]) <= datetime.fromisoformat(article["updated_at"])
    assert "Brüksel" in article["summary"]
    assert article["sections"] == [
        {"anchor": "katilimcilar", "heading": "Katılımcılar", "level": 2},
        {"anchor": "istanbuldan-gelenler", "heading": "İstanbul'dan Gelenler", "level": 3},
        {"anchor": "gundem", "heading": "Gündem", "level": 2},
    ]
    assert '<h2 id="katilimcilar">Katılımcılar</h2>' in article["html"]
    # Turkish stays readable in the JSON itself, not \u-escaped.
    assert "Katılımcılar".encode() in response.content


def test_lang_defaults_to_the_original_language(published, anonymous):
    assert anonymous.get(f"articles/{SLUG}").json()["language"] == "tr"


def test_article_listing_is_paginated(published, as_writer, as_reviewer, anonymous):
    for title in ["Van Gölü", "Ağrı Dağı"]:
        new = {"title": title, "body": f"{title} hakkında.", "submit": True}
        slug = as_writer.post("articles", new).json()["slug"]
        assert as_reviewer.post(f"articles/{slug}/revisions/1/approve").status_code == 200
    as_writer.post("articles", {"title": "Taslak", "body": "Henüz yayımlanmadı."})

    page = anonymous.get("articles", limit=2).json()
    assert page["count"] == 3 and page["limit"] == 2 and page["offset"] == 0
    assert [a["slug"] for a in page["results"]] == ["agri-dagi", "van-golu"]
    assert page["previous"] is None and "offset=2" in page["next"]
    first = page["results"][0]
    assert set(first) == {"slug", "title", "language", "published_at", "url"}
    assert first["url"].endswith("/tr/articles/agri-dagi/")

    last = anonymous.get("articles", limit=2, offset=2).json()
    assert [a["slug"] for a in last["results"]] == [SLUG] and last["next"] is None
    assert anonymous.get("articles", offset=50).json()["results"] == []


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "101"}, {"limit": "abc"}, {"offset": "-1"},
                                    {"limit": "1e3"}, {"offset": "9" * 40}, {"limit": "٣"}])
def test_bad_pagination_numbers_are_400(anonymous, params):
    response = anonymous.get("articles", **params)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and response.json()["field"] in params


def test_editing_on_top_of_the_newest_revision(published, as_writer, anonymous):
    base = published["revision_id"]
    response = as_writer.post(f"articles/{SLUG}/revisions", {
        "base_revision": base, "body": BODY + "\nYeni bir paragraf.\n", "edit_summary": "Paragraf eklendi",
        "submit": True})
    assert response.status_code == 201
    data = response.json()
    assert data["revision_number"] == 2 and data["state"] == "submitted"
    # Readers still see the approved text; the title defaulted to the head's.
    assert anonymous.get(f"articles/{SLUG}").json()["revision_id"] == base
    assert Article.objects.get(slug=SLUG).head_revision.title == "NATO Dışişleri Bakanları Toplantısı"


def test_stale_base_is_409_with_both_texts(published, as_writer, as_reviewer):
    base = published["revision_id"]
    path = f"articles/{SLUG}/revisions"
    first = as_reviewer.post(path, {"base_revision": base, "body": BODY + "\nEditör.\n"})
    assert first.status_code == 201
    response = as_writer.post(path, {"base_revision": base, "body": BODY + "\nYazar.\n"})
    assert response.status_code == 409
    conflict = response.json()
    assert conflict["error"] == "edit_conflict"
    assert conflict["current_revision"] == first.json()["revision_id"]
    assert conflict["current_body"].endswith("Editör.\n")
    assert conflict["your_body"].endswith("Yazar.\n")
    assert "message" in conflict


def test_author_cannot_approve(published, as_writer, as_second_reviewer):
    revision = as_second_reviewer.post(f"articles/{SLUG}/revisions", {
        "base_revision": published["revision_id"], "body": BODY + "\nEk.\n", "submit": True}).json()
    response = as_writer.post(f"articles/{SLUG}/revisions/{revision['revision_number']}/approve")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_editor_cannot_approve_own_revision(published, as_reviewer):
    as_reviewer.post(f"articles/{SLUG}/revisions", {
        "base_revision": published["revision_id"], "body": BODY + "\nEk.\n", "submit": True})
    response = as_reviewer.post(f"articles/{SLUG}/revisions/2/approve")
    assert response.status_code == 403
    assert response.json()["error"] == "review_required"


def test_request_changes_needs_a_comment_and_an_editor(published, as_writer, as_reviewer):
    as_writer.post(f"articles/{SLUG}/revisions", {
        "base_revision": published["revision_id"], "body": BODY + "\nEk.\n", "submit": True})
    assert as_writer.post(f"articles/{SLUG}/revisions/2/request-changes", {"comment": "x"}).status_code == 403
    missing = as_reviewer.post(f"articles/{SLUG}/revisions/2/request-changes")
    assert missing.status_code == 400 and missing.json()["field"] == "comment"
    response = as_reviewer.post(f"articles/{SLUG}/revisions/2/request-changes", {"comment": "Kaynak ekle."})
    assert response.status_code == 200
    assert response.json()["state"] == ReviewState.CHANGES_REQUESTED
    # Approving it now is a state error, not a crash.
    again = as_reviewer.post(f"articles/{SLUG}/revisions/2/approve")
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"


def test_reader_token_cannot_write(as_reader):
    response = as_reader.post("articles", {"title": "Başlık", "body": "Metin."})
    assert response.status_code == 403


def test_revision_history_anonymous_sees_approved_only(published, as_writer, anonymous):
    as_writer.post(f"articles/{SLUG}/revisions", {"base_revision": published["revision_id"],
                                                   "body": BODY + "\nTaslak.\n"})
    public = anonymous.get(f"articles/{SLUG}/revisions").json()
    assert [r["number"] for r in public["results"]] == [1]
    everything = as_writer.get(f"articles/{SLUG}/revisions").json()
    assert [r["number"] for r in everything["results"]] == [2, 1]
    newest = everything["results"][0]
    assert set(newest) == {"id", "number", "title", "author", "created_at", "state", "edit_summary",
                           "base_revision", "url"}
    assert newest["state"] == "draft" and newest["base_revision"] == published["revision_id"]
    assert newest["author"]["name"] == "Ada Yılmaz"
    # Its source is there for the author, not for readers.
    assert as_writer.get(f"articles/{SLUG}/revisions/2").json()["body"].endswith("Taslak.\n")
    assert anonymous.get(f"articles/{SLUG}/revisions/2").status_code == 404
    one = anonymous.get(f"articles/{SLUG}/revisions/1").json()
    assert one["body"] == BODY and one["sections"][0]["anchor"] == "katilimcilar"


def test_unpublished_article_history_is_hidden_from_readers(as_writer, anonymous, as_reader):
    as_writer.post("articles", {"title": "Taslak Madde", "body": "Metin."})
    assert anonymous.get("articles/taslak-madde/revisions").status_code == 404
    assert as_reader.get("articles/taslak-madde/revisions").status_code == 404
    assert as_writer.get("articles/taslak-madde/revisions").json()["count"] == 1


def test_category_and_tags_validation(as_writer):
    response = as_writer.post("articles", {"title": "A", "body": "B", "category": "Gündem / "})
    assert response.status_code == 400 and response.json()["field"] == "category"
    for category in ["x" * 121, " / ".join("abcdef")]:
        response = as_writer.post("articles", {"title": "A", "body": "B", "category": category})
        assert response.status_code == 400 and response.json()["field"] == "category"
    response = as_writer.post("articles", {"title": "A", "body": "B", "tags": ["x" * 81]})
    assert response.status_code == 400 and response.json()["field"] == "tags"
    # Nothing of a refused article stays behind, not even its new category.
    response = as_writer.post("articles", {"title": "", "body": "B", "category": "Yeni Kategori"})
    assert response.status_code == 400 and response.json()["field"] == "title"
    from kure.articles.models import Category

    assert not Category.objects.filter(name="Yeni Kategori").exists()


def test_duplicate_slug_is_400(published, as_writer):
    response = as_writer.post("articles", {"title": "NATO Dışişleri Bakanları Toplantısı", "body": "Başka."})
    assert response.status_code == 400
    assert response.json()["field"] == "slug"


def test_approval_runs_its_after_commit_work(as_writer, as_reviewer, anonymous,
                                             django_capture_on_commit_callbacks):
    new = {"title": "Van Gölü", "body": "Büyük bir göl.", "submit": True}
    slug = as_writer.post("articles", new).json()["slug"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert as_reviewer.post(f"articles/{slug}/revisions/1/approve").status_code == 200
    assert callbacks  # the lead-image task was enqueued, and enqueueing did not break the answer
    assert anonymous.get(f"articles/{slug}").status_code == 200
