"""An author writes and submits, an editor approves, a reader sees the page: in a real browser."""

import pytest

from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.articles.models import Article, ReviewState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tarayici-testi-parolasi-7"
BODY = """NATO dışişleri bakanları 3–4 Nisan 2025'te Brüksel'de toplandı. Toplantı Lahey Zirvesi'ne hazırlık oldu.

## Katılımcılar

Toplantıya 32 müttefik ülkenin bakanları katıldı. Asya-Pasifik ortakları da davet edildi.

## Ukrayna'ya Destek

Ukrayna'ya desteğin kurumsallaştırılması ana gündem maddesiydi.
"""


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.editor-form button[type=submit]")
    page.wait_for_load_state()


def test_author_submits_editor_approves_reader_reads(live_server, new_page, artifacts):
    create_person(username="yazar", full_name="Edanur Karakoç", email="", password=PASSWORD,
                  roles=(Role.AUTHOR,), affiliation="Küre")
    create_person(username="editor", full_name="Selin Aydemir", email="", password=PASSWORD,
                  roles=(Role.AUTHOR, Role.EDITOR))
    base = live_server.url

    author = new_page()
    sign_in(author, base, "yazar")
    author.goto(f"{base}/tr/articles/new/")
    author.fill("input[name=title]", "NATO Dışişleri Bakanları Toplantısı (2025)")
    author.fill("input[name=new_category]", "Gündem / Uluslararası İlişkiler")
    author.fill("input[name=tags]", "NATO, Diplomasi")
    author.fill("textarea[name=body]", BODY)
    author.wait_for_selector("#live-preview h2#katilimcilar")  # the live preview rendered by the server
    author.click("button[value=submit]")
    author.wait_for_load_state()
    assert "Submitted for review" in author.content()
    article = Article.objects.get(slug="nato-disisleri-bakanlari-toplantisi-2025")
    assert article.head_revision.state == ReviewState.SUBMITTED and article.published_revision is None

    editor = new_page()
    sign_in(editor, base, "editor")
    editor.goto(f"{base}/tr/desk/reviews/")
    editor.click("text=NATO Dışişleri Bakanları Toplantısı (2025)")
    editor.fill("textarea[name=comment]", "Kaynaklar yeterli.")
    editor.click("button[value=approve]")
    editor.wait_for_url(f"{base}/tr/articles/nato-disisleri-bakanlari-toplantisi-2025/")

    reader = new_page()
    reader.goto(f"{base}/tr/articles/nato-disisleri-bakanlari-toplantisi-2025/")
    assert reader.locator("h1").inner_text() == "NATO Dışişleri Bakanları Toplantısı (2025)"
    toc = reader.locator("aside.toc")
    assert toc.is_visible()
    assert toc.locator("a").all_inner_texts() == ["Katılımcılar", "Ukrayna'ya Destek"]
    toc.locator("a", has_text="Katılımcılar").click()
    assert reader.url.endswith("#katilimcilar")
    author_box = reader.locator("section.author-box")
    assert author_box.is_visible() and "Edanur Karakoç" in author_box.inner_text()
    assert reader.locator(".badge-recent").is_visible()
    assert reader.locator(".breadcrumb").inner_text().endswith("Uluslararası İlişkiler")
    reader.screenshot(path=str(artifacts / "article-page.png"), full_page=True)
    assert not author.dialogs and not editor.dialogs and not reader.dialogs
