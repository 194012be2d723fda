"""``kure load_demo``: the demo people, glossary, articles and translations, made through the site's services.

Running it again creates nothing twice: people, glossary terms and articles that exist are skipped, translation
jobs that are done are not run again, and a reviewed translation is left alone. Every run ends by printing the
demo accounts with their passwords, which live in ``<DATA_DIR>/demo-accounts.txt`` (mode 0600) so that
``make run`` can show them each time.

Translations: publishing queues a job per language, and ``make run``'s worker would run them, but the demo must
not depend on it, so the jobs of every published article are run here, in this process. With no engine
configured they honestly come out "unavailable" (or partial, from the memory). Then each
``demo/translations/<slug>.<language>.yaml`` — a person's translation of that article, segment by segment — is
post-edited in by the demo translator, submitted, and approved by the demo editor.
"""

import csv
import io
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kure.accounts import services as accounts
from kure.accounts.models import Role, User
from kure.articles import services
from kure.articles.demo import images
from kure.articles.models import Article, ReviewState, Revision
from kure.core.errors import KureError
from kure.core.text import lower
from kure.translation import glossary
from kure.translation import services as translation
from kure.translation.engines.base import EngineError, engine_config
from kure.translation.models import (
    GlossaryTerm,
    JobState,
    Origin,
    SegmentState,
    Translation,
    TranslationJob,
)
from kure.translation.segments import check_placeholders, normalise

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
ARTICLES_DIR = DEMO_DIR / "articles"
TRANSLATIONS_DIR = DEMO_DIR / "translations"
GLOSSARY_FILE = DEMO_DIR / "glossary-tr-en.csv"
GLOSSARY_PAIR = ("tr", "en")
PASSWORDS_FILE = "demo-accounts.txt"
APPROVAL_COMMENT = "Demo içeriği: dil ve kaynaklar denetlendi."
TRANSLATION_REVIEW_COMMENT = "Demo content: the translation was checked against the original."


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    roles: tuple[Role, ...]
    affiliation: str = ""
    bio: str = ""


# The role accounts first (they are what people log in with), then the authors the articles name.
PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("yazar", "Deniz Yazıcı", (Role.AUTHOR,), "Küre gönüllü yazarı",
               "Gezi ve mutfak kültürü üzerine yazıyor; Küre'nin ilk yazarlarından."),
    DemoPerson("editor", "Selin Aydemir", (Role.AUTHOR, Role.EDITOR), "Küre yayın kurulu",
               "Maddeleri dil, kaynak ve tarafsızlık açısından denetleyen editör."),
    DemoPerson("admin", "Kerem Yücel", (Role.AUTHOR, Role.EDITOR, Role.ADMIN), "Küre site yönetimi",
               "Sitenin teknik işleyişinden ve hesaplardan sorumlu yönetici."),
    DemoPerson("cevirmen", "Leyla Sarıgül", (Role.TRANSLATOR,), "Türkçe–İngilizce çevirmen",
               "Küre maddelerini İngilizceye çeviriyor, makine çevirilerinin son okumasını yapıyor; uluslararası "
               "ilişkiler ve güvenlik metinlerinde deneyimli."),
    DemoPerson("edanur", "Edanur Karakoç", (Role.AUTHOR,), "Uluslararası ilişkiler araştırmacısı",
               "NATO, Avrupa güvenliği ve diplomasi tarihi üzerine çalışıyor."),
    DemoPerson("onur", "Onur Tekinalp", (Role.AUTHOR,), "Tarihçi, bilim tarihi ve arkeoloji",
               "Anadolu arkeolojisi, Osmanlı haritacılığı ve Türkiye'de bilim tarihi üzerine yazıyor."),
    DemoPerson("melis", "Melis Karaduman", (Role.AUTHOR,), "Coğrafyacı ve bilim yazarı",
               "Kentler, göller ve su yolları üzerine yazıyor; fiziki coğrafya eğitimi aldı."),
)
EDITOR = "editor"
TRANSLATOR = "cevirmen"


@dataclass(frozen=True)
class LaterRevision:
    """An edit by another author on top of a demo article: text replacements, each found exactly once."""

    author: str
    summary: str
    replace: tuple[tuple[str, str], ...]
    approve: bool


# Kept here rather than in the articles' front matter, so the .md files stay plain import documents
# (``kure import`` rejects keys it does not know). They give the history page, the diff and the review
# queue something to show: one approved correction, and one newer revision still awaiting review.
LATER_REVISIONS: dict[str, tuple[LaterRevision, ...]] = {
    "nato-disisleri-bakanlari-toplantisi-2025": (
        LaterRevision(
            author="yazar",
            summary="Rubio'nun ilk NATO bakanlar toplantısı olduğu eklendi, bir ifade düzeltildi",
            replace=(
                ("Ev sahibi ülke Belçika'yı ise Dışişleri Bakanı Maxime Prévot temsil etti.",
                 "Ev sahibi ülke Belçika'yı ise Dışişleri Bakanı Maxime Prévot temsil etti. Toplantı, Ocak "
                 "2025'te göreve başlayan Marco Rubio'nun ABD Dışişleri Bakanı sıfatıyla katıldığı ilk NATO "
                 "bakanlar toplantısı oldu."),
                ("bu desteğin daha düzenli bir çerçeveye oturtulmasıydı",
                 "bu desteğin daha düzenli ve kurumsal bir çerçeveye oturtulmasıydı"),
            ),
            approve=True,
        ),
    ),
    "gobeklitepe": (
        LaterRevision(
            author="melis",
            summary="Taş Tepeler projesine ilişkin bilgi eklendi",
            replace=(
                ("2019 yılı Türkiye'de \"Göbeklitepe Yılı\" ilan edildi.",
                 "2019 yılı Türkiye'de \"Göbeklitepe Yılı\" ilan edildi. 2021'de başlatılan Taş Tepeler "
                 "projesi kapsamında ise Karahantepe başta olmak üzere bölgedeki benzer yaştaki pek çok "
                 "yerleşimde eş zamanlı kazılar sürdürülmektedir."),
            ),
            approve=False,
        ),
    ),
}

_FRONT_MATTER = re.compile(r"\A---\n(?P<meta>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)


@dataclass
class DemoArticle:
    path: Path
    title: str
    slug: str
    language: str
    category: list[str]
    tags: list[str]
    author: str
    body: str
    lead_image_caption: str = ""
    lead_image_credit: str = ""


def parse_article(path: Path) -> DemoArticle:
    """Split a demo file into its YAML front matter and Markdown body."""
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        raise CommandError(f"{path.name}: no front matter (a '---' block) at the top.")
    meta = yaml.safe_load(match["meta"]) or {}
    missing = {"title", "slug", "category", "author"} - meta.keys()
    if missing:
        raise CommandError(f"{path.name}: front matter lacks {', '.join(sorted(missing))}.")
    return DemoArticle(
        path=path, title=meta["title"], slug=meta["slug"], language=meta.get("language", "tr"),
        category=[part.strip() for part in meta["category"].split("/")], tags=list(meta.get("tags") or []),
        author=meta["author"], body=match["body"], lead_image_caption=meta.get("lead_image_caption", ""),
        lead_image_credit=meta.get("lead_image_credit", ""),
    )


def demo_articles() -> list[DemoArticle]:
    return [parse_article(path) for path in sorted(ARTICLES_DIR.glob("*.md"))]


def passwords_path() -> Path:
    return Path(settings.DATA_DIR) / PASSWORDS_FILE


def read_passwords() -> dict[str, str]:
    try:
        text = passwords_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    pairs = (line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {parts[0]: parts[1] for parts in pairs if len(parts) >= 2}


def write_passwords(passwords: dict[str, str]) -> None:
    """Rewrite the file whole, created 0600 from the start so the passwords are never world-readable."""
    path = passwords_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# Küre demo accounts: username password. Made by `kure load_demo`; for local demos only."]
    lines += [f"{username} {password}" for username, password in passwords.items()]
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # O_CREAT's mode does not apply to a leftover file
        handle.write("\n".join(lines) + "\n")
    os.replace(temporary, path)


def _apply(body: str, replacements: tuple[tuple[str, str], ...], where: str) -> str:
    for old, new in replacements:
        if body.count(old) != 1:
            raise CommandError(f"{where}: the text to replace must occur exactly once: {old[:60]!r}")
        body = body.replace(old, new)
    return body


class Command(BaseCommand):
    help = "Load the demo people and articles (idempotent) and print the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--print-only", action="store_true",
                            help="only print the demo accounts and their passwords; change nothing")

    def handle(self, *args: Any, print_only: bool = False, **options: Any) -> None:
        if not print_only:
            try:
                people = self._load_people()
                self._load_glossary()
                self._load_articles(people)
                self._run_translation_jobs()
                self._load_translations(people)
                self._load_discussions(people)
            except KureError as exc:
                raise CommandError(exc.message) from exc
        self._print_accounts()

    # --- people ------------------------------------------------------------------------------------------

    def _load_people(self) -> dict[str, User]:
        passwords = read_passwords()
        people: dict[str, User] = {}
        for spec in PEOPLE:
            existing = User.objects.filter(username=spec.username).first()
            if existing:
                people[spec.username] = existing
                self.stdout.write(f"  = person {spec.username} exists")
                continue
            # A password kept from an earlier database is reused, so a reset database keeps the printed ones.
            password = passwords.get(spec.username) or secrets.token_urlsafe(9)
            with transaction.atomic():
                person = accounts.create_person(
                    username=spec.username, full_name=spec.full_name, email=f"{spec.username}@example.org",
                    password=password, roles=spec.roles, affiliation=spec.affiliation, bio=spec.bio,
                )
                accounts.update_profile(
                    person=person, full_name=spec.full_name, affiliation=spec.affiliation, bio=spec.bio,
                    avatar=images.avatar_upload(username=spec.username, full_name=spec.full_name),
                )
            passwords[spec.username] = password
            write_passwords(passwords)
            people[spec.username] = person
            self.stdout.write(self.style.SUCCESS(f"  + person {spec.username} ({spec.full_name})"))
        return people

    # --- articles ----------------------------------------------------------------------------------------

    def _load_articles(self, people: dict[str, User]) -> None:
        editor = people[EDITOR]
        for demo in demo_articles():
            if Article.objects.filter(slug=demo.slug).exists():
                self.stdout.write(f"  = article {demo.slug} exists")
                continue
            author = people.get(demo.author)
            if author is None:
                raise CommandError(f"{demo.path.name}: unknown demo author “{demo.author}”.")
            # One transaction per article, so an interrupted run never leaves one half made: the next run
            # either skips it whole or makes it whole.
            with transaction.atomic():
                revision = services.create_article(
                    author=author, title=demo.title, body=demo.body, language=demo.language, slug=demo.slug,
                    category=services.ensure_category(path_names=demo.category), tags=demo.tags,
                    lead_image=images.lead_upload(slug=demo.slug, title=demo.title),
                    lead_image_caption=demo.lead_image_caption, lead_image_credit=demo.lead_image_credit,
                    edit_summary="İlk sürüm", submit=True,
                )
                services.approve_revision(revision=revision, editor=editor, comment=APPROVAL_COMMENT)
                notes = self._later_revisions(demo, revision, people, editor)
            self.stdout.write(self.style.SUCCESS(f"  + article {demo.slug} ({demo.title}){notes}"))

    def _later_revisions(self, demo: DemoArticle, first: Revision, people: dict[str, User],
                         editor: User) -> str:
        """Make the article's ``LATER_REVISIONS``: approved, or left in the review queue."""
        notes, body, base = [], demo.body, first
        for spec in LATER_REVISIONS.get(demo.slug, ()):
            author = people.get(spec.author)
            if author is None:
                raise CommandError(f"{demo.path.name}: unknown revision author “{spec.author}”.")
            body = _apply(body, spec.replace, demo.path.name)
            base = services.save_revision(
                article=first.article, author=author, title=demo.title, body=body, base_revision=base,
                edit_summary=spec.summary, submit=True,
            )
            if spec.approve:
                services.approve_revision(revision=base, editor=editor, comment=APPROVAL_COMMENT)
                notes.append(f"r{base.number} approved")
            else:
                notes.append(f"r{base.number} awaiting review")
        return f"; {', '.join(notes)}" if notes else ""

    # --- glossary ----------------------------------------------------------------------------------------

    def _load_glossary(self) -> None:
        """Import the terms of ``glossary-tr-en.csv`` that the glossary lacks; terms that exist are kept as they are.

        Loaded before the articles, so that an engine translating them is given the terms.
        """
        source, target = GLOSSARY_PAIR
        text = GLOSSARY_FILE.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text))
        known = set(GlossaryTerm.objects.filter(source_language=source, target_language=target)
                    .values_list("source_key", flat=True))
        missing = [row for row in reader if lower(" ".join(row["source_term"].split()), source) not in known]
        if not missing:
            self.stdout.write(f"  = glossary {source}→{target} has the demo terms")
            return
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        writer.writerows(missing)
        counts = glossary.import_csv(out.getvalue(), source_language=source, target_language=target)
        self.stdout.write(self.style.SUCCESS(
            f"  + glossary {source}→{target}: {counts['created']} terms from {GLOSSARY_FILE.name}"))

    # --- translations ------------------------------------------------------------------------------------

    def _run_translation_jobs(self) -> None:
        """Run, here and now, the translation jobs of every published article that are not done.

        Publishing queued them; a job for the published revision is made here if there is none (an article
        published before translation existed). Older jobs run first and finish at once as superseded. A job the
        worker also finds later is done by then, and the worker leaves it.
        """
        for article in Article.objects.filter(published_revision__isnull=False).order_by("pk"):
            jobs = TranslationJob.objects.filter(article=article)
            have = set(jobs.filter(source_revision=article.published_revision_id).values_list("language", flat=True))
            for language in translation.target_languages(article):
                if language not in have:
                    TranslationJob.objects.create(article=article, language=language,
                                                  source_revision=article.published_revision)
            waiting = jobs.filter(state__in=[JobState.QUEUED, JobState.RUNNING, JobState.RETRYING]).order_by("pk")
            for job_id in list(waiting.values_list("pk", flat=True)):
                try:
                    job = translation.run_job(job_id=job_id)
                except EngineError as exc:
                    self.stderr.write(f"  ! translation of {article.slug}: the engine failed ({exc}); the worker "
                                      "retries it")
                    continue
                if job.source_revision_id != article.published_revision_id:
                    continue  # superseded: nothing to say
                made = Translation.objects.filter(article=article, language=job.language).first()
                status = made.get_status_display().lower() if made else "not made"
                self.stdout.write(self.style.SUCCESS(
                    f"  + translation {article.slug} → {job.language}: {status}, {job.segments_done}/"
                    f"{job.segments_total} segments"
                    + ("" if engine_config(article.original_language, job.language) else
                       " (no engine configured: from the translation memory only)")))

    def _load_translations(self, people: dict[str, User]) -> None:
        for path in sorted(TRANSLATIONS_DIR.glob("*.yaml")):
            slug, _, language = path.name.removesuffix(".yaml").rpartition(".")
            with transaction.atomic():
                self._load_translation(path, slug, language, people[TRANSLATOR], people[EDITOR])

    def _load_translation(self, path: Path, slug: str, language: str, translator: User, editor: User) -> None:
        """Post-edit a person's translation into the article's translation, submit it and have it approved.

        A segment the file has no entry for (the article changed since) is named and left untranslated; segments
        a person has already checked are not overwritten; a reviewed translation is left alone.
        """
        where = f"translation {slug} → {language}"
        article = Article.objects.filter(slug=slug, published_revision__isnull=False).first()
        made = Translation.objects.filter(article=article, language=language).first() if article else None
        if made is None or made.source_revision_id != article.published_revision_id:
            self.stderr.write(f"  ! {where}: no translation of the published revision to post-edit; {path.name} "
                              "skipped")
            return
        if made.review_state == ReviewState.APPROVED:
            self.stdout.write(f"  = {where} reviewed")
            return
        targets = self._read_translation_file(path, where)
        segments = list(made.segments.order_by("index"))
        checked = {SegmentState.POST_EDITED, SegmentState.REVIEWED}
        edits: dict[int, str] = {}
        for segment in segments:
            target = targets.get(normalise(segment.source_text))
            if target is None:
                if not segment.target_text:
                    self.stderr.write(f"  ! {where}: segment {segment.index} is not in {path.name}, left "
                                      f"untranslated: {segment.source_text[:80]!r}")
                continue
            by_person = segment.state in checked or (
                segment.state == SegmentState.MEMORY and segment.memory_origin in {Origin.POST_EDITED,
                                                                                   Origin.REVIEWED})
            if target != segment.target_text and not by_person:
                edits[segment.index] = target
        present = {normalise(s.source_text) for s in segments}
        for source in targets.keys() - present:
            self.stderr.write(f"  ! {where}: {path.name} has a segment the article no longer has, not used: "
                              f"{source[:80]!r}")
        if edits:
            made = translation.post_edit(translation=made, editor=translator, edits=edits)
        made.refresh_from_db()
        notes = [f"{len(edits)} segments post-edited by {translator.username}"] if edits else []
        others = set(made.post_editors.values_list("pk", flat=True)) - {translator.pk}
        if made.review_state == ReviewState.DRAFT and not others:
            if made.segments_untranslated:
                self.stderr.write(f"  ! {where}: {made.segments_untranslated} segment(s) untranslated; not "
                                  "submitted for review")
            else:
                translation.submit_translation(translation=made, actor=translator)
                notes.append("submitted")
        if made.review_state == ReviewState.SUBMITTED and not others:
            made = translation.review_translation(translation=made, editor=editor, approve=True,
                                                  comment=TRANSLATION_REVIEW_COMMENT)
            notes.append(f"approved by {editor.username}")
        if notes:
            self.stdout.write(self.style.SUCCESS(f"  + {where} ({made.get_status_display().lower()}): "
                                                 f"{', '.join(notes)}"))
        else:
            self.stdout.write(f"  = {where} ({made.get_status_display().lower()}): nothing to do")

    def _read_translation_file(self, path: Path, where: str) -> dict[str, str]:
        """``{normalised source: target}`` from a YAML list of ``{source, target}``.

        An entry whose target breaks the source's placeholders is named and left out (its segment stays
        untranslated); a file that is not such a list is an error.
        """
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        if not isinstance(entries, list):
            raise CommandError(f"{path.name}: expected a list of entries with a source and a target.")
        targets: dict[str, str] = {}
        for number, entry in enumerate(entries, start=1):
            if not (isinstance(entry, dict) and isinstance(entry.get("source"), str)
                    and isinstance(entry.get("target"), str) and entry["target"].strip()):
                raise CommandError(f"{path.name}: entry {number} needs a source and a target, both text.")
            problems = check_placeholders(entry["source"], entry["target"])
            if problems:
                self.stderr.write(f"  ! {where}: entry {number} of {path.name} is not used ({'; '.join(problems)}): "
                                  f"{entry['source'][:80]!r}")
                continue
            key = normalise(entry["source"])
            if targets.get(key, entry["target"]) != entry["target"]:
                raise CommandError(f"{path.name}: entry {number} translates {key[:60]!r} a second time, "
                                   "differently.")
            targets[key] = entry["target"]
        return targets

    # --- discussions -------------------------------------------------------------------------------------

    def _load_discussions(self, people: dict[str, User]) -> None:
        from kure.discussions import demo as discussions_demo

        try:
            discussions_demo.load(people=people, editor=people[EDITOR], say=self.stdout.write)
        except discussions_demo.DemoError as exc:
            raise CommandError(str(exc)) from exc

    # --- output ------------------------------------------------------------------------------------------

    def _print_accounts(self) -> None:
        passwords = read_passwords()
        self.stdout.write(f"\nDemo accounts (passwords are kept in {passwords_path()}):")
        for spec in PEOPLE:
            roles = ", ".join(role.label.lower() for role in spec.roles)
            password = passwords.get(spec.username, "(not set by load_demo)")
            self.stdout.write(f"  {spec.username:<8} {password:<16} {spec.full_name} — {roles}")
