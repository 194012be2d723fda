"""``kure token create|list|revoke``: API tokens for people, from the command line."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from ....accounts.models import User
from ....core.errors import KureError
from ... import services


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="create a token; stdout's last line is the token alone")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for, e.g. “import script”")
        listing = sub.add_parser("list", help="list a person's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by the prefix `list` shows")
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except KureError as exc:
            raise CommandError(exc.message) from exc

    def _person(self, username: str) -> User:
        person = User.objects.filter(username=username.strip().lower()).first()
        if person is None:
            raise CommandError(f"There is no person with the username “{username}”. "
                               "Create them first (kure createsuperuser, or the admin).")
        if not person.is_active:
            raise CommandError(f"“{person.username}” is deactivated; their tokens would not work.")
        return person

    def _create(self, *, username: str, name: str, **_: object) -> None:
        person = self._person(username)
        token, secret = services.create_token(user=person, name=name)
        # Notes go to stderr so that stdout is the token alone: TOKEN=$(kure token create ada).
        self.stderr.write(f"Token {token.display_prefix}… for {person.username} ({person.display_name}). "
                          "It is shown only now: store it.")
        if not person.has_perm("articles.add_revision"):
            self.stderr.write(f"Note: {person.username} has no author role, so the token can only read.")
        self.stdout.write(secret)

    def _list(self, *, username: str, **_: object) -> None:
        person = self._person(username)
        tokens = list(services.tokens_of(user=person))
        if not tokens:
            self.stdout.write(f"{person.username} has no tokens.")
            return
        for token in tokens:
            used = f"{localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            status = "revoked" if token.revoked else "active"
            created = f"{localtime(token.created_at):%Y-%m-%d %H:%M}"
            self.stdout.write(f"{token.display_prefix}…  {status:<7}  created {created}  last used {used}  "
                              f"{token.name}".rstrip())

    def _revoke(self, *, prefix: str, **_: object) -> None:
        token = services.revoke_token(prefix=prefix)
        self.stdout.write(f"Revoked {token.display_prefix}… of {token.user.username}.")
