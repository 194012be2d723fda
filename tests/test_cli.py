"""The `kure` command as an operator runs it: a real server process and a real worker process."""

import gzip
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

KURE = [sys.executable, "-m", "kure.cli"]


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["KURE_DATA_DIR"] = str(data_dir)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site_dir(tmp_path):
    """A fresh SQLite site, migrated by the command line as `make run` does."""
    subprocess.run([*KURE, "migrate", "--no-input", "-v0"], env=_env(tmp_path), check=True, timeout=120)
    return tmp_path


def test_the_default_database_is_sqlite_in_wal_mode(site_dir):
    import sqlite3

    database = sqlite3.connect(site_dir / "kure.sqlite3")
    try:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        database.close()


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_kure_serve_answers_over_http_and_stops_cleanly(site_dir):
    port = _free_port()
    server = subprocess.Popen([*KURE, "serve", "--port", str(port)], env=_env(site_dir),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/tr/")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.3)
        else:
            pytest.fail("kure serve did not answer within 60 s")
        assert status == 200 and "Küre" in body
        assert _get(f"http://127.0.0.1:{port}/tr/articles/yok/")[0] == 404
        css_status, css = _get(f"http://127.0.0.1:{port}/static/kure/kure.css")
        assert css_status == 200 and ".article-layout" in css
        # the page links its style sheet by a content hash, served compressed and cached for a year or more
        hashed = re.search(r'href="(/static/kure/kure\.[0-9a-f]{12}\.css)"', body).group(1)
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}{hashed}",
                                                           headers={"Accept-Encoding": "gzip"}), timeout=5) as r:
            assert r.headers["Content-Encoding"] == "gzip" and ".article-layout" in gzip.decompress(r.read()).decode()
            max_age = int(re.search(r"max-age=(\d+)", r.headers["Cache-Control"]).group(1))
            assert max_age >= 365 * 24 * 3600 and "immutable" in r.headers["Cache-Control"]
        # the home page, rendered once for an anonymous reader, comes from the page cache the second time
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/tr/", timeout=5) as r:
            assert r.headers["X-Kure-Cache"] == "hit" and r.read().decode() == body
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_kure_worker_runs_a_queued_task_from_the_database(site_dir):
    script = (
        "import django; django.setup();"
        "from kure.articles.tasks import make_lead_renditions;"
        "print(make_lead_renditions.enqueue(article_id=12345).id)"
    )
    env = {**_env(site_dir), "DJANGO_SETTINGS_MODULE": "kure.settings"}
    result_id = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True,
                               text=True, timeout=60).stdout.strip()
    subprocess.run([*KURE, "worker", "--batch", "--no-startup-delay"], env=env, check=True, timeout=120,
                   capture_output=True)
    check = (
        "import django; django.setup();"
        "from kure.articles.tasks import make_lead_renditions;"
        f"r = make_lead_renditions.get_result({result_id!r}); print(r.status, r.return_value)"
    )
    out = subprocess.run([sys.executable, "-c", check], env=env, check=True, capture_output=True, text=True,
                         timeout=60).stdout.strip()
    assert out == "SUCCESSFUL no lead image"


def test_unknown_command_gets_a_clear_message(tmp_path):
    result = subprocess.run([*KURE, "no-such-command"], env=_env(tmp_path), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "Unknown command" in result.stderr
