"""Background work for notifications (django-tasks): telling followers, and sending the emails.

Publishing, reviewing and posting only enqueue these after commit, so a slow fan-out or a failing mail server
never fails or slows the write itself.

Telling people is one transaction that also marks the task done (``atomic_task``): a worker killed mid-task and
recovered never tells anyone twice. Emails are claimed before they are sent, so they go out at most once.
"""

import logging

from django_tasks import task

from ..core.worker import atomic_task

log = logging.getLogger(__name__)


@task()
@atomic_task
def notify_revision_published(*, revision_id: int) -> str:
    from . import services

    made = services.notify_revision_published(revision_id=revision_id)
    return f"{len(made)} followers told"


@task()
@atomic_task
def notify_review_decision(*, revision_id: int, editor_id: int, decision: str) -> str:
    from . import services

    made = services.notify_review_decision(revision_id=revision_id, editor_id=editor_id, decision=decision)
    return f"{len(made)} authors told"


@task()
@atomic_task
def notify_post(*, author_id: int | None, author_name: str, thread_id: int | None, thread_title: str,
                replied_to_id: int | None, url: str) -> str:
    from . import services

    made = services.notify_post(author_id=author_id, author_name=author_name, thread_id=thread_id,
                                thread_title=thread_title, replied_to_id=replied_to_id, url=url)
    return f"{len(made)} people told"


@task()
def send_emails(*, notification_ids: list[int]) -> str:
    from . import services

    return f"{services.send_emails(notification_ids=notification_ids)} emails sent"


@task()
def send_digests() -> str:
    """The daily digest; `kure notifications digest` does the same from cron."""
    from . import services

    return f"{services.send_digests()} digests sent"
