"""What every translation engine must do, whatever is behind it: a base class of tests to subclass per engine.

::

    class TestMyEngine(EngineContract):
        def make_engine(self) -> TranslationEngine: ...                      # required
        def make_unreachable_engine(self, timeout: float) -> TranslationEngine: ...   # remote engines
        def make_hanging_engine(self, timeout: float) -> TranslationEngine: ...       # remote engines

The checks use only what any engine, real or fake, can be held to: numbers and proper names survive translation,
placeholders come back exactly once, output stays in order. Tests of an optional capability (glossaries) and of
remote failures skip with a reason when the engine lacks it, as Wagtail's search backend tests do.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from kure.translation.engines.base import EngineUnavailable, GlossaryHint, TranslationEngine

PLACEHOLDER_RE = re.compile(r"</?g\d+>|<x\d+/>")

#: segments with placeholders of every kind: paired, standalone, nested, adjacent, at the edges
MARKED_UP = [
    "<g1>Ankara</g1>, Türkiye'nin başkentidir.",
    "Nüfus<x1/> 1927 sayımına göre 74.553 kişiydi.",
    "<g1>Mustafa Kemal</g1> ile <g2>İsmet İnönü</g2> 1923 yılında Ankara'daydı.<x1/>",
    "<g1>Büyük <g2>Taarruz</g2></g1> 1922 yılında başladı.",
    "<x1/><x2/> İzmir 1922 yılında kurtarıldı <g1>(bkz.)</g1>.",
]

#: Turkish letters that encodings most often break (ğ ı İ ş ç ö ü) in names no engine should translate
TURKISH_NAMES = ["Şanlıurfa", "Iğdır", "Çanakkale", "Muğla", "Gümüşhane", "İstanbul"]
MOJIBAKE = ("\ufffd", "Ã", "Ä±", "Å", "Ä°")


def placeholder_bag(segment: str) -> Counter[str]:
    return Counter(PLACEHOLDER_RE.findall(segment))


def numbered(count: int) -> list[str]:
    """Distinct segments whose translations can be told apart by the number each one carries."""
    return [f"Bu şehir {1000 + i} yılında kuruldu." for i in range(count)]


class EngineContract:
    """Subclass, name the subclass ``Test…`` and provide ``make_engine``."""

    #: segments per ``translate`` call in the long-batch test; set it above the engine's request batch size
    long_batch = 45

    def make_engine(self) -> TranslationEngine:
        raise NotImplementedError(f"{type(self).__name__} must implement make_engine()")

    def make_unreachable_engine(self, timeout: float) -> TranslationEngine:
        """An engine whose service cannot be reached (nothing listening), configured with ``timeout``."""
        pytest.skip(f"{type(self).__name__} does not call a remote service")

    def make_hanging_engine(self, timeout: float) -> TranslationEngine:
        """An engine whose service accepts the request and never answers, configured with ``timeout``."""
        pytest.skip(f"{type(self).__name__} does not call a remote service")

    @pytest.fixture
    def engine(self):
        engine = self.make_engine()
        yield engine
        engine.close()

    # --- identity ------------------------------------------------------------------------------------------------

    def test_name_and_model(self, engine: TranslationEngine) -> None:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", engine.name), engine.name
        assert isinstance(engine.model, str) and engine.model.strip()
        assert engine.source and engine.target

    def test_close_twice(self, engine: TranslationEngine) -> None:
        engine.close()
        engine.close()

    # --- shape of the output ---------------------------------------------------------------------------------------

    def test_empty_list(self, engine: TranslationEngine) -> None:
        assert engine.translate([]) == []

    def test_same_length_and_order(self, engine: TranslationEngine) -> None:
        segments = numbered(5)
        result = engine.translate(segments)
        assert isinstance(result, list) and all(isinstance(item, str) for item in result)
        assert len(result) == len(segments)
        for i, translation in enumerate(result):
            assert str(1000 + i) in translation, (i, translation)

    def test_long_batch_keeps_order(self, engine: TranslationEngine) -> None:
        segments = numbered(self.long_batch)
        result = engine.translate(segments)
        assert len(result) == len(segments)
        assert [re.search(r"\d{4}", item).group(0) for item in result] == [str(1000 + i) for i in range(len(result))]

    def test_blank_segments_stay_blank(self, engine: TranslationEngine) -> None:
        result = engine.translate(["", "Merhaba dünya.", "   ", "<x1/>"])
        assert len(result) == 4
        assert result[0] == "" and result[2].strip() == ""
        assert result[1].strip()
        assert placeholder_bag(result[3]) == Counter({"<x1/>": 1})

    # --- placeholders --------------------------------------------------------------------------------------------

    @pytest.mark.parametrize("segment", MARKED_UP)
    def test_placeholders_preserved(self, engine: TranslationEngine, segment: str) -> None:
        (translation,) = engine.translate([segment])
        assert placeholder_bag(translation) == placeholder_bag(segment), translation

    def test_placeholders_preserved_in_one_batch(self, engine: TranslationEngine) -> None:
        result = engine.translate(MARKED_UP)
        for source, translation in zip(MARKED_UP, result, strict=True):
            assert placeholder_bag(translation) == placeholder_bag(source), (source, translation)

    # --- text ------------------------------------------------------------------------------------------------------

    def test_turkish_letters_round_trip(self, engine: TranslationEngine) -> None:
        segment = f"{', '.join(TURKISH_NAMES[:-1])} ve {TURKISH_NAMES[-1]} 2024 yılında ölçüldü."
        (translation,) = engine.translate([segment])
        assert not any(marker in translation for marker in MOJIBAKE), translation
        for name in TURKISH_NAMES:
            assert name in translation, (name, translation)

    # --- glossary ------------------------------------------------------------------------------------------------

    def test_glossary_is_applied(self, engine: TranslationEngine) -> None:
        if not engine.supports_glossary:
            pytest.skip(f"the {engine.name!r} engine does not support glossaries")
        hints = (GlossaryHint(source="zirve", target="summit"),)
        (translation,) = engine.translate(["Zirve 1990 yılında toplandı."], glossary=hints)
        assert "summit" in translation.lower(), translation

    def test_glossary_argument_is_always_accepted(self, engine: TranslationEngine) -> None:
        hints = (GlossaryHint(source="zirve", target="summit"),)
        result = engine.translate(["Zirve 1990 yılında toplandı."], glossary=hints)
        assert len(result) == 1 and "1990" in result[0]

    # --- failures --------------------------------------------------------------------------------------------------

    def test_unreachable_service_is_unavailable_at_once(self) -> None:
        timeout = 2.0
        engine = self.make_unreachable_engine(timeout)
        started = time.monotonic()
        with pytest.raises(EngineUnavailable):
            engine.translate(["Merhaba dünya."])
        assert time.monotonic() - started < timeout + 2

    def test_hanging_service_times_out(self) -> None:
        timeout = 0.5
        engine = self.make_hanging_engine(timeout)
        started = time.monotonic()
        with pytest.raises(EngineUnavailable):
            engine.translate(["Merhaba dünya."])
        assert time.monotonic() - started < timeout + 2
