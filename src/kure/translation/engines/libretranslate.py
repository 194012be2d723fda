"""Translation by a LibreTranslate server (self-hosted Argos Translate models, or a hosted instance).

::

    KURE_TRANSLATION_ENGINES = {
        "tr-en": {"BACKEND": "kure.translation.engines.libretranslate.LibreTranslateEngine",
                  "OPTIONS": {"url": "http://127.0.0.1:5000"}},
    }

Options: ``url`` (required); ``api_key`` (for instances that require one); ``timeout`` (seconds per request, 60);
``max_segments_per_request`` (20; keep it at or below the server's ``--batch-limit``).

Segments are sent with ``format: "html"``, so that LibreTranslate moves markup along with the words it wraps.
Placeholders therefore travel as HTML elements, and the text between them is HTML-escaped (``&``, ``<``, ``>``)::

    <g1>…</g1>  ↔  <span id="g1">…</span>
    <x1/>       ↔  <img id="x1">

On the way back the answer is read with an HTML parser: any element whose ``id`` is ``gN`` becomes ``<gN>…</gN>``
(the closing tag is found by nesting, whatever the tag name), one whose ``id`` is ``xN`` becomes ``<xN/>``
(self-closed or not), other elements are dropped, and entities are decoded. A placeholder the server lost stays
lost; the caller's check rejects that segment. LibreTranslate collapses runs of whitespace inside a segment.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from . import _http
from .base import EngineError, EngineNotConfigured, GlossaryHint, TranslationEngine

_GROUP_ID = re.compile(r"g(\d+)")
_SINGLE_ID = re.compile(r"x(\d+)")
#: HTML elements that never have a closing tag
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


def to_html(segment: str) -> str:
    """``Ankara <g1>&</g1><x1/>`` → ``Ankara <span id="g1">&amp;</span><img id="x1">``."""
    out = []
    for i, piece in enumerate(_http.split_placeholders(segment)):
        if not i % 2:
            out.append(html.escape(piece, quote=False))
        elif piece.startswith("</"):
            out.append("</span>")
        elif piece.startswith("<g"):
            out.append(f'<span id="{piece[1:-1]}">')
        else:
            out.append(f'<img id="{piece[1:-2]}">')
    return "".join(out)


class _PlaceholderReader(HTMLParser):
    """Turns the HTML that LibreTranslate returns back into a segment with ``<gN>``/``<xN/>`` placeholders."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[tuple[str, str | None]] = []  # (tag name, placeholder id or None) of elements still open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element_id = dict(attrs).get("id") or ""
        if _SINGLE_ID.fullmatch(element_id):
            self.out.append(f"<{element_id}/>")
            group = None
        elif _GROUP_ID.fullmatch(element_id):
            self.out.append(f"<{element_id}>")
            group = element_id
        else:
            group = None
        if tag not in _VOID:
            self.open.append((tag, group))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element_id = dict(attrs).get("id") or ""
        if _SINGLE_ID.fullmatch(element_id):
            self.out.append(f"<{element_id}/>")
        elif _GROUP_ID.fullmatch(element_id):  # an emptied pair, written self-closed
            self.out.append(f"<{element_id}></{element_id}>")

    def handle_endtag(self, tag: str) -> None:
        # Close the innermost open element of that name (and anything left open inside it).
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                for _, group in reversed(self.open[depth:]):
                    if group:
                        self.out.append(f"</{group}>")
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def from_html(markup: str) -> str:
    """The inverse of ``to_html``, tolerant of how HTML serialisers rewrite markup."""
    reader = _PlaceholderReader()
    reader.feed(markup)
    reader.close()
    return "".join(reader.out)


class LibreTranslateEngine(TranslationEngine):
    name = "libretranslate"
    supports_batch = True
    supports_glossary = False

    def __init__(self, *, source: str, target: str, **options: Any) -> None:
        super().__init__(source=source, target=target, **options)
        engine = self.name
        url = _http.require_url(options, "url", engine=engine, example="http://127.0.0.1:5000")
        url = url.removesuffix("/translate")  # the endpoint itself, as copied from the server's API page
        self._api_key = options.get("api_key") or ""
        if not isinstance(self._api_key, str):
            raise EngineNotConfigured(f"OPTIONS['api_key'] of the {engine!r} engine must be a string.")
        self._batch_size = _http.positive_int(options, "max_segments_per_request", 20, engine=engine)
        self._client = _http.JsonClient(
            service="LibreTranslate",
            base_url=url,
            timeout=_http.positive_number(options, "timeout", 60, engine=engine),
            secrets=(self._api_key,),
            # LibreTranslate answers 403 for a missing or wrong key on instances that require one.
            status_errors={403: (EngineNotConfigured, "the API key was refused; check OPTIONS['api_key']")},
        )

    @property
    def model(self) -> str:
        return "libretranslate"  # the server does not say which Argos model it used

    def translate(self, segments: list[str], *, glossary: tuple[GlossaryHint, ...] = ()) -> list[str]:
        return _http.translate_in_batches(segments, self._batch_size, self._translate_batch)

    def _translate_batch(self, batch: list[str], positions: list[int]) -> list[str]:
        payload: dict[str, Any] = {
            "q": [to_html(segment) for segment in batch],
            "source": self.source,
            "target": self.target,
            "format": "html",
        }
        if self._api_key:
            payload["api_key"] = self._api_key
        reply = self._client.post_json("/translate", payload)
        translated = reply.get("translatedText") if isinstance(reply, dict) else None
        if isinstance(translated, str) and len(batch) == 1:  # older servers answer a one-item list with a string
            translated = [translated]
        if not isinstance(translated, list) or not all(isinstance(item, str) for item in translated):
            raise EngineError(
                f"LibreTranslate at {self._client.where} answered without a list of translations: "
                f"{_http.excerpt(_http.redact(str(reply), self._client.secrets), 200)!r}"
            )
        if len(translated) != len(batch):
            raise EngineError(
                f"LibreTranslate at {self._client.where} returned {len(translated)} translations "
                f"for {len(batch)} segments (segments {positions[0] + 1}–{positions[-1] + 1})."
            )
        return [from_html(item) for item in translated]
