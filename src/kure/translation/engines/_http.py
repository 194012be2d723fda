"""Plumbing shared by the engines that call a translation service over HTTP (OpenAI-compatible, LibreTranslate,
DeepL): option checking, batching, placeholder checks and a small JSON client on the standard library.

Error policy (see ``base.py``): connection failures, timeouts, HTTP 408/429/5xx → ``EngineUnavailable`` (the job
retries later); other 4xx and unusable answers → ``EngineError``; missing or refused credentials →
``EngineNotConfigured``. Messages name the service and its host, the status and a short excerpt of the body, and
never a secret: every configured key is masked, including when a server echoes it back.
"""

from __future__ import annotations

import html
import http.client
import ipaddress
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .base import EngineError, EngineNotConfigured, EngineUnavailable

USER_AGENT = "Kure-translation/1"
EXCERPT_CHARS = 200
REDACTED = "[redacted]"

# --- options ---------------------------------------------------------------------------------------------------


def _where(engine: str, key: str) -> str:
    return f"OPTIONS[{key!r}] of the {engine!r} engine in KURE_TRANSLATION_ENGINES"


def require_str(options: Mapping[str, Any], key: str, *, engine: str, hint: str = "") -> str:
    value = options.get(key)
    if not isinstance(value, str) or not value.strip():
        raise EngineNotConfigured(f"Set {_where(engine, key)}{f' ({hint})' if hint else ''}.")
    return value.strip()


def require_url(options: Mapping[str, Any], key: str, *, engine: str, example: str) -> str:
    url = require_str(options, key, engine=engine, hint=f"for example {example}")
    return check_url(url, key=key, engine=engine, example=example)


def check_url(url: str, *, key: str, engine: str, example: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EngineNotConfigured(f"{_where(engine, key)} must be an http(s) URL such as {example}.")
    return url.rstrip("/")


def positive_number(options: Mapping[str, Any], key: str, default: float, *, engine: str) -> float:
    value = options.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = 0.0
    if number <= 0:
        raise EngineNotConfigured(f"{_where(engine, key)} must be a positive number, not {value!r}.")
    return number


def positive_int(options: Mapping[str, Any], key: str, default: int, *, engine: str) -> int:
    value = options.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EngineNotConfigured(f"{_where(engine, key)} must be a whole number of at least 1, not {value!r}.")
    return value


def string_map(options: Mapping[str, Any], key: str, *, engine: str) -> dict[str, str]:
    value = options.get(key) or {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise EngineNotConfigured(f"{_where(engine, key)} must map header names to strings.")
    return dict(value)


# --- placeholders ----------------------------------------------------------------------------------------------

#: ``<g1>``, ``</g1>`` and ``<x1/>`` exactly as ``kure.translation.segments`` writes them
PLACEHOLDER_RE = re.compile(r"<g(\d+)>|</g(\d+)>|<x(\d+)/>")


def placeholders(segment: str) -> Counter[str]:
    return Counter(match.group(0) for match in PLACEHOLDER_RE.finditer(segment))


def placeholders_intact(source: str, translation: str) -> bool:
    """Every placeholder of ``source`` is in ``translation`` exactly as often, and paired tags still open first."""
    if placeholders(source) != placeholders(translation):
        return False
    return all(translation.find(f"<g{n}>") < translation.find(f"</g{n}>") for n in _paired_ids(translation))


def _paired_ids(segment: str) -> set[str]:
    return {match.group(1) for match in PLACEHOLDER_RE.finditer(segment) if match.group(1)}


def needs_translation(segment: str) -> bool:
    """Blank segments, and those holding only tags, numbers and punctuation, are returned as they are: asking a
    service about them costs a round trip and invites a language model to make something up."""
    return any(char.isalpha() for char in PLACEHOLDER_RE.sub("", segment))


def split_placeholders(segment: str) -> list[str]:
    """The segment cut into alternating text and placeholder pieces: text at even indexes (possibly empty),
    placeholders at odd ones."""
    pieces: list[str] = []
    position = 0
    for match in PLACEHOLDER_RE.finditer(segment):
        pieces += [segment[position : match.start()], match.group(0)]
        position = match.end()
    pieces.append(segment[position:])
    return pieces


def escape_text(segment: str) -> str:
    """Escape ``&``, ``<`` and ``>`` in the text between placeholders, for services that read markup."""
    pieces = split_placeholders(segment)
    return "".join(piece if i % 2 else html.escape(piece, quote=False) for i, piece in enumerate(pieces))


def excerpt(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- batching --------------------------------------------------------------------------------------------------


def translate_in_batches(
    segments: Sequence[str], batch_size: int, translate_batch: Callable[[list[str], list[int]], list[str]]
) -> list[str]:
    """Send the segments that need translating in batches of at most ``batch_size``; the others come back as they
    are. ``translate_batch`` gets the batch and the positions of its segments in ``segments`` (for messages).

    Segments go out without surrounding whitespace, which the services drop or mangle anyway, and get it back.
    """
    results = list(segments)
    positions = [i for i, segment in enumerate(segments) if needs_translation(segment)]
    for start in range(0, len(positions), batch_size):
        chunk = positions[start : start + batch_size]
        translations = translate_batch([segments[i].strip() for i in chunk], chunk)
        if len(translations) != len(chunk):  # each engine checks this too; this guards the contract
            raise EngineError(f"The engine returned {len(translations)} translations for {len(chunk)} segments.")
        for i, translation in zip(chunk, translations, strict=True):
            segment = segments[i]
            leading = segment[: len(segment) - len(segment.lstrip())]
            trailing = segment[len(segment.rstrip()) :]
            results[i] = leading + translation.strip() + trailing
    return results


# --- HTTP ------------------------------------------------------------------------------------------------------


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and len(secret) >= 4:  # masking one- or two-letter "secrets" would garble every message
            text = text.replace(secret, REDACTED)
    return text


def _error_detail(body: bytes) -> str:
    """The useful part of an error body: the message field of the usual JSON shapes, else the text itself."""
    text = body.decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"]  # OpenAI and most compatible servers
        for value in (error, data.get("message"), data.get("detail")):  # LibreTranslate, DeepL, FastAPI
            if isinstance(value, str):
                return value
    return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class JsonClient:
    """POSTs JSON to one service and returns the decoded JSON answer, mapping every failure to an engine error.

    ``timeout`` bounds each blocking step (connecting, each read), as urllib does; a server that keeps the
    connection open without answering is cut off after ``timeout`` seconds.
    """

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        status_errors: Mapping[int, tuple[type[EngineError], str]] | None = None,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.secrets = tuple(s for s in secrets if s)
        self.status_errors = dict(status_errors or {})
        parts = urllib.parse.urlsplit(self.base_url)
        # Shown in messages: never the path or query (a key may hide there) nor user:password@.
        host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname  # IPv6
        self.where = f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}"
        # Proxies from the environment apply to hosted services, but a model served on this machine is never
        # behind one, and sending its traffic out through a corporate proxy would only fail slowly.
        proxies = {} if _is_loopback(parts.hostname or "") else None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(proxies))

    def post_json(self, path: str, payload: Any) -> Any:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                **self.headers,
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            # ``from None``: the HTTPError holds the whole body; the message below has what is worth keeping.
            raise self._status_error(exc.code, _read_quietly(exc)) from None
        except urllib.error.URLError as exc:
            raise self._connection_error(exc.reason) from exc
        except (OSError, http.client.HTTPException) as exc:  # timeouts and resets while reading the answer
            raise self._connection_error(exc) from exc
        try:
            return json.loads(body)
        except ValueError:
            raise EngineError(
                f"{self.service} at {self.where} answered with something that is not JSON: {self._excerpt(body)!r}"
            ) from None

    def _connection_error(self, reason: object) -> EngineUnavailable:
        if isinstance(reason, TimeoutError):
            return EngineUnavailable(f"{self.service} at {self.where} did not answer within {self.timeout:g} s.")
        detail = redact(str(reason), self.secrets) or type(reason).__name__
        return EngineUnavailable(f"{self.service} at {self.where} cannot be reached: {detail}")

    def _status_error(self, status: int, body: bytes) -> EngineError:
        detail = self._excerpt(body)
        if status in self.status_errors:
            cls, message = self.status_errors[status]
            return cls(f"{self.service} at {self.where}: {message} (HTTP {status}: {detail})")
        if status in (408, 429) or status >= 500:
            return EngineUnavailable(f"{self.service} at {self.where} is busy or failing (HTTP {status}): {detail}")
        return EngineError(f"{self.service} at {self.where} refused the request (HTTP {status}): {detail}")

    def _excerpt(self, body: bytes) -> str:
        return excerpt(redact(_error_detail(body), self.secrets), EXCERPT_CHARS) or "(empty body)"


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(64 * 1024)
    except (OSError, http.client.HTTPException):
        return b""
    finally:
        exc.close()


def post_as(client: JsonClient, path: str, payload: Mapping[str, Any], *, not_configured: type[Exception],
            unavailable: type[Exception], error: type[Exception]) -> Any:
    """``client.post_json``, its errors re-raised with the same message as another family's exceptions.

    The embedding and answer engines share this client but have error trees of their own.
    """
    try:
        return client.post_json(path, payload)
    except EngineNotConfigured as exc:
        raise not_configured(str(exc)) from exc
    except EngineUnavailable as exc:
        raise unavailable(str(exc)) from exc
    except EngineError as exc:
        raise error(str(exc)) from exc
