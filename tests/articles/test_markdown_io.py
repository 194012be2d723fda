"""`kure import markdown DIR` and `kure export markdown DIR`: a folder of Markdown files in and out."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.articles import services
from kure.articles.markdown_io import parse_document, render_document
from kure.articles.models import Article, Category, ReviewEvent, ReviewState, Revision, Tag

pytestmark = pytest.mark.django_db

NATO = """---
title: NATO Dışişleri Bakanları Toplantısı (2025)
slug: nato-disisleri-bakanlari-toplantisi-2025
language: tr
category: Gündem / Uluslararası İlişkiler
tags: [NATO, Diplomasi]
author: edanur
---
NATO dışişleri bakanları Brüksel'de toplandı.

## Gündem

Toplantıda **Ukrayna** konuşuldu.
"""

KUTUPHANE = """---
title: İskenderiye Kütüphanesi
author: edanur
category: Tarih
tags: Antik Çağ, Kütüphaneler
---
İskenderiye Kütüphanesi antik dünyanın en büyük kütüphanesiydi.
"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def writer():
    return create_person(username="edanur", full_name="Edanur Karakoç", email="edanur@example.org",
                         password=None, roles=(Role.AUTHOR,))


@pytest.fixture
def reviewer():
    return create_person(username="kaan", full_name="Kaan Yılmaz", email="kaan@example.org", password=None,
                         roles=(Role.AUTHOR, Role.EDITOR))


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "articles"
    path.mkdir()
    return path


def run_import(folder: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import", "markdown", str(folder), *options, stdout=out)
    return out.getvalue()


def image_bytes(mode: str, fmt: str, size=(90, 60)) -> bytes:
    image = Image.new(mode, size, (30, 120, 200, 180) if mode == "RGBA" else (30, 120, 200))
    for x in range(size[0]):  # a gradient, so a wrong or blank image would not compare equal by accident
        colour = (x * 2, 10, 250 - x, 255) if mode == "RGBA" else (x * 2, 10, 250 - x)
        image.putpixel((x, x % size[1]), colour)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def pixels(data_or_field) -> tuple:
    if isinstance(data_or_field, bytes):
        image = Image.open(io.BytesIO(data_or_field))
    else:
        with data_or_field.open("rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
    return image.size, image.convert("RGBA").tobytes()


# --- the file format ---------------------------------------------------------------------------------------

def test_render_then_parse_gives_back_the_same_metadata_and_readable_unicode():
    meta = {"title": "Çağdaş Türk Şiiri: 1923–1960", "slug": "cagdas-turk-siiri", "language": "tr",
            "category": "Edebiyat / Şiir", "tags": ["Şiir", "2025", "yes"], "author": "edanur",
            "summary": "Uzun bir özet. " * 20}
    text = render_document(meta, "Gövde metni.\n\n---\n\nAyırıcıdan sonra.")
    assert "title: 'Çağdaş Türk Şiiri: 1923–1960'\n" in text
    assert "category: Edebiyat / Şiir" in text  # letters kept, not \u escapes
    assert list(meta)[0] == "title" and text.index("title:") < text.index("slug:") < text.index("author:")
    parsed, body = parse_document(text)
    assert parsed == meta  # "2025" and "yes" stay strings
    assert body.strip() == "Gövde metni.\n\n---\n\nAyırıcıdan sonra."


# --- importing ---------------------------------------------------------------------------------------------

def test_import_creates_published_articles_with_category_path_and_tags(folder, writer, reviewer):
    (folder / "nato.md").write_text(NATO, encoding="utf-8")
    (folder / "kutuphane.md").write_text(KUTUPHANE, encoding="utf-8")
    (folder / "notlar.txt").write_text("not an article", encoding="utf-8")

    output = run_import(folder, "--publish", "--editor", "kaan")

    assert "2 created, 0 updated, 0 unchanged, 0 failed" in output
    nato = Article.objects.get(slug="nato-disisleri-bakanlari-toplantisi-2025")
    assert nato.is_published and nato.title == "NATO Dışişleri Bakanları Toplantısı (2025)"
    assert nato.original_language == "tr" and nato.created_by == writer
    assert nato.published_revision.body.startswith("NATO dışişleri bakanları Brüksel'de toplandı.")
    assert nato.published_revision.author == writer
    assert nato.published_revision.state == ReviewState.APPROVED
    assert nato.category.path == "gundem/uluslararasi-iliskiler"
    assert [c.name for c in nato.category.ancestors()] == ["Gündem", "Uluslararası İlişkiler"]
    assert sorted(t.name for t in nato.tags.all()) == ["Diplomasi", "NATO"]
    approval = ReviewEvent.objects.get(revision=nato.published_revision, to_state=ReviewState.APPROVED)
    assert approval.actor == reviewer and approval.comment == "Imported from nato.md"

    library = Article.objects.get(slug="iskenderiye-kutuphanesi")  # slug made from the title
    assert library.is_published and library.category.path == "tarih"
    assert sorted(t.name for t in library.tags.all()) == ["Antik Çağ", "Kütüphaneler"]


def test_reimporting_unchanged_files_changes_nothing(folder, writer, reviewer):
    (folder / "nato.md").write_text(NATO, encoding="utf-8")
    (folder / "kutuphane.md").write_text(KUTUPHANE, encoding="utf-8")
    run_import(folder, "--publish", "--editor", "kaan")
    revisions, events = Revision.objects.count(), ReviewEvent.objects.count()

    output = run_import(folder, "--publish", "--editor", "kaan")

    assert "0 created, 0 updated, 2 unchanged, 0 failed" in output
    assert (Revision.objects.count(), ReviewEvent.objects.count()) == (revisions, events)


def test_a_changed_body_adds_exactly_one_published_revision(folder, writer, reviewer):
    (folder / "nato.md").write_text(NATO, encoding="utf-8")
    (folder / "kutuphane.md").write_text(KUTUPHANE, encoding="utf-8")
    run_import(folder, "--publish", "--editor", "kaan")
    before = Revision.objects.count()

    (folder / "nato.md").write_text(NATO.replace("Ukrayna", "Gazze"), encoding="utf-8")
    output = run_import(folder, "--publish", "--editor", "kaan")

    assert "0 created, 1 updated, 1 unchanged, 0 failed" in output
    assert Revision.objects.count() == before + 1
    nato = Article.objects.get(slug="nato-disisleri-bakanlari-toplantisi-2025")
    assert nato.published_revision.number == 2 and nato.head_revision_id == nato.published_revision_id
    assert "**Gazze**" in nato.published_revision.body and nato.published_revision.base.number == 1


def test_without_publish_it_stays_a_draft_and_a_later_publish_publishes_it(folder, writer, reviewer):
    (folder / "nato.md").write_text(NATO, encoding="utf-8")
    run_import(folder)
    nato = Article.objects.get(slug="nato-disisleri-bakanlari-toplantisi-2025")
    assert not nato.is_published and nato.head_revision.state == ReviewState.DRAFT

    (folder / "nato.md").write_text(NATO.replace("Ukrayna", "Gazze"), encoding="utf-8")
    run_import(folder, "--submit")
    nato.refresh_from_db()
    assert not nato.is_published and nato.head_revision.state == ReviewState.SUBMITTED

    output = run_import(folder, "--publish", "--editor", "kaan")  # same text: publishes what is there
    nato.refresh_from_db()
    assert "1 updated" in output and nato.revisions.count() == 2
    assert nato.published_revision_id == nato.head_revision_id


def test_bad_files_are_reported_and_skipped_and_the_command_fails_at_the_end(folder, writer, reviewer):
    (folder / "a-nato.md").write_text(NATO, encoding="utf-8")
    (folder / "b-not-yaml.md").write_text("---\ntitle: [unclosed\nauthor: edanur\n---\nGövde.\n",
                                          encoding="utf-8")
    (folder / "c-no-title.md").write_text("---\nauthor: edanur\n---\nGövde.\n", encoding="utf-8")
    (folder / "d-no-author.md").write_text("---\ntitle: Yazarsız\n---\nGövde.\n", encoding="utf-8")
    (folder / "e-stranger.md").write_text("---\ntitle: Yabancı\nauthor: nobody\n---\nGövde.\n",
                                          encoding="utf-8")
    (folder / "f-language.md").write_text("---\ntitle: Dil\nauthor: edanur\nlanguage: xx\n---\nGövde.\n",
                                          encoding="utf-8")
    (folder / "g-no-front-matter.md").write_text("Sadece metin.\n", encoding="utf-8")
    (folder / "h-kutuphane.md").write_text(KUTUPHANE, encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(CommandError, match="6 file"):
        call_command("import", "markdown", str(folder), "--publish", "--editor", "kaan", stdout=out)

    output = out.getvalue()
    assert "2 created, 0 updated, 0 unchanged, 6 failed" in output
    assert "b-not-yaml.md: The front matter is not valid YAML" in output
    assert "c-no-title.md: The front matter has no “title”" in output
    assert "d-no-author.md: The front matter has no “author”" in output
    assert "e-stranger.md: There is no active person with the username “nobody”" in output
    assert "f-language.md: Unknown language “xx”" in output
    assert "g-no-front-matter.md: The file must start with front matter" in output
    assert set(Article.objects.values_list("slug", flat=True)) == {
        "nato-disisleri-bakanlari-toplantisi-2025", "iskenderiye-kutuphanesi"}


def test_a_second_file_with_the_same_slug_is_refused(folder, writer, reviewer):
    (folder / "a.md").write_text(NATO, encoding="utf-8")
    (folder / "b.md").write_text(NATO.replace("Ukrayna", "Gazze"), encoding="utf-8")
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import", "markdown", str(folder), "--publish", "--editor", "kaan", stdout=out)

    assert "b.md: a.md already has the slug “nato-disisleri-bakanlari-toplantisi-2025”" in out.getvalue()
    assert Revision.objects.count() == 1 and "Ukrayna" in Revision.objects.get().body


def test_the_author_cannot_approve_their_own_import(folder, writer, reviewer):
    (folder / "kaan.md").write_text(NATO.replace("author: edanur", "author: kaan"), encoding="utf-8")

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "markdown", str(folder), "--publish", "--editor", "kaan", stdout=out)

    assert "“kaan” wrote this revision and cannot also approve it" in out.getvalue()
    assert not Article.objects.exists()  # the file was imported whole or not at all


def test_publish_without_editor_uses_a_superuser_or_says_to_pass_editor(folder, writer):
    (folder / "nato.md").write_text(NATO, encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "markdown", str(folder), "--publish", stdout=out)
    assert "--editor" in out.getvalue() and not Article.objects.exists()

    admin = create_person(username="yonetici", full_name="Yönetici Kişi", email="admin@example.org",
                          password=None, roles=(Role.ADMIN,))
    run_import(folder, "--publish")
    nato = Article.objects.get()
    assert nato.is_published
    approval = ReviewEvent.objects.get(revision=nato.published_revision, to_state=ReviewState.APPROVED)
    assert approval.actor == admin


def test_the_editor_option_must_name_an_editor(folder, writer):
    (folder / "nato.md").write_text(NATO, encoding="utf-8")
    with pytest.raises(CommandError, match="not an editor"):
        run_import(folder, "--publish", "--editor", "edanur")
    assert not Article.objects.exists()


def test_editorial_changes_to_an_existing_article_need_an_editor(folder, writer, reviewer):
    (folder / "nato.md").write_text(NATO, encoding="utf-8")
    run_import(folder, "--publish", "--editor", "kaan")
    (folder / "nato.md").write_text(NATO.replace("tags: [NATO, Diplomasi]", "tags: [NATO, Savunma]")
                                    .replace("author: edanur", "author: edanur\nsummary: Editörün özeti."),
                                    encoding="utf-8")

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "markdown", str(folder), stdout=out)
    assert "only an editor can do" in out.getvalue()

    output = run_import(folder, "--editor", "kaan")
    nato = Article.objects.get()
    assert "1 updated" in output and nato.revisions.count() == 1
    assert sorted(t.name for t in nato.tags.all()) == ["NATO", "Savunma"]
    assert nato.summary_override == "Editörün özeti." and nato.summary_override_by == reviewer
    assert "1 unchanged" in run_import(folder, "--editor", "kaan")


def test_a_lead_image_next_to_the_file_is_loaded_once(folder, writer, reviewer):
    (folder / "nato.jpg").write_bytes(image_bytes("RGB", "JPEG"))
    (folder / "nato.md").write_text(NATO.replace("author: edanur", "author: edanur\nlead_image: nato.jpg\n"
                                                 "lead_image_caption: Brüksel\nlead_image_credit: NATO"),
                                    encoding="utf-8")

    run_import(folder, "--publish", "--editor", "kaan")
    nato = Article.objects.get()
    assert nato.lead_image and pixels(nato.lead_image)[0] == (90, 60)
    assert (nato.lead_image_caption, nato.lead_image_credit) == ("Brüksel", "NATO")
    stored = nato.lead_image.name

    assert "1 unchanged" in run_import(folder, "--publish", "--editor", "kaan")  # the re-encoded copy matches
    nato.refresh_from_db()
    assert nato.lead_image.name == stored

    (folder / "nato.md").write_text(NATO.replace("author: edanur", "author: edanur\nlead_image: yok.jpg"),
                                    encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "markdown", str(folder), "--editor", "kaan", stdout=out)
    assert "The lead image “yok.jpg” is not next to the file" in out.getvalue()


# --- exporting, and back -----------------------------------------------------------------------------------

def _publish(revision: Revision, editor) -> Revision:
    return services.approve_revision(revision=revision, editor=editor)


def _snapshot(article: Article) -> dict:
    return {
        "slug": article.slug, "title": article.published_revision.title,
        "body": article.published_revision.body,
        "language": article.original_language, "author": article.created_by.username,
        "category": [c.name for c in article.category.ancestors()] if article.category else None,
        "tags": sorted(t.name for t in article.tags.all()),
        "caption": article.lead_image_caption, "credit": article.lead_image_credit,
        "summary": article.summary_override,
        "lead_image": pixels(article.lead_image) if article.lead_image else None,
    }


def test_export_then_import_into_empty_tables_reproduces_every_published_article(tmp_path, settings, writer,
                                                                                  reviewer):
    rgba = SimpleUploadedFile("kapak.png", image_bytes("RGBA", "PNG"))
    first = services.create_article(
        author=writer, title="NATO Dışişleri Bakanları Toplantısı (2025)", slug="nato-2025", language="tr",
        body="Giriş paragrafı.\n\n## Gündem\n\n- Ukrayna\n- Savunma harcamaları\n",
        category=services.ensure_category(path_names=["Gündem", "Uluslararası İlişkiler"]),
        tags=["NATO", "Diplomasi"], lead_image=rgba, lead_image_caption="Brüksel'deki toplantı salonu",
        lead_image_credit="Fotoğraf: NATO", submit=True)
    _publish(first, reviewer)
    services.set_summary(article=first.article, editor=reviewer, text="Editörün yazdığı özet.")
    # Published r1 with a pending r2: the export carries the published text.
    # A category name with a slash in it is exported as a list of names.
    second = services.create_article(author=writer, title="Meeting notes", language="en",
                                     body="The published text.", category=services.ensure_category(
                                         path_names=["Notes/Drafts", "Minutes"]), submit=True)
    _publish(second, reviewer)
    services.save_revision(article=Article.objects.get(pk=second.article_id), author=writer,
                           title="Meeting notes", body="An unreviewed edit.", base_revision=second)
    services.create_article(author=writer, title="Taslak", body="Yayımlanmamış.")  # never published
    expected = {a.slug: _snapshot(a) for a in Article.objects.filter(published_revision__isnull=False)}
    assert len(expected) == 2

    export_dir = tmp_path / "export"
    out = io.StringIO()
    call_command("export", "markdown", str(export_dir), stdout=out)

    assert "Exported 2 published article(s)" in out.getvalue()
    assert sorted(p.name for p in export_dir.iterdir()) == [
        "meeting-notes.md", "nato-2025.md", "nato-2025.png"]
    text = (export_dir / "nato-2025.md").read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: NATO Dışişleri Bakanları Toplantısı (2025)\nslug: nato-2025\n")
    assert "category: Gündem / Uluslararası İlişkiler\n" in text and "lead_image: nato-2025.png\n" in text
    assert "An unreviewed edit" not in (export_dir / "meeting-notes.md").read_text(encoding="utf-8")

    # Empty the article tables; the media folder goes too, so the image can only come from the export.
    # Revisions point at the article's head/published revision and at their base with PROTECT: unhook first.
    Article.objects.update(published_revision=None, head_revision=None)
    Revision.objects.update(base=None)
    Article.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    assert not Revision.objects.exists()

    output = run_import(export_dir, "--publish", "--editor", "kaan")

    assert "2 created, 0 updated, 0 unchanged, 0 failed" in output
    assert {a.slug: _snapshot(a) for a in Article.objects.all()} == expected
    # The lead image is now the site's re-encoded copy of the exported file: still recognised as the same.
    again = run_import(export_dir, "--publish", "--editor", "kaan")
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again
