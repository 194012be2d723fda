"""Keeping the search index in step with what readers can see.

Publishing a revision or reassembling a translation queues ``index_article`` after the transaction commits:
the lexical rows are rewritten at once (a few milliseconds), and the slower embedding of new sentences runs as
a background task. ``reindex`` rebuilds everything, for ``kure reindex``.
"""

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import F

from ..articles.models import Article
from . import analysis
from .models import CachedEmbedding, IndexedSection, IndexState, SectionVector, Source, TermStat

log = logging.getLogger(__name__)
VECTORS = "vectors"
EMBED_BATCH = 64


def queue_index(*, article_id: int) -> None:
    """Index the article once the current transaction commits (at once when there is none)."""
    transaction.on_commit(lambda: _index_and_queue_embedding(article_id))


def _index_and_queue_embedding(article_id: int) -> None:
    from . import tasks

    # The edit is committed already: a failure here must not turn the author's request into an error page.
    # The index is derived data; `kure reindex` repairs it, and the log says why it is needed.
    try:
        if index_article(article_id=article_id):
            tasks.embed_article.enqueue(article_id=article_id)
    except Exception:
        log.exception("indexing article %s failed; run `kure reindex` once the cause is fixed", article_id)


def _has_unembedded(article_id: int) -> bool:
    from .embeddings.base import EmbeddingError, embedder_config

    try:
        configured = bool(embedder_config())
    except EmbeddingError as exc:
        log.error("no vectors for article %s: %s", article_id, exc)
        return False
    return configured and IndexedSection.objects.filter(article_id=article_id, vector__isnull=True).exists()


# --- lexical rows ------------------------------------------------------------------------------------------

def _documents(article: Article) -> list[tuple[str, str, str, list[dict]]]:
    """(language, source, title, sections) for the original and every readable translation."""
    from ..translation.models import Translation, TranslationStatus

    documents = []
    if article.published_revision_id:
        revision = article.published_revision
        documents.append((article.original_language, Source.ORIGINAL, revision.title, revision.sections or []))
        for translation in (Translation.objects.filter(article=article)
                            .exclude(status=TranslationStatus.UNAVAILABLE)
                            .only("language", "title", "sections")):
            documents.append((translation.language, Source.TRANSLATION, translation.title, translation.sections))
    return documents


def _section_row(article: Article, language: str, source: str, title: str, position: int,
                 section: dict) -> IndexedSection:
    text = section.get("text", "")
    sentences = analysis.split_sentences(text)
    body_lines = [" ".join(analysis.terms(sentence, language)) for sentence in sentences]
    title_terms = analysis.terms(title, language)
    length = sum(len(line.split()) for line in body_lines) + len(title_terms)
    heading = section.get("heading", "")
    return IndexedSection(
        article=article, language=language, source=source, position=position, anchor=section.get("anchor", ""),
        heading=heading, title=title, text=text, sentences=sentences, title_terms=" ".join(title_terms),
        heading_terms=" ".join(analysis.terms(heading, language)), body_terms="\n".join(body_lines),
        length=length, category=article.category, category_path=article.category.path if article.category else "",
        published_at=article.last_published_at,
        digest=hashlib.sha1(f"{title}\0{heading}\0{text}".encode()).hexdigest())


def _section_terms(row: IndexedSection) -> set[str]:
    return set(row.title_terms.split()) | set(row.heading_terms.split()) | set(row.body_terms.split())


def _count_terms(rows: Iterable[IndexedSection], sign: int) -> None:
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(_section_terms(row))
    if not counts:
        return
    # Sorted, so two processes updating the same terms take their row locks in the same order.
    items = sorted((term[:120], sign * n) for term, n in counts.items())
    table = TermStat._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(items), 400):
            chunk = items[start:start + 400]
            cursor.execute(
                f"INSERT INTO {table} (term, sections) VALUES {', '.join(['(%s, %s)'] * len(chunk))} "
                f"ON CONFLICT (term) DO UPDATE SET sections = {table}.sections + excluded.sections",
                [value for item in chunk for value in item])


@transaction.atomic
def index_article(*, article_id: int) -> bool:
    """Rewrite the article's rows from its published revision and readable translations.

    Returns whether any section now waits for its vectors. Rows of sections whose text did not change keep
    their vectors.
    """
    # Locked without joins: on PostgreSQL a row re-read after waiting for the lock is joined with rows of the
    # statement's older snapshot, so a revision published meanwhile would be missed.
    article = Article.objects.select_for_update().filter(pk=article_id).first()
    old = {(row.language, row.position): row for row in
           IndexedSection.objects.filter(article_id=article_id)} if article else {}
    if article is None:
        _delete_rows(IndexedSection.objects.filter(article_id=article_id))
        return False
    new = {}
    for language, source, title, sections in _documents(article):
        for position, section in enumerate(sections):
            new[(language, position)] = _section_row(article, language, source, title, position, section)
    stale = [row for key, row in old.items() if key not in new or new[key].digest != old[key].digest
             or new[key].category_path != old[key].category_path]
    _delete_rows(stale)
    fresh = [row for key, row in new.items() if key not in old or old[key] in stale]
    IndexedSection.objects.bulk_create(fresh)
    _count_terms(fresh, +1)
    IndexedSection.objects.filter(article_id=article_id).update(published_at=article.last_published_at)
    if stale:
        bump_vectors()
    return _has_unembedded(article_id)


def _delete_rows(rows) -> None:
    rows = list(rows)
    if not rows:
        return
    _count_terms(rows, -1)
    IndexedSection.objects.filter(pk__in=[row.pk for row in rows]).delete()


def remove_article(*, article_id: int) -> None:
    with transaction.atomic():
        _delete_rows(IndexedSection.objects.filter(article_id=article_id))
        bump_vectors()


# --- vectors -----------------------------------------------------------------------------------------------

def bump_vectors() -> None:
    IndexState.objects.get_or_create(name=VECTORS)
    IndexState.objects.filter(name=VECTORS).update(version=F("version") + 1)


def vectors_version() -> int:
    state = IndexState.objects.filter(name=VECTORS).values_list("version", flat=True).first()
    return state or 0


def passage_text(row: IndexedSection, sentence: str) -> str:
    """What is embedded for a sentence: the article title gives it its subject (see ``KURE_EMBED_TITLES``)."""
    from django.conf import settings

    return f"{row.title}. {sentence}" if getattr(settings, "KURE_EMBED_TITLES", True) else sentence


def _digest(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\0{text}".encode()).hexdigest()


def embed_texts(engine, texts: list[str]) -> np.ndarray:
    """Passage vectors for ``texts``, from the cache where a text was embedded before."""
    digests = [_digest(engine.model, text) for text in texts]
    cached = {}
    for start in range(0, len(digests), 500):
        cached.update(CachedEmbedding.objects.filter(model=engine.model, digest__in=digests[start:start + 500])
                      .values_list("digest", "vector"))
    missing = list(dict.fromkeys(d for d in digests if d not in cached))
    if missing:
        by_digest = dict(zip(digests, texts, strict=True))
        made = []
        for start in range(0, len(missing), EMBED_BATCH):
            batch = missing[start:start + EMBED_BATCH]
            vectors = engine.embed_passages([by_digest[d] for d in batch]).astype(np.float16)
            made += [CachedEmbedding(model=engine.model, digest=d, vector=v.tobytes())
                     for d, v in zip(batch, vectors, strict=True)]
        CachedEmbedding.objects.bulk_create(made, ignore_conflicts=True)
        cached.update((c.digest, c.vector) for c in made)
    dim = engine.dim
    out = np.empty((len(texts), dim), dtype=np.float32)
    for i, d in enumerate(digests):
        out[i] = np.frombuffer(bytes(cached[d]), dtype=np.float16, count=dim)
    return out


def embed_sections(rows: list[IndexedSection], engine) -> int:
    """Store vectors for ``rows``; returns how many sections got one."""
    texts, owners = [], []
    for row in rows:
        for sentence in row.sentences or [row.heading or row.title]:
            texts.append(passage_text(row, sentence))
            owners.append(row)
    if not texts:
        return 0
    vectors = embed_texts(engine, texts)
    made, start = [], 0
    for row in rows:
        count = len(row.sentences) or 1
        block = vectors[start:start + count]
        start += count
        mean = block.mean(axis=0)
        mean /= max(float(np.linalg.norm(mean)), 1e-9)
        made.append(SectionVector(section=row, model=engine.model, dim=engine.dim,
                                  vector=mean.astype(np.float16).tobytes(),
                                  sentence_vectors=block.astype(np.float16).tobytes()))
    with transaction.atomic():
        live = set(IndexedSection.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True))
        made = [vector for vector in made if vector.section_id in live]
        SectionVector.objects.filter(section_id__in=live).delete()
        SectionVector.objects.bulk_create(made)
        bump_vectors()
    return len(made)


def sections_without_vectors(engine, *, article_id: int | None = None):
    rows = IndexedSection.objects.exclude(vector__model=engine.model)
    return rows.filter(article_id=article_id) if article_id is not None else rows


def embed_article(*, article_id: int) -> int:
    from .embeddings.base import load_embedder

    engine = load_embedder()
    if engine is None:
        return 0
    return embed_sections(list(sections_without_vectors(engine, article_id=article_id)), engine)


# --- rebuilding --------------------------------------------------------------------------------------------

def reindex(*, vectors: bool = True, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Rebuild the index from scratch: lexical rows for every published article, then the missing vectors."""
    ids = list(Article.objects.filter(published_revision__isnull=False).order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        IndexedSection.objects.all().delete()
        TermStat.objects.all().delete()
        bump_vectors()
    for done, article_id in enumerate(ids, 1):
        index_article(article_id=article_id)
        if progress:
            progress("sections", done, len(ids))
    embedded = embed_missing(progress=progress) if vectors else 0
    return {"articles": len(ids), "sections": IndexedSection.objects.count(), "embedded": embedded}


def embed_missing(*, progress: Callable[[str, int, int], None] | None = None, step: int = 256) -> int:
    """Embed every indexed section that has no vector from the configured engine; returns how many."""
    from .embeddings.base import load_embedder

    engine = load_embedder()
    if engine is None:
        return 0
    embedded = 0
    pending = list(sections_without_vectors(engine).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pending), step):
        rows = list(IndexedSection.objects.filter(pk__in=pending[start:start + step]))
        embedded += embed_sections(rows, engine)
        if progress:
            progress("vectors", min(start + step, len(pending)), len(pending))
    return embedded


def retry_delay(attempt: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** attempt))
