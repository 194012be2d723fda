"""Following, and who is told what, through the services and the real signals on a real database."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from kure.articles import services as articles
from kure.core.errors import NotFound, PermissionDenied
from kure.discussions import services as discussions
from kure.discussions.signals import post_published
from kure.notifications import selectors, services
from kure.notifications.models import Follow, Notification, NotificationKind

pytestmark = pytest.mark.django_db


def kinds(person) -> list[str]:
    return list(Notification.objects.filter(recipient=person).values_list("kind", flat=True))


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


# --- following ---------------------------------------------------------------------------------------------

def test_following_twice_keeps_one_row_and_unfollowing_is_idempotent(reader, article):
    first = services.follow(person=reader, kind="article", target_id=article.pk)
    again = services.follow(person=reader, kind="article", target_id=str(article.pk))
    assert first.pk == again.pk
    assert Follow.objects.filter(person=reader).count() == 1
    assert selectors.is_following(person=reader, kind="article", target_id=article.pk)
    assert services.unfollow(person=reader, kind="article", target_id=article.pk) is True
    assert services.unfollow(person=reader, kind="article", target_id=article.pk) is False
    assert not selectors.is_following(person=reader, kind="article", target_id=article.pk)


@pytest.mark.parametrize(("kind", "target"), [("article", 999999), ("category", 999999), ("thread", 999999),
                                              ("planet", 1), ("article", "abc"), ("article", -3)])
def test_following_what_does_not_exist_is_not_found(reader, article, kind, target):
    with pytest.raises(NotFound):
        services.follow(person=reader, kind=kind, target_id=target)
    assert not Follow.objects.exists()


def test_an_unpublished_article_cannot_be_followed(reader, author):
    draft = articles.create_article(author=author, title="Taslak", body="Henüz yayımlanmadı.")
    with pytest.raises(NotFound):
        services.follow(person=reader, kind="article", target_id=draft.article_id)


def test_signed_out_people_cannot_follow(article):
    with pytest.raises(PermissionDenied):
        services.follow(person=AnonymousUser(), kind="article", target_id=article.pk)


# --- published revisions -----------------------------------------------------------------------------------

def test_a_published_revision_tells_followers_of_the_article_and_its_categories_but_not_its_makers(
        article, science, author, editor, reader, second_reader, other_author, publish_edit):
    services.follow(person=reader, kind="article", target_id=article.pk)
    services.follow(person=reader, kind="category", target_id=science.pk)  # told once, not twice
    services.follow(person=second_reader, kind="category", target_id=science.parent_id)  # "Bilim", the parent
    services.follow(person=author, kind="article", target_id=article.pk)  # wrote the revision
    services.follow(person=editor, kind="category", target_id=science.pk)  # approved it
    publish_edit(article, author=author, editor=editor, body="Dolanıklık Einstein'ı rahatsız etti.")

    assert kinds(reader) == [NotificationKind.ARTICLE_PUBLISHED]
    assert kinds(second_reader) == [NotificationKind.ARTICLE_PUBLISHED]
    assert NotificationKind.ARTICLE_PUBLISHED not in kinds(author)  # only the decisions on their work
    assert kinds(editor) == []
    assert kinds(other_author) == []
    told = Notification.objects.get(recipient=reader)
    assert told.url == article.get_absolute_url()
    assert "Kuantum Dolanıklığı" in told.text("tr") and "(2)" in told.text("en")


def test_an_unrelated_category_hears_nothing(article, author, editor, reader, publish_edit):
    other = articles.ensure_category(path_names=["Bilim", "Kimya"])
    services.follow(person=reader, kind="category", target_id=other.pk)
    publish_edit(article, author=author, editor=editor, body="Yeni metin.")
    assert kinds(reader) == []


# --- review decisions --------------------------------------------------------------------------------------

def test_requested_changes_tell_the_author_with_the_comment(article, other_author, editor,
                                                            django_capture_on_commit_callbacks):
    revision = articles.save_revision(article=article, author=other_author, title=article.title,
                                      body="Eksik bir düzenleme.", base_revision=article.head_revision_id,
                                      submit=True)
    with django_capture_on_commit_callbacks(execute=True):
        articles.request_changes(revision=revision, editor=editor, comment="Kaynak ekleyin lütfen.")
    told = Notification.objects.get(recipient=other_author)
    assert told.kind == NotificationKind.REVIEW
    assert told.params["decision"] == "changes_requested"
    assert "Kaynak ekleyin lütfen." in told.text("tr")
    assert "asked for changes" in told.text("en")
    assert told.url == revision.get_absolute_url()
    assert kinds(editor) == []
    [email] = mail.outbox
    assert email.to == ["mehmet@example.org"] and "Kaynak ekleyin lütfen." in email.body


def test_an_approval_tells_the_author_with_the_comment(article, other_author, editor, publish_edit):
    publish_edit(article, author=other_author, editor=editor, body="İyi bir düzenleme.", comment="Teşekkürler!")
    told = Notification.objects.get(recipient=other_author)
    assert told.params["decision"] == "approved"
    assert "approved" in told.text("en") and "Teşekkürler!" in told.text("en")


# --- discussions -------------------------------------------------------------------------------------------

def test_replies_tell_the_person_replied_to_and_the_threads_followers(article, reader, second_reader,
                                                                      other_author,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        thread = discussions.start_thread(article=article, author=reader, title="Kaynak sorusu",
                                          body="Bu bilginin kaynağı nedir?")
    services.follow(person=reader, kind="thread", target_id=thread.pk)
    services.follow(person=second_reader, kind="thread", target_id=thread.pk)
    assert kinds(reader) == []  # opening a thread tells nobody about one's own post
    with django_capture_on_commit_callbacks(execute=True):
        answer = discussions.reply(thread=thread, author=other_author, body="Ders kitaplarında geçiyor.")
    assert kinds(reader) == [NotificationKind.REPLY]  # the thread's author, told once
    assert kinds(second_reader) == [NotificationKind.THREAD_POST]
    assert kinds(other_author) == []
    assert Notification.objects.get(recipient=reader).url == answer.get_absolute_url()
    assert "Mehmet Işık" in Notification.objects.get(recipient=second_reader).text("en")

    with django_capture_on_commit_callbacks(execute=True):
        discussions.reply(thread=thread, author=second_reader, body="Katılıyorum.", reply_to=answer)
    assert kinds(other_author) == [NotificationKind.REPLY]
    assert kinds(second_reader) == [NotificationKind.THREAD_POST]  # nothing about their own reply


def test_a_post_signal_with_a_bare_post_object_is_handled(reader, other_author,
                                                          django_capture_on_commit_callbacks):
    """The receiver reads posts defensively; this is the contract the discussions app sends."""
    thread = SimpleNamespace(pk=41, title="Bir soru", author=reader)
    parent = SimpleNamespace(pk=7, author=reader)
    post = SimpleNamespace(pk=8, thread=thread, parent=parent, author=other_author,
                           get_absolute_url=lambda: "/tr/articles/x/discussions/41/#post-8")
    with django_capture_on_commit_callbacks(execute=True):
        post_published.send(sender=None, post=post)
        post_published.send(sender=None, post=SimpleNamespace())  # nothing usable: ignored, no error
    told = Notification.objects.get(recipient=reader)
    assert (told.kind, told.url) == (NotificationKind.REPLY, "/tr/articles/x/discussions/41/#post-8")


# --- email -------------------------------------------------------------------------------------------------

def test_immediate_emails_go_out_after_commit_in_the_recipients_language(article, author, editor, reader,
                                                                         second_reader, publish_edit):
    services.follow(person=reader, kind="article", target_id=article.pk)
    services.follow(person=second_reader, kind="article", target_id=article.pk)
    services.update_settings(person=second_reader, email_kinds=list(NotificationKind.values), daily_digest=False,
                             language="en")
    mail.outbox.clear()
    publish_edit(article, author=author, editor=editor, body="Dolanıklık ölçüldü.")
    by_person = {m.to[0]: m for m in mail.outbox if m.to[0] != author.email}
    assert set(by_person) == {"okur@example.org", "zeynep@example.org"}
    assert "yayımlandı" in by_person["okur@example.org"].body  # the default language
    assert "has a new published revision" in by_person["zeynep@example.org"].body
    assert f"https://kure.example{article.get_absolute_url()}" in by_person["okur@example.org"].body
    assert Notification.objects.filter(recipient=reader, emailed_at__isnull=False).count() == 1


def test_email_can_be_turned_off_per_kind(article, author, editor, reader, publish_edit):
    services.follow(person=reader, kind="article", target_id=article.pk)
    services.update_settings(person=reader, email_kinds=["review", "reply"], daily_digest=False)
    mail.outbox.clear()
    publish_edit(article, author=author, editor=editor, body="Yeni paragraf.")
    assert kinds(reader) == [NotificationKind.ARTICLE_PUBLISHED]
    assert [m for m in mail.outbox if reader.email in m.to] == []


def test_the_digest_holds_emails_and_the_command_sends_one_email_with_all(article, author, editor, reader,
                                                                          publish_edit, capsys):
    services.follow(person=reader, kind="article", target_id=article.pk)
    services.update_settings(person=reader, email_kinds=list(NotificationKind.values), daily_digest=True)
    mail.outbox.clear()
    publish_edit(article, author=author, editor=editor, body="Birinci ek.")
    publish_edit(article, author=author, editor=editor, body="İkinci ek.")
    assert [m for m in mail.outbox if reader.email in m.to] == []
    assert Notification.objects.filter(recipient=reader).count() == 2

    mail.outbox.clear()
    call_command("notifications", "digest")
    assert "1 digest emails sent" in capsys.readouterr().out
    [digest] = mail.outbox
    assert digest.to == [reader.email]
    assert "(2)" in digest.body and "(3)" in digest.body
    call_command("notifications", "digest")
    assert len(mail.outbox) == 1  # nothing is sent twice


def test_the_digest_task_sends_like_the_command(article, author, editor, reader, publish_edit):
    from kure.notifications import tasks

    services.follow(person=reader, kind="article", target_id=article.pk)
    services.update_settings(person=reader, email_kinds=["article_published"], daily_digest=True)
    publish_edit(article, author=author, editor=editor, body="Bir ek.")
    mail.outbox.clear()
    tasks.send_digests.enqueue()
    assert [m.to for m in mail.outbox] == [[reader.email]]


def test_a_failing_mail_server_never_fails_the_publication(article, author, editor, reader, publish_edit,
                                                           settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_services.FailingEmailBackend"
    services.follow(person=reader, kind="article", target_id=article.pk)
    revision = publish_edit(article, author=author, editor=editor, body="Sunucu çökse de yayımlanır.")
    assert article.published_revision_id == revision.pk
    told = Notification.objects.get(recipient=reader)
    assert told.email_due and told.emailed_at is None


def test_a_rolled_back_publication_tells_nobody(article, author, editor, reader):
    services.follow(person=reader, kind="article", target_id=article.pk)
    revision = articles.save_revision(article=article, author=author, title=article.title, body="Geri alınır.",
                                      base_revision=article.head_revision_id, submit=True)
    articles.approve_revision(revision=revision, editor=editor)  # the test's transaction never commits
    assert kinds(reader) == []
