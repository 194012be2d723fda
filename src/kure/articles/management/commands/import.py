"""``kure import FORMAT …``: bring articles in from files. Each format is a subcommand."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ....core.errors import KureError
from ...markdown_io import import_directory


class Command(BaseCommand):
    help = "Import articles from files. Formats: markdown (a folder of .md files with YAML front matter)."

    def add_arguments(self, parser: CommandParser) -> None:
        # One subcommand per format, so more can be added beside "markdown" without changing this one.
        formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
        markdown = formats.add_parser(
            "markdown", help="a folder of .md files, one per article",
            description="Import every *.md file directly in DIR (subfolders are not read), in name "
                        "order. A new slug creates an article; an existing one gets a new revision when the "
                        "title or body differs, and is left unchanged otherwise, so a folder can be synced "
                        "repeatedly. Files that cannot be imported are reported and skipped; the command "
                        "fails at the end if any did.",
        )
        markdown.add_argument("directory", metavar="DIR", help="the folder holding the .md files")
        state = markdown.add_mutually_exclusive_group()
        state.add_argument("--publish", action="store_true",
                           help="submit and publish each new revision; an editor other than its author "
                                "approves it")
        state.add_argument("--submit", action="store_true",
                           help="submit each new revision for review; without this or --publish it stays a "
                                "draft")
        markdown.add_argument("--editor", metavar="USERNAME",
                              help="the editor who approves with --publish and changes the category, tags, "
                                   "lead image and summary of existing articles; without it, a superuser "
                                   "approves")
        markdown.set_defaults(run=self.markdown)

    def handle(self, *args: Any, **options: Any) -> None:
        options["run"](options)

    def markdown(self, options: dict[str, Any]) -> None:
        try:
            report = import_directory(directory=options["directory"], publish=options["publish"],
                                      submit=options["submit"], editor=options["editor"], stdout=self.stdout)
        except (KureError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
        if report.failed:
            names = ", ".join(name for name, _ in report.failed)
            raise CommandError(f"{len(report.failed)} file(s) could not be imported: {names}.")
