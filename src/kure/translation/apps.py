from django.apps import AppConfig


def _queue_translations(sender, article, revision, **kwargs) -> None:
    from .services import queue_translations

    queue_translations(article=article)


class TranslationConfig(AppConfig):
    name = "kure.translation"
    label = "translation"

    def ready(self) -> None:
        from ..articles.signals import revision_published

        revision_published.connect(_queue_translations, dispatch_uid="kure.translation.queue_on_publish")
