from django.apps import AppConfig


def _index_on_publish(sender, article, revision, **kwargs) -> None:
    from .indexing import queue_index

    queue_index(article_id=article.pk)


def _index_on_translation(sender, translation, **kwargs) -> None:
    from .indexing import queue_index

    queue_index(article_id=translation.article_id)


class SearchConfig(AppConfig):
    name = "kure.search"
    label = "search"

    def ready(self) -> None:
        from ..articles.signals import revision_published
        from ..translation.signals import translation_changed

        revision_published.connect(_index_on_publish, dispatch_uid="kure.search.index_on_publish")
        translation_changed.connect(_index_on_translation, dispatch_uid="kure.search.index_on_translation")
