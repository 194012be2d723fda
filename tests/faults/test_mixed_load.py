"""A short version of `make soak` (bench/soak.py, the same code): 20 seconds of mixed load from 4 clients on a real
`kure serve --with-worker` with the demo content: reads in both languages, search, Ask, authors saving edits and
editors approving them, signed in through the login form. No answer may be a 5xx or otherwise unexpected, every
kind of request must have succeeded a few times, the worker must finish what the edits queued without a failed
task, and Ask and search must still answer 429 past their limits."""

import pytest

from bench import soak
from tests.faults.sites import fresh_database

SECONDS = 20
CLIENTS = 4
AT_LEAST = 3  # successful requests of every kind


@pytest.fixture(scope="module")
def report():
    with fresh_database("soak") as database_url:
        return soak.run(seconds=SECONDS, clients=CLIENTS, database_url=database_url, rotate=True,
                        say=lambda *args: None)


def test_no_answer_is_a_server_error_or_unexpected(report):
    assert report.server_errors == [], report.text()
    assert report.unexpected == [], report.text()
    assert report.client_errors == [], report.text()


@pytest.mark.parametrize("kind", soak.KINDS)
def test_every_kind_of_request_was_made_and_succeeded(report, kind):
    assert report.succeeded(kind) >= AT_LEAST, report.text()


def test_edits_were_approved_and_the_worker_did_what_they_queued(report):
    assert report.writes >= AT_LEAST and report.recorder.statuses["approve"][302] == report.writes
    assert report.drained is not None, report.text()
    assert report.tasks.get("SUCCESSFUL", 0) >= report.writes and not report.tasks.get("FAILED"), report.tasks


def test_the_rate_limits_still_answer_429(report):
    assert report.limits_hold, report.text()
    for name, (sent, page) in report.limits.items():
        assert sent is not None and sent > 1, name
        assert "Too many requests" in page or "Çok fazla" in page, page[:500]


def test_memory_was_sampled_for_every_server_process(report):
    assert len(report.samples) >= SECONDS // soak.SAMPLE_SECONDS
    commands = [cmdline for cmdline, _ in report.samples[-1][2].values()]
    assert any(" serve " in c for c in commands) and any(c.endswith(" worker") for c in commands), commands
