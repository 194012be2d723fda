"""Küre's own XSS payloads (written for this project, not copied from a public list).

Each payload is a template: ``{m}`` is a marker that must still be readable on the page (the text was kept, as
text), ``{n}`` the payload's number. Every script a payload would run sets ``window.__xss`` to that number and
many also call ``alert``, so a test sees both a dialog and a global if anything ever runs.
"""

import base64
from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    n: int
    name: str
    template: str

    def text(self, field: str) -> str:
        return self.template.format(m=marker(self.n, field), n=self.n)


def marker(n: int, field: str) -> str:
    """Lower-case letters without i/ı and digits: slugs, Turkish casing and escaping all leave it unchanged."""
    return f"zq{n:02d}{field}xk"


_DATA_HTML = base64.b64encode(b"<script>window.__xss=13;alert(13)</script>").decode()

_TEMPLATES = [
    ("script tag", "<script>window.__xss={n};alert({n})</script>{m}"),
    ("script src data", "<SCRIPT SRC=data:text/javascript,window.__xss={n}></SCRIPT>{m}"),
    ("img onerror", '<img src=x onerror="window.__xss={n};alert({n})">{m}'),
    ("svg onload", "<svg onload=window.__xss={n}>{m}</svg>"),
    ("body onload", '<body onload="window.__xss={n}">{m}'),
    ("details ontoggle", '<details open ontoggle="window.__xss={n}">{m}</details>'),
    ("autofocus onfocus", '<input autofocus onfocus="window.__xss={n}">{m}'),
    ("markdown link javascript", "[{m}](javascript:window.__xss={n})"),
    ("markdown image javascript", "![{m}](javascript:window.__xss={n}) {m}"),
    ("autolink javascript", "<javascript:window.__xss={n}> {m}"),
    ("reference link javascript", "[{m}][r{n}]\n\n[r{n}]: javascript:window.__xss={n}"),
    ("entity-encoded javascript", "[{m}](&#106;avascript&#58;window.__xss={n})"),
    ("data url link", "[{m}](data:text/html;base64," + _DATA_HTML + ")"),
    ("mixed-case javascript with tab", "[{m}](JaVa\tScRiPt:window.__xss={n})"),
    ("angle-bracket destination", "[{m}](<javascript:window.__xss={n}>)"),
    ("link title breakout", '[{m}](https://example.org "x\\" onmouseover=\\"window.__xss={n}")'),
    ("image title breakout", '![a](https://example.org/a.png "x\\" onerror=\\"window.__xss={n}") {m}'),
    ("raw anchor javascript", '<a href="javascript:window.__xss={n}">{m}</a>'),
    ("iframe srcdoc", '<iframe srcdoc="<script>parent.__xss={n}</script>"></iframe>{m}'),
    ("svg script", "<svg><script>window.__xss={n}</script></svg>{m}"),
    ("svg xlink", '<svg><a xlink:href="javascript:window.__xss={n}"><text y="9">q</text></a></svg>{m}'),
    ("unclosed img", "{m} <img src=x onerror=window.__xss={n} "),
    ("split script", "{m} <scr<script>ipt>window.__xss={n}</scr</script>ipt>"),
    ("attribute breakout double", '{m}" onmouseover="window.__xss={n}" autofocus onfocus="window.__xss={n}" x="'),
    ("attribute breakout single", "{m}' onmouseover='window.__xss={n}' x='"),
    ("tag breakout", '"><script>window.__xss={n}</script>{m}'),
    ("textarea breakout", "</textarea><script>window.__xss={n}</script>{m}"),
    ("title breakout", "</title><script>window.__xss={n}</script>{m}"),
    ("template injection", "{{{{ 7*7 }}}} {{% debug %}} {{{{ request.user.password }}}} {m}"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:window.__xss={n}">{m}'),
    ("object data", '<object data="javascript:window.__xss={n}"></object>{m}'),
    ("style url", '<div style="background:url(javascript:window.__xss={n})">{m}</div>'),
    ("math mglyph", "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss={n}>{m}"),
    ("noscript title", '<noscript><p title="</noscript><img src=x onerror=window.__xss={n}>">{m}'),
    ("form formaction", '<form><button formaction="javascript:window.__xss={n}">{m}</button></form>'),
    ("wikilink javascript", "[[javascript:window.__xss={n}|{m}]]"),
    ("wikilink quote breakout", '[[x" onmouseover="window.__xss={n}|{m}]]'),
    ("footnote html", "{m}[^f{n}]\n\n[^f{n}]: <img src=x onerror=window.__xss={n}>"),
    ("unclosed comment", "{m} <!-- <img src=x onerror=window.__xss={n}>"),
    ("json breakout", '</script><script>window.__xss={n}</script>{m}'),
]

PAYLOADS = [Payload(n=i + 1, name=name, template=template) for i, (name, template) in enumerate(_TEMPLATES)]
