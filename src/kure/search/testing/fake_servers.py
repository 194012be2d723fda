"""A stand-in for a model server, for tests and benchmarks of the embedding and answer engines: a real HTTP server
on 127.0.0.1 speaking the OpenAI ``/v1/embeddings`` and ``/v1/chat/completions`` API shapes.

::

    with FakeModelServer() as server:
        embedder = OpenAIEmbeddingEngine(base_url=server.url + "/v1", model="fake-embedder")
        answerer = OpenAIChatAnswerEngine(base_url=server.url + "/v1", model="fake-chat")
        server.reply_with("Söğüt'te doğdu [1].")   # what every chat request gets from now on
        server.fail(503, times=2)                  # the next two requests get HTTP 503
        server.hang(5)                             # the one after that gets no answer for 5 s
        server.requests[-1].json                   # what the engine sent

It is a test stand-in, not a model. **Embeddings** are hashed character trigrams: each text is lower-cased and
padded, every three-character window is hashed (CRC-32, the same in every process) into one of ``dim`` buckets,
and the counts are normalised. Texts sharing words get similar vectors, so retrieval can be tested end to end, but
there is no meaning in them: a paraphrase with other words, or a translation, is not found.

**Chat** reads the numbered passages the way a model would read ``build_messages``' prompt — lines ``[n] …``
followed by the passage text in the last user message — and answers, by default, with the first passage's first
sentence and ``[1]``; with no passage in the prompt, with ``NOT_IN_ENCYCLOPEDIA``. ``reply_with(text)`` replaces
that answer for every request until ``reply_with(None)`` or ``reset()``.

The faults of the translation fakes apply to the next requests, or to all of them (``times=None``):
``fail(status)``, ``hang(seconds)``, ``malformed()`` (a 200 whose JSON body is cut short), ``garbage()`` (an HTML
page), ``wrong_count()`` (one embedding too few), and here ``reverse_order()`` (embeddings listed last first, with
their indexes, as servers may) and ``unnormalised()`` (vectors longer than 1). With ``api_key`` set, requests
need ``Authorization: Bearer <api_key>``.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from typing import Any

import numpy as np

from kure.translation.testing.fake_servers import FakeServer, Fault, RecordedRequest, Reply

NOT_FOUND = "NOT_IN_ENCYCLOPEDIA"  # what build_messages tells the model to say; repeated to keep the fake honest

_PASSAGE_RE = re.compile(r"^\[(\d+)\][^\n]*\n([^\n]+)", re.MULTILINE)
_SENTENCE_RE = re.compile(r".+?[.!?…](?=\s|$)", re.DOTALL)


def trigram_vector(text: str, dim: int) -> np.ndarray:
    """A unit float32 vector of ``dim`` values from the character trigrams of ``text`` (see the module's doc)."""
    padded = f"  {' '.join(text.lower().split())}  "  # padding: short texts and word edges get trigrams too
    vector = np.zeros(dim, dtype=np.float32)
    for i in range(len(padded) - 2):
        vector[zlib.crc32(padded[i : i + 3].encode("utf-8")) % dim] += 1.0
    return vector / np.linalg.norm(vector)


def numbered_passages(messages: list[Any]) -> dict[int, str]:
    """The passages of the last user message, by number: what a model is shown by ``build_messages``."""
    users = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    text = str(users[-1]) if users else ""
    return {int(number): body.strip() for number, body in _PASSAGE_RE.findall(text)}


def first_sentence(text: str) -> str:
    match = _SENTENCE_RE.match(text.strip())
    return match.group(0).strip() if match else text.strip()


class FakeModelServer(FakeServer):
    """``POST …/embeddings``, ``POST …/chat/completions`` and ``GET …/models`` under any prefix (``/v1`` usually)."""

    service = "openai"

    def __init__(
        self,
        *,
        dim: int = 256,
        embedding_model: str = "fake-embedder",
        chat_model: str = "fake-chat",
        api_key: str | None = None,
        latency: float = 0.0,
    ) -> None:
        super().__init__(dictionary={}, api_key=api_key, latency=latency)
        self.dim = dim
        self.embedding_model = embedding_model
        self.chat_model = chat_model
        self._reply: tuple[str, str] | None = None
        self._reply_lock = threading.Lock()

    # configuration

    def reply_with(self, text: str | None, *, finish_reason: str = "stop") -> None:
        """Answer every chat request with ``text`` (and ``finish_reason``); None restores the default answer."""
        with self._reply_lock:
            self._reply = None if text is None else (text, finish_reason)

    def reverse_order(self, *, times: int | None = 1) -> None:
        self.inject(Fault("reverse_order"), times)

    def unnormalised(self, *, times: int | None = 1) -> None:
        """Send vectors of lengths other than 1, as servers that leave normalising to the client do."""
        self.inject(Fault("unnormalised"), times)

    def reset(self) -> None:
        super().reset()
        self.reply_with(None)

    # what was asked

    @property
    def embedded_texts(self) -> list[str]:
        """Every text received for embedding, in order, prefixes included."""
        texts: list[str] = []
        for request in self.requests:
            if request.path.endswith("/embeddings"):
                given = request.json.get("input")
                texts += [given] if isinstance(given, str) else list(given or [])
        return texts

    @property
    def chat_messages(self) -> list[list[dict[str, Any]]]:
        """The messages of each chat request received."""
        return [r.json.get("messages", []) for r in self.requests if r.path.endswith("/chat/completions")]

    # answering

    def error_body(self, message: str) -> Any:
        return {"error": {"message": message, "type": "fake_error", "code": None}}

    def route(self, request: RecordedRequest, fault: Fault | None) -> Reply:
        if request.method == "GET" and request.path.endswith("/models"):
            models = [{"id": m, "object": "model", "owned_by": "fake"} for m in (self.embedding_model, self.chat_model)]
            return Reply(200, {"object": "list", "data": models})
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return Reply(401, self.error_body("Incorrect API key provided."))
        if request.method == "POST" and request.path.endswith("/embeddings"):
            return self._embeddings(request, fault)
        if request.method == "POST" and request.path.endswith("/chat/completions"):
            return self._chat(request, fault)
        return Reply(404, self.error_body(f"no route for {request.method} {request.path}"))

    def _embeddings(self, request: RecordedRequest, fault: Fault | None) -> Reply:
        body = self.parse_body(request)
        given = body.get("input")
        texts = [given] if isinstance(given, str) else given
        if not body.get("model") or not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return Reply(400, self.error_body("'model' and 'input' (a string or a list of strings) are required"))
        if not texts:
            return Reply(400, self.error_body("'input' cannot be an empty list"))
        kind = fault.kind if fault else None
        if kind == "malformed":
            return Reply(200, b'{"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.1, ')
        scale = (lambda i: 2.5 + i) if kind == "unnormalised" else (lambda i: 1.0)
        data = [
            {"object": "embedding", "index": i, "embedding": (trigram_vector(text, self.dim) * scale(i)).tolist()}
            for i, text in enumerate(texts)
        ]
        if kind == "wrong_count":
            data = data[:-1]
        elif kind == "reverse_order":
            data.reverse()
        tokens = sum(len(text.split()) for text in texts)
        return Reply(
            200,
            {
                "object": "list",
                "data": data,
                "model": self.embedding_model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    def _chat(self, request: RecordedRequest, fault: Fault | None) -> Reply:
        body = self.parse_body(request)
        messages = body.get("messages")
        if not body.get("model") or not isinstance(messages, list):
            return Reply(400, self.error_body("'model' and 'messages' are required"))
        if fault and fault.kind == "malformed":
            return Reply(200, b'{"id": "chatcmpl-fake", "choices": [{"index": 0, "message": {"content": "Osman')
        with self._reply_lock:
            configured = self._reply
        if configured:
            content, finish_reason = configured
        else:
            content, finish_reason = self.default_answer(messages), "stop"
        return Reply(
            200,
            {
                "id": f"chatcmpl-fake-{len(self.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.chat_model,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}
                ],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            },
        )

    @staticmethod
    def default_answer(messages: list[Any]) -> str:
        """The first passage's first sentence, cited; ``NOT_IN_ENCYCLOPEDIA`` when the prompt has no passages."""
        passages = numbered_passages(messages)
        if not passages:
            return NOT_FOUND
        number = min(passages)
        return f"{first_sentence(passages[number])} [{number}]"
