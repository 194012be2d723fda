"""Answers written by a language model behind any OpenAI-compatible ``POST /v1/chat/completions`` endpoint:
the llama.cpp server, vLLM, Ollama, LM Studio or a hosted service.

::

    KURE_ASK_ENGINE = {"BACKEND": "kure.ask.answerers.openai.OpenAIChatAnswerEngine",
                       "OPTIONS": {"base_url": "http://127.0.0.1:8080/v1", "model": "qwen2.5-7b-instruct"}}

Options: ``base_url`` and ``model`` (required); ``api_key`` (sent as a Bearer token, never shown in messages);
``timeout`` (seconds per request, 60: a small model on a CPU writes a few sentences in tens of seconds);
``max_tokens`` (400: a few sentences, plus room for a reasoning model's preamble).

The temperature is 0: the same question over the same passages should get the same answer, and a model left
to sample is likelier to stray from the passages.

Errors: connection failures, timeouts, HTTP 408/429/5xx → ``AnswerEngineUnavailable``; a refused key or a wrong
URL → ``AnswerEngineNotConfigured``; other 4xx, answers that are not JSON or hold no completion, and answers cut
off by ``max_tokens`` → ``AnswerEngineError``. The HTTP client is the translation engines' (same timeouts, proxy
and secret-masking policy); this module only re-raises its errors as answer engine errors.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from typing import Any

from kure.translation.engines import _http
from kure.translation.engines.base import EngineNotConfigured

from .base import (
    NOT_FOUND,
    AnswerEngine,
    AnswerEngineError,
    AnswerEngineNotConfigured,
    AnswerEngineUnavailable,
    Passage,
    build_messages,
    check_options,
    completion_content,
    option_name,
    positive_int,
    required_text,
)

OPTIONS = ("base_url", "model", "api_key", "timeout", "max_tokens")
USER_AGENT = "Kure-ask/1"


class OpenAIChatAnswerEngine(AnswerEngine):
    name = "openai"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        check_options(options, OPTIONS, engine=self.name)
        base_url = _url(options, engine=self.name)
        self.model = required_text(options, "model", engine=self.name, hint="the model name the server expects")
        api_key = options.get("api_key") or ""
        if not isinstance(api_key, str):
            raise AnswerEngineNotConfigured(f"{option_name(self.name, 'api_key')} must be a string.")
        self.max_tokens = positive_int(options, "max_tokens", 400, engine=self.name) or 400
        key_option = option_name(self.name, "api_key")
        self._client = _http.JsonClient(
            service="The chat model server",
            base_url=base_url,
            timeout=_timeout(options, engine=self.name),
            headers={"User-Agent": USER_AGENT, **({"Authorization": f"Bearer {api_key}"} if api_key else {})},
            secrets=(api_key,),
            status_errors={
                401: (EngineNotConfigured, f"the API key was refused; check {key_option}"),
                403: (EngineNotConfigured, f"the API key may not use this model; check {key_option}"),
                404: (
                    EngineNotConfigured,
                    f"no such endpoint or model; check {option_name(self.name, 'base_url')} "
                    "(it usually ends in /v1) and OPTIONS['model']",
                ),
            },
        )

    def generate(self, *, question: str, language: str, passages: list[Passage]) -> str:
        if not passages:
            return NOT_FOUND  # nothing to answer from; asking would only invite a guess
        payload = {
            "model": self.model,
            "messages": build_messages(question, language, passages),
            "temperature": 0,
            "max_tokens": self.max_tokens,
            "stream": False,
        }
        return self._content(self._post(payload))

    def _post(self, payload: Mapping[str, Any]) -> Any:
        """POST to the server, re-raising the shared client's errors as answer engine errors (same message)."""
        return _http.post_as(self._client, "/chat/completions", payload, not_configured=AnswerEngineNotConfigured,
                             unavailable=AnswerEngineUnavailable, error=AnswerEngineError)

    def _content(self, reply: Any) -> str:
        shown = _http.excerpt(_http.redact(json.dumps(reply, ensure_ascii=False), self._client.secrets), 200)
        return completion_content(
            reply, engine=self, max_tokens=self.max_tokens,
            missing=f"{self._client.service} at {self._client.where} answered without a chat completion: {shown!r}")


def _url(options: Mapping[str, Any], *, engine: str) -> str:
    example = "http://127.0.0.1:8080/v1"
    url = required_text(options, "base_url", engine=engine, hint=f"for example {example}")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AnswerEngineNotConfigured(f"{option_name(engine, 'base_url')} must be an http(s) URL such as {example}.")
    # Accept the full endpoint too: it is what many servers print at start-up.
    return url.rstrip("/").removesuffix("/chat/completions")


def _timeout(options: Mapping[str, Any], *, engine: str) -> float:
    value = options.get("timeout", 60)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise AnswerEngineNotConfigured(
            f"{option_name(engine, 'timeout')} must be a positive number of seconds, not {value!r}."
        )
    return float(value)
