"""``kure export FORMAT …``: write articles out to files. Each format is a subcommand."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ....core.errors import KureError
from ...markdown_io import export_directory


class Command(BaseCommand):
    help = "Export published articles to files. Formats: markdown (one .md file per article)."

    def add_arguments(self, parser: CommandParser) -> None:
        # One subcommand per format, so more can be added beside "markdown" without changing this one.
        formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
        markdown = formats.add_parser(
            "markdown", help="one .md file per published article",
            description="Write every published article's published text to DIR as <slug>.md with YAML front "
                        "matter, and its lead image beside it as <slug>.<ext>. DIR is created if missing; "
                        "files of the same names are replaced. `kure import markdown DIR` reads them back.",
        )
        markdown.add_argument("directory", metavar="DIR", help="the folder to write to")
        markdown.set_defaults(run=self.markdown)

    def handle(self, *args: Any, **options: Any) -> None:
        options["run"](options)

    def markdown(self, options: dict[str, Any]) -> None:
        try:
            count = export_directory(directory=options["directory"])
        except (KureError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Exported {count} published article(s) to {options['directory']}.")
