from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kure.api"
    label = "api"
