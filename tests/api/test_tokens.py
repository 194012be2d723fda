"""API tokens: only a hash is stored, use is recorded sparingly, and the `kure token` command."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kure.api.models import ApiToken
from kure.api.services import authenticate_token, create_token, revoke_token
from kure.core.errors import NotFound

from .conftest import Api

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_secret_is_not_stored_and_authenticates(writer):
    token, secret = create_token(user=writer, name="  içe   aktarma ")
    assert secret.startswith("kure_") and len(secret) > 40
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[5:13] and token.name == "içe aktarma"
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret[5:] in str(value) for value in row.values())
    assert authenticate_token(secret) == writer
    assert authenticate_token(secret + "x") is None
    assert authenticate_token("") is None


def test_last_used_is_written_at_most_once_a_minute(writer):
    token, secret = create_token(user=writer)
    assert token.last_used_at is None
    authenticate_token(secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    authenticate_token(secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_revoke_by_prefix_in_any_spelling(writer):
    token, secret = create_token(user=writer)
    revoke_token(prefix=token.display_prefix)
    assert authenticate_token(secret) is None
    revoke_token(prefix=secret)  # again, and by the whole secret: still revoked, no error
    with pytest.raises(NotFound):
        revoke_token(prefix="zzzzzzzz")


def test_command_create_prints_the_token_last_and_it_works(writer):
    out, err = run("create", "ada", "--name", "betik")
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("kure_")
    assert "ada" in err
    assert ApiToken.objects.get(user=writer).name == "betik"
    response = Api(secret).post("articles", {"title": "Komut Satırından", "body": "Metin."})
    assert response.status_code == 201


def test_command_list_and_revoke(writer):
    secret = run("create", "ada")[0].strip().splitlines()[-1]
    token = ApiToken.objects.get(user=writer)
    listing = run("list", "ada")[0]
    assert token.display_prefix in listing and "active" in listing and secret not in listing
    out = run("revoke", token.prefix)[0]
    assert "Revoked" in out
    assert "revoked" in run("list", "ada")[0]
    assert Api(secret).get("articles").status_code == 401


def test_command_errors_are_clear(writer):
    with pytest.raises(CommandError, match="no person with the username “nobody”"):
        run("create", "nobody")
    with pytest.raises(CommandError, match="no person"):
        run("list", "nobody")
    with pytest.raises(CommandError, match="no token"):
        run("revoke", "kure_zzzzzzzz")
    with pytest.raises(CommandError, match="prefix"):
        run("revoke", "abc")


def test_command_warns_when_the_person_cannot_write(reader_person):
    out, err = run("create", "okur")
    assert out.strip().startswith("kure_")
    assert "can only read" in err


def test_token_prefixes_never_look_like_command_line_options(writer):
    from kure.api.services import create_token

    prefixes = [create_token(user=writer)[0].prefix for _ in range(200)]
    assert all(prefix[0].isalnum() for prefix in prefixes)
