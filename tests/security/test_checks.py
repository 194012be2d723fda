"""The page checks themselves catch what they are meant to catch: otherwise every other test here passes for free."""

import pytest

from .harness import Findings

pytestmark = [pytest.mark.browser]

HOSTILE = """<!doctype html><title>t</title><body>
<img src=x onerror="window.__xss=1;alert(1)"><a href="  JaVaScRiPt:void(0)">a</a>
<script type="application/ld+json">{"a": "</script>
</body>"""


def test_a_page_that_runs_script_fails_every_check(new_page):
    page = new_page()
    page.route("http://kure.test/**", lambda route: route.fulfill(body=HOSTILE, content_type="text/html"))
    findings = Findings()
    assert not findings.check(page, "http://kure.test/hostile", ["zq00xk"])
    text = "\n".join(findings.failures)
    for expected in ("dialog opened", "window.__xss = 1", "<img onerror>", 'JaVaScRiPt', "no longer parses",
                     "text not shown: ['zq00xk']"):
        assert expected in text, text


def test_a_harmless_page_passes(new_page):
    page = new_page()
    page.route("http://kure.test/**", lambda route: route.fulfill(
        body="<p>&lt;script&gt;window.__xss=1&lt;/script&gt; zq00xk</p>", content_type="text/html"))
    findings = Findings()
    assert findings.check(page, "http://kure.test/fine", ["zq00xk"]), findings.failures
