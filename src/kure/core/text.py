"""Text utilities that know Turkish: casing, slugs and sentence boundaries."""

import re
import unicodedata

_TR_LOWER = str.maketrans({"I": "ı", "İ": "i"})
_TR_UPPER = str.maketrans({"i": "İ", "ı": "I"})
_ASCII_FOLD = str.maketrans({"ı": "i", "İ": "I", "ş": "s", "Ş": "S", "ğ": "g", "Ğ": "G", "ç": "c", "Ç": "C",
                             "ö": "o", "Ö": "O", "ü": "u", "Ü": "U", "â": "a", "Â": "A", "î": "i", "û": "u"})


def lower(text: str, language: str = "tr") -> str:
    """Lower-case by the rules of ``language``: in Turkish and Azerbaijani ``I`` is ``ı`` and ``İ`` is ``i``."""
    if language in {"tr", "az"}:
        text = text.translate(_TR_LOWER)
    return text.lower()


def upper(text: str, language: str = "tr") -> str:
    if language in {"tr", "az"}:
        text = text.translate(_TR_UPPER)
    return text.upper()


def fold(text: str) -> str:
    """Drop diacritics (Turkish letters first, then any combining marks), keeping case."""
    text = text.translate(_ASCII_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, max_length: int = 80) -> str:
    """A readable ASCII slug: ``Dışişleri Bakanları`` → ``disisleri-bakanlari``."""
    # An apostrophe only separates a proper noun from its suffix ("İstanbul'dan"): keep the word whole.
    folded = fold(lower(text, "tr")).replace("'", "").replace("’", "")
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


# Words after which a full stop does not end a sentence (Turkish and English abbreviations).
ABBREVIATIONS = {
    "vb", "vs", "vd", "dr", "prof", "doç", "doc", "yy", "yrd", "bkz", "örn", "orn", "sn", "av", "müh", "alb",
    "gen", "org", "tuğg", "st", "no", "nr", "s", "ss", "c", "bl", "çev", "ed", "haz", "mr", "mrs", "ms", "jr",
    "sr", "vol", "fig", "etc", "e.g", "i.e", "ör", "m.ö", "m.s", "mö", "a.ş", "ltd", "şti", "tic", "cad",
    "sok", "mah", "apt", "kr", "km", "cm", "mm", "kg", "yd", "hz", "ord", "öğr", "gör", "arş", "uzm",
}
# Roman numerals as ordinals ("II. Dünya Savaşı", "XIX. yüzyıl"); only well-formed ones, so "il." ends a sentence.
_ROMAN = re.compile(r"(?=[ivxlc])(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})")
_SENTENCE_END = re.compile(r"([.!?…]+)([\"'”’»)]*)(\s+)")


def sentence_breaks(text: str) -> list[tuple[int, int]]:
    """The whitespace runs ``(start, end)`` of ``text`` at which a sentence ends.

    A full stop after a number ("3. madde", "19. yüzyıl"), a Roman numeral ("II. Dünya Savaşı"), a single letter
    or a known abbreviation ("Prof.", "vb.") does not end a sentence, and neither does one followed by a
    lower-case letter.
    """
    breaks: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group(1) == ".":
            before = text[start:match.start(1)]
            last_word = before.rsplit(None, 1)[-1] if before.split() else ""
            token = last_word.strip("(\"'“‘«").lower()
            after = text[match.end():match.end() + 1]
            if after.islower() or (after.isdigit() and token.isdigit()):
                continue
            # "19. Yüzyıl", "II. Dünya Savaşı", "Prof. Dr." continue; a year ("… 2024. Sonra") ends a sentence.
            if re.fullmatch(r"\d{1,3}", token) or _ROMAN.fullmatch(token) or token in ABBREVIATIONS \
                    or re.fullmatch(r"\w", token):
                continue
        breaks.append((match.end(2), match.end()))
        start = match.end()
    return breaks


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences (see ``sentence_breaks``), whitespace folded."""
    text = " ".join(text.split())
    sentences, start = [], 0
    for end, resume in sentence_breaks(text):
        if sentence := text[start:end].strip():
            sentences.append(sentence)
        start = resume
    if rest := text[start:].strip():
        sentences.append(rest)
    return sentences


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str, language: str = "tr") -> list[str]:
    return [lower(w, language) for w in _WORD.findall(text)]
