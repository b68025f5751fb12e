"""Fixtures for the browser tests: Debian's headless Chromium driven by Playwright against ``live_server``.

Never let Playwright download a browser: we launch the system Chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("OPENNRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
# Short timeouts: a page of this application renders in well under a second, so a wait that lasts
# longer means something is broken, and failing fast keeps the suite quick.
TIMEOUT_MS = 10_000

# Playwright's sync API runs an asyncio event loop in this thread, and Django refuses ORM calls from a
# thread with a running loop. The test thread only sets up and checks data while the browser waits.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install -y chromium)."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own cookies: one context per person)."""
    contexts: list[Any] = []

    def make(*, locale: str = "en-GB", **options: Any) -> Any:
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_world(django_db_serialized_rollback: None, transactional_db: None, live_server: Any) -> Any:
    """The personas, committed so that the live server thread sees them.

    Serialized rollback: the flush after a transactional test also empties the rows that migrations
    seed (roles, audit chain heads); they are restored for the next test.
    """
    from opennrm.testing import build_world

    return build_world()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
