"""Ask: answers to readers' questions from the encyclopedia's own articles, always with citations.

By default the answer is extractive: the sentence of the best section that answers the question best, cited,
with the next best sections cited after it. When an answer engine (an LLM) is configured it writes the answer
from the same sections and must cite them; an answer it cannot back with a citation is not shown, and the
extractive answer is given instead.

The answer is in the question's language when the cited section has a translation in it; otherwise the
original sentences are quoted with a note saying so.
"""

import logging
import re
import time
from dataclasses import dataclass, field

import numpy as np
from django.urls import reverse

from ..core import languages
from ..core.errors import InvalidInput, NotFound
from ..search import analysis
from ..search.backends.base import Filters
from ..search.models import IndexedSection, SectionVector
from ..search.ranking import STATS, Scored, hybrid, idf, score_lexical
from .models import AskedQuestion

log = logging.getLogger(__name__)
MAX_QUESTION = 1000
CITATIONS = 5
# Below these the best section is not taken to answer the question (set with ``kure eval ask`` on questions
# whose article was left out; see docs/search.md).
# Similarities across languages run lower, so a question over sections in another language has its own bar.
FOUND_SEMANTIC = 0.82
FOUND_SEMANTIC_FOREIGN = 0.79
# At or above this the best sentence answers the question even if the question has words no article holds.
SURE_SEMANTIC = 0.88
# A second sentence of the first section joins the answer when it scores within this much of the best one.
SECOND_SENTENCE_MARGIN = 0.35
FOUND_LEXICAL_COVERAGE = 0.6


@dataclass
class Citation:
    number: int
    slug: str
    title: str
    section: str
    heading: str
    language: str
    text: str
    url: str
    position: int = 0


@dataclass
class Answer:
    question: str
    language: str
    found: bool
    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    answerer: str = "extractive"
    semantic: bool = False
    seconds: float = 0.0


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_question(question: str) -> str:
    # Control characters carry nothing a reader meant, and PostgreSQL refuses NUL in text.
    question = " ".join(_CONTROL.sub(" ", question or "").split())
    if not question:
        raise InvalidInput("Type a question to ask the encyclopedia.", field="q")
    if len(question) > MAX_QUESTION:
        raise InvalidInput(f"Questions can be up to {MAX_QUESTION:,} characters long; this one has "
                           f"{len(question):,}. Shorten it and ask again.", field="q")
    if not analysis.words(question, "en"):
        raise InvalidInput("The question has no words the encyclopedia could look up.", field="q")
    return question


def question_language(question: str, fallback: str) -> str:
    """The language the question is written in, among the site's languages; ``fallback`` when unsure.

    Turkish letters alone decide nothing: an English question names Turkish people and places ("Şeyh
    Edebali"). On TurHistQuAD's questions py3langid alone picks Turkish for all 1,330 Turkish ones and English
    for 98.4% of our English renderings.
    """
    import py3langid

    known = set(languages.codes())
    ranked = [(code, score) for code, score in py3langid.rank(question) if code in known]
    if len(ranked) >= 2 and ranked[0][1] - ranked[1][1] > 1.0:
        return ranked[0][0]
    if len(ranked) == 1:
        return ranked[0][0]
    return fallback


def _display_rows(items: list[Scored], language: str) -> list[IndexedSection]:
    """One row per section, in the question's language where a translation of that section exists."""
    groups: dict[tuple[int, int], Scored] = {}
    for item in items:
        key = (item.row.article_id, item.row.position)
        if key not in groups:
            groups[key] = item
    wanted = [key for key, item in groups.items() if item.row.language != language]
    translated = {}
    if wanted:
        from django.db.models import Q

        query = Q()
        for article_id, position in wanted:
            query |= Q(article_id=article_id, position=position)
        translated = {(r.article_id, r.position): r for r in
                      IndexedSection.objects.filter(query, language=language)}
    return [translated.get(key, item.row) for key, item in groups.items()]


def _sentence_scores(rows: list[IndexedSection], question: str, language: str, query_vector) -> list[np.ndarray]:
    """For each row, a score per sentence: its words (in the row's language) and, with vectors, its meaning.

    The term statistics and the rows' sentence vectors are read once for all rows.
    """
    native_terms = analysis.query_terms(question, language)
    foreign_terms = analysis.foreign_query_terms(question, language)
    weights = {True: idf(native_terms), False: idf(foreign_terms)}
    vectors = {}
    if query_vector is not None:
        vectors = {v.section_id: v for v in SectionVector.objects.filter(section__in=rows)
                   .only("section_id", "dim", "sentence_vectors")}
    avg_length = STATS.get()[1]
    out = []
    for row in rows:
        native = row.language == language
        item = Scored(row=row)
        score_lexical(item, weights[native], avg_length)
        scores = np.asarray(item.sentence_lexical or [0.0], dtype=np.float32)
        if scores.max() > 0:
            scores = scores / scores.max() * (1.0 if native else 0.1)
        vector = vectors.get(row.pk)
        if vector is not None:
            sentences = np.frombuffer(bytes(vector.sentence_vectors), dtype=np.float16).astype(np.float32)
            semantic = sentences.reshape(-1, vector.dim) @ query_vector
            if len(semantic) == len(scores):
                scores = scores + 8.0 * (semantic - semantic.max())
        out.append(scores)
    return out


def _article_urls(rows: list[IndexedSection]) -> dict[int, str]:
    from ..articles.models import Article

    return dict(Article.objects.filter(pk__in={r.article_id for r in rows}).values_list("pk", "slug"))


def _citation(number: int, row: IndexedSection, slug: str, text: str) -> Citation:
    url = reverse("articles:detail", kwargs={"lang": row.language, "slug": slug})
    return Citation(number=number, slug=slug, title=row.title, section=row.anchor, heading=row.heading,
                    language=row.language, text=text, url=f"{url}#{row.anchor}" if row.anchor else url,
                    position=row.position)


def _unknown_words(question: str, language: str) -> tuple[int, int, int, int]:
    """(names, unknown names, content words, unknown content words) of the question, against every indexed term.

    A question about something no article mentions ("Everest'in yüksekliği nedir?") still has a nearest
    sentence, and similarity alone cannot tell it apart from a real answer; names or most of the words never
    appearing anywhere in the encyclopedia can. A name is a capitalised word that does not start a sentence.
    """
    from ..search.models import TermStat

    question = scrub(question)  # an e-mail address or a telephone number is not what the question is about
    content, names = [], set()
    for match in re.finditer(r"[^\W_]+", question):
        word = match.group(0)
        if len(word) < 3 or word.isdigit() or analysis.is_stopword(analysis.words(word, language)[0], language):
            continue
        content.append(word)
        before = question[:match.start()].rstrip()
        if word[0].isupper() and before and before[-1] not in ".!?:;\"'“(":
            names.add(word)
    if not content:
        return 0, 0, 0, 0
    terms_of = {w: set(analysis.terms(w, language)) | set(analysis.foreign_query_terms(w, language))
                for w in content}
    known = set(TermStat.objects.filter(term__in={t for ts in terms_of.values() for t in ts}, sections__gt=0)
                .values_list("term", flat=True))
    unknown = {w for w in content if not terms_of[w] & known}
    return len(names), len(names & unknown), len(content), sum(1 for w in content if w in unknown)


def _is_found(top: Scored, question: str, language: str) -> bool:
    # Names and words are checked in the question's own language only: an English question names Turkish
    # things in English ("the Ottoman State"), which the index cannot be expected to hold.
    semantic = top.best_sentence_semantic
    if semantic is not None and semantic >= SURE_SEMANTIC:
        return True  # a sentence this close answers it, whatever a misspelt name says
    if top.native:
        names, unknown_names, content, unknown = _unknown_words(question, language)
        if (names and unknown_names == names) or (content and unknown / content > 0.5):
            return False
    if semantic is not None and semantic >= (FOUND_SEMANTIC if top.native else FOUND_SEMANTIC_FOREIGN):
        return True
    terms = analysis.query_terms(question, language) if top.native else analysis.foreign_query_terms(question,
                                                                                                        language)
    stems = {t for t in terms if not t[0].isdigit() or t.isdigit()}
    if not stems:
        return False
    present = set(top.row.title_terms.split()) | set(top.row.heading_terms.split()) | set(top.row.body_terms.split())
    return len(stems & present) / len(stems) >= FOUND_LEXICAL_COVERAGE


def ask(*, question: str, language: str, article_slug: str = "", log_question: bool = True) -> Answer:
    started = time.perf_counter()
    question = clean_question(question)
    ui_language = language if languages.is_valid(language) else languages.default()
    language = question_language(question, ui_language)
    filters = Filters()
    if article_slug:
        from ..articles.models import Article

        article_id = (Article.objects.filter(slug=article_slug, published_revision__isnull=False)
                      .values_list("pk", flat=True).first())
        if article_id is None:
            raise NotFound(f"There is no published article “{article_slug}” to ask about.")
        filters = Filters(article_ids=(article_id,))
    items, query_vector = hybrid(question, language=language, filters=filters, limit=CITATIONS * 2)
    answer = Answer(question=question, language=language, found=False, semantic=query_vector is not None)
    engine = _answer_engine(answer)
    if items and engine is not None:
        _generated(answer, engine, items, question, language, query_vector)
    elif items and _is_found(items[0], question, language):
        _extractive(answer, items, question, language, query_vector)
    answer.seconds = time.perf_counter() - started
    if log_question:
        record(answer, article_slug)
    return answer


def _extractive(answer: Answer, items: list[Scored], question: str, language: str, query_vector) -> None:
    rows = _display_rows(items, language)[:CITATIONS]
    slugs = _article_urls(rows)
    lead = ""
    all_scores = _sentence_scores(rows, question, language, query_vector)
    for number, (row, scores) in enumerate(zip(rows, all_scores, strict=True), 1):
        sentences = row.sentences or [row.text]
        if len(scores) != len(sentences):
            scores = np.zeros(len(sentences))
        best = int(np.argmax(scores))
        answer.citations.append(_citation(number, row, slugs[row.article_id], sentences[best]))
        if number == 1:
            chosen = [best]
            if len(sentences) > 1:
                second = int(np.argsort(-scores)[1])
                if scores[second] >= scores[best] - SECOND_SENTENCE_MARGIN:
                    chosen = sorted([best, second])
            lead = " ".join(sentences[i] for i in chosen)
    answer.found = True
    answer.text = f"{lead} [1]"
    if answer.citations[0].language != language:
        answer.notes.append(
            f"This article has no {languages.name(language)} translation yet: the answer quotes the "
            f"{languages.name(answer.citations[0].language)} original.")


def _answer_engine(answer: Answer):
    from .answerers.base import AnswerEngineError, load_answer_engine

    try:
        return load_answer_engine()
    except AnswerEngineError as exc:
        log.error("answer engine not usable: %s", exc)
        answer.notes.append("The answer engine is not set up correctly, so the answer is taken from the "
                            "articles' own sentences.")
        return None


_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
PASSAGE_CHARS = 1500


def _passage_text(row: IndexedSection, scores: np.ndarray) -> str:
    """The section's text, cut to its best sentences (kept in reading order) when it is long."""
    sentences = row.sentences or [row.text]
    if sum(len(s) for s in sentences) <= PASSAGE_CHARS or len(scores) != len(sentences):
        return " ".join(sentences)[:PASSAGE_CHARS * 2]
    chosen, size = [], 0
    for i in np.argsort(-scores):
        if size + len(sentences[i]) > PASSAGE_CHARS and chosen:
            break
        chosen.append(int(i))
        size += len(sentences[i])
    return " … ".join(sentences[i] for i in sorted(chosen))


def _generated(answer: Answer, engine, items: list[Scored], question: str, language: str,
               query_vector) -> None:
    """An answer written by the configured engine from the best sections; the extractive one if it fails."""
    from .answerers.base import AnswerEngineError, Passage, parse_answer

    rows = _display_rows(items, language)[:CITATIONS]
    slugs = _article_urls(rows)
    best_sentences, passages = [], []
    all_scores = _sentence_scores(rows, question, language, query_vector)
    for number, (row, scores) in enumerate(zip(rows, all_scores, strict=True), 1):
        sentences = row.sentences or [row.text]
        best_sentences.append(sentences[int(np.argmax(scores))] if len(scores) == len(sentences) else sentences[0])
        passages.append(Passage(number=number, title=row.title, heading=row.heading, language=row.language,
                                text=_passage_text(row, scores)))
    try:
        parsed = parse_answer(engine.generate(question=question, language=language, passages=passages),
                              len(passages))
    except AnswerEngineError as exc:
        log.warning("answer engine failed, answering extractively: %s", exc)
        answer.notes.append("The answer engine could not answer just now, so the answer is taken from the "
                            "articles' own sentences.")
        if _is_found(items[0], question, language):
            _extractive(answer, items, question, language, query_vector)
        return
    answer.answerer = engine.name
    if not parsed.found:
        return
    order = {old: new for new, old in enumerate(parsed.cited, 1)}
    for old in parsed.cited:
        row = rows[old - 1]
        answer.citations.append(_citation(order[old], row, slugs[row.article_id], best_sentences[old - 1]))
    answer.text = _MARKERS.sub(lambda m: "".join(f"[{order[int(n)]}]" for n in re.split(r"\s*,\s*", m.group(1))),
                               parsed.text)
    answer.found = True
    if any(c.language != language for c in answer.citations):
        answer.notes.append(f"Some cited sections have no {languages.name(language)} translation yet; the "
                            "answer was written from the original.")


_PERSONAL = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(?<!\w)\+?\d[\d ()-]{7,}\d(?!\w)"), "[number]"),
]


def scrub(question: str) -> str:
    """The question without e-mail addresses and long numbers (telephone, identity and card numbers)."""
    for pattern, replacement in _PERSONAL:
        question = pattern.sub(replacement, question)
    return question[:500]


def record(answer: Answer, article_slug: str = "") -> None:
    from django.utils import timezone

    first = answer.citations[0] if answer.citations else None
    AskedQuestion.objects.create(
        question=scrub(answer.question), language=answer.language, found=answer.found,
        first_citation=f"{first.slug}#{first.section}" if first else "", article_scope=article_slug[:120],
        answerer=answer.answerer, asked_at=timezone.now().replace(minute=0, second=0, microsecond=0))
