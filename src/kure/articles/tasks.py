"""Background work for articles, run by ``kure worker`` (django-tasks; the API Django 6 ships)."""

import logging
from pathlib import PurePath

from django.core.files.base import ContentFile
from django_tasks import task
from PIL import Image

from . import images

log = logging.getLogger(__name__)
CARD_WIDTH = 480


@task()
def make_lead_renditions(*, article_id: int) -> str:
    """Make the small copy of an article's lead image used by cards and listings."""
    from .models import Article

    article = Article.objects.filter(pk=article_id).first()
    if article is None or not article.lead_image:
        return "no lead image"
    with article.lead_image.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    data, suffix = images.encode(image, max_width=CARD_WIDTH)
    name = f"{PurePath(article.lead_image.name).stem}-{CARD_WIDTH}.{suffix}"
    if article.lead_image_small:
        article.lead_image_small.delete(save=False)
    article.lead_image_small.save(name, ContentFile(data), save=False)
    Article.objects.filter(pk=article_id).update(lead_image_small=article.lead_image_small.name)
    log.info("lead image rendition for article %s: %s", article_id, article.lead_image_small.name)
    return article.lead_image_small.name
