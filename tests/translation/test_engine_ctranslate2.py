"""The CTranslate2 engine and model installer, run for real on a tiny model the tests build themselves.

The main model has random weights (its output is gibberish) but real SentencePiece models and a real CTranslate2
``model.bin``: loading, tokenisation, batching, int8 inference and error paths are the production ones. A second
tiny model has hand-set weights that copy the input, so content and tag placement are checked through real
inference as well, and the engine is held to the contract every engine shares. Stand-ins for the model check
placement against paraphrase and chaos.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import socket
import tarfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from kure.translation.engines.base import EngineError, EngineNotConfigured, EngineUnavailable, load_engine
from kure.translation.engines.ct2_models import (
    InvalidModelDirectory,
    ModelInstallError,
    install_model,
    model_languages,
    settings_snippet,
    validate_model_dir,
)

ctranslate2 = pytest.importorskip("ctranslate2", reason="the ctranslate2 engine needs `pip install ctranslate2`")
pytest.importorskip("sentencepiece", reason="the ctranslate2 engine needs `pip install sentencepiece`")

from kure.translation.engines.ctranslate2 import (  # noqa: E402 - only importable once ctranslate2 is known present
    CTranslate2Engine,
    SegmentTranslationError,
)
from kure.translation.testing.tiny_model import (  # noqa: E402
    DEFAULT_SENTENCES,
    build_argos_package,
    build_copy_model,
    build_tiny_model,
)

from .engine_contract import EngineContract  # noqa: E402

BACKEND = "kure.translation.engines.ctranslate2.CTranslate2Engine"
TAG_RE = re.compile(r"<(/?)g(\d+)>|<x(\d+)\s*/>")
SENTENCES = [sentence for sentence in DEFAULT_SENTENCES if sentence]


# -- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """Two tiny models, built once per session: a shared vocabulary (Argos/NLLB) and a Marian/OPUS-MT layout."""
    root = tmp_path_factory.mktemp("ct2-models")
    started = time.perf_counter()
    models = {
        "shared": build_tiny_model(root / "tiny-tr-en", source_sentences=SENTENCES,
                                   extra_tokens=("tur_Latn", "eng_Latn")),
        "marian": build_tiny_model(root / "tiny-marian-tr-en", source_sentences=SENTENCES[:7],
                                   target_sentences=SENTENCES[7:], seed=1),
    }
    print(f"tiny CTranslate2 models built in {time.perf_counter() - started:.2f}s")
    return models


@pytest.fixture(scope="session")
def copy_model(tmp_path_factory) -> Path:
    """A tiny model that copies its input: real inference whose output can be predicted."""
    return build_copy_model(tmp_path_factory.mktemp("ct2-copy") / "copy-tr-en")


@pytest.fixture
def model_dir(tiny_models, tmp_path) -> Path:
    """A private copy of the shared model, for tests that alter or break it."""
    return Path(shutil.copytree(tiny_models["shared"], tmp_path / "tiny-tr-en"))


@pytest.fixture
def engine(tiny_models):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]))
    yield engine
    engine.close()


class RecordingTranslator:
    """Wraps a real ``ctranslate2.Translator`` to record (or sabotage) ``translate_batch`` calls."""

    def __init__(self, translator, fail_if: Callable[[str], bool] | None = None,
                 error: Exception | None = None) -> None:
        self.translator = translator
        self.calls: list[list[list[str]]] = []
        self.kwargs: list[dict] = []
        self.fail_if = fail_if or (lambda text: True)
        self.error = error

    def translate_batch(self, source, target_prefix=None, **kwargs):
        self.calls.append(source)
        self.kwargs.append({"target_prefix": target_prefix, **kwargs})
        # Sabotage by the text of a source, rebuilt from its SentencePiece pieces.
        if self.error is not None and any(self.fail_if("".join(tokens).replace("▁", " ").strip()) for tokens in source):
            raise self.error
        return self.translator.translate_batch(source, target_prefix, **kwargs)


def record(engine: CTranslate2Engine, **sabotage) -> RecordingTranslator:
    loaded = engine._load()
    recorder = RecordingTranslator(loaded.translator, **sabotage)
    object.__setattr__(loaded, "translator", recorder)
    return recorder


def tags(text: str) -> list[str]:
    return [match.group(0) for match in TAG_RE.finditer(text)]


def well_nested(text: str) -> bool:
    stack: list[str] = []
    for match in TAG_RE.finditer(text):
        closing, paired = match.group(1), match.group(2)
        if paired and not closing:
            stack.append(paired)
        elif paired and (not stack or stack.pop() != paired):
            return False
    return not stack


def placeholder_problems(source: str, output: str) -> list[str]:
    """Every placeholder of ``source`` exactly once in ``output``, none added, and nested if the source was."""
    expected, found = tags(source), tags(output)
    problems = [f"{tag} appears {found.count(tag)}×" for tag in expected if found.count(tag) != 1]
    problems += [f"{tag} was added" for tag in found if tag not in expected]
    if well_nested(source) and not well_nested(output):
        problems.append("paired tags are not properly nested")
    return problems


def random_segment(rng: random.Random) -> str:
    """A sentence with standalone and (possibly nested) paired tags at random word boundaries."""
    words = rng.choice(SENTENCES).split()
    next_id = 1
    out: list[str] = []
    open_ids: list[int] = []
    for word in words:
        roll = rng.random()
        if roll < 0.15:
            out.append(f"<x{next_id}/>")
            next_id += 1
        elif roll < 0.35:
            out.append(f"<g{next_id}>")
            open_ids.append(next_id)
            next_id += 1
        out.append(word)
        if open_ids and rng.random() < 0.4:
            out.append(f"</g{open_ids.pop()}>")
    while open_ids:
        out.append(f"</g{open_ids.pop()}>")
    if rng.random() < 0.3:
        out.append(f"<x{next_id}/>")
    text = " ".join(out)
    return re.sub(r"(<g\d+>) ", r"\1", re.sub(r" (</g\d+>)", r"\1", text))


# -- loading and configuration ----------------------------------------------------------------------------------


def test_loads_from_settings_like_options(settings, tiny_models):
    settings.KURE_TRANSLATION_ENGINES = {
        "tr-en": {"BACKEND": BACKEND, "OPTIONS": {"model_dir": str(tiny_models["shared"]), "beam_size": 2,
                                                  "max_batch_size": 8, "inter_threads": 1, "intra_threads": 1}},
    }
    engine = load_engine("tr", "en")
    try:
        assert isinstance(engine, CTranslate2Engine)
        assert (engine.name, engine.supports_batch, engine.supports_glossary) == ("ctranslate2", True, False)
        assert (engine.source, engine.target, engine.beam_size, engine.max_batch_size) == ("tr", "en", 2, 8)
        assert engine.compute_type == "int8" and engine.device == "cpu"
        assert engine.model == "tiny-tr-en"
        [output] = engine.translate(["Ankara Türkiye'nin başkentidir."])
        assert isinstance(output, str) and output.strip()
    finally:
        engine.close()


def test_translator_is_loaded_lazily_and_once(monkeypatch, tiny_models):
    created = []
    real = ctranslate2.Translator

    def counting_translator(*args, **kwargs):
        created.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", counting_translator)
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]))
    assert created == []  # constructing validates files only
    outputs = []
    threads = [threading.Thread(target=lambda: outputs.append(engine.translate(SENTENCES[:5]))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1 and created[0]["compute_type"] == "int8"
    assert len(outputs) == 4 and all(output == outputs[0] for output in outputs)
    engine.close()


def test_close_then_translate_reloads(engine):
    first = engine.translate(SENTENCES[:3])
    assert engine._loaded is not None
    engine.close()
    assert engine._loaded is None
    engine.close()  # closing twice is harmless
    assert engine.translate(SENTENCES[:3]) == first
    assert engine._loaded is not None


@pytest.mark.parametrize("compute_type", ["int8", "int8_float32", "float32"])
def test_compute_types(tiny_models, compute_type):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]),
                               compute_type=compute_type)
    outputs = engine.translate(SENTENCES[:4])
    assert len(outputs) == 4 and all(isinstance(output, str) for output in outputs)
    # CTranslate2 reports the resolved type: int8 on CPU is int8 weights with float32 activations.
    assert engine._load().translator.compute_type.startswith(compute_type)
    engine.close()


def test_marian_layout_uses_separate_sentencepiece_models_and_end_token(tiny_models):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["marian"]))
    assert engine.layout.separate_sentencepiece
    assert engine.layout.sp_source.name == "source.spm" and engine.layout.sp_target.name == "target.spm"
    assert engine.source_suffix == ["</s>"]  # HF-converted Marian models expect it and config.json does not add it
    recorder = record(engine)
    outputs = engine.translate(SENTENCES[:3])
    assert len(outputs) == 3
    assert all(tokens[-1] == "</s>" for tokens in recorder.calls[0])
    engine.close()


def test_nllb_style_language_tokens(tiny_models):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]),
                               source_prefix="tur_Latn", target_prefix=["eng_Latn"])
    recorder = record(engine)
    outputs = engine.translate(["Ankara Türkiye'nin başkentidir.", "Van Gölü büyüktür."])
    batch = recorder.calls[0]
    assert all(tokens[0] == "tur_Latn" and tokens[-1] == "</s>" for tokens in batch)
    assert recorder.kwargs[0]["target_prefix"] == [["eng_Latn"], ["eng_Latn"]]
    assert all("eng_Latn" not in output for output in outputs)  # the forced prefix is not part of the text
    engine.close()


def test_model_name_carries_a_version(model_dir):
    (model_dir / "README.md").write_text("# opus-mt-tr-en\n\n* download original weights: opus-2020-01-16.zip\n")
    assert CTranslate2Engine(source="tr", target="en", model_dir=str(model_dir)).model == "tiny-tr-en@opus-2020-01-16"
    (model_dir / "metadata.json").write_text(json.dumps({"package_version": "1.9", "from_code": "tr", "to_code": "en"}))
    assert CTranslate2Engine(source="tr", target="en", model_dir=str(model_dir)).model == "tiny-tr-en@1.9"


# -- invalid configuration --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remove", "expected"),
    [
        (["model.bin"], "model.bin is missing"),
        (["config.json"], "config.json is missing"),
        (["shared_vocabulary.json"], "the vocabulary is missing"),
        (["sentencepiece.model"], "the SentencePiece model is missing"),
        (["model.bin", "sentencepiece.model"], "model.bin is missing; the SentencePiece model is missing"),
    ],
)
def test_invalid_model_directory(model_dir, remove, expected):
    for name in remove:
        (model_dir / name).unlink()
    with pytest.raises(EngineNotConfigured) as caught:
        CTranslate2Engine(source="tr", target="en", model_dir=str(model_dir))
    message = str(caught.value)
    assert expected in message and str(model_dir) in message
    assert "A valid directory contains model.bin and config.json" in message  # says what a good one looks like
    assert "install-model" in message


def test_missing_or_wrong_options(tmp_path, tiny_models):
    with pytest.raises(EngineNotConfigured, match="needs OPTIONS\\['model_dir'\\]"):
        CTranslate2Engine(source="tr", target="en")
    with pytest.raises(EngineNotConfigured, match="does not exist or is not a directory"):
        CTranslate2Engine(source="tr", target="en", model_dir=str(tmp_path / "nowhere"))
    with pytest.raises(EngineNotConfigured, match="Unknown ctranslate2 engine option\\(s\\) beamsize"):
        CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]), beamsize=3)
    with pytest.raises(EngineNotConfigured, match="max_batch_size must be an integer ≥ 1"):
        CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]), max_batch_size=0)
    with pytest.raises(EngineNotConfigured, match="sp_source_model"):
        CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]), sp_source_model="x.spm")


def test_unpacked_argos_package_gets_a_hint(tmp_path, tiny_models):
    package = tmp_path / "translate-tr_en"
    shutil.copytree(tiny_models["shared"], package / "model")
    with pytest.raises(EngineNotConfigured, match="unpacked Argos Translate package"):
        CTranslate2Engine(source="tr", target="en", model_dir=str(package))


def test_unloadable_model_is_reported_on_first_use(model_dir):
    (model_dir / "model.bin").write_bytes(b"not a model at all")
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(model_dir))
    with pytest.raises(EngineNotConfigured, match="CTranslate2 could not load the model"):
        engine.translate(["Ankara."])


def test_unsupported_compute_type_is_a_configuration_error(tiny_models):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]), compute_type="int3")
    with pytest.raises(EngineNotConfigured, match="compute_type=int3"):
        engine.translate(["Ankara."])


# -- translating ------------------------------------------------------------------------------------------------


def test_batch_returns_one_string_per_segment_in_order(engine):
    segments = SENTENCES * 2
    batch = engine.translate(segments)
    assert len(batch) == len(segments) and all(isinstance(output, str) for output in batch)
    one_by_one = [engine.translate([segment])[0] for segment in segments]
    assert batch == one_by_one  # same text, same place: the length sort inside is undone


def test_batches_larger_than_max_batch_size(tiny_models):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(tiny_models["shared"]), max_batch_size=3)
    recorder = record(engine)
    segments = SENTENCES[:10]
    outputs = engine.translate(segments)
    assert len(outputs) == 10
    assert [len(call) for call in recorder.calls] == [3, 3, 3, 1]
    assert outputs == [engine.translate([segment])[0] for segment in segments]
    engine.close()


def test_duplicate_segments_are_translated_once(engine):
    recorder = record(engine)
    outputs = engine.translate(["Van Gölü büyüktür."] * 5)
    assert len(set(outputs)) == 1 and len(outputs) == 5
    assert sum(len(call) for call in recorder.calls) == 1


def test_empty_segments_skip_the_model(engine):
    assert engine.translate([]) == []
    assert engine.translate(["", "   ", "<x1/>"]) == ["", "   ", "<x1/>"]
    assert engine._loaded is None  # nothing needed the model, so it was not even loaded
    outputs = engine.translate(["", SENTENCES[0], "", " "])
    assert outputs[0] == "" and outputs[2] == "" and outputs[3] == " " and outputs[1].strip()


def test_surrounding_whitespace_is_kept(engine):
    [output] = engine.translate(["  Ankara Türkiye'nin başkentidir.\n"])
    assert output.startswith("  ") and output.endswith("\n") and output.strip()


def test_placeholders_survive_real_inference(engine):
    rng = random.Random(7)
    segments = [random_segment(rng) for _ in range(150)]
    segments += [
        "Ankara <g1>Türkiye'nin</g1> başkentidir<x1/>.",
        "<x1/><g2>Van <g3>Gölü</g3></g2> büyüktür.<x4/>",
        "<g1>Küre çok dilli bir ansiklopedidir.</g1>",
        "Çay <g1></g1> yetiştirilir<x2/><x3/>.",
        "Kötü </g1> iç içe <g2>geçme",  # badly nested: every tag still comes back once
    ]
    assert sum(segment.count("<") for segment in segments) > 300
    outputs = engine.translate(segments)
    assert len(outputs) == len(segments)
    for segment, output in zip(segments, outputs, strict=True):
        assert placeholder_problems(segment, output) == [], (segment, output)


def test_tag_like_text_from_the_model_is_dropped(engine, monkeypatch):
    loaded = engine._load()
    monkeypatch.setattr(loaded.sp_target, "decode", lambda pieces: "made up <x1/> and <g7>tags</g7>")
    assert engine.translate(["Ankara <x2/> büyük."]) == ["made up and tags<x2/>"]


# -- real inference with the copying model: content and placement can be predicted ----------------------------


class TestCTranslate2Contract(EngineContract):
    """The contract every engine meets, on the real engine (with the copying model: names and numbers survive)."""

    long_batch = 45  # above max_batch_size below: several model batches in one call

    @pytest.fixture(autouse=True)
    def _copy_model(self, copy_model):
        self.model_dir = copy_model

    def make_engine(self) -> CTranslate2Engine:
        return CTranslate2Engine(source="tr", target="en", model_dir=str(self.model_dir), max_batch_size=8)


def test_copy_model_round_trips_text(copy_model):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(copy_model), max_batch_size=4)
    segments = SENTENCES + ["Şanlıurfa, Iğdır ve Gümüşhane 2024 yılında ölçüldü.", "Zürich & Ωmega 😀 42"]
    assert engine.translate(segments) == segments
    assert engine.source_suffix == []  # config.json has add_source_eos: CTranslate2 appends the end token itself


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("Ankara <g1>Türkiye'nin</g1> başkentidir<x1/>.", None),
        ("<x1/>Kapadokya <g1>peri <g2>bacaları</g2></g1> ile tanınır.", None),
        ("<g1>Mustafa Kemal</g1> ile <g2>İsmet İnönü</g2> 1923 yılında Ankara'daydı.<x1/>", None),
        ("<g1>Ankara</g1>, Türkiye'nin başkentidir.", None),
        ("İzmir 1922 yılında kurtarıldı <g1>(bkz.)</g1>.", None),
        ("<g1>Küre, düzenlenen ve çok dilli bir ansiklopedidir.</g1>", None),
        ("a <g1>b</g1> a <g2>b</g2> c.", None),
        # A standalone tag mid-sentence cannot be placed by a model that reorders words: it goes to the end.
        ("Nüfus<x1/> 1927 sayımına göre 74.553 kişiydi.", "Nüfus 1927 sayımına göre 74.553 kişiydi<x1/>."),
        ("<x1/><x2/> İzmir kurtarıldı.", "<x1/><x2/>İzmir kurtarıldı."),
    ],
)
def test_tags_land_where_they_belong_through_real_inference(copy_model, segment, expected):
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(copy_model))
    assert engine.translate([segment]) == [expected or segment]


# -- placement against stand-ins for the model ------------------------------------------------------------------


class _Uppercase(CTranslate2Engine):
    """Stands in for a model that translates faithfully (by upper-casing), to check where tags are put."""

    def _translate_texts(self, texts, indexes):
        return [text.upper() + ("" if text.endswith(".") else ".") for text in texts]


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ("Ankara <g1>Türkiye'nin</g1> başkentidir<x1/>.", "ANKARA <g1>TÜRKIYE'NIN</g1> BAŞKENTIDIR<x1/>."),
        ("<x1/>Kapadokya <g1>peri <g2>bacaları</g2></g1> ile tanınır.",
         "<x1/>KAPADOKYA <g1>PERI <g2>BACALARI</g2></g1> ILE TANINIR."),
        ("Van Gölü büyüktür.<x1/>", "VAN GÖLÜ BÜYÜKTÜR.<x1/>"),  # after the full stop in the source: stays so
        ("Van <x1/>Gölü büyüktür.", "VAN GÖLÜ BÜYÜKTÜR<x1/>."),  # mid-sentence: end, before the punctuation
        ("<g1>Küre bir ansiklopedidir</g1>.", "<g1>KÜRE BIR ANSIKLOPEDIDIR</g1>."),
        ("<g1>Küre bir ansiklopedidir.</g1>", "<g1>KÜRE BIR ANSIKLOPEDIDIR.</g1>"),
        ("a <g1>b</g1> a <g2>b</g2> c.", "A <g1>B</g1> A <g2>B</g2> C."),  # repeated words: source order kept
        ("Çay <g1></g1> yetiştirilir.", "ÇAY YETIŞTIRILIR<g1></g1>."),  # nothing to wrap: empty pair at the end
        ("<g1>Tıkla <x2/></g1> buraya.", "<g1>TIKLA<x2/></g1> BURAYA."),
    ],
)
def test_paired_tags_wrap_the_translated_span(tiny_models, segment, expected):
    engine = _Uppercase(source="tr", target="en", model_dir=str(tiny_models["shared"]))
    assert engine.translate([segment]) == [expected]


def test_unlocatable_paired_tag_falls_back_to_an_empty_pair(tiny_models):
    class Paraphrasing(CTranslate2Engine):
        def _translate_texts(self, texts, indexes):
            table = {"Ankara Türkiye'nin başkentidir.": "The capital of Turkey is Ankara.", "Türkiye'nin": "Turkish"}
            return [table[text] for text in texts]

    engine = Paraphrasing(source="tr", target="en", model_dir=str(tiny_models["shared"]))
    [output] = engine.translate(["Ankara <g1>Türkiye'nin</g1> <x2/>başkentidir."])
    assert output == "The capital of Turkey is Ankara<g1></g1><x2/>."


class _Chaotic(CTranslate2Engine):
    """Stands in for a model at its worst: reorders, drops and repeats words, and invents tags of its own."""

    rng = random.Random(3)

    def _translate_texts(self, texts, indexes):
        outputs = []
        for text in texts:
            words = text.split()
            mode = self.rng.random()
            if mode < 0.25:
                self.rng.shuffle(words)
            elif mode < 0.5:
                words = [word for word in words if self.rng.random() < 0.7]
            elif mode < 0.75:
                words += words[: self.rng.randint(0, len(words))]
            else:
                words = [word.upper() for word in words]
            if self.rng.random() < 0.3:
                words.append("<x9/> <g5>junk</g5>")
            outputs.append(" ".join(words) + self.rng.choice(["", ".", " !", "?"]))
        return outputs


def test_placeholders_survive_a_chaotic_model(tiny_models):
    rng = random.Random(11)
    segments = [random_segment(rng) for _ in range(2000)]
    segments = [segment.replace("</g", "</gg", 1) if i % 10 == 0 else segment for i, segment in enumerate(segments)]
    outputs = _Chaotic(source="tr", target="en", model_dir=str(tiny_models["shared"])).translate(segments)
    failures = [(segment, output) for segment, output in zip(segments, outputs, strict=True)
                if placeholder_problems(segment, output)]
    assert failures == []


def test_inner_spans_are_translated_in_the_same_batch(engine):
    recorder = record(engine)
    engine.translate(["Ankara <g1>Türkiye'nin</g1> başkentidir.", "<g1>Van Gölü</g1> büyüktür."])
    assert len(recorder.calls) == 1 and len(recorder.calls[0]) == 4  # two sentences + two tag contents


# -- errors -----------------------------------------------------------------------------------------------------


def test_decoding_error_names_the_segment(engine):
    recorder = record(engine, fail_if=lambda text: text.startswith("Van"), error=RuntimeError("decoder blew up"))
    segments = ["Ankara büyük.", "Çay içilir.", "Van Gölü büyüktür.", "Kapadokya güzel."]
    with pytest.raises(SegmentTranslationError, match="segment 2: decoder blew up") as caught:
        engine.translate(segments)
    assert caught.value.index == 2 and isinstance(caught.value, EngineError)
    assert not isinstance(caught.value, EngineUnavailable)
    assert len(recorder.calls) > 1  # the batch failed, then segments were tried one by one


def test_out_of_memory_is_worth_retrying(engine):
    record(engine, error=RuntimeError("CUDA failed with error out of memory"))
    with pytest.raises(EngineUnavailable, match="segment 0"):
        engine.translate(["Ankara büyük."])


def test_a_batch_too_big_for_memory_still_translates_one_by_one(engine):
    expected = engine.translate(SENTENCES[:4])
    recorder = record(engine)
    original = recorder.translate_batch

    def fail_on_batches(source, target_prefix=None, **kwargs):
        if len(source) > 1:
            raise RuntimeError("out of memory")
        return original(source, target_prefix, **kwargs)

    recorder.translate_batch = fail_on_batches
    assert engine.translate(SENTENCES[:4]) == expected


# -- installing models ------------------------------------------------------------------------------------------


def test_install_from_directory(tmp_path, tiny_models):
    root = tmp_path / "models"
    installed = install_model(str(tiny_models["shared"]), models_root=root)
    assert installed == root / "tiny-tr-en"
    assert validate_model_dir(installed).sp_source.name == "sentencepiece.model"
    assert not [path for path in root.iterdir() if path.name.startswith(".")]  # staging cleaned up
    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(installed))
    assert len(engine.translate(SENTENCES[:2])) == 2

    with pytest.raises(ModelInstallError, match="already exists; pass replace=True"):
        install_model(str(tiny_models["shared"]), models_root=root)
    assert install_model(str(tiny_models["marian"]), models_root=root, name="tiny-tr-en", replace=True) == installed
    assert (installed / "source.spm").is_file() and not (installed / "sentencepiece.model").exists()


def test_install_refuses_an_invalid_directory(tmp_path, model_dir):
    (model_dir / "sentencepiece.model").unlink()
    with pytest.raises(InvalidModelDirectory, match="the SentencePiece model is missing") as caught:
        install_model(str(model_dir), models_root=tmp_path / "models")
    assert isinstance(caught.value, EngineNotConfigured)
    assert str(model_dir) in str(caught.value) and ".install-" not in str(caught.value)
    assert not (tmp_path / "models" / "tiny-tr-en").exists()
    with pytest.raises(ModelInstallError, match="cannot name a model directory"):
        install_model(str(model_dir), models_root=tmp_path / "models", name="../escape")


def test_install_argos_package(tmp_path, tiny_models):
    archive = build_argos_package(tiny_models["shared"], tmp_path / "translate-tr_en-1_0.argosmodel",
                                  from_code="tr", to_code="en", package_version="1.0")
    with zipfile.ZipFile(archive) as zf:
        assert "translate-tr_en-1_0/model/model.bin" in zf.namelist()
    installed = install_model(str(archive), models_root=tmp_path / "models")
    assert installed.name == "translate-tr_en-1_0"
    names = {path.name for path in installed.iterdir()}
    assert {"model.bin", "config.json", "shared_vocabulary.json", "sentencepiece.model", "metadata.json"} <= names
    assert model_languages(installed) == ("tr", "en")

    engine = CTranslate2Engine(source="tr", target="en", model_dir=str(installed))
    assert engine.model == "translate-tr_en-1_0@1.0"
    assert len(engine.translate(["Ankara <g1>Türkiye'nin</g1> başkentidir."])) == 1

    snippet = settings_snippet(installed)
    assert '"tr-en"' in snippet and BACKEND in snippet and json.dumps(str(installed)) in snippet
    namespace: dict = {}
    exec(snippet, namespace)  # the snippet is valid Python, pasteable into settings
    assert namespace["KURE_TRANSLATION_ENGINES"]["tr-en"]["OPTIONS"]["model_dir"] == str(installed)
    assert '"de-fr"' in settings_snippet(installed, "de", "fr")


def test_install_tar_gz_of_a_model_directory(tmp_path, tiny_models):
    archive = tmp_path / "opus-mt-tr-en.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(tiny_models["marian"], arcname="opus-mt-tr-en")
    installed = install_model(str(archive), models_root=tmp_path / "models")
    assert installed.name == "opus-mt-tr-en"
    assert validate_model_dir(installed).separate_sentencepiece


def _zip_with(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("evil", ["../evil.txt", "pkg/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt",
                                  "pkg\\..\\..\\evil.txt"])
def test_zip_slip_is_refused(tmp_path, tiny_models, evil):
    members = {f"pkg/model/{path.name}": path.read_bytes() for path in tiny_models["shared"].iterdir()}
    archive = _zip_with(tmp_path / "evil.argosmodel", {**members, evil: b"pwned"})
    root = tmp_path / "sandbox" / "models"
    with pytest.raises(ModelInstallError, match="would be written outside the model directory"):
        install_model(str(archive), models_root=root)
    assert not (root / "evil").exists()
    assert not list(tmp_path.rglob("evil.txt"))
    assert not [path for path in root.iterdir()]  # staging cleaned up


def test_tar_with_a_link_is_refused(tmp_path):
    archive = tmp_path / "links.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        link = tarfile.TarInfo("pkg/model.bin")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(link)
        data = b"{}"
        info = tarfile.TarInfo("pkg/config.json")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    with pytest.raises(ModelInstallError, match="not a regular file"):
        install_model(str(archive), models_root=tmp_path / "models")


def test_install_rejects_archives_without_a_model(tmp_path):
    with pytest.raises(ModelInstallError, match="holds no CTranslate2 model"):
        install_model(str(_zip_with(tmp_path / "empty.zip", {"README.md": b"hi"})), models_root=tmp_path / "m")
    (tmp_path / "notes.zip").write_bytes(b"definitely not a zip")
    with pytest.raises(ModelInstallError, match="neither a model directory nor an archive"):
        install_model(str(tmp_path / "notes.zip"), models_root=tmp_path / "m")
    with pytest.raises(ModelInstallError, match="does not exist"):
        install_model(str(tmp_path / "missing.argosmodel"), models_root=tmp_path / "m")
    with pytest.raises(ModelInstallError, match="only http\\(s\\) URLs"):
        install_model("ftp://127.0.0.1/model.zip", models_root=tmp_path / "m")


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again on exit: nothing listens there


def test_install_from_unreachable_url_fails_fast(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/x.argosmodel"
    started = time.monotonic()
    with pytest.raises(ModelInstallError) as caught:
        install_model(url, models_root=tmp_path / "models")
    assert time.monotonic() - started < 15
    message = str(caught.value)
    assert message.startswith(f"could not download {url}: ")
    assert message.endswith("; download the file elsewhere and pass its path")
    assert not [path for path in (tmp_path / "models").iterdir()]


def test_install_gives_up_on_a_name_lookup_that_hangs(tmp_path, monkeypatch):
    # Socket timeouts do not bound DNS: an offline resolver that never answers must not hang the installer.
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: time.sleep(5))
    started = time.monotonic()
    with pytest.raises(ModelInstallError, match=r"could not download http://models\.invalid/m\.zip: .*took more"):
        install_model("http://models.invalid/m.zip", models_root=tmp_path / "models", timeout=0.2)
    assert time.monotonic() - started < 2


def test_settings_snippet_without_metadata(tiny_models):
    snippet = settings_snippet(tiny_models["shared"])
    assert '"SOURCE-TARGET"' in snippet
    nllb = settings_snippet(Path("/srv/models/nllb-200-distilled-600M"), "en", "tr")
    assert '"source_prefix": "eng_Latn", "target_prefix": "tur_Latn"' in nllb
