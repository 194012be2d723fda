"""Turning text into index terms, by the rules of its language.

Both search backends index the same pre-analysed terms, so SQLite and PostgreSQL find and rank alike and
neither needs a Turkish dictionary of its own. A word becomes:

- its Snowball stem, lower-cased by the language's rules (Turkish ``I`` → ``ı``, ``İ`` → ``i``): ``Söğüt'te`` →
  ``söğüt``, ``doğmuştur`` → ``doğ``;
- the same stem without diacritics when that differs (``sogut``), so a query typed without Turkish letters
  ("ozel", "Istanbul") still matches, though a little lower than the exact spelling;
- for Turkish, a prefix term ``5`` + the first five letters without diacritics (``5dogmu``): Turkish stacks
  suffixes that Snowball does not always remove, and the prefix is a cheap second chance.

Terms contain only letters and digits, so they pass through both backends' tokenisers unchanged and cannot
carry query syntax.
"""

import re
from functools import lru_cache

import Stemmer

from ..core.text import fold, lower

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A sentence run into the next without a space ("doğdu.1281 yılında", "etti.Bu"): common in imported text.
_GLUED = re.compile(r"(?<=[a-zçğıöşüâîû]{2}[.!?])(?=[A-ZÇĞİÖŞÜ0-9])")
PREFIX_LENGTH = 5
_STEMMERS = {"tr": "turkish", "en": "english", "de": "german", "fr": "french", "es": "spanish", "ru": "russian",
             "ar": "arabic", "it": "italian", "nl": "dutch", "pt": "portuguese", "az": "turkish"}

# Words that say what kind of question it is, not what it is about. They stay out of queries so a question
# does not match every section that happens to contain "nedir" or "what".
STOPWORDS = {
    "tr": set("""ve veya ile de da ki mi mı mu mü bu şu o bir ne neler nedir kim kimdir kimin kime kimi nerede
        nereye nereden neresi neresidir hangi hangisi hangileri kaç kaçta kaçıncı nasıl niçin neden niye ne zaman
        zaman için gibi olan olarak olup olmuştur oldu olmuş olmak ise daha en çok her şey ya da ama fakat çünkü
        nedeniyle tarafından sonra önce nere hangis kimdi neydi nasıldı""".split()),
    "en": set("""a an the of in on at to for from by with about as into like through after over between out
        against during without before under around among is are was were be been being am do does did doing
        have has had having what which who whom whose when where why how many much and or but if then than that
        this these those it its he she they them his her their there here not no can could would should will
        shall may might must""".split()),
}


@lru_cache(maxsize=16)
def _stemmer(language: str):
    algorithm = _STEMMERS.get(language)
    return Stemmer.Stemmer(algorithm) if algorithm else None


def is_stopword(word: str, language: str) -> bool:
    """A question word, also with a suffix ("nasıldır", "kimdi", "neydi"): ``word`` is lower-cased already."""
    stop = STOPWORDS.get(language)
    if not stop:
        return False
    if word in stop:
        return True
    stemmer = _stemmer(language)
    return bool(stemmer) and stemmer.stemWord(word) in stop


def words(text: str, language: str) -> list[str]:
    """The words of ``text``, lower-cased by the rules of ``language``; apostrophes split a name from its suffix."""
    return _WORD.findall(lower(text, language))


def _fold_term(text: str) -> str:
    """``fold`` kept to letters and digits: compatibility forms can decompose into other signs (½ → 1⁄2)."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


def _terms_of_word(word: str, stem: str, language: str) -> list[str]:
    terms = [stem]
    folded = _fold_term(stem)
    if folded and folded != stem:
        terms.append(folded)
    if language in {"tr", "az"} and not word.isdigit():
        terms.append(f"{PREFIX_LENGTH}{_fold_term(word)[:PREFIX_LENGTH]}")
    return terms


def terms(text: str, language: str) -> list[str]:
    """Index terms of ``text`` in document order (a word gives one to three terms)."""
    tokens = words(text, language)
    stemmer = _stemmer(language)
    stems = stemmer.stemWords(tokens) if stemmer else tokens
    out: list[str] = []
    for word, stem in zip(tokens, stems, strict=True):
        out.extend(_terms_of_word(word, stem, language))
    return out


def query_terms(text: str, language: str) -> list[str]:
    """Distinct terms of a query, question words left out (unless nothing else is left)."""
    tokens = words(text, language)
    kept = [w for w in tokens if not is_stopword(w, language)] or tokens
    stemmer = _stemmer(language)
    stems = stemmer.stemWords(kept) if stemmer else kept
    seen: dict[str, None] = {}
    for word, stem in zip(kept, stems, strict=True):
        for term in _terms_of_word(word, stem, language):
            seen.setdefault(term)
    return list(seen)


def foreign_query_terms(text: str, language: str) -> list[str]:
    """Terms of a query in one language to look up in documents of another: names, numbers and loan words.

    Stems of one language mean nothing in another, so only the language-neutral forms are used: the word
    without diacritics, and its Turkish-style prefix term, which also matches the name with a suffix attached
    ("Osman" finds "Osman'ın").
    """
    tokens = [w for w in words(text, language) if not is_stopword(w, language)]
    seen: dict[str, None] = {}
    for word in tokens:
        folded = _fold_term(word)
        if not folded:
            continue
        seen.setdefault(folded)
        if not word.isdigit():
            seen.setdefault(f"{PREFIX_LENGTH}{folded[:PREFIX_LENGTH]}")
    return list(seen)


def split_sentences(text: str) -> list[str]:
    """Sentences of section text: paragraph by paragraph, with sentences run together without a space split."""
    from ..core.text import split_sentences as split_running_text

    out: list[str] = []
    for paragraph in text.split("\n\n"):
        for sentence in split_running_text(paragraph):
            out.extend(part.strip() for part in _GLUED.split(sentence) if part.strip())
    return out
