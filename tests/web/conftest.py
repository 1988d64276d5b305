"""Fixtures of the browser tests (test_browser.py): Chromium, a live server, a real worker."""

import pytest
from playwright.sync_api import sync_playwright

from tests.live_server import LiveServer
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, Browsing, require_browser
from tests.workers.conftest import real_broker, start_worker  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def browser():
    require_browser()
    # Playwright's sync API runs its event loop on this thread (in a greenlet of its own), which
    # Django's guard against database calls from async code takes for async code: the tests'
    # own calls are plain synchronous ones.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(transactional_db):
    live = LiveServer().start()
    yield live
    live.stop()


@pytest.fixture
def browse(browser, server):
    browsing = Browsing(browser, server.url)
    yield browsing
    browsing.close()
    assert browsing.unexpected_errors() == []


@pytest.fixture
def queueing_server(real_broker, transactional_db):  # noqa: F811 - the imported fixture
    """A server that hands background work to the broker, for a real worker to do."""
    live = LiveServer(STRIDE_TEST_QUEUE_TASKS="1", CELERY_QUEUE=real_broker).start()
    yield live
    live.stop()
