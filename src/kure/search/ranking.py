"""Ranking sections: BM25 over the analysed terms, and the hybrid ranking Ask uses.

The backend only proposes candidates. Scores are computed here, from the terms stored with each section and the
document frequencies in ``TermStat``, so every backend ranks the same way:

- ``lexical`` — BM25 (k1 = 0.9, b = 0.4) over title, heading and body terms, plus the best single sentence;
- ``hybrid`` — the lexical scores fused with semantic similarity: the question's vector against each sentence
  of a section (the best one counts) and against the section's mean vector.

A question in one language over sections in another is matched lexically only on names and numbers
(``analysis.foreign_query_terms``), with a small weight; meaning carries the rest. The weights were set on
TurHistQuAD's development questions with ``kure eval ask`` (see docs/search.md).
"""

import logging
import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Avg, Count

from . import analysis
from .backends.base import Filters, load_backend
from .models import IndexedSection, SectionVector, TermStat

log = logging.getLogger(__name__)
K1, B = 0.9, 0.4
HEADING_WEIGHT = 1.0
TITLE_WEIGHT = 1.0


@dataclass(frozen=True)
class Weights:
    lexical: float = 1.0
    lexical_sentence: float = 0.0
    foreign_lexical: float = 0.2
    semantic_sentence: float = 8.0
    semantic_section: float = 4.0


WEIGHTS = Weights()


@dataclass
class Scored:
    row: IndexedSection
    lexical: float = 0.0
    sentence_lexical: list[float] = field(default_factory=list)
    semantic: float | None = None
    sentence_semantic: np.ndarray | None = None
    score: float = 0.0
    native: bool = True

    @property
    def best_sentence_lexical(self) -> float:
        return max(self.sentence_lexical, default=0.0)

    @property
    def best_sentence_semantic(self) -> float | None:
        if self.sentence_semantic is None or not len(self.sentence_semantic):
            return None
        return float(self.sentence_semantic.max())


# --- corpus statistics ---------------------------------------------------------------------------------------

class _Stats:
    """Section count and average length, cached for a few seconds per process."""

    TTL = 10.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at = -1e9
        self.sections, self.avg_length = 0, 1.0

    def get(self) -> tuple[int, float]:
        with self._lock:
            if time.monotonic() - self._at > self.TTL:
                row = IndexedSection.objects.aggregate(n=Count("id"), avg=Avg("length"))
                self.sections, self.avg_length = row["n"] or 0, float(row["avg"] or 1.0)
                self._at = time.monotonic()
            return self.sections, self.avg_length

    def forget(self) -> None:
        with self._lock:
            self._at = -1e9


STATS = _Stats()


def idf(terms: list[str]) -> dict[str, float]:
    sections, _ = STATS.get()
    found = dict(TermStat.objects.filter(term__in=terms).values_list("term", "sections"))
    return {t: math.log(1 + (sections - n + 0.5) / (n + 0.5)) for t in terms if (n := found.get(t, 0)) > 0}


MAX_CANDIDATE_TERMS = 12


def candidate_terms(weights: dict[str, float]) -> list[str]:
    """The terms worth asking the backend for: the rarest (highest idf) first, at most ``MAX_CANDIDATE_TERMS``.

    A term in a large share of sections adds little to any score but makes the backend rank every section
    holding it; long questions are full of such terms. Terms no section holds are left out too.
    """
    ranked = sorted(weights, key=lambda t: -weights[t])
    # Prefix terms ("5dogmu") repeat what the stems already ask for; they only help ranking.
    stems = [t for t in ranked if not (t[0].isdigit() and not t.isdigit())]
    return (stems or ranked)[:MAX_CANDIDATE_TERMS]


def _bm25(counts: dict[str, float], length: int, weights: dict[str, float], avg_length: float) -> float:
    score = 0.0
    norm = K1 * (1 - B + B * length / avg_length)
    for term, w in weights.items():
        f = counts.get(term)
        if f:
            score += w * f * (K1 + 1) / (f + norm)
    return score


def _counts(padded: str, terms) -> dict[str, int]:
    """How often each of ``terms`` occurs as a whole term in ``padded`` (space-separated, spaces at both ends).

    Counting only the query's terms with ``str.count`` keeps this in C: a section has hundreds of terms and a
    query a handful.
    """
    return {term: n for term in terms if (n := padded.count(f" {term} "))}


def score_lexical(item: Scored, weights: dict[str, float], avg_length: float) -> None:
    row = item.row
    title = _counts(f" {row.title_terms} ", weights)
    heading = _counts(f" {row.heading_terms} ", weights)
    body = _counts(" " + row.body_terms.replace("\n", " ") + " ", weights)
    counts = {t: body.get(t, 0) + TITLE_WEIGHT * title.get(t, 0) + HEADING_WEIGHT * heading.get(t, 0)
              for t in weights}
    item.lexical = _bm25(counts, row.length, weights, avg_length)
    item.sentence_lexical = []
    title_length = row.title_terms.count(" ") + 1 if row.title_terms else 0
    wanted = [t for t in weights if t in body]
    lines = row.body_terms.split("\n")
    if not wanted:  # only the title matched: every sentence scores the same
        item.sentence_lexical = [_bm25(dict(title), title_length, weights, 20.0)] * len(lines)
        return
    for line in lines:
        sentence = _counts(f" {line} ", wanted)
        for term, n in title.items():
            sentence[term] = sentence.get(term, 0) + n
        # Sentences are scored as short documents of their own: length normalised against a typical sentence.
        length = (line.count(" ") + 1 if line else 0) + title_length
        item.sentence_lexical.append(_bm25(sentence, length, weights, 20.0))


ROW_FIELDS = ("id", "article_id", "language", "source", "position", "anchor", "heading", "title", "text",
              "sentences", "title_terms", "heading_terms", "body_terms", "length", "published_at")


def _rows(ids, filters: Filters) -> dict[int, IndexedSection]:
    rows = IndexedSection.objects.filter(pk__in=list(ids)).only(*ROW_FIELDS)
    if filters.languages:
        rows = rows.filter(language__in=filters.languages)
    if filters.category_path:
        from django.db.models import Q

        rows = rows.filter(Q(category_path=filters.category_path)
                           | Q(category_path__startswith=filters.category_path + "/"))
    if filters.tag:
        rows = rows.filter(article__tags__slug=filters.tag)
    if filters.article_ids:
        rows = rows.filter(article_id__in=filters.article_ids)
    return {row.pk: row for row in rows}


# --- lexical search ------------------------------------------------------------------------------------------

def lexical(query: str, *, language: str, filters: Filters, limit: int, candidates: int = 100) -> list[Scored]:
    """Sections matching the words of ``query``, best first, scored by BM25 with the best sentence added."""
    terms = analysis.query_terms(query, language)[:64]
    weights = idf(terms)
    found = load_backend().candidates(candidate_terms(weights), filters=filters, limit=candidates)
    if not found:
        return []
    _, avg_length = STATS.get()
    rows = _rows([pk for pk, _ in found], filters)
    items = []
    for pk, _ in found:
        if pk in rows:
            item = Scored(row=rows[pk])
            score_lexical(item, weights, avg_length)
            item.score = item.lexical + WEIGHTS.lexical_sentence * item.best_sentence_lexical
            items.append(item)
    items.sort(key=lambda i: -i.score)
    return items[:limit]


# --- hybrid retrieval ----------------------------------------------------------------------------------------

def _attach_sentence_vectors(items: list[Scored], query_vector: np.ndarray, model: str) -> None:
    vectors = {v.section_id: v for v in SectionVector.objects.filter(
        section_id__in=[i.row.pk for i in items], model=model).only("section_id", "dim", "vector",
                                                                    "sentence_vectors")}
    for item in items:
        vector = vectors.get(item.row.pk)
        if vector is None:
            continue
        section = np.frombuffer(bytes(vector.vector), dtype=np.float16).astype(np.float32)
        sentences = np.frombuffer(bytes(vector.sentence_vectors), dtype=np.float16).astype(np.float32)
        sentences = sentences.reshape(-1, vector.dim)
        item.semantic = float(section @ query_vector)
        item.sentence_semantic = sentences @ query_vector


def hybrid(question: str, *, language: str, filters: Filters, limit: int = 5, candidates: int = 60,
           weights: Weights = WEIGHTS) -> tuple[list[Scored], np.ndarray | None]:
    """Sections that answer ``question`` best, and the question's vector (None when meaning took no part)."""
    from .embeddings.base import EmbeddingError, load_embedder
    from .vectors import INDEX

    native_terms = analysis.query_terms(question, language)[:64]
    foreign_terms = [t for t in analysis.foreign_query_terms(question, language)[:64] if t not in native_terms]
    native_idf, foreign_idf = idf(native_terms), idf(foreign_terms + [t for t in native_terms if t.isdigit()])
    asked = candidate_terms({**foreign_idf, **native_idf})
    found: dict[int, float] = dict(load_backend().candidates(asked, filters=filters, limit=candidates))
    try:
        engine = load_embedder()
    except EmbeddingError as exc:  # misconfigured: the log says so, readers still get answers by words
        log.error("semantic retrieval is off: %s", exc)
        engine = None
    query_vector = None
    if engine is not None:
        try:
            query_vector = engine.embed_queries([question])[0]
        except EmbeddingError:
            query_vector = None  # the engine is down: rank by words alone rather than fail the question
    if query_vector is not None:
        if filters.article_ids:
            dense = list(SectionVector.objects.filter(section__article_id__in=filters.article_ids,
                                                      model=engine.model).values_list("section_id", flat=True))
        else:
            dense = [pk for pk, _ in INDEX.search(query_vector, model=engine.model, limit=candidates)]
        for pk in dense:
            found.setdefault(pk, 0.0)
    if not found:
        return [], query_vector
    rows = _rows(found, filters)
    items = [Scored(row=row, native=row.language == language) for row in rows.values()]
    _, avg_length = STATS.get()
    for item in items:
        score_lexical(item, native_idf if item.native else foreign_idf, avg_length)
    if query_vector is not None:
        _attach_sentence_vectors(items, query_vector, engine.model)
    _fuse(items, weights)
    items.sort(key=lambda i: -i.score)
    return items[:limit], query_vector


def _fuse(items: list[Scored], w: Weights) -> None:
    def top(values):
        values = [v for v in values if v is not None]
        return max(values) if values else 0.0

    native_max = top(i.lexical for i in items if i.native) or 1.0
    native_sentence_max = top(i.best_sentence_lexical for i in items if i.native) or 1.0
    foreign_max = top(i.lexical for i in items if not i.native) or 1.0
    best_sentence = top(i.best_sentence_semantic for i in items)
    best_section = top(i.semantic for i in items)
    for item in items:
        if item.native:
            score = w.lexical * item.lexical / native_max
            score += w.lexical_sentence * item.best_sentence_lexical / native_sentence_max
        else:
            score = w.foreign_lexical * item.lexical / foreign_max
        if item.best_sentence_semantic is not None:
            score += w.semantic_sentence * (item.best_sentence_semantic - best_sentence)
            score += w.semantic_section * ((item.semantic or 0.0) - best_section)
        elif best_sentence:
            score -= w.semantic_sentence  # no vector yet: rank below sections whose meaning was compared
        item.score = score
