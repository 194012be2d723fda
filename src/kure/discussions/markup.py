"""A post's small Markdown subset → safe HTML: paragraphs, emphasis, http(s) links, inline code, lists, quotes.

Everything else (headings, images, code blocks, tables, raw HTML) is not parsed and stays visible as the text
that was typed. The output is sanitised again with an allow-list, so a post can never carry script.
"""

import re

import nh3
from markdown_it import MarkdownIt

_SAFE_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
# What counts as a link for the new-account limit: written as Markdown or bare, clickable or not.
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S")


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["heading", "lheading", "image", "code", "fence", "hr", "html_block", "html_inline", "reference",
                "autolink", "entity"])
    # Only absolute http(s) links: javascript:, data:, mailto: and relative links stay as text.
    md.validateLink = lambda url: bool(_SAFE_SCHEME.match(url.strip()))  # type: ignore[method-assign]
    return md


_MD = _build()

ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "code", "ul", "ol", "li", "blockquote"}
_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="nofollow ugc", strip_comments=True)


def render(body: str) -> str:
    return sanitise(_MD.render(body)).strip()


def count_links(body: str) -> int:
    return len(_LINK.findall(body))
