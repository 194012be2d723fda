"""The HTTP engines (OpenAI-compatible, LibreTranslate, DeepL) against the fake servers: the shared contract, then
what is particular to each service, then the failure handling they share."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kure.translation.engines.base import (
    EngineError,
    EngineNotConfigured,
    EngineUnavailable,
    GlossaryHint,
    TranslationEngine,
)
from kure.translation.engines.deepl import DeepLEngine, from_xml
from kure.translation.engines.libretranslate import LibreTranslateEngine, from_html, to_html
from kure.translation.engines.openai import OpenAIChatEngine, parse_translations
from kure.translation.testing.fake_servers import (
    FakeDeepLServer,
    FakeLibreTranslateServer,
    FakeOpenAIServer,
    FakeServer,
)
from tests.helpers import chain, closed_port_url

from .engine_contract import EngineContract

OPENAI_KEY = "sk-test-0123456789abcdef"
LIBRE_KEY = "lt-key-0123456789"
DEEPL_KEY = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9:fx"



def openai_engine(url: str, **options: Any) -> OpenAIChatEngine:
    options = {"model": "fake-model", "api_key": OPENAI_KEY, "timeout": 5, "max_segments_per_request": 4, **options}
    return OpenAIChatEngine(source="tr", target="en", base_url=f"{url}/v1", **options)


def libre_engine(url: str, **options: Any) -> LibreTranslateEngine:
    options = {"api_key": LIBRE_KEY, "timeout": 5, "max_segments_per_request": 4, **options}
    return LibreTranslateEngine(source="tr", target="en", url=url, **options)


def deepl_engine(url: str, **options: Any) -> DeepLEngine:
    options = {"api_key": DEEPL_KEY, "timeout": 5, "max_segments_per_request": 4, **options}
    return DeepLEngine(source="tr", target="en", url=url, **options)


# --- the contract, for each engine -----------------------------------------------------------------------------


class HttpEngineContract(EngineContract):
    server_class: type[FakeServer]
    server_key: str
    build: Callable[..., TranslationEngine]

    @pytest.fixture(autouse=True)
    def _server(self) -> Iterator[FakeServer]:
        with self.server_class(api_key=self.server_key) as server:
            self.server = server
            yield server

    def make_engine(self) -> TranslationEngine:
        return type(self).build(self.server.url)

    def make_unreachable_engine(self, timeout: float) -> TranslationEngine:
        return type(self).build(closed_port_url(), timeout=timeout)

    def make_hanging_engine(self, timeout: float) -> TranslationEngine:
        self.server.hang(30)
        return type(self).build(self.server.url, timeout=timeout)


class TestOpenAIContract(HttpEngineContract):
    server_class = FakeOpenAIServer
    server_key = OPENAI_KEY
    build = staticmethod(openai_engine)


class TestLibreTranslateContract(HttpEngineContract):
    server_class = FakeLibreTranslateServer
    server_key = LIBRE_KEY
    build = staticmethod(libre_engine)


class TestDeepLContract(HttpEngineContract):
    server_class = FakeDeepLServer
    server_key = DEEPL_KEY
    build = staticmethod(deepl_engine)


# --- OpenAI-compatible ---------------------------------------------------------------------------------------


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(api_key=OPENAI_KEY, dictionary={"dağ": "mountain", "zirve": "peak", "ve": "and"}) as server:
        yield server


class TestOpenAI:
    def test_request_and_prompt(self, openai_server: FakeOpenAIServer) -> None:
        engine = openai_engine(openai_server.url, extra_headers={"X-Gateway": "kure"}, temperature=0.2)
        hints = (GlossaryHint("zirve", "summit"), GlossaryHint("dağ", "mount"))

        result = engine.translate(["Dağ ve zirve.", "<g1>Dağ</g1><x1/>"], glossary=hints)

        assert result == ["Mount and summit.", "<g1>Mount</g1><x1/>"]  # the fake applies the prompt's glossary
        (request,) = openai_server.requests
        assert request.path == "/v1/chat/completions"
        assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
        assert request.headers["x-gateway"] == "kure"
        body = request.json
        assert body["model"] == "fake-model" and body["temperature"] == 0.2 and body["stream"] is False
        assert "response_format" not in body and "max_tokens" not in body
        prompt = openai_server.prompts[0]
        assert "from Turkish to English" in prompt
        assert "zirve → summit" in prompt and "dağ → mount" in prompt
        assert "<g1>" in prompt and "<x1/>" in prompt and '"translations"' in prompt
        assert FakeOpenAIServer.find_segments(body["messages"]) == ["Dağ ve zirve.", "<g1>Dağ</g1><x1/>"]
        assert engine.model == "fake-model" and engine.name == "openai"

    def test_no_glossary_no_glossary_rule(self, openai_server: FakeOpenAIServer) -> None:
        openai_engine(openai_server.url).translate(["Dağ."])
        assert "→" not in openai_server.prompts[0]

    def test_options_sent_when_set(self, openai_server: FakeOpenAIServer) -> None:
        openai_engine(openai_server.url, json_mode=True, max_tokens=512).translate(["Dağ."])
        body = openai_server.requests[0].json
        assert body["response_format"] == {"type": "json_object"} and body["max_tokens"] == 512

    def test_batches_by_max_segments(self, openai_server: FakeOpenAIServer) -> None:
        result = openai_engine(openai_server.url, max_segments_per_request=3).translate([f"Dağ {i}." for i in range(7)])
        assert result == [f"Mountain {i}." for i in range(7)]
        sizes = [len(FakeOpenAIServer.find_segments(r.json["messages"])) for r in openai_server.requests]
        assert sizes == [3, 3, 1]

    def test_nothing_to_translate_sends_nothing(self, openai_server: FakeOpenAIServer) -> None:
        assert openai_engine(openai_server.url).translate(["", "1923", "<x1/> – <g1>42</g1>"]) == [
            "", "1923", "<x1/> – <g1>42</g1>"]
        assert openai_server.requests == []

    def test_code_fence_tolerated(self, openai_server: FakeOpenAIServer) -> None:
        openai_server.code_fence()
        assert openai_engine(openai_server.url).translate(["Dağ.", "Zirve."]) == ["Mountain.", "Peak."]
        assert len(openai_server.requests) == 1

    def test_malformed_answer_retried_segment_by_segment(self, openai_server: FakeOpenAIServer) -> None:
        openai_server.malformed()
        assert openai_engine(openai_server.url).translate(["Dağ.", "Zirve.", "Dağ ve zirve."]) == [
            "Mountain.", "Peak.", "Mountain and peak."]
        sizes = [len(FakeOpenAIServer.find_segments(r.json["messages"])) for r in openai_server.requests]
        assert sizes == [3, 1, 1, 1]

    def test_wrong_count_retried_segment_by_segment(self, openai_server: FakeOpenAIServer) -> None:
        openai_server.wrong_count()
        assert openai_engine(openai_server.url).translate(["Dağ.", "Zirve."]) == ["Mountain.", "Peak."]
        assert len(openai_server.requests) == 3

    def test_lost_placeholder_retried_for_that_segment_only(self, openai_server: FakeOpenAIServer) -> None:
        openai_server.drop_placeholder()
        segments = ["Dağ.", "<g1>Zirve</g1>.", "Dağ<x1/>."]
        assert openai_engine(openai_server.url).translate(segments) == ["Mountain.", "<g1>Peak</g1>.", "Mountain<x1/>."]
        assert FakeOpenAIServer.find_segments(openai_server.requests[1].json["messages"]) == ["<g1>Zirve</g1>."]
        assert len(openai_server.requests) == 2

    def test_placeholder_lost_twice_names_the_segment(self, openai_server: FakeOpenAIServer) -> None:
        openai_server.drop_placeholder(times=None)
        with pytest.raises(EngineError) as caught:
            openai_engine(openai_server.url, max_segments_per_request=2).translate(["Dağ.", "Zirve.", "<g1>Dağ</g1>."])
        assert not isinstance(caught.value, EngineUnavailable)
        message = str(caught.value)
        assert "segment 3" in message and "<g1>Dağ</g1>." in message and "tags" in message
        assert "segment 1" not in message

    def test_always_malformed_raises_engine_error(self, openai_server: FakeOpenAIServer) -> None:
        openai_server.malformed(times=None)
        with pytest.raises(EngineError, match="segment 1 .*segment 2") as caught:
            openai_engine(openai_server.url).translate(["Dağ.", "Zirve."])
        assert not isinstance(caught.value, EngineUnavailable)

    def test_answer_without_choices_is_an_error(self, openai_server: FakeOpenAIServer) -> None:
        openai_server.fail(200, body="not a completion")
        with pytest.raises(EngineError, match="without a chat completion") as caught:
            openai_engine(openai_server.url).translate(["Dağ."])
        assert not isinstance(caught.value, EngineUnavailable)

    def test_refused_key_is_not_configured(self, openai_server: FakeOpenAIServer) -> None:
        with pytest.raises(EngineNotConfigured, match="API key was refused") as caught:
            openai_engine(openai_server.url, api_key="sk-wrong-key-000").translate(["Dağ."])
        assert "sk-wrong-key-000" not in str(caught.value)

    def test_full_endpoint_url_accepted(self, openai_server: FakeOpenAIServer) -> None:
        engine = OpenAIChatEngine(source="tr", target="en", base_url=f"{openai_server.url}/v1/chat/completions/",
                                  model="m", api_key=OPENAI_KEY)
        assert engine.translate(["Dağ."]) == ["Mountain."]

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"model": "m"}, "base_url"),
            ({"base_url": "http://127.0.0.1:1/v1"}, "model"),
            ({"base_url": "127.0.0.1:8080/v1", "model": "m"}, "http"),
            ({"base_url": "http://127.0.0.1:1/v1", "model": "m", "timeout": 0}, "timeout"),
            ({"base_url": "http://127.0.0.1:1/v1", "model": "m", "max_segments_per_request": 0}, "max_segments"),
        ],
    )
    def test_incomplete_options(self, options: dict[str, Any], match: str) -> None:
        with pytest.raises(EngineNotConfigured, match=match):
            OpenAIChatEngine(source="tr", target="en", **options)

    @pytest.mark.parametrize(
        ("content", "expected"),
        [
            ('{"translations": ["a", "b"]}', ["a", "b"]),
            ('```json\n{"translations": ["a", "b"]}\n```', ["a", "b"]),
            ('Here you are:\n```\n["a", "b"]\n```\nAnything else?', ["a", "b"]),
            ('<think>The user wants [x]. {maybe}</think>\n{"translations": ["a", "b"]}', ["a", "b"]),
            ('Sure. {"translations": [{"id": 2, "text": "b"}, {"id": 1, "text": "a"}]} Done.', ["a", "b"]),
        ],
    )
    def test_parse_translations(self, content: str, expected: list[str]) -> None:
        assert parse_translations(content, 2) == expected


# --- LibreTranslate --------------------------------------------------------------------------------------------


@pytest.fixture
def libre_server() -> Iterator[FakeLibreTranslateServer]:
    with FakeLibreTranslateServer(api_key=LIBRE_KEY, dictionary={"dağ": "mountain", "ve": "and"}) as server:
        yield server


class TestLibreTranslate:
    SEGMENT = "<g1>Dağ</g1> & ağaç < 5 > 3 <x1/><g2>AT&amp;T <g3>ve</g3></g2>"

    def test_tag_mapping(self) -> None:
        markup = to_html(self.SEGMENT)
        assert markup == ('<span id="g1">Dağ</span> &amp; ağaç &lt; 5 &gt; 3 <img id="x1">'
                          '<span id="g2">AT&amp;amp;T <span id="g3">ve</span></span>')
        assert from_html(markup) == self.SEGMENT

    @pytest.mark.parametrize(
        ("markup", "segment"),
        [
            ('<span id="g1">a</span><img id="x1"/>', "<g1>a</g1><x1/>"),  # BeautifulSoup's way of writing it
            ("<SPAN ID='g1' class=\"k\">a</SPAN><br id=x2>", "<g1>a</g1><x2/>"),
            ('<b id="g1">a <i>b</i></b>', "<g1>a b</g1>"),  # other tag names, unknown elements dropped
            ('<span id="g1">a<span id="g2">b</span></span>c', "<g1>a<g2>b</g2></g1>c"),
            ("&#39;&quot;&amp;&lt;", "'\"&<"),
            ('<span id="g1">open', "<g1>open"),  # a lost closing tag stays lost for the caller to see
        ],
    )
    def test_reading_back_is_tolerant(self, markup: str, segment: str) -> None:
        assert from_html(markup) == segment

    def test_round_trip_through_server(self, libre_server: FakeLibreTranslateServer) -> None:
        result = libre_engine(libre_server.url).translate([self.SEGMENT, "Dağ ve dağ."])
        assert result == ["<g1>Mountain</g1> & ağaç < 5 > 3 <x1/><g2>AT&amp;T <g3>and</g3></g2>",
                          "Mountain and mountain."]
        body = libre_server.requests[0].json
        assert body["format"] == "html" and body["source"] == "tr" and body["target"] == "en"
        assert body["api_key"] == LIBRE_KEY and body["q"][0] == to_html(self.SEGMENT)

    def test_refused_key_is_not_configured(self, libre_server: FakeLibreTranslateServer) -> None:
        with pytest.raises(EngineNotConfigured, match="API key was refused") as caught:
            libre_engine(libre_server.url, api_key="lt-wrong-key").translate(["Dağ."])
        assert "lt-wrong-key" not in str(caught.value)

    def test_unsupported_language_is_an_error(self, libre_server: FakeLibreTranslateServer) -> None:
        engine = LibreTranslateEngine(source="tr", target="ku", url=libre_server.url, api_key=LIBRE_KEY)
        with pytest.raises(EngineError, match="HTTP 400.*ku is not supported") as caught:
            engine.translate(["Dağ."])
        assert not isinstance(caught.value, EngineUnavailable)

    def test_batches_by_max_segments(self, libre_server: FakeLibreTranslateServer) -> None:
        result = libre_engine(libre_server.url, max_segments_per_request=2).translate(["Dağ."] * 5)
        assert result == ["Mountain."] * 5
        assert [len(r.json["q"]) for r in libre_server.requests] == [2, 2, 1]

    def test_lost_placeholder_is_left_for_the_caller(self, libre_server: FakeLibreTranslateServer) -> None:
        libre_server.drop_placeholder()
        (translation,) = libre_engine(libre_server.url).translate(["<g1>Dağ</g1>."])
        assert "<g1>" not in translation and "</g1>" not in translation

    def test_missing_url(self) -> None:
        with pytest.raises(EngineNotConfigured, match="'url'"):
            LibreTranslateEngine(source="tr", target="en")


# --- DeepL ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def deepl_server() -> Iterator[FakeDeepLServer]:
    with FakeDeepLServer(api_key=DEEPL_KEY, dictionary={"dağ": "mountain", "ve": "and"}) as server:
        yield server


class TestDeepL:
    def test_request(self, deepl_server: FakeDeepLServer) -> None:
        engine = deepl_engine(deepl_server.url, formality="more", glossary_id="gl-1", ignore_tags=["code"])
        assert engine.translate(["<g1>Dağ</g1> & ağaç<x1/>"]) == ["<g1>Mountain</g1> & ağaç<x1/>"]
        (request,) = deepl_server.requests
        assert request.path == "/v2/translate"
        assert request.headers["authorization"] == f"DeepL-Auth-Key {DEEPL_KEY}"
        assert request.json == {
            "text": ["<g1>Dağ</g1> &amp; ağaç<x1/>"],
            "source_lang": "TR",
            "target_lang": "EN-GB",
            "tag_handling": "xml",
            "formality": "more",
            "glossary_id": "gl-1",
            "ignore_tags": ["code"],
        }
        assert engine.name == "deepl" and engine.model == "deepl"

    def test_target_variant(self, deepl_server: FakeDeepLServer) -> None:
        deepl_engine(deepl_server.url, target_variant="en-us").translate(["Dağ."])
        assert deepl_server.requests[0].json["target_lang"] == "EN-US"
        DeepLEngine(source="tr", target="de", url=deepl_server.url, api_key=DEEPL_KEY).translate(["Dağ."])
        assert deepl_server.requests[1].json["target_lang"] == "DE"

    def test_url_follows_the_key(self) -> None:
        free = DeepLEngine(source="tr", target="en", api_key="abc:fx")
        pro = DeepLEngine(source="tr", target="en", api_key="abc")
        assert free._client.base_url == "https://api-free.deepl.com"
        assert pro._client.base_url == "https://api.deepl.com"

    def test_quota_exceeded_is_unavailable(self, deepl_server: FakeDeepLServer) -> None:
        deepl_server.fail(456, body="Quota exceeded")
        with pytest.raises(EngineUnavailable, match="quota .*HTTP 456"):
            deepl_engine(deepl_server.url).translate(["Dağ."])

    def test_refused_key_is_not_configured(self, deepl_server: FakeDeepLServer) -> None:
        with pytest.raises(EngineNotConfigured, match="the DeepL key was refused") as caught:
            deepl_engine(deepl_server.url, api_key="wrong-key:fx").translate(["Dağ."])
        assert "wrong-key" not in str(caught.value)

    def test_returned_tags_are_normalised(self) -> None:
        assert from_xml("<g1 >a</g1 > &amp; &lt;b&gt;<x1 /><x2></x2>") == "<g1>a</g1> & <b><x1/><x2/>"

    def test_wrong_count_is_an_error(self, deepl_server: FakeDeepLServer) -> None:
        deepl_server.wrong_count()
        with pytest.raises(EngineError, match="returned 1 translations for 2 segments"):
            deepl_engine(deepl_server.url).translate(["Dağ.", "Ve."])

    def test_missing_key(self) -> None:
        with pytest.raises(EngineNotConfigured, match="'api_key'"):
            DeepLEngine(source="tr", target="en")


# --- failure handling shared by the three ------------------------------------------------------------------------

ENGINES = [
    pytest.param((FakeOpenAIServer, OPENAI_KEY, openai_engine), id="openai"),
    pytest.param((FakeLibreTranslateServer, LIBRE_KEY, libre_engine), id="libretranslate"),
    pytest.param((FakeDeepLServer, DEEPL_KEY, deepl_engine), id="deepl"),
]


@pytest.fixture(params=ENGINES)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[FakeServer, Callable[..., TranslationEngine], str]]:
    server_class, key, build = request.param
    with server_class(api_key=key) as server:
        yield server, build, key



@pytest.mark.parametrize("status", [503, 500, 429, 502])
def test_overload_and_server_errors_are_unavailable(served, status: int) -> None:
    server, build, _ = served
    server.fail(status, body="try again later")
    engine = build(server.url)
    with pytest.raises(EngineUnavailable, match=f"HTTP {status}.*try again later"):
        engine.translate(["Merhaba dünya."])
    assert engine.translate(["Merhaba dünya."]) == ["Hello world."]  # the next attempt goes through


def test_other_client_errors_are_plain_errors(served) -> None:
    server, build, _ = served
    server.fail(422, body="unprocessable")
    with pytest.raises(EngineError, match="HTTP 422.*unprocessable") as caught:
        build(server.url).translate(["Merhaba dünya."])
    assert not isinstance(caught.value, EngineUnavailable)


def test_non_json_answer_is_an_error(served) -> None:
    server, build, _ = served
    server.garbage()
    with pytest.raises(EngineError, match="not JSON.*nginx") as caught:
        build(server.url).translate(["Merhaba dünya."])
    assert not isinstance(caught.value, EngineUnavailable)


def test_timeout_is_honoured(served) -> None:
    server, build, _ = served
    server.hang(30)
    started = time.monotonic()
    with pytest.raises(EngineUnavailable, match="did not answer within 0.3 s"):
        build(server.url, timeout=0.3).translate(["Merhaba dünya."])
    assert time.monotonic() - started < 1.5


def test_connection_refused_is_unavailable() -> None:
    for build in (openai_engine, libre_engine, deepl_engine):
        with pytest.raises(EngineUnavailable, match="cannot be reached"):
            build(closed_port_url()).translate(["Merhaba dünya."])


def test_api_key_never_in_messages_even_when_echoed(served) -> None:
    server, build, key = served
    server.fail(503, echo_request=True)  # the error body repeats the request, key included
    with pytest.raises(EngineUnavailable) as caught:
        build(server.url).translate(["Merhaba dünya."])
    assert key not in chain(caught.value)
    assert "[redacted]" in str(caught.value)

    server.fail(400, echo_request=True)
    with pytest.raises(EngineError) as caught:
        build(server.url).translate(["Merhaba dünya."])
    assert key not in chain(caught.value)

    with pytest.raises(EngineUnavailable) as caught:
        build(closed_port_url()).translate(["Merhaba dünya."])
    assert key not in chain(caught.value)


def test_fake_servers_bind_to_loopback_only(served) -> None:
    server, _, _ = served
    assert server.url.startswith("http://127.0.0.1:")
