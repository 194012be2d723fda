"""The interface every machine translation engine implements.

An engine turns a batch of source segments into target segments for one language pair. Segments carry inline
markup as placeholders (see ``kure.translation.segments``): an engine must return every placeholder it was
given, unchanged; the caller checks, and a segment that lost one is not used.

Engines are configured in ``settings.KURE_TRANSLATION_ENGINES``::

    KURE_TRANSLATION_ENGINES = {
        "tr-en": {"BACKEND": "kure.translation.engines.ctranslate2.CTranslate2Engine",
                  "OPTIONS": {"model_dir": "/srv/models/opus-mt-tr-en"}},
    }

and loaded with ``load_engine(source, target)``. A pair with no entry has no engine: the translation is made
from the translation memory alone, and says so. No engine ever downloads weights or data.
"""

import json
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class EngineError(Exception):
    """The engine cannot translate this input; retrying will not help."""


class EngineUnavailable(EngineError):
    """The engine is down, overloaded or timed out; the job should retry later with backoff."""


class EngineNotConfigured(EngineError):
    """No engine is configured for the pair, or its configuration is incomplete; the message says what to set."""


@dataclass(frozen=True)
class GlossaryHint:
    """A term the translation must render in a fixed way (source term → required target term)."""

    source: str
    target: str


class TranslationEngine(ABC):
    """One engine instance serves one language pair (``source`` → ``target``, ISO 639-1 codes)."""

    #: short name stored with every segment it produced ("ctranslate2", "openai", …)
    name: str = ""
    #: translates many segments per call efficiently
    supports_batch: bool = True
    #: can be told glossary terms (``translate(..., glossary=…)`` uses them rather than ignoring them)
    supports_glossary: bool = False

    def __init__(self, *, source: str, target: str, **options) -> None:
        self.source = source
        self.target = target
        self.options = options

    @property
    def model(self) -> str:
        """Which model produced the output (a directory name, a model id); stored as the segment's origin."""
        return ""

    @abstractmethod
    def translate(self, segments: list[str], *, glossary: tuple[GlossaryHint, ...] = ()) -> list[str]:
        """Translate each segment; the result has the same length and order as ``segments``.

        Raises ``EngineUnavailable`` for failures worth retrying and ``EngineError`` for the others.
        """

    def close(self) -> None:  # noqa: B027 (an optional hook: most engines hold nothing to release)
        """Release models or connections held by the engine."""


def pair_key(source: str, target: str) -> str:
    return f"{source}-{target}"


def engine_config(source: str, target: str) -> dict | None:
    engines = getattr(settings, "KURE_TRANSLATION_ENGINES", {}) or {}
    return engines.get(pair_key(source, target)) or engines.get("*")


_ENGINES: dict[tuple[str, str, str], TranslationEngine] = {}
_ENGINES_LOCK = threading.Lock()


def load_engine(source: str, target: str) -> TranslationEngine | None:
    """The engine configured for a pair, or None when the pair is translated from memory alone.

    Engines are kept per process and configuration, so a worker loads a model once, not once per job.
    """
    config = engine_config(source, target)
    if not config:
        return None
    key = (source, target, json.dumps(config, sort_keys=True, default=str))
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = _make_engine(source, target, config)
        return _ENGINES[key]


def close_engines() -> None:
    """Release every loaded engine (tests, and a worker shutting down)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.close()
        _ENGINES.clear()


def _make_engine(source: str, target: str, config: dict) -> TranslationEngine:
    try:
        cls = import_string(config["BACKEND"])
    except (ImportError, KeyError) as exc:
        raise EngineNotConfigured(
            f"The translation engine for {pair_key(source, target)} cannot be loaded: {exc}. "
            "Check KURE_TRANSLATION_ENGINES in the settings."
        ) from exc
    return cls(source=source, target=target, **config.get("OPTIONS", {}))
