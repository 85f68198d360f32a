"""The Lesson in a real Chromium: a teacher walks all eight steps with Next, as in front of a class."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from fmnist import lesson
from tests.e2e.harness import exception_boxes, rerun

pytestmark = pytest.mark.e2e


# The height on screen of each piece of text in the diagram the page shows (the other one is hidden by CSS).
DIAGRAM_TEXT = """() => Array.from(document.querySelectorAll('[data-testid="stGraphVizChart"] svg text'))
  .map(t => t.getBoundingClientRect().height).filter(h => h > 0)"""
# The first line of each visible code block that takes more rows on screen than it has lines: a wrapped one.
WRAPPED_CODE = """() => Array.from(document.querySelectorAll('[data-testid="stCode"] code')).filter(c => c.offsetParent)
  .filter(c => c.getBoundingClientRect().height / parseFloat(getComputedStyle(c).lineHeight)
               > c.textContent.replace(/\\n$/, '').split('\\n').length + 0.5)
  .map(c => c.textContent.split('\\n')[0])"""


def step_heading(page, step: int):
    return page.get_by_role("heading", name=f"{step}. {lesson.STEPS[step - 1].title}")


def test_a_teacher_walks_every_step_with_next(open_app):
    """At a 1280x720 projector: no line of code wraps (its indentation is what a class copies), the
    diagram's text is readable, and the last step says where to go next."""
    page = open_app("/lesson", width=1280, height=720)
    expect(step_heading(page, 1)).to_be_visible()
    assert page.evaluate(WRAPPED_CODE) == [], "step 1"
    for step in range(2, lesson.STEP_COUNT + 1):
        rerun(page, lambda: page.get_by_role("button", name="Next", exact=True).click())
        expect(step_heading(page, step)).to_be_visible()
        assert re.search(rf"[?&]step={step}(&|$)", page.url), page.url
        assert exception_boxes(page) == 0, f"an exception on step {step}"
        assert page.evaluate(WRAPPED_CODE) == [], f"step {step}"
        if step == 3:  # the diagram, drawn by the browser from the model's layers, across the page
            diagram = page.locator('.st-key-lesson-diagram-across [data-testid="stGraphVizChart"] svg')
            expect(diagram).to_be_visible()
            expect(diagram).to_contain_text("100,480 parameters")
            assert diagram.bounding_box()["width"] >= 0.95 * page.locator('[data-testid="stMainBlockContainer"] h1').bounding_box()["width"]
            heights = page.evaluate(DIAGRAM_TEXT)
            assert heights and min(heights) >= 14, heights
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_disabled()
    for name, path in (("Beat the model in the Quiz", "quiz"), ("Train your own on the Train page", "train")):
        expect(page.get_by_role("link", name=name)).to_have_attribute("href", re.compile(rf"(^|/){path}$"))
    rerun(page, lambda: page.get_by_role("button", name="Back", exact=True).click())
    expect(step_heading(page, lesson.STEP_COUNT - 1)).to_be_visible()


def test_a_linked_step_opens_and_the_notebook_downloads(open_app):
    page = open_app("/lesson?step=7&present=1", width=1920, height=1080)
    expect(step_heading(page, 7)).to_be_visible()
    expect(page.locator('[class*="st-key-lesson-grid"] img')).to_have_count(15)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as notebook").click()
    book = json.loads(open(download.value.path()).read())
    assert book["nbformat"] == 4 and lesson.cells(3)[0] in ["".join(c["source"]) for c in book["cells"]]
    assert exception_boxes(page) == 0


def test_on_a_phone_the_diagram_runs_down_and_stays_readable(open_app):
    page = open_app("/lesson?step=3", width=390, height=844, is_mobile=True, has_touch=True)
    expect(page.locator('.st-key-lesson-diagram-down [data-testid="stGraphVizChart"] svg')).to_be_visible()
    expect(page.locator('.st-key-lesson-diagram-across [data-testid="stGraphVizChart"] svg')).to_be_hidden()
    heights = page.evaluate(DIAGRAM_TEXT)
    assert heights and min(heights) >= 14, heights
