"""The app on a phone (390×844, touch, 3× pixels), as a student in class holds it (issue 10, item 4)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
TILES = '[class*="st-key-tile-"]'

# Each tile: the box of its column (the picture above its caption button).
TILE_BOXES = f"""() => Array.from(document.querySelectorAll('{TILES}')).map(e => {{
  const r = e.closest('[data-testid="stVerticalBlock"]').getBoundingClientRect();
  return {{x: r.x, y: r.y, right: r.right, bottom: r.bottom}};
}})"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_browse_shows_three_tiles_a_row_and_the_first_on_the_first_screen(open_app):
    page = open_app("/?model=mlp", **PHONE)
    boxes = page.evaluate(TILE_BOXES)
    assert len(boxes) == 24
    first_row = [b for b in boxes if abs(b["y"] - boxes[0]["y"]) < 2]
    assert len(first_row) >= 3, first_row
    assert all(b["right"] <= 390 for b in boxes)
    assert boxes[0]["bottom"] <= 844, "the first tile is below the first screen"


@pytest.mark.parametrize("path", ["/browse?model=mlp", "/browse?model=mlp&idx=5", "/draw", "/photo", "/model?model=mlp", "/map?model=mlp", "/train"])
def test_no_page_scrolls_sideways(open_app, path):
    page = open_app(path, **PHONE)
    page.wait_for_timeout(500)  # charts lay themselves out after the run
    assert page.evaluate(SIDEWAYS) <= 0
    assert exception_boxes(page) == 0


def test_a_tap_opens_the_detail_and_next_steps_on(open_app):
    page = open_app("/?model=mlp&wrong=1", **PHONE)
    caption = page.locator(f"{TILES} button").nth(4)  # second row
    rerun(page, caption.tap)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] < 844  # on screen, where the student looks
    heading = dialog.get_by_role("heading", name="Test image #")
    first = heading.inner_text()
    assert "idx=" in page.url
    rerun(page, dialog.get_by_role("button", name="Next").tap)
    expect(heading).not_to_have_text(first)
    assert page.evaluate(SIDEWAYS) <= 0


def test_a_round_alone_shows_the_image_and_all_ten_answers_on_the_first_screen(open_app):
    """With the round's settings above them, only 4 of the 10 answers were on a phone's first screen."""
    page = open_app("/quiz?model=mlp", **PHONE)
    answers = page.locator('[class*="st-key-quiz-solo-choices"] button')
    expect(answers).to_have_count(10)
    bottoms = answers.evaluate_all("els => els.map(e => e.getBoundingClientRect().bottom)")
    assert max(bottoms) <= 844, f"answers end at {max(bottoms):.0f} px, below the first screen"
    assert page.get_by_role("button", name="New round").is_visible()  # still there, under them
