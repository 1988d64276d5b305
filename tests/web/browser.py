"""A real browser for the page tests: Debian's Chromium, driven by Playwright.

`make test` installs Chromium (apt-get) and axe-core (npm) when they are missing; Playwright's
own browser download does not work on these machines, so it drives the system's Chromium.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, expect

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium calls Google's hosts at start, and this
# machine's closed network answers each call with an error.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 740}
# Long enough for a busy 2-core machine; a live update that does not come fails within it.
LIVE_TIMEOUT_MS = 20_000
expect.set_options(timeout=LIVE_TIMEOUT_MS)


def require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists()]
    if missing:
        pytest.fail(
            f"Missing for the browser tests: {', '.join(missing)}. `make test` installs them "
            "(apt-get install chromium; npm ci in tests/web)."
        )


class Browsing:
    """Pages, each in a browser context of its own (its own cookies: its own person), whose
    console errors and uncaught exceptions fail the test unless `allow()`ed."""

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.errors: list[str] = []
        self.allowed: list[re.Pattern] = []
        self.contexts = []

    def page(self, viewport: dict | None = None) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport=viewport or {"width": 1280, "height": 900}
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(LIVE_TIMEOUT_MS)
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{message.text} ({message.location.get('url')})")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        return page

    def allow(self, pattern: str) -> None:
        """A console error that the test provokes on purpose (a server stopped, a 404 page)."""
        self.allowed.append(re.compile(pattern))

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def log_in(page: Page, username: str, password: str = "pw-for-tests-1") -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#username")).to_have_text(username)


def wait_until_live(page: Page) -> None:
    """The page's socket is open and subscribed (the server joins its groups before the
    handshake completes)."""
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")


def mark_document(page: Page) -> None:
    """Mark the document, so that `same_document` tells whether the page was reloaded since."""
    page.evaluate("window.strideTestMark = true")


def same_document(page: Page) -> bool:
    return page.evaluate("window.strideTestMark === true")


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def elsewhere(function, /, **kwargs):
    """Call a service as another client of the server would, on a thread of its own: Playwright
    runs an event loop on the test's thread, where the services' broadcasts (async_to_sync)
    refuse to run."""

    def call():
        try:
            return function(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()
