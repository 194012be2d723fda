"""Loading an archive into an empty database: all of it in one transaction, or nothing.

Everything that can be checked without writing is checked first (the zip file, the manifest, the members, the
migrations, the columns, that no media file would be overwritten). Then one transaction checks that the
database is empty, loads every table with the rows' own primary keys, checks the foreign keys, moves the id
sequences past the loaded rows, and writes the media files; a failure anywhere rolls the rows back and removes the files
written so far. After the commit the search index is rebuilt and unfinished translation jobs are queued again,
the way publishing does it.
"""

import hashlib
import json
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.utils import validate_file_name
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from . import manifest as manifests
from . import tables
from .errors import ArchiveError

BATCH = 1000


@dataclass
class ImportReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    groups: int = 0
    media: int = 0
    articles_indexed: int = 0
    sections_indexed: int = 0
    jobs_queued: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"Imported {self.path} in {self.seconds:.1f} s."]
        lines += [f"  {count:>8}  {label}" for label, count in self.rows.items() if count]
        lines.append(f"  {self.groups:>8}  groups (merged by name)")
        lines.append(f"  {self.media:>8}  media files")
        vectors = ("the vectors for Ask are made by the worker (`kure worker`), or at once with `kure reindex`"
                   if settings.KURE_EMBEDDINGS else "no embedding engine is set, so search and Ask use words alone")
        lines.append(f"Search: {self.sections_indexed} sections of {self.articles_indexed} published article(s) "
                     f"indexed; {vectors}.")
        if self.jobs_queued:
            lines.append(f"{self.jobs_queued} unfinished translation job(s) queued again for the worker.")
        lines += self.notes
        return "\n".join(lines)


def import_archive(*, path: str | Path) -> ImportReport:
    """Load the archive at ``path`` into this (empty) database; raises ArchiveError, having changed nothing."""
    started = time.monotonic()
    path = Path(path)
    name = path.name
    report = ImportReport(path=path)
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder; give the archive file written by `kure export archive`.")
    if not path.is_file():
        raise ArchiveError(f"There is no file at {path}.")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{name} is not a Küre archive: it is not a zip file, or it was cut short ({exc}).") from exc
    except OSError as exc:
        raise ArchiveError(f"Could not read {path}: {exc.strerror or exc}.") from exc
    with archive:
        try:
            _import(archive, name, report)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ArchiveError(f"{name} is damaged ({exc}); nothing was imported.") from exc
        except DatabaseError as exc:
            raise ArchiveError(f"{name} could not be loaded, and nothing was: {exc}") from exc
    report.seconds = time.monotonic() - started
    return report


def _import(archive: zipfile.ZipFile, name: str, report: ImportReport) -> None:
    manifest = manifests.read(archive, name)
    manifests.check_members(archive, manifest, name)
    manifests.check_database(manifest, name)
    plans = manifests.plan(manifest, name)
    media = _media_to_write(manifest, name)
    written: list[str] = []
    try:
        with transaction.atomic():
            _check_empty()  # inside: on SQLite the write lock is held from here, so nobody adds rows meanwhile
            if connection.vendor == "postgresql":
                # Rows refer to rows loaded later (an article to its revisions and back); checked once, below.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            naturals = tables.NaturalKeys()
            report.groups = _load_groups(archive, manifest["groups"], naturals, name)
            for plan in plans:
                report.rows[tables.label_of(plan.model)] = _load_table(archive, plan, naturals, name)
            _check_constraints([plan.model for plan in plans], name)
            _reset_sequences([plan.model for plan in plans])
            for item in media:
                _write_media(archive, item, name, written)
            report.media = len(manifest["media"])
            _queue_rebuilds(report)
    except BaseException:
        for stored in written:
            default_storage.delete(stored)
        raise
    _after_commit(report, manifest)


# --- before writing ---------------------------------------------------------------------------------------

def _check_empty() -> None:
    # Link tables (article tags, group memberships) are only filled when their ends are, so they go unnamed.
    held = [(model, count) for model in tables.carried_models()
            if not model._meta.auto_created and (count := model._base_manager.count())]
    if held:
        what = ", ".join(f"{model._meta.verbose_name_plural} ({count})" for model, count in held[:4])
        raise ArchiveError(
            f"The database is not empty: it holds rows of {what}{' and more' if len(held) > 4 else ''}. An "
            "archive is loaded only into a new database, so that nothing is overwritten or mixed: point "
            "KURE_DATA_DIR or DATABASE_URL at a new one, run `kure migrate`, and import again.")


def _media_to_write(manifest: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The media files to write; ArchiveError for an unsafe name or a different file already in the way."""
    wanted = []
    for item in manifest["media"]:
        stored = item["name"]
        try:
            validate_file_name(stored, allow_relative_path=True)
            exists = default_storage.exists(stored)
        except SuspiciousFileOperation as exc:
            raise ArchiveError(f"{name} names a media file outside the media folder ({stored!r}); refused.") from exc
        if not exists:
            wanted.append(item)
            continue
        with default_storage.open(stored, "rb") as existing:
            digest = _sha256(existing)
        if digest != item["sha256"]:
            raise ArchiveError(f"The media folder already has {stored}, with other content than the archive's. "
                               "Import into an empty media folder (move the old one aside).")
    return wanted


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


# --- loading ----------------------------------------------------------------------------------------------

def _lines(archive: zipfile.ZipFile, member: str, name: str) -> Iterator[tuple[int, Any]]:
    with archive.open(member) as raw:
        for number, line in enumerate(raw, start=1):
            try:
                yield number, json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ArchiveError(f"{name}: line {number} of {member} is not valid JSON ({exc}); the archive is "
                                   "damaged.") from exc


def _check_count(member: str, found: int, expected: int, name: str) -> None:
    if found != expected:
        raise ArchiveError(f"{name}: {member} has {found} row(s) where the manifest says {expected}; the archive "
                           "is damaged.")


def _load_groups(archive: zipfile.ZipFile, entry: dict[str, Any], naturals: tables.NaturalKeys, name: str) -> int:
    """Groups by name: the role groups `migrate` made get the archive's permissions; other groups are made."""
    count = 0
    for number, row in _lines(archive, entry["member"], name):
        if not (isinstance(row, dict) and isinstance(row.get("name"), str) and isinstance(row.get("permissions"),
                                                                                           list)):
            raise ArchiveError(f"{name}: line {number} of {entry['member']} is not a group; the archive is damaged.")
        group, _ = Group.objects.get_or_create(name=row["name"])
        group.permissions.set([_natural(naturals, Permission, key, name) for key in row["permissions"]])
        count += 1
    _check_count(entry["member"], count, entry["rows"], name)
    return count


def _natural(naturals: tables.NaturalKeys, model: type[models.Model], key: Any, name: str) -> Any:
    if not isinstance(key, list):
        raise ArchiveError(f"{name}: {key!r} is not a reference to a {tables.NATURAL_KEY_MODELS[model]}; the "
                           "archive is damaged.")
    try:
        return naturals.pk(model, key)
    except LookupError as exc:
        raise ArchiveError(f"{name} refers to the {exc}, which this database does not have; import it with the "
                           "Küre that made it.") from exc


def _load_table(archive: zipfile.ZipFile, plan: manifests.TablePlan, naturals: tables.NaturalKeys,
                name: str) -> int:
    model, member = plan.model, plan.member
    fields = [f for f in tables.fields_of(model) if tables.key_of(f) in plan.keys]
    make = _row_builder(model, fields, naturals, name)
    batch: list[models.Model] = []
    count = 0
    for number, row in _lines(archive, member, name):
        if not isinstance(row, dict) or row.keys() != plan.keys:
            raise ArchiveError(f"{name}: line {number} of {member} does not have the columns the manifest lists; "
                               "the archive is damaged.")
        try:
            batch.append(make(row))
        except ValidationError as exc:
            raise ArchiveError(f"{name}: line {number} of {member} has a value this database cannot take "
                               f"({'; '.join(exc.messages)}).") from exc
        count += 1
        if len(batch) >= BATCH:
            _insert(model, batch, member, name)
            batch = []
    _insert(model, batch, member, name)
    _check_count(member, count, plan.rows, name)
    return count


def _row_builder(model: type[models.Model], fields: list[models.Field], naturals: tables.NaturalKeys,
                 name: str) -> Callable[[dict[str, Any]], models.Model]:
    def make(row: dict[str, Any]) -> models.Model:
        values = {}
        for f in fields:
            value = row[tables.key_of(f)]
            if tables.is_natural(f):
                values[f.attname] = None if value is None else _natural(naturals, f.related_model, value, name)
            else:
                values[f.attname] = tables.decode(f, value)
        return model(**values)

    return make


def _insert(model: type[models.Model], batch: list[models.Model], member: str, name: str) -> None:
    if not batch:
        return
    try:
        # A savepoint, so that PostgreSQL can still answer the queries that explain the failure.
        with transaction.atomic():
            model._base_manager.bulk_create(batch)
    except DatabaseError as exc:
        raise ArchiveError(f"{name}: the rows of {member} do not fit this database: {exc}") from exc


def _check_constraints(loaded: list[type[models.Model]], name: str) -> None:
    """Every reference between the loaded rows resolves (the foreign keys are only checked at commit)."""
    try:
        connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
    except DatabaseError as exc:
        raise ArchiveError(f"{name}: rows of the archive refer to rows it does not hold ({exc}); the archive is "
                           "damaged or was edited.") from exc


def _reset_sequences(loaded: list[type[models.Model]]) -> None:
    """Move each id sequence past the loaded rows, so the next article or person gets a new id.

    PostgreSQL needs it; SQLite's AUTOINCREMENT follows inserted ids by itself and returns no statements."""
    statements = connection.ops.sequence_reset_sql(no_style(), loaded)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class _Hashing:
    """A read-only stream that hashes what passes through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.digest, self.size = stream, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _write_media(archive: zipfile.ZipFile, item: dict[str, Any], name: str, written: list[str]) -> None:
    stored = item["name"]
    with archive.open(manifests.MEDIA_PREFIX + stored) as member:
        stream = _Hashing(member)
        try:
            saved = default_storage.save(stored, File(stream, name=stored))
        except OSError as exc:
            raise ArchiveError(f"Could not write the media file {stored}: {exc.strerror or exc}.") from exc
    written.append(saved)
    if saved != stored:
        raise ArchiveError(f"The media storage saved {stored} as {saved}; import into an empty media folder.")
    if stream.digest.hexdigest() != item["sha256"] or stream.size != item["size"]:
        raise ArchiveError(f"{name}: the media file {stored} is damaged (its checksum differs from the "
                           "manifest's).")


# --- after loading ----------------------------------------------------------------------------------------

def _queue_rebuilds(report: ImportReport) -> None:
    """Index every published article and queue unfinished translation jobs, both once the rows are committed."""
    from ...articles.models import Article
    from ...search.indexing import queue_index
    from ...translation import tasks as translation_tasks
    from ...translation.models import JobState, TranslationJob

    published = Article.objects.filter(published_revision__isnull=False).order_by("pk").values_list("pk", flat=True)
    for article_id in published:
        queue_index(article_id=article_id)
        report.articles_indexed += 1
    unfinished = TranslationJob.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING, JobState.RETRYING])
    task = translation_tasks.translate_article
    for job in unfinished.order_by("pk"):
        when = job.next_attempt_at if job.state == JobState.RETRYING else None

        def enqueue(job_id: int = job.pk, when=when) -> None:
            deferred = when is not None and when > timezone.now() and task.get_backend().supports_defer
            (task.using(run_after=when) if deferred else task).enqueue(job_id=job_id)

        transaction.on_commit(enqueue)
        report.jobs_queued += 1


def _after_commit(report: ImportReport, manifest: dict[str, Any]) -> None:
    from ...search.models import IndexedSection
    from .. import pagecache

    # Rows were inserted in bulk, which tells the page cache nothing: pages an earlier site left in this data
    # folder must not be served for the imported one.
    pagecache.purge(everything=True)
    report.sections_indexed = IndexedSection.objects.count()
    missing = manifest["missing_media"]
    if missing:
        report.notes.append(f"{len(missing)} media file(s) were already missing when the archive was made; the "
                            f"rows naming them were loaded as they were, e.g. {missing[0]}.")
    languages = manifest.get("languages")
    if isinstance(languages, list) and languages != list(settings.KURE_LANGUAGES):
        report.notes.append(f"The archive's site had the languages {', '.join(map(str, languages))}; this one has "
                            f"{', '.join(settings.KURE_LANGUAGES)}. Set KURE_LANGUAGES to match.")
