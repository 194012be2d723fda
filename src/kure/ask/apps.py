from django.apps import AppConfig


class AskConfig(AppConfig):
    name = "kure.ask"
    label = "ask"
