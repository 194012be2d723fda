"""``kure worker``: django-tasks-db's ``db_worker`` with heartbeats, so that a worker that dies mid-task does not
leave its task RUNNING for ever (see ``kure.core.worker``)."""

import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from kure.core import worker


class Command(DatabaseWorkerCommand):
    help = ("Run background tasks from the database queue. The worker writes a heartbeat; tasks left running by a "
            "worker that died are put back in the queue (KURE_WORKER_* settings).")

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        # db_worker draws a random id; ours names the host and process, and is the key of the heartbeat row.
        parser.set_defaults(worker_id=None)

    def handle(self, *args: Any, worker_id: str | None = None, reload: bool = False, batch: bool = False,
               **options: Any) -> None:
        try:
            cfg = worker.config()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if reload and batch:
            reload = False  # as db_worker decides; said by it too
        if reload and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent runs no task; the child it starts comes through here and keeps the heartbeat.
            return super().handle(*args, worker_id=worker_id or worker.this_process().worker_id, reload=reload,
                                  batch=batch, **options)
        process = worker.this_process(worker_id)
        for recovered in worker.recover(cfg=cfg):
            verb = "put back in the queue" if recovered.requeued else "failed after its last attempt"
            self.stdout.write(f"Task {recovered.task_id} ({recovered.task_path}) {verb}: {recovered.reason}.")
        worker.beat(process, first=True)
        worker.track_current_task()
        heartbeat = worker.Heartbeat(process, cfg)
        heartbeat.start()
        try:
            super().handle(*args, worker_id=process.worker_id, reload=reload, batch=batch, **options)
        finally:
            heartbeat.stop()
            worker.leave(process)
