from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kure.core"
    label = "core"
