"""A reader finds an article from the header search box, then asks it a question and follows the citation."""


import pytest
from django.core.cache import cache

from kure.accounts.models import Role
from kure.accounts.services import create_person
from kure.articles import services
from tests.helpers import ensure_role_groups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = """Türk kahvesi cezvede pişirilen köpüklü bir kahvedir. Kültürü 2013'te UNESCO listesine girdi.

## Hazırlanışı

İnce çekilmiş kahve soğuk suyla cezveye konur ve kısık ateşte yavaşça pişirilir. Köpüğü fincanlara paylaştırılır.

## Kahve Falı

İçildikten sonra fincan ters çevrilir ve telveden fal bakılır.
"""



def test_header_search_autocomplete_then_ask_from_the_article(live_server, new_page, artifacts):
    cache.clear()
    ensure_role_groups()
    author = create_person(username="yazar", full_name="Edanur Karakoç", email="", password=None,
                           roles=(Role.AUTHOR,))
    editor = create_person(username="editor", full_name="Selin Aydemir", email="", password=None,
                           roles=(Role.AUTHOR, Role.EDITOR))
    revision = services.create_article(
        author=author, title="Türk Kahvesi", body=BODY, submit=True,
        category=services.ensure_category(path_names=["Kültür", "Mutfak"]), tags=["Kahve"])
    services.approve_revision(revision=revision, editor=editor)  # indexed on commit
    base = live_server.url

    reader = new_page()
    reader.goto(f"{base}/tr/")
    box = reader.locator("#header-q")
    box.press_sequentially("türk kah", delay=40)
    option = reader.locator("#header-suggestions [role=option]", has_text="Türk Kahvesi")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Escape")
    assert reader.locator("#header-suggestions").is_hidden()

    box.fill("kısık ateşte")
    box.press("Enter")
    reader.wait_for_url(f"{base}/tr/search/?q=*")
    first = reader.locator(".search-result").first
    assert "Türk Kahvesi" in first.locator("h3").inner_text()
    assert first.locator("mark").all_inner_texts() == ["kısık", "ateşte"]
    assert reader.locator("#search-q").input_value() == "kısık ateşte"
    first.locator("h3 a").click()
    reader.wait_for_url(f"{base}/tr/articles/turk-kahvesi/#hazirlanisi")

    ask_box = reader.locator("aside.ask-box")
    assert ask_box.is_visible() and "Küre’ye sor" in ask_box.inner_text()
    ask_box.locator("textarea[name=q]").fill("Türk kahvesi nasıl pişirilir?")
    ask_box.locator("button[type=submit]").click()
    reader.wait_for_url(f"{base}/tr/ask/?q=*&article=turk-kahvesi")
    assert "Yalnızca “Türk Kahvesi” maddesinden yanıtlar" in reader.locator(".ask-scope").inner_text()
    assert reader.locator("#ask-q").input_value() == "Türk kahvesi nasıl pişirilir?"
    answer = reader.locator(".answer-text")
    assert answer.inner_text().startswith("İnce çekilmiş kahve soğuk suyla cezveye konur")
    reader.screenshot(path=str(artifacts / "ask.png"), full_page=True)

    answer.locator("a.cite-ref", has_text="[1]").click()
    assert reader.url.endswith("#cite-1")
    reader.locator("#cite-1 .citation-source a").click()
    reader.wait_for_url(f"{base}/tr/articles/turk-kahvesi/#hazirlanisi")
    heading = reader.locator("h2#hazirlanisi")
    assert heading.inner_text() == "Hazırlanışı"
    assert heading.evaluate("h => h.getBoundingClientRect().top") < 200  # scrolled to the quoted section
    assert not reader.dialogs
