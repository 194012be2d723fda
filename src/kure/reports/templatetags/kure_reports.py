"""The "Report a mistake" links in an article body: one after every h2–h4 heading, one for the whole article."""

import re
from html import unescape

from django import template
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The body is rendered and sanitised by articles.markup, which writes headings exactly like this.
_HEADING = re.compile(r'(<h([2-4]) id="([^"<>]+)">.*?</h\2>)', re.DOTALL)


def report_url(*, lang: str, slug: str, section: str = "") -> str:
    query = {"article": slug, **({"section": section} if section else {})}
    return f"/{lang}/reports/new/?{urlencode(query)}"


@register.simple_tag
def report_links(html: str, lang: str, slug: str, label: str, whole_label: str) -> SafeString:
    """The trusted, already sanitised body HTML with a link after each section heading and one at the end.

    Only text around the headings is added; the body itself is not changed. Every added value is escaped.
    """

    def add_link(match: re.Match) -> str:
        url = report_url(lang=lang, slug=slug, section=unescape(match.group(3)))
        return (f'{match.group(1)}<p class="report-mistake noprint"><a rel="nofollow" href="{escape(url)}">'
                f"{escape(label)}</a></p>")

    whole = (f'<p class="report-mistake report-whole noprint"><a rel="nofollow" '
             f'href="{escape(report_url(lang=lang, slug=slug))}">{escape(whole_label)}</a></p>')
    return mark_safe(_HEADING.sub(add_link, html) + whole)  # safe: the body is trusted; additions are escaped
