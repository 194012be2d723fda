"""The search index: one row per section of every published article and readable translation.

The rows are derived data: ``kure reindex`` rebuilds them from the published revisions and translations at
any time. The full-text index over them is the backend's (an FTS5 table on SQLite, a tsvector column on
PostgreSQL, both created by this app's migrations); the vectors for semantic retrieval sit beside them.
"""

from django.db import models

from ..articles.models import Article, Category


class Source(models.TextChoices):
    ORIGINAL = "original", "Original"
    TRANSLATION = "translation", "Translation"


class IndexedSection(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=12)
    source = models.CharField(max_length=12, choices=Source.choices)
    # Position of the section in the article (0 = the first), the same in the original and its translations,
    # so a translated section can stand in for the original one.
    position = models.PositiveIntegerField()
    anchor = models.CharField(max_length=200, blank=True)
    heading = models.CharField(max_length=400, blank=True)
    title = models.CharField(max_length=400)
    text = models.TextField(blank=True)
    # Sentences of ``text`` as the Ask feature quotes them (a JSON list of strings).
    sentences = models.JSONField(default=list)
    # Analysed terms (see ``analysis``), space-separated; body terms keep one line per sentence.
    title_terms = models.TextField(blank=True)
    heading_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    length = models.PositiveIntegerField(default=0)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category_path = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # sha1 of what was embedded; the vector is redone only when it changes.
    digest = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "language", "position"],
                                               name="indexed_section_unique_position")]
        indexes = [models.Index(fields=["language", "article"])]

    def __str__(self) -> str:
        return f"{self.article_id}/{self.language}#{self.anchor or self.position}"


class TermStat(models.Model):
    """How many indexed sections contain a term: the document frequency BM25 needs, the same on every backend."""

    term = models.CharField(max_length=120, primary_key=True)
    sections = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term}: {self.sections}"


class SectionVector(models.Model):
    """A section's embedding: the mean of its sentences (for finding it) and each sentence (for ranking)."""

    section = models.OneToOneField(IndexedSection, on_delete=models.CASCADE, primary_key=True, related_name="vector")
    model = models.CharField(max_length=120)
    dim = models.PositiveSmallIntegerField()
    # float16, row-major: ``vector`` is dim values, ``sentence_vectors`` is one row per sentence.
    vector = models.BinaryField()
    sentence_vectors = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["model"])]

    def __str__(self) -> str:
        return f"{self.section_id} [{self.model}]"


class CachedEmbedding(models.Model):
    """An embedded sentence, by model and text digest: unchanged sentences of a new revision are not redone."""

    model = models.CharField(max_length=120)
    digest = models.CharField(max_length=40)
    vector = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "digest"], name="cached_embedding_unique")]

    def __str__(self) -> str:
        return f"{self.digest} [{self.model}]"


class IndexState(models.Model):
    """A counter bumped on every change to the vectors, so each process knows when its in-memory copy is old."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
