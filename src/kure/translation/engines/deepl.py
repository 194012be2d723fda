"""Translation by the DeepL API (``POST /v2/translate``).

::

    KURE_TRANSLATION_ENGINES = {
        "tr-en": {"BACKEND": "kure.translation.engines.deepl.DeepLEngine",
                  "OPTIONS": {"api_key": "…:fx", "target_variant": "EN-GB"}},
    }

Options: ``api_key`` (required); ``url`` (default https://api-free.deepl.com for keys ending in ``:fx``,
https://api.deepl.com otherwise); ``target_variant`` (the DeepL target code, e.g. ``EN-GB``, ``EN-US``,
``PT-BR``; by default the target language upper-cased, with English as ``EN-GB`` and Portuguese as ``PT-PT``
because DeepL deprecates the bare codes); ``formality``; ``glossary_id`` (a glossary already created in DeepL for
this pair; sent with every request); ``ignore_tags`` (a list); ``timeout`` (seconds per request, 30);
``max_segments_per_request`` (50, DeepL's limit per request).

Placeholders go out as they are, with ``tag_handling: "xml"``: ``<g1>…</g1>`` and ``<x1/>`` are well-formed XML,
which DeepL keeps and moves with the words they wrap. The text between them is XML-escaped (``&``, ``<``,
``>``) and unescaped on the way back; ``<x1 />`` or ``<g1 >`` as DeepL may write them are normalised.

The per-call glossary hints are not used (``supports_glossary`` is False): DeepL only applies glossaries created
beforehand through its API, which ``glossary_id`` refers to.
"""

from __future__ import annotations

import html
import re
from typing import Any

from . import _http
from .base import EngineError, EngineNotConfigured, EngineUnavailable, GlossaryHint, TranslationEngine

FREE_URL = "https://api-free.deepl.com"
PRO_URL = "https://api.deepl.com"
#: DeepL target codes for languages whose bare code is deprecated as a target
DEFAULT_VARIANTS = {"en": "EN-GB", "pt": "PT-PT"}

# DeepL may space or re-close tags differently from how they were sent.
_RETURNED_TAG_RE = re.compile(r"<\s*g(\d+)\s*>|<\s*/\s*g(\d+)\s*>|<\s*x(\d+)\s*/\s*>|<\s*x(\d+)\s*>\s*<\s*/\s*x\4\s*>")


def from_xml(text: str) -> str:
    """DeepL's answer back to a segment: canonical placeholders, entities in the text between them decoded."""
    out = []
    position = 0
    for match in _RETURNED_TAG_RE.finditer(text):
        out.append(html.unescape(text[position : match.start()]))
        opening, closing, single, emptied = match.groups()
        if opening:
            out.append(f"<g{opening}>")
        elif closing:
            out.append(f"</g{closing}>")
        else:
            out.append(f"<x{single or emptied}/>")
        position = match.end()
    out.append(html.unescape(text[position:]))
    return "".join(out)


class DeepLEngine(TranslationEngine):
    name = "deepl"
    supports_batch = True
    supports_glossary = False

    def __init__(self, *, source: str, target: str, **options: Any) -> None:
        super().__init__(source=source, target=target, **options)
        engine = self.name
        api_key = _http.require_str(options, "api_key", engine=engine, hint="the authentication key of the account")
        url = options.get("url") or (FREE_URL if api_key.endswith(":fx") else PRO_URL)
        # Tolerate the versioned base URL that DeepL's documentation shows.
        url = _http.check_url(str(url), key="url", engine=engine, example=FREE_URL).removesuffix("/v2")
        self._batch_size = _http.positive_int(options, "max_segments_per_request", 50, engine=engine)
        self._target_lang = str(options.get("target_variant") or DEFAULT_VARIANTS.get(target, target)).upper()
        self._extra: dict[str, Any] = {}
        for key in ("formality", "glossary_id"):
            if options.get(key):
                self._extra[key] = str(options[key])
        ignore_tags = options.get("ignore_tags")
        if ignore_tags:
            if isinstance(ignore_tags, str) or not all(isinstance(tag, str) for tag in ignore_tags):
                raise EngineNotConfigured(f"OPTIONS['ignore_tags'] of the {engine!r} engine must be a list of names.")
            self._extra["ignore_tags"] = list(ignore_tags)
        self._client = _http.JsonClient(
            service="DeepL",
            base_url=url,
            timeout=_http.positive_number(options, "timeout", 30, engine=engine),
            headers={"Authorization": f"DeepL-Auth-Key {api_key}"},
            secrets=(api_key,),
            status_errors={
                403: (EngineNotConfigured, "the DeepL key was refused; check OPTIONS['api_key'] (and OPTIONS['url']: "
                      "free keys end in ':fx' and use api-free.deepl.com)"),
                456: (EngineUnavailable, "the character quota of the DeepL account is used up for this period"),
            },
        )

    @property
    def model(self) -> str:
        return "deepl"

    def translate(self, segments: list[str], *, glossary: tuple[GlossaryHint, ...] = ()) -> list[str]:
        return _http.translate_in_batches(segments, self._batch_size, self._translate_batch)

    def _translate_batch(self, batch: list[str], positions: list[int]) -> list[str]:
        payload = {
            "text": [_http.escape_text(segment) for segment in batch],
            "source_lang": self.source.upper(),
            "target_lang": self._target_lang,
            "tag_handling": "xml",
            **self._extra,
        }
        reply = self._client.post_json("/v2/translate", payload)
        items = reply.get("translations") if isinstance(reply, dict) else None
        if not isinstance(items, list) or not all(isinstance(item, dict) and isinstance(item.get("text"), str)
                                                  for item in items):
            raise EngineError(
                f"DeepL at {self._client.where} answered without a list of translations: "
                f"{_http.excerpt(_http.redact(str(reply), self._client.secrets), 200)!r}"
            )
        if len(items) != len(batch):
            raise EngineError(
                f"DeepL at {self._client.where} returned {len(items)} translations for {len(batch)} segments "
                f"(segments {positions[0] + 1}–{positions[-1] + 1})."
            )
        return [from_xml(item["text"]) for item in items]
