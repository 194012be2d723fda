from django.contrib.sitemaps import Sitemap

from . import selectors
from .models import Article, Category


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return selectors.published_articles().order_by("pk")

    def lastmod(self, item: Article):
        return item.last_published_at

    def location(self, item: Article) -> str:
        return item.get_absolute_url()


class CategorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.4

    def items(self):
        return Category.objects.order_by("path")

    def location(self, item: Category) -> str:
        return item.get_absolute_url()


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap}
