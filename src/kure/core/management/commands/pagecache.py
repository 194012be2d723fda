"""``kure pagecache stats|prune|clear``: look after the page cache (kure/core/pagecache.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ... import pagecache


class Command(BaseCommand):
    help = ("Look after the page cache for anonymous readers: stats (pages kept and their size), prune (delete "
            "pages older than KURE_PAGE_CACHE_SECONDS; run it every few minutes from cron when nginx serves the "
            "kept pages itself) or clear (forget every page).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["stats", "prune", "clear"])

    def handle(self, *args: Any, **options: Any) -> None:
        store = pagecache.store()
        if store is None:
            raise CommandError("The page cache is off (KURE_PAGE_CACHE=off): there is nothing to look after.")
        action = options["action"]
        if action == "clear":
            store.purge(everything=True)
            self.stdout.write("Every kept page was forgotten.")
        elif action == "prune":
            self.stdout.write(f"Deleted {store.prune()} pages older than {store.max_age} seconds.")
        else:
            figures = store.stats()
            if not figures:
                self.stdout.write(f"{type(store).__name__}: pages expire by themselves after {store.max_age} s; "
                                  "the cache server reports their number and size.")
            else:
                self.stdout.write(f"{figures['pages']} pages kept, {figures['bytes'] / 1024 / 1024:.1f} MiB "
                                  f"with their compressed copies; they live {store.max_age} s.")
