"""``kure reindex``: rebuild the search index (sections, then vectors) from what is published."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...embeddings.base import EmbeddingError
from ...indexing import reindex


class Command(BaseCommand):
    help = ("Rebuild the search index from the published articles and readable translations: the sections "
            "first, then the vectors of the configured embedding engine (sentences embedded before are reused).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-vectors", action="store_true",
                            help="rebuild the word index only; vectors are made by the worker later")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        interactive = sys.stderr.isatty()
        last = {"stage": "", "at": 0.0}

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if not interactive and done != total and now - last["at"] < 5 and stage == last["stage"]:
                return
            last.update(stage=stage, at=now)
            width = 30
            filled = width * done // max(total, 1)
            bar = "#" * filled + "." * (width - filled)
            end = "\n" if done == total or not interactive else ""
            self.stderr.write(f"\r{stage:>9} [{bar}] {done}/{total}", ending=end)

        try:
            result = reindex(vectors=not options["no_vectors"], progress=progress)
        except EmbeddingError as exc:
            raise CommandError(f"The word index is rebuilt, but the vectors are not: {exc}") from exc
        self.stdout.write(f"{result['articles']} articles, {result['sections']} sections indexed, "
                          f"{result['embedded']} sections embedded, in {time.monotonic() - started:.1f} s")
