from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "kure.reports"
    label = "reports"
