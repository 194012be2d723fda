"""``kure export archive`` → ``kure import archive``: a whole encyclopedia moves to an empty database unchanged.

The round trip builds a rich database through the services (the demo, then what the demo does not make: drafts,
reports, tokens, follows, …), captures every carried table row by row with its own code (not the archive's),
exports, empties the database and the media folder, imports, and compares field by field. The other tests
feed the import broken or unsuitable archives and expect a clear message with nothing loaded.
"""

import hashlib
import io
import json
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models

from kure.accounts.models import Role, User
from kure.accounts.services import create_person
from kure.api.services import create_token
from kure.articles import services as articles
from kure.articles.models import Article, BodyImage, ReviewState, Revision
from kure.ask.services import ask
from kure.core.archive import tables
from kure.discussions import services as discussions
from kure.discussions.models import Post, Thread
from kure.notifications import services as notifications
from kure.notifications.models import Notification
from kure.reports import services as reports
from kure.search.models import IndexedSection
from kure.translation.models import JobState, Translation, TranslationJob
from tests.conftest import png_bytes
from tests.helpers import ensure_role_groups

NATO = "nato-disisleri-bakanlari-toplantisi-2025"

# Every table the round trip must find rows in, so that comparing them proves something.
EXPECTED_FILLED = [
    "accounts.user", "accounts.user_groups", "accounts.user_user_permissions", "admin.logentry", "api.apitoken",
    "articles.category", "articles.tag", "articles.article", "articles.article_tags", "articles.revision",
    "articles.reviewevent", "articles.bodyimage", "translation.memoryentry", "translation.glossaryterm",
    "translation.translation", "translation.translation_post_editors", "translation.translationsegment",
    "translation.translationjob", "translation.translationevent", "ask.askedquestion", "discussions.thread",
    "discussions.post", "discussions.postreport", "reports.errorreport", "notifications.follow",
    "notifications.notification", "notifications.notificationsettings",
]


@pytest.fixture
def quick(settings, tmp_path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KURE_EMBEDDINGS = None  # vectors are derived and rebuilt by the search app's own code
    settings.KURE_TRANSLATION_ENGINES = {}
    settings.KURE_PAGE_CACHE = None  # pages are compared as Django renders them
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path


def empty_database_and_media(settings) -> None:
    """What a new machine has after `kure migrate`: no rows but the role groups, and no media files."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:  # TRUNCATE refuses tables with foreign key checks still pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    ensure_role_groups()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- capturing and comparing, independently of the archive's own encoding ---------------------------------

def capture() -> dict[str, dict[Any, dict[str, Any]]]:
    """Every carried table: primary key → {column: value}. References to content types, permissions and groups
    are taken by natural key (their ids belong to each database); a file is its name and the SHA-256 of its bytes."""
    naturals = {model: {obj.pk: obj.natural_key() for obj in model.objects.all()}
                for model in (ContentType, Permission, Group)}
    snapshot: dict[str, dict[Any, dict[str, Any]]] = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in tables.LEFT_OUT:
            continue
        fields = model._meta.concrete_fields
        rows = {}
        for values in model._base_manager.order_by("pk").values(*[f.attname for f in fields]):
            row = {}
            for f in fields:
                value = values[f.attname]
                if f.is_relation and f.related_model in naturals and value is not None:
                    value = naturals[f.related_model][value]
                elif isinstance(value, memoryview):
                    value = bytes(value)
                if isinstance(f, models.FileField) and value:
                    value = (value, _file_digest(value))
                row[f.attname] = value
            rows[values[model._meta.pk.attname]] = row
        snapshot[label] = rows
    snapshot["auth.group (by name)"] = {
        group.name: {"permissions": sorted(p.natural_key() for p in group.permissions.all())}
        for group in Group.objects.all()}
    return snapshot


def _file_digest(name: str) -> str:
    if not default_storage.exists(name):
        return "missing"
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def differences(before: dict, after: dict) -> list[str]:
    """Every row missing, added or changed, and every changed field with both values."""
    found = []
    for label in sorted(before.keys() | after.keys()):
        old, new = before.get(label, {}), after.get(label, {})
        for pk in sorted(old.keys() - new.keys(), key=str):
            found.append(f"{label} {pk}: missing after import")
        for pk in sorted(new.keys() - old.keys(), key=str):
            found.append(f"{label} {pk}: not there before")
        for pk in sorted(old.keys() & new.keys(), key=str):
            for column in sorted(old[pk].keys() | new[pk].keys()):
                if old[pk].get(column) != new[pk].get(column):
                    found.append(f"{label} {pk}.{column}: {old[pk].get(column)!r} became {new[pk].get(column)!r}")
    return found


def pages(client) -> dict[str, tuple[int, str]]:
    """What readers, an editor and an author see, CSRF tokens aside (each session gets its own)."""
    urls = ["/tr/", "/en/", "/tr/search/?q=nato", "/tr/search/?q=g%C3%B6l", "/sitemap.xml", "/feeds/tr/atom.xml"]
    for article in Article.objects.order_by("slug"):
        urls += [article.get_absolute_url(), f"{article.get_absolute_url()}history/"]
        urls += [revision.get_absolute_url() for revision in article.revisions.all()]
        if article.lead_image:
            urls.append(article.lead_image.url)
    urls += [f"/en/articles/{t.article.slug}/" for t in Translation.objects.select_related("article")]
    urls += [thread.get_absolute_url() for thread in Thread.objects.select_related("article")]
    urls += [person.get_absolute_url() for person in User.objects.all()]
    signed_in = {"editor": ["/tr/desk/", "/tr/reports/", "/tr/desk/questions/"] + [
                     r.get_absolute_url() for r in Revision.objects.exclude(state=ReviewState.APPROVED)],
                 "yazar": ["/tr/me/notifications/", "/tr/me/notifications/settings/"]}
    seen = {}
    for who, addresses in [("", urls), *signed_in.items()]:
        client.logout()
        if who:
            client.force_login(User.objects.get(username=who))
        for url in addresses:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body.decode("utf-8", "replace"))
            seen[f"{who or 'reader'} {url}"] = (response.status_code, text)
    return seen


# --- a rich encyclopedia ----------------------------------------------------------------------------------

def enrich() -> None:
    """What the demo does not make, through the same services the site uses."""
    editor, writer, admin = (User.objects.get(username=name) for name in ("editor", "yazar", "admin"))
    nato = Article.objects.get(slug=NATO)
    lahey = Article.objects.get(slug="lahey")
    articles.save_revision(article=lahey, author=writer, title=lahey.title, body=lahey.head_revision.body
                           + "\n\nBir taslak paragraf.", base_revision=lahey.head_revision, edit_summary="Taslak")
    waiting = Revision.objects.get(article__slug="gobeklitepe", state=ReviewState.SUBMITTED)
    articles.request_changes(revision=waiting, editor=editor, comment="Kaynak ekleyin lütfen.")
    articles.set_summary(article=nato, editor=editor, text="Editörün özeti.")
    from django.core.files.uploadedfile import SimpleUploadedFile

    articles.upload_body_image(user=writer, upload=SimpleUploadedFile("harita.png", png_bytes(), "image/png"))
    create_token(user=editor, name="yedekleme")
    report = reports.report_mistake(article_slug="lahey", language="tr", section="", kind="fact",
                                    description="Nüfus yanlış.", contact="okur@example.org")
    reports.resolve_report(report=report, editor=editor, note="Düzeltildi.")
    translation = Translation.objects.get(article=nato, language="en")
    reports.report_mistake(article_slug=NATO, language="en", section=translation.sections[1]["anchor"],
                           kind="translation", description="This sentence reads oddly.")
    post = Post.objects.order_by("pk").first()
    discussions.report_post(post=post, reporter=writer, reason="Konu dışı.")
    discussions.resolve_post_report(report=post.reports.get(), editor=editor)
    discussions.set_post_hidden(post=Post.objects.order_by("pk").last(), editor=editor, hidden=True)
    discussions.set_thread_locked(thread=Thread.objects.order_by("pk").first(), editor=editor, locked=True)
    notifications.follow(person=writer, kind="article", target_id=nato.pk)
    notifications.follow(person=writer, kind="thread", target_id=Thread.objects.order_by("pk").first().pk)
    notifications.update_settings(person=writer, email_kinds=["reply"], daily_digest=True, language="en")
    notifications.notify(recipients=[writer], kind="review", params={"title": nato.title}, url=nato.get_absolute_url())
    notifications.mark_read(person=writer, notification_id=Notification.objects.filter(recipient=writer).first().pk)
    ask(question="NATO dışişleri bakanları nerede toplandı?", language="tr")
    LogEntry.objects.log_actions(user_id=admin.pk, queryset=[nato], action_flag=CHANGE, change_message="Düzenlendi",
                                 single_object=True)
    admin.user_permissions.add(Permission.objects.get(codename="change_glossaryterm"))
    reviewers = Group.objects.create(name="Gözden geçirenler")
    reviewers.permissions.add(Permission.objects.get(codename="review_revision"))
    writer.groups.add(reviewers)


# --- the round trip ---------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_export_then_import_into_an_empty_database_reproduces_everything(quick, settings, client, roles):
    ensure_role_groups()
    call_command("load_demo", stdout=io.StringIO())
    enrich()
    seen_before = pages(client)  # signs people in, which sets their last_login: captured after it
    before = capture()
    empty = [label for label in EXPECTED_FILLED if not before.get(label)]
    assert not empty, f"the test database has no rows in {empty}"
    assert sum(status == 200 for status, _ in seen_before.values()) > 60, {k: s for k, (s, _) in seen_before.items() if s != 200}
    archive = quick / "kure.zip"

    exported = run("export", "archive", str(archive))
    empty_database_and_media(settings)
    assert Article.objects.count() == 0 and not Path(settings.MEDIA_ROOT).exists()
    imported = run("import", "archive", str(archive))

    assert differences(before, capture()) == []
    seen_after = pages(client)
    assert {url: page for url, page in seen_after.items() if page != seen_before[url]} == {}
    assert "articles.revision" in exported and "media files" in exported
    assert IndexedSection.objects.filter(article__slug=NATO, language="en").exists(), "the index is rebuilt"
    assert "sections of 10 published article(s) indexed" in imported

    # The id sequences moved past the loaded rows: new rows of every kind can be made.
    person = create_person(username="yeni", full_name="Yeni Kişi", email="yeni@example.org", password=None,
                           roles=(Role.AUTHOR,))
    revision = articles.create_article(author=person, title="Yepyeni madde", body="Yepyeni bir metin.")
    thread = discussions.start_thread(article=Article.objects.get(slug=NATO), author=person, title="Yeni konu",
                                      body="Yeni bir soru.")
    assert revision.article.pk > max(before["articles.article"])
    assert thread.pk > max(before["discussions.thread"]) and person.pk > max(before["accounts.user"])

    # The comparison itself sees a change.
    Revision.objects.filter(pk=min(before["articles.revision"])).update(edit_summary="değişti")
    assert any(".edit_summary" in line for line in differences(before, capture()))


# --- a small archive, and what goes wrong with archives ---------------------------------------------------

@pytest.fixture
def small_archive(quick, settings, author, editor, png_upload) -> Path:
    """An archive of one published article with a lead image, and an uploaded image (with its thumbnail); the
    database and media folder are then emptied.
    Publishing queued translation jobs that never ran (commit callbacks do not run in these tests)."""
    revision = articles.create_article(author=author, title="Van Gölü", body="Van Gölü büyük bir göldür.\n\n"
                                       "## Kimyası\n\nSuyu sodalıdır.", lead_image=png_upload(), submit=True)
    articles.approve_revision(revision=revision, editor=editor)
    articles.upload_body_image(user=author, upload=png_upload("harita.png"))
    path = quick / "small.zip"
    run("export", "archive", str(path))
    empty_database_and_media(settings)
    return path


def rewrite(path: Path, *, drop: tuple[str, ...] = (), replace: dict[str, bytes] | None = None,
            manifest: Callable[[dict], None] | None = None) -> Path:
    """A copy of the archive with members left out, replaced, or the manifest changed."""
    out = path.with_name("changed.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename, source.read(info))
            if info.filename == "manifest.json" and manifest:
                content = json.loads(data)
                manifest(content)
                data = json.dumps(content).encode()
            target.writestr(info, data)
        for name, data in (replace or {}).items():
            if name not in source.namelist():
                target.writestr(name, data)
    return out


def refused(path: Path) -> str:
    with pytest.raises(CommandError) as caught:
        run("import", "archive", str(path))
    return str(caught.value)


def nothing_loaded(settings) -> bool:
    media = Path(settings.MEDIA_ROOT)
    files = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    return not User.objects.exists() and not Article.objects.exists() and not Revision.objects.exists() and not files


def member_lines(path: Path, member: str) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member).splitlines(keepends=True)


@pytest.mark.django_db
def test_the_small_archive_loads_and_queues_the_unfinished_translation_jobs(small_archive, settings,
                                                                          django_capture_on_commit_callbacks):
    assert TranslationJob.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        out = run("import", "archive", str(small_archive))
    assert "1 unfinished translation job(s) queued again" in out
    job = TranslationJob.objects.get()
    assert job.state == JobState.DONE, "the immediate task backend ran the queued job"
    assert IndexedSection.objects.filter(article__slug="van-golu", language="tr").count() == 2
    image = BodyImage.objects.get()
    names = [Article.objects.get(slug="van-golu").lead_image.name, image.image.name, image.thumbnail.name]
    assert all(name and default_storage.exists(name) for name in names)


@pytest.mark.django_db
def test_importing_forgets_the_pages_an_earlier_site_left_in_the_page_cache(small_archive, settings, tmp_path,
                                                                           django_capture_on_commit_callbacks):
    from kure.core import pagecache

    settings.KURE_PAGE_CACHE = {"BACKEND": "kure.core.pagecache.FileStore",
                                "OPTIONS": {"root": str(tmp_path / "pages"), "max_age": 3600}}
    store = pagecache.store()
    key = ("127.0.0.1", "/tr/articles/van-golu/")
    store.put(key, b"<p>the old site's page</p>", token=store.token())
    with django_capture_on_commit_callbacks(execute=True):
        run("import", "archive", str(small_archive))
    assert store.get(key) is None


@pytest.mark.django_db
def test_an_article_and_person_in_the_database_refuse_the_import(small_archive):
    person = create_person(username="erken", full_name="Erken Gelen", email="erken@example.org", password=None,
                           roles=(Role.AUTHOR,))
    articles.create_article(author=person, title="Başka madde", body="Metin.")
    message = refused(small_archive)
    assert "The database is not empty: it holds rows of users (1), articles (1), revisions (1)" in message


@pytest.mark.django_db
def test_no_file(quick):
    assert "There is no file at" in refused(quick / "nowhere.zip")


@pytest.mark.django_db
def test_a_file_that_is_not_a_zip_file(quick):
    path = quick / "notes.zip"
    path.write_text("Bu bir arşiv değil.")
    assert "is not a Küre archive: it is not a zip file, or it was cut short" in refused(path)


@pytest.mark.django_db
def test_a_truncated_archive(small_archive, settings):
    data = small_archive.read_bytes()
    small_archive.write_bytes(data[: len(data) // 2])
    assert "it is not a zip file, or it was cut short" in refused(small_archive)
    assert nothing_loaded(settings)


@pytest.mark.django_db
def test_a_zip_file_without_a_manifest(small_archive):
    assert "has no manifest.json" in refused(rewrite(small_archive, drop=("manifest.json",)))


@pytest.mark.django_db
def test_an_archive_of_another_format(small_archive):
    changed = rewrite(small_archive, manifest=lambda m: m.update(format="something-else"))
    assert "is not a Küre archive: its manifest.json does not say format “kure-archive”" in refused(changed)


@pytest.mark.django_db
def test_an_archive_of_a_newer_format_version(small_archive):
    changed = rewrite(small_archive, manifest=lambda m: m.update(version=2, kure_version="9.0"))
    assert "is in archive format 2, written by Küre 9.0; this Küre" in refused(changed)
    assert "reads format 1 only" in refused(changed)


@pytest.mark.django_db
def test_an_archive_from_a_newer_database(small_archive):
    changed = rewrite(small_archive, manifest=lambda m: m["migrations"]["articles"].append("0099_future"))
    message = refused(changed)
    assert "was made by a newer Küre" in message and "articles.0099_future" in message


@pytest.mark.django_db
def test_a_missing_member(small_archive):
    message = refused(rewrite(small_archive, drop=("data/articles.revision.jsonl",)))
    assert "lacks 1 member(s) its manifest lists, e.g. data/articles.revision.jsonl" in message


@pytest.mark.django_db
def test_a_column_this_kure_does_not_have(small_archive):
    member = "data/articles.tag.jsonl"

    def add_column(manifest: dict) -> None:
        next(t for t in manifest["tables"] if t["member"] == member)["keys"].append("colour")

    assert "the rows of articles.tag have the column(s) colour" in refused(rewrite(small_archive,
                                                                                   manifest=add_column))


@pytest.mark.django_db
def test_a_damaged_row_late_in_the_archive_loads_nothing(small_archive, settings):
    member = "data/articles.reviewevent.jsonl"  # after the people, articles and revisions
    lines = member_lines(small_archive, member)
    changed = rewrite(small_archive, replace={member: b"".join(lines[:-1]) + b'{"id": 3,\n'})
    assert f"line {len(lines)} of {member} is not valid JSON" in refused(changed)
    assert nothing_loaded(settings)


@pytest.mark.django_db
def test_a_row_count_that_does_not_match(small_archive, settings):
    def more(manifest: dict) -> None:
        next(t for t in manifest["tables"] if t["label"] == "articles.revision")["rows"] += 1

    assert "data/articles.revision.jsonl has 1 row(s) where the manifest says 2" in refused(
        rewrite(small_archive, manifest=more))
    assert nothing_loaded(settings)


@pytest.mark.django_db
def test_a_reference_to_a_row_the_archive_lacks(small_archive, settings):
    member = "data/articles.revision.jsonl"
    row = json.loads(member_lines(small_archive, member)[0])
    row["author_id"] = 999
    changed = rewrite(small_archive, replace={member: json.dumps(row).encode() + b"\n"})
    assert "rows of the archive refer to rows it does not hold" in refused(changed)
    assert nothing_loaded(settings)


@pytest.mark.django_db
def test_a_group_permission_this_database_lacks(small_archive, settings):
    member = "data/auth.group.jsonl"
    lines = [json.loads(line) for line in member_lines(small_archive, member)]
    lines[0]["permissions"].append(["fly_away", "articles", "article"])
    changed = rewrite(small_archive, replace={member: b"".join(json.dumps(g).encode() + b"\n" for g in lines)})
    assert "refers to the permission fly_away articles article, which this database does not have" in refused(
        changed)
    assert nothing_loaded(settings)


@pytest.mark.django_db
def test_a_damaged_media_file_removes_the_files_already_written(small_archive, settings):
    with zipfile.ZipFile(small_archive) as archive:
        media = [name for name in archive.namelist() if name.startswith("media/")]
    assert len(media) == 3  # written in name order: the last is damaged, the first two are written before
    changed = rewrite(small_archive, replace={max(media): b"not the image"})
    assert "is damaged (its checksum differs from the manifest's)" in refused(changed)
    assert nothing_loaded(settings)


@pytest.mark.django_db
def test_a_media_file_outside_the_media_folder(small_archive):
    def escape(manifest: dict) -> None:
        manifest["media"].append({"name": "../../evil.png", "size": 3, "sha256": "0" * 64})

    changed = rewrite(small_archive, manifest=escape, replace={"media/../../evil.png": b"bad"})
    assert "names a media file outside the media folder ('../../evil.png')" in refused(changed)


@pytest.mark.django_db
def test_a_different_media_file_in_the_way(small_archive, settings):
    with zipfile.ZipFile(small_archive) as archive:
        name = next(n for n in archive.namelist() if n.startswith("media/"))[len("media/"):]
    default_storage.save(name, io.BytesIO(b"an older file"))
    assert f"The media folder already has {name}, with other content" in refused(small_archive)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_export_refuses_to_overwrite_needs_an_existing_folder_and_is_private(quick, author):
    path = quick / "kure.zip"
    path.write_text("an older backup")
    with pytest.raises(CommandError, match="exists already; choose another name, or pass --overwrite"):
        run("export", "archive", str(path))
    assert path.read_text() == "an older backup"
    run("export", "archive", str(path), "--overwrite")
    assert zipfile.is_zipfile(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "password hashes and contact addresses are inside"
    with pytest.raises(CommandError, match="does not exist"):
        run("export", "archive", str(quick / "missing" / "kure.zip"))
    with pytest.raises(CommandError, match="is a folder"):
        run("export", "archive", str(quick))
