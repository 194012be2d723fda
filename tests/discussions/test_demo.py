"""``kure load_demo`` makes the demo discussions, in Turkish by the demo people, once."""

import io

import pytest
from django.core.management import call_command

from kure.articles.management.commands.load_demo import PEOPLE
from kure.discussions import demo
from kure.discussions.models import Post, Thread

pytestmark = pytest.mark.django_db

NATO_SLUG = "nato-disisleri-bakanlari-toplantisi-2025"


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KURE_TRANSLATION_ENGINES = {}
    return tmp_path


def test_demo_loads_discussions_once(data_dir, client):
    call_command("load_demo", stdout=io.StringIO())
    specs = demo.read_file()
    assert Thread.objects.count() == len(specs) >= 3
    nato = Thread.objects.filter(article__slug=NATO_SLUG)
    assert nato.count() >= 1 and nato.filter(is_pinned=True).exists()
    demo_people = {p.username for p in PEOPLE}
    assert set(Post.objects.values_list("author__username", flat=True)) <= demo_people
    assert Post.objects.filter(parent__isnull=False).exists()  # replies under replies
    assert any("ı" in p.body or "ş" in p.body for p in Post.objects.all())  # written in Turkish

    page = client.get(f"/tr/articles/{NATO_SLUG}/").content.decode()
    assert "Lahey Zirvesi&#x27;nden sonra bu madde nasıl güncellenmeli?" in page
    assert "Henüz tartışma yok" not in page

    counts = (Thread.objects.count(), Post.objects.count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert (Thread.objects.count(), Post.objects.count()) == counts
    assert "= discussion" in out.getvalue()
