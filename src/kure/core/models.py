"""What every app shares in the database: the heartbeats of background workers (see ``kure.core.worker``)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One running ``kure worker``: which process it is and when it last said it was alive.

    A task left RUNNING by a worker whose heartbeat stopped, or whose process is gone, is put back in the queue.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # With the host, tells whether another worker can check the process itself: same machine, same PID namespace.
    pid_namespace = models.CharField(max_length=64, blank=True)
    # The process's start time (clock ticks after boot, from /proc), so a reused PID is not taken for it.
    process_started = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} (pid {self.pid} on {self.host})"
