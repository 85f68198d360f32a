"""Inside the network in a real Chromium: a teacher opens a test image by link, follows a unit, draws."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import draw_stroke, exception_boxes, rerun

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 720}


def test_mlp_units_by_link_then_a_top_image(open_app):
    page = open_app("/inside?model=mlp&idx=3", **PROJECTOR)
    expect(page.get_by_role("heading", name="The 128 hidden units")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("img", name=re.compile(r"^Bar chart of the 128 hidden units"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(r"^The incoming weights of all 128 hidden units"))).to_be_attached()
    first_top = page.get_by_role("button", name=re.compile(r"^#\d+$")).first
    index = first_top.inner_text().strip().lstrip("#")
    rerun(page, first_top.click)
    expect(page).to_have_url(re.compile(rf"[?&]idx={index}(&|$)"))
    expect(page.get_by_label("Test image number (0–9,999)")).to_have_value(index)
    assert exception_boxes(page) == 0


def test_cnn_feature_maps_for_a_drawing(open_app):
    page = open_app("/inside?model=cnn", **PROJECTOR)
    expect(page.get_by_role("heading", name="Feature maps, block by block")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile(r"^Convolution \d: \d+ feature maps$"))).to_have_count(5)
    rerun(page, page.get_by_role("radio", name="Draw").click)
    draw_stroke(page, [(0.35, 0.85), (0.35, 0.15), (0.65, 0.15), (0.65, 0.85)])
    first_maps = page.get_by_role("img", name=re.compile(r"^Block 1, convolution 1: its 32 feature maps"))
    expect(first_maps).to_be_visible(timeout=60_000)
    assert "idx=" not in page.url
    assert exception_boxes(page) == 0


def test_browse_detail_opens_the_image_inside(open_app):
    page = open_app("/browse?model=mlp&idx=7", **PROJECTOR)
    link = page.get_by_role("link", name=re.compile("Inside the network"))
    link.wait_for(timeout=60_000)
    link.click()
    expect(page.get_by_role("heading", name="The 128 hidden units")).to_be_visible(timeout=60_000)
    expect(page.get_by_label("Test image number (0–9,999)")).to_have_value("7")
    expect(page).to_have_url(re.compile(r"/inside\?.*idx=7"))
    assert exception_boxes(page) == 0


def test_the_inside_pages_image_choice_stays_on_one_row_at_1280(open_app):
    """Found on a walkthrough at a 1280x720 projector: "Upload a photo" wrapped onto a second row."""
    page = open_app("/inside", width=1280, height=720)
    options = page.locator('.st-key-inside-image [data-testid="stButtonGroup"] button')
    expect(options).to_have_count(3)
    tops = {round(options.nth(i).bounding_box()["y"]) for i in range(3)}
    assert len(tops) == 1, tops
