from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kure.notifications"
    label = "notifications"
