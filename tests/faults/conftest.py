"""Fault tests run what a server runs: several threads, each on its own database connection."""

import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection


@pytest.fixture
def server_database(tmp_path) -> Callable[[], Any]:
    """A context manager giving threads the database a server would have.

    On PostgreSQL that is the test database as it is. SQLite tests run on a shared-cache in-memory database,
    where a writer that finds the database busy fails at once with "database table is locked" (SQLITE_LOCKED)
    instead of waiting for the busy timeout; a server has a file in WAL mode. So the data written so far is
    copied into a file, new connections (the threads') open that file for the duration, and the in-memory
    database, which the main thread keeps open, comes back afterwards.
    """

    @contextmanager
    def use() -> Iterator[None]:
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            yield
            return
        path = str(tmp_path / "server.sqlite3")
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        name = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = path
        try:
            yield
        finally:
            connection.settings_dict["NAME"] = name

    return use


def in_thread(function: Callable[[], Any]) -> Any:
    """Run ``function`` on a thread of its own, with its own database connection, closed afterwards."""

    def run():
        try:
            return function()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
