"""A worker killed in the middle of a job: the next worker puts the job back in the queue and finishes it, once.

The processes are real (``kure migrate``, ``kure worker``), the database is the site's own (a SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL), and the translation engine is the fake
OpenAI-compatible server answering slowly, so that the worker is certainly in the middle of the job when it
gets SIGKILL.
"""

import json
import os
import signal
import subprocess
import time

import pytest

from kure.translation.testing.fake_servers import FakeOpenAIServer
from tests.faults.sites import KURE, base_env, django_script, fresh_database, migrate

SYLLABLES = ["ka", "lu", "mi", "ro", "te", "su", "na", "zi"]
# 48 sentences, none alike (so the memory never fills one from another), translated word for word.
NAMES = [f"{a.title()}{b}lı" for a in SYLLABLES for b in SYLLABLES][:48]
BODY = "\n\n".join(f"Eski {name} şehir ve büyük nehir." for name in NAMES)
BATCH = 16  # translation.services.BATCH_SIZE: segments per engine request

PUBLISH = """
import json
from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.articles import services
from kure.translation.models import TranslationJob
author = create_person(username="ayse", full_name="Ayşe Demir", email="ayse@example.org", password=None,
                       roles=(Role.AUTHOR,))
editor = create_person(username="selin", full_name="Selin Aydemir", email="selin@example.org", password=None,
                       roles=(Role.AUTHOR, Role.EDITOR))
revision = services.create_article(author=author, title="Eski şehir", body={body!r}, submit=True)
services.approve_revision(revision=revision, editor=editor)
job = TranslationJob.objects.get(article_id=revision.article_id, language="en")
out(json.dumps({{"article": revision.article_id, "job": job.pk}}))
"""

STATE = """
import json
from django_tasks_db.models import DBTaskResult
from kure.notifications.models import Notification
from kure.translation.models import SegmentState, Translation, TranslationJob, TranslationSegment
job = TranslationJob.objects.get(pk={job})
task = DBTaskResult.objects.get(task_path="kure.translation.tasks.translate_article",
                                args_kwargs__kwargs__job_id={job})
translation = Translation.objects.filter(article_id={article}, language="en").first()
segments = list(TranslationSegment.objects.filter(translation=translation).values_list("index", "state"))
out(json.dumps({{
    "task": task.status, "workers": task.worker_ids, "job": job.state, "attempts": job.attempts,
    "indexes": sorted(index for index, _ in segments),
    "machine": sum(1 for _, state in segments if state == SegmentState.MACHINE),
    "total": translation.segments_total if translation else None,
    "status": translation.status if translation else None,
    "body": translation.body if translation else "",
    "notifications": sorted(Notification.objects.values_list("recipient__username", "kind")),
    "unfinished": list(DBTaskResult.objects.exclude(status="SUCCESSFUL").values_list("task_path", "status")),
}}))
"""


@pytest.fixture
def site(tmp_path):
    with fresh_database("worker") as database_url:
        env = base_env(tmp_path)
        if database_url:
            env["DATABASE_URL"] = database_url
        migrate(env)
        yield env


def state(env, ids) -> dict:
    (line,) = django_script(env, STATE.format(**ids))
    return json.loads(line)


def sent_segments(server: FakeOpenAIServer) -> list[int]:
    return [len(server.find_segments(r.json["messages"])) for r in server.requests
            if r.path.endswith("/chat/completions")]


def test_a_worker_killed_mid_job_leaves_it_to_the_next_worker_which_finishes_it_once(site):
    with FakeOpenAIServer(latency=2.0) as engine:
        site["KURE_TRANSLATION_ENGINES"] = json.dumps({"tr-en": {
            "BACKEND": "kure.translation.engines.openai.OpenAIChatEngine",
            "OPTIONS": {"base_url": engine.url + "/v1", "model": "fake-model", "timeout": 30}}})
        (line,) = django_script(site, PUBLISH.format(body=BODY))
        ids = json.loads(line)

        # The first worker takes the job; once the engine has its second batch (the first one is committed),
        # the worker is killed: no signal handler, no clean-up, as the OOM killer or a power cut would do it.
        first = subprocess.Popen([*KURE, "worker", "--no-startup-delay", "--interval", "0.2"], env=site,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 120
            while len(sent_segments(engine)) < 2:
                assert first.poll() is None, f"the worker stopped by itself:\n{first.stdout.read()}"
                assert time.monotonic() < deadline, "the worker did not reach the second batch in 120 s"
                time.sleep(0.05)
            os.kill(first.pid, signal.SIGKILL)
        finally:
            if first.poll() is None:
                first.kill()
            first.wait(timeout=30)
            first.stdout.close()

        stuck = state(site, ids)
        assert stuck["task"] == "RUNNING" and len(stuck["workers"]) == 1
        assert stuck["job"] == "running" and stuck["machine"] == BATCH  # the first batch, committed
        total = stuck["total"] or len(stuck["indexes"])
        assert total == len(NAMES) + 1  # the title and one segment per sentence

        # A new worker finds the dead worker's task, puts it back in the queue and runs it to the end.
        engine.latency = 0.0
        second = subprocess.run([*KURE, "worker", "--batch", "--no-startup-delay"], env=site, capture_output=True,
                                text=True, timeout=180)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "put back in the queue" in second.stdout and "no longer running" in second.stdout

    done = state(site, ids)
    assert done["task"] == "SUCCESSFUL" and len(done["workers"]) == 2
    assert done["job"] == "done" and done["attempts"] == 2
    # Every segment once, all translated by the engine, and the text is the translation.
    assert done["indexes"] == list(range(total))
    assert done["machine"] == total and done["total"] == total and done["status"] == "machine"
    assert all(f"Old {name} city and great river." in done["body"] for name in NAMES)
    assert "Eski" not in done["body"]
    # The engine saw each segment once, except the batch it was translating when the worker died.
    assert sum(sent_segments(engine)) == total + BATCH
    # Nothing else was left behind or done twice: every task succeeded, the author was told once.
    assert done["unfinished"] == []
    assert done["notifications"] == [["ayse", "review"]]


def test_a_task_that_kills_its_worker_every_time_is_failed_after_the_last_attempt(site):
    """The bound on attempts, with real processes: a task claimed by three workers that all died is failed with
    a message saying so, not run a fourth time."""
    site["KURE_WORKER_MAX_ATTEMPTS"] = "3"
    script = """
import subprocess, sys
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from kure.articles.tasks import make_lead_renditions
from kure.core import worker
result = make_lead_renditions.enqueue(article_id=1)
row = DBTaskResult.objects.get(pk=result.id)
for attempt in range(3):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    process = worker.Process(worker_id=f"dead-{attempt}", host=worker.this_process().host, pid=dead.pid,
                             pid_namespace=worker.this_process().pid_namespace, process_started="1")
    worker.beat(process, first=True)
    row.refresh_from_db()
    row.claim(process.worker_id)
    recovered = worker.recover()
    out(attempt + 1, DBTaskResult.objects.get(pk=result.id).status, recovered[0].requeued)
out(DBTaskResult.objects.get(pk=result.id).traceback.replace("\\n", " "))
"""
    out = django_script(site, script)
    assert out[:3] == ["1 READY True", "2 READY True", "3 FAILED False"]
    assert "kure.core.worker.WorkerLost" in out[3] and "died 3 times" in out[3]
    # A worker started now has nothing to run.
    second = subprocess.run([*KURE, "worker", "--batch", "--no-startup-delay"], env=site, capture_output=True,
                            text=True, timeout=120)
    assert second.returncode == 0 and "put back in the queue" not in second.stdout


# --- in this process, on the suite's database --------------------------------------------------------------


@pytest.fixture
def database_queue(settings):
    """Tasks go to the database queue, and this process notes the running task as a worker does."""
    from django_tasks_db.compat import task_finished, task_started

    from kure.core import worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    worker.track_current_task()
    yield
    task_started.disconnect(dispatch_uid="kure.core.worker.started")
    task_finished.disconnect(dispatch_uid="kure.core.worker.finished")


def dead_worker(name: str):
    """A worker whose process has exited: a real process, started and waited for."""
    import sys

    from kure.core import worker

    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait()
    here = worker.this_process()
    process = worker.Process(worker_id=name, host=here.host, pid=exited.pid, pid_namespace=here.pid_namespace,
                             process_started="1")
    worker.beat(process, first=True)
    return process


@pytest.mark.django_db
def test_telling_people_commits_with_the_task_so_a_recovered_task_never_tells_them_twice(author, editor,
                                                                                         database_queue):
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import task_started
    from django_tasks_db.models import DBTaskResult

    from kure.articles import services
    from kure.core import worker
    from kure.notifications import tasks
    from kure.notifications.models import Notification

    revision = services.create_article(author=author, title="Eski şehir", body="Eski şehir.", submit=True)
    services.approve_revision(revision=revision, editor=editor)
    queued = tasks.notify_review_decision.enqueue(revision_id=revision.pk, editor_id=editor.pk, decision="approved")
    row = DBTaskResult.objects.get(pk=queued.id)

    # What a worker does with the task (claim, announce, run), and then it dies before recording the result.
    dead = dead_worker("dead-after-commit")
    row.claim(dead.worker_id)
    task_started.send(sender=DatabaseBackend, task_result=row.task_result)
    assert row.task.call(**row.task_result.kwargs) == "1 authors told"

    # The work and its "done" committed together: there is nothing to recover, and nothing runs again.
    assert worker.recover() == []
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.return_value == "1 authors told"
    assert not DBTaskResult.objects.ready().exists()
    assert Notification.objects.filter(recipient=author, kind="review").count() == 1


@pytest.mark.django_db
def test_only_the_tasks_of_dead_or_silent_workers_go_back_in_the_queue(database_queue, caplog):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from kure.articles.tasks import make_lead_renditions
    from kure.core import worker
    from kure.core.models import WorkerHeartbeat

    def claimed_by(process) -> DBTaskResult:
        row = DBTaskResult.objects.get(pk=make_lead_renditions.enqueue(article_id=1).id)
        row.claim(process.worker_id)
        return row

    alive = worker.this_process("alive-here")
    worker.beat(alive, first=True)
    elsewhere = worker.Process(worker_id="alive-elsewhere", host="another-machine", pid=1, pid_namespace="",
                               process_started="")
    worker.beat(elsewhere, first=True)
    silent = worker.Process(worker_id="silent-elsewhere", host="another-machine", pid=2, pid_namespace="",
                            process_started="")
    worker.beat(silent, first=True)
    WorkerHeartbeat.objects.filter(worker_id="silent-elsewhere").update(
        seen_at=timezone.now() - timedelta(seconds=61))
    rows = {name: claimed_by(process) for name, process in [
        ("alive", alive), ("elsewhere", elsewhere), ("silent", silent), ("dead", dead_worker("dead-here"))]}

    recovered = {r.worker_id: r for r in worker.recover(cfg=worker.Config(heartbeat=5, lease=60, max_attempts=3))}
    assert set(recovered) == {"silent-elsewhere", "dead-here"}
    assert "no heartbeat for 61 s" in recovered["silent-elsewhere"].reason
    assert "no longer running" in recovered["dead-here"].reason
    statuses = {name: DBTaskResult.objects.get(pk=row.pk).status for name, row in rows.items()}
    assert statuses == {"alive": "RUNNING", "elsewhere": "RUNNING", "silent": "READY", "dead": "READY"}
    assert sum("put back in the queue" in message for message in caplog.messages) == 2
    # The dead workers' heartbeats are gone; the live ones stay.
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"alive-here", "alive-elsewhere"}


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("LEASE_SECONDS", "soon", "KURE_WORKER_LEASE_SECONDS must be a number greater than 0, not 'soon'"),
    ("HEARTBEAT_SECONDS", "-1", "KURE_WORKER_HEARTBEAT_SECONDS must be a number greater than 0"),
    ("MAX_ATTEMPTS", "2.5", "KURE_WORKER_MAX_ATTEMPTS must be a number greater than 0, not '2.5'"),
    ("HEARTBEAT_SECONDS", "40", "must be at least twice KURE_WORKER_HEARTBEAT_SECONDS (40)"),
])
def test_a_mistyped_worker_setting_is_said_plainly(settings, setting, value, message):
    from django.core.management import CommandError, call_command

    settings.KURE_WORKER = {setting: value}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("task_worker", "--batch")
