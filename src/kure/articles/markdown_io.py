"""Articles as a folder of Markdown files: one ``.md`` file per article, YAML front matter, then the body.

```
---
title: NATO Dışişleri Bakanları Toplantısı (2025)
slug: nato-disisleri-bakanlari-toplantisi-2025
language: tr
category: Gündem / Uluslararası İlişkiler
tags: [NATO, Diplomasi]
author: edanur
---
Body in Markdown…
```

``title`` and ``author`` (a username) are required. ``slug`` defaults to one made from the title and
``language`` to the site's default. Optional keys: ``category`` ("Parent / Child", or a list of names when a
name contains a slash), ``tags`` (a list, or a comma-separated string), ``summary`` (an editor's summary),
``lead_image`` (a file name relative to the ``.md`` file), ``lead_image_caption`` and ``lead_image_credit``.

Importing an article that exists already changes only what the file states: a key that is absent leaves that
field as it is, and an empty value (``category: ""``, ``tags: []``) clears it. A new text becomes a new
revision; category, tags, lead image and summary are editorial choices and need an editor (``editor``).

Every write goes through ``services``, so the review rules hold: nobody approves their own revision.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Protocol

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from ..accounts.models import User
from ..core import languages
from ..core.errors import InvalidInput, KureError, PermissionDenied, ReviewRequired
from ..core.text import slugify
from . import images, services
from .models import Article, ReviewState, Revision
from .selectors import published_articles

FENCE = "---"
KEYS = ("title", "slug", "language", "category", "tags", "author", "summary", "lead_image",
        "lead_image_caption", "lead_image_credit")
# The width ``services.create_article`` and ``update_metadata`` scale lead images down to; used to recognise
# a lead image the site already holds in its re-encoded form.
LEAD_IMAGE_MAX_WIDTH = 2400
# Long values (summaries, captions) stay on one line instead of being folded by the YAML emitter.
_YAML_WIDTH = 1 << 30


class DocumentError(ValueError):
    """A file that cannot be imported as it is, with a message saying why."""


class _Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


# --- the file format ---------------------------------------------------------------------------------------

def parse_document(text: str) -> tuple[dict[str, Any], str]:
    """Split a document into its front matter (a mapping) and its Markdown body. Checks syntax only."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].rstrip() != FENCE:
        raise DocumentError(f"The file must start with front matter: a line “{FENCE}”, then “key: value” "
                            f"lines, then another “{FENCE}”.")
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.rstrip() in {FENCE, "..."}), None)
    if end is None:
        raise DocumentError(f"The front matter is not closed: add a line “{FENCE}” after it.")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""  # +2: the opening fence, and 1-based
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DocumentError(f"The front matter is not valid YAML{where}: {problem}.") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError("The front matter must be a list of “key: value” lines.")
    return {str(key): value for key, value in meta.items()}, "\n".join(lines[end + 1:])


def render_document(meta: dict[str, Any], body: str) -> str:
    """The inverse of ``parse_document``: keys in the given order, non-ASCII letters kept as they are."""
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None,
                            width=_YAML_WIDTH)
    body = body if body.endswith("\n") else body + "\n"
    return f"{FENCE}\n{header}{FENCE}\n{body}"


# --- normalisation: what the services store, so an unchanged file is recognised as unchanged ---------------

def _normal_title(title: str) -> str:
    return " ".join(title.split())


def _normal_body(body: str) -> str:
    return body.replace("\r\n", "\n").strip() + "\n"


def _normal_summary(text: str) -> str:
    return " ".join(text.split())


def _category_path(names: list[str]) -> str:
    return "/".join(slugify(" ".join(name.split())) for name in names)


# --- reading one file --------------------------------------------------------------------------------------

@dataclass
class _Document:
    """A validated file. ``None`` means the key was absent: leave that field of an existing article alone."""

    name: str
    title: str
    body: str
    slug: str
    author: User
    language: str | None
    category: list[str] | None
    tags: list[str] | None
    summary: str | None
    caption: str | None
    credit: str | None
    lead_image: Path | None


def _scalar(meta: dict[str, Any], key: str) -> str | None:
    if key not in meta:
        return None
    value = meta[key]
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float | datetime.date):
        raise DocumentError(f"“{key}” must be a single text value.")
    return str(value).strip()


def _names(meta: dict[str, Any], key: str, separator: str) -> list[str] | None:
    if key not in meta:
        return None
    value = meta[key]
    if value is None:
        return []
    if isinstance(value, list):
        if any(isinstance(item, list | dict) or item is None for item in value):
            raise DocumentError(f"“{key}” must be a list of names.")
        parts = [str(item) for item in value]
    elif isinstance(value, str):
        parts = value.split(separator)
    else:
        raise DocumentError(f"“{key}” must be a list of names or a text.")
    return [part.strip() for part in parts if part.strip()]


def _read_document(path: Path) -> _Document:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError("The file is not UTF-8 text.") from exc
    except OSError as exc:
        raise DocumentError(f"The file cannot be read: {exc.strerror or exc}.") from exc
    meta, body = parse_document(text)
    unknown = [key for key in meta if key not in KEYS]
    if unknown:
        raise DocumentError(f"Unknown key(s) in the front matter: {', '.join(unknown)}. "
                            f"Known keys: {', '.join(KEYS)}.")

    title = _scalar(meta, "title")
    if not title:
        raise DocumentError("The front matter has no “title”.")
    username = _scalar(meta, "author")
    if not username:
        raise DocumentError("The front matter has no “author” (the username of the person who wrote it).")
    author = User.objects.filter(username=username, is_active=True).first()
    if author is None:
        raise DocumentError(f"There is no active person with the username “{username}”: create them first.")
    language = _scalar(meta, "language") or None
    if language is not None and not languages.is_valid(language):
        raise DocumentError(f"Unknown language “{language}”. Use one of: {', '.join(languages.codes())}.")
    # The same slug ``create_article`` would make, so the file finds its article again on the next import.
    slug = slugify(_scalar(meta, "slug") or title)
    if not slug:
        raise DocumentError("The slug (the article's address) needs at least one letter or digit.")

    lead_image = None
    if image_name := _scalar(meta, "lead_image"):
        lead_image = path.parent / image_name
        if not lead_image.is_file():
            raise DocumentError(f"The lead image “{image_name}” is not next to the file.")

    return _Document(
        name=path.name, title=title, body=body, slug=slug, author=author, language=language,
        category=_names(meta, "category", "/"), tags=_names(meta, "tags", ","),
        summary=_scalar(meta, "summary"), caption=_scalar(meta, "lead_image_caption"),
        credit=_scalar(meta, "lead_image_credit"), lead_image=lead_image,
    )


# --- importing ---------------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)

    def summary(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.failed)} failed")


def _resolve_editor(username: str) -> User:
    editor = User.objects.filter(username=username, is_active=True).first()
    if editor is None:
        raise InvalidInput(f"There is no active person with the username “{username}”.", field="editor")
    if not editor.has_perm("articles.review_revision"):
        raise InvalidInput(f"“{username}” is not an editor, so cannot approve revisions.", field="editor")
    return editor


def _approver(revision_author: User, editor: User | None) -> User:
    """Who approves a revision: the named editor, or else a superuser, never the revision's own author."""
    if editor is not None:
        if editor.pk == revision_author.pk:
            raise ReviewRequired(f"“{editor.username}” wrote this revision and cannot also approve it: "
                                 "name another editor with --editor.")
        return editor
    superuser = (User.objects.filter(is_superuser=True, is_active=True).exclude(pk=revision_author.pk)
                 .order_by("pk").first())
    if superuser is None:
        raise ReviewRequired(f"Publishing needs an editor other than the author “{revision_author.username}” "
                             "to approve it: name one with --editor USERNAME.")
    return superuser


def _require_writer(person: User) -> None:
    # Checked before any write so the message names the person; the services would refuse anyway.
    if not person.has_perm("articles.add_revision"):
        raise PermissionDenied(f"“{person.username}” is not an author here: give them the author role first.")


def _upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def _same_lead_image(article: Article, path: Path) -> bool:
    if not article.lead_image:
        return False
    try:
        with article.lead_image.open("rb") as handle:
            stored = handle.read()
    except OSError:
        return False  # the site's copy is missing: load the file again
    data = path.read_bytes()
    if data == stored:  # a folder exported from this site
        return True
    # The site keeps a re-encoded copy, so a file imported before matches only after the same re-encoding.
    try:
        encoded, _ = images.sanitised_upload(SimpleUploadedFile(path.name, data),
                                             max_width=LEAD_IMAGE_MAX_WIDTH)
    except InvalidInput:
        return False  # not a usable image: the upload will say why
    return encoded.read() == stored


def _metadata_changes(doc: _Document, article: Article) -> list[str]:
    changes = []
    if doc.category is not None and _category_path(doc.category) != (article.category.path if article.category
                                                                       else ""):
        changes.append("category")
    if doc.tags is not None and {slugify(" ".join(t.split())) for t in doc.tags} != {
            t.slug for t in article.tags.all()}:
        changes.append("tags")
    if doc.lead_image is not None and not _same_lead_image(article, doc.lead_image):
        changes.append("lead image")
    if doc.caption is not None and doc.caption[:300] != article.lead_image_caption:
        changes.append("lead image caption")
    if doc.credit is not None and doc.credit[:200] != article.lead_image_credit:
        changes.append("lead image credit")
    return changes


def _create(doc: _Document, *, publish: bool, submit: bool, editor: User | None) -> None:
    _require_writer(doc.author)
    approver = _approver(doc.author, editor) if publish else None
    editorial = editor or approver or doc.author
    if doc.summary and not editorial.has_perm("articles.change_summary"):
        raise PermissionDenied("The file sets a summary, which only an editor can do: "
                               "name one with --editor.")
    note = f"Imported from {doc.name}"
    revision = services.create_article(
        author=doc.author, title=doc.title, body=doc.body, language=doc.language, slug=doc.slug,
        category=services.ensure_category(path_names=doc.category) if doc.category else None,
        tags=doc.tags or (), lead_image=_upload(doc.lead_image) if doc.lead_image else None,
        lead_image_caption=doc.caption or "", lead_image_credit=doc.credit or "", edit_summary=note,
        submit=publish or submit,
    )
    if doc.summary:
        services.set_summary(article=revision.article, editor=editorial, text=doc.summary)
    if approver is not None:
        services.approve_revision(revision=revision, editor=approver, comment=note)


def _update(doc: _Document, article: Article, *, publish: bool, submit: bool, editor: User | None) -> bool:
    """Bring an existing article in line with the file; ``False`` when there was nothing to change."""
    if doc.language is not None and doc.language != article.original_language:
        raise DocumentError(f"The article “{article.slug}” exists in language “{article.original_language}”, "
                            f"not “{doc.language}”; an article's language cannot change.")
    head = article.head_revision
    text_changed = (head is None or head.title != _normal_title(doc.title)
                    or head.body != _normal_body(doc.body))
    metadata = _metadata_changes(doc, article)
    summary_changed = doc.summary is not None and _normal_summary(doc.summary) != article.summary_override
    # The text is unchanged but its revision is not yet where the options ask: a draft imported earlier,
    # now imported again with --publish.
    to_submit = (publish or submit) and not text_changed and head.state in {ReviewState.DRAFT,
                                                                             ReviewState.CHANGES_REQUESTED}
    to_publish = publish and (text_changed or article.published_revision_id != head.pk)
    if not (text_changed or metadata or summary_changed or to_submit or to_publish):
        return False

    if text_changed:
        _require_writer(doc.author)
    approver = _approver(doc.author if text_changed else head.author, editor) if to_publish else None
    editorial = editor or approver or doc.author
    if metadata and not editorial.has_perm("articles.review_revision"):
        raise PermissionDenied(f"The file changes the article's {', '.join(metadata)}, which only an editor "
                               "can do: name one with --editor.")
    if summary_changed and not editorial.has_perm("articles.change_summary"):
        raise PermissionDenied("The file changes the summary, which only an editor can do: "
                               "name one with --editor.")

    note = f"Imported from {doc.name}"
    # Metadata first, while ``article`` is fresh: ``update_metadata`` saves every field of the instance it is
    # given, so calling it after a new revision would put the old head revision back.
    if metadata:
        if doc.category is None:
            category = article.category
        else:
            category = services.ensure_category(path_names=doc.category) if doc.category else None
        services.update_metadata(
            article=article, editor=editorial, category=category,
            tags=doc.tags if doc.tags is not None else [tag.name for tag in article.tags.all()],
            lead_image=_upload(doc.lead_image) if "lead image" in metadata and doc.lead_image else None,
            lead_image_caption=doc.caption, lead_image_credit=doc.credit,
        )
    if summary_changed:
        services.set_summary(article=article, editor=editorial, text=doc.summary or "")

    revision: Revision = head
    if text_changed:
        revision = services.save_revision(article=article, author=doc.author, title=doc.title, body=doc.body,
                                          base_revision=head, edit_summary=note, submit=publish or submit)
    elif to_submit:
        revision = services.submit_revision(revision=head, actor=approver or editor or doc.author)
    if to_publish:
        services.approve_revision(revision=revision, editor=approver, comment=note)
    return True


def _import_file(path: Path, *, publish: bool, submit: bool, editor: User | None,
                 seen: dict[str, str]) -> tuple[str, str]:
    doc = _read_document(path)
    # Two files for one article would overwrite each other on every sync; refuse the second.
    if (first := seen.setdefault(doc.slug, doc.name)) != doc.name:
        raise DocumentError(f"{first} already has the slug “{doc.slug}”; give this article another slug.")
    article = (Article.objects.select_related("category", "head_revision__author")
               .filter(slug=doc.slug).first())
    if article is None:
        _create(doc, publish=publish, submit=submit, editor=editor)
        return "created", doc.slug
    changed = _update(doc, article, publish=publish, submit=submit, editor=editor)
    return ("updated" if changed else "unchanged"), doc.slug


def import_directory(*, directory: str | Path, publish: bool = False, submit: bool = False,
                     editor: str | None = None, stdout: _Writer | None = None) -> ImportReport:
    """Import every ``*.md`` file directly in ``directory`` (not its subfolders), in name order.

    Each file is imported whole or not at all; a file that fails is reported and the rest go on.
    ``publish`` submits and approves each new revision, ``submit`` only submits it; otherwise it stays a
    draft. ``editor`` is the username of the editor who approves and makes editorial changes; when publishing
    without one, a superuser other than the revision's author approves.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise InvalidInput(f"“{folder}” is not a directory.")
    reviewer = _resolve_editor(editor) if editor else None

    def say(line: str) -> None:
        if stdout is not None:
            stdout.write(line + "\n")

    report = ImportReport()
    outcomes = {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
    seen: dict[str, str] = {}  # slug → the file that imported it
    # Hidden files are editors' backups and lock files, not articles.
    for path in sorted(p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith(".")):
        try:
            with transaction.atomic():
                outcome, slug = _import_file(path, publish=publish, submit=submit, editor=reviewer, seen=seen)
        except (DocumentError, KureError, OSError) as exc:
            report.failed.append((path.name, str(exc)))
            say(f"failed     {path.name}: {exc}")
            continue
        outcomes[outcome].append(slug)
        say(f"{outcome:<10} {path.name} → {slug}")
    return report


# --- exporting ---------------------------------------------------------------------------------------------

def _export_meta(article: Article) -> dict[str, Any]:
    revision = article.published_revision
    meta: dict[str, Any] = {"title": revision.title, "slug": article.slug,
                            "language": article.original_language}
    if article.category:
        names = [node.name for node in article.category.ancestors()]
        # A name with a slash in it cannot go in "Parent / Child"; a list keeps it whole.
        meta["category"] = names if any("/" in name for name in names) else " / ".join(names)
    tags = [tag.name for tag in article.tags.all()]
    if tags:
        meta["tags"] = tags
    meta["author"] = article.created_by.username
    if article.summary_override:
        meta["summary"] = article.summary_override
    return meta


def export_directory(*, directory: str | Path) -> int:
    """Write every published article (its published text) to ``directory`` as ``<slug>.md``; return how many.

    The lead image is copied next to it as ``<slug>.<ext>``. Existing files of the same names are replaced;
    other files are left alone.
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    articles = (published_articles().select_related("category", "created_by", "published_revision")
                .prefetch_related("tags").order_by("slug"))
    count = 0
    for article in articles:
        meta = _export_meta(article)
        if article.lead_image:
            suffix = PurePath(article.lead_image.name).suffix.lower() or ".jpg"
            image_name = f"{article.slug}{suffix}"
            try:
                with article.lead_image.open("rb") as handle:
                    (folder / image_name).write_bytes(handle.read())
            except FileNotFoundError as exc:
                raise InvalidInput(f"The lead image of “{article.slug}” ({article.lead_image.name}) is "
                                   "missing from the media folder.") from exc
            meta["lead_image"] = image_name
        if article.lead_image_caption:
            meta["lead_image_caption"] = article.lead_image_caption
        if article.lead_image_credit:
            meta["lead_image_credit"] = article.lead_image_credit
        document = render_document(meta, article.published_revision.body)
        (folder / f"{article.slug}.md").write_text(document, encoding="utf-8", newline="\n")
        count += 1
    return count
