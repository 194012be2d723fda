"""People, tokens and a small JSON client for the API tests."""

import json
from typing import Any

import pytest
from django.test import Client

from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.api.services import create_token

BODY = """NATO dışişleri bakanları Brüksel'de toplandı. Toplantı iki gün sürdü.

## Katılımcılar

Toplantıya 32 müttefik ülkenin bakanları katıldı.

### İstanbul'dan Gelenler

Türk heyeti Ankara'dan geldi.

## Gündem

Ukrayna'ya destek toplantının ana gündem maddesiydi.
"""


class Api:
    """The Django test client speaking JSON to /api/v1/, optionally with a bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        base = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**base, **(headers or {})}

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any):
        return self.client.get(f"/api/v1/{path}", params, headers=self._headers(headers))

    def post(self, path: str, data: Any = None, *, raw: bytes | str | None = None,
             content_type: str = "application/json", headers: dict[str, str] | None = None):
        body = raw if raw is not None else ("" if data is None else json.dumps(data))
        return self.client.post(f"/api/v1/{path}", body, content_type=content_type,
                                headers=self._headers(headers))

    def request(self, method: str, path: str, headers: dict[str, str] | None = None):
        return self.client.generic(method, f"/api/v1/{path}", headers=self._headers(headers))


@pytest.fixture
def writer(db):
    return create_person(username="ada", full_name="Ada Yılmaz", email="ada@example.org", password=None,
                         roles=(Role.AUTHOR,))


@pytest.fixture
def reviewer(db):
    return create_person(username="deniz", full_name="Deniz Kaya", email="deniz@example.org", password=None,
                         roles=(Role.AUTHOR, Role.EDITOR))


@pytest.fixture
def second_reviewer(db):
    return create_person(username="emre", full_name="Emre Çelik", email="emre@example.org", password=None,
                         roles=(Role.AUTHOR, Role.EDITOR))


@pytest.fixture
def reader_person(db):
    return create_person(username="okur", full_name="Okur Şahin", email="okur@example.org", password=None)


@pytest.fixture
def anonymous() -> Api:
    return Api()


@pytest.fixture
def as_writer(writer) -> Api:
    return Api(create_token(user=writer, name="tests")[1])


@pytest.fixture
def as_reviewer(reviewer) -> Api:
    return Api(create_token(user=reviewer)[1])


@pytest.fixture
def as_second_reviewer(second_reviewer) -> Api:
    return Api(create_token(user=second_reviewer)[1])


@pytest.fixture
def as_reader(reader_person) -> Api:
    return Api(create_token(user=reader_person)[1])


@pytest.fixture
def published(as_writer, as_reviewer) -> dict[str, Any]:
    """An article written, submitted and approved through the API; the answer to its creation."""
    created = as_writer.post("articles", {
        "title": "NATO Dışişleri Bakanları Toplantısı", "body": BODY,
        "category": "Gündem / Uluslararası İlişkiler", "tags": ["NATO", "Diplomasi"], "submit": True,
    })
    assert created.status_code == 201, created.json()
    slug = created.json()["slug"]
    approved = as_reviewer.post(f"articles/{slug}/revisions/1/approve", {"comment": "Güzel."})
    assert approved.status_code == 200, approved.json()
    return created.json()
