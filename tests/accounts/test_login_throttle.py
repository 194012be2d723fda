"""Failed sign-ins are limited per account name and per address, on the site's form and the admin's; a paused
sign-in says so on the form, keeps the name typed, and refuses even the right password until the window ends.
Sign-ups are limited per address."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from kure.accounts.models import Role, User
from kure.accounts.services import create_person
from kure.core import throttle

pytestmark = pytest.mark.django_db

PASSWORD = "çok-gizli-parola-42"


@pytest.fixture(autouse=True)
def limits(settings):
    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KURE_RATE_LIMITS = {**settings.KURE_RATE_LIMITS, "login_account": (3, 900), "login": (5, 900),
                                 "signup": (2, 3600)}
    yield settings.KURE_RATE_LIMITS
    cache.clear()


@pytest.fixture
def ayse(roles):
    return create_person(username="ayse", full_name="Ayşe Demir", email="ayse@example.org", password=PASSWORD)


def at(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, username: str, password: str, url: str = "/accounts/login/"):
    return client.post(url, {"username": username, "password": password, "next": "/tr/"})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_for_one_name_pause_it_even_for_the_right_password(ayse):
    client = at("10.0.0.1")
    for _ in range(3):
        wrong = sign_in(client, "ayse", "yanlış-parola")
        assert wrong.status_code == 200 and not signed_in(client)
    paused = sign_in(client, "ayse", PASSWORD)
    assert paused.status_code == 429 and not signed_in(client)
    page = paused.content.decode()
    assert "Bu ad için ya da bu adresten çok fazla hatalı giriş denemesi yapıldı" in page
    assert re.search(r'name="username"[^>]*value="ayse"', page), "the name typed is kept"
    assert int(paused["Retry-After"]) > 0
    # The pause follows the name, not the address it came from.
    elsewhere = at("10.0.0.2")
    assert sign_in(elsewhere, "ayse", PASSWORD).status_code == 429 and not signed_in(elsewhere)
    # Another person is not affected.
    create_person(username="mehmet", full_name="Mehmet Işık", email="", password=PASSWORD)
    assert sign_in(elsewhere, "mehmet", PASSWORD).status_code == 302 and signed_in(elsewhere)


def test_other_spellings_of_the_name_count_against_it(ayse):
    client = at("10.0.0.3")
    for name in ("AYSE", " Ayse", "ayse"):
        assert sign_in(client, name, "yanlış").status_code == 200
    assert sign_in(client, "ayse", PASSWORD).status_code == 429


def test_successful_sign_ins_are_not_counted(ayse):
    client = at("10.0.0.4")
    for _ in range(8):
        response = sign_in(client, "ayse", PASSWORD)
        assert response.status_code == 302 and signed_in(client)
        client.post("/accounts/logout/")
    # Two failures after all of that are still under the limit of three.
    assert sign_in(client, "ayse", "yanlış").status_code == 200
    assert sign_in(client, "ayse", "yanlış").status_code == 200
    assert sign_in(client, "ayse", PASSWORD).status_code == 302


def test_failures_from_one_address_pause_every_name_from_it(ayse):
    guesser = at("10.0.0.5")
    for n in range(5):  # a different name each time: the per-name limit is never reached
        assert sign_in(guesser, f"kisi{n}", "yanlış").status_code == 200
    assert sign_in(guesser, "ayse", PASSWORD).status_code == 429 and not signed_in(guesser)
    # Ayşe, from her own address, signs in as usual.
    own = at("10.0.0.6")
    assert sign_in(own, "ayse", PASSWORD).status_code == 302 and signed_in(own)


def test_the_pause_ends_with_the_window(ayse, monkeypatch):
    now = 1_800_000_000 - 1_800_000_000 % 900  # the start of a window
    monkeypatch.setattr(throttle.time, "time", lambda: now)
    client = at("10.0.0.7")
    for _ in range(3):
        sign_in(client, "ayse", "yanlış")
    paused = sign_in(client, "ayse", PASSWORD)
    assert paused.status_code == 429 and paused["Retry-After"] == "900"
    assert "Giriş 15 dakika süreyle durduruldu" in paused.content.decode()
    monkeypatch.setattr(throttle.time, "time", lambda: now + 900)
    assert sign_in(client, "ayse", PASSWORD).status_code == 302 and signed_in(client)


def test_the_admin_sign_in_counts_failures_too(roles):
    create_person(username="yonetici", full_name="Kerem Yücel", email="", password=PASSWORD, roles=(Role.ADMIN,))
    client = at("10.0.0.8")
    for _ in range(3):
        assert sign_in(client, "yonetici", "yanlış", "/admin/login/?next=/admin/").status_code == 200
    paused = sign_in(client, "yonetici", PASSWORD, "/admin/login/?next=/admin/")
    assert not signed_in(client)
    assert "çok fazla hatalı giriş denemesi" in paused.content.decode()
    # And the site's own form knows about the admin's failures: it is one name.
    assert sign_in(client, "yonetici", PASSWORD).status_code == 429


def test_sign_ups_are_limited_per_address_and_the_form_is_kept(roles, monkeypatch):
    now = 1_800_000_000 - 1_800_000_000 % 3600
    monkeypatch.setattr(throttle.time, "time", lambda: now)
    client = at("10.0.0.9")
    for n in range(2):
        response = client.post("/accounts/signup/", {
            "full_name": "Zeynep Çelik", "username": f"zeynep{n}", "email": "z@example.org", "password": PASSWORD})
        assert response.status_code == 302
        client.post("/accounts/logout/")
    refused = client.post("/accounts/signup/", {
        "full_name": "Deniz Kaya", "username": "deniz", "email": "d@example.org", "password": PASSWORD})
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Bu adresten çok fazla üyelik denemesi yapıldı. Lütfen 60 dakika sonra" in page
    assert 'value="Deniz Kaya"' in page and 'value="deniz"' in page and 'value="d@example.org"' in page
    assert not User.objects.filter(username="deniz").exists()
    other = at("10.0.0.10")
    assert other.post("/accounts/signup/", {
        "full_name": "Deniz Kaya", "username": "deniz", "email": "d@example.org", "password": PASSWORD,
    }).status_code == 302
