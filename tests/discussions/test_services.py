"""Discussion services on a real database: posting, nesting, the edit window, soft deletion, moderation, reports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kure.core.errors import InvalidInput, NotFound, PermissionDenied
from kure.discussions import selectors, services
from kure.discussions.models import Post, PostReport, Thread
from kure.discussions.rules import ThreadLocked
from kure.discussions.signals import post_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(article, reader):
    return services.start_thread(article=article, author=reader, title="Kaynaklar", body="Hangi kaynaklar?")


def test_starting_a_thread_saves_the_opening_post_and_signals_after_commit(article, reader,
                                                                            django_capture_on_commit_callbacks):
    received = []

    def listener(sender, post, **kwargs):
        received.append(post)

    post_published.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            thread = services.start_thread(article=article, author=reader, title="  Kaynaklar  ",
                                           body="*Hangi* kaynaklar?")
        assert received == []  # nothing is announced before the commit
        for callback in callbacks:
            callback()
    finally:
        post_published.disconnect(listener)
    assert thread.title == "Kaynaklar" and thread.article == article and thread.author == reader
    opening = thread.posts.get()
    assert opening.parent is None and opening.html == "<p><em>Hangi</em> kaynaklar?</p>"
    assert [p.pk for p in received] == [opening.pk]
    assert received[0].thread == thread


def test_replies_nest_one_level_and_signal(thread, reader, other_reader, django_capture_on_commit_callbacks):
    received = []
    post_published.connect(lambda sender, post, **kw: received.append(post), weak=False,
                           dispatch_uid="test-replies")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            top = services.reply(thread=thread, author=other_reader, body="Bakanlık açıklaması.")
            answer = services.reply(thread=thread, author=reader, body="Teşekkürler.", reply_to=top)
            deeper = services.reply(thread=thread, author=other_reader, body="Rica ederim.", reply_to=answer)
    finally:
        post_published.disconnect(dispatch_uid="test-replies")
    assert top.parent is None
    assert answer.parent == top and deeper.parent == top  # a reply to a reply attaches to the top-level post
    assert [p.pk for p in received] == [top.pk, answer.pk, deeper.pk]
    thread.refresh_from_db()
    assert thread.last_post_at == deeper.created_at
    nodes = selectors.thread_posts(thread=thread)
    assert [n.post.pk for n in nodes] == [thread.posts.order_by("pk").first().pk, top.pk]
    assert [r.pk for r in nodes[1].replies] == [answer.pk, deeper.pk]


def test_bad_input_is_refused_with_a_clear_message(article, reader, draft_article):
    with pytest.raises(InvalidInput, match="empty"):
        services.start_thread(article=article, author=reader, title="Başlık", body="   \n ")
    with pytest.raises(InvalidInput, match="title"):
        services.start_thread(article=article, author=reader, title=" ", body="Metin")
    with pytest.raises(InvalidInput, match="200 characters"):
        services.start_thread(article=article, author=reader, title="a" * 201, body="Metin")
    with pytest.raises(InvalidInput, match="10000 characters; this one has 10001") as excinfo:
        services.start_thread(article=article, author=reader, title="Uzun", body="a" * 10_001)
    assert excinfo.value.details["field"] == "body"
    with pytest.raises(NotFound):
        services.start_thread(article=draft_article, author=reader, title="Taslak", body="Metin")
    assert not Thread.objects.exists()


def test_only_signed_in_people_with_a_real_name_post(article, reader):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.start_thread(article=article, author=AnonymousUser(), title="Başlık", body="Metin")
    reader.full_name = ""
    reader.save()
    with pytest.raises(PermissionDenied, match="real name"):
        services.start_thread(article=article, author=reader, title="Başlık", body="Metin")


def test_the_author_edits_only_within_the_window(thread, reader, other_reader, settings):
    post = thread.posts.get()
    with pytest.raises(PermissionDenied):
        services.edit_post(post=post, actor=other_reader, body="Başkasının metni")
    edited = services.edit_post(post=post, actor=reader, body="Hangi **kaynaklar**?")
    assert edited.edited_at and edited.html == "<p>Hangi <strong>kaynaklar</strong>?</p>"
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    with pytest.raises(PermissionDenied, match="first 15 minutes"):
        services.edit_post(post=post, actor=reader, body="Geç düzeltme")
    settings.KURE_DISCUSSION_EDIT_MINUTES = 30  # the window is a setting
    services.edit_post(post=post, actor=reader, body="Geç düzeltme")
    assert Post.objects.get(pk=post.pk).body == "Geç düzeltme"


def test_soft_delete_keeps_the_replies(thread, reader, other_reader, editor):
    top = services.reply(thread=thread, author=reader, body="Silinecek")
    answer = services.reply(thread=thread, author=other_reader, body="Yanıt", reply_to=top)
    with pytest.raises(PermissionDenied):
        services.delete_post(post=top, actor=other_reader)
    services.delete_post(post=top, actor=reader)
    top.refresh_from_db()
    assert top.is_deleted and top.deleted_at
    node = selectors.thread_posts(thread=thread)[1]
    assert node.post.pk == top.pk and [r.pk for r in node.replies] == [answer.pk]
    with pytest.raises(PermissionDenied):
        services.edit_post(post=top, actor=reader, body="Geri")
    services.delete_post(post=answer, actor=editor)  # editors may delete too
    assert Post.objects.get(pk=answer.pk).is_deleted


def test_editors_hide_lock_and_pin_readers_cannot(thread, reader, other_reader, editor, author):
    post = services.reply(thread=thread, author=other_reader, body="Uygunsuz")
    for call in (lambda u: services.set_post_hidden(post=post, editor=u, hidden=True),
                 lambda u: services.set_thread_locked(thread=thread, editor=u, locked=True),
                 lambda u: services.set_thread_pinned(thread=thread, editor=u, pinned=True),
                 lambda u: services.set_thread_hidden(thread=thread, editor=u, hidden=True)):
        for not_editor in (reader, author):
            with pytest.raises(PermissionDenied):
                call(not_editor)
    services.set_post_hidden(post=post, editor=editor, hidden=True)
    assert [n.post.pk for n in selectors.thread_posts(thread=thread, viewer=reader)] == [thread.posts.first().pk]
    assert post.pk in [n.post.pk for n in selectors.thread_posts(thread=thread, viewer=editor)]
    services.set_thread_pinned(thread=thread, editor=editor, pinned=True)
    services.set_thread_locked(thread=thread, editor=editor, locked=True)
    with pytest.raises(ThreadLocked) as excinfo:
        services.reply(thread=thread, author=reader, body="Hâlâ bir şey var")
    assert excinfo.value.status == 409
    services.set_thread_hidden(thread=thread, editor=editor, hidden=True)
    assert list(selectors.threads(article=thread.article, viewer=reader)) == []
    assert [t.pk for t in selectors.threads(article=thread.article, viewer=editor)] == [thread.pk]
    with pytest.raises(NotFound):
        selectors.thread_by_id(thread_id=thread.pk, viewer=reader)


def test_reports_reach_the_editors_desk_selector(thread, reader, other_reader, editor):
    post = services.reply(thread=thread, author=reader, body="Reklam")
    with pytest.raises(InvalidInput):
        services.report_post(post=post, reporter=other_reader, reason="   ")
    report = services.report_post(post=post, reporter=other_reader, reason="Reklam içeriyor.")
    again = services.report_post(post=post, reporter=other_reader, reason="Yine reklam.")
    assert again.pk == report.pk and PostReport.objects.count() == 1
    reports = list(selectors.open_post_reports())
    assert reports == [report]
    assert reports[0].post.thread.article == thread.article and reports[0].reason == "Reklam içeriyor."
    with pytest.raises(PermissionDenied):
        services.resolve_post_report(report=report, editor=reader)
    services.resolve_post_report(report=report, editor=editor)
    assert not selectors.open_post_reports().exists()
    assert PostReport.objects.get().resolved_by == editor


def test_new_accounts_may_post_only_one_link(article, reader, seasoned_reader):
    body = "Bakınız https://nato.int ve [bildiri](https://example.org/bildiri)."
    with pytest.raises(InvalidInput, match="at most 1 link"):
        services.start_thread(article=article, author=reader, title="Bağlantılar", body=body)
    services.start_thread(article=article, author=reader, title="Bir bağlantı", body="https://nato.int")
    # An old account is still new until it has a few posts.
    with pytest.raises(InvalidInput, match="at most 1 link"):
        services.start_thread(article=article, author=seasoned_reader, title="Bağlantılar", body=body)
    thread = Thread.objects.get()
    for text in ("Bir", "İki", "Üç"):
        services.reply(thread=thread, author=seasoned_reader, body=text)
    services.reply(thread=thread, author=seasoned_reader, body=body)
    assert Post.objects.filter(author=seasoned_reader).count() == 4
