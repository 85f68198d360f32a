"""Draw, Photo and the feature map in a real Chromium, at the projector's and a phone's size."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from fmnist import renderings
from fmnist.config import CLASS_NAMES, MLP_REAL_INPUT_MODEL, MODEL_TITLES
from tests.e2e.harness import INK, draw_stroke, exception_boxes, rerun
from tests.e2e.test_browser import upload

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844, "is_mobile": True, "has_touch": True}
TOP_CANVAS = 'canvas[data-fabric="top"]'  # Fabric's top canvas takes the pointer

# Points a little inside the canvas's edges, checked against what is really on top there: the
# canvas's component (its shadow host) and nothing else. A canvas partly hidden under another column,
# or cut by its own, fails here.
UNCOVERED = """(canvas) => {
  const host = canvas.getRootNode().host;
  const box = canvas.getBoundingClientRect();
  const hidden = [];
  for (const fx of [0.02, 0.25, 0.5, 0.75, 0.98]) for (const fy of [0.02, 0.5, 0.98]) {
    const x = box.left + fx * box.width, y = box.top + fy * box.height;
    const hit = document.elementFromPoint(x, y);
    if (hit !== host && !(hit && host.contains(hit)))
      hidden.push([Math.round(x), Math.round(y), hit && hit.outerHTML.slice(0, 80)]);
  }
  return hidden;
}"""


def canvas_box(page) -> dict:
    canvas = page.locator(TOP_CANVAS)
    canvas.wait_for(state="visible")
    canvas.scroll_into_view_if_needed()
    return canvas.bounding_box()


def test_draw_canvas_fully_visible_at_the_projector_with_sidebar_open(open_app):
    page = open_app("/draw?model=mlp", **PROJECTOR)
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    box = canvas_box(page)
    assert box["width"] == 280 and box["x"] >= 0 and box["x"] + box["width"] <= PROJECTOR["width"]
    assert page.locator(TOP_CANVAS).evaluate(UNCOVERED) == []
    # Ink at the right edge, where the canvas used to hide under the answer, is drawn and seen.
    draw_stroke(page, [(0.92, 0.3), (0.96, 0.6), (0.92, 0.9)])  # the toolbar floats over the top
    expect(page.get_by_text("What the model sees (28×28)")).to_be_visible(timeout=60_000)
    assert page.locator(TOP_CANVAS).evaluate(UNCOVERED) == []  # the answer beside it does not cover it
    assert exception_boxes(page) == 0


def touch_stroke(page, points: list[tuple[float, float]]) -> None:
    """A finger dragged along points given as fractions of the canvas (Chromium's own touch events)."""
    box = canvas_box(page)
    cdp = page.context.new_cdp_session(page)
    at = [{"x": box["x"] + fx * box["width"], "y": box["y"] + fy * box["height"]} for fx, fy in points]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at[0]]})
    for a, b in zip(at, at[1:]):
        for k in range(1, 6):
            step = {"x": a["x"] + (b["x"] - a["x"]) * k / 5, "y": a["y"] + (b["y"] - a["y"]) * k / 5}
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [step]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_draw_on_a_phone_canvas_fits_and_a_finger_draws(open_app):
    page = open_app("/draw?model=mlp", **PHONE)
    box = canvas_box(page)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.locator(TOP_CANVAS).evaluate(UNCOVERED) == []
    page.wait_for_timeout(500)  # the component settles after mounting
    touch_stroke(page, [(0.35, 0.85), (0.35, 0.15), (0.65, 0.15), (0.65, 0.85)])
    page.wait_for_function(INK, arg=page.locator("canvas.dc-canvas.lower-canvas").element_handle(), timeout=10_000)
    expect(page.get_by_text("What the model sees (28×28)")).to_be_visible(timeout=60_000)
    # the MLP picked: a drawing goes to the classic MLP fine-tuned on hand drawings
    expect(page.get_by_text(f"Answered by: {MODEL_TITLES[MLP_REAL_INPUT_MODEL]}", exact=True)).to_be_visible()
    assert exception_boxes(page) == 0


def test_a_shoe_drawn_pointing_right_is_read_as_a_shoe_and_its_picture_says_it_was_mirrored(open_app):
    page = open_app("/draw?model=mlp", **PHONE)
    canvas_box(page)
    page.wait_for_timeout(500)  # the component settles after mounting
    # a boot's outline with one finger: the tall heel on the left, the toe on the right
    touch_stroke(page, [(0.15, 0.75), (0.15, 0.30), (0.40, 0.30), (0.50, 0.50), (0.85, 0.58), (0.85, 0.75), (0.15, 0.75)])
    expect(page.get_by_text("What the model sees (28×28), mirrored: every shoe in the dataset points left")).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", level=2).filter(has_text=re.compile("Ankle boot|Sneaker|Sandal"))).to_have_count(1)
    assert exception_boxes(page) == 0


def test_why_box_shows_whole_labels_at_the_projector(open_app):
    """Nothing cut at 1280: no text in the Why box ends in an ellipsis or overflows its box."""
    page = open_app("/draw?model=mlp", **PROJECTOR)
    draw_stroke(page, [(0.35, 0.85), (0.35, 0.15), (0.65, 0.15), (0.65, 0.85)])
    expect(page.get_by_text("Explain the class")).to_be_visible(timeout=60_000)
    cut = page.evaluate(CUT_TEXT)
    assert cut == []


# Text that does not fit its box: an input (a select box's value) or a leaf element that clips or
# ends in an ellipsis, anywhere in the page body.
CUT_TEXT = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] *')).filter(e =>
    e.tagName === 'INPUT' ? e.scrollWidth > e.clientWidth + 1
    : e.children.length === 0 && e.innerText && e.innerText.trim() && e.scrollWidth > e.clientWidth + 1
      && getComputedStyle(e).overflow !== 'visible'
  ).map(e => e.value || e.innerText.trim())"""


def map_chart_box(page) -> dict:
    return page.locator('[data-testid="stVegaLiteChart"] canvas').first.bounding_box()


def drag(page, box: dict, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(box["x"] + start[0] * box["width"], box["y"] + start[1] * box["height"])
    page.mouse.down()
    page.mouse.move(box["x"] + end[0] * box["width"], box["y"] + end[1] * box["height"], steps=8)
    page.mouse.up()


def test_feature_map_region_result_beside_the_chart_and_empty_region_in_words(open_app):
    page = open_app("/map?model=mlp", **PROJECTOR)
    box = map_chart_box(page)
    rerun(page, lambda: drag(page, box, (0.3, 0.3), (0.5, 0.5)))
    summary = page.get_by_text(re.compile(r"images in the region"))
    expect(summary).to_be_visible()
    assert summary.bounding_box()["y"] < PROJECTOR["height"]  # on screen beside the chart, not under it
    names = page.locator('[data-testid="stImageCaption"]').all_inner_texts()
    assert names and set(names) <= set(CLASS_NAMES)  # thumbnails carry their class names
    link = page.locator('[data-testid="stImage"] a').first.get_attribute("href")
    assert re.search(r"[?&]idx=\d+", link)  # a thumbnail opens that image in Browse
    rerun(page, lambda: drag(page, box, (0.85, 0.08), (0.95, 0.14)))  # the empty top-right corner
    expect(page.get_by_text("No images in this region.")).to_be_visible()
    assert exception_boxes(page) == 0


def test_feature_map_click_on_a_dot_opens_its_image(open_app):
    page = open_app("/map?model=mlp", **PROJECTOR)
    box = map_chart_box(page)
    rerun(page, lambda: page.mouse.click(box["x"] + 0.5 * box["width"], box["y"] + 0.4 * box["height"]))
    heading = page.get_by_text(re.compile(r"^Test image #\d+"))
    expect(heading).to_be_visible()
    index = re.search(r"#(\d+)", heading.inner_text()).group(1)
    link = page.get_by_role("link", name=f"Open test image #{index} in Browse")
    assert link.get_attribute("href").endswith(f"idx={index}")
    link.click()  # Browse opens with that image's detail
    expect(page.get_by_text(f"Test image #{index}", exact=True)).to_be_visible(timeout=60_000)


def test_photo_answer_is_on_screen_beside_its_steps_at_the_projector(open_app):
    page = open_app("/photo?model=mlp", **PROJECTOR)
    rerun(page, lambda: page.get_by_role("radio", name="Try an example").click())
    rerun(page, lambda: page.locator(".st-key-example-1 button").click())  # the trousers
    answer = page.get_by_role("heading", level=2).filter(has_text=re.compile(r"\d+%"))
    expect(answer).to_have_count(1)
    top = answer.bounding_box()["y"]
    assert 0 <= top and top + 40 < PROJECTOR["height"]  # above the fold, without scrolling
    expect(page.get_by_text("How your photo became the model's 28×28 input")).to_be_visible()
    assert exception_boxes(page) == 0


TO_TOP = "() => { window.scrollTo(0, 0); document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; }); }"


def test_photo_answer_comes_before_the_steps_on_a_phone(open_app, test_split):
    """Where the columns stack, an uploaded photo's answer is on the first screen and the pipeline's steps
    come after it; an example's answer starts right under the examples (two rows of four), steps after it."""
    images, labels = test_split
    photo = io.BytesIO()
    renderings.render_photo(images[int(np.flatnonzero(labels == 1)[0])], np.random.default_rng(0), size=320).save(photo, format="JPEG")
    page = open_app("/photo?model=mlp", **PHONE)
    answer = page.get_by_role("heading", level=2).filter(has_text=re.compile(r"\d+%"))
    steps = page.get_by_text("How your photo became the model's 28×28 input")
    rerun(page, lambda: upload(page, "trouser.jpg", photo.getvalue(), "image/jpeg"))
    page.evaluate(TO_TOP)
    top = answer.bounding_box()
    assert 0 <= top["y"] and top["y"] + top["height"] <= PHONE["height"], top  # on the first screen
    assert steps.bounding_box()["y"] > top["y"]
    rerun(page, lambda: page.get_by_role("radio", name="Try an example").tap())
    rerun(page, lambda: page.locator(".st-key-example-1 button").tap())
    page.evaluate(TO_TOP)
    first, last = (page.locator(f".st-key-example-{i} button").bounding_box() for i in (0, 6))
    assert last["y"] - first["y"] < 200, (first, last)  # two rows of examples, four a row
    top = answer.bounding_box()
    assert last["y"] < top["y"] < min(last["y"] + 200, PHONE["height"]), (last, top)  # it starts on the first screen
    assert steps.bounding_box()["y"] > top["y"]
    assert exception_boxes(page) == 0


@pytest.mark.parametrize("viewport", [PHONE, PROJECTOR], ids=["phone", "projector"])
def test_feature_map_legend_is_not_cut_at_the_chart_edge(open_app, viewport):
    """The legend wraps to the chart's width: the legend band's last pixels at the right are background."""
    page = open_app("/map?model=mlp", **viewport)
    canvas = page.locator('[data-testid="stVegaLiteChart"] canvas').first
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the chart lays itself out after the run
    pixels = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("L"))
    legend_band = pixels[int(0.75 * len(pixels)):, -12:]  # under the plot and its axis title
    assert legend_band.min() > 200, "a class name runs into the chart's right edge"
