"""``kure import FORMAT …``: bring articles in from files. Each format is a subcommand."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ....core.errors import KureError
from ...markdown_io import import_directory


class Command(BaseCommand):
    help = ("Import articles from files. Formats: markdown (a folder of .md files with YAML front matter), "
            "squad (a question-answering set in SQuAD v1.1 JSON), archive (a whole encyclopedia written by "
            "`kure export archive`, into an empty database).")

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

        squad = formats.add_parser(
            "squad", help="a SQuAD v1.1 JSON file: one article per title, one section per paragraph",
            description="One article per “title” (kept as written), with one section per paragraph headed "
                        "“Paragraf N” (anchor paragraf-N, N from 1 in file order). Importing the same file "
                        "again changes nothing; a changed file gives the changed articles a new revision.",
        )
        squad.add_argument("file", metavar="FILE", help="the .json file")
        squad.add_argument("--language", default="", help="the language of the paragraphs (default: the site's "
                                                          "first language)")
        squad.add_argument("--publish", action="store_true", help="publish the articles (an editor approves)")
        squad.add_argument("--author", metavar="USERNAME", default="",
                           help="who the articles are written under; without it, the “importer” account, "
                                "which cannot sign in")
        squad.add_argument("--editor", metavar="USERNAME", default="",
                           help="the editor who approves with --publish; without it, a superuser")
        squad.set_defaults(run=self.squad)

        archive = formats.add_parser(
            "archive", help="a whole encyclopedia written by `kure export archive`, into an empty database",
            description="Load FILE into this database, which must be new and migrated (`kure migrate`) and hold "
                        "no people or articles yet. Everything is loaded in one transaction with its original "
                        "ids, or nothing is; uploaded files go to the media folder. The search index is "
                        "rebuilt at the end, and the worker makes the vectors (or `kure reindex`).",
        )
        archive.add_argument("file", metavar="FILE", help="the .zip file")
        archive.set_defaults(run=self.archive)

    def handle(self, *args: Any, **options: Any) -> None:
        options["run"](options)

    def archive(self, options: dict[str, Any]) -> None:
        from ....core.archive import import_archive

        try:
            report = import_archive(path=options["file"])
        except KureError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(report.summary())

    def squad(self, options: dict[str, Any]) -> None:
        from ....core import languages
        from ...squad_io import import_file

        language = options["language"] or languages.default()
        if not languages.is_valid(language):
            raise CommandError(f"Unknown language “{language}”. Use one of: {', '.join(languages.codes())}.")

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r  {done}/{total} articles", ending="")

        try:
            report = import_file(options["file"], language=language, publish=options["publish"],
                                 author=options["author"], editor=options["editor"], progress=progress)
        except KureError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write("")
        self.stdout.write(report.summary())

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
