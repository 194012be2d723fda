"""The writing and review rules, exercised through the services on a real database."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kure.accounts.models import User
from kure.articles import selectors, services
from kure.articles.models import Article, ReviewEvent, ReviewState, Revision
from kure.core.errors import EditConflict, InvalidInput, InvalidTransition, PermissionDenied, ReviewRequired

pytestmark = pytest.mark.django_db

BODY = """NATO dışişleri bakanları Brüksel'de toplandı. Toplantı iki gün sürdü ve Ukrayna'ya destek konuşuldu.

## Katılımcılar

Toplantıya 32 müttefik ülkenin bakanları katıldı. Asya-Pasifik ortakları da davet edildi.

## Gündem

Ukrayna'ya destek toplantının ana gündem maddesiydi. Savunma harcamaları da ele alındı.
"""


def publish(author, editor, **kwargs) -> Revision:
    revision = services.create_article(author=author, title=kwargs.pop("title", "NATO Toplantısı"), body=BODY,
                                       submit=True, **kwargs)
    return services.approve_revision(revision=revision, editor=editor)


def test_new_article_is_a_draft_revision_unseen_by_readers(author):
    revision = services.create_article(author=author, title="Van Gölü", body="Van Gölü Türkiye'nin en büyük gölüdür.")
    article = revision.article
    assert (revision.number, revision.state, article.slug) == (1, ReviewState.DRAFT, "van-golu")
    assert article.published_revision is None
    assert not selectors.published_articles().filter(pk=article.pk).exists()


def test_reader_without_author_role_cannot_write(db):
    reader = User.objects.create(username="okur", full_name="Okur Kişi")
    with pytest.raises(PermissionDenied):
        services.create_article(author=reader, title="Başlık", body="Metin.")


@pytest.mark.parametrize(("title", "body", "field"), [
    ("", "Metin.", "title"),
    ("   ", "Metin.", "title"),
    ("x" * 201, "Metin.", "title"),
    ("Başlık", "", "body"),
    ("Başlık", " \n ", "body"),
])
def test_empty_or_oversize_input_is_refused_with_the_field_named(author, title, body, field):
    with pytest.raises(InvalidInput) as error:
        services.create_article(author=author, title=title, body=body)
    assert error.value.details["field"] == field


def test_oversize_body_is_refused(author, settings):
    settings.KURE_MAX_BODY_CHARS = 1000
    with pytest.raises(InvalidInput, match="limit is 1,000"):
        services.create_article(author=author, title="Uzun", body="a" * 1001)


def test_duplicate_slug_is_refused(author):
    services.create_article(author=author, title="Lahey", body="Lahey bir şehirdir.")
    with pytest.raises(InvalidInput, match="already exists") as error:
        services.create_article(author=author, title="LAHEY", body="Başka metin.")
    assert error.value.details["field"] == "slug"


def test_unknown_language_is_refused(author):
    with pytest.raises(InvalidInput, match="Unknown language"):
        services.create_article(author=author, title="Başlık", body="Metin.", language="xx")


def test_author_cannot_approve_own_revision_even_as_editor(editor):
    revision = services.create_article(author=editor, title="Başlık", body="Metin burada.", submit=True)
    with pytest.raises(ReviewRequired):
        services.approve_revision(revision=revision, editor=editor)
    revision.refresh_from_db()
    assert revision.state == ReviewState.SUBMITTED
    assert revision.article.published_revision is None


def test_author_role_cannot_approve(author, other_author):
    revision = services.create_article(author=author, title="Başlık", body="Metin burada.", submit=True)
    with pytest.raises(PermissionDenied):
        services.approve_revision(revision=revision, editor=other_author)


def test_approval_publishes_and_records_every_transition(author, editor):
    revision = publish(author, editor)
    article = Article.objects.get(pk=revision.article_id)
    assert article.published_revision == revision
    assert article.title == "NATO Toplantısı" and article.first_published_at is not None
    trail = list(ReviewEvent.objects.filter(revision=revision).values_list("from_state", "to_state", "actor"))
    assert trail == [("", "draft", author.pk), ("draft", "submitted", author.pk), ("submitted", "approved", editor.pk)]


def test_readers_keep_the_approved_revision_while_a_newer_one_waits(author, other_author, editor):
    first = publish(author, editor)
    newer = services.save_revision(article=first.article, author=other_author, title=first.title,
                                   body=BODY + "\nYeni bir paragraf eklendi.\n", base_revision=first, submit=True)
    article = selectors.published_article(slug=first.article.slug)
    assert article.published_revision == first
    assert selectors.pending_revision(article=article) == newer
    assert selectors.review_queue() == [newer]
    services.approve_revision(revision=newer, editor=editor)
    article.refresh_from_db()
    assert article.published_revision == newer
    assert selectors.review_queue() == []


def test_stale_base_never_overwrites_and_keeps_both_texts(author, other_author, editor):
    base = publish(author, editor)
    winner = services.save_revision(article=base.article, author=author, title=base.title, body=BODY + "\nA.\n",
                                    base_revision=base)
    with pytest.raises(EditConflict) as conflict:
        services.save_revision(article=base.article, author=other_author, title=base.title,
                               body=BODY + "\nB metni.\n", base_revision=base)
    details = conflict.value.details
    assert details["current_revision"] == winner.pk
    assert details["current_body"] == winner.body
    assert "B metni." in details["your_body"]
    assert Revision.objects.filter(article=base.article).count() == 2


def test_saving_the_same_text_again_is_refused(author):
    revision = services.create_article(author=author, title="Başlık", body="Metin burada.")
    with pytest.raises(InvalidInput, match="Nothing changed"):
        services.save_revision(article=revision.article, author=author, title="Başlık", body="Metin burada.",
                               base_revision=revision)


def test_request_changes_needs_a_comment_and_allows_resubmission(author, editor):
    revision = services.create_article(author=author, title="Başlık", body="Metin burada.", submit=True)
    with pytest.raises(InvalidInput):
        services.request_changes(revision=revision, editor=editor, comment="  ")
    services.request_changes(revision=revision, editor=editor, comment="Kaynak ekleyin.")
    revision.refresh_from_db()
    assert revision.state == ReviewState.CHANGES_REQUESTED
    assert revision.events.last().comment == "Kaynak ekleyin."
    with pytest.raises(InvalidTransition):
        services.approve_revision(revision=revision, editor=editor)
    fixed = services.save_revision(article=revision.article, author=author, title="Başlık",
                                   body="Metin burada.[^1]\n\n[^1]: Kaynak.", base_revision=revision, submit=True)
    services.approve_revision(revision=fixed, editor=editor)
    assert Article.objects.get(pk=revision.article_id).published_revision == fixed


def test_an_older_submission_cannot_replace_a_newer_published_text(author, editor, second_editor):
    old = services.create_article(author=author, title="Başlık", body="Birinci metin.", submit=True)
    new = services.save_revision(article=old.article, author=author, title="Başlık", body="İkinci metin.",
                                 base_revision=old, submit=True)
    services.approve_revision(revision=new, editor=editor)
    with pytest.raises(InvalidTransition, match="older"):
        services.approve_revision(revision=old, editor=second_editor)


def test_rollback_is_a_new_published_revision_with_the_old_text(author, other_author, editor):
    first = publish(author, editor)
    second = services.save_revision(article=first.article, author=other_author, title="Yanlış Başlık",
                                    body="Tahrip edilmiş metin.", base_revision=first, submit=True)
    services.approve_revision(revision=second, editor=editor)
    restored = services.rollback(article=first.article, to_revision=first, editor=editor, comment="vandalizm")
    article = Article.objects.get(pk=first.article_id)
    assert restored.number == 3 and restored.body == first.body and restored.title == first.title
    assert article.published_revision == restored and article.title == first.title
    assert restored.state == ReviewState.APPROVED
    assert "Rollback to revision 1" in restored.edit_summary
    assert Revision.objects.filter(article=article).count() == 3  # history is never rewritten


def test_rollback_needs_an_editor(author, editor):
    first = publish(author, editor)
    with pytest.raises(PermissionDenied):
        services.rollback(article=first.article, to_revision=first, editor=author)


def test_automatic_summary_uses_two_or_three_of_the_articles_sentences(author, editor):
    revision = publish(author, editor)
    summary = Article.objects.get(pk=revision.article_id).summary
    from kure.core.text import split_sentences

    chosen = split_sentences(summary)
    assert 2 <= len(chosen) <= 3
    plain = " ".join(BODY.split())
    assert all(sentence in plain for sentence in chosen)


def test_editor_summary_replaces_the_automatic_one_and_can_be_cleared(author, editor):
    revision = publish(author, editor)
    article = Article.objects.get(pk=revision.article_id)
    with pytest.raises(PermissionDenied):
        services.set_summary(article=article, editor=author, text="Benim özetim.")
    services.set_summary(article=article, editor=editor, text="Editörün özeti.")
    assert Article.objects.get(pk=article.pk).summary == "Editörün özeti."
    services.set_summary(article=article, editor=editor, text="")
    assert Article.objects.get(pk=article.pk).summary == revision.auto_summary


def test_sections_keep_their_date_until_their_text_changes(author, editor, settings):
    first = publish(author, editor)
    dates = {s["anchor"]: s["changed_at"] for s in Revision.objects.get(pk=first.pk).sections}
    changed_body = BODY.replace("Savunma harcamaları da ele alındı.", "Savunma harcamaları tartışıldı.")
    second = services.save_revision(article=first.article, author=author, title=first.title, body=changed_body,
                                    base_revision=first, submit=True)
    services.approve_revision(revision=second, editor=editor)
    after = {s["anchor"]: s["changed_at"] for s in Revision.objects.get(pk=second.pk).sections}
    assert after["katilimcilar"] == dates["katilimcilar"]
    assert after["gundem"] > dates["gundem"]


def test_body_image_upload_checks_strips_metadata_and_makes_a_thumbnail(author, settings):
    import io

    from PIL import Image

    big = Image.new("RGB", (1600, 900), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010E] = "gizli açıklama"  # ImageDescription
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("Fotoğraf Çekimi.JPG", buffer.getvalue(), content_type="image/jpeg")
    image = services.upload_body_image(user=author, upload=upload)
    with image.thumbnail.open("rb") as handle:
        thumb = Image.open(handle)
        assert thumb.width == settings.KURE_THUMBNAIL_WIDTH
    with image.image.open("rb") as handle:
        stored = Image.open(handle)
        assert not stored.getexif()
    # The stored name is made up; the uploader's is kept only as a record, for the admin.
    assert "fotograf" not in image.image.name and image.image.name.endswith(".jpg")
    assert image.original_name == "Fotoğraf Çekimi.JPG"


def test_uploads_that_are_not_images_or_too_large_are_refused(author, settings, png_upload):
    with pytest.raises(InvalidInput, match="not an image"):
        services.upload_body_image(user=author, upload=SimpleUploadedFile("x.png", b"<svg onload=alert(1)>"))
    settings.KURE_MAX_IMAGE_BYTES = 100
    with pytest.raises(InvalidInput, match="too large"):
        services.upload_body_image(user=author, upload=png_upload(width=300, height=300))


def test_inserted_images_render_as_linked_thumbnails(author, png_upload):
    image = services.upload_body_image(user=author, upload=png_upload(width=1200, height=600))
    revision = services.create_article(author=author, title="Resimli",
                                       body=f"Metin.\n\n![Bir resim]({image.image.url})")
    assert f'<a href="{image.image.url}" class="image"><img src="{image.thumbnail.url}"' in revision.html


def test_publishing_makes_the_small_lead_image_in_the_background(author, editor, png_upload,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        revision = publish(author, editor, lead_image=png_upload(width=1200, height=675),
                           lead_image_caption="Brüksel")
    assert callbacks  # queued after commit, not run inside the publishing transaction
    article = Article.objects.get(pk=revision.article_id)
    assert article.lead_image and article.lead_image_small
    with article.lead_image_small.open("rb") as handle:
        from PIL import Image

        assert Image.open(handle).width == 480


def test_categories_nest_and_are_reused(db):
    child = services.ensure_category(path_names=["Gündem", "Uluslararası İlişkiler"])
    again = services.ensure_category(path_names=["Gündem", "Uluslararası İlişkiler"])
    assert child == again and child.path == "gundem/uluslararasi-iliskiler"
    assert [c.name for c in child.ancestors()] == ["Gündem", "Uluslararası İlişkiler"]
