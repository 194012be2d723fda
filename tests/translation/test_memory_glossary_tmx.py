import pytest

from kure.core.errors import InvalidInput
from kure.translation import glossary, memory, tmx
from kure.translation.models import MemoryEntry, Origin

pytestmark = pytest.mark.django_db
PAIR = {"source_language": "tr", "target_language": "en"}


def test_memory_returns_exact_matches_whatever_the_spacing():
    memory.store(**PAIR, source_text="NATO  zirvesi yapıldı.", target_text="The NATO summit was held.",
                 origin=Origin.IMPORTED)
    found = memory.lookup(**PAIR, texts=["NATO zirvesi yapıldı.", "Başka bir cümle."])
    assert [m.target_text for m in found.values()] == ["The NATO summit was held."]
    assert memory.lookup(source_language="tr", target_language="de", texts=["NATO zirvesi yapıldı."]) == {}


def test_a_machine_translation_never_replaces_what_a_person_wrote():
    memory.store(**PAIR, source_text="Zirve yapıldı.", target_text="The summit was held.", origin=Origin.POST_EDITED)
    assert not memory.store(**PAIR, source_text="Zirve yapıldı.", target_text="The peak was made.",
                            origin=Origin.MACHINE)
    assert memory.store(**PAIR, source_text="Zirve yapıldı.", target_text="The summit took place.",
                        origin=Origin.REVIEWED)
    entry = MemoryEntry.objects.get()
    assert (entry.target_text, entry.origin) == ("The summit took place.", Origin.REVIEWED)


def test_a_unit_of_two_sentences_also_matches_each_sentence_and_the_reverse():
    memory.store(**PAIR, source_text="Toplantı Brüksel'de yapıldı. Bakanlar katıldı.",
                 target_text="The meeting was held in Brussels. Ministers attended.", origin=Origin.IMPORTED)
    found = memory.lookup(**PAIR, texts=["Bakanlar katıldı."])
    assert [m.target_text for m in found.values()] == ["Ministers attended."]
    memory.store(**PAIR, source_text="Zirve Lahey'de.", target_text="The summit is in The Hague.",
                 origin=Origin.IMPORTED)
    joined = memory.lookup(**PAIR, texts=["Bakanlar katıldı. Zirve Lahey'de."])
    assert [m.target_text for m in joined.values()] == ["Ministers attended. The summit is in The Hague."]


def test_glossary_matches_turkish_suffixes_and_flags_missing_terms():
    glossary.add_term(**PAIR, source_term="zirve", target_term="summit")
    glossary.add_term(**PAIR, source_term="sivil direnç", target_term="civil resilience")
    terms = glossary.terms_for(**PAIR)
    violations = glossary.check(source_text="Lahey Zirvesi'ne hazırlık ve sivil direnç konuşuldu.",
                                target_text="Preparations for the Hague peak and Civil Resistance were discussed.",
                                terms=terms, **PAIR)
    assert sorted(v.source_term for v in violations) == ["sivil direnç", "zirve"]
    assert glossary.check(source_text="Lahey Zirvesi'ne hazırlık.", target_text="Preparing the Hague Summit.",
                          terms=terms, **PAIR) == []
    glossary.add_term(**PAIR, source_term="müttefik", target_term="ally")
    assert glossary.check(source_text="Müttefikler anlaştı.", target_text="The allies agreed.",
                          terms=glossary.terms_for(**PAIR), **PAIR) == []


def test_glossary_csv_round_trip_and_bad_files():
    counts = glossary.import_csv("source_term,target_term,note\nzirve,summit,not peak\nKuzey Atlantik Konseyi,"
                                 "North Atlantic Council,\n", **PAIR)
    assert counts == {"created": 2, "updated": 0}
    again = glossary.import_csv(glossary.export_csv(**PAIR))
    assert again == {"created": 0, "updated": 2}
    with pytest.raises(InvalidInput, match="header"):
        glossary.import_csv("a,b\n1,2\n", **PAIR)
    with pytest.raises(InvalidInput, match="Line 2"):
        glossary.import_csv("source_term,target_term\n,summit\n", **PAIR)


def test_tmx_export_then_import_keeps_text_placeholders_and_origin():
    memory.store(**PAIR, source_text="<g1>Lahey</g1> zirvesi & <x2/> toplantı.",
                 target_text="The <g1>Hague</g1> summit & <x2/> meeting.", origin=Origin.POST_EDITED)
    exported = tmx.export_tmx(source_language="tr")
    MemoryEntry.objects.all().delete()
    result = tmx.import_tmx(exported.encode())
    assert result.stored == 1
    entry = MemoryEntry.objects.get()
    assert entry.source_text == "<g1>Lahey</g1> zirvesi & <x2/> toplantı."
    assert entry.target_text == "The <g1>Hague</g1> summit & <x2/> meeting."
    assert entry.origin == Origin.POST_EDITED


def test_tmx_from_another_tool_with_inline_codes_and_region_codes():
    data = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="tr-TR" datatype="html" segtype="sentence" adminlang="en" o-tmf="x"
 creationtool="x" creationtoolversion="1"/>
<body>
<tu><tuv xml:lang="tr-TR"><seg><bpt i="1">&lt;b&gt;</bpt>Zirve<ept i="1">&lt;/b&gt;</ept> yapıldı.<ph>&lt;br/&gt;</ph>
</seg></tuv>
<tuv xml:lang="en-GB"><seg>The <bpt i="1">&lt;b&gt;</bpt>summit<ept i="1">&lt;/b&gt;</ept> was held.<ph>&lt;br/&gt;</ph>
</seg></tuv></tu>
<tu><tuv xml:lang="de-DE"><seg>Nur Deutsch.</seg></tuv></tu>
</body></tmx>"""
    result = tmx.import_tmx(data.encode())
    assert (result.units, result.stored, result.skipped) == (2, 1, 1)
    entry = MemoryEntry.objects.get()
    assert entry.source_text == "<g1>Zirve</g1> yapıldı.<x2/>"
    assert entry.target_text == "The <g1>summit</g1> was held.<x2/>"
    assert entry.origin == Origin.IMPORTED


@pytest.mark.parametrize("data", [b"not xml at all", b"<html></html>", b"<tmx version='1.4'><body/></tmx>"])
def test_unreadable_tmx_gets_a_clear_message(data):
    with pytest.raises(InvalidInput):
        tmx.import_tmx(data)


def test_a_plain_memory_unit_matches_a_segment_with_markup_and_the_markup_is_kept():
    memory.store(**PAIR, source_text="Toplantı Brüksel'de yapıldı.", target_text="The meeting was held in Brussels.",
                 origin=Origin.IMPORTED)
    found = memory.lookup(**PAIR, texts=["<g1>Toplantı Brüksel'de yapıldı.</g1><x2/>"])
    assert [m.target_text for m in found.values()] == ["<g1>The meeting was held in Brussels.</g1><x2/>"]


def test_a_unit_the_segmenter_splits_differently_is_found_as_a_run_and_reassembles():
    from kure.translation.segments import segment_markdown

    # One memory unit whose Turkish has two sentences and whose English has one.
    memory.store(**PAIR, source_text="Toplantı bitti. Bakanlar döndü.",
                 target_text="The meeting ended and the ministers went home.", origin=Origin.IMPORTED)
    document = segment_markdown("Toplantı bitti. Bakanlar döndü.[^1]\n\n[^1]: Kaynak.\n")
    matches = memory.match_segments(**PAIR, segments=[(s.index, s.kind, s.source) for s in document.segments])
    assert matches[0].target_text == "The meeting ended and the ministers went home."
    assert matches[1].target_text == memory.JOINED + "<x1/>"  # the footnote reference stays
    body = memory.remove_joined_marks(document.reassemble({i: m.target_text for i, m in matches.items()}))
    assert body.startswith("The meeting ended and the ministers went home.[^1]\n")


def test_a_joined_sentence_inside_a_blockquote_keeps_the_quote_one_paragraph():
    from kure.articles.markup import render

    body = "> Birinci.\n> " + memory.JOINED + "\n> Üçüncü.\n"
    assert render(memory.remove_joined_marks(body)).html.count("<p>") == 1
