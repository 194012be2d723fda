"""The ``kure`` command: ``serve``, ``worker``, and every management command (``migrate``, ``import``, …)."""

import argparse
import os
import signal
import subprocess
import sys


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kure.settings")
    import django

    django.setup()


def _default_workers() -> int:
    """One process per core this process may use, and one more to take requests while another waits."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores) + 1


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="kure serve", description="Serve the site with granian, a production WSGI server: one worker process "
                                       "per core and one more, each running one request at a time.")
    parser.add_argument("--host", default=os.environ.get("KURE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KURE_PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("KURE_WORKERS", "0")) or _default_workers(),
                        help="worker processes (default: KURE_WORKERS, else the cores this process may use, plus one)")
    # More threads let a process wait on slow engines (a remote answer engine) for several requests at once, but
    # on busy cores they fight over the interpreter lock: 4 threads served uncached pages at a third of the rate
    # of 1 in bench/web.py (docs/deploy.md).
    parser.add_argument("--threads", type=int, default=int(os.environ.get("KURE_THREADS", "1")),
                        help="threads per worker process that run requests (default: KURE_THREADS, else 1)")
    parser.add_argument("--with-worker", action="store_true",
                        help="also run a background worker; Ctrl-C stops both")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.threads < 1:
        parser.error("--workers and --threads must be at least 1")
    _setup()
    from django.core.management import call_command
    from granian import Granian
    from granian.constants import Interfaces

    # Hashed, compressed static files must exist before the application (and WhiteNoise) starts.
    call_command("collectstatic", interactive=False, verbosity=0)

    worker = None
    if args.with_worker:
        worker = subprocess.Popen([sys.executable, "-m", "kure.cli", "worker"])
    print(f"Küre is serving on http://{args.host}:{args.port}/ with {args.workers} worker process"
          f"{'es' if args.workers > 1 else ''} of {args.threads} threads"
          + (" and a background worker" if worker else ""), flush=True)
    server = Granian("kure.wsgi:application", address=args.host, port=args.port, interface=Interfaces.WSGI,
                     workers=args.workers, blocking_threads=args.threads, websockets=False,
                     respawn_failed_workers=True, log_level="warning")
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        if worker and worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def worker(argv: list[str]) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    backend = settings.TASKS["default"]["BACKEND"]
    if not backend.startswith("django_tasks_db."):
        print(f"The task backend {backend} runs tasks without `kure worker`; nothing to do here.", file=sys.stderr)
        return 2
    # db_worker with heartbeats: tasks of a worker that died are put back in the queue (kure/core/worker.py).
    call_command("task_worker", *argv)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "help"
    if command == "serve":
        return serve(argv[1:])
    if command == "worker":
        try:
            return worker(argv[1:])
        except KeyboardInterrupt:
            return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kure.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kure", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
