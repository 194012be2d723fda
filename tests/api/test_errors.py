"""Every mistake a client can make is a JSON answer with a clear message, never an HTML page or a 500."""

import pytest
from django.test import Client

from kure.api.services import create_token, revoke_token

from .conftest import Api

pytestmark = pytest.mark.django_db

SLUG = "nato-disisleri-bakanlari-toplantisi"
NEW = {"title": "Başlık", "body": "Metin."}


def test_write_without_token_is_401_with_challenge(anonymous):
    response = anonymous.post("articles", NEW)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "kure token create" in response.json()["message"]


@pytest.mark.parametrize("header", ["Bearer kure_not-a-real-token", "Bearer nonsense", "Basic YWRhOnNpZnJl",
                                    "Bearer", "kure_abc"])
def test_invalid_token_is_401_even_for_reads(db, header):
    client = Client()
    for response in (client.post("/api/v1/articles", NEW, content_type="application/json",
                                 headers={"Authorization": header}),
                     client.get("/api/v1/articles", headers={"Authorization": header})):
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_revoked_token_and_deactivated_owner_are_401(writer):
    token, secret = create_token(user=writer)
    assert Api(secret).post("articles", NEW).status_code == 201
    revoke_token(prefix=token.prefix)
    assert Api(secret).post("articles", {**NEW, "slug": "iki"}).status_code == 401

    _, secret = create_token(user=writer)
    writer.is_active = False
    writer.save()
    assert Api(secret).post("articles", {**NEW, "slug": "uc"}).status_code == 401


def test_session_login_does_not_authorise_writes_and_csrf_is_not_involved(writer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    response = client.post("/api/v1/articles", NEW, content_type="application/json")
    assert response.status_code == 401  # not 403 from CSRF, and not a write by the session's person
    _, secret = create_token(user=writer)
    response = client.post("/api/v1/articles", NEW, content_type="application/json",
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201


@pytest.mark.parametrize(("raw", "content_type", "words"), [
    ("{not json", "application/json", "not valid JSON"),
    ('{"title": "a",}', "application/json", "not valid JSON"),
    ("[1, 2]", "application/json", "must be a JSON object"),
    ('"text"', "application/json", "must be a JSON object"),
    ("null", "application/json", "must be a JSON object"),
    ("title=a&body=b", "application/x-www-form-urlencoded", "Content-Type: application/json"),
    ('{"title": "a"}', "text/plain", "Content-Type: application/json"),
    (b"\xff\xfe{}", "application/json", "UTF-8"),
    ("[" * 100_000 + "]" * 100_000, "application/json", ""),
])
def test_malformed_bodies_are_400(as_writer, raw, content_type, words):
    response = as_writer.post("articles", raw=raw, content_type=content_type)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and words in body["message"]


@pytest.mark.parametrize(("field", "value"), [
    ("title", 5), ("body", ["a"]), ("tags", "NATO"), ("tags", [1, 2]), ("submit", "yes"), ("category", {}),
    ("language", False), ("surprise", 1),
])
def test_wrong_field_types_and_unknown_fields_are_400_naming_the_field(as_writer, field, value):
    response = as_writer.post("articles", {**NEW, field: value})
    assert response.status_code == 400
    assert response.json()["field"] == field


@pytest.mark.parametrize(("payload", "field"), [
    ({"body": "x"}, "base_revision"),
    ({"base_revision": "1", "body": "x"}, "base_revision"),
    ({"base_revision": True, "body": "x"}, "base_revision"),
    ({"base_revision": 1, "body": None}, "body"),
])
def test_revision_payload_errors(published, as_writer, payload, field):
    response = as_writer.post(f"articles/{SLUG}/revisions", payload)
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_unknown_language_and_article_are_404(published, anonymous):
    response = anonymous.get(f"articles/{SLUG}", lang="xx")
    assert response.status_code == 404
    assert "tr, en" in response.json()["message"] and response.json()["languages"] == ["tr", "en"]

    response = anonymous.get("articles/yok-boyle-bir-madde")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"

    assert anonymous.get(f"articles/{SLUG}/revisions/99").status_code == 404
    assert anonymous.get(f"articles/{SLUG}/revisions/{10 ** 30}").status_code == 404
    assert anonymous.get("articles/yok/revisions").status_code == 404


def test_untranslated_language_is_404_naming_the_available_ones(published, anonymous):
    response = anonymous.get(f"articles/{SLUG}", lang="en")
    assert response.status_code == 404
    body = response.json()
    assert "no English translation yet" in body["message"]
    assert body["available_languages"] == ["tr"] and body["language"] == "en"


def test_unknown_api_path_is_json_404(anonymous):
    answers = (anonymous.get("nothing/here"), anonymous.get("articles/"), anonymous.post("makaleler", {}))
    for response in answers:
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
        assert "openapi.json" in response.json()["message"]


def test_unknown_methods_are_405_with_allow(published, as_writer):
    for method, path in [("DELETE", f"articles/{SLUG}"), ("PUT", "articles"), ("PATCH", f"articles/{SLUG}"),
                         ("GET", f"articles/{SLUG}/revisions/1/approve"), ("POST", "openapi.json")]:
        response = as_writer.request(method, path)
        assert response.status_code == 405, (method, path)
        assert response.json()["error"] == "method_not_allowed"
        assert method not in response["Allow"]
    options = as_writer.request("OPTIONS", "articles")
    assert options.status_code == 204 and options["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_empty_body_where_none_is_needed_is_fine_but_fields_are_checked(published, as_writer, as_reviewer):
    as_writer.post(f"articles/{SLUG}/revisions", {"base_revision": published["revision_id"], "body": "Yeni."})
    assert as_writer.post(f"articles/{SLUG}/revisions/2/submit", raw="").status_code == 200
    response = as_reviewer.post(f"articles/{SLUG}/revisions/2/approve", {"comment": 3})
    assert response.status_code == 400 and response.json()["field"] == "comment"


def test_too_large_body_is_413(as_writer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = as_writer.post("articles", {"title": "Uzun", "body": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
