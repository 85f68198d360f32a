"""Fixtures for the browser tests: one real server and one real Chromium for the whole session.

In CI (CI set) a missing Chromium or Playwright fails the run; elsewhere the tests skip with the reason.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e import harness


def _require(condition: bool, message: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def app_server():
    server = harness.AppServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _require(False, "playwright is not installed: pip install -r requirements-test.txt")
    _require(os.path.exists(harness.CHROMIUM) or not os.environ.get("CI"), f"{harness.CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        try:
            chromium = harness.launch_browser(playwright)
        except Exception as error:  # no browser at all on a developer machine
            _require(False, f"no Chromium to drive: {error}")
        yield chromium
        chromium.close()


@pytest.fixture
def open_app(app_server, browser, request):
    """Open a path of the app in a fresh tab; a screenshot is kept as an artifact after the test."""
    pages = []

    def _open(path: str = "/", **options):  # options: width, height, is_mobile, has_touch… (harness.open_page)
        page = harness.open_page(browser, app_server.url + path, **options)
        pages.append(page)
        return page

    yield _open
    shots = harness.ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(pages):
        page.screenshot(path=str(shots / f"{request.node.name}-{i}.png"), full_page=True)
        page.context.close()
