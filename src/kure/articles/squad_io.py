"""Reading question-answering sets in SQuAD v1.1 format, and importing their paragraphs as articles.

``kure import squad FILE`` makes one article per ``title`` (the title kept as written) with one section per
paragraph, headed "Paragraf N" (anchor ``paragraf-N``, N from 1 in file order). The paragraph text is escaped
so that Markdown does not reinterpret it: what readers see, and what Ask quotes, is the text as it was in the
file. ``kure eval ask`` reads the questions of the same file (see ``kure.ask.evaluation``).
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from ..accounts.models import User
from ..core.errors import InvalidInput, KureError
from ..core.text import slugify
from . import services
from .markdown_io import _approver, _require_writer
from .models import Article

HEADING = "Paragraf"


@dataclass
class Question:
    id: str
    text: str
    answers: list[str]


@dataclass
class Paragraph:
    number: int  # from 1, in file order within its title
    text: str
    questions: list[Question] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{slugify(HEADING)}-{self.number}"


@dataclass
class Title:
    title: str
    paragraphs: list[Paragraph] = field(default_factory=list)


def read(path: str | Path) -> list[Title]:
    """The titles, paragraphs and questions of a SQuAD v1.1 file; ``InvalidInput`` saying what is wrong."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput(f"There is no file “{path}”.") from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"“{path.name}” is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"“{path.name}” is not JSON: {exc.msg} at line {exc.lineno}.") from exc
    except OSError as exc:
        raise InvalidInput(f"“{path}” cannot be read: {exc.strerror or exc}.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise InvalidInput(f"“{path.name}” is not in SQuAD format: expected {{\"data\": [...]}} at the top.")
    titles: dict[str, Title] = {}
    for i, entry in enumerate(data["data"], 1):
        where = f"entry {i} of “data”"
        if not isinstance(entry, dict) or not isinstance(entry.get("title"), str) or not entry["title"].strip():
            raise InvalidInput(f"{where} has no “title”.")
        if not isinstance(entry.get("paragraphs"), list):
            raise InvalidInput(f"{where} (“{entry['title']}”) has no “paragraphs” list.")
        name = " ".join(entry["title"].split())  # as the site stores titles: whitespace runs made one space
        title = titles.setdefault(name, Title(title=name))
        for j, paragraph in enumerate(entry["paragraphs"], 1):
            if not isinstance(paragraph, dict) or not isinstance(paragraph.get("context"), str):
                raise InvalidInput(f"Paragraph {j} of “{title.title}” has no “context” text.")
            if not paragraph["context"].strip():
                continue
            item = Paragraph(number=len(title.paragraphs) + 1, text=paragraph["context"])
            for qa in paragraph.get("qas") or []:
                if not isinstance(qa, dict) or not isinstance(qa.get("question"), str):
                    raise InvalidInput(f"A question of paragraph {j} of “{title.title}” has no “question” text.")
                answers = [a.get("text", "") for a in qa.get("answers") or [] if isinstance(a, dict)]
                item.questions.append(Question(id=str(qa.get("id", "")), text=qa["question"],
                                               answers=[a for a in answers if a.strip()]))
            title.paragraphs.append(item)
    return [title for title in titles.values() if title.paragraphs]


# Characters Markdown could read as markup anywhere in a line, and at its start.
_INLINE = re.compile(r"([\\`*_\[\]<>&|~^!])")
_LINE_START = re.compile(r"^(#|>|-|\+|=|\d+[.)]|```)")


def escape(text: str) -> str:
    """``text`` as Markdown that renders to exactly that text (paragraph breaks kept)."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = _INLINE.sub(r"\\\1", line.strip())
        lines.append(_LINE_START.sub(lambda m: "\\" + m.group(0) if not m.group(0)[0].isdigit()
                                     else m.group(0)[:-1] + "\\" + m.group(0)[-1], line))
    return "\n".join(lines)


def body(title: Title) -> str:
    return "\n\n".join(f"## {HEADING} {p.number}\n\n{escape(p.text)}" for p in title.paragraphs) + "\n"


def importer_account() -> User:
    """The account imported question sets are written under when no author is named: it cannot sign in."""
    from ..accounts.models import Role
    from ..accounts.services import create_person

    user = User.objects.filter(username="importer").first()
    if user is None:
        user = create_person(username="importer", full_name="Küre Importer", email="", password=None,
                             roles=(Role.AUTHOR,), bio="Articles imported from data files.")
    return user


@dataclass
class SquadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    paragraphs: int = 0
    questions: int = 0

    def summary(self) -> str:
        return (f"{self.created} articles created, {self.updated} updated, {self.unchanged} unchanged; "
                f"{self.paragraphs} paragraphs, {self.questions} questions")


def import_file(path: str | Path, *, language: str, publish: bool, author: str = "", editor: str = "",
                progress=None) -> SquadReport:
    from .markdown_io import _resolve_editor

    titles = read(path)
    writer = User.objects.filter(username=author, is_active=True).first() if author else importer_account()
    if writer is None:
        raise InvalidInput(f"There is no active person with the username “{author}”.", field="author")
    _require_writer(writer)
    approver = _approver(writer, _resolve_editor(editor) if editor else None) if publish else None
    report = SquadReport()
    for done, title in enumerate(titles, 1):
        report.paragraphs += len(title.paragraphs)
        report.questions += sum(len(p.questions) for p in title.paragraphs)
        with transaction.atomic():
            _import_title(title, language=language, writer=writer, approver=approver, report=report)
        if progress:
            progress(done, len(titles))
    return report


def _address(title: str) -> tuple[str, Article | None]:
    """The slug of the article holding ``title``: its own, or the first free one ("-2", "-3", …) when two
    titles make the same slug ("Ebu'l Vefa" and "Ebu'l-Vefâ")."""
    base = slugify(title) or "madde"
    for n in range(1, 1000):
        slug = base if n == 1 else f"{base[:110]}-{n}"
        article = Article.objects.filter(slug=slug).select_related("head_revision").first()
        if article is None or title in {article.title, article.head_revision.title if article.head_revision
                                        else ""}:
            return slug, article
    raise KureError(f"No free address for “{title}”.")


def _import_title(title: Title, *, language: str, writer: User, approver: User | None,
                  report: SquadReport) -> None:
    text = body(title)
    slug, article = _address(title.title)
    note = "Imported from a SQuAD file"
    if article is None:
        revision = services.create_article(author=writer, title=title.title, body=text, language=language,
                                           slug=slug, edit_summary=note, submit=approver is not None)
        report.created += 1
    elif article.head_revision and article.head_revision.body.strip() == text.strip() \
            and (approver is None or article.published_revision_id == article.head_revision_id):
        report.unchanged += 1
        return
    else:
        revision = services.save_revision(article=article, author=writer, title=title.title, body=text,
                                          base_revision=article.head_revision, edit_summary=note,
                                          submit=approver is not None)
        report.updated += 1
    if approver is not None:
        services.approve_revision(revision=revision, editor=approver, comment=note)
