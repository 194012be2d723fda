from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "kure.discussions"
    label = "discussions"
