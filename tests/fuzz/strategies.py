"""Inputs for the fuzz tests: arbitrary text, Markdown soup, pathological nesting and hostile HTML/URLs."""

import os
from html.parser import HTMLParser

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"


def fuzz(examples: int = 100):
    """Settings for one fuzz test: ``examples`` by default, 5000 under ``HYPOTHESIS_PROFILE=long``."""
    return settings(max_examples=5000 if LONG else examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


#: any text: every code point hypothesis can put in a str (surrogates cannot be), control characters included
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)

_SOUP = "ab Iİıç *_`[]()!#>-|\\\n\r\t.:1<>&;^~=\"'/\x00\x0b\x0c\u200b\u202e\ufeff\xa0"
soup = st.text(alphabet=st.sampled_from(_SOUP), max_size=300)

_OPENERS = ["[", "[[", "*", "**", "_", "<", "<<", ">", "> ", "`", "(", "![", "- ", "1. ", "#", "|", "~~~", "```",
            "\\", "&", "[^", "]]", "](", ")"]


@st.composite
def pathological(draw) -> str:
    """Deep nesting (``[[[[``, ``****``, ``<<<``, ``> > >``), long lines and many lines."""
    kind = draw(st.integers(0, 3))
    opener = draw(st.sampled_from(_OPENERS))
    n = draw(st.integers(1, 3000))
    if kind == 0:
        return opener * n
    if kind == 1:
        closer = draw(st.sampled_from(["]", "]]", "*", ")", ">", "`", "\n", ""]))
        return opener * n + draw(st.sampled_from(["x", "a b", "İ"])) + closer * draw(st.integers(0, n))
    if kind == 2:
        return (draw(st.sampled_from(["kelime ", "a*b ", "[x] ", "<y> "])) * n)[:20000]
    return "\n".join([opener + draw(st.sampled_from(["a", ""]))] * min(n, 1000))


_SCHEMES = ["javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html;base64,PHNjcmlwdD4=", " javascript:",
            "java\tscript:", "java&#115;cript:", "&#106;avascript:", "javascript&colon;", "\x01javascript:",
            "data:image/svg+xml,<svg onload=alert(1)>", "https://ornek.org/", "//evil.example/", "mailto:a@b.c"]
_HOSTILE = ["<script>alert(1)</script>", "<SCRIPT src=//x></SCRIPT>", "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>", "<svg onload=alert(1)>", "<iframe src=x>",
            "<div style=\"background:url(javascript:alert(1))\">", "<p onclick='x()'>p</p>", "<!-- x -->",
            "<scr<script>ipt>", "&lt;script&gt;", "\"onmouseover=\"alert(1)", "' onfocus='x", "<style>*{}</style>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", "<object data=x>"]


@st.composite
def hostile(draw) -> str:
    """Markdown links, images, wiki links and raw HTML built to smuggle script or a dangerous URL through."""
    scheme = draw(st.sampled_from(_SCHEMES))
    payload = draw(st.sampled_from(["alert(1)", "x", "%0aalert(1)", ""]))
    pieces = [
        f"[yazı]({scheme}{payload})", f"![resim]({scheme}{payload})", f"<{scheme}{payload}>",
        f"[ref]\n\n[ref]: {scheme}{payload}", f"[[{scheme}{payload}]]", f"[[Ankara|{scheme}{payload}]]",
        f"[a]({scheme}{payload} \"t\" onclick=x)", f"[a](<{scheme}{payload}>)", draw(st.sampled_from(_HOSTILE)),
        f"| a |\n|---|\n| {draw(st.sampled_from(_HOSTILE))} |", f"> {draw(st.sampled_from(_HOSTILE))}",
        f"x[^1]\n\n[^1]: {draw(st.sampled_from(_HOSTILE))}", f"## {draw(st.sampled_from(_HOSTILE))}",
    ]
    chosen = draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=5))
    return draw(st.sampled_from(["\n\n", " ", "\n"])).join(chosen)


markdownish = st.one_of(any_text, soup, pathological(), hostile())

#: plain words (letters only): nothing in them is Markdown syntax
plain_word = st.text(st.characters(categories=["Lu", "Ll", "Lo"]), min_size=1, max_size=12)


# --- reading the HTML that came out ------------------------------------------------------------------------------

_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "srcset"}


class Page(HTMLParser):
    """The tags, attributes (values unescaped by the parser) and visible text of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def words(self) -> list[str]:
        return " ".join(self.text).split()


def url_scheme_is_dangerous(value: str) -> bool:
    # What a browser does before reading the scheme: drop leading spaces/controls and tabs/newlines anywhere.
    cleaned = "".join(ch for ch in value if ch not in "\t\n\r").lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                                                                      "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15"
                                                                      "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    return cleaned.lower().startswith(_DANGEROUS_SCHEMES)


def assert_safe(html: str, allowed_tags: set[str] | None = None) -> Page:
    """No script element, no event handler attribute, no javascript:/vbscript:/data: URL; tags from the allow-list."""
    assert "<script" not in html.lower()
    page = Page(html)
    for tag, attrs in page.tags:
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta"}, tag
        if allowed_tags is not None:
            assert tag in allowed_tags, tag
        for name, value in attrs:
            assert not (name.startswith("on") and name[2:].isalpha()), (tag, name, value)
            assert name != "style" or "url(" not in (value or "").lower(), (tag, value)
            if name in URL_ATTRIBUTES and value is not None:
                assert not url_scheme_is_dangerous(value), (tag, name, value)
    return page
