"""Training from the Train page in a real Chromium: it runs in the worker process, never in the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e


def test_training_runs_in_the_worker_and_the_server_never_maps_tensorflow(open_app, app_server, train_split):
    page = open_app("/train?model=mlp")
    for key in ("train-epochs", "train-count"):  # the smallest recipe: 1 epoch on 1,000 images
        thumb = page.locator(f'.st-key-{key} input[type="range"]')
        rerun(page, lambda: (thumb.focus(), thumb.press("Home")))
    assert page.locator('.st-key-train-epochs input[type="range"]').input_value() == "1"
    train = page.locator(".st-key-train button").first
    rerun(page, train.click)
    expect(train).to_be_disabled()
    expect(page.get_by_text("Your model reached")).to_be_visible(timeout=180_000)
    expect(train).to_be_enabled()
    assert exception_boxes(page) == 0
    assert not app_server.has_loaded("tensorflow")  # trained in the worker, served by LiteRT
    rerun(page, page.get_by_role("button", name="Use it now").click)
    for title in ("Browse", "Draw", "Model", "Feature map"):  # every page, in this session, with its trained model
        rerun(page, page.get_by_role("link", name=title).click)
        assert "model=session" in page.url and exception_boxes(page) == 0, title
    assert not app_server.has_loaded("tensorflow")
