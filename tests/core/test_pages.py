import pytest
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db


def test_sqlite_connections_run_our_init_command():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: this run uses " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")  # NORMAL (1) comes from settings; SQLite's own default is FULL (2)
        assert cursor.fetchone()[0] == 1


def test_root_redirects_to_the_default_language(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/tr/"


def test_english_interface_on_english_urls(client):
    assert "Recently added" in client.get("/en/").content.decode()
    assert "Son eklenenler" in client.get("/tr/").content.decode()


def test_a_form_posted_without_csrf_gets_a_clear_403(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post("/tr/articles/new/", {"title": "Başlık", "body": "Metin."})
    assert response.status_code == 403 and "Formun süresi dolmuş" in response.content.decode()
