"""Writing an archive: every carried table as JSON Lines, the media files, and a manifest, in one zip file."""

import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from . import tables
from .errors import ArchiveError
from .manifest import FORMAT, FORMAT_VERSION, MANIFEST, MEDIA_PREFIX, kure_version

# Already compressed: deflating them again costs time and saves nothing.
_STORED_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif", ".zip", ".gz", ".mp4", ".webm", ".pdf"}


@dataclass
class ExportReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    groups: int = 0
    media: int = 0
    media_bytes: int = 0
    missing_media: list[str] = field(default_factory=list)
    size: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"Wrote {self.path}: {self.size / 1e6:.1f} MB in {self.seconds:.1f} s."]
        lines += [f"  {count:>8}  {label}" for label, count in self.rows.items() if count]
        lines.append(f"  {self.groups:>8}  groups (by name)")
        lines.append(f"  {self.media:>8}  media files ({self.media_bytes / 1e6:.1f} MB)")
        if self.missing_media:
            lines.append(f"{len(self.missing_media)} file(s) named in the database were missing from the media "
                         f"folder and are not in the archive: {', '.join(self.missing_media[:5])}"
                         + (" …" if len(self.missing_media) > 5 else ""))
        return "\n".join(lines)


def export_archive(*, path: str | Path, overwrite: bool = False) -> ExportReport:
    """Write the whole encyclopedia to ``path``; raises ArchiveError when the file cannot be written.

    The archive is written beside ``path`` under a temporary name and moved into place when complete, so a
    failed export never leaves a truncated file under the name a later import would read.
    """
    started = time.monotonic()
    path = Path(path)
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder; give the name of the archive file to write, e.g. {path}/kure.zip.")
    if path.exists() and not overwrite:
        raise ArchiveError(f"{path} exists already; choose another name, or pass --overwrite to replace it.")
    if not path.parent.is_dir():
        raise ArchiveError(f"The folder {path.parent} does not exist.")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    report = ExportReport(path=path)
    try:
        # Owner-only from the start: the archive holds password hashes and readers' contact addresses.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle, _consistent_snapshot(), zipfile.ZipFile(
                handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            _write(archive, report)
        os.replace(partial, path)
    except OSError as exc:
        raise ArchiveError(f"Could not write {path}: {exc.strerror or exc}.") from exc
    except DatabaseError as exc:
        raise ArchiveError(f"Could not read the database ({exc}); is it migrated (`kure migrate`)?") from exc
    finally:
        partial.unlink(missing_ok=True)
    report.size = path.stat().st_size
    report.seconds = time.monotonic() - started
    return report


@contextmanager
def _consistent_snapshot() -> Iterator[None]:
    """One transaction for every table, so no row points at one written before or after it.

    On PostgreSQL it is REPEATABLE READ and READ ONLY: the site goes on writing meanwhile. SQLite takes its write
    lock at BEGIN (settings.py asks for IMMEDIATE transactions), so writers wait while the export runs.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _write(archive: zipfile.ZipFile, report: ExportReport) -> None:
    naturals = tables.NaturalKeys()
    media: set[str] = set()
    manifest_tables = []
    for model in tables.carried_models():
        label, member = tables.label_of(model), tables.member_name(model)
        files = tables.file_fields(model)
        count = 0
        with archive.open(member, "w", force_zip64=True) as out:
            for row in tables.export_rows(model, naturals):
                out.write(_line(row))
                count += 1
                media.update(row[f.attname] for f in files if row[f.attname])
        report.rows[label] = count
        manifest_tables.append({"label": label, "member": member, "rows": count, "keys": tables.row_keys(model)})
    with archive.open(tables.GROUPS_MEMBER, "w") as out:
        for row in tables.group_rows():
            out.write(_line(row))
            report.groups += 1
    manifest_media = []
    for name in sorted(media):
        copied = _copy_media(archive, name)
        if copied is None:
            report.missing_media.append(name)
            continue
        manifest_media.append(copied)
        report.media += 1
        report.media_bytes += copied["size"]
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "kure_version": kure_version(),
        "database": connection.vendor,
        "site_name": settings.KURE_SITE_NAME,
        "languages": list(settings.KURE_LANGUAGES),
        "migrations": _applied_migrations(),
        "tables": manifest_tables,
        "groups": {"member": tables.GROUPS_MEMBER, "rows": report.groups},
        "media": manifest_media,
        "missing_media": report.missing_media,
        "left_out": tables.LEFT_OUT,
    }
    archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))


def _line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _copy_media(archive: zipfile.ZipFile, name: str) -> dict[str, Any] | None:
    """Stream one stored file into the archive; None when the storage does not have it."""
    if not default_storage.exists(name):
        return None
    compress = zipfile.ZIP_STORED if Path(name).suffix.lower() in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED
    info = zipfile.ZipInfo(MEDIA_PREFIX + name, date_time=time.localtime()[:6])
    info.compress_type = compress
    digest, size = hashlib.sha256(), 0
    with default_storage.open(name, "rb") as source, archive.open(info, "w", force_zip64=True) as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"name": name, "size": size, "sha256": digest.hexdigest()}


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied
