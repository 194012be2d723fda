"""Creating, checking and revoking API tokens. The secret is shown once and never stored."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..accounts.models import User
from ..core.errors import InvalidInput, NotFound
from .models import ApiToken

TOKEN_PREFIX = "kure_"
PREFIX_LENGTH = 8
# How stale ``last_used_at`` may get: a write on every request would queue reads on SQLite's write lock.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# A real token is "kure_" + 43 characters; anything far longer is not worth hashing.
_MAX_SECRET_LENGTH = 200


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _random_part(secret: str) -> str:
    return secret.removeprefix(TOKEN_PREFIX)


@transaction.atomic
def create_token(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``; the returned secret is the only copy there will ever be."""
    name = " ".join((name or "").split())
    if len(name) > 100:
        raise InvalidInput("A token name is at most 100 characters.", field="name")
    while True:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        prefix = _random_part(secret)[:PREFIX_LENGTH]
        # The prefix names the token in `kure token revoke`, so keep it unambiguous among live tokens, and let
        # it start with a letter or digit: "-x…" would be read as an option on the command line.
        if prefix[0].isalnum() and not ApiToken.objects.filter(prefix=prefix, revoked=False).exists():
            break
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_secret(secret), prefix=prefix)
    return token, secret


def authenticate_token(secret: str) -> User | None:
    """The active person a live token belongs to, or None."""
    if not secret or len(secret) > _MAX_SECRET_LENGTH or not secret.startswith(TOKEN_PREFIX):
        return None
    digest = hash_secret(secret)
    # Looking up the hash rather than the secret means timing reveals nothing usable about the secret.
    token = ApiToken.objects.select_related("user").filter(key_hash=digest, revoked=False).first()
    if token is None or not hmac.compare_digest(token.key_hash, digest) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ApiToken.objects.filter(pk=token.pk).filter(stale).update(last_used_at=now)
    return token.user


def tokens_of(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


@transaction.atomic
def revoke_token(*, prefix: str, user: User | None = None) -> ApiToken:
    """Revoke the live token whose prefix (with or without "kure_", or the whole secret) is given.

    Revoking a token that is already revoked is not an error: the result is the same.
    """
    prefix = _random_part((prefix or "").strip())[:PREFIX_LENGTH]
    if len(prefix) < PREFIX_LENGTH:
        raise InvalidInput(f"Give the token's {PREFIX_LENGTH}-character prefix (see `kure token list`).",
                           field="prefix")
    tokens = ApiToken.objects.select_for_update().filter(prefix=prefix)
    if user is not None:
        tokens = tokens.filter(user=user)
    token = tokens.filter(revoked=False).first() or tokens.first()
    if token is None:
        raise NotFound(f"There is no token starting with “{TOKEN_PREFIX}{prefix}”.")
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
    return token
