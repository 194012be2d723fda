"""``kure notifications digest``: send the daily digest emails. Operators run it once a day from cron."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...services import DIGEST_HOURS, send_digests


class Command(BaseCommand):
    help = ("Notifications. `digest` sends one email to each person who chose the daily digest, with their unsent "
            "notifications of the last day; run it once a day from cron.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        digest = sub.add_parser("digest", help="send the daily digest emails")
        digest.add_argument("--hours", type=int, default=DIGEST_HOURS,
                            help=f"how far back to look for unsent notifications (default {DIGEST_HOURS})")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("action") != "digest":
            raise CommandError("Say what to do: `kure notifications digest`.")
        if options["hours"] <= 0:
            raise CommandError("--hours must be a positive number.")
        sent = send_digests(hours=options["hours"])
        self.stdout.write(f"{sent} digest emails sent")
