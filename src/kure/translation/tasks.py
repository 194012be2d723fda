"""Background translation jobs (django-tasks). Queued after the publishing transaction commits."""

from django_tasks import task

from .engines.base import EngineUnavailable


@task()
def translate_article(*, job_id: int) -> str:
    from .services import run_job

    try:
        job = run_job(job_id=job_id)
    except EngineUnavailable as exc:
        # run_job already scheduled the retry with backoff; record this attempt as failed in the task log.
        return f"engine unavailable, retry scheduled: {exc}"
    return f"{job.state}: {job.segments_done}/{job.segments_total} segments"
