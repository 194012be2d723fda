"""The backend's full-text index over IndexedSection: FTS5 on SQLite, a tsvector column and GIN on PostgreSQL."""

from django.db import migrations


def _statements(vendor: str, which: str) -> list[str]:
    if vendor == "sqlite":
        from kure.search.backends import sqlite_fts as backend
    elif vendor == "postgresql":
        from kure.search.backends import postgres as backend
    else:
        return []
    return getattr(backend, which)


def create(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, "CREATE"):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor, "DROP"):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
