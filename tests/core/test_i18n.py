import gettext
import io

import pytest

from kure.core.catalogs import LOCALE_DIR, compile_all, compile_mo, parse_po


def test_committed_catalogues_match_their_sources():
    for path, data in compile_all(write=False).items():
        assert path.exists(), f"{path} is missing: run `kure compile_catalogs`"
        assert path.read_bytes() == data, f"{path} is stale: run `kure compile_catalogs`"


def test_compiled_catalogue_reads_back_with_python_gettext():
    po = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgctxt "badge"\nmsgid "New"\n' \
         'msgstr "Yeni"\n\nmsgid "Two\\nlines"\nmsgstr ""\n"İki\\n"\n"satır"\n\n#, fuzzy\nmsgid "Skip"\nmsgstr "Atla"\n'
    catalogue = gettext.GNUTranslations(io.BytesIO(compile_mo(parse_po(po))))
    assert catalogue.pgettext("badge", "New") == "Yeni"
    assert catalogue.gettext("Two\nlines") == "İki\nsatır"
    assert catalogue.gettext("Skip") == "Skip"  # fuzzy entries are not used


def test_every_turkish_entry_is_translated():
    messages = parse_po((LOCALE_DIR / "tr/LC_MESSAGES/django.po").read_text(encoding="utf-8"))
    assert len(messages) > 100


@pytest.mark.django_db
def test_the_url_prefix_picks_the_interface_language(client):
    tr = client.get("/tr/")
    en = client.get("/en/")
    assert "Son eklenenler" in tr.content.decode() and tr["Content-Language"] == "tr"
    assert "Recently added" in en.content.decode() and en["Content-Language"] == "en"


@pytest.mark.django_db
def test_form_labels_and_djangos_own_messages_follow_the_language(client, author):
    client.force_login(author)
    tr = client.get("/tr/articles/new/").content.decode()
    en = client.get("/en/articles/new/").content.decode()
    assert "Değişiklik özeti" in tr and "Kaydet ve incelemeye gönder" in tr
    assert "Edit summary" in en and "Save and submit for review" in en
