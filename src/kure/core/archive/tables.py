"""What an archive holds: which tables, and how one row becomes JSON and back.

Every model is carried unless it is named in ``LEFT_OUT`` with the reason. Carrying by default means a model
added later is in the next backup without anyone remembering to list it; losing data silently would be the
worse mistake for a backup. Rows keep their primary keys: discussion URLs, followed ids, notification links and
the report numbers written into segment flags all name rows by id, and would break if ids were remapped.

Three tables belong to the installation rather than to the encyclopedia: content types and permissions (made by
``migrate``) and groups (the role groups are made by a data migration). Rows elsewhere that point at them are
written with the target's natural key (``["Editors"]``, ``["add_article", "articles", "article"]``) and
resolved to the new database's ids on import; groups are carried by name with their permissions.
"""

import base64
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.duration import duration_iso_string

# label → why it is not in the archive. Each is rebuilt, made again by `migrate`, or only means something on
# the machine it was made on.
LEFT_OUT: dict[str, str] = {
    "contenttypes.contenttype": "made by `kure migrate`; rows refer to content types by app and model name",
    "auth.permission": "made by `kure migrate`; rows refer to permissions by code name",
    "auth.group_permissions": "carried inside each group (groups.jsonl), by permission code name",
    "auth.group": "carried by name in groups.jsonl, merged with the role groups `kure migrate` makes",
    "sessions.session": "sign-ins of the old machine; people sign in again",
    "django_tasks_database.dbtaskresult": "the task queue and its results; unfinished translation jobs are "
                                          "queued again on import",
    "core.workerheartbeat": "the worker processes of the old machine",
    "search.indexedsection": "derived: rebuilt from the published articles and translations",
    "search.termstat": "derived: counted again when the sections are indexed",
    "search.sectionvector": "derived: the worker embeds the sections again (or `kure reindex`)",
    "search.cachedembedding": "a cache of sentence vectors, filled again as sections are embedded",
    "search.indexstate": "a counter telling processes to reload their vectors; starts afresh",
}

# Installation tables that carried rows point at by natural key instead of by id, with the name messages use
# (Django's own verbose names come translated into the site's language).
NATURAL_KEY_MODELS: dict[type[models.Model], str] = {ContentType: "content type", Permission: "permission",
                                                     Group: "group"}

GROUPS_MEMBER = "data/auth.group.jsonl"


def label_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def carried_models() -> list[type[models.Model]]:
    """The models whose rows the archive holds, in the order of INSTALLED_APPS (auth and accounts first), link
    tables (article tags, group memberships) after the models they link."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or label_of(model) in LEFT_OUT:
            continue
        found.append(model)
    return sorted(found, key=lambda model: bool(model._meta.auto_created))


def member_name(model: type[models.Model]) -> str:
    return f"data/{label_of(model)}.jsonl"


def fields_of(model: type[models.Model]) -> list[models.Field]:
    """The columns of the model's own table that the database does not compute itself."""
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def is_natural(field: models.Field) -> bool:
    return field.is_relation and field.related_model in NATURAL_KEY_MODELS


def key_of(field: models.Field) -> str:
    """The name a column has in a row: ``group`` for a natural-key reference, the column's ``attname`` else."""
    return field.name if is_natural(field) else field.attname


def row_keys(model: type[models.Model]) -> list[str]:
    return [key_of(f) for f in fields_of(model)]


# --- encoding ---------------------------------------------------------------------------------------------

def encode(value: Any) -> Any:
    """A database value as JSON: dates in ISO 8601 with every microsecond, bytes in base64."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    return value


def decode(field: models.Field, value: Any) -> Any:
    """The JSON value back as the field's Python value; raises ValidationError when it is not one."""
    if value is None:
        return None
    if isinstance(field, models.JSONField | models.FileField):
        return value
    return field.to_python(value)


class NaturalKeys:
    """Ids of content types, permissions and groups ↔ their natural keys, looked up once each."""

    def __init__(self) -> None:
        self._keys: dict[type[models.Model], dict[Any, list]] = {}
        self._ids: dict[tuple[type[models.Model], tuple], Any] = {}

    def key(self, model: type[models.Model], pk: Any) -> list:
        if model not in self._keys:
            self._keys[model] = {obj.pk: list(obj.natural_key()) for obj in self._all(model)}
        return self._keys[model][pk]

    def pk(self, model: type[models.Model], key: list) -> Any:
        """The id in this database, or LookupError naming what is missing."""
        cache_key = (model, tuple(key))
        if cache_key not in self._ids:
            try:
                self._ids[cache_key] = model._default_manager.get_by_natural_key(*key).pk
            except (model.DoesNotExist, TypeError) as exc:
                raise LookupError(f"{NATURAL_KEY_MODELS[model]} {' '.join(map(str, key))}") from exc
        return self._ids[cache_key]

    @staticmethod
    def _all(model: type[models.Model]):
        manager = model._default_manager
        return manager.select_related("content_type") if model is Permission else manager.all()


def export_rows(model: type[models.Model], naturals: NaturalKeys) -> Iterator[dict[str, Any]]:
    """Every row of the model's table as a JSON-ready dict, by primary key."""
    fields = fields_of(model)
    names = [f.attname for f in fields]
    rows = model._base_manager.order_by("pk").values_list(*names)
    for values in rows.iterator(chunk_size=2000):
        row = {}
        for field, value in zip(fields, values, strict=True):
            if is_natural(field):
                row[field.name] = None if value is None else naturals.key(field.related_model, value)
            else:
                row[field.attname] = encode(value)
        yield row


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in fields_of(model) if isinstance(f, models.FileField)]


def group_rows() -> Iterator[dict[str, Any]]:
    for group in Group.objects.order_by("name").prefetch_related("permissions__content_type"):
        perms = sorted(list(p.natural_key()) for p in group.permissions.all())
        yield {"name": group.name, "permissions": perms}
