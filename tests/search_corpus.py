"""Fixtures for search and Ask tests: a small corpus of published Turkish articles, indexed the way the site
indexes them (after commit). Loaded for the whole suite by ``tests/conftest.py``."""

import pytest

from kure.articles import services
from kure.search.embeddings.base import close_embedders
from kure.search.ranking import STATS
from kure.search.vectors import INDEX

OSMAN = """Osman Gazi, Osmanlı Beyliği'nin kurucusudur.

## Hayatı

Osman Bey 1258 yılında Söğüt'te doğdu. Babası Ertuğrul Gazi, annesi Halime Hatun'dur.
Gençliğinde Şeyh Edebali'nin dergâhına gitti.

## Fetihler

Osman Bey 1299 yılında Bilecik'i aldı. Yarhisar ve İnegöl de aynı yıl alındı.
"""

FETIH = """İstanbul'un Fethi, 1453 yılında gerçekleşti.

## Kuşatma

Kuşatma 6 Nisan 1453'te başladı ve 53 gün sürdü. Surlar büyük toplarla dövüldü.

## Sonuçları

Şehir Osmanlı Devleti'nin başkenti oldu. Orta Çağ'ın sonu sayılır.
"""

ILGAZ = """Ilgaz Dağı, Kastamonu ile Çankırı arasında yer alır.

## Coğrafya

Zirvesi 2587 metre yüksekliktedir. Özel koruma altındaki ormanları vardır.
"""

# Two more articles, used by the page tests of search and Ask.
KAHVE = """Türk kahvesi cezvede pişirilen köpüklü bir kahvedir. Kültürü 2013'te UNESCO listesine girdi.

## Hazırlanışı

İnce çekilmiş kahve soğuk suyla cezveye konur ve kısık ateşte yavaşça pişirilir. Köpüğü fincanlara paylaştırılır.

## Kahve Falı

İçildikten sonra fincan ters çevrilir ve telveden fal bakılır.
"""

VAN = """Van Gölü Türkiye'nin en büyük gölüdür. Doğu Anadolu'da, deniz seviyesinden 1640 metre yüksektedir.

## Kimyası

Gölün suyu sodalı ve tuzludur. İnci kefali bu özel suya uyum sağlamış tek balık türüdür.
"""


@pytest.fixture(autouse=True)
def _fresh_search_state():
    # Each test has its own database: the per-process copies of the vectors and statistics must not carry over.
    INDEX.clear()
    STATS.forget()
    yield
    INDEX.clear()
    STATS.forget()
    close_embedders()


@pytest.fixture
def roomy_rate_limits(settings):
    """Limits no page test reaches, and an empty cache, so one test's requests never limit another's."""
    from django.core.cache import cache

    settings.KURE_RATE_LIMITS = {"search": (1000, 60), "ask": (1000, 60)}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def publish(django_capture_on_commit_callbacks, author, editor):
    """Publish an article and run what follows the commit (indexing, embedding) at once."""

    def make(title: str, body: str, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            revision = services.create_article(author=author, title=title, body=body, submit=True, **kwargs)
            services.approve_revision(revision=revision, editor=editor)
        STATS.forget()
        revision.article.refresh_from_db()
        return revision.article

    return make


@pytest.fixture
def corpus(publish):
    science = services.ensure_category(path_names=["Tarih", "Osmanlı"])
    geography = services.ensure_category(path_names=["Coğrafya"])
    return {
        "osman": publish("Osman Bey", OSMAN, category=science, tags=["Kuruluş"]),
        "fetih": publish("İstanbul'un Fethi", FETIH, category=science, tags=["Fetih"]),
        "ilgaz": publish("Ilgaz Dağı", ILGAZ, category=geography, tags=["Dağlar"]),
    }
