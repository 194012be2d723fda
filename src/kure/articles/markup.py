"""Markdown → safe HTML with stable section anchors, wiki links and a section outline.

CommonMark with tables and footnotes. Raw HTML in the source is shown as text, never passed through, and the
output is sanitised again with an allow-list (nh3), so a body can never carry script.
"""

import hashlib
import re
from dataclasses import dataclass, field
from html import escape, unescape
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote import footnote_plugin

from ..core.text import slugify

WIKI_LINK = re.compile(r"\[\[([^\[\]|\n]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]")


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = WIKI_LINK.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        target = match.group(1).strip()
        token = state.push("wikilink", "", 0)
        token.meta = {"target": target, "label": (match.group(2) or target).strip()}
    state.pos = match.end()
    return True


def _render_wikilink(self, tokens, idx, options, env) -> str:
    meta = tokens[idx].meta
    target = slugify(meta["target"])
    lang = env.get("language", "tr")
    return (
        f'<a class="wikilink" data-wiki="{escape(target)}" data-wiki-title="{escape(meta["target"])}" '
        f'href="/{escape(lang)}/articles/{escape(target)}/">{escape(meta["label"])}</a>'
    )


def _build_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").use(footnote_plugin)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    return md


_MD = _build_parser()

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption", "figure", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "section", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class", "data-wiki", "data-wiki-title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id", "class"}, "ol": {"class", "start"}, "section": {"class"}, "sup": {"class"}, "hr": {"class"},
    "th": {"style"}, "td": {"style"}, "code": {"class"}, "figure": {"class"},
}


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer nofollow",
    )


@dataclass
class Section:
    anchor: str
    heading: str
    level: int  # 0 for the lead (text before the first heading), else the HTML heading level 2–6
    text: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha1(f"{self.heading}\n{self.text}".encode()).hexdigest()[:16]

    def as_dict(self) -> dict:
        return {"anchor": self.anchor, "heading": self.heading, "level": self.level, "text": self.text,
                "digest": self.digest}


@dataclass
class Rendered:
    html: str
    sections: list[Section] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[tuple[str, str]]:
        """(section anchor, paragraph text) pairs, in reading order."""
        out: list[tuple[str, str]] = []
        for section in self.sections:
            out.extend((section.anchor, p) for p in section.text.split("\n\n") if p.strip())
        return out


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type == "wikilink":
            parts.append(child.meta["label"])
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return "".join(parts).strip()


def render(body: str, *, language: str = "tr") -> Rendered:
    """Render a Markdown body. Headings become h2–h6 with anchors that stay the same while their text does."""
    env: dict = {"language": language}
    tokens = _MD.parse(body, env)
    sections = [Section(anchor="", heading="", level=0)]
    used: dict[str, int] = {}
    taken: set[str] = set()
    blocks: list[str] = []
    in_heading = False
    in_footnotes = False
    # The page title is the only h1: a body that uses "#" headings is shifted down one level.
    shift = 1 if any(t.type == "heading_open" and t.tag == "h1" for t in tokens) else 0
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            level = min(int(token.tag[1]) + shift, 6)
            token.tag = f"h{level}"
            heading = _inline_text(tokens[i + 1])
            base = slugify(heading) or "bolum"
            count = used.get(base, 0) + 1
            anchor = base if count == 1 else f"{base}-{count}"
            # A heading may itself read like a numbered duplicate ("a", "a", "a-2"): skip anchors already taken.
            while anchor in taken:
                count += 1
                anchor = f"{base}-{count}"
            used[base] = count
            taken.add(anchor)
            token.attrSet("id", anchor)
            sections.append(Section(anchor=anchor, heading=heading, level=level))
            in_heading = True
        elif token.type == "heading_close":
            token.tag = tokens[i - 2].tag
            in_heading = False
        elif token.type == "footnote_block_open":
            in_footnotes = True
        elif token.type == "inline" and not in_heading and not in_footnotes:
            text = _inline_text(token)
            if text:
                blocks.append(text)
                current = sections[-1]
                current.text = f"{current.text}\n\n{text}" if current.text else text
    html = sanitise(_MD.renderer.render(tokens, _MD.options, env))
    if not sections[0].text:
        sections.pop(0)
    return Rendered(html=html, sections=sections)


_IMG = re.compile(r'<img src="(/media/[^"]+)"([^>]*)>')


def use_thumbnails(html: str, thumbnails: dict[str, str]) -> str:
    """Show uploaded images as their thumbnails, linked to the full-size original."""

    def swap(match: re.Match) -> str:
        original, rest = match.group(1), match.group(2)
        thumb = thumbnails.get(original)
        if not thumb:
            return match.group(0)
        return f'<a href="{original}" class="image"><img src="{thumb}"{rest} loading="lazy"></a>'

    return _IMG.sub(swap, html)


_WIKI_ANCHOR = re.compile(r'<a class="wikilink" data-wiki="([^"]*)" data-wiki-title="([^"]*)" href="([^"]*)"')


def wiki_targets(html: str) -> set[str]:
    return {m.group(1) for m in _WIKI_ANCHOR.finditer(html)}


def resolve_wiki_links(html: str, existing: dict[str, str], *, language: str) -> str:
    """Point wiki links at existing articles; mark the others as not written yet (``class="wikilink new"``)."""

    def fix(match: re.Match) -> str:
        slug, title = match.group(1), match.group(2)
        if slug in existing:
            return f'<a class="wikilink" data-wiki="{slug}" data-wiki-title="{title}" href="{existing[slug]}"'
        href = f"/{language}/articles/new/?title={quote(unescape(title))}"
        return (f'<a class="wikilink new" data-wiki="{slug}" data-wiki-title="{title}" href="{href}" '
                f'title="Not written yet"')

    return _WIKI_ANCHOR.sub(fix, html)
