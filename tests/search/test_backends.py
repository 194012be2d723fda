"""One contract for every full-text backend: SQLite FTS5 in the SQLite run, PostgreSQL in the PostgreSQL run.

``make test`` runs the suite twice (the second time with ``KURE_TEST_DATABASE_URL``), so each backend is tested
against the database it is made for; the class for the other database skips and says why.
"""

import pytest
from django.db import connection

from kure.search import analysis
from kure.search.backends.base import Filters
from kure.search.backends.postgres import PostgresBackend
from kure.search.backends.sqlite_fts import SqliteFtsBackend
from kure.search.models import IndexedSection
from kure.search.ranking import lexical

HOSTILE = ['"', '""', "*", "NEAR", "NEAR(a b)", "a OR", "OR OR", "(", "((osman", "osman)", "AND NOT",
           "'; DROP TABLE search_indexedsection; --", "1=1 OR '1'='1'", "title_terms:osman", "^osman", "osman*",
           "🏔️ dağ 🏔️", "Осман", "عثمان", "\x00osman", "a" * 10_000, "ğ" * 3000 + " osman"]


class BackendContract:
    backend_class: type
    vendor: str

    @pytest.fixture(autouse=True)
    def _backend(self, settings, corpus):
        if connection.vendor != self.vendor:
            pytest.skip(f"{self.backend_class.__name__} is tested in the {self.vendor} run of the suite "
                        f"(this run uses {connection.vendor}; KURE_TEST_DATABASE_URL selects PostgreSQL)")
        settings.KURE_SEARCH_BACKEND = f"{self.backend_class.__module__}.{self.backend_class.__name__}"
        self.backend = self.backend_class()
        self.corpus = corpus

    def found(self, query: str, language: str = "tr", **filters) -> list[tuple[str, str]]:
        items = lexical(query, language=language, filters=Filters(**filters), limit=10)
        slugs = {a.pk: a.slug for a in self.corpus.values()}
        return [(slugs[i.row.article_id], i.row.anchor) for i in items]

    def test_candidates_match_any_term(self):
        terms = analysis.query_terms("Söğüt Bilecik", "tr")
        ids = [pk for pk, _ in self.backend.candidates(terms, filters=Filters(), limit=10)]
        anchors = set(IndexedSection.objects.filter(pk__in=ids).values_list("anchor", flat=True))
        assert anchors == {"hayati", "fetihler"}

    def test_suffixed_form_finds_the_section(self):
        assert self.found("Söğüt'ten gelenler")[0] == ("osman-bey", "hayati")
        assert self.found("kuşatmanın süresi")[0] == ("istanbulun-fethi", "kusatma")

    def test_typed_without_diacritics(self):
        assert self.found("sogut")[0] == ("osman-bey", "hayati")
        assert self.found("ozel koruma")[0] == ("ilgaz-dagi", "cografya")
        assert ("istanbulun-fethi", "") in self.found("Istanbul")

    def test_turkish_dotted_and_dotless_i(self):
        assert self.found("ILGAZ")[0][0] == "ilgaz-dagi"
        assert self.found("İSTANBUL'UN FETHİ")[0][0] == "istanbulun-fethi"

    def test_title_counts_for_every_section(self):
        results = self.found("Osman Bey")
        assert {slug for slug, _ in results[:3]} == {"osman-bey"}

    def test_exact_spelling_ranks_above_the_folded_one(self):
        items = lexical("Söğüt", language="tr", filters=Filters(), limit=5)
        folded = lexical("Sogut", language="tr", filters=Filters(), limit=5)
        assert items[0].row.anchor == folded[0].row.anchor == "hayati"
        assert items[0].score > folded[0].score

    def test_filters(self):
        assert {s for s, _ in self.found("yılında", category_path="tarih")} == {"osman-bey", "istanbulun-fethi"}
        assert {s for s, _ in self.found("yılında", category_path="tarih/osmanli")} == {"osman-bey",
                                                                                        "istanbulun-fethi"}
        assert self.found("yılında", category_path="cografya") == []
        assert {s for s, _ in self.found("yüksekliktedir zirvesi yılında", tag="daglar")} == {"ilgaz-dagi"}
        assert self.found("Söğüt", languages=("en",)) == []
        only = (self.corpus["fetih"].pk,)
        assert {s for s, _ in self.found("1453 Osman", article_ids=only)} == {"istanbulun-fethi"}

    @pytest.mark.parametrize("query", HOSTILE)
    def test_hostile_queries_are_text(self, query):
        results = self.found(query)
        if "osman" in query.lower():
            assert results and results[0][0] == "osman-bey"

    def test_title_prefix(self):
        ids = self.backend.title_prefix([], "ist", language="", limit=5)
        assert ids == [self.corpus["fetih"].pk]
        osman = analysis.terms("Osman", "tr")[0]  # the stem, as the title was indexed
        ids = self.backend.title_prefix([osman], "b", language="tr", limit=5)
        assert ids == [self.corpus["osman"].pk]
        assert self.backend.title_prefix([osman], "zzz", language="tr", limit=5) == []
        assert self.backend.title_prefix([], "ilg", language="en", limit=5) == []


class TestSqliteFts(BackendContract):
    backend_class = SqliteFtsBackend
    vendor = "sqlite"


class TestPostgres(BackendContract):
    backend_class = PostgresBackend
    vendor = "postgresql"
