"""The OpenAPI document describes every URL, and every operation it lists answers."""

import json
import re

import pytest
from django.urls import URLPattern

from kure.api import urls as api_urls
from kure.api.openapi import DOCUMENT
from kure.discussions.models import Thread

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


def _routes() -> dict[str, set[str]]:
    """OpenAPI-style path → methods, from urls.py (the catch-all 404 left out)."""
    routes = {}
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        handlers = getattr(pattern.callback, "handlers", None)
        if handlers is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        routes["/" + path] = {method.lower() for method in handlers}
    return routes


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_served_document_is_the_openapi_31_document(anonymous):
    response = anonymous.get("openapi.json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(DOCUMENT))
    assert DOCUMENT["openapi"].startswith("3.1")
    assert DOCUMENT["info"]["title"] and DOCUMENT["info"]["version"]
    assert DOCUMENT["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A token from `kure token create`."}


def test_every_url_and_method_is_described_and_nothing_else():
    documented = {path: set(item) & METHODS for path, item in DOCUMENT["paths"].items()}
    assert documented == _routes()


def test_every_operation_is_complete():
    operation_ids = []
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            assert operation["responses"], (method, path)
            assert all(re.fullmatch(r"[1-5]\d\d", status) for status in operation["responses"])
            assert any(status.startswith("2") for status in operation["responses"])
            for name in re.findall(r"{(\w+)}", path):
                params = [p["$ref"].rsplit("/", 1)[-1] for p in operation.get("parameters", [])]
                assert name in params, (method, path, name)
            if method == "post":
                assert operation["security"] == [{"bearerAuth": []}]
                assert {"400", "401", "403", "404", "409"} <= set(operation["responses"])
    assert len(operation_ids) == len(set(operation_ids))


def test_every_reference_resolves():
    for ref in _refs(DOCUMENT):
        node = DOCUMENT
        assert ref.startswith("#/")
        for part in ref[2:].split("/"):
            assert part in node, ref
            node = node[part]


def test_every_listed_operation_answers(published, as_writer, as_reviewer, as_second_reviewer):
    """A sample request to each route: anything but 404 (not routed) or 500 (crashed)."""
    slug = published["slug"]
    as_writer.post(f"articles/{slug}/revisions", {"base_revision": published["revision_id"], "body": "İki."})
    samples = {
        ("get", "/openapi.json"): None,
        ("get", "/search"): None,
        ("get", "/ask"): None,
        ("get", "/articles"): None,
        ("post", "/articles"): {"title": "Örnek Madde", "body": "Örnek metin."},
        ("get", "/articles/{slug}"): None,
        ("get", "/articles/{slug}/revisions"): None,
        ("post", "/articles/{slug}/revisions"): {"base_revision": published["revision_id"], "body": "Üç."},
        ("get", "/articles/{slug}/revisions/{number}"): None,
        ("post", "/articles/{slug}/revisions/{number}/submit"): None,
        ("post", "/articles/{slug}/revisions/{number}/approve"): {"comment": "Tamam."},
        ("post", "/articles/{slug}/revisions/{number}/request-changes"): {"comment": "Kaynak."},
        ("get", "/articles/{slug}/discussions"): None,
        ("post", "/articles/{slug}/discussions"): {"title": "Kaynaklar", "body": "Hangi kaynaklar kullanıldı?"},
        ("post", "/discussions/{thread_id}/posts"): {"body": "Bakanlık açıklaması."},
    }
    described = {(method, path) for path, item in DOCUMENT["paths"].items() for method in item}
    assert described == set(samples)
    for method, path in sorted(samples):
        # Sorted, the discussion is started (POST /articles/{slug}/discussions) before it is replied to.
        thread = Thread.objects.order_by("-pk").first() if "{thread_id}" in path else None
        url = path.format(slug=slug, number=2, thread_id=thread.pk if thread else 0).lstrip("/")
        client = as_second_reviewer if "approve" in path or "request-changes" in path else as_writer
        response = client.get(url) if method == "get" else client.post(url, samples[(method, path)])
        assert response.status_code not in {404, 500}, (method, path, response.content)
        assert response["Content-Type"].startswith("application/json")
