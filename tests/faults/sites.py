"""A fresh site for tests that run the real ``kure`` processes: its own SQLite file under a temporary
``KURE_DATA_DIR`` or, when the suite runs on PostgreSQL, its own PostgreSQL database, migrated by ``kure migrate``
as an operator would. The test database of pytest-django is not shared with those processes."""

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

KURE = [sys.executable, "-m", "kure.cli"]


def base_env(data_dir: Path) -> dict[str, str]:
    """The test process's environment without what points at its own database or settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"} and not k.startswith(("PYTEST_", "KURE_"))}
    env["KURE_DATA_DIR"] = str(data_dir)
    env["KURE_EMBEDDING_ENGINE"] = "none"  # no model loading in the worker: these tests are about the queue
    env["KURE_EMAIL_BACKEND"] = "dummy"
    return env


@contextmanager
def fresh_database(prefix: str) -> Iterator[str | None]:
    """A new, empty PostgreSQL database beside the suite's when it runs on PostgreSQL (dropped afterwards);
    None on SQLite, where the site's file lives in its data directory."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'kure'}_{prefix}_{secrets.token_hex(3)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run([*KURE, "migrate", "--no-input", "-v0"], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"kure migrate failed:\n{result.stdout}\n{result.stderr}"


#: Scripts print their results on lines starting with this, apart from whatever else the code prints.
OUT = "@@ "


def django_script(env: dict[str, str], code: str, *, timeout: float = 120) -> list[str]:
    """Run ``code`` with Django set up against the site; the lines it printed with ``out(…)``."""
    prelude = f"import django; django.setup()\ndef out(*values): print({OUT!r} + ' '.join(map(str, values)))\n"
    result = subprocess.run([sys.executable, "-c", prelude + code],
                            env={**env, "DJANGO_SETTINGS_MODULE": "kure.settings"}, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"the script failed:\n{result.stdout}\n{result.stderr}"
    return [line[len(OUT):] for line in result.stdout.splitlines() if line.startswith(OUT)]
