"""Search analysis (``kure.search.analysis``): terms are letters and digits only, whatever the text."""

from hypothesis import example, given
from hypothesis import strategies as st

from kure.search.analysis import _STEMMERS, foreign_query_terms, query_terms, split_sentences, terms

from .strategies import any_text, fuzz, markdownish

LANGUAGES = st.sampled_from(sorted(_STEMMERS) + ["xx", ""])
TEXT = st.one_of(any_text, markdownish, st.lists(st.sampled_from(
    ["İstanbul'da", "IĞDIR", "ılık", "Söğüt'te", "doğmuştur", "a_b", "x²", "½", "١٢٣", "Ⅻ", "ﬁ", "ß", "ǅ",
     "i\u0307", "A\u0308", "٣", "𝟘", "Ωμέγα", "москва", "東京", "NOT", "OR", "*", '"', "-", "(", ")", ":", "^",
     "NEAR", "\x00", "\u200d", "\ufeff", " ", "\n\n", ".", "etti.Bu", "1281"]), max_size=30).map(" ".join))


def _is_term(term: str) -> bool:
    return bool(term) and all(ch.isalnum() for ch in term)


@fuzz(200)
@given(TEXT, LANGUAGES)
@example("x²½Ⅻ ﬁ ß ǅ", "tr")  # found here: "½" folded to "1⁄2", whose fraction slash is not a letter or digit
@example("İ\u0307stanbul a_b", "en")
def test_terms_are_letters_and_digits(text, language):
    found = terms(text, language)
    assert all(_is_term(t) for t in found), found
    asked = query_terms(text, language)
    assert all(_is_term(t) for t in asked), asked
    assert len(asked) == len(set(asked))
    foreign = foreign_query_terms(text, language)
    assert all(_is_term(t) for t in foreign), foreign
    assert terms(text, language) == found  # the same text always gives the same terms


@fuzz(200)
@given(TEXT)
def test_split_sentences_keeps_every_character(text):
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert "".join("".join(s.split()) for s in sentences) == "".join(text.split())
