"""The demo content: ``kure load_demo`` builds a believable encyclopedia through the services, once."""

import io
import re
import stat
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from PIL import Image

from kure.accounts.models import User
from kure.articles import markdown_io
from kure.articles.demo import images
from kure.articles.management.commands.load_demo import LATER_REVISIONS, PEOPLE, demo_articles
from kure.articles.models import Article, Category, ReviewEvent, ReviewState, Revision
from kure.core.text import slugify

pytestmark = pytest.mark.django_db

NATO_SLUG = "nato-disisleri-bakanlari-toplantisi-2025"


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    # Six people are created per load; the default hasher would spend most of the test's time on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return tmp_path


@pytest.fixture
def loaded(data_dir) -> Path:
    call_command("load_demo", stdout=io.StringIO())
    return data_dir


def read_passwords(data_dir: Path) -> dict[str, str]:
    lines = (data_dir / "demo-accounts.txt").read_text().splitlines()
    return dict(line.split()[:2] for line in lines if line.strip() and not line.startswith("#"))


def test_demo_files_are_well_formed():
    articles = demo_articles()
    titles = {a.title for a in articles}
    assert len(articles) >= 9
    for demo in articles:
        words = len(re.findall(r"\w+", demo.body))
        assert 350 <= words <= 900, f"{demo.path.name} has {words} words"
        assert demo.slug == slugify(demo.title), "wiki links reach an article through the slug of its title"
        assert 3 <= len(re.findall(r"^## ", demo.body, re.MULTILINE)) <= 6, demo.path.name
    links = {target for demo in articles for target in re.findall(r"\[\[([^\]|]+)", demo.body)}
    assert "Kuzey Atlantik Antlaşması Örgütü" in links
    assert 1 <= len(links - titles) <= 4, "a few red links, not many"


def test_demo_files_are_import_documents_too():
    """They double as examples of the ``kure import`` format, so they may only use its keys."""
    for demo in demo_articles():
        meta, _ = markdown_io.parse_document(demo.path.read_text(encoding="utf-8"))
        assert set(meta) <= set(markdown_io.KEYS), demo.path.name
    assert set(LATER_REVISIONS) <= {demo.slug for demo in demo_articles()}


def test_load_demo_publishes_the_articles(loaded):
    published = Article.objects.filter(published_revision__isnull=False)
    assert published.count() >= 8
    assert Category.objects.filter(parent__isnull=True).count() >= 3
    assert Category.objects.filter(parent__isnull=False).exists()
    assert published.values("created_by").distinct().count() >= 3
    for article in published:
        assert article.lead_image, article.slug
        assert article.published_revision.state == ReviewState.APPROVED
        # Published through review: an editor other than the author approved it.
        approval = article.published_revision.events.get(to_state=ReviewState.APPROVED)
        assert approval.actor.username == "editor" != article.published_revision.author.username
    image = Image.open(Article.objects.get(slug=NATO_SLUG).lead_image.path)
    assert image.size == images.LEAD_SIZE


def test_nato_article_has_sections_and_a_corrected_second_revision(loaded):
    article = Article.objects.get(slug=NATO_SLUG)
    assert article.title == "NATO Dışişleri Bakanları Toplantısı (2025)"
    headings = [section["heading"] for section in article.published_revision.sections]
    for heading in ("Katılımcılar", "Toplantının Kapsamı", "Asya-Pasifik Ortaklarıyla Diyalog",
                    "Kurumsal Dayanıklılık ve Sivil Direnç", "Rusya'ya Yönelik Yaklaşımlar"):
        assert heading in headings
    first, second = article.revisions.order_by("number")
    assert article.published_revision == second
    assert second.base == first and second.author != first.author
    assert "ABD Dışişleri Bakanı" in second.body and "Senatör" not in second.body
    assert 'href="/tr/articles/kuzey-atlantik-antlasmasi-orgutu/"' in second.html


def test_one_newer_revision_waits_in_the_review_queue(loaded):
    waiting = Revision.objects.filter(state=ReviewState.SUBMITTED)
    assert waiting.count() == 1
    pending = waiting.get()
    assert pending.article.published_revision.number < pending.number


def test_demo_accounts_have_their_roles_and_passwords(loaded):
    yazar, editor, admin = (User.objects.get(username=name) for name in ("yazar", "editor", "admin"))
    assert yazar.has_perm("articles.add_revision") and not yazar.has_perm("articles.review_revision")
    assert editor.has_perm("articles.review_revision") and editor.has_perm("articles.add_revision")
    assert admin.is_superuser and admin.is_staff
    for person in User.objects.filter(username__in=[p.username for p in PEOPLE]):
        assert len(person.full_name.split()) >= 2
        assert person.avatar, person.username
    passwords_file = loaded / "demo-accounts.txt"
    assert stat.S_IMODE(passwords_file.stat().st_mode) == 0o600
    passwords = read_passwords(loaded)
    assert set(passwords) == {p.username for p in PEOPLE}
    for username, password in passwords.items():
        assert authenticate(username=username, password=password) is not None, username
        assert authenticate(username=username, password=password + "x") is None


def test_a_second_run_creates_nothing_and_prints_the_accounts(loaded):
    counts = (User.objects.count(), Article.objects.count(), Revision.objects.count(),
              ReviewEvent.objects.count(), Category.objects.count())
    passwords = read_passwords(loaded)
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert (User.objects.count(), Article.objects.count(), Revision.objects.count(),
            ReviewEvent.objects.count(), Category.objects.count()) == counts
    assert read_passwords(loaded) == passwords
    assert f"article {NATO_SLUG} exists" in out.getvalue()
    assert passwords["editor"] in out.getvalue()


def test_print_only_changes_nothing(loaded):
    out = io.StringIO()
    call_command("load_demo", "--print-only", stdout=out)
    assert read_passwords(loaded)["yazar"] in out.getvalue()
    assert "exists" not in out.getvalue()


def test_print_only_before_any_load(data_dir):
    out = io.StringIO()
    call_command("load_demo", "--print-only", stdout=out)
    assert "yazar" in out.getvalue() and not User.objects.exists()
