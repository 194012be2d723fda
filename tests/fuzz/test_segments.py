"""The translation segmenter on what tests/translation/test_segments.py does not generate: pathological nesting,
very long lines, control characters and hostile HTML, with translations that are themselves arbitrary text."""

from hypothesis import example, given
from hypothesis import strategies as st

from kure.translation.segments import segment_markdown

from .strategies import any_text, fuzz, hostile, pathological, soup


@fuzz(60)
@given(st.one_of(pathological(), hostile(), soup))
@example("[[" * 3000)
@example("*" * 5000 + "a" + "*" * 5000)
@example("<" * 5000)
@example("> " * 500 + "a")
@example("a\x00b\x0b\x0c\u2028\u2029c\r\rd")
def test_reassembly_is_identity(body):
    doc = segment_markdown(body)
    assert doc.reassemble({}) == body
    assert doc.reassemble({s.index: s.source for s in doc.segments}) == body
    assert doc.reassemble({s.index: None for s in doc.segments}) == body


@fuzz(60)
@given(st.one_of(pathological(), hostile(), soup), st.data())
def test_arbitrary_translations_never_raise(body, data):
    doc = segment_markdown(body)
    out = doc.reassemble({s.index: data.draw(any_text) for s in doc.segments})
    assert isinstance(out, str)
