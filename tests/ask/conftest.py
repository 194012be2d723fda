from tests.search.conftest import _fresh_search_state, corpus, publish  # noqa: F401 (fixtures shared with search)
