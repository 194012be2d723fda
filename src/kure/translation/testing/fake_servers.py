"""Stand-ins for translation services, for tests and benchmarks: real HTTP servers on 127.0.0.1 speaking the
OpenAI chat-completions, LibreTranslate and DeepL API shapes, with a deterministic word-for-word "translation".

::

    with FakeOpenAIServer(dictionary={"dağ": "mountain"}) as server:
        engine = OpenAIChatEngine(source="tr", target="en", base_url=server.url + "/v1", model="fake")
        server.fail(503, times=2)      # the next two requests get HTTP 503
        server.hang(5)                 # the one after that gets no answer for 5 s
        ...
        server.requests[-1].json       # what the engine sent

Translation replaces whole words found in ``dictionary`` (case-insensitively, keeping an initial capital) and
leaves everything else — unknown words, numbers, placeholders, markup — as it is. Each server reads the request
the way its real counterpart does (the OpenAI one finds the JSON array of segments and the ``source → target``
glossary lines in the messages) and can be told to misbehave for the next requests, or for all of them
(``times=None``): ``fail(status)``, ``hang(seconds)``, ``malformed()``, ``garbage()``, ``drop_placeholder()``,
``wrong_count()``, and for the OpenAI server ``code_fence()``. ``reset()`` clears faults and recorded requests.

Servers bind to 127.0.0.1 only, on a port the operating system picks.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

#: A few Turkish words and their English counterparts, enough for readable test output.
DEFAULT_DICTIONARY: dict[str, str] = {
    "ve": "and",
    "bir": "a",
    "bu": "this",
    "ile": "with",
    "başkent": "capital",
    "başkentidir": "is the capital",
    "şehir": "city",
    "şehirdir": "is a city",
    "dağ": "mountain",
    "nehir": "river",
    "yıl": "year",
    "yılında": "in the year",
    "nüfus": "population",
    "tarih": "history",
    "ülke": "country",
    "merhaba": "hello",
    "dünya": "world",
    "büyük": "great",
    "küçük": "small",
    "eski": "old",
    "yeni": "new",
}

_TAG_RE = re.compile(r"<[^<>]*>")  # any tag: placeholders, HTML or XML
_PLACEHOLDER_RE = re.compile(r"</?g\d+>|<x\d+/>")
_GLOSSARY_LINE_RE = re.compile(r"^\s*(?:[-*•]\s*)?(\S.*?)\s*→\s*(\S.*?)\s*$", re.MULTILINE)


def word_translator(dictionary: Mapping[str, str]) -> Callable[[str], str]:
    """A function translating plain text (no markup) word for word with ``dictionary``; phrases work too."""
    table = {source.lower(): target for source, target in dictionary.items()}
    if not table:
        return lambda text: text
    alternatives = "|".join(re.escape(source) for source in sorted(table, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        target = table.get(found.lower(), found)
        return target[:1].upper() + target[1:] if found[:1].isupper() else target

    return lambda text: pattern.sub(replace, text)


def translate_markup(text: str, translate: Callable[[str], str]) -> str:
    """Translate the text between tags, leaving the tags (placeholders, XML) untouched."""
    pieces = re.split(f"({_TAG_RE.pattern})", text)
    return "".join(piece if i % 2 else translate(piece) for i, piece in enumerate(pieces))


def drop_first_placeholder(texts: list[str], pattern: re.Pattern[str] = _PLACEHOLDER_RE) -> list[str]:
    """The texts with the first tag matching ``pattern`` removed from the first text that has one."""
    texts = list(texts)
    for i, text in enumerate(texts):
        if pattern.search(text):
            texts[i] = pattern.sub("", text, count=1)
            break
    return texts


def miscount(texts: list[str]) -> list[str]:
    """One item too few (or one too many, for a single item)."""
    return texts[:-1] if len(texts) > 1 else [*texts, texts[0] if texts else ""]


# --- the server machinery --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Fault:
    """How to misbehave for one request."""

    kind: str  # "status", "hang", "malformed", "garbage", "drop_placeholder", "wrong_count", "code_fence"
    status: int = 503
    body: str | None = None
    echo_request: bool = False  # repeat the request's credentials and body in the error (redaction tests)
    seconds: float = 0.0


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialisable, or bytes sent as they are
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (the name http.server expects)
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        reply = self.server.fake.handle(request)
        if reply is None:  # hung up, or the server is stopping
            self.close_connection = True
            return
        body = reply.encoded()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # keep test output clean


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that gave up on a hanging request break the pipe; that is expected here


class FakeServer:
    """Common machinery: lifecycle, request log, fault queue, word-for-word translation."""

    #: what a 401/403 or other error body looks like for this service
    service = "fake"

    def __init__(
        self, *, dictionary: Mapping[str, str] | None = None, api_key: str | None = None, latency: float = 0.0
    ) -> None:
        self.dictionary = dict(DEFAULT_DICTIONARY if dictionary is None else dictionary)
        self.api_key = api_key
        self.latency = latency  # seconds added to every answer, for benchmarks
        self.requests: list[RecordedRequest] = []
        self._faults: deque[Fault] = deque()
        self._standing_fault: Fault | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> Self:
        self._stopping.clear()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        # A short poll interval makes stop() quick; the default (0.5 s) would dominate a test's run time.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name=f"{self.service}-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes hanging handlers
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if not self._httpd:
            raise RuntimeError("the fake server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # faults

    def inject(self, fault: Fault, times: int | None = 1) -> None:
        """Apply ``fault`` to the next ``times`` requests (to every request from now on if ``times`` is None)."""
        with self._lock:
            if times is None:
                self._standing_fault = fault
            else:
                self._faults.extend([fault] * times)

    def fail(self, status: int = 503, *, times: int | None = 1, body: str | None = None,
             echo_request: bool = False) -> None:
        self.inject(Fault("status", status=status, body=body, echo_request=echo_request), times)

    def hang(self, seconds: float = 30.0, *, times: int | None = 1) -> None:
        """Say nothing for ``seconds`` (or until the server stops), then hang up."""
        self.inject(Fault("hang", seconds=seconds), times)

    def malformed(self, *, times: int | None = 1) -> None:
        """Answer 200 with broken JSON (for the OpenAI server: a message whose content is broken JSON)."""
        self.inject(Fault("malformed"), times)

    def garbage(self, *, times: int | None = 1) -> None:
        """Answer 200 with an HTML page, as a misconfigured proxy would."""
        self.inject(Fault("garbage"), times)

    def drop_placeholder(self, *, times: int | None = 1) -> None:
        self.inject(Fault("drop_placeholder"), times)

    def wrong_count(self, *, times: int | None = 1) -> None:
        self.inject(Fault("wrong_count"), times)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._standing_fault = None
            self.requests.clear()

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else self._standing_fault

    # requests

    def handle(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            self.requests.append(request)
        fault = self._next_fault()
        if self.latency and self._stopping.wait(self.latency):
            return None
        if fault and fault.kind == "hang":
            self._stopping.wait(fault.seconds)
            return None
        if fault and fault.kind == "status":
            message = fault.body if fault.body is not None else f"simulated failure {fault.status}"
            if fault.echo_request:
                message += f" (authorization: {request.headers.get('authorization')}; body: {request.text})"
            return Reply(fault.status, self.error_body(message))
        if fault and fault.kind == "garbage":
            return Reply(200, b"<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html")
        try:
            return self.route(request, fault)
        except _ClientError as exc:
            return Reply(exc.status, self.error_body(exc.message))

    def route(self, request: RecordedRequest, fault: Fault | None) -> Reply:
        raise NotImplementedError

    def error_body(self, message: str) -> Any:
        return {"error": message}

    def translate_text(self, text: str, extra: Mapping[str, str] | None = None) -> str:
        """Translate text with placeholders or markup; ``extra`` terms (a glossary) take precedence."""
        translate = word_translator({**self.dictionary, **(extra or {})})
        return translate_markup(text, translate)

    @staticmethod
    def parse_body(request: RecordedRequest) -> dict[str, Any]:
        """JSON or form-encoded body, as the real services accept both."""
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = urllib.parse.parse_qs(request.text, keep_blank_values=True)
            # Repeated fields (DeepL's text=…&text=…) are lists; single ones are plain values.
            return {key: values if len(values) > 1 or key == "text" else values[0] for key, values in form.items()}
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise _ClientError(400, "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise _ClientError(400, "the body must be a JSON object")
        return data


class _ClientError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- OpenAI-compatible chat completions ------------------------------------------------------------------------


class FakeOpenAIServer(FakeServer):
    """``POST …/chat/completions`` and ``GET …/models`` under any prefix (``/v1`` usually).

    The segments are the first JSON array found in the last user message — strings or ``{"id", "text"}``
    objects; glossary terms are the ``source → target`` lines of any message. The answer's content is
    ``{"translations": [...]}``. With ``api_key`` set, requests need ``Authorization: Bearer <api_key>``.
    """

    service = "openai"

    def __init__(self, *, model: str = "fake-model", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.model = model

    def code_fence(self, *, times: int | None = 1) -> None:
        """Wrap the JSON answer in a Markdown code fence with a sentence before it, as chatty models do."""
        self.inject(Fault("code_fence"), times)

    def error_body(self, message: str) -> Any:
        return {"error": {"message": message, "type": "fake_error", "code": None}}

    @property
    def prompts(self) -> list[str]:
        """The text of all messages of each chat request received, for checking what the model was told."""
        return [
            "\n".join(str(message.get("content", "")) for message in request.json.get("messages", []))
            for request in self.requests
            if request.path.endswith("/chat/completions")
        ]

    def route(self, request: RecordedRequest, fault: Fault | None) -> Reply:
        if request.method == "GET" and request.path.endswith("/models"):
            return Reply(200, {"object": "list", "data": [{"id": self.model, "object": "model", "owned_by": "fake"}]})
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            raise _ClientError(404, f"no route for {request.method} {request.path}")
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            raise _ClientError(401, "Incorrect API key provided.")
        body = self.parse_body(request)
        messages = body.get("messages")
        if not body.get("model") or not isinstance(messages, list):
            raise _ClientError(400, "'model' and 'messages' are required")
        segments = self.find_segments(messages)
        glossary = self.find_glossary(messages)
        translations = [self.translate_text(segment, glossary) for segment in segments]

        kind = fault.kind if fault else None
        if kind == "drop_placeholder":
            translations = drop_first_placeholder(translations)
        elif kind == "wrong_count":
            translations = miscount(translations)
        content = json.dumps({"translations": translations}, ensure_ascii=False)
        if kind == "malformed":
            # An unquoted key and no closing brackets: what a small model cut off mid-answer produces.
            content = "Here are the translations: {translations: " + json.dumps(translations, ensure_ascii=False)[:-1]
        elif kind == "code_fence":
            content = f"Sure! Here is the JSON you asked for:\n\n```json\n{content}\n```\n"
        return Reply(200, self.completion(content))

    def completion(self, content: str) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    @staticmethod
    def find_segments(messages: list[Any]) -> list[str]:
        user_texts = [m.get("content", "") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        text = str(user_texts[-1]) if user_texts else ""
        decoder = json.JSONDecoder()
        for match in re.finditer(r"\[", text):
            try:
                value = decoder.raw_decode(text, match.start())[0]
            except ValueError:
                continue
            if isinstance(value, list):
                return [item.get("text", "") if isinstance(item, dict) else str(item) for item in value]
        raise _ClientError(400, "the fake server found no JSON array of segments in the last user message")

    @staticmethod
    def find_glossary(messages: list[Any]) -> dict[str, str]:
        text = "\n".join(str(m.get("content", "")) for m in messages if isinstance(m, dict))
        return dict(_GLOSSARY_LINE_RE.findall(text))


# --- LibreTranslate --------------------------------------------------------------------------------------------


class _HtmlTranslator(HTMLParser):
    """Translates the text of an HTML fragment, writing elements back the way BeautifulSoup does
    (``<img id="x1"/>`` for void elements, attributes double-quoted)."""

    VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

    def __init__(self, translate: Callable[[str], str]) -> None:
        super().__init__(convert_charrefs=True)
        self.translate = translate
        self.out: list[str] = []

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> str:
        attributes = "".join(f' {name}="{escape(value or "")}"' for name, value in attrs)
        return f"<{tag}{attributes}{'/' if closed else ''}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._start(tag, attrs, tag in self.VOID))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._start(tag, attrs, True))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape(self.translate(data), quote=False))


class FakeLibreTranslateServer(FakeServer):
    """``POST /translate`` (``q`` a string or a list; ``format`` "text" or "html") and ``GET /languages``.

    With ``api_key`` set, requests need ``api_key`` in the body (403 otherwise, as LibreTranslate answers).
    """

    service = "libretranslate"

    def __init__(self, *, languages: tuple[str, ...] = ("tr", "en", "de", "fr"), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.languages = languages

    def route(self, request: RecordedRequest, fault: Fault | None) -> Reply:
        if request.method == "GET" and request.path == "/languages":
            targets = list(self.languages)
            return Reply(200, [{"code": code, "name": code, "targets": targets} for code in self.languages])
        if request.method != "POST" or request.path != "/translate":
            raise _ClientError(404, "Not Found")
        body = self.parse_body(request)
        if self.api_key and body.get("api_key") != self.api_key:
            raise _ClientError(403, "Invalid API key")
        q = body.get("q")
        if q is None or q == "" or q == []:
            raise _ClientError(400, "Invalid request: missing q parameter")
        for key in ("source", "target"):
            if body.get(key) not in self.languages:
                raise _ClientError(400, f"{body.get(key)} is not supported")
        texts = q if isinstance(q, list) else [q]
        translate = word_translator(self.dictionary)
        if body.get("format") == "html":
            translations = [self._translate_html(text, translate) for text in texts]
        else:
            translations = [translate(text) for text in texts]

        kind = fault.kind if fault else None
        if kind == "drop_placeholder":
            translations = drop_first_placeholder(translations, re.compile(r"<img[^>]*>|<span[^>]*>"))
        elif kind == "wrong_count":
            translations = miscount(translations)
        elif kind == "malformed":
            return Reply(200, json.dumps({"translatedText": translations})[:-3].encode())
        return Reply(200, {"translatedText": translations if isinstance(q, list) else translations[0]})

    @staticmethod
    def _translate_html(text: str, translate: Callable[[str], str]) -> str:
        parser = _HtmlTranslator(translate)
        parser.feed(" ".join(text.split()))  # LibreTranslate collapses whitespace before parsing
        parser.close()
        return "".join(parser.out)


# --- DeepL -----------------------------------------------------------------------------------------------------


class FakeDeepLServer(FakeServer):
    """``POST /v2/translate`` and ``GET /v2/usage``, authenticated with ``Authorization: DeepL-Auth-Key <key>``.

    Without ``api_key`` any key is accepted, but the header must be there. ``tag_handling: "xml"`` keeps tags and
    translates the (entity-escaped) text between them.
    """

    service = "deepl"

    def error_body(self, message: str) -> Any:
        return {"message": message}

    def route(self, request: RecordedRequest, fault: Fault | None) -> Reply:
        given = request.headers.get("authorization", "")
        if not given.startswith("DeepL-Auth-Key ") or (self.api_key and given != f"DeepL-Auth-Key {self.api_key}"):
            raise _ClientError(403, "Forbidden")
        if request.method == "GET" and request.path == "/v2/usage":
            return Reply(200, {"character_count": 0, "character_limit": 500000})
        if request.method != "POST" or request.path != "/v2/translate":
            raise _ClientError(404, "Not found")
        body = self.parse_body(request)
        texts = body.get("text")
        if not isinstance(texts, list) or not texts or not all(isinstance(text, str) for text in texts):
            raise _ClientError(400, "Parameter 'text' not specified.")
        if not body.get("target_lang"):
            raise _ClientError(400, "Value for 'target_lang' not supported.")
        translations = [self.translate_text(text) for text in texts]

        kind = fault.kind if fault else None
        if kind == "drop_placeholder":
            translations = drop_first_placeholder(translations)
        elif kind == "wrong_count":
            translations = miscount(translations)
        elif kind == "malformed":
            return Reply(200, b'{"translations": [{"text": "')
        detected = str(body.get("source_lang") or "TR").upper()
        return Reply(200, {"translations": [{"detected_source_language": detected, "text": t} for t in translations]})
