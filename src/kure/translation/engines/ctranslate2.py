"""Local machine translation with CTranslate2 and SentencePiece (OPUS-MT, Argos Translate, NLLB models).

Configuration (``settings.KURE_TRANSLATION_ENGINES[pair]["OPTIONS"]``):

``model_dir`` (required)
    A model directory as described in ``ct2_models`` (``kure translation install-model`` makes one).
``device`` ("cpu"), ``device_index`` (0), ``compute_type`` ("int8"), ``inter_threads`` (1), ``intra_threads`` (0)
    Passed to ``ctranslate2.Translator``. int8 weights are ~4× smaller and faster on CPU, at little cost.
``beam_size`` (4), ``max_batch_size`` (32), ``max_input_length`` (1024), ``max_decoding_length`` (256)
    Decoding; ``max_batch_size`` counts segments per ``translate_batch`` call.
``source_prefix``, ``target_prefix``, ``source_suffix``
    Tokens (a list, or a string split on spaces) put before/after the source and forced at the start of the
    output. NLLB needs ``source_prefix="tur_Latn"`` and ``target_prefix="eng_Latn"``; OPUS-MT and Argos none.
    ``source_suffix`` defaults to ``"</s>"`` where the model expects the end token on its input and
    ``config.json`` does not add it (OPUS-MT/Marian with ``source.spm``, and NLLB, recognised by a
    ``source_prefix``), else to nothing (Argos/OpenNMT-py).
``sp_source_model``, ``sp_target_model``
    SentencePiece models, when not the discovered ``source.spm``/``target.spm`` or shared ``sentencepiece.model``.

Placeholders. Segments carry inline markup as ``<gN>…</gN>`` (paired) and ``<xN/>`` (standalone) tags. MT models
garble or drop such tags, so the model never sees them: it translates each segment's plain text (and the plain
text of every paired tag's content, in the same batch), and ``kure.translation.reinsertion`` puts the tags back,
every one exactly once and properly nested.

The caller checks placeholders and flags machine output for post-editing, so a misplaced tag costs an editor a
moment; a lost one would cost the markup.

The model is loaded lazily, once per engine instance, and shared by all threads (``ctranslate2.Translator`` is
thread-safe); ``close()`` drops it and the next ``translate`` loads it again.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kure.translation.engines.base import (
    EngineError,
    EngineNotConfigured,
    EngineUnavailable,
    GlossaryHint,
    TranslationEngine,
)
from kure.translation.engines.ct2_models import ModelLayout, validate_model_dir
from kure.translation.reinsertion import TaggedSegment, scrub

__all__ = ["CTranslate2Engine", "SegmentTranslationError", "SegmentTranslationUnavailable"]

logger = logging.getLogger(__name__)

_SPECIAL_TOKENS = frozenset({"<s>", "</s>", "<pad>"})

_DEFAULTS: dict[str, Any] = {
    "device": "cpu",
    "device_index": 0,
    "compute_type": "int8",
    "beam_size": 4,
    "max_batch_size": 32,
    "inter_threads": 1,
    "intra_threads": 0,
    "max_input_length": 1024,
    "max_decoding_length": 256,
    "source_prefix": None,
    "target_prefix": None,
    "source_suffix": None,
    "sp_source_model": None,
    "sp_target_model": None,
}
_KNOWN_OPTIONS = frozenset({"model_dir", *_DEFAULTS})


class SegmentTranslationError(EngineError):
    """The model failed on one segment; ``index`` is its position in the ``translate`` call."""

    def __init__(self, message: str, *, index: int) -> None:
        super().__init__(message)
        self.index = index


class SegmentTranslationUnavailable(EngineUnavailable):
    """Like ``SegmentTranslationError``, but from a failure worth retrying (memory exhausted)."""

    def __init__(self, message: str, *, index: int) -> None:
        super().__init__(message)
        self.index = index


# ---------------------------------------------------------------------------------------------------------------
# The engine


def _tokens(value: Any, option: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.split()
    if isinstance(value, Sequence) and all(isinstance(token, str) for token in value):
        return list(value)
    raise EngineNotConfigured(f"The ctranslate2 engine option {option} must be a token string or a list of tokens.")


def _positive_int(options: Mapping[str, Any], key: str, minimum: int = 1) -> int:
    value = options[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise EngineNotConfigured(f"The ctranslate2 engine option {key} must be an integer ≥ {minimum}; got {value!r}.")
    return value


def _is_resource_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, MemoryError) or "out of memory" in text or "bad_alloc" in text


@dataclass(frozen=True)
class _Loaded:
    translator: Any
    sp_source: Any
    sp_target: Any


class CTranslate2Engine(TranslationEngine):
    """Translates with a local CTranslate2 model; see the module docstring for options and placeholders."""

    name = "ctranslate2"
    supports_batch = True
    supports_glossary = False

    def __init__(self, *, source: str, target: str, **options: Any) -> None:
        super().__init__(source=source, target=target, **options)
        unknown = sorted(set(options) - _KNOWN_OPTIONS)
        if unknown:
            raise EngineNotConfigured(
                f"Unknown ctranslate2 engine option(s) {', '.join(unknown)} for {source}-{target}; "
                f"known options: {', '.join(sorted(_KNOWN_OPTIONS))}."
            )
        if not options.get("model_dir"):
            raise EngineNotConfigured(
                f"The ctranslate2 engine for {source}-{target} needs OPTIONS['model_dir']: the directory of a "
                "CTranslate2 model (install one with `kure translation install-model PATH_OR_URL`)."
            )
        missing = [package for package in ("ctranslate2", "sentencepiece") if importlib.util.find_spec(package) is None]
        if missing:
            raise EngineNotConfigured(
                f"The ctranslate2 engine needs the Python package(s) {', '.join(missing)}: "
                f"pip install {' '.join(missing)}."
            )
        settings = {**_DEFAULTS, **options}
        self.layout: ModelLayout = validate_model_dir(
            settings["model_dir"], sp_source_model=settings["sp_source_model"],
            sp_target_model=settings["sp_target_model"],
        )
        self.device: str = str(settings["device"])
        self.device_index = settings["device_index"]
        self.compute_type: str = str(settings["compute_type"])
        self.beam_size = _positive_int(settings, "beam_size")
        self.max_batch_size = _positive_int(settings, "max_batch_size")
        self.inter_threads = _positive_int(settings, "inter_threads")
        self.intra_threads = _positive_int(settings, "intra_threads", minimum=0)
        self.max_input_length = _positive_int(settings, "max_input_length", minimum=0)
        self.max_decoding_length = _positive_int(settings, "max_decoding_length")
        self.source_prefix = _tokens(settings["source_prefix"], "source_prefix") or []
        self.target_prefix = _tokens(settings["target_prefix"], "target_prefix") or []
        suffix = _tokens(settings["source_suffix"], "source_suffix")
        if suffix is None:
            # Marian (HF tokenizer) and NLLB inputs end with </s>; CTranslate2 adds it itself when config says so.
            needs_eos = not self.layout.config.get("add_source_eos") and (
                self.layout.separate_sentencepiece or bool(self.source_prefix)
            )
            suffix = ["</s>"] if needs_eos else []
        self.source_suffix = suffix
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    @property
    def model(self) -> str:
        return self.layout.name

    # -- loading -------------------------------------------------------------------------------------------------

    def _load(self) -> _Loaded:
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:  # one load even when many threads ask at once
            if self._loaded is None:
                self._loaded = self._build()
            return self._loaded

    def _build(self) -> _Loaded:
        try:
            import ctranslate2
            import sentencepiece
        except ImportError as exc:
            raise EngineNotConfigured(
                f"The ctranslate2 engine cannot import {exc.name}: pip install {exc.name}."
            ) from exc
        path = self.layout.path
        try:
            translator = ctranslate2.Translator(
                str(path), device=self.device, device_index=self.device_index, compute_type=self.compute_type,
                inter_threads=self.inter_threads, intra_threads=self.intra_threads,
            )
        except MemoryError as exc:
            raise EngineUnavailable(f"Not enough memory to load the CTranslate2 model {path}: {exc}") from exc
        except (RuntimeError, ValueError, OSError) as exc:
            if _is_resource_error(exc):
                raise EngineUnavailable(f"Not enough memory to load the CTranslate2 model {path}: {exc}") from exc
            raise EngineNotConfigured(
                f"CTranslate2 could not load the model in {path} (device={self.device}, "
                f"compute_type={self.compute_type}): {exc}. Check that the directory holds a model converted "
                "by CTranslate2 ≥ 3 and that device and compute_type suit this machine."
            ) from exc
        try:
            sp_source = sentencepiece.SentencePieceProcessor(model_file=str(self.layout.sp_source))
            sp_target = (sp_source if self.layout.sp_target == self.layout.sp_source
                         else sentencepiece.SentencePieceProcessor(model_file=str(self.layout.sp_target)))
        except (RuntimeError, OSError) as exc:
            raise EngineNotConfigured(f"The SentencePiece model of {path} cannot be loaded: {exc}") from exc
        logger.info("Loaded CTranslate2 model %s for %s-%s on %s (%s)", self.model, self.source, self.target,
                    self.device, self.compute_type)
        return _Loaded(translator, sp_source, sp_target)

    def close(self) -> None:
        # Dropping the reference frees the model once in-flight calls, which hold their own, are done.
        with self._lock:
            self._loaded = None

    # -- translating ---------------------------------------------------------------------------------------------

    def translate(self, segments: list[str], *, glossary: tuple[GlossaryHint, ...] = ()) -> list[str]:
        # supports_glossary is False: the caller checks glossary terms itself.
        parsed = [TaggedSegment.parse(segment) for segment in segments]
        owners: dict[str, int] = {}  # text → index of the first segment that needs it (for error messages)
        for index, segment in enumerate(parsed):
            for text in segment.requests():
                owners.setdefault(text, index)
        if not owners:
            return [segment.original for segment in parsed]
        texts = list(owners)
        translated = self._translate_texts(texts, [owners[text] for text in texts])
        # Tag-like text in model output would duplicate or invent placeholders: only the source's may appear.
        table = {text: scrub(output) for text, output in zip(texts, translated, strict=True)}
        return [segment.render(table) for segment in parsed]

    def _translate_texts(self, texts: list[str], indexes: list[int]) -> list[str]:
        loaded = self._load()
        tokens: list[list[str]] = []
        for text, index in zip(texts, indexes, strict=True):
            try:
                pieces = loaded.sp_source.encode(text, out_type=str)
            except Exception as exc:  # SentencePiece raises bare RuntimeError/TypeError on bad input
                raise SegmentTranslationError(f"Segment {index} cannot be tokenised: {exc}", index=index) from exc
            tokens.append(self.source_prefix + pieces + self.source_suffix)

        # Similar lengths together: less padding, so faster batches.
        order = sorted(range(len(texts)), key=lambda k: len(tokens[k]))
        results: list[str] = [""] * len(texts)
        for first in range(0, len(order), self.max_batch_size):
            chunk = order[first : first + self.max_batch_size]
            for k, hypothesis in zip(chunk, self._run_chunk(loaded, tokens, chunk, indexes), strict=True):
                results[k] = self._detokenise(loaded, hypothesis)
        return results

    def _run_chunk(self, loaded: _Loaded, tokens: list[list[str]], chunk: list[int],
                   indexes: list[int]) -> list[list[str]]:
        try:
            return self._decode(loaded, [tokens[k] for k in chunk])
        except Exception as batch_exc:  # noqa: BLE001 - CTranslate2 raises RuntimeError/ValueError/MemoryError
            logger.warning("CTranslate2 failed on a batch of %d (%s); retrying segment by segment", len(chunk),
                           batch_exc)
        # One by one: either the failure was the batch's size (memory), and this gets through, or it names the
        # segment the model cannot handle.
        hypotheses = []
        for k in chunk:
            try:
                hypotheses.extend(self._decode(loaded, [tokens[k]]))
            except Exception as exc:  # noqa: BLE001
                index = indexes[k]
                if _is_resource_error(exc):
                    raise SegmentTranslationUnavailable(
                        f"CTranslate2 ran out of memory on segment {index}: {exc}", index=index) from exc
                raise SegmentTranslationError(f"CTranslate2 could not translate segment {index}: {exc}",
                                              index=index) from exc
        return hypotheses

    def _decode(self, loaded: _Loaded, batch: list[list[str]]) -> list[list[str]]:
        results = loaded.translator.translate_batch(
            batch,
            target_prefix=[list(self.target_prefix) for _ in batch] if self.target_prefix else None,
            beam_size=self.beam_size,
            max_batch_size=self.max_batch_size,
            max_input_length=self.max_input_length,
            max_decoding_length=self.max_decoding_length,
        )
        return [result.hypotheses[0] if result.hypotheses else [] for result in results]

    def _detokenise(self, loaded: _Loaded, hypothesis: list[str]) -> str:
        # The forced target prefix (a language token) comes back at the head of the hypothesis.
        if self.target_prefix and hypothesis[: len(self.target_prefix)] == self.target_prefix:
            hypothesis = hypothesis[len(self.target_prefix) :]
        pieces = [piece for piece in hypothesis if piece not in _SPECIAL_TOKENS]
        return loaded.sp_target.decode(pieces) if pieces else ""

