"""The discussions' Markdown subset (``kure.discussions.markup``) on arbitrary and hostile input."""

from hypothesis import example, given
from hypothesis import strategies as st

from kure.discussions.markup import ALLOWED_TAGS, count_links, render

from .strategies import Page, assert_safe, fuzz, hostile, markdownish, plain_word


@fuzz(150)
@given(markdownish)
@example("[[[[" * 2000)
@example("*" * 5000 + "a")
@example("<" * 5000)
@example("[x](javascript:alert(1))")
@example("[x](HTTPS://ornek.org) [y](ftp://ornek.org) [z](/yerel) <https://ornek.org>")
def test_never_raises_only_allowed_tags_and_http_links(body):
    html = render(body)
    page = assert_safe(html, ALLOWED_TAGS)
    for tag, attrs in page.tags:
        for name, value in attrs:
            assert (tag, name) in {("a", "href"), ("a", "rel"), ("ol", "start")}, (tag, name)
            if name == "href":
                assert value is not None and value.lower().startswith(("http://", "https://")), value
    assert count_links(body) >= 0


@fuzz(150)
@given(hostile())
def test_hostile_posts_are_defused(body):
    assert_safe(render(body), ALLOWED_TAGS)


@fuzz(150)
@given(st.lists(st.lists(plain_word, min_size=1, max_size=10), min_size=1, max_size=5),
       st.sampled_from(["", "# ", "> ", "- "]))
def test_plain_words_survive(paragraphs, prefix):
    # A heading is not part of the subset: "# " stays visible as typed.
    body = "\n\n".join(prefix + " ".join(words) for words in paragraphs)
    expected = [w for words in paragraphs for w in ((["#"] if prefix == "# " else []) + words)]
    assert Page(render(body)).words == expected
