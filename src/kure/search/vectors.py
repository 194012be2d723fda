"""Finding sections by meaning: an in-memory copy of the section vectors, searched by brute force.

The vectors live in the database (``SectionVector``); each process keeps one float32 matrix of them for the
configured model and reloads it when ``IndexState('vectors')`` says they changed (checked at most every
``CHECK_SECONDS``). A matrix product over 100,000 sections of 384 dimensions takes a few milliseconds, which is
why there is no approximate index to keep in step; ``make bench`` measures it.
"""

import threading
import time

import numpy as np

from .models import SectionVector

CHECK_SECONDS = 2.0


class VectorIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.model = ""
        self.version = -1
        self.checked_at = 0.0
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, 0), dtype=np.float32)

    def _refresh(self, model: str) -> None:
        from .indexing import vectors_version

        now = time.monotonic()
        if model == self.model and now - self.checked_at < CHECK_SECONDS:
            return
        version = vectors_version()
        self.checked_at = now
        if model == self.model and version == self.version:
            return
        rows = SectionVector.objects.filter(model=model).values_list("section_id", "dim", "vector")
        ids, blocks = [], []
        for section_id, dim, blob in rows.iterator(chunk_size=2000):
            ids.append(section_id)
            blocks.append(np.frombuffer(bytes(blob), dtype=np.float16, count=dim))
        self.ids = np.asarray(ids, dtype=np.int64)
        self.matrix = np.vstack(blocks).astype(np.float32) if blocks else np.zeros((0, 0), dtype=np.float32)
        self.model, self.version = model, version

    def search(self, query: np.ndarray, *, model: str, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` sections most similar to ``query``: (section id, cosine similarity), best first."""
        with self._lock:
            self._refresh(model)
            ids, matrix = self.ids, self.matrix
        if not len(ids):
            return []
        scores = matrix @ query.astype(np.float32)
        limit = min(limit, len(ids))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def clear(self) -> None:
        with self._lock:
            self.model, self.version, self.checked_at = "", -1, 0.0


INDEX = VectorIndex()
