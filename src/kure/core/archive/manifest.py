"""The manifest: what an archive says about itself, and whether this Küre and this database can take it.

``manifest.json`` names the format and its version, the migrations the exporting database had, every table
member with its row count and column names, and every media file with its size and SHA-256. Import reads it
first and refuses, before touching the database, anything it cannot load whole.
"""

import json
import zipfile
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.fields import NOT_PROVIDED

from . import tables
from .errors import ArchiveError

FORMAT = "kure-archive"
# Raise it when a change means an older Küre would misread new archives (a new kind of member, a new encoding).
# New tables and columns do not need it: the manifest lists them, and the migrations check covers them.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"


def kure_version() -> str:
    try:
        return metadata.version("kure")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class TablePlan:
    """One table member to load: the model, the archive's member, its row count, and the keys rows carry."""

    model: type[models.Model]
    member: str
    rows: int
    keys: frozenset[str]


def read(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """The manifest, checked for shape, format and version; ArchiveError otherwise."""
    try:
        raw = archive.read(MANIFEST)
    except KeyError:
        raise ArchiveError(f"{name} has no {MANIFEST}: it is a zip file, but not an archive made by "
                           "`kure export archive`.") from None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"{name}: {MANIFEST} is not valid JSON ({exc}); the archive is damaged.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{name} is not a Küre archive: its {MANIFEST} does not say format “{FORMAT}”.")
    version = manifest.get("version")
    made_by = manifest.get("kure_version", "an unknown version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArchiveError(f"{name}: the archive format version {version!r} is not one Küre has ever written.")
    if version > FORMAT_VERSION:
        raise ArchiveError(
            f"{name} is in archive format {version}, written by Küre {made_by}; this Küre ({kure_version()}) "
            f"reads format {FORMAT_VERSION} only. Import it with Küre {made_by} or newer.")
    _check_shape(manifest, name)
    return manifest


def _check_shape(manifest: dict[str, Any], name: str) -> None:
    def damaged(what: str) -> ArchiveError:
        return ArchiveError(f"{name}: {MANIFEST} is damaged ({what}).")

    if not isinstance(manifest.get("migrations"), dict):
        raise damaged("no list of migrations")
    for table in _list(manifest, "tables", damaged):
        if not (isinstance(table, dict) and isinstance(table.get("label"), str)
                and isinstance(table.get("member"), str) and _is_count(table.get("rows"))
                and isinstance(table.get("keys"), list) and all(isinstance(k, str) for k in table["keys"])):
            raise damaged(f"a table entry is incomplete: {str(table)[:120]}")
    groups = manifest.get("groups")
    if not (isinstance(groups, dict) and isinstance(groups.get("member"), str) and _is_count(groups.get("rows"))):
        raise damaged("no groups entry")
    for item in _list(manifest, "media", damaged):
        if not (isinstance(item, dict) and isinstance(item.get("name"), str) and _is_count(item.get("size"))
                and isinstance(item.get("sha256"), str)):
            raise damaged(f"a media entry is incomplete: {str(item)[:120]}")
    if not all(isinstance(n, str) for n in _list(manifest, "missing_media", damaged)):
        raise damaged("missing_media is not a list of names")


def _list(manifest: dict[str, Any], key: str, damaged) -> list:
    value = manifest.get(key)
    if not isinstance(value, list):
        raise damaged(f"no list of {key}")
    return value


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_members(archive: zipfile.ZipFile, manifest: dict[str, Any], name: str) -> None:
    """Every member the manifest names is in the zip file."""
    present = set(archive.namelist())
    wanted = [t["member"] for t in manifest["tables"]] + [manifest["groups"]["member"]]
    wanted += [MEDIA_PREFIX + item["name"] for item in manifest["media"]]
    missing = [member for member in wanted if member not in present]
    if missing:
        raise ArchiveError(f"{name} lacks {len(missing)} member(s) its manifest lists, e.g. {missing[0]}; the "
                           "archive is incomplete.")


def check_database(manifest: dict[str, Any], name: str) -> None:
    """This database is migrated and at least as new as the one the archive was made from."""
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        first = pending[0][0]
        raise ArchiveError(f"The database is not fully migrated ({len(pending)} migration(s) to apply, the first "
                           f"{first.app_label}.{first.name}): run `kure migrate` first.")
    applied = set(executor.loader.applied_migrations)
    newer = [f"{app}.{migration}" for app, names in manifest["migrations"].items()
             for migration in names if (app, migration) not in applied]
    if newer:
        raise ArchiveError(
            f"{name} was made by a newer Küre ({manifest.get('kure_version', 'unknown')}): its database had "
            f"{len(newer)} migration(s) this one does not have, e.g. {newer[0]}. Upgrade Küre here, run "
            "`kure migrate`, and import again.")


def plan(manifest: dict[str, Any], name: str) -> list[TablePlan]:
    """The tables to load, checked against this Küre's models; ArchiveError on a table or column it lacks."""
    carried = {tables.label_of(m): m for m in tables.carried_models()}
    plans = []
    for entry in manifest["tables"]:
        label = entry["label"]
        if label in tables.LEFT_OUT:
            continue  # carried by an older Küre, rebuilt by this one
        model = carried.get(label)
        if model is None:
            raise ArchiveError(f"{name} holds the table {label}, which this Küre does not have; import it with "
                               f"the Küre that made it ({manifest.get('kure_version', 'unknown')}).")
        keys = frozenset(entry["keys"])
        fields = {tables.key_of(f): f for f in tables.fields_of(model)}
        unknown = sorted(keys - fields.keys())
        if unknown:
            raise ArchiveError(f"{name}: the rows of {label} have the column(s) {', '.join(unknown)}, which this "
                               "Küre does not have; import it with the Küre that made it.")
        for key, field in fields.items():
            if key not in keys and not _can_be_left_out(field):
                raise ArchiveError(f"{name}: the rows of {label} lack the column {key}, which has no default "
                                   "here; the archive was made by a Küre too old to import directly.")
        plans.append(TablePlan(model=model, member=entry["member"], rows=entry["rows"], keys=keys))
    return plans


def _can_be_left_out(field: models.Field) -> bool:
    return field.null or field.default is not NOT_PROVIDED or field.primary_key and field.auto_created

