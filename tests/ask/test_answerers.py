"""The answer engines: the shared prompt and the check every answer must pass, the OpenAI-compatible engine against
the fake model server, the llama.cpp engine's configuration errors, and the loader."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from kure.ask.answerers.base import (
    NOT_FOUND,
    AnswerEngineError,
    AnswerEngineNotConfigured,
    AnswerEngineUnavailable,
    ParsedAnswer,
    Passage,
    build_messages,
    close_answer_engines,
    load_answer_engine,
    parse_answer,
)
from kure.ask.answerers.llama_cpp import LlamaCppAnswerEngine
from kure.ask.answerers.openai import OpenAIChatAnswerEngine
from kure.search.testing.fake_servers import FakeModelServer
from tests.helpers import chain, closed_port_url

API_KEY = "sk-chat-0123456789abcdef"
QUESTION = "Osman Bey nerede doğdu?"
PASSAGES = [
    Passage(
        number=1,
        title="Osman Gazi",
        heading="Hayatı",
        language="tr",
        text="Osman Bey 1258 yılında Söğüt'te doğdu. Babası Ertuğrul Gazi'dir.",
    ),
    Passage(
        number=2,
        title="Söğüt",
        heading="",
        language="tr",
        text="Söğüt, Bilecik iline bağlı bir ilçedir.\nOsmanlı Beyliği burada kuruldu.",
    ),
    Passage(
        number=3,
        title="Altay (tank)",
        heading="Motor",
        language="en",
        text="The Altay's engine produces 1500 horsepower.",
    ),
]




@pytest.fixture(autouse=True)
def _fresh_engines() -> Iterator[None]:
    yield
    close_answer_engines()


# --- the prompt ----------------------------------------------------------------------------------------------------


class TestBuildMessages:
    def test_every_passage_numbered_with_the_question(self) -> None:
        system, user = build_messages(QUESTION, "tr", PASSAGES)
        assert (system["role"], user["role"]) == ("system", "user")
        for passage in PASSAGES:
            assert f"[{passage.number}] {passage.title}" in user["content"]
            assert " ".join(passage.text.split()) in user["content"]  # line breaks folded, every word kept
        assert "[1] Osman Gazi — Hayatı (tr)\nOsman Bey 1258" in user["content"]
        assert "[2] Söğüt (tr)\n" in user["content"]  # no heading, no dangling separator
        assert f"Question: {QUESTION}" in user["content"]
        assert user["content"].index("[3]") < user["content"].index("Question:")

    def test_rules(self) -> None:
        system = build_messages(QUESTION, "tr", PASSAGES)[0]["content"]
        assert "Answer in Turkish" in system
        assert "[1]" in system and "1 to 3" in system  # cite with markers, only the numbers given
        assert f"reply with exactly {NOT_FOUND}" in system
        assert "only what the passages say" in system

    @pytest.mark.parametrize(("code", "name"), [("tr", "Turkish"), ("en", "English"), ("xx", "xx")])
    def test_answer_language(self, code: str, name: str) -> None:
        system, user = build_messages(QUESTION, code, PASSAGES)
        assert f"Answer in {name}," in system["content"] and f"Answer in {name}," in user["content"]


# --- checking answers ----------------------------------------------------------------------------------------------


class TestParseAnswer:
    @pytest.mark.parametrize(
        ("reply", "text", "cited"),
        [
            ("Osman Bey Söğüt'te doğdu [1].", "Osman Bey Söğüt'te doğdu [1].", [1]),
            ("Söğüt'te doğdu [2]. Babası Ertuğrul'dur [1, 3]. İlçedir [3][2].", None, [2, 1, 3]),
            ("Söğüt'te doğdu [1;2] ve [ 3 ].", None, [1, 2, 3]),
            ("Söğüt'te doğdu [01].", None, [1]),
            (
                "<think>Passage [3] is about tanks; [9] does not exist.</think>\nSöğüt'te doğdu [1].",
                "Söğüt'te doğdu [1].",
                [1],
            ),
            ("The passages say so.</think>Söğüt'te doğdu [2].", "Söğüt'te doğdu [2].", [2]),
            ("```\nSöğüt'te doğdu [1].\n```", "Söğüt'te doğdu [1].", [1]),
            ("```markdown\nSöğüt'te doğdu [1].\n```\n", "Söğüt'te doğdu [1].", [1]),
        ],
    )
    def test_found(self, reply: str, text: str | None, cited: list[int]) -> None:
        parsed = parse_answer(reply, 3)
        assert parsed.found and parsed.cited == cited
        assert parsed.text == (text if text is not None else reply)

    @pytest.mark.parametrize(
        "reply",
        [
            NOT_FOUND,
            f"{NOT_FOUND}.",
            f"  **{NOT_FOUND}**\n",
            f"<think>[1] mentions Söğüt [7]</think>{NOT_FOUND}",
            f"{NOT_FOUND}: the passages are about Söğüt [2].",
            "not_in_encyclopedia",
        ],
    )
    def test_not_in_encyclopedia(self, reply: str) -> None:
        assert parse_answer(reply, 3) == ParsedAnswer(found=False, text="", cited=[])

    @pytest.mark.parametrize("reply", ["Söğüt'te doğdu [4].", "Söğüt'te doğdu [1, 5].", "Söğüt'te [0] doğdu [1]."])
    def test_citing_a_passage_not_given_is_refused(self, reply: str) -> None:
        with pytest.raises(AnswerEngineError, match="cited a passage it was not given.*passages 1 to 3"):
            parse_answer(reply, 3)

    def test_citing_with_no_passages_is_refused(self) -> None:
        with pytest.raises(AnswerEngineError, match="cited a passage it was not given.*no passages"):
            parse_answer("Söğüt'te doğdu [1].", 0)

    @pytest.mark.parametrize(
        "reply", ["Osman Bey Söğüt'te doğdu.", "Söğüt'te doğdu (kaynak 1).", "<think>[1]</think>Söğüt."]
    )
    def test_answer_without_citation_is_refused(self, reply: str) -> None:
        with pytest.raises(AnswerEngineError, match="without citing any passage"):
            parse_answer(reply, 3)

    @pytest.mark.parametrize("reply", ["", "  \n", "<think>Let me see what passage 1 says", "<think>done</think>"])
    def test_empty_answer_is_refused(self, reply: str) -> None:
        with pytest.raises(AnswerEngineError, match="empty answer"):
            parse_answer(reply, 3)


# --- the OpenAI-compatible engine ------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeModelServer]:
    with FakeModelServer(api_key=API_KEY) as server:
        yield server


def openai_engine(url: str, **options: Any) -> OpenAIChatAnswerEngine:
    options = {"model": "fake-chat", "api_key": API_KEY, "timeout": 5, **options}
    return OpenAIChatAnswerEngine(base_url=f"{url}/v1", **options)


class TestOpenAI:
    def test_answers_from_the_passages(self, server: FakeModelServer) -> None:
        engine = openai_engine(server.url)
        reply = engine.generate(question=QUESTION, language="tr", passages=PASSAGES)

        assert reply == "Osman Bey 1258 yılında Söğüt'te doğdu. [1]"
        assert parse_answer(reply, len(PASSAGES)) == ParsedAnswer(found=True, text=reply, cited=[1])
        (request,) = server.requests
        assert request.path == "/v1/chat/completions"
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        body = request.json
        assert (body["model"], body["temperature"], body["max_tokens"]) == ("fake-chat", 0, 400)
        assert body["messages"] == build_messages(QUESTION, "tr", PASSAGES)

    def test_the_server_reads_the_prompt(self, server: FakeModelServer) -> None:
        passages = [Passage(number=1, title="Söğüt", heading="", language="tr", text=PASSAGES[1].text)]
        reply = openai_engine(server.url, max_tokens=50).generate(question=QUESTION, language="en", passages=passages)
        assert reply == "Söğüt, Bilecik iline bağlı bir ilçedir. [1]"
        assert server.requests[-1].json["max_tokens"] == 50

    def test_not_in_encyclopedia(self, server: FakeModelServer) -> None:
        server.reply_with(NOT_FOUND)
        reply = openai_engine(server.url).generate(question="Ay'a ilk kim gitti?", language="tr", passages=PASSAGES)
        assert parse_answer(reply, len(PASSAGES)).found is False

    def test_no_passages_no_request(self, server: FakeModelServer) -> None:
        assert openai_engine(server.url).generate(question=QUESTION, language="tr", passages=[]) == NOT_FOUND
        assert server.requests == []

    def test_reply_is_returned_for_the_caller_to_check(self, server: FakeModelServer) -> None:
        server.reply_with("<think>hmm</think>Söğüt'te doğdu [7].")
        reply = openai_engine(server.url).generate(question=QUESTION, language="tr", passages=PASSAGES)
        with pytest.raises(AnswerEngineError, match="not given"):
            parse_answer(reply, len(PASSAGES))

    def test_cut_off_answer_is_an_error(self, server: FakeModelServer) -> None:
        server.reply_with("Osman Bey 1258 yılında Söğüt'te", finish_reason="length")
        with pytest.raises(AnswerEngineError, match="cut off after 400 tokens.*'max_tokens'"):
            openai_engine(server.url).generate(question=QUESTION, language="tr", passages=PASSAGES)

    @pytest.mark.parametrize("status", [503, 500, 429])
    def test_overload_and_server_errors_are_unavailable(self, server: FakeModelServer, status: int) -> None:
        server.fail(status, body="model is loading")
        engine = openai_engine(server.url)
        with pytest.raises(AnswerEngineUnavailable, match=f"HTTP {status}.*model is loading"):
            engine.generate(question=QUESTION, language="tr", passages=PASSAGES)
        assert engine.generate(question=QUESTION, language="tr", passages=PASSAGES).endswith("[1]")

    def test_client_error_is_a_plain_error(self, server: FakeModelServer) -> None:
        server.fail(400, body="context length exceeded")
        with pytest.raises(AnswerEngineError, match="HTTP 400.*context length exceeded") as caught:
            openai_engine(server.url).generate(question=QUESTION, language="tr", passages=PASSAGES)
        assert not isinstance(caught.value, AnswerEngineUnavailable)

    def test_hanging_server_times_out(self, server: FakeModelServer) -> None:
        server.hang(30)
        started = time.monotonic()
        with pytest.raises(AnswerEngineUnavailable, match="did not answer within 1 s"):
            openai_engine(server.url, timeout=1).generate(question=QUESTION, language="tr", passages=PASSAGES)
        assert time.monotonic() - started < 2.5

    @pytest.mark.parametrize("fault", ["malformed", "garbage"])
    def test_unusable_answer_is_an_error(self, server: FakeModelServer, fault: str) -> None:
        getattr(server, fault)()
        with pytest.raises(AnswerEngineError, match="not JSON") as caught:
            openai_engine(server.url).generate(question=QUESTION, language="tr", passages=PASSAGES)
        assert not isinstance(caught.value, AnswerEngineUnavailable)

    def test_connection_refused_is_unavailable(self) -> None:
        with pytest.raises(AnswerEngineUnavailable, match="cannot be reached"):
            openai_engine(closed_port_url()).generate(question=QUESTION, language="tr", passages=PASSAGES)

    def test_refused_key_is_not_configured(self, server: FakeModelServer) -> None:
        with pytest.raises(AnswerEngineNotConfigured, match="API key was refused.*'api_key'.*KURE_ASK_ENGINE"):
            openai_engine(server.url, api_key="wrong-key-123").generate(
                question=QUESTION, language="tr", passages=PASSAGES
            )

    def test_api_key_never_in_messages_even_when_echoed(self, server: FakeModelServer) -> None:
        for status, error in ((503, AnswerEngineUnavailable), (400, AnswerEngineError)):
            server.fail(status, echo_request=True)
            with pytest.raises(error) as caught:
                openai_engine(server.url).generate(question=QUESTION, language="tr", passages=PASSAGES)
            assert API_KEY not in chain(caught.value)
            assert "[redacted]" in str(caught.value)

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"model": "m"}, r"Set OPTIONS\['base_url'\].*KURE_ASK_ENGINE"),
            ({"base_url": "http://127.0.0.1:8080/v1"}, r"Set OPTIONS\['model'\]"),
            ({"base_url": "ftp://h/v1", "model": "m"}, "must be an http"),
            ({"base_url": "http://h/v1", "model": "m", "timeout": -1}, r"'timeout'.*positive"),
            ({"base_url": "http://h/v1", "model": "m", "max_tokens": 0}, r"'max_tokens'.*at least 1"),
            ({"base_url": "http://h/v1", "model": "m", "temperature": 0.7}, r"no option 'temperature'"),
        ],
    )
    def test_incomplete_options(self, options: dict[str, Any], match: str) -> None:
        with pytest.raises(AnswerEngineNotConfigured, match=match):
            OpenAIChatAnswerEngine(**options)


# --- llama.cpp -----------------------------------------------------------------------------------------------------


class TestLlamaCpp:
    @pytest.fixture
    def model_file(self, tmp_path) -> str:
        path = tmp_path / "qwen2.5-0.5b-instruct-q4_k_m.gguf"
        path.write_bytes(b"GGUF")
        return str(path)

    def test_missing_package_is_not_configured(self, monkeypatch, model_file: str) -> None:
        monkeypatch.setitem(sys.modules, "llama_cpp", None)  # as here: llama-cpp-python is not a dependency
        with pytest.raises(AnswerEngineNotConfigured, match=r"pip install llama-cpp-python` \(builds from source"):
            LlamaCppAnswerEngine(model_path=model_file)

    def test_missing_model_file_is_named(self, tmp_path) -> None:
        path = str(tmp_path / "absent.gguf")
        with pytest.raises(AnswerEngineNotConfigured, match=f"{path}.*does not exist.*never downloads"):
            LlamaCppAnswerEngine(model_path=path)

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"model_path": None}, r"Set OPTIONS\['model_path'\].*KURE_ASK_ENGINE"),
            ({"n_ctx": "4096"}, r"'n_ctx'.*whole number"),
            ({"n_thread": 4}, "no option 'n_thread'"),
        ],
    )
    def test_bad_options(self, model_file: str, options: dict[str, Any], match: str) -> None:
        with pytest.raises(AnswerEngineNotConfigured, match=match):
            LlamaCppAnswerEngine(**{"model_path": model_file, **options})


# --- the loader ----------------------------------------------------------------------------------------------------


class TestLoader:
    def test_extractive_only(self, settings) -> None:
        settings.KURE_ASK_ENGINE = None
        assert load_answer_engine() is None

    def test_unknown_backend(self, settings) -> None:
        settings.KURE_ASK_ENGINE = {"BACKEND": "kure.ask.answerers.nowhere.Engine"}
        with pytest.raises(
            AnswerEngineNotConfigured,
            match=r"'kure.ask.answerers.nowhere.Engine' cannot be loaded.*BACKEND in KURE_ASK_ENGINE",
        ):
            load_answer_engine()

    @pytest.mark.parametrize(
        ("value", "match"),
        [
            ({"OPTIONS": {}}, 'no "BACKEND"'),
            ({"BACKEND": "collections.OrderedDict"}, "not an answer engine"),
            (["openai"], "must be None or a dict"),
        ],
    )
    def test_bad_setting(self, settings, value: Any, match: str) -> None:
        settings.KURE_ASK_ENGINE = value
        with pytest.raises(AnswerEngineNotConfigured, match=match):
            load_answer_engine()

    def test_loads_once_until_closed(self, settings, server: FakeModelServer) -> None:
        settings.KURE_ASK_ENGINE = {
            "BACKEND": "kure.ask.answerers.openai.OpenAIChatAnswerEngine",
            "OPTIONS": {"base_url": f"{server.url}/v1", "model": "fake-chat", "api_key": API_KEY},
        }
        engine = load_answer_engine()
        assert isinstance(engine, OpenAIChatAnswerEngine) and engine.model == "fake-chat"
        assert load_answer_engine() is engine
        assert engine.generate(question=QUESTION, language="tr", passages=PASSAGES).endswith("[1]")
        close_answer_engines()
        assert load_answer_engine() is not engine
