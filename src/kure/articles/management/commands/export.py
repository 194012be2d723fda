"""``kure export FORMAT …``: write articles out to files. Each format is a subcommand."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ....core.errors import KureError
from ...markdown_io import export_directory


class Command(BaseCommand):
    help = ("Export to files. Formats: markdown (one .md file per published article), archive (the whole "
            "encyclopedia in one file, for backups and moving to a new machine).")

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

        archive = formats.add_parser(
            "archive", help="everything in one .zip file, for backups and moving to a new machine",
            description="Write every person, article, revision, review, translation, memory entry, glossary "
                        "term, discussion, report and uploaded file to FILE, a zip archive that `kure import "
                        "archive FILE` loads into an empty database. Derived data (the search index, vectors) "
                        "and sessions are left out; docs/operations.md lists what is carried.",
        )
        archive.add_argument("file", metavar="FILE", help="the archive to write, e.g. kure-2025-06-01.zip")
        archive.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
        archive.set_defaults(run=self.archive)

    def handle(self, *args: Any, **options: Any) -> None:
        options["run"](options)

    def archive(self, options: dict[str, Any]) -> None:
        from ....core.archive import export_archive

        try:
            report = export_archive(path=options["file"], overwrite=options["overwrite"])
        except KureError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(report.summary())

    def markdown(self, options: dict[str, Any]) -> None:
        try:
            count = export_directory(directory=options["directory"])
        except (KureError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Exported {count} published article(s) to {options['directory']}.")
