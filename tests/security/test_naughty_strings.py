"""The Big List of Naughty Strings and public XSS lists through a representative subset of fields, in a real browser.

Only ``make security`` runs this (it sets ``KURE_SECURITY_LISTS=1``): it loads about two thousand pages. The lists
are read at run time from ``../shared/data/security`` beside the repository, or from ``KURE_SECURITY_DATA``; they
are never copied into the repository.
"""

import json
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from kure.articles import services as articles
from kure.articles.models import Article
from kure.core.errors import InvalidInput
from kure.discussions import services as discussions
from kure.reports import services as reports
from kure.reports.models import ErrorReport

from .harness import Findings, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("KURE_SECURITY_DATA") or REPO.parent / "shared" / "data" / "security")
BATCH = 40  # strings per article or thread: each in its own paragraph or post
REPORT_BATCH = 150  # the reports queue shows the newest 200


def naughty_strings() -> list[str]:
    strings = json.loads((DATA / "blns.json").read_text(encoding="utf-8"))
    for path in sorted(DATA.glob("xss-*.txt")):
        strings += path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [s for s in dict.fromkeys(strings) if s.strip()]


def mark(i: int, field: str) -> str:
    return f"zq{i:04d}{field}xk"


@pytest.fixture
def strings():
    if os.environ.get("KURE_SECURITY_LISTS") != "1":
        pytest.skip("the naughty-string lists run only in `make security` (KURE_SECURITY_LISTS=1)")
    if not (DATA / "blns.json").exists():
        pytest.skip(f"no naughty-string lists at {DATA}: put blns.json and xss-*.txt there or set KURE_SECURITY_DATA")
    found = naughty_strings()
    print(f"\n{len(found)} distinct strings from {DATA}")
    return found



def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield start, items[start:start + size]


def _publish(author, editor, title: str, body: str) -> Article:
    revision = articles.create_article(author=author, title=title, body=body, submit=True)
    articles.approve_revision(revision=revision, editor=editor)
    return Article.objects.get(pk=revision.article_id)


def test_article_bodies_and_discussion_posts(live_server, new_page, people, strings):
    author, editor = people
    findings = Findings()
    reader = new_page()
    host = _publish(author, editor, "Tartışma Sınaması", "Sınama.\n")
    for start, batch in _batches(strings, BATCH):
        body = "".join(f"{mark(start + k, 'b')}\n\n{s}\n\n" for k, s in enumerate(batch))
        try:
            article = _publish(author, editor, f"Naughty {start}", body)
        except InvalidInput as exc:
            findings.failures.append(f"article body batch {start}: refused as a whole: {exc}")
            continue
        findings.check(reader, f"{live_server.url}/tr/articles/{article.slug}/",
                       [mark(start + k, "b") for k in range(len(batch))], where=f"body batch {start}")
        thread = discussions.start_thread(article=host, author=author, title=f"Sınama {start}", body="Başlangıç.")
        for k, s in enumerate(batch):
            discussions.reply(thread=thread, author=author, body=f"{mark(start + k, 'p')} {s}")
        findings.check(reader, f"{live_server.url}/tr/articles/{host.slug}/discussions/{thread.pk}/",
                       [mark(start + k, "p") for k in range(len(batch))], where=f"posts batch {start}")
    print(f"{len(strings)} strings × 2 fields on {findings.pages} pages")
    findings.assert_clean()


def test_search_queries_and_ask_questions(live_server, new_page, people, strings):
    author, editor = people
    _publish(author, editor, "Sınama Maddesi", "Sınama metni aranır ve sorulur.\n")
    findings = Findings()
    reader = new_page()
    for i, s in enumerate(strings):
        for path, field in (("search", "q"), ("ask", "u")):
            query = quote(f"{mark(i, field)} {s}", safe="")
            findings.check(reader, f"{live_server.url}/tr/{path}/?q={query}", [mark(i, field)], where=path,
                           allow_status=(200, 400))
    print(f"{len(strings)} strings × 2 fields on {findings.pages} pages; {len(findings.refused)} refused (400)")
    findings.assert_clean()


def test_report_descriptions_in_the_queue(live_server, new_page, people, strings):
    author, editor = people
    article = _publish(author, editor, "Rapor Sınaması", "Sınama.\n")
    findings = Findings()
    desk = new_page()
    sign_in(desk, live_server.url, editor)
    for start, batch in _batches(strings, REPORT_BATCH):
        ErrorReport.objects.all().delete()
        for k, s in enumerate(batch):
            reports.report_mistake(article_slug=article.slug, language="tr", section="", kind="other",
                                   description=f"{mark(start + k, 'w')} {s}")
        findings.check(desk, f"{live_server.url}/tr/reports/", [mark(start + k, "w") for k in range(len(batch))],
                       where=f"reports batch {start}")
    print(f"{len(strings)} strings on {findings.pages} pages")
    findings.assert_clean()
