"""Extractive summaries: two or three of the article's own sentences, chosen by how central they are.

Each sentence is scored by how often its content words recur across the article (words cut to their first five
letters, which for an agglutinative language like Turkish groups most inflections of a stem), with a bonus for
opening sentences. The chosen sentences are shown in the article's order, never rewritten.
"""

import math
from collections import Counter

from ..core.text import split_sentences, words

STOPWORDS = {
    "tr": set(
        "ve veya ile de da ki bu şu o bir için gibi daha en çok olarak olan olan ise ancak ama fakat hem ya her "
        "kadar sonra önce üzerinde arasında tarafından göre kendi ayrıca yani çünkü eğer diğer bazı birçok "
        "olduğu olduğunu oldu olmuştur olmak etti etmek eden edildi yapılan yapıldı the".split()
    ),
    "en": set(
        "the a an and or of to in on at for with by from as is are was were be been being this that these those "
        "it its into than then also but not which who whom whose their there have has had will would can could "
        "such more most other".split()
    ),
}
MAX_WORDS = 75


def _stem(word: str) -> str:
    return word[:5]


def summarise(paragraphs: list[str], *, language: str = "tr", max_sentences: int = 3) -> str:
    sentences: list[tuple[int, str]] = []  # (position in its paragraph, sentence)
    for paragraph in paragraphs:
        for s_index, sentence in enumerate(split_sentences(paragraph)):
            if len(sentence.split()) >= 4:
                sentences.append((s_index, sentence))
    if not sentences:
        return ""
    stop = STOPWORDS.get(language, set())

    def terms(sentence: str) -> list[str]:
        return [_stem(w) for w in words(sentence, language) if w not in stop and len(w) > 2 and not w.isdigit()]

    frequency = Counter(t for _, s in sentences for t in set(terms(s)))
    scored = []
    for order, (s_index, sentence) in enumerate(sentences):
        sentence_terms = terms(sentence)
        if not sentence_terms:
            continue
        centrality = sum(frequency[t] - 1 for t in set(sentence_terms)) / math.sqrt(len(sentence_terms))
        position = 1.6 if order == 0 else (1.15 if s_index == 0 else 1.0)
        scored.append((centrality * position, order, sentence))
    chosen: list[tuple[int, str]] = []
    total = 0
    for _score, order, sentence in sorted(scored, key=lambda item: (-item[0], item[1])):
        length = len(sentence.split())
        if len(chosen) >= 2 and total + length > MAX_WORDS:
            continue  # two sentences are enough; a third only if it keeps the summary short
        chosen.append((order, sentence))
        total += length
        if len(chosen) >= max_sentences:
            break
    return " ".join(sentence for _, sentence in sorted(chosen))
