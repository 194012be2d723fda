"""The browser fixtures of tests/browser, shared with the security suite."""

from tests.browser.conftest import artifacts, browser, new_page  # noqa: F401
