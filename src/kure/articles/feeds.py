from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed

from ..core import languages
from . import selectors
from .models import Article


class RecentArticlesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, lang: str) -> str:
        return languages.require(lang)

    def title(self, lang: str) -> str:
        from django.conf import settings

        return f"{settings.KURE_SITE_NAME}: {languages.ui_strings(lang)['recently_added']}"

    def link(self, lang: str) -> str:
        return f"/{lang}/"

    def subtitle(self, lang: str) -> str:
        return languages.ui_strings(lang)["tagline"]

    def items(self, lang: str):
        return selectors.articles_recently_added(limit=30)

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Article) -> str:
        return item.created_by.display_name

    def item_pubdate(self, item: Article):
        return item.first_published_at

    def item_updateddate(self, item: Article):
        return item.last_published_at

    def item_categories(self, item: Article):
        return [item.category.name] if item.category else []
