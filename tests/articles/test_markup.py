"""Rendering: CommonMark with tables and footnotes, stable anchors, wiki links, and nothing unsafe."""

from html.parser import HTMLParser

import pytest

from kure.articles.markup import render, resolve_wiki_links, wiki_targets


def test_headings_get_stable_turkish_aware_anchors_and_sections():
    rendered = render("Giriş metni.\n\n## Katılımcılar\n\nBir.\n\n### Alt Başlık\n\nİki.\n\n## Katılımcılar\n\nÜç.")
    assert '<h2 id="katilimcilar">' in rendered.html and '<h3 id="alt-baslik">' in rendered.html
    assert '<h2 id="katilimcilar-2">' in rendered.html
    assert [(s.anchor, s.level) for s in rendered.sections] == [
        ("", 0), ("katilimcilar", 2), ("alt-baslik", 3), ("katilimcilar-2", 2)]
    assert rendered.sections[1].text == "Bir."
    # the same heading text gives the same anchor in another revision
    assert render("Başka giriş.\n\n## Katılımcılar\n\nDeğişti.").sections[1].anchor == "katilimcilar"


def test_a_body_with_h1_headings_is_shifted_below_the_page_title():
    assert '<h2 id="baslik">' in render("# Başlık\n\nMetin.").html


def test_tables_and_footnotes_render():
    html = render("Metin[^1].\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n[^1]: Kaynak.").html
    assert "<table>" in html and 'style="text-align:right"' in html
    assert 'class="footnote-ref"' in html and "Kaynak." in html


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[tıkla](javascript:alert(1))",
    "[tıkla](JaVaScRiPt:alert(1))",
    "![x](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="x" onclick="alert(1)">a</a>',
    "[[<script>alert(1)</script>]]",
    "## <img src=x onerror=alert(1)>",
])
def test_nothing_executable_survives_rendering(source):
    elements = parse(render(source).html)
    assert not [tag for tag, _ in elements if tag in {"script", "svg", "iframe", "object", "embed", "style"}]
    for tag, attrs in elements:
        assert not [name for name, _ in attrs if name.startswith("on")], tag
        for name, value in attrs:
            if name in {"href", "src"}:
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:"))


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def parse(html: str) -> list[tuple[str, list]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_raw_html_is_shown_as_text_not_dropped():
    assert "&lt;b&gt;kalın&lt;/b&gt;" in render("<b>kalın</b>").html


def test_wiki_links_resolve_to_existing_articles_and_mark_missing_ones():
    html = render("[[Van Gölü]] ve [[Lahey|Lahey kenti]]").html
    assert wiki_targets(html) == {"van-golu", "lahey"}
    resolved = resolve_wiki_links(html, {"lahey": "/tr/articles/lahey/"}, language="tr")
    assert 'class="wikilink" data-wiki="lahey" data-wiki-title="Lahey" href="/tr/articles/lahey/"' in resolved
    assert 'class="wikilink new" data-wiki="van-golu"' in resolved
    assert 'href="/tr/articles/new/?title=Van%20G%C3%B6l%C3%BC"' in resolved
    assert ">Lahey kenti</a>" in resolved
