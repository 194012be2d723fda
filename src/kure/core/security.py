"""Response headers that tell the browser what a page of ours may do: Content-Security-Policy and
Permissions-Policy (Cross-Origin-Opener-Policy comes from Django's SecurityMiddleware).

The policy is strict because the templates carry no inline script, inline style or event-handler attribute
(the one ``<script>`` inside a page is JSON-LD, a data block the browser never runs). The only allowance is
``'unsafe-hashes'`` with the hashes of the three ``style="text-align:…"`` values the Markdown renderer writes on
table cells: a hash lets exactly those strings through and nothing else, while the revisions already stored keep
rendering as they were saved. See docs/security.md.
"""

import base64
import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# The only style attributes the article renderer (markdown-it tables, kept by nh3) ever writes.
TABLE_ALIGN_STYLES = ("text-align:left", "text-align:center", "text-align:right")


def style_hash(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


def page_policy() -> str:
    """The Content-Security-Policy of every HTML page."""
    hashes = " ".join(style_hash(v) for v in TABLE_ALIGN_STYLES)
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' 'unsafe-hashes' {hashes}",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


# Anything that is not a page (JSON, feeds, robots.txt) may load nothing at all and be framed by no one.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Uploaded files are also sandboxed: one that a browser were talked into treating as a document still could not
# run script or reach our cookies. Only uploads: a sandboxed document has no timers and an opaque origin, which
# breaks a browser's own viewer of our JSON for no gain (nosniff already keeps JSON from becoming a page).
UPLOAD_POLICY = OTHER_POLICY + "; sandbox"

# Features no page of the encyclopedia uses; denied so that injected or third-party code cannot ask for them.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb",
))


class SecurityHeadersMiddleware:
    """Adds the headers to every response that does not set its own. Sits right after SecurityMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.page_policy = getattr(settings, "KURE_CONTENT_SECURITY_POLICY", "") or page_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A 304 has no Content-Type, yet the browser copies its headers onto the page it already holds: the
        # policy for "not a page" sent there would sandbox that page on a reload (no script, an opaque origin).
        # The page keeps the policy it came with.
        if response.status_code == 304:
            return response
        # Django's debug pages (DEBUG only) style themselves inline; they are for the developer, not readers.
        if settings.DEBUG and response.status_code >= 400:
            return response
        if request.path.startswith(settings.MEDIA_URL):
            policy = UPLOAD_POLICY
        elif response.get("Content-Type", "").startswith("text/html"):
            policy = self.page_policy
        else:
            policy = OTHER_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
