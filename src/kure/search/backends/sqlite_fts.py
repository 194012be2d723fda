"""SQLite FTS5: the default backend, nothing to install.

The FTS5 table ``search_fts`` is an external-content index over ``search_indexedsection``'s three term
columns, kept in step by triggers (see migration 0002). Terms are pre-analysed, so the ``unicode61`` tokeniser
only splits on spaces and must not fold diacritics itself.
"""

from django.db import connection

from .base import Filters, SearchBackend, filter_sql

# Column weights for FTS5's bm25(): title, heading, body.
WEIGHTS = (8.0, 3.0, 1.0)

CREATE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title_terms, heading_terms, body_terms,
        content='search_indexedsection', content_rowid='id',
        tokenize="unicode61 remove_diacritics 0")""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_insert AFTER INSERT ON search_indexedsection BEGIN
        INSERT INTO search_fts(rowid, title_terms, heading_terms, body_terms)
        VALUES (new.id, new.title_terms, new.heading_terms, new.body_terms);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_delete AFTER DELETE ON search_indexedsection BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, heading_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.heading_terms, old.body_terms);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_fts_update AFTER UPDATE ON search_indexedsection BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, heading_terms, body_terms)
        VALUES ('delete', old.id, old.title_terms, old.heading_terms, old.body_terms);
        INSERT INTO search_fts(rowid, title_terms, heading_terms, body_terms)
        VALUES (new.id, new.title_terms, new.heading_terms, new.body_terms);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]


def _match(terms: list[str]) -> str:
    # Analysed terms are letters and digits only; quoting each still keeps FTS5 syntax out of the expression.
    return " OR ".join(f'"{term}"' for term in terms)


class SqliteFtsBackend(SearchBackend):
    name = "sqlite-fts5"

    def candidates(self, terms: list[str], *, filters: Filters, limit: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        where, params = filter_sql(filters, "s")
        weights = ", ".join(map(str, WEIGHTS))
        if where:
            sql = (f"SELECT s.id, bm25(search_fts, {weights}) AS rank FROM search_fts "
                   "JOIN search_indexedsection s ON s.id = search_fts.rowid "
                   f"WHERE search_fts MATCH %s AND {where} ORDER BY rank LIMIT %s")
        else:
            # Without filters the FTS table answers alone: joining every match to its row before sorting
            # made common-word queries three times slower (make bench).
            sql = f"SELECT rowid, bm25(search_fts, {weights}) AS rank FROM search_fts WHERE search_fts MATCH %s " \
                  "ORDER BY rank LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [_match(terms), *params, limit])
            # bm25() is lower for better matches; the interface wants higher-is-better.
            return [(row[0], -row[1]) for row in cursor.fetchall()]

    def title_prefix(self, terms: list[str], prefix: str, *, language: str, limit: int) -> list[int]:
        parts = [f'"{term}"' for term in terms]
        if prefix:
            parts.append(f'"{prefix}"*')
        if not parts:
            return []
        # bm25() cannot be aggregated in SQL, so sections come ranked and are grouped by article here.
        sql = ("SELECT s.article_id FROM search_fts JOIN search_indexedsection s ON s.id = search_fts.rowid "
               f"WHERE search_fts MATCH %s{' AND s.language = %s' if language else ''} "
               "ORDER BY bm25(search_fts, 1.0, 0.0, 0.0) LIMIT %s")
        params = ["title_terms : (" + " AND ".join(parts) + ")", *([language] if language else []), limit * 20]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(dict.fromkeys(row[0] for row in cursor.fetchall()))[:limit]
