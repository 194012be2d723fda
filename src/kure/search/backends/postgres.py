"""PostgreSQL full-text search: the production backend.

``search_indexedsection.tsv`` is a stored generated column over the three term columns, weighted A (title),
B (heading) and D (body), with a GIN index (see migration 0002). The ``simple`` configuration keeps the
pre-analysed terms exactly as they are.
"""

from django.db import connection

from .base import Filters, SearchBackend, filter_sql

CREATE = [
    """ALTER TABLE search_indexedsection ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title_terms), 'A') ||
        setweight(to_tsvector('simple', heading_terms), 'B') ||
        setweight(to_tsvector('simple', body_terms), 'D')) STORED""",
    "CREATE INDEX IF NOT EXISTS search_indexedsection_tsv ON search_indexedsection USING gin (tsv)",
]
DROP = [
    "DROP INDEX IF EXISTS search_indexedsection_tsv",
    "ALTER TABLE search_indexedsection DROP COLUMN IF EXISTS tsv",
]
# ts_rank weights for D, C, B, A: the same proportions as the FTS5 column weights.
WEIGHTS = "{0.125, 0.25, 0.375, 1.0}"


class PostgresBackend(SearchBackend):
    name = "postgresql"

    def candidates(self, terms: list[str], *, filters: Filters, limit: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        where, params = filter_sql(filters, "s")
        query = " | ".join(f"'{term}'" for term in terms)
        sql = (f"SELECT s.id, ts_rank(s.tsv, q, 1) AS rank FROM search_indexedsection s, "
               "to_tsquery('simple', %s) q "
               f"WHERE s.tsv @@ q{' AND ' + where if where else ''} ORDER BY rank DESC LIMIT %s")
        sql = sql.replace("ts_rank(s.tsv", f"ts_rank('{WEIGHTS}', s.tsv")
        with connection.cursor() as cursor:
            cursor.execute(sql, [query, *params, limit])
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def title_prefix(self, terms: list[str], prefix: str, *, language: str, limit: int) -> list[int]:
        parts = [f"'{term}':A" for term in terms]
        if prefix:
            parts.append(f"'{prefix}':*A")
        if not parts:
            return []
        sql = ("SELECT s.article_id, max(ts_rank(s.tsv, q)) AS rank FROM search_indexedsection s, "
               f"to_tsquery('simple', %s) q WHERE s.tsv @@ q{' AND s.language = %s' if language else ''} "
               "GROUP BY s.article_id ORDER BY rank DESC LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [" & ".join(parts), *([language] if language else []), limit])
            return [row[0] for row in cursor.fetchall()]
