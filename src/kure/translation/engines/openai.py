"""Translation by a large language model behind any OpenAI-compatible ``/v1/chat/completions`` endpoint: vLLM,
the llama.cpp server, Ollama, LM Studio or a hosted service.

::

    KURE_TRANSLATION_ENGINES = {
        "tr-en": {"BACKEND": "kure.translation.engines.openai.OpenAIChatEngine",
                  "OPTIONS": {"base_url": "http://127.0.0.1:8080/v1", "model": "qwen2.5-7b-instruct"}},
    }

Options: ``base_url`` and ``model`` (required); ``api_key`` (sent as a Bearer token); ``timeout`` (seconds per
request, 60); ``temperature`` (0); ``max_segments_per_request`` (20); ``extra_headers`` (a dict, e.g. for a
gateway); ``max_tokens`` (not sent unless set); ``json_mode`` (False; True asks the server for
``response_format={"type": "json_object"}``, which vLLM, llama.cpp, Ollama and OpenAI understand but some
servers reject).

The segments go out as a JSON array of ``{"id", "text"}`` objects and the model must answer
``{"translations": [...]}``, one string per id, in order. The answer is parsed leniently (code fences, a
``<think>`` block or chatter around the JSON are tolerated) and each translation must keep its placeholders. A
batch whose answer is unusable, or the segments of it that lost a placeholder, are asked again one segment at a
time; a segment that still fails raises ``EngineError`` naming it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from django.conf.locale import LANG_INFO

from . import _http
from .base import EngineError, EngineNotConfigured, GlossaryHint, TranslationEngine

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = """\
You are a professional translator working for an encyclopedia. Translate each text from {source} to {target}.

Rules:
- Write in a neutral, formal, encyclopedic register, as in a reference work written in {target}.
- The texts contain inline tags such as <g1>…</g1> and <x1/>. Keep every tag exactly as written, exactly once, \
around the words of the translation that correspond to the tagged words. Never add, remove, rename, translate or \
reorder the numbers of tags.
- Translate everything. Do not add, omit, summarise or explain anything.
{glossary}\
- The input is a JSON array of objects {{"id": number, "text": string}}.
- Answer with JSON only, no commentary: {{"translations": ["…", "…"]}}, with exactly one translated string per \
input object, in the same order as the ids."""

GLOSSARY_RULE = "- Translate these terms exactly as given, adapting only their grammatical form:\n{terms}\n"

USER_PROMPT = "Translate these {count} texts from {source} to {target}:\n{segments}"

_FENCE_RE = re.compile(r"```[a-zA-Z]*\s*\n?(.*?)```", re.DOTALL)
_THINK_RE = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)  # reasoning models (Qwen3, DeepSeek-R1) via Ollama


def language_name(code: str) -> str:
    """The English name of a language ("tr" → "Turkish"); the models know these far better than the codes."""
    return LANG_INFO.get(code, {}).get("name", code)


class BadReply(Exception):
    """The model's answer for a batch cannot be used; asking again, one segment at a time, may help."""


class OpenAIChatEngine(TranslationEngine):
    name = "openai"
    supports_batch = True
    supports_glossary = True

    def __init__(self, *, source: str, target: str, **options: Any) -> None:
        super().__init__(source=source, target=target, **options)
        engine = self.name
        base_url = _http.require_url(options, "base_url", engine=engine, example="http://127.0.0.1:8080/v1")
        # Accept the full endpoint too: it is what many servers print at start-up.
        base_url = base_url.removesuffix("/chat/completions")
        self._model = _http.require_str(options, "model", engine=engine, hint="the model name the server expects")
        api_key = options.get("api_key") or ""
        if not isinstance(api_key, str):
            raise EngineNotConfigured(f"OPTIONS['api_key'] of the {engine!r} engine must be a string.")
        timeout = _http.positive_number(options, "timeout", 60, engine=engine)
        self._batch_size = _http.positive_int(options, "max_segments_per_request", 20, engine=engine)
        try:
            self._temperature = float(options.get("temperature", 0))
        except (TypeError, ValueError):
            raise EngineNotConfigured(f"OPTIONS['temperature'] of the {engine!r} engine must be a number.") from None
        self._max_tokens = 0  # not sent unless set: each server's default suits its model
        if options.get("max_tokens") is not None:
            self._max_tokens = _http.positive_int(options, "max_tokens", 0, engine=engine)
        self._json_mode = bool(options.get("json_mode", False))
        extra_headers = _http.string_map(options, "extra_headers", engine=engine)
        headers = {**extra_headers, **({"Authorization": f"Bearer {api_key}"} if api_key else {})}
        self._client = _http.JsonClient(
            service="The OpenAI-compatible server",
            base_url=base_url,
            timeout=timeout,
            headers=headers,
            secrets=(api_key, *extra_headers.values()),  # gateway headers often carry keys too
            status_errors={401: (EngineNotConfigured, "the API key was refused; check OPTIONS['api_key']")},
        )

    @property
    def model(self) -> str:
        return self._model

    def translate(self, segments: list[str], *, glossary: tuple[GlossaryHint, ...] = ()) -> list[str]:
        return _http.translate_in_batches(
            segments, self._batch_size, lambda batch, positions: self._translate_batch(batch, positions, glossary)
        )

    # --- one batch -------------------------------------------------------------------------------------------

    def _translate_batch(
        self, batch: list[str], positions: list[int], glossary: tuple[GlossaryHint, ...]
    ) -> list[str]:
        results: list[str | None] = [None] * len(batch)
        try:
            translations = self._ask(batch, glossary)
        except BadReply as exc:
            logger.warning("Unusable answer for %d segments (%s); asking one segment at a time.", len(batch), exc)
            retry = list(range(len(batch)))
        else:
            retry = []
            for i, (source, translation) in enumerate(zip(batch, translations, strict=True)):
                if _http.placeholders_intact(source, translation):
                    results[i] = translation
                else:
                    retry.append(i)
            if retry:
                logger.warning("%d of %d translations lost placeholders; asking again one at a time.",
                               len(retry), len(batch))

        failures: list[str] = []
        for i in retry:
            try:
                (translation,) = self._ask([batch[i]], glossary)
            except BadReply as exc:
                failures.append(f"segment {positions[i] + 1} (“{_http.excerpt(batch[i])}”): {exc}")
                continue
            if _http.placeholders_intact(batch[i], translation):
                results[i] = translation
            else:
                failures.append(f"segment {positions[i] + 1} (“{_http.excerpt(batch[i])}”): the tags were not kept")
        if failures:
            raise EngineError(f"The model {self._model!r} could not translate " + "; ".join(failures))
        return [translation for translation in results if translation is not None]

    def _ask(self, batch: Sequence[str], glossary: tuple[GlossaryHint, ...]) -> list[str]:
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": self.messages(batch, glossary),
            "temperature": self._temperature,
            "stream": False,
        }
        if self._max_tokens:
            payload["max_tokens"] = self._max_tokens
        if self._json_mode:
            payload["response_format"] = {"type": "json_object"}
        reply = self._client.post_json("/chat/completions", payload)
        content, finish_reason = _message(reply, self._client)
        try:
            return parse_translations(content, len(batch))
        except BadReply as exc:
            if finish_reason == "length":
                raise BadReply(
                    f"the answer was cut off ({exc}); set a higher OPTIONS['max_tokens'] or a lower "
                    "OPTIONS['max_segments_per_request']"
                ) from None
            raise

    def messages(self, batch: Sequence[str], glossary: tuple[GlossaryHint, ...] = ()) -> list[dict[str, str]]:
        """The chat messages asking for ``batch`` (public so that the prompt can be shown and tested)."""
        source, target = language_name(self.source), language_name(self.target)
        terms = "\n".join(f"  {hint.source} → {hint.target}" for hint in glossary)
        system = SYSTEM_PROMPT.format(
            source=source, target=target, glossary=GLOSSARY_RULE.format(terms=terms) if glossary else ""
        )
        # One object per line: compact, yet easy for a model to keep in step with.
        items = ",\n".join(json.dumps({"id": i, "text": text}, ensure_ascii=False) for i, text in enumerate(batch, 1))
        user = USER_PROMPT.format(count=len(batch), source=source, target=target, segments=f"[\n{items}\n]")
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _message(reply: Any, client: _http.JsonClient) -> tuple[str, str | None]:
    """The assistant's text and finish reason; a reply without them is the server's fault, not the model's."""
    try:
        choice = reply["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise EngineError(
            f"{client.service} at {client.where} answered without a chat completion: "
            f"{_http.excerpt(_http.redact(json.dumps(reply, ensure_ascii=False), client.secrets), 200)!r}"
        ) from None
    if not isinstance(content, str):
        raise BadReply("the answer had no text")
    return content, choice.get("finish_reason")


def parse_translations(content: str, count: int) -> list[str]:
    """The ``count`` translations in a model's answer, which should be ``{"translations": [...]}``.

    Small models wrap JSON in code fences, think aloud first or add a sentence around it, so the first JSON value
    found is used. Also accepted: a bare array, and objects ``{"id", "text"}`` in place of strings.
    """
    text = _THINK_RE.sub("", content).strip()
    fenced = _FENCE_RE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    data = _first_json_value(text)
    if isinstance(data, dict):
        data = data.get("translations", data.get("translation"))
    if not isinstance(data, list):
        raise BadReply(f"no list of translations in the answer {_http.excerpt(content)!r}")
    if data and all(isinstance(item, dict) for item in data):
        data = _from_objects(data)
    if len(data) != count:
        raise BadReply(f"expected {count} translations, got {len(data)}")
    if not all(isinstance(item, str) for item in data):
        raise BadReply("a translation is not a string")
    return data


def _first_json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            return decoder.raw_decode(text, match.start())[0]
        except ValueError:
            continue
    return None


def _from_objects(items: list[dict[str, Any]]) -> list[Any]:
    """``[{"id": 1, "text": "…"}, …]`` → the texts ordered by id (the model echoed the input's shape)."""
    if all(isinstance(item.get("id"), int) for item in items):
        items = sorted(items, key=lambda item: item["id"])
    return [item.get("text", item.get("translation")) for item in items]
