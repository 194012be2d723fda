import pytest

from kure.core.text import fold, lower, slugify, split_sentences, upper


def test_turkish_casing_keeps_dotted_and_dotless_i_apart():
    assert lower("İSTANBUL IŞIK") == "istanbul ışık"
    assert upper("istanbul ılık") == "İSTANBUL ILIK"
    assert lower("ISTANBUL", "en") == "istanbul"


def test_fold_and_slugify_make_readable_ascii():
    assert fold("Dışişleri Bakanlığı Şöleni Çağrı Ünü") == "Disisleri Bakanligi Soleni Cagri Unu"
    assert slugify("NATO Dışişleri Bakanları Toplantısı (2025)") == "nato-disisleri-bakanlari-toplantisi-2025"
    assert slugify("  ?!  ") == ""
    assert len(slugify("uzun " * 50, max_length=30)) <= 30


@pytest.mark.parametrize(("text", "expected"), [
    ("19. yüzyılda kuruldu. Sonra büyüdü.", ["19. yüzyılda kuruldu.", "Sonra büyüdü."]),
    ("3. madde uygulandı. Herkes uydu.", ["3. madde uygulandı.", "Herkes uydu."]),
    ("Prof. Dr. Cahit Arf konuştu. Salon doluydu.", ["Prof. Dr. Cahit Arf konuştu.", "Salon doluydu."]),
    ("Kitap, defter vb. alındı. Ödeme yapıldı.", ["Kitap, defter vb. alındı.", "Ödeme yapıldı."]),
    ("II. Dünya Savaşı 1945'te bitti. Barış geldi.", ["II. Dünya Savaşı 1945'te bitti.", "Barış geldi."]),
    ("Savaş 1945. Yılında bitti mi? Evet!", ["Savaş 1945.", "Yılında bitti mi?", "Evet!"]),
    ("“Geliyorum.” dedi. Sonra gitti.", ["“Geliyorum.” dedi.", "Sonra gitti."]),
    ("Bu yıl kurulan il. Sonra büyüdü.", ["Bu yıl kurulan il.", "Sonra büyüdü."]),
    ("XIX. yüzyılda kuruldu. Sonra büyüdü.", ["XIX. yüzyılda kuruldu.", "Sonra büyüdü."]),
])
def test_sentence_splitting_knows_turkish_ordinals_and_abbreviations(text, expected):
    assert split_sentences(text) == expected
