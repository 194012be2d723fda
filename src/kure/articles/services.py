"""Every write to articles goes through here, in one transaction, with the review rules enforced."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..accounts.models import User
from ..core import languages
from ..core.errors import EditConflict, InvalidInput, InvalidTransition, NotFound, PermissionDenied, ReviewRequired
from ..core.text import slugify
from . import images, markup, signals, tasks
from .models import Article, BodyImage, Category, ReviewEvent, ReviewState, Revision, Tag
from .summary import summarise

_MEDIA_SRC = re.compile(r"\]\((/media/[^)\s]+)")


# --- permissions -------------------------------------------------------------------------------------------

def _require_author(user: User) -> None:
    if not (user and user.is_authenticated and user.has_perm("articles.add_revision")):
        raise PermissionDenied("Only authors can write articles. Ask an administrator for the author role.")
    if not user.full_name.strip():
        raise PermissionDenied("Add your real name to your profile before writing: contributions are signed.")


def _require_editor(user: User) -> None:
    if not (user and user.is_authenticated and user.has_perm("articles.review_revision")):
        raise PermissionDenied("Only editors can review, publish or roll back revisions.")


# --- validation --------------------------------------------------------------------------------------------

def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("The title is empty. Give the article a title.", field="title")
    if len(title) > settings.KURE_MAX_TITLE_LENGTH:
        raise InvalidInput(
            f"The title is {len(title)} characters long; the limit is {settings.KURE_MAX_TITLE_LENGTH}.", field="title"
        )
    return title


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise InvalidInput("The article body is empty. Write the text of the article.", field="body")
    if len(body) > settings.KURE_MAX_BODY_CHARS:
        raise InvalidInput(
            f"The body is {len(body):,} characters long; the limit is {settings.KURE_MAX_BODY_CHARS:,}. "
            "Split it into several articles.",
            field="body",
        )
    return body + "\n"


def _clean_language(language: str) -> str:
    if not languages.is_valid(language):
        raise InvalidInput(f"Unknown language “{language}”. Choose one of: {', '.join(languages.codes())}.",
                           field="language")
    return language


def _clean_slug(slug: str, title: str) -> str:
    slug = slugify(slug or title)
    if not slug:
        raise InvalidInput("The address (slug) needs at least one letter or digit.", field="slug")
    if slug in {"new"}:
        raise InvalidInput(f"“{slug}” is reserved; choose another address.", field="slug")
    return slug


# --- derived data ------------------------------------------------------------------------------------------

def _derive(revision: Revision, language: str) -> None:
    """Fill a new revision's rendered HTML, sections and automatic summary from its body."""
    rendered = markup.render(revision.body, language=language)
    originals = _MEDIA_SRC.findall(revision.body)
    html = rendered.html
    if originals:
        names = [src.removeprefix(settings.MEDIA_URL) for src in originals]
        thumbs = {settings.MEDIA_URL + img.image.name: img.thumbnail.url
                  for img in BodyImage.objects.filter(image__in=names)}
        html = markup.use_thumbnails(html, thumbs)
    revision.html = html
    revision.sections = [section.as_dict() for section in rendered.sections]
    revision.auto_summary = summarise([text for _, text in rendered.paragraphs], language=language)


def _date_sections(revision: Revision, previous: Revision | None, when) -> None:
    """Give every section the date its text last changed, carried over from the previous published revision."""
    before = {s["anchor"]: s for s in (previous.sections if previous else [])}
    for section in revision.sections:
        old = before.get(section["anchor"])
        unchanged = old and old.get("digest") == section["digest"] and old.get("changed_at")
        section["changed_at"] = old["changed_at"] if unchanged else when.isoformat()


def _lock_article(pk: int, *related: str) -> Article:
    """The article row, locked until the transaction ends; ``related`` rows are read once the lock is held.

    Not joined into the locking query: on PostgreSQL a row re-read after waiting for the lock is joined with rows
    from the statement's older snapshot, so a head revision saved meanwhile came back as None.
    """
    article = Article.objects.select_for_update().get(pk=pk)
    for name in related:
        getattr(article, name)
    return article


def _record(revision: Revision, to_state: str, actor: User, comment: str = "") -> None:
    ReviewEvent.objects.create(
        revision=revision, from_state=revision.state if revision.pk else "", to_state=to_state, actor=actor,
        comment=comment,
    )
    revision.state = to_state


def _new_revision(*, article: Article, author: User, title: str, body: str, base: Revision | None,
                  edit_summary: str, state: str = ReviewState.DRAFT) -> Revision:
    number = (article.head_revision.number + 1) if article.head_revision_id else 1
    revision = Revision(article=article, number=number, base=base, title=title, body=body,
                        edit_summary=(edit_summary or "").strip()[:300], author=author, state=ReviewState.DRAFT)
    _derive(revision, article.original_language)
    revision.save()
    ReviewEvent.objects.create(revision=revision, from_state="", to_state=ReviewState.DRAFT, actor=author)
    article.head_revision = revision
    article.save(update_fields=["head_revision"])
    return revision


def _get_or_create(model, *, lookup: dict, defaults: dict):
    """get_or_create that survives a concurrent insert of the same row (the unique constraint decides)."""
    try:
        with transaction.atomic():
            return model.objects.get_or_create(**lookup, defaults=defaults)[0]
    except IntegrityError:
        return model.objects.get(**lookup)


def _set_tags(article: Article, tags: Iterable[str]) -> None:
    objs = []
    for name in dict.fromkeys(" ".join(t.split()) for t in tags if t and t.strip()):
        if len(name) > 80:
            raise InvalidInput(f"The tag “{name[:40]}…” is longer than 80 characters.", field="tags")
        slug = slugify(name)
        if not slug:
            raise InvalidInput(f"The tag “{name}” needs at least one letter or digit.", field="tags")
        objs.append(_get_or_create(Tag, lookup={"slug": slug}, defaults={"name": name}))
    article.tags.set(objs)


# --- categories --------------------------------------------------------------------------------------------

MAX_CATEGORY_DEPTH = 5


def ensure_category(*, path_names: list[str]) -> Category:
    """The category at the end of a chain of names ("Gündem", "Dünya"), created where it does not exist."""
    names = [" ".join(name.split()) for name in path_names if name and name.strip()]
    if not names:
        raise InvalidInput("The category is empty.", field="category")
    if len(names) > MAX_CATEGORY_DEPTH:
        raise InvalidInput(f"Categories nest at most {MAX_CATEGORY_DEPTH} levels deep.", field="category")
    parent = None
    for name in names:
        slug = slugify(name)
        if not slug:
            raise InvalidInput(f"The category “{name}” needs at least one letter or digit.", field="category")
        if len(name) > 120 or len(slug) > 80:
            raise InvalidInput(f"The category name “{name[:40]}…” is too long (120 characters at most).",
                               field="category")
        parent = _get_or_create(Category, lookup={"parent": parent, "slug": slug}, defaults={"name": name})
    return parent


def category_from_text(text: str) -> Category | None:
    """A category written as people type it, “Parent / Child”; None for an empty text."""
    text = (text or "").strip()
    if not text:
        return None
    names = [" ".join(part.split()) for part in text.split("/")]
    if not all(names):
        raise InvalidInput("A category is written “Parent / Child”, with a name on each side of every “/”.",
                           field="category")
    return ensure_category(path_names=names)


# --- writing -----------------------------------------------------------------------------------------------

@transaction.atomic
def create_article(*, author: User, title: str, body: str, language: str | None = None, slug: str = "",
                   category: Category | None = None, tags: Iterable[str] = (), lead_image: UploadedFile | None = None,
                   lead_image_caption: str = "", lead_image_credit: str = "", edit_summary: str = "",
                   submit: bool = False) -> Revision:
    _require_author(author)
    title = _clean_title(title)
    body = _clean_body(body)
    language = _clean_language(language or languages.default())
    slug = _clean_slug(slug, title)
    if Article.objects.filter(slug=slug).exists():
        raise InvalidInput(f"An article with the address “{slug}” already exists. Choose another title or address.",
                           field="slug", slug=slug)
    article = Article(slug=slug, original_language=language, category=category, created_by=author, title=title,
                      lead_image_caption=lead_image_caption.strip()[:300],
                      lead_image_credit=lead_image_credit.strip()[:200])
    if lead_image:
        article.lead_image, _ = images.sanitised_upload(lead_image, max_width=2400)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError as exc:  # a concurrent creation took the slug between the check and the insert
        raise InvalidInput(f"An article with the address “{slug}” already exists.", field="slug") from exc
    _set_tags(article, tags)
    revision = _new_revision(article=article, author=author, title=title, body=body, base=None,
                             edit_summary=edit_summary or "New article")
    if submit:
        _submit(revision, author)
    return revision


@transaction.atomic
def save_revision(*, article: Article, author: User, title: str, body: str, base_revision: Revision | int | None,
                  edit_summary: str = "", submit: bool = False) -> Revision:
    """Save an edit as a new revision on top of ``base_revision``.

    The article row is locked while the base is checked, so of two edits made from the same revision only
    the first is saved; the second raises ``EditConflict`` carrying both texts.
    """
    _require_author(author)
    title = _clean_title(title)
    body = _clean_body(body)
    locked = _lock_article(article.pk, "head_revision")
    base_id = base_revision.pk if isinstance(base_revision, Revision) else base_revision
    head = locked.head_revision
    if head is not None and base_id != head.pk:
        raise EditConflict(
            f"“{locked.title or head.title}” was changed (revision {head.number}) after you started editing. "
            "Your text is kept below next to the current one: merge them and save again.",
            current_revision=head.pk, current_number=head.number, current_title=head.title, current_body=head.body,
            your_title=title, your_body=body,
        )
    if head is not None and head.body == body and head.title == title:
        raise InvalidInput(f"Nothing changed: the text is the same as revision {head.number}.", field="body")
    revision = _new_revision(article=locked, author=author, title=title, body=body, base=head,
                             edit_summary=edit_summary)
    if submit:
        _submit(revision, author)
    return revision


def _submit(revision: Revision, actor: User) -> None:
    if revision.state not in {ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED}:
        raise InvalidTransition(f"Revision {revision.number} is {revision.get_state_display().lower()}; "
                                "only drafts can be submitted.")
    if actor.pk != revision.author_id and not actor.has_perm("articles.review_revision"):
        raise PermissionDenied("Only the revision's author or an editor can submit it for review.")
    _record(revision, ReviewState.SUBMITTED, actor)
    revision.save(update_fields=["state"])


@transaction.atomic
def submit_revision(*, revision: Revision, actor: User) -> Revision:
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    _submit(revision, actor)
    return revision


def _publish(article: Article, revision: Revision, when) -> None:
    previous = article.published_revision
    _date_sections(revision, previous, when)
    revision.save(update_fields=["state", "sections"])
    article.published_revision = revision
    article.title = revision.title
    article.first_published_at = article.first_published_at or when
    article.last_published_at = when
    article.save(update_fields=["published_revision", "title", "first_published_at", "last_published_at"])
    transaction.on_commit(lambda: tasks.make_lead_renditions.enqueue(article_id=article.pk))
    signals.revision_published.send(sender=Article, article=article, revision=revision)


@transaction.atomic
def approve_revision(*, revision: Revision, editor: User, comment: str = "") -> Revision:
    """Publish a submitted revision. Nobody approves their own revision."""
    _require_editor(editor)
    article = _lock_article(revision.article_id, "published_revision")
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.author_id == editor.pk:
        raise ReviewRequired("You cannot approve your own revision: another editor has to review it.")
    if revision.state != ReviewState.SUBMITTED:
        raise InvalidTransition(f"Revision {revision.number} is {revision.get_state_display().lower()}; "
                                "only submitted revisions can be approved.")
    published = article.published_revision
    if published and revision.number < published.number:
        raise InvalidTransition(f"Revision {revision.number} is older than the published revision "
                                f"{published.number}; it can no longer be published.")
    _record(revision, ReviewState.APPROVED, editor, comment.strip())
    _publish(article, revision, timezone.now())
    signals.review_decided.send(sender=Revision, revision=revision, editor=editor, decision="approved")
    return revision


@transaction.atomic
def request_changes(*, revision: Revision, editor: User, comment: str) -> Revision:
    _require_editor(editor)
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput("Say what should change: a comment is required when requesting changes.", field="comment")
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    if revision.state != ReviewState.SUBMITTED:
        raise InvalidTransition(f"Revision {revision.number} is {revision.get_state_display().lower()}; "
                                "changes can only be requested on submitted revisions.")
    _record(revision, ReviewState.CHANGES_REQUESTED, editor, comment)
    revision.save(update_fields=["state"])
    signals.review_decided.send(sender=Revision, revision=revision, editor=editor, decision="changes_requested")
    return revision


@transaction.atomic
def rollback(*, article: Article, to_revision: Revision, editor: User, comment: str = "") -> Revision:
    """Restore an earlier revision's text as a new, published revision. History is never rewritten."""
    _require_editor(editor)
    if to_revision.article_id != article.pk:
        raise NotFound("That revision belongs to another article.")
    locked = _lock_article(article.pk, "head_revision", "published_revision")
    if locked.published_revision_id == to_revision.pk and locked.head_revision_id == to_revision.pk:
        raise InvalidInput(f"Revision {to_revision.number} is already the published text.")
    summary = f"Rollback to revision {to_revision.number}" + (f": {comment.strip()}" if comment.strip() else "")
    revision = _new_revision(article=locked, author=editor, title=to_revision.title, body=to_revision.body,
                             base=locked.head_revision, edit_summary=summary)
    _record(revision, ReviewState.APPROVED, editor, summary)
    _publish(locked, revision, timezone.now())
    return revision


@transaction.atomic
def set_summary(*, article: Article, editor: User, text: str) -> Article:
    """Replace the automatic summary with an editor's text; an empty text restores the automatic one."""
    if not editor.has_perm("articles.change_summary"):
        raise PermissionDenied("Only editors can replace an article's summary.")
    text = " ".join((text or "").split())
    if len(text) > 2000:
        raise InvalidInput("A summary is at most 2,000 characters.", field="summary")
    article.summary_override = text
    article.summary_override_by = editor if text else None
    article.save(update_fields=["summary_override", "summary_override_by"])
    return article


@transaction.atomic
def update_metadata(*, article: Article, editor: User, category: Category | None, tags: Iterable[str],
                    lead_image: UploadedFile | None = None, lead_image_caption: str | None = None,
                    lead_image_credit: str | None = None) -> Article:
    """Category, tags and lead image are editorial choices: editors change them directly."""
    _require_editor(editor)
    article.category = category
    if lead_image:
        article.lead_image, _ = images.sanitised_upload(lead_image, max_width=2400)
    if lead_image_caption is not None:
        article.lead_image_caption = lead_image_caption.strip()[:300]
    if lead_image_credit is not None:
        article.lead_image_credit = lead_image_credit.strip()[:200]
    # Only these fields: a revision published meanwhile must not be undone by a stale copy of the row.
    article.save(update_fields=["category", "lead_image", "lead_image_caption", "lead_image_credit"])
    _set_tags(article, tags)
    if lead_image:
        transaction.on_commit(lambda: tasks.make_lead_renditions.enqueue(article_id=article.pk))
    return article


def upload_body_image(*, user: User, upload: UploadedFile) -> BodyImage:
    _require_author(user)
    content, image = images.sanitised_upload(upload, max_width=2400)
    thumb_bytes, suffix = images.encode(image, max_width=settings.KURE_THUMBNAIL_WIDTH)
    from django.core.files.base import ContentFile

    record = BodyImage(width=image.width, height=image.height, uploaded_by=user,
                       original_name=(upload.name or "")[:255])
    record.image.save(content.name, content, save=False)
    record.thumbnail.save(images.generated_name(suffix), ContentFile(thumb_bytes), save=False)
    record.save()
    return record
