"""What every security test checks on a page, and the sign-in and data helpers they share.

A page passes when, after it loaded, no dialog opened, no script set ``window.__xss``, no element carries an
event-handler attribute or a ``javascript:``/``vbscript:``/``data:text/html`` address (those run on a click or a
hover, which a load alone would not show), and every expected marker is in the page's HTML.
"""

import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

# Runs in the page: the attributes through which injected markup could run script later (on a click, a hover).
_DANGEROUS_DOM = """() => {
  const bad = [];
  const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on") || name === "srcdoc") bad.push(`<${el.tagName.toLowerCase()} ${name}>`);
      if (urlAttrs.includes(name) && /^(javascript|vbscript|data:text\\/html)/.test(value))
        bad.push(`<${el.tagName.toLowerCase()} ${name}="${a.value.slice(0, 60)}">`);
    }
  }
  for (const s of document.querySelectorAll("script")) {
    const type = (s.type || "").toLowerCase();
    if (type.endsWith("json")) {  // data, not code: it must still parse, or some text closed it early
      try { JSON.parse(s.textContent); } catch (e) { bad.push(`<script type=${type}> no longer parses`); }
    } else if (s.textContent.includes("__xss")) bad.push("<script> with injected text");
  }
  return bad;
}"""

# One frame and one task after "load", so that anything a payload scheduled has had its turn. A page the browser
# does not draw (a second page of the same browser, say) gets no animation frame at all, and Playwright's evaluate
# has no timeout: the 250 ms timer ends the wait in that case instead of the test hanging for ever.
_SETTLE = ("() => new Promise(r => { requestAnimationFrame(() => setTimeout(r, 0)); setTimeout(r, 250); })")


@dataclass
class Findings:
    """Failures collected over many pages, so one run reports every broken page at once."""

    failures: list[str] = field(default_factory=list)
    pages: int = 0
    refused: list[str] = field(default_factory=list)

    def check(self, page, url: str, markers=(), *, where: str = "", allow_status=(200,)) -> bool:
        """Load ``url`` and check it; False (and a failure recorded) when anything is wrong."""
        page.dialogs.clear()
        response = page.goto(url, wait_until="load")
        page.evaluate(_SETTLE)
        self.pages += 1
        label = f"{where} {url[:200]}{'…' if len(url) > 200 else ''}".strip()
        problems = []
        status = response.status if response else 0
        if status >= 500:
            problems.append(f"server error {status}")
        elif status not in allow_status:
            problems.append(f"status {status}")
        elif status != 200:  # a refusal the page explains (a question too long, say): safe, but worth counting
            self.refused.append(f"{label}: status {status}")
        if page.dialogs:
            problems.append(f"dialog opened: {page.dialogs[:3]}")
        ran = page.evaluate("() => window.__xss")
        if ran is not None:
            problems.append(f"script ran: window.__xss = {ran!r}")
        if bad := page.evaluate(_DANGEROUS_DOM):
            problems.append(f"dangerous markup in the DOM: {bad[:5]}")
        html = page.content()
        if missing := [m for m in markers if m not in html]:
            problems.append(f"text not shown: {missing}")
        for problem in problems:
            self.failures.append(f"{label}: {problem}")
        return not problems

    def assert_clean(self) -> None:
        assert not self.failures, f"{len(self.failures)} problem(s) on {self.pages} page(s):\n" + "\n".join(
            self.failures[:60])



def sign_in(page, base: str, user) -> None:
    """A session made on the server side and handed to the browser: the login form has its own tests."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}])


def png(name: str = "lead.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def unlimited_rates(settings) -> None:
    """Hundreds of searches and questions from one address in a minute: the limits are not what is tested here."""
    settings.KURE_RATE_LIMITS = {scope: (1_000_000, window)
                                 for scope, (_, window) in settings.KURE_RATE_LIMITS.items()}
