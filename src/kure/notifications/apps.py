from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kure.notifications"
    label = "notifications"

    def ready(self) -> None:
        from ..articles.signals import review_decided, revision_published
        from ..discussions.signals import post_published
        from . import receivers

        revision_published.connect(receivers.on_revision_published, dispatch_uid="kure.notifications.published")
        review_decided.connect(receivers.on_review_decided, dispatch_uid="kure.notifications.review")
        post_published.connect(receivers.on_post_published, dispatch_uid="kure.notifications.post")
