from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kure.accounts"
    label = "accounts"
