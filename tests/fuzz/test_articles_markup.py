"""The article renderer and its sanitiser (``kure.articles.markup.render``) on arbitrary and hostile input."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kure.articles.markup import _ALLOWED_TAGS, render

from .strategies import Page, assert_safe, fuzz, hostile, markdownish, pathological, plain_word

LANGUAGES = st.sampled_from(["tr", "en", "de", "ar", "xx"])


@fuzz(150)
@given(markdownish, LANGUAGES)
@example("[[[[" * 2000, "tr")
@example("*" * 5000 + "a", "tr")
@example("<" * 5000, "en")
@example("> " * 1000 + "a", "tr")
@example("- " * 1000 + "a", "tr")
@example("a" * 200_000, "tr")
def test_never_raises_and_output_is_safe(body, language):
    rendered = render(body, language=language)
    assert isinstance(rendered.html, str)
    assert_safe(rendered.html, _ALLOWED_TAGS)


@fuzz(200)
@given(hostile())
@example('[x](javascript:alert(1))')
@example('<img src=x onerror=alert(1)>')
@example('![x](data:text/html;base64,PHNjcmlwdD4=)')
@example('[x](&#106;avascript:alert(1))')
@example('[[Ankara|<script>alert(1)</script>]]')
def test_hostile_markup_is_defused(body):
    assert_safe(render(body).html, _ALLOWED_TAGS)


@st.composite
def plain_document(draw):
    """Paragraphs and headings of plain words (some emphasised) and the words a reader should see, in order."""
    blocks, seen = [], []
    for _ in range(draw(st.integers(1, 6))):
        words = draw(st.lists(plain_word, min_size=1, max_size=12))
        seen.extend(words)
        shown = [f"**{w}**" if draw(st.integers(0, 5)) == 0 else w for w in words]
        prefix = draw(st.sampled_from(["", "", "## ", "### ", "- ", "> "]))
        blocks.append(prefix + " ".join(shown))
    return "\n\n".join(blocks), seen


@fuzz(150)
@given(plain_document())
def test_plain_words_survive_rendering(document):
    body, words = document
    rendered = render(body)
    assert Page(rendered.html).words == words
    section_words = " ".join(f"{s.heading} {s.text}" for s in rendered.sections).split()
    assert section_words == words


@st.composite
def headed_document(draw):
    headings = st.one_of(plain_word, st.sampled_from(["Giriş", "giriş", "GİRİŞ", "a", "a-2", "a 2", "bolum",
                                                       "bolum-2", "!!!", "", "Tarih", "tarih-3", "İ", "ı"]))
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        level = draw(st.sampled_from(["#", "##", "###", "######"]))
        lines.append(f"{level} {draw(headings)}\n\nmetin")
    return "\n\n".join(lines)


@fuzz(200)
@given(st.one_of(headed_document(), markdownish))
@example("## a\n\n## a\n\n## a-2")
@example("## bolum-2\n\n## !!!\n\n## !!!")
def test_section_anchors_are_unique_and_stable(body):
    first, second = render(body), render(body)
    anchors = [s.anchor for s in first.sections if s.level]
    assert len(anchors) == len(set(anchors))
    assert all(anchors)
    assert [s.as_dict() for s in first.sections] == [s.as_dict() for s in second.sections]
    assert first.html == second.html
    heading_ids = [dict(attrs).get("id") for tag, attrs in Page(first.html).tags if tag in {"h2", "h3", "h4",
                                                                                         "h5", "h6"}]
    assert heading_ids == anchors


@fuzz(50)
@given(pathological())
def test_pathological_nesting_renders(body):
    assert_safe(render(body).html, _ALLOWED_TAGS)


@pytest.mark.parametrize("body", ["## a\n\nx\n\n## a\n\ny\n\n## a-2\n\nz", "## a-2\n\n## a\n\n## a"])
def test_a_heading_that_reads_like_a_numbered_duplicate_gets_its_own_anchor(body):
    # Found by test_section_anchors_are_unique_and_stable: "a", "a", "a-2" gave two sections the anchor "a-2".
    anchors = [s.anchor for s in render(body).sections if s.level]
    assert len(set(anchors)) == 3
