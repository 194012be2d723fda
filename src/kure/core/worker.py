"""Background workers that die in the middle of a task: heartbeats, and putting their tasks back in the queue.

django-tasks-db marks a task RUNNING when a worker claims it, and only that worker ever moves it on (to
SUCCESSFUL or FAILED). A worker killed mid-task (SIGKILL, the OOM killer, a power cut, ``kure serve`` giving up
on a slow shutdown) leaves its task RUNNING for ever: nothing runs it again.

So every ``kure worker`` writes a heartbeat row (:class:`~kure.core.models.WorkerHeartbeat`) when it starts and
every ``KURE_WORKER["HEARTBEAT_SECONDS"]``. When a worker starts, and then every half lease, it looks at the
RUNNING tasks (:func:`recover`): a task is lost when its worker's heartbeat is older than the lease
(``LEASE_SECONDS``), or, on the same machine and PID namespace, at once when the worker's process is gone. A
lost task goes back to READY, to be claimed again, until it has been started ``MAX_ATTEMPTS`` times; then it is
marked FAILED (``WorkerLost``) so that a task that kills its worker every time does not do so for ever. Each
decision is logged.

Running a task again must not do its work twice. The jobs are written for that (docs/architecture.md):
translation jobs resume from their committed segments, embedding replaces a section's vector, image renditions
are overwritten. Tasks whose every write is one transaction (telling people about an event) use
:func:`atomic_task`: their writes and their SUCCESSFUL mark commit together, so a worker killed after the commit
leaves nothing to re-run, and one killed before it leaves nothing done. Emails are claimed before they are sent,
so a kill between the two loses that email (the notification stays on the site) rather than sending it twice.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, close_old_connections, transaction
from django.utils import timezone

log = logging.getLogger(__name__)
T = TypeVar("T")

#: A RUNNING task whose worker never wrote a heartbeat (started by ``db_worker`` directly, not ``kure worker``)
#: cannot be checked; it is taken for lost only after this long.
UNTRACKED_AFTER = timedelta(hours=1)

DEFAULTS = {"HEARTBEAT_SECONDS": 5, "LEASE_SECONDS": 60, "MAX_ATTEMPTS": 3}


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker died every time it was started."""


@dataclass(frozen=True)
class Config:
    heartbeat: float
    lease: float
    max_attempts: int


def config() -> Config:
    """``settings.KURE_WORKER``, checked: a mistyped value is said plainly rather than failing later."""
    given = {**DEFAULTS, **getattr(settings, "KURE_WORKER", {})}
    unknown = set(given) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"KURE_WORKER has unknown keys: {', '.join(sorted(unknown))}; "
                                   f"known: {', '.join(DEFAULTS)}.")

    def number(key: str, kind: Callable[[Any], float]) -> Any:
        try:
            value = kind(given[key])
        except (TypeError, ValueError):
            value = None
        if value is None or not value > 0 or value != value or value == float("inf"):
            raise ImproperlyConfigured(f"KURE_WORKER_{key} must be a number greater than 0, not {given[key]!r}.")
        return value

    heartbeat, lease = number("HEARTBEAT_SECONDS", float), number("LEASE_SECONDS", float)
    attempts = number("MAX_ATTEMPTS", int)
    if lease < 2 * heartbeat:
        raise ImproperlyConfigured(f"KURE_WORKER_LEASE_SECONDS ({lease:g}) must be at least twice "
                                   f"KURE_WORKER_HEARTBEAT_SECONDS ({heartbeat:g}), or a live worker that misses "
                                   "one heartbeat would lose its task.")
    return Config(heartbeat=heartbeat, lease=lease, max_attempts=attempts)


# --- this process ------------------------------------------------------------------------------------------

def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from /proc, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain.
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], fields[19]


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


@dataclass(frozen=True)
class Process:
    worker_id: str
    host: str
    pid: int
    pid_namespace: str
    process_started: str


def this_process(worker_id: str | None = None) -> Process:
    """This process as a worker. The default id names the host and PID, for people reading the task list."""
    host, pid = socket.gethostname(), os.getpid()
    stat = _proc_stat(pid)
    if worker_id is None:
        worker_id = f"{host[:40]}:{pid}:{secrets.token_hex(4)}"
    return Process(worker_id=worker_id, host=host[:255], pid=pid, pid_namespace=_pid_namespace(),
                   process_started=stat[1] if stat else "")


def process_is_gone(*, host: str, pid: int, pid_namespace: str, process_started: str) -> bool | None:
    """True when the process certainly no longer runs, False when it does, None when this machine cannot tell
    (another host or PID namespace, or no /proc)."""
    if host != socket.gethostname() or not pid_namespace or pid_namespace != _pid_namespace():
        return None
    stat = _proc_stat(pid)
    if stat is None:
        return True if os.path.isdir("/proc/self") else None
    state, started = stat
    # Z: killed but not yet reaped by its parent; a different start time: the PID now belongs to someone else.
    return state in {"Z", "X"} or (bool(process_started) and started != process_started)


def beat(process: Process, *, first: bool = False) -> None:
    from .models import WorkerHeartbeat

    now = timezone.now()
    fields = {"host": process.host, "pid": process.pid, "pid_namespace": process.pid_namespace,
              "process_started": process.process_started, "seen_at": now}
    if first:
        WorkerHeartbeat.objects.update_or_create(worker_id=process.worker_id,
                                                 defaults={**fields, "started_at": now})
    elif not WorkerHeartbeat.objects.filter(worker_id=process.worker_id).update(seen_at=now):
        # Another worker took this one for dead (a very long stall) and removed the row: say we are back.
        WorkerHeartbeat.objects.create(worker_id=process.worker_id, started_at=now, **fields)


# --- finding and requeuing lost tasks ----------------------------------------------------------------------

_WORKER_LOST = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"


def _last_worker(task) -> str:
    """The worker that claimed the task most recently ("" when none did)."""
    return task.worker_ids[-1] if task.worker_ids else ""


def _heartbeat_gone(heartbeat) -> bool | None:
    return process_is_gone(host=heartbeat.host, pid=heartbeat.pid, pid_namespace=heartbeat.pid_namespace,
                           process_started=heartbeat.process_started)

@dataclass(frozen=True)
class Recovery:
    task_id: str
    task_path: str
    worker_id: str
    attempts: int
    requeued: bool  # False: failed for good
    reason: str


def _why_lost(task, heartbeats: dict, now: datetime, cfg: Config) -> str | None:
    worker_id = _last_worker(task)
    heartbeat = heartbeats.get(worker_id)
    if heartbeat is None:
        if task.started_at is None or now - task.started_at > UNTRACKED_AFTER:
            return f"its worker {worker_id or '(unknown)'} never sent a heartbeat and it started over " \
                   f"{UNTRACKED_AFTER} ago"
        return None
    silent = (now - heartbeat.seen_at).total_seconds()
    if silent > cfg.lease:
        return f"its worker {worker_id} (pid {heartbeat.pid} on {heartbeat.host}) has sent no heartbeat " \
               f"for {silent:.0f} s"
    if _heartbeat_gone(heartbeat):
        return f"its worker {worker_id} (pid {heartbeat.pid}) is no longer running"
    return None


def recover(*, cfg: Config | None = None, now: datetime | None = None) -> list[Recovery]:
    """Put back in the queue (or fail, after the last attempt) every RUNNING task whose worker died."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    cfg = cfg or config()
    now = now or timezone.now()
    heartbeats = {h.worker_id: h for h in WorkerHeartbeat.objects.all()}
    done = []
    dead_workers = set()
    for task in DBTaskResult.objects.running().only("id", "task_path", "worker_ids", "started_at"):
        reason = _why_lost(task, heartbeats, now, cfg)
        if reason is None:
            continue
        worker_id = _last_worker(task)
        dead_workers.add(worker_id)
        attempts = len(task.worker_ids)
        # Only if nobody moved it meanwhile: its worker finishing after all, or another worker recovering it.
        still = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at)
        if attempts < cfg.max_attempts:
            moved = still.update(status=TaskResultStatus.READY, started_at=None)
            if moved:
                log.warning("task %s (%s) put back in the queue, attempt %s of %s done: %s", task.pk,
                            task.task_path, attempts, cfg.max_attempts, reason)
        else:
            message = (f"{_WORKER_LOST}: the worker running this task died {attempts} times; it is not tried "
                       f"again ({reason}).")
            moved = still.update(status=TaskResultStatus.FAILED, finished_at=now, return_value=None,
                                 exception_class_path=_WORKER_LOST, traceback=message)
            if moved:
                log.error("task %s (%s) failed: %s", task.pk, task.task_path, message)
        if moved:
            done.append(Recovery(task_id=str(task.pk), task_path=task.task_path, worker_id=worker_id,
                                 attempts=attempts, requeued=attempts < cfg.max_attempts, reason=reason))
    # Heartbeats of workers found dead, or silent for ten leases (gone without holding a task), are removed.
    forgotten = now - timedelta(seconds=10 * cfg.lease)
    stale = [h.worker_id for h in heartbeats.values()
             if h.worker_id in dead_workers or h.seen_at < forgotten or _heartbeat_gone(h)]
    if stale:
        WorkerHeartbeat.objects.filter(worker_id__in=stale, seen_at__lte=now).delete()
    return done


class Heartbeat(threading.Thread):
    """Beside the worker's loop: a heartbeat every few seconds, and a look for lost tasks every half lease."""

    def __init__(self, process: Process, cfg: Config) -> None:
        super().__init__(name="kure-worker-heartbeat", daemon=True)
        self.process, self.cfg = process, cfg
        self._stop_event = threading.Event()

    def run(self) -> None:
        last_sweep = timezone.now()
        try:
            while not self._stop_event.wait(self.cfg.heartbeat):
                close_old_connections()
                try:
                    beat(self.process)
                    if (timezone.now() - last_sweep).total_seconds() >= self.cfg.lease / 2:
                        recover(cfg=self.cfg)
                        last_sweep = timezone.now()
                except OperationalError as exc:  # a busy database: the next beat tries again, the lease allows it
                    log.warning("worker %s: heartbeat not written: %s", self.process.worker_id, exc)
                except Exception:
                    log.exception("worker %s: heartbeat or recovery failed", self.process.worker_id)
        finally:
            from django.db import connection

            connection.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=self.cfg.heartbeat + 30)


def leave(process: Process) -> None:
    """A worker stopping cleanly removes its heartbeat, unless it still holds a task (killed by a second ^C):
    that one is then recovered by the next worker, which finds the process gone."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    holding = any(_last_worker(t) == process.worker_id for t in DBTaskResult.objects.running().only("worker_ids"))
    if not holding:
        WorkerHeartbeat.objects.filter(worker_id=process.worker_id).delete()


# --- tasks whose work is one transaction -------------------------------------------------------------------

_current_task: contextvars.ContextVar[str | None] = contextvars.ContextVar("kure_current_task", default=None)


def track_current_task() -> None:
    """In a worker process: remember which task row is running, for :func:`atomic_task`."""
    from django_tasks_db.compat import task_finished, task_started

    task_started.connect(_started, dispatch_uid="kure.core.worker.started")
    task_finished.connect(_finished, dispatch_uid="kure.core.worker.finished")


def _started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _current_task.set(str(task_result.id))


def _finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _current_task.set(None)


def atomic_task(func: Callable[..., T]) -> Callable[..., T]:
    """Run a task's body in one transaction that also marks its task row SUCCESSFUL (put under ``@task()``).

    Whatever kills the worker, the work is then either committed and marked done, or not done at all; a
    recovered task therefore never does it twice. Outside a worker (the immediate backend in tests, a direct
    call) it is only a transaction.
    """

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> T:
        with transaction.atomic():
            result = func(*args, **kwargs)
            task_id = _current_task.get()
            if task_id is not None:
                from django_tasks_db.compat import TaskResultStatus, normalize_json
                from django_tasks_db.models import DBTaskResult

                DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now(),
                    return_value=normalize_json(result), exception_class_path="", traceback="")
        return result

    return run
