"""Answers written in-process by a local GGUF model through ``llama-cpp-python``, for sites that want generated
answers without running a model server.

::

    KURE_ASK_ENGINE = {"BACKEND": "kure.ask.answerers.llama_cpp.LlamaCppAnswerEngine",
                       "OPTIONS": {"model_path": "/srv/models/qwen2.5-3b-instruct-q4_k_m.gguf", "n_threads": 4}}

Options: ``model_path`` (required: a .gguf file already on disk — nothing is ever downloaded); ``n_ctx`` (4096
tokens: room for the prompt, eight passages and the answer); ``n_threads`` (llama.cpp's default when unset);
``max_tokens`` (400).

``llama-cpp-python`` is not a dependency of Küre: it compiles llama.cpp from source on installation, which takes
minutes and a C++ toolchain, and most sites are better served by a model server (see ``openai.py``). It is
imported only when this engine is configured. The model is loaded on the first question, once per process, and
answers one question at a time (a ``Llama`` object holds one context and is not thread-safe).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from typing import Any

from .base import (
    NOT_FOUND,
    AnswerEngine,
    AnswerEngineError,
    AnswerEngineNotConfigured,
    Passage,
    build_messages,
    check_options,
    completion_content,
    option_name,
    positive_int,
    required_text,
)

OPTIONS = ("model_path", "n_ctx", "n_threads", "max_tokens")
INSTALL_HINT = (
    "Install it with `pip install llama-cpp-python` (builds from source, ~4 min; needs a C++ compiler and cmake), "
    "or use the OpenAI-compatible engine with a model server instead, or set KURE_ASK_ENGINE to None for "
    "extractive answers only."
)


class LlamaCppAnswerEngine(AnswerEngine):
    name = "llama_cpp"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        check_options(options, OPTIONS, engine=self.name)
        self.model_path = os.path.expanduser(
            required_text(options, "model_path", engine=self.name, hint="the path of a local .gguf model file")
        )
        if not os.path.isfile(self.model_path):
            raise AnswerEngineNotConfigured(
                f"The model file {self.model_path!r} named by {option_name(self.name, 'model_path')} does not exist. "
                "Copy a .gguf model there (Küre never downloads one), or correct the path."
            )
        self.model = os.path.splitext(os.path.basename(self.model_path))[0]
        self.n_ctx = positive_int(options, "n_ctx", 4096, engine=self.name) or 4096
        self.n_threads = positive_int(options, "n_threads", None, engine=self.name)
        self.max_tokens = positive_int(options, "max_tokens", 400, engine=self.name) or 400
        # Checked without importing: importing loads the compiled library, which is only worth it on first use.
        if importlib.util.find_spec("llama_cpp") is None:
            raise AnswerEngineNotConfigured(f"The 'llama_cpp' answer engine needs llama-cpp-python. {INSTALL_HINT}")
        self._lock = threading.Lock()
        self._llama: Any = None

    def generate(self, *, question: str, language: str, passages: list[Passage]) -> str:
        if not passages:
            return NOT_FOUND  # nothing to answer from; asking would only invite a guess
        messages = build_messages(question, language, passages)
        with self._lock:
            llama = self._loaded()
            try:
                reply = llama.create_chat_completion(messages=messages, temperature=0, max_tokens=self.max_tokens)
            except ValueError as exc:  # llama.cpp's way of saying the prompt does not fit in n_ctx
                raise AnswerEngineError(
                    f"The model {self.model!r} could not answer: {exc}. Retrieve fewer passages, or set a higher "
                    f"{option_name(self.name, 'n_ctx')}."
                ) from exc
        return completion_content(reply, engine=self, max_tokens=self.max_tokens,
                                  missing=f"The model {self.model!r} returned no chat completion.")

    def close(self) -> None:
        with self._lock:
            self._llama = None

    def _loaded(self) -> Any:
        """The model, loaded on first use (callers hold the lock)."""
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise AnswerEngineNotConfigured(f"llama-cpp-python cannot be imported ({exc}). {INSTALL_HINT}") from exc
            options: dict[str, Any] = {"n_ctx": self.n_ctx, "verbose": False}
            if self.n_threads:
                options["n_threads"] = self.n_threads
            try:
                self._llama = Llama(model_path=self.model_path, **options)
            except (ValueError, RuntimeError, OSError) as exc:
                raise AnswerEngineNotConfigured(
                    f"The model file {self.model_path!r} cannot be loaded by llama.cpp ({exc}); is it a GGUF model?"
                ) from exc
        return self._llama
