"""The interface of a full-text search backend.

A backend finds *candidate* sections for a set of analysed terms (see ``kure.search.analysis``) and gives each a
score of its own; the final order is computed in Python from the same term statistics on every backend
(``kure.search.ranking``), so SQLite and PostgreSQL agree on what comes first. Backends hold no state of their
own: their index lives in the database, created by this app's migrations, and follows the ``IndexedSection``
rows (FTS5 through triggers, PostgreSQL through a generated column).

Configured by ``settings.KURE_SEARCH_BACKEND`` (a dotted path); by default the one that fits the database.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Filters:
    """What a search is restricted to; empty means no restriction."""

    languages: tuple[str, ...] = ()
    category_path: str = ""
    tag: str = ""
    article_ids: tuple[int, ...] = field(default=())


class SearchBackend(ABC):
    name: str = ""

    @abstractmethod
    def candidates(self, terms: list[str], *, filters: Filters, limit: int) -> list[tuple[int, float]]:
        """Up to ``limit`` (section id, backend score) pairs matching any of ``terms``, best first."""

    @abstractmethod
    def title_prefix(self, terms: list[str], prefix: str, *, language: str, limit: int) -> list[int]:
        """Article ids whose title has every term in ``terms`` and a term starting with ``prefix``, best first;
        titles in ``language`` only, or in any language when it is empty."""


def filter_sql(filters: Filters, alias: str, placeholder: str = "%s") -> tuple[str, list]:
    """SQL conditions on ``IndexedSection`` (aliased ``alias``) for ``filters``, and their parameters."""
    clauses, params = [], []
    if filters.languages:
        clauses.append(f"{alias}.language IN ({', '.join([placeholder] * len(filters.languages))})")
        params += list(filters.languages)
    if filters.category_path:
        clauses.append(f"({alias}.category_path = {placeholder} "
                       f"OR {alias}.category_path LIKE {placeholder} ESCAPE '\\')")
        params += [filters.category_path, _like_escape(filters.category_path) + "/%"]
    if filters.tag:
        clauses.append(f"{alias}.article_id IN (SELECT at.article_id FROM articles_article_tags at "
                       f"JOIN articles_tag t ON t.id = at.tag_id WHERE t.slug = {placeholder})")
        params.append(filters.tag)
    if filters.article_ids:
        clauses.append(f"{alias}.article_id IN ({', '.join([placeholder] * len(filters.article_ids))})")
        params += list(filters.article_ids)
    return (" AND ".join(clauses), params)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_BACKEND: SearchBackend | None = None


def load_backend() -> SearchBackend:
    global _BACKEND
    path = getattr(settings, "KURE_SEARCH_BACKEND", "") or (
        "kure.search.backends.postgres.PostgresBackend" if connection.vendor == "postgresql"
        else "kure.search.backends.sqlite_fts.SqliteFtsBackend")
    if _BACKEND is None or f"{type(_BACKEND).__module__}.{type(_BACKEND).__name__}" != path:
        _BACKEND = import_string(path)()
    return _BACKEND
