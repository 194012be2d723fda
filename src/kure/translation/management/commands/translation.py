"""``kure translation …``: run jobs, install models, import and export memories and glossaries."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kure.core import languages
from kure.core.errors import KureError


def _progress(done: int, total: int, label: str, stream) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:50]:<50}")
    stream.flush()


class Command(BaseCommand):
    help = "Machine translation: run jobs, install models, import/export translation memory (TMX) and glossaries."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        run = sub.add_parser("run", help="translate published articles now")
        run.add_argument("slugs", nargs="*", help="articles to translate (default: with --all, every one)")
        run.add_argument("--all", action="store_true", help="every published article")
        run.add_argument("--language", action="append", help="target language(s); default: every other language")
        run.add_argument("--wait", action="store_true",
                         help="translate in this process and show progress, instead of queueing for the worker")
        install = sub.add_parser("install-model", help="install a CTranslate2 model directory or .argosmodel file")
        install.add_argument("source", help="a directory, a .argosmodel/.zip/.tar.gz file, or an http(s) URL")
        install.add_argument("--name", help="directory name under the models folder")
        install.add_argument("--source-language", default=None)
        install.add_argument("--target-language", default=None)
        install.add_argument("--replace", action="store_true")
        imp = sub.add_parser("import-tmx", help="import a TMX 1.4 file into the translation memory")
        imp.add_argument("file")
        imp.add_argument("--source-language", help="when the TMX header does not say")
        exp = sub.add_parser("export-tmx", help="write the translation memory as TMX 1.4")
        exp.add_argument("file", help="output file, or - for standard output")
        exp.add_argument("--source-language", default=None)
        exp.add_argument("--target-language", default=None)
        exp.add_argument("--include-derived", action="store_true")
        gimp = sub.add_parser("import-glossary", help="import glossary terms from CSV")
        gimp.add_argument("file")
        gimp.add_argument("--source-language", default=None)
        gimp.add_argument("--target-language", default=None)
        gexp = sub.add_parser("export-glossary", help="write the glossary as CSV")
        gexp.add_argument("file", help="output file, or - for standard output")
        gexp.add_argument("--source-language", default=None)
        gexp.add_argument("--target-language", default=None)

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except KureError as error:
            raise CommandError(error.message) from error

    def _read(self, path: str) -> bytes:
        try:
            return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc

    def _write(self, path: str, text: str) -> None:
        if path == "-":
            self.stdout.write(text, ending="")
        else:
            Path(path).write_text(text, encoding="utf-8")
            self.stderr.write(f"wrote {path}")

    def _run(self, *, slugs, all, language, wait, **_) -> None:
        from kure.articles.selectors import published_articles
        from kure.translation.engines.base import EngineUnavailable
        from kure.translation.models import TranslationJob
        from kure.translation.services import queue_translations, run_job

        articles = published_articles()
        if slugs:
            articles = articles.filter(slug__in=slugs)
            missing = set(slugs) - set(articles.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No published article with the slug(s): {', '.join(sorted(missing))}.")
        elif not all:
            raise CommandError("Name the articles to translate, or pass --all.")
        for code in language or []:
            if not languages.is_valid(code):
                raise CommandError(f"Unknown language “{code}”; this site has {', '.join(languages.codes())}.")
        jobs = []
        for article in articles.order_by("pk"):
            for job in queue_translations(article=article) if not wait else self._jobs_for(article):
                if language and job.language not in language:
                    job.delete()
                    continue
                jobs.append(job)
        if not wait:
            self.stdout.write(f"{len(jobs)} translation job(s) queued; `kure worker` runs them.")
            return
        failed = 0
        for number, job in enumerate(jobs, start=1):
            _progress(number - 1, len(jobs), f"{job.article.slug} → {job.language}", self.stderr)
            try:
                job = run_job(job_id=job.pk)
            except EngineUnavailable as exc:
                failed += 1
                self.stderr.write(f"\n{job.article.slug} → {job.language}: engine unavailable ({exc}); retry queued")
                continue
            job.refresh_from_db()
        _progress(len(jobs), len(jobs), "done", self.stderr)
        self.stderr.write("")
        done = TranslationJob.objects.filter(pk__in=[j.pk for j in jobs])
        for job in done.select_related("article"):
            self.stdout.write(f"{job.article.slug} → {job.language}: {job.state}, {job.segments_done}/"
                              f"{job.segments_total} segments, {job.segments_sent_to_engine} sent to "
                              f"{job.engine or 'no engine (memory only)'}")
        if failed:
            raise CommandError(f"{failed} job(s) could not reach their engine and will be retried by the worker.")

    def _jobs_for(self, article):
        from kure.translation.models import TranslationJob
        from kure.translation.services import target_languages

        return [TranslationJob.objects.create(article=article, language=code,
                                              source_revision=article.published_revision)
                for code in target_languages(article)]

    def _install_model(self, *, source, name, source_language, target_language, replace, **_) -> None:
        from kure.translation.engines import ct2_models

        root = Path(settings.KURE_TRANSLATION_MODELS_DIR)
        try:
            path = ct2_models.install_model(source, models_root=root, name=name, replace=replace)
        except Exception as exc:  # the installer's errors carry the message to show
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Installed the model in {path}")
        if source_language and target_language:
            self.stdout.write(ct2_models.settings_snippet(path, source_language, target_language))

    def _import_tmx(self, *, file, source_language, **_) -> None:
        from kure.translation.tmx import import_tmx

        result = import_tmx(self._read(file), source_language=source_language)
        self.stdout.write(f"{result.units} units read, {result.stored} stored or improved, {result.skipped} skipped "
                          "(no text in the source language)")

    def _export_tmx(self, *, file, source_language, target_language, include_derived, **_) -> None:
        from kure.translation.tmx import export_tmx

        self._write(file, export_tmx(source_language=source_language or languages.default(),
                                     target_language=target_language, include_derived=include_derived))

    def _import_glossary(self, *, file, source_language, target_language, **_) -> None:
        from kure.translation.glossary import import_csv

        try:
            text = self._read(file).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text.") from exc
        counts = import_csv(text, source_language=source_language, target_language=target_language)
        self.stdout.write(f"{counts['created']} terms added, {counts['updated']} updated")

    def _export_glossary(self, *, file, source_language, target_language, **_) -> None:
        from kure.translation.glossary import export_csv

        self._write(file, export_csv(source_language=source_language, target_language=target_language))
