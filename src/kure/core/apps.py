from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kure.core"
    label = "core"

    def ready(self) -> None:
        from . import pagecache_invalidation

        pagecache_invalidation.connect()
