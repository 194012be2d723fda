from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "kure.articles"
    label = "articles"
